// Sentiment of a post in English or French: VADER's method (Hutto & Gilbert, ICWSM 2014) re-implemented from
// its description, with English resources from VADER and French resources adapted for social media.
//
// The method, per token: the valence of the word from the lexicon (-4..+4); + 0.733 in magnitude when the
// word is in capitals in a mixed-case post; + the increments of up to three preceding boosters/dampeners
// (0.293, damped 5% and 10% at distance two and three); × -0.74 when negated within the three preceding
// tokens. Then: words before the first "but"/"mais" × 0.5, after × 1.5; the sum gains 0.292 per "!" (up to
// four) and 0.18 per "?" (two or three; 0.96 beyond); compound = sum / sqrt(sum² + 15). pos/neu/neg are the
// shares of positive, neutral and negative tokens weighted by intensity. French adds elision, "ne … pas"
// (one flip per word, negation after the verb: "j'aime pas"), clause-bounded negation, informal spellings,
// emphasis of elongated words ("géniaaal"), vows ("plus jamais", "toujours pas") and "jamais aussi" emphasis.
//
// Ownership: create() builds an immutable analyzer shared by every scoring thread; rule reloads build a new
// one. Thread-safety: score() is const and safe to call concurrently; it reuses per-thread scratch buffers,
// so it allocates nothing once they have grown.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "ingest/base/result.h"
#include "rules/scored_post.h"
#include "rules/sentiment/sentiment_language.h"
#include "rules/sentiment/sentiment_options.h"

namespace vigie::rules {

class SentimentAnalyzer {
 public:
  // Builds the English and French resources from the embedded lexicons plus `options.extra`. Fails when an
  // embedded lexicon is malformed or an extra term is empty or outside -4..4.
  static Result<std::shared_ptr<const SentimentAnalyzer>> create(const SentimentOptions& options);

  // `lang`: "en" or "fr" are scored; any other value returns Sentiment{} (scored=false, label neutral).
  Sentiment score(std::string_view text, std::string_view lang) const;

  // For a text whose language is undetermined: scores it with both lexicons and keeps the one that explains
  // more of its tokens (knows more of its words, emoticons and emoji). On a tie, the first of `preference`
  // that names a lexicon ("en", "fr"; other codes are skipped), else English. `preference` is the caller's
  // order: the platform's declaration, the brand's languages, the configured default.
  Sentiment score_undetermined(std::string_view text, std::span<const std::string_view> preference) const;

  // The resources of a scored language, or nullptr. For tests and diagnostics.
  const SentimentLanguage* language(std::string_view lang) const;

 private:
  SentimentAnalyzer(SentimentOptions options, SentimentLanguage en, SentimentLanguage fr)
      : options_(std::move(options)), en_(std::move(en)), fr_(std::move(fr)) {}

  // `explained`, when given, receives the number of tokens the language's lexicon knows.
  Sentiment score_with(std::string_view text, const SentimentLanguage& lang, int* explained = nullptr) const;

  SentimentOptions options_;
  SentimentLanguage en_;
  SentimentLanguage fr_;
};

}  // namespace vigie::rules
