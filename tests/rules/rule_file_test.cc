#include "rules/rule_file.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "rules/rule_set.h"

namespace vigie::rules {
namespace {

// The error message of loading `yaml` as "rules.yaml", or "ok: <summary>".
std::string load(const std::string& yaml) {
  auto rs = RuleSet::load_string(yaml, "rules.yaml");
  if (!rs) return rs.error().message;
  return "ok: " + (*rs)->summary();
}

TEST(RuleFile, LoadsEverySection) {
  const std::string yaml = R"(# comment
brands:
  - id: acme
    name: ACME Corp
    query: 'acme OR "acme corp" OR #acme'
    languages: [FR, en]
    platforms: [Mastodon]
    exclude: acmeville
  - id: initech
    regex: '(?i)\binitech\b'
topics:
  - id: outage
    query: panne OR outage
    severity: critical
    brands: [acme]
  - id: praise
    query: bravo
sentiment:
  extra: { "panne": -2.5, remboursement: -1 }
  thresholds: { positive: 0.1, negative: -0.2 }
)";
  auto rs = RuleSet::load_string(yaml, "rules.yaml");
  ASSERT_TRUE(rs) << rs.error().message;
  const RuleSet& r = **rs;
  EXPECT_EQ(r.summary(), "2 brands, 2 topics, 8 patterns");
  EXPECT_EQ(r.brand_count(), 2u);
  EXPECT_EQ(r.topic_count(), 2u);
  EXPECT_EQ(r.brands()[0].name, "ACME Corp");
  EXPECT_EQ(r.brands()[0].languages, (std::vector<std::string>{"fr", "en"}));
  EXPECT_EQ(r.brands()[0].platforms, (std::vector<std::string>{"mastodon"}));
  EXPECT_TRUE(r.brands()[0].exclude.has_value());
  EXPECT_EQ(r.brands()[1].name, "initech");
  EXPECT_EQ(r.topics()[0].severity, Severity::critical);
  EXPECT_EQ(r.topics()[0].brands, (std::vector<std::string>{"acme"}));
  EXPECT_EQ(r.topics()[1].severity, Severity::info);
  ASSERT_EQ(r.sentiment().extra.size(), 2u);
  EXPECT_EQ(r.sentiment().extra[0].first, "panne");
  EXPECT_FLOAT_EQ(r.sentiment().extra[0].second, -2.5f);
  EXPECT_FLOAT_EQ(r.sentiment().positive_threshold, 0.1f);
  EXPECT_FLOAT_EQ(r.sentiment().negative_threshold, -0.2f);

  ingest::Post p;
  p.platform = "mastodon";
  p.text = "Grosse panne chez #ACME";
  MatchScratch scratch;
  std::vector<Match> out;
  r.match(p, "fr", scratch, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].rule, "acme");
  EXPECT_EQ(out[1].rule, "outage");
  EXPECT_EQ(out[1].severity, Severity::critical);
}

TEST(RuleFile, EmptyFileIsAnEmptyRuleSet) {
  EXPECT_EQ(load(""), "ok: 0 brands, 0 topics, 0 patterns");
  EXPECT_EQ(load("brands:\ntopics:\n"), "ok: 0 brands, 0 topics, 0 patterns");
}

TEST(RuleFile, LoadFile) {
  const std::string path = std::string(VIGIE_BINARY_DIR) + "/rule_file_test.yaml";
  {
    std::ofstream f(path);
    f << "brands:\n  - id: acme\n    query: acme)\n";
  }
  auto rs = RuleSet::load_file(path);
  ASSERT_FALSE(rs);
  EXPECT_EQ(rs.error().message, path + ":3:16: unbalanced ')' in query of brand \"acme\"");
  std::remove(path.c_str());
  auto missing = RuleSet::load_file(path);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, path + ": cannot open rule file");
}

