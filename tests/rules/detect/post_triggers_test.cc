#include "rules/detect/post_triggers.h"

#include <gtest/gtest.h>

#include <string>

#include "rules/detect/crisis_finding.h"
#include "rules/rule_set.h"

namespace vigie::rules {
namespace {

constexpr Micros kAt = 1'704'067'200 * kMicrosPerSecond;

ScoredPost post(std::string text, std::int64_t followers, Label label, std::vector<Match> matches) {
  ScoredPost p;
  p.post.uid = "mastodon:1";
  p.post.platform = "mastodon";
  p.post.author.handle = "jdoe";
  p.post.author.followers = followers;
  p.post.text = std::move(text);
  p.post.created_at = kAt;
  p.sentiment.label = label;
  p.sentiment.scored = true;
  p.matches = std::move(matches);
  return p;
}

const Match kAcme{"acme", RuleKind::brand, Severity::info};
const Match kBreach{"data-breach", RuleKind::topic, Severity::critical};
const Match kRecall{"recall", RuleKind::topic, Severity::critical};
const Match kPraise{"praise", RuleKind::topic, Severity::info};
const Match kOutage{"outage", RuleKind::topic, Severity::warning};

TEST(CrisisFinding, DetectorKindNamesRoundTrip) {
  for (DetectorKind k : {DetectorKind::volume, DetectorKind::negative_volume, DetectorKind::sentiment_drop,
                         DetectorKind::critical_keyword, DetectorKind::influencer}) {
    EXPECT_EQ(parse_detector_kind(to_string(k)), k) << to_string(k);
  }
  EXPECT_EQ(to_string(DetectorKind::negative_volume), "negative_volume");
  EXPECT_EQ(to_string(DetectorKind::critical_keyword), "critical_keyword");
  EXPECT_EQ(parse_detector_kind("Volume"), std::nullopt);
  EXPECT_EQ(parse_detector_kind(""), std::nullopt);
}

TEST(PostTriggers, CriticalTopicOpensACriticalFinding) {
  const auto findings = post_trigger_findings(
      post("Fuite de données chez Acme", 12, Label::negative, {kAcme, kPraise, kBreach}), "acme",
      PostTriggerOptions{});
  ASSERT_EQ(findings.size(), 1u);
  const Finding& f = findings[0];
  EXPECT_EQ(f.brand, "acme");
  EXPECT_EQ(f.detector, DetectorKind::critical_keyword);
  EXPECT_EQ(f.severity, Severity::critical);
  EXPECT_EQ(f.at, kAt);
  EXPECT_EQ(f.window_start, kAt);
  EXPECT_TRUE(f.onset);
  EXPECT_EQ(f.post_uid, "mastodon:1");
  EXPECT_EQ(f.summary, "critical topic \"data-breach\" in a post by @jdoe: \"Fuite de données chez Acme\"");
}

TEST(PostTriggers, NamesEveryCriticalTopicAndIgnoresLesserOnes) {
  const auto findings = post_trigger_findings(
      post("rappel", 12, Label::neutral, {kAcme, kOutage, kBreach, kRecall}), "acme", PostTriggerOptions{});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].summary,
            "critical topics \"data-breach\", \"recall\" in a post by @jdoe: \"rappel\"");
  EXPECT_TRUE(post_trigger_findings(post("panne", 12, Label::negative, {kAcme, kOutage, kPraise}), "acme",
                                    PostTriggerOptions{})
                  .empty());
}

TEST(PostTriggers, OnlyForTheBrandThePostMatched) {
  const ScoredPost p = post("breach", 5'000'000, Label::negative, {kAcme, kBreach});
  EXPECT_TRUE(post_trigger_findings(p, "globex", PostTriggerOptions{}).empty());
  // A topic id equal to the brand id is not a brand match.
  EXPECT_TRUE(post_trigger_findings(post("x", 5'000'000, Label::negative, {{"globex", RuleKind::topic}}),
                                    "globex", PostTriggerOptions{})
                  .empty());
  ScoredPost deleted = p;
  deleted.post.kind = ingest::Kind::del;
  EXPECT_TRUE(post_trigger_findings(deleted, "acme", PostTriggerOptions{}).empty());
}

TEST(PostTriggers, TopicRestrictedToAnotherBrandDoesNotCount) {
  auto rs = RuleSet::load_string(R"(
brands:
  - {id: acme, query: acme}
  - {id: globex, query: globex}
topics:
  - {id: data-breach, query: breach, severity: critical, brands: [globex]}
  - {id: recall, query: recall, severity: critical}
)",
                                 "rules.yaml");
  ASSERT_TRUE(rs) << rs.error().message;
  const ScoredPost p =
      post("acme and globex: breach", 10, Label::neutral, {kAcme, {"globex", RuleKind::brand}, kBreach});
  EXPECT_TRUE(post_trigger_findings(p, "acme", PostTriggerOptions{}, rs->get()).empty());
  EXPECT_EQ(post_trigger_findings(p, "globex", PostTriggerOptions{}, rs->get()).size(), 1u);
  // Without the rule set the restriction is unknown: the match counts.
  EXPECT_EQ(post_trigger_findings(p, "acme", PostTriggerOptions{}).size(), 1u);
  ScoredPost both = p;
  both.matches.push_back(kRecall);
  const auto f = post_trigger_findings(both, "acme", PostTriggerOptions{}, rs->get());
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].summary.substr(0, 24), "critical topic \"recall\" ");
}

