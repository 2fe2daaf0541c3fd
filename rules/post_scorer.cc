#include "rules/post_scorer.h"

#include <string_view>
#include <vector>

namespace vigie::rules {

PostScorer::PostScorer(std::shared_ptr<const RuleSet> rules,
                       std::shared_ptr<const SentimentAnalyzer> sentiment)
    : rules_(std::move(rules)), sentiment_(std::move(sentiment)) {
  default_language_ = rules_ ? rules_->sentiment().default_language : SentimentOptions{}.default_language;
  if (rules_) {
    for (const Brand& b : rules_->brands())
      brands_.emplace(b.id, &b);
  }
}

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
  score_into(out);
  return out;
}

ScoredPost PostScorer::score(ingest::Post&& post) const {
  ScoredPost out;
  out.post = std::move(post);
  score_into(out);
  return out;
}

void PostScorer::score_into(ScoredPost& out) const {
  const ingest::Post& post = out.post;
  // Feeds and videos carry much of their meaning in the title: score both.
  std::string_view text = post.text;
  if (!post.title.empty()) {
    thread_local std::string joined;
    joined.assign(post.title);
    joined += '\n';
    joined += post.text;
    text = joined;
  }
  const LanguageGuess guess = detector_.decide(text, post.lang_hint);
  out.lang = std::string(guess.lang);
  if (rules_) {
    thread_local MatchScratch scratch;
    rules_->match(post, out.lang, scratch, out.matches);
  }
  if (guess.determined) {
    out.sentiment = sentiment_->score(text, out.lang);
    return;
  }
  thread_local std::vector<std::string_view> preference;
  preference.clear();
  preference.push_back(guess.declared);
  for (const Match& m : out.matches) {
    if (m.kind != RuleKind::brand) continue;
    if (const auto it = brands_.find(m.rule); it != brands_.end()) {
      for (const std::string& l : it->second->languages)
        preference.push_back(l);
    }
  }
  preference.push_back(default_language_);
  out.sentiment = sentiment_->score_undetermined(text, preference);
}

}  // namespace vigie::rules
