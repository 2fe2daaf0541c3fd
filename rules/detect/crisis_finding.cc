#include "rules/detect/crisis_finding.h"

#include <array>
#include <utility>

namespace vigie::rules {
namespace {

// One table for both directions, so that a new detector cannot be printable but not parsable.
constexpr std::array<std::pair<DetectorKind, std::string_view>, 5> kNames{{
    {DetectorKind::volume, "volume"},
    {DetectorKind::negative_volume, "negative_volume"},
    {DetectorKind::sentiment_drop, "sentiment_drop"},
    {DetectorKind::critical_keyword, "critical_keyword"},
    {DetectorKind::influencer, "influencer"},
}};

}  // namespace

std::string_view to_string(DetectorKind k) {
  for (const auto& [kind, name] : kNames) {
    if (kind == k) return name;
  }
  return "volume";
}

std::optional<DetectorKind> parse_detector_kind(std::string_view s) {
  for (const auto& [kind, name] : kNames) {
    if (name == s) return kind;
  }
  return std::nullopt;
}

Finding window_finding(std::string brand, DetectorKind detector, Severity severity, Micros window_start,
                       Micros window_end, bool onset, std::string summary) {
  Finding out;
  out.brand = std::move(brand);
  out.detector = detector;
  out.severity = severity;
  out.at = window_end;
  out.window_start = window_start;
  out.onset = onset;
  out.summary = std::move(summary);
  return out;
}

}  // namespace vigie::rules
