// How sentiment is scored, as the rule file configures it (`sentiment:` section). Read by the rule-file
// loader, consumed by the sentiment analyzer.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace vigie::rules {

struct SentimentOptions {
  // compound >= positive_threshold is "positive", <= negative_threshold "negative", else "neutral".
  float positive_threshold = 0.05f;
  float negative_threshold = -0.05f;
  // Domain lexicon added to every language's lexicon (overriding it): term (any case/accents) -> valence on
  // VADER's -4..+4 scale. E.g. {"panne", -2.5}, {"outage", -2.5}, {"refund", -1.0}.
  std::vector<std::pair<std::string, float>> extra;
  // The lexicon of last resort for a post whose language is undetermined, when both lexicons explain as much
  // of it and neither the platform nor the brand's `languages` names one: "en" or "fr".
  std::string default_language = "en";
};

}  // namespace vigie::rules
