// Property: for random rule sets and random posts, the prefiltered engine (RuleSet::match) returns exactly
// what the plain reference evaluator returns. Seeded, so a failure reproduces; the failing case is printed.
#include <gtest/gtest.h>

#include <random>

#include "rules/query/query_reference.h"
#include "rules/rule_set.h"

namespace vigie::rules {
namespace {

// A small vocabulary, so that random queries and texts share terms often; the text side adds case, accent,
// boundary and script variants of the query side.
const std::vector<std::string> kQueryWords = {"acme", "panne",  "déçu",   "service", "client",
                                              "été",  "orange", "#acme",  "@acme",   "😡",
                                              "ok",   "l'acme", "москва", "2024"};
const std::vector<std::string> kTextWords = {
    "acme",    "Acme",   "ACME",    "acmeville", "#acme", "#Acme", "@acme",  "@acme_fr",
    "panne",   "PANNE",  "pannes",  "déçu",      "decu",  "DÉÇU",  "deçus",  "service",
    "Service", "client", "clients", "clientèle", "été",   "ete",   "Été",    "étés",
    "orange",  "Orange", "😡",       "😀",         "ok",    "OK",    "l'acme", "L’Acme",
    "москва",  "Москва", "2024",    "2024€",     "x",     "y",     "z"};
const std::vector<std::string> kSeparators = {" ", " ",  " ",   ", ",   "-",  "'",
                                              "",  "\n", " 😡 ", "... ", "\t", "_"};

class Gen {
 public:
  explicit Gen(std::uint32_t seed) : rng_(seed) {}

  int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(below(static_cast<int>(v.size())))];
  }

  std::string literal(bool exact) {
    std::string s;
    const int kind = below(10);
    if (kind < 6) {
      s = pick(exact ? kTextWords : kQueryWords);
    } else if (kind < 8) {
      s = "\"" + pick(exact ? kTextWords : kQueryWords) + " " + pick(exact ? kTextWords : kQueryWords) + "\"";
    } else {
      static const std::vector<std::string> kPrefixes = {"acm", "pan", "cli", "ser", "#ac", "ét", "de"};
      s = pick(kPrefixes) + "*";
    }
    return exact ? "=" + s : s;
  }

  std::string near_operand(bool exact) {
    if (below(3) > 0) return literal(exact);
    return "(" + literal(exact) + " OR " + literal(exact) + ")";
  }

  std::string filter() {
    switch (below(5)) {
      case 0:
        return below(2) ? "lang:fr" : "lang:en";
      case 1:
        return below(2) ? "platform:mastodon" : "platform:bluesky";
      case 2:
        return below(2) ? "author:jane" : "author:@Bob";
      case 3:
        return std::string("followers:") + pick(std::vector<std::string>{">", ">=", "<", "<=", "="}) +
               std::to_string(below(3) * 50);
      default:
        return below(2) ? "kind:post" : "kind:comment";
    }
  }

  std::string query(int depth) {
    const int k = below(depth <= 0 ? 4 : 10);
    switch (k) {
      case 0:
      case 1:
      case 2:
        return literal(below(6) == 0);
      case 3:
        return below(3) == 0 ? filter() : literal(false);
      case 4:
        return "NOT " + query(depth - 1);
      case 5:
        return query(depth - 1) + " " + query(depth - 1);
      case 6:
        return "(" + query(depth - 1) + " OR " + query(depth - 1) + ")";
      case 7:
        return query(depth - 1) + " AND (" + query(depth - 1) + ")";
      default: {
        const bool exact = below(5) == 0;
        return near_operand(exact) + (below(2) ? " NEAR/" : " ONEAR/") + std::to_string(below(4)) + " " +
               near_operand(exact);
      }
    }
  }

  std::string text() {
    std::string s;
    const int n = below(14);
    for (int i = 0; i < n; ++i) {
      if (i > 0 || below(4) == 0) s += pick(kSeparators);
      s += pick(kTextWords);
    }
    if (below(6) == 0) s += pick(kSeparators);
    return s;
  }

  ingest::Post post() {
    ingest::Post p;
    p.uid = "prop:1";
    p.platform = below(2) ? "mastodon" : "Bluesky";
    p.kind = below(2) ? ingest::Kind::post : ingest::Kind::comment;
    p.author.handle = pick(std::vector<std::string>{"jane", "Bob", "@bob", "eve"});
    p.author.followers = below(4) == 0 ? -1 : below(3) * 50;
    p.text = text();
    if (below(5) == 0) p.title = text();
    return p;
  }

