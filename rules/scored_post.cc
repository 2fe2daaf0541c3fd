#include "rules/scored_post.h"

#include <algorithm>

namespace vigie::rules {

std::string_view to_string(Label l) {
  switch (l) {
    case Label::negative:
      return "negative";
    case Label::neutral:
      return "neutral";
    case Label::positive:
      return "positive";
  }
  return "neutral";
}

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::info:
      return "info";
    case Severity::warning:
      return "warning";
    case Severity::critical:
      return "critical";
  }
  return "info";
}

std::optional<Severity> parse_severity(std::string_view s) {
  for (const Severity v : {Severity::info, Severity::warning, Severity::critical}) {
    if (to_string(v) == s) return v;
  }
  return std::nullopt;
}

void matched_brands(const ScoredPost& p, std::vector<std::string_view>& out) {
  out.clear();
  for (const Match& m : p.matches) {
    if (m.kind != RuleKind::brand) continue;
    if (std::find(out.begin(), out.end(), m.rule) == out.end()) out.push_back(m.rule);
  }
}

std::string_view to_string(RuleKind k) {
  return k == RuleKind::brand ? "brand" : "topic";
}

}  // namespace vigie::rules
