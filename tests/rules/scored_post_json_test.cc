// The JSON text of a scored post's parts as `vigie score` prints it straight from the ScoredPost must be the
// text of the JSON values the API builds (sentiment_to_json, matches_to_json), byte for byte; and scoring a
// post by move must score it as scoring a copy does.
#include "rules/scored_post_json.h"

#include <gtest/gtest.h>

#include <boost/json/value.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "ingest/base/json_text.h"
#include "rules/post_scorer.h"

namespace vigie::rules {
namespace {

TEST(ScoredPostJson, SentimentTextIsTheValuesText) {
  const float values[] = {
      0.0f,     -0.0f, 1.0f,     -1.0f,  0.5f,      0.12345f, -0.68079f,
      0.58824f, 1e-6f, 0.99996f, 0.333f, -0.00004f, 2.5f,     std::numeric_limits<float>::quiet_NaN()};
  for (const float v : values) {
    for (const Label label : {Label::negative, Label::neutral, Label::positive}) {
      for (const bool scored : {true, false}) {
        Sentiment s;
        s.compound = v;
        s.pos = 1 - v;
        s.neu = v / 3;
        s.neg = -v;
        s.label = label;
        s.scored = scored;
        s.lexicon = scored ? "fr" : "";
        std::string text;
        append_sentiment_json(text, s);
        EXPECT_EQ(text, ingest::json_text(sentiment_to_json(s))) << v;
      }
    }
  }
}

TEST(ScoredPostJson, MatchesTextIsTheValuesText) {
  std::vector<Match> matches;
  std::string text;
  append_matches_json(text, matches);
  EXPECT_EQ(text, "[]");
  matches.push_back(Match{"acme", RuleKind::brand, Severity::info});
  matches.push_back(Match{"out\"age\\\x01\n", RuleKind::topic, Severity::critical});
  matches.push_back(Match{"fees", RuleKind::topic, Severity::info});
  matches.push_back(Match{"volta-é", RuleKind::brand, Severity::warning});
  text.clear();
  append_matches_json(text, matches);
  EXPECT_EQ(text, ingest::json_text(matches_to_json(matches)));
}

TEST(ScoredPostJson, ScoringByMoveScoresAsACopy) {
  const auto scorer = PostScorer::load("").value();
  for (const char* t : {"Encore une panne, je suis vraiment déçu 😡", "I love the new app, great job!", "😡😡",
                        "Der Zug hat heute leider wieder Verspätung", ""}) {
    ingest::Post p;
    p.uid = "t:1";
    p.text = t;
    p.title = std::string(t).empty() ? "Un titre plutôt réussi" : "";
    p.lang_hint = "fr";
    const ScoredPost copy = scorer->score(p);
    ingest::Post moved = p;
    const ScoredPost by_move = scorer->score(std::move(moved));
    EXPECT_EQ(by_move.post.text, p.text);
    EXPECT_EQ(by_move.post.uid, p.uid);
    EXPECT_EQ(by_move.lang, copy.lang) << t;
    std::string a, b;
    append_sentiment_json(a, by_move.sentiment);
    append_sentiment_json(b, copy.sentiment);
    EXPECT_EQ(a, b) << t;
    EXPECT_EQ(by_move.matches.size(), copy.matches.size());
  }
}

}  // namespace
}  // namespace vigie::rules
