// What a crisis detector reports: one finding about one brand, explained in a sentence. Detectors produce
// findings; the incident book (daemon side) groups them into incidents and notifications.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ingest/base/timestamp.h"
#include "rules/scored_post.h"

namespace vigie::rules {

enum class DetectorKind : std::uint8_t {
  volume,            // spike of all mentions
  negative_volume,   // spike of negative mentions
  sentiment_drop,    // mean compound fell below its baseline
  critical_keyword,  // a post matched a critical topic
  influencer,        // an author above the follower threshold posted a negative mention
};
// "volume", "negative_volume", "sentiment_drop", "critical_keyword", "influencer".
std::string_view to_string(DetectorKind k);
std::optional<DetectorKind> parse_detector_kind(std::string_view s);

struct Finding {
  std::string brand;
  DetectorKind detector = DetectorKind::volume;
  Severity severity = Severity::warning;  // warning or critical
  Micros at = 0;            // event time: end of the window (window detectors) or the post's created_at
  Micros window_start = 0;  // window detectors: start of the window; per-post detectors: created_at
  bool onset = true;        // first finding of an episode (per-post findings are always onsets)
  std::string post_uid;     // per-post detectors: the post that fired
  std::string summary;      // one sentence: "42 negative mentions in 30 min vs 9.5 expected ... (4.4x)"
};

// The finding of a window detector over [window_start, window_end), at its end.
Finding window_finding(std::string brand, DetectorKind detector, Severity severity, Micros window_start,
                       Micros window_end, bool onset, std::string summary);

}  // namespace vigie::rules
