// The Scorer Vigie runs: decide the post's language, match the rules, score its sentiment.
//
// The lexicon follows the language decision (LanguageDetector): French or English, that lexicon; another
// language, no sentiment; undetermined (emoji, emoticons, a word or two), both lexicons, keeping the one that
// explains more of the text, ties going to the platform's declared language, then the `languages` of the
// brands the post matched (in file order), then the rule file's `sentiment.default_language`.
//
// Immutable once built; score() is thread-safe (per-thread scratch buffers). A rule reload builds a new
// PostScorer from the new file and swaps it in whole.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ingest/base/result.h"
#include "rules/language/language_detector.h"
#include "rules/rule_set.h"
#include "rules/scorer.h"
#include "rules/sentiment/sentiment_analyzer.h"

namespace vigie::rules {

class PostScorer final : public Scorer {
 public:
  // Compiles the rule file (an empty path: no brands or topics; sentiment with default options). Errors are
  // "FILE:LINE:COL: message".
  static Result<std::shared_ptr<const PostScorer>> load(const std::string& rules_file);
  static std::shared_ptr<const PostScorer> build(std::shared_ptr<const RuleSet> rules,
                                                 std::shared_ptr<const SentimentAnalyzer> sentiment);

  ScoredPost score(const ingest::Post& post) const override;
  // The same for a post the caller no longer needs: it is moved into the ScoredPost instead of copied (a
  // caller scoring a stream can move it back out of the result to reuse its buffers).
  ScoredPost score(ingest::Post&& post) const override;

  // The compiled rules, or nullptr when none are configured.
  const RuleSet* rules() const { return rules_.get(); }

 private:
  PostScorer(std::shared_ptr<const RuleSet> rules, std::shared_ptr<const SentimentAnalyzer> sentiment);
  // Scores out.post into the other fields of `out`.
  void score_into(ScoredPost& out) const;

  std::shared_ptr<const RuleSet> rules_;
  std::shared_ptr<const SentimentAnalyzer> sentiment_;
  LanguageDetector detector_;
  std::unordered_map<std::string_view, const Brand*> brands_;  // by id, for the languages of a matched brand
  std::string default_language_;
};

}  // namespace vigie::rules
