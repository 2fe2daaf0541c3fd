// `vigie score` as a user runs it: NDJSON or text lines in, one JSON object per line out, bad lines on stderr.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <sstream>

#include "tests/support/daemon_process.h"

namespace vigie::testing {
namespace {

namespace json = boost::json;

constexpr const char* kRules = R"(brands:
  - id: acme
    name: Acme Bank
    query: '"acme bank" OR #acmebank'
topics:
  - id: outage
    query: 'panne OR outage'
    severity: critical
    brands: [acme]
  - id: fees
    query: 'frais OR fees'
sentiment:
  extra:
    panne: -2.5
)";

std::vector<json::object> lines_of(const std::string& text) {
  std::vector<json::object> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    json::value v = json::parse(line);  // every output line must be one JSON object
    out.push_back(v.as_object());
  }
  return out;
}

TEST(Score, NdjsonPostsGetLangMatchesAndSentiment) {
  TempDir dir;
  const std::string rules = dir.write("rules.yaml", kRules);
  auto r = run_vigie(
      {"score", "--rules", rules},
      R"({"uid":"mastodon:ex/1","platform":"mastodon","text":"Encore une panne chez Acme Bank, je suis vraiment déçu 😡"}
{"id":"t42","text":"I love the new Acme Bank app, great job!"}
{"text":"Les frais de tenue de compte augmentent encore"}
{"text":"Der Zug hat heute leider wieder Verspätung und niemand sagt etwas"}
)");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const auto out = lines_of(r.out);
  ASSERT_EQ(out.size(), 4u) << r.out;

  EXPECT_EQ(out[0].at("id"), "mastodon:ex/1");
  EXPECT_EQ(out[0].at("lang"), "fr");
  EXPECT_EQ(json::serialize(out[0].at("matches")),
            R"([{"rule":"acme","kind":"brand"},{"rule":"outage","kind":"topic","severity":"critical"}])");
  const json::object& s0 = out[0].at("sentiment").as_object();
  EXPECT_EQ(s0.at("label"), "negative");
  EXPECT_LT(s0.at("compound").to_number<double>(), -0.5);
  EXPECT_EQ(s0.at("scored"), true);
  for (const char* f : {"compound", "pos", "neu", "neg"})
    EXPECT_TRUE(s0.at(f).is_number()) << f;

  EXPECT_EQ(out[1].at("id"), "t42");  // no uid: the input's own id names it
  EXPECT_EQ(out[1].at("lang"), "en");
  EXPECT_EQ(out[1].at("sentiment").at("label"), "positive");
  EXPECT_EQ(json::serialize(out[1].at("matches")), R"([{"rule":"acme","kind":"brand"}])");

  EXPECT_EQ(out[2].at("id"), 3);  // nothing names it: the line number does
  EXPECT_EQ(json::serialize(out[2].at("matches")), R"([{"rule":"fees","kind":"topic","severity":"info"}])");

  // German: detected, never scored with an English or French lexicon.
  EXPECT_EQ(out[3].at("lang"), "de");
  EXPECT_EQ(out[3].at("sentiment").at("scored"), false);
  EXPECT_EQ(out[3].at("sentiment").at("compound").to_number<double>(), 0.0);
}

TEST(Score, BadLinesGoToStderrScoringContinuesExitIsOne) {
  TempDir dir;
  const std::string rules = dir.write("rules.yaml", kRules);
  auto r = run_vigie({"score", "--rules", rules},
                     "{\"text\":\"acme bank outage\"}\nnot json\n\n{\"uid\":5,\"text\":\"x\"}\n"
                     "{\"text\":\"acme bank fees\"}\n[1,2]\n");
  EXPECT_EQ(r.exit_code, 1);
  const auto out = lines_of(r.out);
  ASSERT_EQ(out.size(), 2u) << r.out;
  EXPECT_EQ(out[0].at("id"), 1);
  EXPECT_EQ(out[1].at("id"), 5);
  const auto err = lines_of(r.err);
  ASSERT_EQ(err.size(), 3u) << r.err;
  EXPECT_EQ(err[0].at("line"), 2);
  EXPECT_NE(std::string(err[0].at("error").as_string()).find("invalid JSON"), std::string::npos);
  EXPECT_EQ(err[1].at("line"), 4);
  EXPECT_NE(std::string(err[1].at("error").as_string()).find("'uid'"), std::string::npos);
  EXPECT_EQ(err[2].at("line"), 6);
  EXPECT_NE(std::string(err[2].at("error").as_string()).find("object"), std::string::npos);
}

TEST(Score, TextModeScoresRawLines) {
  TempDir dir;
  const std::string rules = dir.write("rules.yaml", kRules);
  auto r = run_vigie({"score", "--text", "--rules", rules},
                     "Acme Bank is down AGAIN!!! worst bank ever\r\n\n#acmebank merci pour votre aide\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = lines_of(r.out);
  ASSERT_EQ(out.size(), 2u) << r.out;
  EXPECT_EQ(out[0].at("id"), 1);
  EXPECT_EQ(out[0].at("lang"), "en");
  EXPECT_EQ(out[0].at("sentiment").at("label"), "negative");
  EXPECT_EQ(out[1].at("id"), 3);
  EXPECT_EQ(out[1].at("lang"), "fr");
  EXPECT_EQ(out[1].at("sentiment").at("label"), "positive");
  EXPECT_EQ(json::serialize(out[1].at("matches")), R"([{"rule":"acme","kind":"brand"}])");
}

TEST(Score, WithoutRulesScoresSentimentOnly) {
  auto r = run_vigie({"score", "--text"}, "This is absolutely terrible\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = lines_of(r.out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].at("matches").as_array().empty());
  EXPECT_EQ(out[0].at("sentiment").at("label"), "negative");
}

TEST(Score, BrokenRuleFileExits2WithItsLocation) {
  TempDir dir;
  const std::string rules = dir.write("rules.yaml", "brands:\n  - id: acme\n    query: '(acme'\n");
  auto r = run_vigie({"score", "--rules", rules}, "{\"text\":\"x\"}\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("rules.yaml:3:"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(run_vigie({"score", "--rules", dir.file("missing.yaml")}).exit_code, 2);
}

}  // namespace
}  // namespace vigie::testing