// Query errors point inside the scalar, whatever its style.
TEST(RuleFile, QueryErrorLocations) {
  EXPECT_EQ(load("brands:\n  - id: acme\n    query: 'acme foo:bar'\n"),
            "rules.yaml:3:18: unknown field 'foo:' (known: lang, platform, author, followers, kind); quote "
            "\"foo:bar\" to search for the text in query of brand \"acme\"");
  EXPECT_EQ(load("brands:\n  - id: acme\n    query: acme OR (x y))\n"),
            "rules.yaml:3:25: unbalanced ')' in query of brand \"acme\"");
  EXPECT_EQ(load("brands:\n  - id: acme\n    query: \"acme \\\"x\\\" (y\"\n"),
            "rules.yaml:3:24: unbalanced '(' in query of brand \"acme\"");
  EXPECT_EQ(load("brands:\n  - id: acme\n    query: \"\\u00e9t\\xe9 OR\"\n"),
            "rules.yaml:3:25: missing term after 'OR' in query of brand \"acme\"");
  EXPECT_EQ(load("brands:\n  - id: acme\n    query: 'l''acme OR'\n"),
            "rules.yaml:3:21: missing term after 'OR' in query of brand \"acme\"");
  EXPECT_EQ(load("brands:\n  - id: acme\n    query: |\n      acme OR\n      (x\n"),
            "rules.yaml:5:7: unbalanced '(' in query of brand \"acme\"");
  EXPECT_EQ(load("brands:\n  - id: acme\n    query: acme OR\n      (x\n"),
            "rules.yaml:4:7: unbalanced '(' in query of brand \"acme\"");
  EXPECT_EQ(load("brands:\n  - {id: acme, query: \"acme\", exclude: \"x NEAR y\"}\n"),
            "rules.yaml:2:43: 'NEAR' needs a distance, e.g. NEAR/5 in exclude of brand \"acme\"");
  EXPECT_EQ(load("brands:\n  - id: a\n    query: a\ntopics:\n  - id: t\n    query: boy*cott\n"),
            "rules.yaml:6:15: '*' is only allowed at the end of a term in query of topic \"t\"");
  // Columns count bytes, like the rest of the file position.
  EXPECT_EQ(load("brands:\n  - id: acme\n    query: déçu )\n"),
            "rules.yaml:3:19: unbalanced ')' in query of brand \"acme\"");
}

TEST(RuleFile, RegexErrors) {
  EXPECT_EQ(load("brands:\n  - id: acme\n    regex: 'acme(x'\n"),
            "rules.yaml:3:13: invalid regex in brand \"acme\": missing ): acme(x");
  EXPECT_EQ(load("topics:\n  - id: t\n    regex: 'ok a**'\n"),
            "rules.yaml:3:17: invalid regex in topic \"t\": bad repetition operator: **");
}

