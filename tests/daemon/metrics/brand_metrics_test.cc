// BrandMetrics: a post counts once, when storage first stores it; labels come from the rules in force and a
// reload removes the series of what it drops; platforms are bounded.
#include "daemon/metrics/brand_metrics.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <regex>

namespace vigie::daemon {
namespace {

using storage::PostOutcome;

std::shared_ptr<const rules::RuleSet> rules_of(const std::string& yaml) {
  auto r = rules::RuleSet::load_string(yaml, "rules.yaml");
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : nullptr;
}

const char* kTwoBrands = R"(
brands:
  - {id: acme, query: acme}
  - {id: volta, query: volta}
topics:
  - {id: outage, query: panne, severity: warning, brands: [acme]}
  - {id: fees, query: frais, severity: info}
)";

rules::ScoredPost post(std::vector<std::string> brands, std::vector<std::string> topics = {},
                       std::string platform = "mastodon", bool scored = true, float compound = 0.6f,
                       std::int64_t followers = 100) {
  rules::ScoredPost p;
  p.post.uid = "mastodon:1";
  p.post.platform = std::move(platform);
  p.post.author.handle = "someone";
  p.post.author.followers = followers;
  p.sentiment.scored = scored;
  p.sentiment.compound = compound;
  p.sentiment.label = compound >= 0.05f    ? rules::Label::positive
                      : compound <= -0.05f ? rules::Label::negative
                                           : rules::Label::neutral;
  for (auto& b : brands)
    p.matches.push_back({b, rules::RuleKind::brand, rules::Severity::info});
  for (auto& t : topics)
    p.matches.push_back({t, rules::RuleKind::topic, rules::Severity::info});
  return p;
}

class BrandMetricsTest : public ::testing::Test {
 protected:
  std::string text() { return prometheus::TextSerializer().Serialize(registry_.Collect()); }
  // The value of the one sample whose line starts with `series` (name and labels as serialized), or -1.
  double value(const std::string& series) {
    const std::string t = text();
    const auto at = t.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(t.substr(at + series.size() + 2));
  }

