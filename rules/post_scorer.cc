#include "rules/post_scorer.h"

namespace vigie::rules {

PostScorer::PostScorer(std::shared_ptr<const RuleSet> rules,
                       std::shared_ptr<const SentimentAnalyzer> sentiment)
    : rules_(std::move(rules)), sentiment_(std::move(sentiment)) {}

std::shared_ptr<const PostScorer> PostScorer::build(std::shared_ptr<const RuleSet> rules,
                                                    std::shared_ptr<const SentimentAnalyzer> sentiment) {
  return std::shared_ptr<const PostScorer>(new PostScorer(std::move(rules), std::move(sentiment)));
}

Result<std::shared_ptr<const PostScorer>> PostScorer::load(const std::string& rules_file) {
  std::shared_ptr<const RuleSet> rules;
  SentimentOptions sentiment_options;
  if (!rules_file.empty()) {
    auto r = RuleSet::load_file(rules_file);
    if (!r) return r.error();
    rules = std::move(*r);
    sentiment_options = rules->sentiment();
  }
  auto sentiment = SentimentAnalyzer::create(sentiment_options);
  if (!sentiment) return sentiment.error();
  return build(std::move(rules), std::move(*sentiment));
}

ScoredPost PostScorer::score(const ingest::Post& post) const {
  ScoredPost out;
  out.post = post;
  // Feeds and videos carry much of their meaning in the title: score both.
  thread_local std::string text;
  text.clear();
  if (!post.title.empty()) {
    text += post.title;
    text += '\n';
  }
  text += post.text;
  out.lang = std::string(detector_.detect(text, post.lang_hint));
  out.sentiment = sentiment_->score(text, out.lang);
  if (rules_) {
    thread_local MatchScratch scratch;
    rules_->match(post, out.lang, scratch, out.matches);
  }
  return out;
}

}  // namespace vigie::rules