 private:
  std::mt19937 rng_;
};

QueryNode parse_or_die(const std::string& q) {
  auto r = parse_query(q);
  if (!r) ADD_FAILURE() << "generator produced an invalid query [" << q << "]: " << r.error().message;
  return r ? *r : QueryNode{};
}

std::string describe(const std::vector<Match>& ms) {
  std::string s;
  for (const Match& m : ms)
    s += m.rule + " ";
  return s;
}

TEST(QueryProperty, EngineAgreesWithReference) {
  constexpr int kRuleSets = 250;
  constexpr int kPostsPerSet = 40;
  int compared = 0;
  int nonempty = 0;
  for (int round = 0; round < kRuleSets; ++round) {
    Gen g(static_cast<std::uint32_t>(1000 + round));
    RuleSetSpec spec;
    std::vector<std::string> texts;  // for failure messages
    const int brands = 1 + g.below(6);
    for (int i = 0; i < brands; ++i) {
      Brand b;
      b.id = "b" + std::to_string(i);
      texts.push_back(b.id + ": " + g.query(3));
      b.query = parse_or_die(texts.back().substr(b.id.size() + 2));
      if (g.below(3) == 0) {
        texts.push_back(b.id + " exclude: " + g.query(1));
        b.exclude = parse_or_die(texts.back().substr(b.id.size() + 10));
      }
      if (g.below(4) == 0) b.languages = {"fr"};
      if (g.below(5) == 0) b.platforms = {"mastodon"};
      spec.brands.push_back(std::move(b));
    }
    const int topics = g.below(6);
    for (int i = 0; i < topics; ++i) {
      Topic t;
      t.id = "t" + std::to_string(i);
      texts.push_back(t.id + ": " + g.query(3));
      t.query = parse_or_die(texts.back().substr(t.id.size() + 2));
      if (g.below(3) == 0) t.brands = {"b" + std::to_string(g.below(brands))};
      spec.topics.push_back(std::move(t));
    }
    auto rs = RuleSet::compile(spec);
    ASSERT_TRUE(rs) << rs.error().message;
    MatchScratch scratch;
    for (int i = 0; i < kPostsPerSet; ++i) {
      const ingest::Post p = g.post();
      const std::string lang = g.below(2) ? "fr" : "en";
      std::vector<Match> out;
      (*rs)->match(p, lang, scratch, out);
      const std::vector<Match> ref = reference_match(spec, p, lang);
      ++compared;
      nonempty += out.empty() ? 0 : 1;
      if (describe(out) != describe(ref)) {
        std::string rules;
        for (const auto& t : texts)
          rules += "  " + t + "\n";
        FAIL() << "round " << round << " post " << i << "\nrules:\n"
               << rules << "title: [" << p.title << "]\ntext: [" << p.text << "]\nlang " << lang
               << "\nengine: " << describe(out) << "\nreference: " << describe(ref);
      }
    }
  }
  EXPECT_EQ(compared, kRuleSets * kPostsPerSet);
  // The generator must exercise matches, not only agree on "nothing matched".
  EXPECT_GT(nonempty, compared / 5);
}

// The same for single queries with NEAR, where positions matter most.
TEST(QueryProperty, NearAgreesWithReference) {
  Gen g(42);
  int positives = 0;
  for (int i = 0; i < 3000; ++i) {
    const bool exact = g.below(5) == 0;
    const std::string q = g.near_operand(exact) + (g.below(2) ? " NEAR/" : " ONEAR/") +
                          std::to_string(g.below(5)) + " " + g.near_operand(exact);
    RuleSetSpec spec;
    Brand b;
    b.id = "b";
    b.query = parse_or_die(q);
    spec.brands.push_back(b);
    auto rs = RuleSet::compile(spec);
    ASSERT_TRUE(rs);
    MatchScratch scratch;
    for (int k = 0; k < 5; ++k) {
      const ingest::Post p = g.post();
      std::vector<Match> out;
      (*rs)->match(p, "fr", scratch, out);
      const bool ref = reference_eval(b.query, p, "fr");
      positives += ref ? 1 : 0;
      ASSERT_EQ(!out.empty(), ref) << "query [" << q << "] text [" << p.title << "|" << p.text << "]";
    }
  }
  EXPECT_GT(positives, 300);
}

}  // namespace
}  // namespace vigie::rules
