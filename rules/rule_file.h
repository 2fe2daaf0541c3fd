// The rule file: YAML read into a RuleSetSpec, with every error located as "FILE:LINE:COL: message".
//
//   brands:
//     - id: acme                        # required, unique
//       name: ACME Corp                 # optional display name (defaults to id)
//       query: 'acme OR "acme corp"'    # a query (boolean_query.h) or a `regex:` (RE2 syntax, raw text), not both
//       languages: [fr, en]             # optional: only posts detected in these languages
//       platforms: [mastodon, bluesky]  # optional: only posts from these platforms
//       exclude: 'acmeville OR "acme road runner"'  # optional: a post matching it never matches the brand
//       detection:                      # optional: overrides of the top-level `detection:`, key by key
//         sentiment_drop: { drop: 0.4 }
//         influencer: { enabled: false }
//   topics:
//     - id: outage                      # required, unique among topics
//       query: 'panne OR outage OR "hors service"'  # or `regex:`
//       severity: critical              # info (default), warning or critical
//       brands: [acme]                  # optional: only posts that matched one of these brands
//   sentiment:                          # optional, see sentiment_options.h
//     extra: { panne: -2.5, remboursement: -1 }
//     thresholds: { positive: 0.05, negative: -0.05 }
//     default_language: en         # en | fr: for undetermined posts when both lexicons explain as much
//   detection:                          # optional: crisis detection defaults of every brand (detection_options.h)
//     volume:                           # spike of all mentions (volume_spike.h); shown with the defaults
//       { enabled: true, window: 30m, p_fire: 1e-4, p_critical: 1e-7, min_count: 10, min_ratio: 1.5,
//         critical_ratio: 5, warmup: 3d, half_life: 1d, weekly_after: 21d }
//     negative_volume: { enabled: true }  # same keys; those not given take volume's merged value
//     sentiment_drop:                   # mean compound below its baseline (sentiment_drop.h)
//       { enabled: true, window: 30m, drop: 0.3, critical_drop: 0.6, min_volume: 20, warmup: 3d, half_life: 1d }
//     critical_keyword: { enabled: true }  # a post matching the brand and a critical topic (post_triggers.h)
//     influencer: { enabled: true, followers: 100000, critical_followers: 1000000 }
//     quiet_period: 30m                 # an incident resolves after this long without a firing detector
//     repeat_interval: 4h               # an open incident is notified again at most this often
//
// Durations are a positive whole number and a unit: "30s", "5m", "4h", "3d". Windows are multiples of the
// 5-minute bucket, at most 24h. Probabilities lie strictly between 0 and 1, drops in (0, 2], counts are whole
// numbers >= 1; p_critical may not exceed p_fire, nor critical_drop be below drop, nor critical_followers
// below followers, once merged.
//
// Unknown keys and values of the wrong type are errors, so a typo never silently disables a rule. A query
// error is located at the offending character inside the scalar ("rules.yaml:14:23: unbalanced ')' in query
// of brand \"acme\""): exactly for plain and quoted scalars, to the nearest character for block scalars. Lines
// and columns are 1-based; columns count bytes. A new top-level section is one more entry in the loader's
// section table.
//
// Loading is pure (no global state) and safe to run on any thread; RuleSet::load_file and load_string are the
// entry points (rule_set.h).
#pragma once

#include <cstddef>
#include <string_view>

#include "ingest/base/result.h"
#include "rules/rule_set.h"

namespace vigie::rules {

// Parses YAML text into a spec; does not compile the queries into RE2 (RuleSet::compile does).
Result<RuleSetSpec> parse_rule_file(std::string_view yaml, std::string_view name);

// Byte offset in `source` of byte `offset` of the decoded value of the scalar whose node starts at
// `scalar_pos` (yaml-cpp's Mark::pos: the first character, an opening quote, or a block indicator '|' / '>').
std::size_t scalar_source_offset(std::string_view source, std::size_t scalar_pos, std::string_view value,
                                 std::size_t offset);

}  // namespace vigie::rules