TEST(RuleFile, StructureErrors) {
  EXPECT_EQ(load("brands: [\n"), "rules.yaml:2:1: end of sequence flow not found");
  EXPECT_EQ(
      load("- a\n"),
      "rules.yaml:1:1: a rule file is a mapping with the sections brands, topics, sentiment, detection");
  EXPECT_EQ(load("brand:\n  - id: a\n"),
            "rules.yaml:1:1: unknown key 'brand' (expected brands, topics, sentiment, detection)");
  EXPECT_EQ(load("brands: []\nbrands: []\n"), "rules.yaml:2:1: duplicate key 'brands'");
  EXPECT_EQ(load("brands: acme\n"), "rules.yaml:1:9: 'brands' must be a list");
  EXPECT_EQ(load("topics: {a: 1}\n"), "rules.yaml:1:9: 'topics' must be a list");
  EXPECT_EQ(load("brands:\n  - acme\n"), "rules.yaml:2:5: each brand must be a mapping with an 'id'");
  EXPECT_EQ(load("brands:\n  - query: acme\n"), "rules.yaml:2:5: brand has no 'id'");
  EXPECT_EQ(load("brands:\n  - id: [a]\n    query: a\n"),
            "rules.yaml:2:9: 'id' of a brand must be a non-empty string");
  EXPECT_EQ(load("brands:\n  - id:\n    query: a\n"),
            "rules.yaml:2:5: 'id' of a brand must be a non-empty string");
  EXPECT_EQ(load("brands:\n  - id: a\n    query: a\n  - id: a\n    query: b\n"),
            "rules.yaml:4:9: duplicate brand id \"a\"");
  EXPECT_EQ(
      load("brands:\n  - id: acme\n    querry: acme\n"),
      "rules.yaml:3:5: unknown key 'querry' in brand \"acme\" (expected id, name, query, regex, languages, "
      "platforms, exclude, detection)");
  EXPECT_EQ(load("brands:\n  - id: acme\n    query: a\n    query: b\n"),
            "rules.yaml:4:5: duplicate key 'query' in brand \"acme\"");
  EXPECT_EQ(load("brands:\n  - id: acme\n    name: acme\n"),
            "rules.yaml:2:5: brand \"acme\" needs a 'query' or a 'regex'");
  EXPECT_EQ(load("brands:\n  - id: acme\n    query: a\n    regex: b\n"),
            "rules.yaml:4:12: brand \"acme\" has both 'query' and 'regex'");
  EXPECT_EQ(load("brands:\n  - id: acme\n    query:\n"),
            "rules.yaml:3:5: 'query' of brand \"acme\" is empty");
  EXPECT_EQ(load("brands:\n  - id: acme\n    query: [a, b]\n"),
            "rules.yaml:3:12: 'query' of brand \"acme\" must be a string");
  EXPECT_EQ(load("brands:\n  - id: acme\n    query: a\n    languages: fr\n"),
            "rules.yaml:4:16: 'languages' of brand \"acme\" must be a list of strings");
  EXPECT_EQ(load("brands:\n  - id: acme\n    query: a\n    platforms: [x, [y]]\n"),
            "rules.yaml:4:20: 'platforms' of brand \"acme\" must be a list of strings");
  EXPECT_EQ(load("brands:\n  - id: acme\n    query: a\n    name: {x: 1}\n"),
            "rules.yaml:4:11: 'name' must be a string");
  EXPECT_EQ(load("topics:\n  - id: t\n    query: a\n    severity: high\n"),
            "rules.yaml:4:15: invalid severity 'high' in topic \"t\" (expected info, warning or critical)");
  EXPECT_EQ(load("brands:\n  - id: acme\n    query: a\ntopics:\n  - id: t\n    query: a\n    brands: [acme, "
                 "globex]\n"),
            "rules.yaml:7:20: unknown brand \"globex\" in topic \"t\"");
  EXPECT_EQ(
      load("topics:\n  - id: t\n    query: a\n    color: red\n"),
      "rules.yaml:4:5: unknown key 'color' in topic \"t\" (expected id, query, regex, severity, brands)");
  EXPECT_EQ(load("topics:\n  - id: t\n    query: a\n  - id: t\n    query: b\n"),
            "rules.yaml:4:9: duplicate topic id \"t\"");
}

TEST(RuleFile, SentimentErrors) {
  EXPECT_EQ(load("sentiment: 3\n"), "rules.yaml:1:12: 'sentiment' must be a mapping");
  EXPECT_EQ(
      load("sentiment:\n  extras: {}\n"),
      "rules.yaml:2:3: unknown key 'extras' in sentiment (expected extra, thresholds, default_language)");
  EXPECT_EQ(
      load("sentiment:\n  default_language: de\n"),
      "rules.yaml:2:21: sentiment default_language must be \"en\" or \"fr\" (the languages with a lexicon), "
      "not \"de\"");
  EXPECT_EQ(load("sentiment:\n  extra: [panne]\n"),
            "rules.yaml:2:10: 'extra' of sentiment must be a mapping of term to valence");
  EXPECT_EQ(load("sentiment:\n  extra: {panne: bad}\n"),
            "rules.yaml:2:18: valence of \"panne\" must be a number");
  EXPECT_EQ(load("sentiment:\n  extra: {panne: -5}\n"),
            "rules.yaml:2:18: valence of \"panne\" must be between -4 and 4");
  EXPECT_EQ(load("sentiment:\n  thresholds: {positive: 0.1, neutral: 0}\n"),
            "rules.yaml:2:31: unknown key 'neutral' in sentiment thresholds (expected positive, negative)");
  EXPECT_EQ(load("sentiment:\n  thresholds: {positive: x}\n"),
            "rules.yaml:2:26: threshold 'positive' must be a number");
  EXPECT_EQ(load("sentiment:\n  thresholds: {positive: -0.5, negative: 0.5}\n"),
            "rules.yaml:2:15: sentiment threshold 'negative' must not be above 'positive'");
}