  prometheus::Registry registry_;
  BrandMetrics metrics_{registry_};
};

TEST_F(BrandMetricsTest, CountsOnlyPostsStoredForTheFirstTime) {
  const auto rules = rules_of(kTwoBrands);
  metrics_.set_rules(rules.get());
  const std::vector<rules::ScoredPost> batch{
      post({"acme"}, {"outage", "fees"}),
      post({"acme", "volta"}, {"fees"}, "bluesky", true, -0.7f, 50),
      post({"volta"}, {}, "x", false, 0, -1),
      post({"acme"}),  // a duplicate, an edit and a delete: nothing
      post({"acme"}),
      post({"acme"}),
  };
  const std::vector<PostOutcome> outcomes{PostOutcome::inserted, PostOutcome::inserted,
                                          PostOutcome::inserted, PostOutcome::duplicate,
                                          PostOutcome::edited,   PostOutcome::deleted};
  metrics_.count(batch, outcomes);
  EXPECT_EQ(value(R"(vigie_mentions_total{brand="acme",platform="mastodon",sentiment="positive"})"), 1);
  EXPECT_EQ(value(R"(vigie_mentions_total{brand="acme",platform="bluesky",sentiment="negative"})"), 1);
  EXPECT_EQ(value(R"(vigie_mentions_total{brand="volta",platform="bluesky",sentiment="negative"})"), 1);
  EXPECT_EQ(value(R"(vigie_mentions_total{brand="volta",platform="x",sentiment="unscored"})"), 1);
  EXPECT_EQ(value(R"(vigie_mention_reach_total{brand="acme"})"), 150);
  EXPECT_EQ(value(R"(vigie_mention_reach_total{brand="volta"})"), 50);  // unknown followers count 0
  EXPECT_EQ(value(R"(vigie_sentiment_compound_count{brand="acme"})"), 2);
  EXPECT_EQ(value(R"(vigie_sentiment_compound_count{brand="volta"})"), 1);  // unscored is not observed
  EXPECT_NEAR(value(R"(vigie_sentiment_compound_sum{brand="acme"})"), -0.1, 1e-6);
  EXPECT_EQ(value(R"(vigie_sentiment_compound_bucket{brand="acme",le="-0.5"})"), 1);
  // A topic counts for the brands it applies to: outage only for acme, fees for both.
  EXPECT_EQ(value(R"(vigie_topic_mentions_total{brand="acme",severity="warning",topic="outage"})"), 1);
  EXPECT_EQ(value(R"(vigie_topic_mentions_total{brand="acme",severity="info",topic="fees"})"), 2);
  EXPECT_EQ(value(R"(vigie_topic_mentions_total{brand="volta",severity="info",topic="fees"})"), 1);
  EXPECT_EQ(text().find(R"(brand="volta",severity="warning",topic="outage")"), std::string::npos);

  // The same batch again, all duplicates (a replay): nothing moves.
  const std::string before = text();
  metrics_.count(batch, std::vector<PostOutcome>(batch.size(), PostOutcome::duplicate));
  EXPECT_EQ(text(), before);
}

TEST_F(BrandMetricsTest, EverySeriesOfABrandStartsAtZero) {
  const auto rules = rules_of(kTwoBrands);
  metrics_.set_rules(rules.get());
  EXPECT_EQ(value(R"(vigie_mention_reach_total{brand="volta"})"), 0);
  EXPECT_EQ(value(R"(vigie_sentiment_compound_count{brand="volta"})"), 0);
  EXPECT_EQ(value(R"(vigie_topic_mentions_total{brand="volta",severity="info",topic="fees"})"), 0);
  for (const auto event : BrandMetrics::kIncidentEvents)
    EXPECT_EQ(value(R"(vigie_incident_events_total{brand="acme",event=")" + std::string(event) + "\"}"), 0);
  metrics_.incident_event("acme", "opened");
  metrics_.incident_event("acme", "reminded");  // an event not listed yet is still counted
  EXPECT_EQ(value(R"(vigie_incident_events_total{brand="acme",event="opened"})"), 1);
  EXPECT_EQ(value(R"(vigie_incident_events_total{brand="acme",event="reminded"})"), 1);
  metrics_.incident_event("gone", "resolved");  // not in the rules: no series
  EXPECT_EQ(text().find("gone"), std::string::npos);
  EXPECT_EQ(metrics_.brands(), (std::vector<std::string>{"acme", "volta"}));
}

// Past kMaxTopicSeriesAtZero (brand, topic) pairs, a pair's series appears with its first mention, not at 0:
// 101 brands and 100 topics for all of them make more than 10,100 pairs.
TEST_F(BrandMetricsTest, ManyTopicsMakeTheirSeriesAtTheFirstMention) {
  std::string yaml = "brands:\n";
  for (int b = 0; b < 101; ++b)
    yaml += "  - {id: brand" + std::to_string(b) + ", query: brand" + std::to_string(b) + "}\n";
  yaml += "topics:\n  - {id: outage, query: panne, severity: warning, brands: [brand1]}\n";
  for (int t = 0; t < 100; ++t)
    yaml += "  - {id: topic" + std::to_string(t) + ", query: word" + std::to_string(t) + "}\n";
  const auto rules = rules_of(yaml);
  metrics_.set_rules(rules.get());
  EXPECT_EQ(value(R"(vigie_mention_reach_total{brand="brand100"})"), 0);  // brands' series still at 0
  EXPECT_EQ(text().find("vigie_topic_mentions_total{"), std::string::npos);

  // outage applies to brand1 only: brand2's mention of it counts nothing.
  metrics_.count(std::vector{post({"brand1", "brand2"}, {"topic7", "outage"})},
                 std::vector{PostOutcome::inserted});
  EXPECT_EQ(value(R"(vigie_topic_mentions_total{brand="brand1",severity="info",topic="topic7"})"), 1);
  EXPECT_EQ(value(R"(vigie_topic_mentions_total{brand="brand2",severity="info",topic="topic7"})"), 1);
  EXPECT_EQ(value(R"(vigie_topic_mentions_total{brand="brand1",severity="warning",topic="outage"})"), 1);
  EXPECT_EQ(text().find(R"(brand="brand2",severity="warning",topic="outage")"), std::string::npos);
  EXPECT_EQ(text().find("topic8"), std::string::npos);

  // A reload that makes topic7 critical drops its series; the next mention makes the new one.
  std::string reloaded = yaml;
  reloaded.replace(reloaded.find("{id: topic7, query: word7}"), 26,
                   "{id: topic7, query: word7, severity: critical}");
  const auto after = rules_of(reloaded);
  metrics_.set_rules(after.get());
  EXPECT_EQ(text().find(R"(severity="info",topic="topic7")"), std::string::npos);
  EXPECT_EQ(value(R"(vigie_topic_mentions_total{brand="brand1",severity="warning",topic="outage"})"), 1);
  metrics_.count(std::vector{post({"brand1"}, {"topic7"})}, std::vector{PostOutcome::inserted});
  EXPECT_EQ(value(R"(vigie_topic_mentions_total{brand="brand1",severity="critical",topic="topic7"})"), 1);
}