TEST(PostTriggers, InfluencerNeedsFollowersAndANegativeLabel) {
  const PostTriggerOptions o;
  auto influencer = [&](std::int64_t followers, Label label) {
    return post_trigger_findings(post("Acme a encore tout cassé", followers, label, {kAcme}), "acme", o);
  };
  EXPECT_TRUE(influencer(99'999, Label::negative).empty());
  EXPECT_TRUE(influencer(-1, Label::negative).empty());
  EXPECT_TRUE(influencer(5'000'000, Label::neutral).empty());
  EXPECT_TRUE(influencer(5'000'000, Label::positive).empty());
  auto warning = influencer(100'000, Label::negative);
  ASSERT_EQ(warning.size(), 1u);
  EXPECT_EQ(warning[0].detector, DetectorKind::influencer);
  EXPECT_EQ(warning[0].severity, Severity::warning);
  EXPECT_EQ(warning[0].summary, "negative post by @jdoe (100k followers): \"Acme a encore tout cassé\"");
  auto critical = influencer(1'234'567, Label::negative);
  ASSERT_EQ(critical.size(), 1u);
  EXPECT_EQ(critical[0].severity, Severity::critical);
  EXPECT_EQ(critical[0].summary, "negative post by @jdoe (1.2M followers): \"Acme a encore tout cassé\"");
}

TEST(PostTriggers, BothFindingsAndSwitches) {
  const ScoredPost p = post("breach", 2'000'000, Label::negative, {kAcme, kBreach});
  const auto both = post_trigger_findings(p, "acme", PostTriggerOptions{});
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].detector, DetectorKind::critical_keyword);
  EXPECT_EQ(both[1].detector, DetectorKind::influencer);

  PostTriggerOptions no_keyword;
  no_keyword.critical_keyword_enabled = false;
  const auto influencer_only = post_trigger_findings(p, "acme", no_keyword);
  ASSERT_EQ(influencer_only.size(), 1u);
  EXPECT_EQ(influencer_only[0].detector, DetectorKind::influencer);

  PostTriggerOptions no_influencer;
  no_influencer.influencer_enabled = false;
  const auto keyword_only = post_trigger_findings(p, "acme", no_influencer);
  ASSERT_EQ(keyword_only.size(), 1u);
  EXPECT_EQ(keyword_only[0].detector, DetectorKind::critical_keyword);

  PostTriggerOptions higher;
  higher.followers = 3'000'000;
  higher.critical_followers = 5'000'000;
  EXPECT_EQ(post_trigger_findings(p, "acme", higher).size(), 1u);
}

TEST(PostTriggers, QuotesTheStartOfLongTextsOnACharacterBoundary) {
  std::string text;
  for (int i = 0; i < 30; ++i)
    text += "données ";
  const auto f = post_trigger_findings(post(text, 0, Label::neutral, {kAcme, kBreach}), "acme", {});
  ASSERT_EQ(f.size(), 1u);
  const std::string& s = f[0].summary;
  const std::string prefix = "critical topic \"data-breach\" in a post by @jdoe: \"";
  ASSERT_EQ(s.substr(0, prefix.size()), prefix);
  // Cut after a whole word, marked with an ellipsis.
  EXPECT_TRUE(s.ends_with("données\xE2\x80\xA6\"")) << s;
  EXPECT_LT(s.size(), prefix.size() + 100);

  // No handle: the platform says where; no text: the title is quoted, on one line.
  ScoredPost titled = post("", 0, Label::neutral, {kAcme, kBreach});
  titled.post.author.handle.clear();
  titled.post.title = "Acme:\nfuite";
  EXPECT_EQ(post_trigger_findings(titled, "acme", {})[0].summary,
            "critical topic \"data-breach\" in a post on mastodon: \"Acme: fuite\"");
}

TEST(PostTriggers, FormatFollowers) {
  EXPECT_EQ(format_followers(980), "980");
  EXPECT_EQ(format_followers(1000), "1k");
  EXPECT_EQ(format_followers(1500), "1.5k");
  EXPECT_EQ(format_followers(150'000), "150k");
  EXPECT_EQ(format_followers(999'499), "999k");
  EXPECT_EQ(format_followers(999'500), "1M");
  EXPECT_EQ(format_followers(1'234'567), "1.2M");
  EXPECT_EQ(format_followers(15'000'000), "15M");
}

TEST(PostTriggers, ValidatesOptions) {
  EXPECT_TRUE(validate(PostTriggerOptions{}).has_value());
  PostTriggerOptions o;
  o.critical_followers = 10;
  EXPECT_FALSE(validate(o).has_value());
  o.followers = 0;
  EXPECT_FALSE(validate(o).has_value());
}

}  // namespace
}  // namespace vigie::rules
