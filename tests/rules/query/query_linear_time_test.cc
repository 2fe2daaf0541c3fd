// No rule can stall the daemon: matching costs time linear in the text's length for every query shape. Each
// case builds the text that is worst for its shape (a near miss repeated: the first words of a phrase again and
// again, both sides of a NEAR far apart) at 64 KB and at 1 MB, and compares the two times. Linear work takes
// 16 times longer on the larger text, quadratic work 256 times; the bound sits between, far enough from 16 that a
// noisy machine does not trip it. Each time is the thread's CPU time, not the wall clock: on a machine busy
// with other work a long run is cut into time slices and a short one is not, which inflated the ratio of wall
// times past the bound with linear code. And it is the best of a few runs, which is what the code costs.
#include <gtest/gtest.h>
#include <time.h>

#include <algorithm>
#include <functional>

#include "rules/post_scorer.h"
#include "rules/rule_file.h"
#include "rules/rule_set.h"

namespace vigie::rules {
namespace {

constexpr std::size_t kSmall = 64 * 1024;
constexpr std::size_t kLarge = 1024 * 1024;
constexpr double kMaxRatio = 64;  // linear: 16; quadratic: 256

// `unit` repeated to `bytes`.
std::string repeat(std::string_view unit, std::size_t bytes) {
  std::string out;
  out.reserve(bytes + unit.size());
  while (out.size() + unit.size() <= bytes)
    out += unit;
  return out;
}

// Half `a`, ten unrelated words, half `b`: every `a` is far from every `b` but one pair.
std::string halves(std::string_view a, std::string_view b, std::size_t bytes) {
  return repeat(a, bytes / 2) + repeat("zz ", 30) + repeat(b, bytes / 2);
}

ingest::Post post_with(std::string text) {
  ingest::Post p;
  p.uid = "test:long";
  p.text = std::move(text);
  return p;
}

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

double best_seconds(const std::function<void()>& run) {
  double best = 1e9;
  for (int i = 0; i < 5; ++i) {
    const double start = thread_cpu_seconds();
    run();
    best = std::min(best, thread_cpu_seconds() - start);
  }
  return best;
}

struct Shape {
  const char* name;
  const char* rules;                             // a rule file with one brand "x"
  std::function<std::string(std::size_t)> text;  // the worst text of `bytes` for the shape
  bool matches;                                  // what the rule says of that text
};

class LinearTime : public ::testing::TestWithParam<Shape> {};

TEST_P(LinearTime, MatchingTimeGrowsWithTheTextNotItsSquare) {
  const Shape& shape = GetParam();
  auto rs = RuleSet::load_string(shape.rules, "rules.yaml");
  ASSERT_TRUE(rs) << rs.error().message;
  MatchScratch scratch;
  std::vector<Match> out;
  const auto time_of = [&](std::size_t bytes) {
    const ingest::Post post = post_with(shape.text(bytes));
    return best_seconds([&] {
      out.clear();
      (*rs)->match(post, "en", scratch, out);
      EXPECT_EQ(!out.empty(), shape.matches) << shape.name << " at " << bytes << " bytes";
    });
  };
  const double small = time_of(kSmall);
  const double large = time_of(kLarge);
  EXPECT_LT(large, 1.0) << shape.name << ": a 1 MB text took " << large << " s";
  EXPECT_LT(large / small, kMaxRatio)
      << shape.name << ": 64 KB in " << small << " s, 1 MB in " << large << " s";
}

INSTANTIATE_TEST_SUITE_P(
    EveryQueryShape, LinearTime,
    ::testing::Values(
        Shape{"phrase", "brands:\n  - id: x\n    query: '\"acme bank robbery\"'\n",
              [](std::size_t n) { return repeat("acme bank ", n); }, false},
        Shape{"exclude", "brands:\n  - id: x\n    query: zzz\n    exclude: '\"acme bank robbery\"'\n",
              [](std::size_t n) { return "zzz " + repeat("acme bank ", n); }, true},
        Shape{"negation", "brands:\n  - id: x\n    query: 'zzz AND NOT \"acme bank robbery\"'\n",
              [](std::size_t n) { return "zzz " + repeat("acme bank ", n); }, true},
        Shape{"near", "brands:\n  - id: x\n    query: 'acme NEAR/3 robbery'\n",
              [](std::size_t n) { return halves("acme ", "robbery ", n); }, false},
        Shape{"ordered_near", "brands:\n  - id: x\n    query: 'acme ONEAR/3 robbery'\n",
              [](std::size_t n) { return halves("robbery ", "acme ", n); }, false},
        Shape{"near_phrases", "brands:\n  - id: x\n    query: '\"acme bank\" NEAR/2 \"bank robbery\"'\n",
              [](std::size_t n) { return halves("acme bank ", "bank robbery ", n); }, false},
        Shape{"wildcard_phrase", "brands:\n  - id: x\n    query: '\"acme ban* robbery\"'\n",
              [](std::size_t n) { return repeat("acme bank ", n); }, false},
        Shape{"wildcard_near", "brands:\n  - id: x\n    query: 'acm* NEAR/2 robber*'\n",
              [](std::size_t n) { return halves("acme ", "robbery ", n); }, false},
        Shape{"exact_phrase", "brands:\n  - id: x\n    query: '=\"Acme Bank robbery\"'\n",
              [](std::size_t n) { return repeat("Acme Bank ", n); }, false},
        Shape{"regex", "brands:\n  - id: x\n    regex: 'acme\\s+bank\\s+robbery'\n",
              [](std::size_t n) { return repeat("acme bank ", n); }, false}),
    [](const ::testing::TestParamInfo<Shape>& info) { return std::string(info.param.name); });

// The whole scoring pass (language, sentiment, rules) on a long post in plain English.
TEST(LinearTimeScoring, ALongPostScoresInTimeLinearInItsLength) {
  auto rs = RuleSet::load_string(
      "brands:\n  - id: x\n    query: '\"acme bank robbery\" OR acme NEAR/3 outage'\n", "rules.yaml");
  ASSERT_TRUE(rs) << rs.error().message;
  auto sentiment = SentimentAnalyzer::create({});
  ASSERT_TRUE(sentiment) << sentiment.error().message;
  auto scorer = PostScorer::build(*rs, *sentiment);
  const auto time_of = [&](std::size_t bytes) {
    const ingest::Post post = post_with(
        repeat("Acme bank was not good but the staff were friendly, no outage today!!! :) ", bytes));
    return best_seconds([&] {
      const ScoredPost p = scorer->score(post);
      EXPECT_EQ(p.lang, "en");
      EXPECT_TRUE(p.sentiment.scored);
    });
  };
  const double small = time_of(kSmall);
  const double large = time_of(kLarge);
  EXPECT_LT(large, 1.0) << "a 1 MB post took " << large << " s";
  EXPECT_LT(large / small, kMaxRatio) << "64 KB in " << small << " s, 1 MB in " << large << " s";
}

}  // namespace
}  // namespace vigie::rules