TEST(RuleFile, ScalarSourceOffset) {
  // plain
  EXPECT_EQ(scalar_source_offset("k: abc", 3, "abc", 2), 5u);
  // double-quoted with escapes: value "a\"b" -> source "a\"b"
  const std::string dq = "k: \"a\\\"b\\u00e9c\"";
  EXPECT_EQ(scalar_source_offset(dq, 3,
                                 "a\"b\xC3\xA9"
                                 "c",
                                 2),
            7u);  // 'b'
  EXPECT_EQ(scalar_source_offset(dq, 3,
                                 "a\"b\xC3\xA9"
                                 "c",
                                 5),
            14u);  // 'c' after the \u escape
  // single-quoted with a doubled quote
  EXPECT_EQ(scalar_source_offset("k: 'l''x'", 3, "l'x", 2), 7u);
}

// ---- detection options ---------------------------------------------------------------------------------------

constexpr Micros kMinute = 60 * kMicrosPerSecond;
constexpr Micros kHour = 60 * kMinute;
constexpr Micros kDay = 24 * kHour;

std::shared_ptr<const RuleSet> load_ok(const std::string& yaml) {
  auto rs = RuleSet::load_string(yaml, "rules.yaml");
  EXPECT_TRUE(rs) << rs.error().message;
  return rs ? *rs : nullptr;
}

