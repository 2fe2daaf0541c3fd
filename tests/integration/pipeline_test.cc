// The real daemon's pipeline: a replay source feeds posts through scoring into RocksDB; malformed lines are
// counted and skipped; the cursor survives a restart; rules reload on SIGHUP and on file change.
#include <gtest/gtest.h>
#include <signal.h>

#include <regex>
#include <thread>

#include "tests/support/daemon_process.h"

namespace vigie::testing {
namespace {

// The value of a metric line `name{labels} value` in /metrics, or -1.
double metric(std::uint16_t port, const std::string& series) {
  const auto r = http_get(port, "/metrics");
  const auto pos = r.body.find("\n" + series + " ");
  if (pos == std::string::npos) return -1;
  return std::stod(r.body.substr(pos + series.size() + 2));
}

// Polls until metric(series) == want or the timeout passes; returns the last value seen.
double await_metric(std::uint16_t port, const std::string& series, double want,
                    std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  double v = -1;
  while (std::chrono::steady_clock::now() < deadline) {
    v = metric(port, series);
    if (v == want) return v;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return v;
}

std::string feed(int n, int first = 0) {
  std::string out;
  for (int i = first; i < first + n; ++i) {
    out +=
        R"({"uid":"test:)" + std::to_string(i) +
        R"(","author":{"handle":"u","followers":10},"text":"Acme Bank est en panne, je suis très déçu","lang":"fr","created_at":"2026-11-20T10:00:)" +
        (i % 60 < 10 ? "0" : "") + std::to_string(i % 60) + "Z\"}\n";
  }
  return out;
}

constexpr const char* kRules = R"(brands:
  - id: acme
    name: Acme Bank
    query: '"acme bank"'
topics:
  - id: outage
    query: panne OR outage
    severity: warning
)";

std::string config(const TempDir& dir, const std::string& rules_file = "rules.yaml") {
  return dir.write("vigie.yaml",
                   "data_dir: data\nrules: " + rules_file +
                       "\nsources:\n  - {id: r, type: replay, path: feed.ndjson, speed: max}\n");
}

TEST(Pipeline, ReplayedPostsAreStoredOnceAcrossRestarts) {
  TempDir dir;
  dir.write("rules.yaml", kRules);
  std::string text = feed(300);
  text += "{not json\n";
  text += "{\"uid\":\"test:x\"}\n";  // no text
  text += feed(200, 300);
  dir.write("feed.ndjson", text);
  const std::string cfg = config(dir);
  {
    DaemonProcess d(cfg);
    ASSERT_NE(d.port(), 0);
    EXPECT_EQ(await_metric(d.port(), "vigie_pipeline_posts_stored_total", 500), 500);
    EXPECT_EQ(metric(d.port(), "vigie_source_posts_total{source=\"r\"}"), 500);
    EXPECT_EQ(metric(d.port(), "vigie_source_errors_total{kind=\"malformed\",source=\"r\"}"), 2);
    EXPECT_EQ(metric(d.port(), "vigie_pipeline_duplicates_total"), 0);
    const std::string log = d.log();
    EXPECT_NE(log.find("feed.ndjson line 301: invalid JSON"), std::string::npos) << log;
    EXPECT_NE(log.find("feed.ndjson line 302: missing 'text'"), std::string::npos) << log;
    d.signal(SIGTERM);
    ASSERT_EQ(d.wait(std::chrono::seconds(10)), 0);
  }
  {
    // The cursor was stored with the last batch: the restarted source resumes at the end and stores nothing.
    DaemonProcess d(cfg);
    ASSERT_NE(d.port(), 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    EXPECT_EQ(metric(d.port(), "vigie_source_posts_total{source=\"r\"}"), 0);
    EXPECT_NE(d.log().find("starting from cursor"), std::string::npos) << d.log();
    d.signal(SIGTERM);
    ASSERT_EQ(d.wait(std::chrono::seconds(10)), 0);
  }
  {
    // Without the cursor (a new source id over the same file) every post is a duplicate: nothing stored
    // twice.
    const std::string cfg2 = dir.write("vigie2.yaml",
                                       "data_dir: data\nrules: rules.yaml\nsources:\n  - {id: r2, type: "
                                       "replay, path: feed.ndjson, speed: max}\n");
    DaemonProcess d(cfg2);
    ASSERT_NE(d.port(), 0);
    EXPECT_EQ(await_metric(d.port(), "vigie_pipeline_duplicates_total", 500), 500);
    EXPECT_EQ(metric(d.port(), "vigie_pipeline_posts_stored_total"), 0);
  }
}

TEST(Pipeline, BrokenRulesStopStartupWithTheirLocation) {
  TempDir dir;
  dir.write("rules.yaml", "brands:\n  - id: acme\n    query: '(acme'\n");
  dir.write("feed.ndjson", feed(1));
  auto r = run_vigie({"run", "--config", config(dir)});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("rules.yaml:3:"), std::string::npos) << r.err;
  auto c = run_vigie({"check", "--config", config(dir)});
  EXPECT_EQ(c.exit_code, 2);
  EXPECT_NE(c.err.find("rules.yaml:3:"), std::string::npos) << c.err;
}

TEST(Pipeline, CheckSummarizesRulesAndSources) {
  TempDir dir;
  dir.write("rules.yaml", kRules);
  dir.write("feed.ndjson", feed(1));
  auto r = run_vigie({"check", "--config", config(dir)});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("ok: 1 brand, 1 topic, ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("; 1 source, 0 notifiers, 0 tokens"), std::string::npos) << r.out;
}

TEST(Pipeline, SourceConfigErrorsAreLocated) {
  TempDir dir;
  dir.write("feed.ndjson", feed(1));
  const std::string cfg = dir.write("vigie.yaml",
                                    "sources:\n  - {id: r, type: replay, path: feed.ndjson, speed: fast}\n"
                                    "  - {id: m, type: mastodonn}\n");
  auto r = run_vigie({"check", "--config", cfg});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, cfg + ":2:53: 'speed' in source \"r\": expected 1x, 60x, max, got 'fast'\n");
  const std::string cfg2 = dir.write("v2.yaml", "sources:\n  - {id: m, type: mastodonn}\n");
  r = run_vigie({"check", "--config", cfg2});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, cfg2 +
                       ":2:19: source \"m\": unknown type 'mastodonn' (known: feed, http_push, jetstream, "
                       "mastodon, ndjson_stream, replay)\n");
  const std::string cfg3 = dir.write("v3.yaml", "sources:\n  - {id: m, type: replay, path: absent.ndjson}\n");
  r = run_vigie({"check", "--config", cfg3});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(":2:33: source \"m\": no such file "), std::string::npos) << r.err;
}