TEST_F(BrandMetricsTest, AReloadRemovesTheSeriesOfBrandsAndTopicsItDrops) {
  const auto before = rules_of(kTwoBrands);
  metrics_.set_rules(before.get());
  metrics_.count(std::vector{post({"acme", "volta"}, {"fees", "outage"})},
                 std::vector{PostOutcome::inserted});
  metrics_.incident_event("volta", "opened");
  ASSERT_NE(text().find(R"(brand="volta")"), std::string::npos);

  // volta leaves, fees now applies to acme only and is critical, outage is gone.
  const auto after = rules_of(R"(
brands:
  - {id: acme, query: acme}
topics:
  - {id: fees, query: frais, severity: critical, brands: [acme]}
)");
  metrics_.set_rules(after.get());
  const std::string t = text();
  EXPECT_EQ(t.find("volta"), std::string::npos) << t;
  EXPECT_EQ(t.find("outage"), std::string::npos) << t;
  EXPECT_EQ(value(R"(vigie_topic_mentions_total{brand="acme",severity="critical",topic="fees"})"), 0);
  EXPECT_EQ(t.find(R"(severity="info",topic="fees")"), std::string::npos) << t;
  // acme's counters are kept: the reload did not restart the process.
  EXPECT_EQ(value(R"(vigie_mentions_total{brand="acme",platform="mastodon",sentiment="positive"})"), 1);

  // A post scored by the old rules, written after the reload, does not bring volta back.
  metrics_.count(std::vector{post({"volta"})}, std::vector{PostOutcome::inserted});
  EXPECT_EQ(text().find("volta"), std::string::npos);

  metrics_.set_rules(nullptr);  // no rules: no brand series at all
  EXPECT_EQ(text().find("brand="), std::string::npos);
}

TEST_F(BrandMetricsTest, PlatformsAreBounded) {
  const auto rules = rules_of(kTwoBrands);
  metrics_.set_rules(rules.get());
  std::vector<rules::ScoredPost> batch;
  for (std::size_t i = 0; i < BrandMetrics::kMaxPlatforms + 5; ++i)
    batch.push_back(post({"acme"}, {}, "p" + std::to_string(i)));
  batch.push_back(post({"acme"}, {}, "Not a platform!"));
  metrics_.count(batch, std::vector<PostOutcome>(batch.size(), PostOutcome::inserted));
  const std::string t = text();
  std::set<std::string> platforms;
  const std::regex re(R"re(vigie_mentions_total\{brand="acme",platform="([^"]*)")re");
  for (std::sregex_iterator it(t.begin(), t.end(), re), end; it != end; ++it)
    platforms.insert((*it)[1]);
  EXPECT_EQ(platforms.size(), BrandMetrics::kMaxPlatforms + 1);  // and "other"
  EXPECT_TRUE(platforms.contains("other"));
  EXPECT_EQ(value(R"(vigie_mentions_total{brand="acme",platform="other",sentiment="positive"})"), 6);
}

}  // namespace
}  // namespace vigie::daemon
