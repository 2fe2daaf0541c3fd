// What scoring adds to a Post: language, sentiment and rule matches. Produced by the Scorer, stored with the
// post, read by detectors and the API.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/post.h"

namespace vigie::rules {

enum class Label : std::uint8_t { negative, neutral, positive };
std::string_view to_string(Label l);

struct Sentiment {
  float compound = 0;  // VADER-style normalized valence in [-1, 1]
  float pos = 0;       // proportions of the text that are positive, neutral, negative; sum to 1 when scored
  float neu = 1;
  float neg = 0;
  Label label = Label::neutral;
  bool scored = false;  // false when the language has no lexicon: the numbers are neutral placeholders
  // The lexicon that scored the text: "en", "fr", or "" when unscored. The post's language when it has one;
  // for an undetermined language, the lexicon that explained more of the text (SentimentAnalyzer).
  std::string_view lexicon;
};

enum class Severity : std::uint8_t { info, warning, critical };
std::string_view to_string(Severity s);
// "info", "warning", "critical"; nullopt otherwise.
std::optional<Severity> parse_severity(std::string_view s);

enum class RuleKind : std::uint8_t { brand, topic };
std::string_view to_string(RuleKind k);

struct Match {
  std::string rule;  // id of the brand or topic
  RuleKind kind = RuleKind::brand;
  Severity severity = Severity::info;  // topics only
};

struct ScoredPost {
  ingest::Post post;
  std::string lang;  // ISO 639-1 ("fr", "en", ...) or "und"
  Sentiment sentiment;
  std::vector<Match> matches;
};

// The distinct brand ids a post matched, in match order, into `out` (cleared first; views into p.matches).
// Few per post: a vector beats a set.
void matched_brands(const ScoredPost& p, std::vector<std::string_view>& out);

}  // namespace vigie::rules