TEST(Pipeline, SighupReloadsRulesAndBrokenFileKeepsOldOnes) {
  TempDir dir;
  dir.write("rules.yaml", kRules);
  dir.write("feed.ndjson", feed(1));
  DaemonProcess d(config(dir));
  ASSERT_NE(d.port(), 0);
  EXPECT_EQ(await_metric(d.port(), "vigie_rules_topics", 1), 1);
  EXPECT_EQ(await_metric(d.port(), "vigie_rules_dfa_fallbacks_total", 0), 0);

  dir.write("rules.yaml", std::string(kRules) + "  - id: fees\n    query: frais\n    severity: info\n");
  d.signal(SIGHUP);
  EXPECT_EQ(await_metric(d.port(), "vigie_rules_reload_total{outcome=\"success\"}", 1), 1);
  EXPECT_EQ(await_metric(d.port(), "vigie_rules_topics", 2), 2);
  EXPECT_NE(d.log().find("SIGHUP: rules reloaded"), std::string::npos);
  EXPECT_NE(d.log().find("(1 brands, 2 topics"), std::string::npos) << d.log();

  dir.write("rules.yaml", "brands:\n  - id: acme\n    query: 'acme AND'\n");
  d.signal(SIGHUP);
  EXPECT_EQ(await_metric(d.port(), "vigie_rules_reload_total{outcome=\"error\"}", 1), 1);
  EXPECT_NE(d.log().find("rules not reloaded, the previous rules stay in force: "), std::string::npos)
      << d.log();
  EXPECT_EQ(http_get(d.port(), "/healthz").status, 200u);
  d.signal(SIGTERM);
  EXPECT_EQ(d.wait(std::chrono::seconds(10)), 0);
}

// An empty rule file (a save cut short, a truncated copy) would stop all matching: a reload refuses a file
// without brands unless it says so with `brands: []`.
TEST(Pipeline, ReloadRefusesAFileWithoutBrandsUnlessItSaysSo) {
  TempDir dir;
  dir.write("rules.yaml", kRules);
  dir.write("feed.ndjson", feed(1));
  DaemonProcess d(config(dir));
  ASSERT_NE(d.port(), 0);
  EXPECT_EQ(await_metric(d.port(), "vigie_rules_brands", 1), 1);

  dir.write("rules.yaml", "");
  d.signal(SIGHUP);
  EXPECT_EQ(await_metric(d.port(), "vigie_rules_reload_total{outcome=\"error\"}", 1), 1);
  EXPECT_NE(d.log().find("rules not reloaded, the previous rules stay in force: " + dir.path().string() +
                         "/rules.yaml has no brands"),
            std::string::npos)
      << d.log();
  EXPECT_EQ(metric(d.port(), "vigie_rules_brands"), 1);

  dir.write("rules.yaml", "brands: []\n");
  d.signal(SIGHUP);
  EXPECT_EQ(await_metric(d.port(), "vigie_rules_reload_total{outcome=\"success\"}", 1), 1) << d.log();
  EXPECT_EQ(await_metric(d.port(), "vigie_rules_brands", 0), 0);
  d.signal(SIGTERM);
  EXPECT_EQ(d.wait(std::chrono::seconds(10)), 0);
}

TEST(Pipeline, RuleFileChangeOnDiskReloadsWithoutSignal) {
  TempDir dir;
  dir.write("rules.yaml", kRules);
  dir.write("feed.ndjson", feed(1));
  DaemonProcess d(config(dir));
  ASSERT_NE(d.port(), 0);
  // mtime resolution: make sure the new file's time differs from the old one's.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  dir.write("rules.yaml", std::string(kRules) + "  - id: fees\n    query: frais\n");
  EXPECT_EQ(
      await_metric(d.port(), "vigie_rules_reload_total{outcome=\"success\"}", 1, std::chrono::seconds(10)), 1)
      << d.log();
  EXPECT_NE(d.log().find("rule file changed: rules reloaded"), std::string::npos) << d.log();
}

}  // namespace
}  // namespace vigie::testing