TEST(RuleFileDetection, DefaultsWithoutASection) {
  auto rs = load_ok("brands:\n  - {id: acme, query: acme}\n");
  ASSERT_TRUE(rs);
  const DetectionOptions& o = rs->detection("acme");
  EXPECT_EQ(&o, &rs->detection("no-such-brand"));
  EXPECT_FALSE(rs->brands()[0].detection.has_value());
  EXPECT_TRUE(o.volume_enabled);
  EXPECT_TRUE(o.negative_volume_enabled);
  EXPECT_TRUE(o.sentiment_drop_enabled);
  EXPECT_TRUE(o.post_triggers.critical_keyword_enabled);
  EXPECT_TRUE(o.post_triggers.influencer_enabled);
  EXPECT_EQ(o.volume.p_fire, 1e-4);
  EXPECT_EQ(o.volume.subject, "mentions");
  EXPECT_EQ(o.negative_volume.subject, "negative mentions");
  EXPECT_EQ(o.negative_volume.p_fire, 1e-4);
  EXPECT_EQ(o.sentiment_drop.window_buckets, 6);
  EXPECT_EQ(o.sentiment_drop.drop, 0.3);
  EXPECT_EQ(o.post_triggers.followers, 100'000);
  EXPECT_EQ(o.quiet_period, 30 * kMinute);
  EXPECT_EQ(o.repeat_interval, 4 * kHour);
}

TEST(RuleFileDetection, TopLevelSectionSetsEveryKey) {
  auto rs = load_ok(R"(
detection:
  volume: { enabled: false, window: 1h, p_fire: 1e-5, p_critical: 1e-8, min_count: 12, min_ratio: 2,
            critical_ratio: 6, warmup: 2d, half_life: 12h, weekly_after: 28d }
  negative_volume: { enabled: true, min_count: 5 }
  sentiment_drop: { enabled: true, window: 20m, drop: 0.25, critical_drop: 0.5, min_volume: 30, warmup: 4d,
                    half_life: 2d }
  critical_keyword: { enabled: false }
  influencer: { enabled: true, followers: 50000, critical_followers: 2000000 }
  quiet_period: 45m
  repeat_interval: 90s
brands:
  - {id: acme, query: acme}
)");
  ASSERT_TRUE(rs);
  const DetectionOptions& o = rs->detection("acme");
  EXPECT_FALSE(o.volume_enabled);
  EXPECT_EQ(o.volume.window_buckets, 12);
  EXPECT_EQ(o.volume.p_fire, 1e-5);
  EXPECT_EQ(o.volume.p_critical, 1e-8);
  EXPECT_EQ(o.volume.min_count, 12);
  EXPECT_EQ(o.volume.min_ratio, 2);
  EXPECT_EQ(o.volume.critical_ratio, 6);
  EXPECT_EQ(o.volume.warmup, 2 * kDay);
  EXPECT_EQ(o.volume.half_life, 12 * kHour);
  EXPECT_EQ(o.volume.weekly_after, 28 * kDay);
  // negative_volume: volume's values, but its own switch and what it sets.
  EXPECT_TRUE(o.negative_volume_enabled);
  EXPECT_EQ(o.negative_volume.min_count, 5);
  EXPECT_EQ(o.negative_volume.p_fire, 1e-5);
  EXPECT_EQ(o.negative_volume.window_buckets, 12);
  EXPECT_EQ(o.negative_volume.subject, "negative mentions");
  EXPECT_EQ(o.sentiment_drop.window_buckets, 4);
  EXPECT_EQ(o.sentiment_drop.drop, 0.25);
  EXPECT_EQ(o.sentiment_drop.critical_drop, 0.5);
  EXPECT_EQ(o.sentiment_drop.min_volume, 30);
  EXPECT_EQ(o.sentiment_drop.warmup, 4 * kDay);
  EXPECT_EQ(o.sentiment_drop.half_life, 2 * kDay);
  EXPECT_FALSE(o.post_triggers.critical_keyword_enabled);
  EXPECT_TRUE(o.post_triggers.influencer_enabled);
  EXPECT_EQ(o.post_triggers.followers, 50'000);
  EXPECT_EQ(o.post_triggers.critical_followers, 2'000'000);
  EXPECT_EQ(o.quiet_period, 45 * kMinute);
  EXPECT_EQ(o.repeat_interval, 90 * kMicrosPerSecond);
}

// The rule file reads durations with the config's grammar: decimals and milliseconds too.
TEST(RuleFileDetection, DurationsTakeTheConfigGrammar) {
  auto rs = load_ok(
      "detection:\n  quiet_period: 1.5h\n  repeat_interval: 90000ms\nbrands:\n  - {id: acme, query: acme}\n");
  ASSERT_TRUE(rs);
  EXPECT_EQ(rs->detection("acme").quiet_period, 90 * kMinute);
  EXPECT_EQ(rs->detection("acme").repeat_interval, 90 * kMicrosPerSecond);
  // A window is still a whole number of 5-minute buckets, however it is written.
  auto w = load_ok("detection:\n  sentiment_drop: {window: 0.5h}\nbrands:\n  - {id: acme, query: acme}\n");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->detection("acme").sentiment_drop.window_buckets, 6);
}

TEST(RuleFileDetection, BrandOverridesMergeKeyByKey) {
  // The brands come first in the file: overrides are merged whatever the order of the sections.
  auto rs = load_ok(R"(
brands:
  - id: acme
    query: acme
    detection:
      volume: { p_fire: 1e-6 }
      negative_volume: { enabled: false }
      sentiment_drop: { drop: 0.4 }
      influencer: { enabled: false }
      repeat_interval: 1h
  - {id: globex, query: globex}
detection:
  volume: { p_fire: 1e-5, min_count: 20 }
  negative_volume: { min_count: 5 }
  sentiment_drop: { drop: 0.35, critical_drop: 0.7 }
  quiet_period: 1h
)");
  ASSERT_TRUE(rs);
  const DetectionOptions& acme = rs->detection("acme");
  ASSERT_TRUE(rs->brands()[0].detection.has_value());
  EXPECT_FALSE(rs->brands()[1].detection.has_value());
  EXPECT_EQ(acme.volume.p_fire, 1e-6);
  EXPECT_EQ(acme.volume.min_count, 20);
  EXPECT_TRUE(acme.volume_enabled);
  EXPECT_FALSE(acme.negative_volume_enabled);
  EXPECT_EQ(acme.negative_volume.p_fire, 1e-6);  // the brand's volume, merged
  EXPECT_EQ(acme.negative_volume.min_count, 5);  // negative_volume's own key wins at any level
  EXPECT_EQ(acme.sentiment_drop.drop, 0.4);
  EXPECT_EQ(acme.sentiment_drop.critical_drop, 0.7);
  EXPECT_FALSE(acme.post_triggers.influencer_enabled);
  EXPECT_TRUE(acme.post_triggers.critical_keyword_enabled);
  EXPECT_EQ(acme.quiet_period, kHour);
  EXPECT_EQ(acme.repeat_interval, kHour);

  const DetectionOptions& globex = rs->detection("globex");
  EXPECT_EQ(globex.volume.p_fire, 1e-5);
  EXPECT_EQ(globex.negative_volume.p_fire, 1e-5);
  EXPECT_EQ(globex.negative_volume.min_count, 5);
  EXPECT_TRUE(globex.negative_volume_enabled);
  EXPECT_EQ(globex.sentiment_drop.drop, 0.35);
  EXPECT_TRUE(globex.post_triggers.influencer_enabled);
  EXPECT_EQ(globex.repeat_interval, 4 * kHour);
  EXPECT_EQ(globex.quiet_period, kHour);
}

TEST(RuleFileDetection, ErrorsAreLocated) {
  EXPECT_EQ(load("detection: 3\n"), "rules.yaml:1:12: 'detection' must be a mapping");
  EXPECT_EQ(
      load("detection:\n  volumes: {}\n"),
      "rules.yaml:2:3: unknown key 'volumes' in detection (expected volume, negative_volume, sentiment_drop, "
      "critical_keyword, influencer, quiet_period, repeat_interval)");
  EXPECT_EQ(load("detection:\n  volume: {p_fire: 1e-4, pfire: 2}\n"),
            "rules.yaml:2:26: unknown key 'pfire' in detection.volume (expected enabled, window, p_fire, "
            "p_critical, min_count, min_ratio, critical_ratio, warmup, half_life, weekly_after)");
  EXPECT_EQ(load("detection:\n  volume: [1]\n"), "rules.yaml:2:11: 'detection.volume' must be a mapping");
  EXPECT_EQ(load("detection:\n  volume: {p_fire: abc}\n"),
            "rules.yaml:2:20: 'p_fire' of detection.volume must be a number");
  EXPECT_EQ(load("detection:\n  volume: {p_fire: 1}\n"),
            "rules.yaml:2:20: 'p_fire' of detection.volume must be between 0 and 1, exclusive");
  EXPECT_EQ(load("detection:\n  volume: {p_critical: 1e-3}\n"),
            "rules.yaml:2:11: 'p_critical' of detection.volume must not be above 'p_fire'");
  EXPECT_EQ(load("detection:\n  volume: {min_count: 1.5}\n"),
            "rules.yaml:2:23: 'min_count' of detection.volume must be a whole number of at least 1");
  EXPECT_EQ(load("detection:\n  volume: {min_ratio: -1}\n"),
            "rules.yaml:2:23: 'min_ratio' of detection.volume must not be negative");
  EXPECT_EQ(load("detection:\n  volume: {enabled: yes}\n"),
            "rules.yaml:2:21: 'enabled' of detection.volume must be true or false");
  EXPECT_EQ(load("detection:\n  volume: {half_life: 1m}\n"),
            "rules.yaml:2:23: 'half_life' of detection.volume must be at least 5m");
  EXPECT_EQ(load("detection:\n  sentiment_drop: {window: 7m}\n"),
            "rules.yaml:2:28: 'window' of detection.sentiment_drop must be a multiple of 5m, at most 24h");
  EXPECT_EQ(load("detection:\n  sentiment_drop: {window: 25h}\n"),
            "rules.yaml:2:28: 'window' of detection.sentiment_drop must be a multiple of 5m, at most 24h");
  EXPECT_EQ(load("detection:\n  sentiment_drop: {drop: 0}\n"),
            "rules.yaml:2:26: 'drop' of detection.sentiment_drop must be above 0 and at most 2");
  EXPECT_EQ(load("detection:\n  sentiment_drop: {drop: 0.5, critical_drop: 0.4}\n"),
            "rules.yaml:2:19: 'critical_drop' of detection.sentiment_drop must not be below 'drop'");
  EXPECT_EQ(load("detection:\n  influencer: {critical_followers: 1000}\n"),
            "rules.yaml:2:15: 'critical_followers' of detection.influencer must not be below 'followers'");
  EXPECT_EQ(load("detection:\n  critical_keyword: {enabled: true, on: 1}\n"),
            "rules.yaml:2:37: unknown key 'on' in detection.critical_keyword (expected enabled)");
  for (const char* bad : {"30", "5x", "-5m", "0s", "0.1ms", "1.5", "m", "400d", "1e3s"}) {
    EXPECT_EQ(
        load(std::string("detection:\n  quiet_period: ") + bad + "\n"),
        "rules.yaml:2:17: 'quiet_period' of detection must be a positive duration like 30s, 5m, 4h or 3d "
        "(at most a year)")
        << bad;
  }
  EXPECT_EQ(load("detection:\n  repeat_interval:\n"),
            "rules.yaml:2:3: 'repeat_interval' of detection is empty");
  EXPECT_EQ(load("detection:\n  quiet_period: [1m]\n"),
            "rules.yaml:2:17: 'quiet_period' of detection must be a positive duration like 30s, 5m, 4h or 3d "
            "(at most a year)");
}

TEST(RuleFileDetection, BrandErrorsNameTheBrand) {
  EXPECT_EQ(load("brands:\n  - id: acme\n    query: a\n    detection: on\n"),
            "rules.yaml:4:16: 'detection' of brand \"acme\" must be a mapping");
  EXPECT_EQ(
      load("brands:\n  - id: acme\n    query: a\n    detection:\n      influencer: {follower: 3}\n"),
      "rules.yaml:5:20: unknown key 'follower' in brand \"acme\" detection.influencer (expected enabled, "
      "followers, critical_followers)");
  // Valid on each level, invalid once merged: reported at the brand's section.
  EXPECT_EQ(
      load("detection:\n  volume: {p_fire: 1e-3, p_critical: 1e-4}\nbrands:\n  - id: acme\n    query: a\n"
           "    detection:\n      volume: {p_fire: 1e-5}\n"),
      "rules.yaml:7:15: 'p_critical' of brand \"acme\" detection.volume must not be above 'p_fire'");
  EXPECT_EQ(load("detection:\n  negative_volume: {p_critical: 1e-3}\n"),
            "rules.yaml:2:20: 'p_critical' of detection.negative_volume must not be above 'p_fire'");
  // An empty brand section changes nothing.
  auto rs = load_ok("brands:\n  - id: acme\n    query: a\n    detection:\n");
  ASSERT_TRUE(rs);
  EXPECT_FALSE(rs->brands()[0].detection.has_value());
}

}  // namespace
}  // namespace vigie::rules
