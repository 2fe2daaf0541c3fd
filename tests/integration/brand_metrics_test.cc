// The brand metrics of the real daemon: posts pushed over HTTP count once each in /metrics (a duplicate or an
// edit adds nothing), a reload that drops a brand removes its series, and the open-incidents gauge is right
// after a restart (incidents come from storage) while the event counters start again from 0.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json/parse.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include "tests/support/daemon_process.h"
#include "tests/support/wait_until.h"

namespace vigie::testing {
namespace {

constexpr const char* kToken = "brand-metrics-token-0123456789";

const std::vector<std::pair<std::string, std::string>>& auth() {
  static const std::vector<std::pair<std::string, std::string>> h{
      {"Authorization", std::string("Bearer ") + kToken}};
  return h;
}

// Every sample of a scrape, "name{labels}" -> value.
std::map<std::string, double> samples(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto sp = line.rfind(' ');
    out[line.substr(0, sp)] = std::stod(line.substr(sp + 1));
  }
  return out;
}

std::map<std::string, double> scrape(std::uint16_t port) {
  const HttpResult r = http_get(port, "/metrics");
  EXPECT_EQ(r.status, 200u);
  return samples(r.body);
}

// The sum of the samples of `name` whose labels contain every one of `labels` (e.g. brand="acme").
double sum(const std::map<std::string, double>& s, const std::string& name,
           const std::vector<std::string>& labels = {}) {
  double total = 0;
  for (const auto& [series, v] : s) {
    if (series.compare(0, name.size() + 1, name + "{") != 0 && series != name) continue;
    bool all = true;
    for (const auto& l : labels)
      all = all && series.find(l) != std::string::npos;
    if (all) total += v;
  }
  return total;
}

// The brand metric families only, as text: what must not move when nothing new is stored.
std::string brand_series(std::uint16_t port) {
  std::string out;
  for (const auto& [series, v] : scrape(port)) {
    if (series.find("brand=") != std::string::npos &&
        series.find("vigie_incidents_open") == std::string::npos)
      out += series + " " + std::to_string(v) + "\n";
  }
  return out;
}

// How often a wait scrapes /metrics: a scrape renders every family, too much work for the default 5 ms poll.
constexpr std::chrono::milliseconds kScrapeEvery{50};

HttpResult push(std::uint16_t port, const std::string& ndjson) {
  std::vector<std::pair<std::string, std::string>> h = auth();
  h.emplace_back("Content-Type", "application/x-ndjson");
  return http_request(port, http::verb::post, "/api/v1/posts", ndjson, h);
}

constexpr const char* kRules = R"(brands:
  - {id: acme, name: Acme Bank, query: '"acme bank"'}
  - {id: volta, query: volta}
topics:
  - {id: outage, query: 'outage OR panne', severity: warning, brands: [acme]}
  - {id: fees, query: 'fees OR frais', severity: info}
)";

const char* kPosts =
    R"({"uid":"mastodon:1","author":{"handle":"ana","followers":1200},"text":"I love Acme Bank, their app is great and the staff are wonderful!","lang":"en","created_at":"2026-11-22T14:05:00Z"}
{"uid":"x:2","author":{"handle":"bob","followers":300},"text":"Acme Bank outage again, terrible, I hate this","lang":"en","created_at":"2026-11-22T14:06:00Z"}
{"uid":"bluesky:3","author":"carol","text":"Acme Bank and Volta both raised their fees","lang":"en","created_at":"2026-11-22T14:07:00Z"}
{"uid":"mastodon:4","author":{"handle":"dan","followers":50},"text":"Volta scooter delivered today","lang":"en","created_at":"2026-11-22T14:08:00Z"}
{"uid":"mastodon:5","author":{"handle":"eve","followers":7},"text":"Nothing about any brand here","lang":"en","created_at":"2026-11-22T14:09:00Z"}
)";

std::string push_config(const TempDir& dir) {
  dir.write("rules.yaml", kRules);
  return dir.write("vigie.yaml", std::string("data_dir: data\nrules: rules.yaml\n") +
                                     "sources:\n  - {id: push, type: http_push}\n" +
                                     "auth:\n  tokens:\n    - {name: t, token: " + kToken +
                                     ", roles: [admin]}\n");
}

TEST(BrandMetrics, PushedPostsCountOnceAndAReloadDropsARemovedBrand) {
  TempDir dir;
  DaemonProcess d(push_config(dir));
  ASSERT_NE(d.port(), 0) << d.log();

  // Before any post, every brand's series exist at 0 (a dashboard shows the brand).
  auto s = scrape(d.port());
  EXPECT_EQ(s.at(R"(vigie_mention_reach_total{brand="volta"})"), 0);
  EXPECT_EQ(s.at(R"(vigie_topic_mentions_total{brand="acme",severity="warning",topic="outage"})"), 0);

  const HttpResult first = push(d.port(), kPosts);
  ASSERT_EQ(first.status, 202u) << first.body;
  EXPECT_NE(first.body.find(R"("accepted":5,"duplicates":0)"), std::string::npos) << first.body;

  // The answer comes once the posts are durable, and they are counted by then.
  s = scrape(d.port());
  EXPECT_EQ(sum(s, "vigie_mentions_total", {R"(brand="acme")"}), 3);
  EXPECT_EQ(sum(s, "vigie_mentions_total", {R"(brand="volta")"}), 2);
  EXPECT_EQ(sum(s, "vigie_mentions_total"), 5);  // the post without a brand is no mention
  EXPECT_EQ(sum(s, "vigie_mentions_total",
                {R"(brand="acme")", R"(platform="mastodon")", R"(sentiment="positive")"}),
            1);
  EXPECT_EQ(sum(s, "vigie_mentions_total", {R"(brand="acme")", R"(platform="x")", R"(sentiment="negative")"}),
            1);
  EXPECT_EQ(sum(s, "vigie_mentions_total", {R"(platform="bluesky")"}), 2);
  EXPECT_EQ(s.at(R"(vigie_mention_reach_total{brand="acme"})"), 1500);  // carol's followers are unknown: 0
  EXPECT_EQ(s.at(R"(vigie_mention_reach_total{brand="volta"})"), 50);
  EXPECT_EQ(s.at(R"(vigie_sentiment_compound_count{brand="acme"})"), 3);
  EXPECT_GT(s.at(R"(vigie_sentiment_compound_bucket{brand="acme",le="1"})"),
            s.at(R"(vigie_sentiment_compound_bucket{brand="acme",le="0.05"})"));
  EXPECT_EQ(s.at(R"(vigie_topic_mentions_total{brand="acme",severity="warning",topic="outage"})"), 1);
  EXPECT_EQ(s.at(R"(vigie_topic_mentions_total{brand="acme",severity="info",topic="fees"})"), 1);
  EXPECT_EQ(s.at(R"(vigie_topic_mentions_total{brand="volta",severity="info",topic="fees"})"), 1);
  EXPECT_EQ(s.count(R"(vigie_topic_mentions_total{brand="volta",severity="warning",topic="outage"})"), 0u);
  for (const auto& [series, v] : s) {
    EXPECT_EQ(series.find("ana"), std::string::npos) << "an author in a label: " << series;
    EXPECT_EQ(series.find("mastodon:1"), std::string::npos) << "a post id in a label: " << series;
  }

  // The same posts again (a client retrying, a replay) and an edit of a stored one: stored once, counted once.
  const std::string before = brand_series(d.port());
  const HttpResult again = push(d.port(), kPosts);
  ASSERT_EQ(again.status, 202u) << again.body;
  EXPECT_NE(again.body.find(R"("accepted":0,"duplicates":5)"), std::string::npos) << again.body;
  const HttpResult edit = push(
      d.port(),
      R"({"uid":"x:2","kind":"edit","author":{"handle":"bob","followers":300},"text":"Acme Bank is back, thanks","lang":"en"})"
      "\n");
  ASSERT_EQ(edit.status, 202u) << edit.body;
  EXPECT_EQ(brand_series(d.port()), before);

  // A reload without volta: its series leave /metrics, acme's keep their counts.
  dir.write("rules.yaml", "brands:\n  - {id: acme, name: Acme Bank, query: '\"acme bank\"'}\n");
  d.signal(SIGHUP);
  ASSERT_TRUE(
      wait_until([&] { return scrape(d.port())[R"(vigie_rules_reload_total{outcome="success"})"] == 1; },
                 std::chrono::seconds(10), kScrapeEvery))
      << d.log();
  const HttpResult text = http_get(d.port(), "/metrics");
  EXPECT_EQ(text.body.find(R"(brand="volta")"), std::string::npos) << text.body;
  EXPECT_EQ(text.body.find(R"(topic="fees")"), std::string::npos) << text.body;
  s = samples(text.body);
  EXPECT_EQ(sum(s, "vigie_mentions_total", {R"(brand="acme")"}), 3);
  EXPECT_EQ(s.at("vigie_rules_last_reload_successful"), 1);

  // A broken file keeps the old rules and says so.
  dir.write("rules.yaml", "brands:\n  - {id: acme, query: 'acme AND'}\n");
  d.signal(SIGHUP);
  EXPECT_TRUE(wait_until([&] { return scrape(d.port())["vigie_rules_last_reload_successful"] == 0; },
                         std::chrono::seconds(10), kScrapeEvery));

  // Every line of this scrape, brand series included, passes promtool's lint.
  const std::string path = dir.write("metrics.txt", http_get(d.port(), "/metrics").body);
  const std::string cmd = "promtool check metrics < " + path + " > " + dir.file("promtool.out") + " 2>&1";
  const int rc = std::system(cmd.c_str());
  std::ifstream out(dir.file("promtool.out"));
  const std::string report((std::istreambuf_iterator<char>(out)), {});
  EXPECT_EQ(rc, 0) << report;
  EXPECT_EQ(report, "") << "promtool lint findings";
}

std::string demo(const std::string& name) {
  return std::string(VIGIE_SOURCE_DIR) + "/deploy/demo/" + name;
}

// The bundled demo at full speed: its Acme Bank outage opens one incident, which stays open (event time
// follows the wall clock only after crisis.idle_timeout, 5 minutes by default).
TEST(BrandMetrics, OpenIncidentsAreRightAfterARestart) {
  TempDir dir;
  std::filesystem::copy_file(demo("rules.yaml"), dir.file("rules.yaml"));
  const std::string cfg =
      dir.write("vigie.yaml", std::string("data_dir: data\nrules: rules.yaml\n") +
                                  "sources:\n  - {id: demo, type: replay, path: " + demo("feed.ndjson") +
                                  ", speed: max}\n" + "auth:\n  tokens:\n    - {name: t, token: " + kToken +
                                  ", roles: [admin]}\n");
  std::string id;
  {
    DaemonProcess d(cfg);
    ASSERT_NE(d.port(), 0) << d.log();
    ASSERT_TRUE(
        wait_until([&] { return sum(scrape(d.port()), "vigie_incidents_open", {R"(brand="acme")"}) == 1; },
                   std::chrono::seconds(60), kScrapeEvery))
        << d.log();
    const auto s = scrape(d.port());
    EXPECT_EQ(s.at(R"(vigie_incident_events_total{brand="acme",event="opened"})"), 1);
    EXPECT_EQ(sum(s, "vigie_incidents_open", {R"(brand="volta")"}), 0);
    EXPECT_EQ(s.at("vigie_incidents_active"), 1);
    EXPECT_EQ(sum(s, "vigie_mentions_total"), sum(s, "vigie_mentions_total", {R"(brand="acme")"}) +
                                                  sum(s, "vigie_mentions_total", {R"(brand="volta")"}));

    const HttpResult list = http_get(d.port(), "/api/v1/incidents?brand=acme", auth());
    ASSERT_EQ(list.status, 200u) << list.body;
    id = std::string(boost::json::parse(list.body).at("items").as_array()[0].at("id").as_string());
    ASSERT_EQ(http_request(d.port(), http::verb::post, "/api/v1/incidents/" + id + "/ack", "", auth()).status,
              200u);
    EXPECT_EQ(scrape(d.port()).at(R"(vigie_incident_events_total{brand="acme",event="acknowledged"})"), 1);
    d.signal(SIGTERM);
    ASSERT_EQ(d.wait(std::chrono::seconds(10)), 0);
  }

  DaemonProcess d(cfg);
  ASSERT_NE(d.port(), 0) << d.log();
  // At the very first scrape: the incident is read back from storage; counters restart from 0, as Prometheus
  // expects of a restarted process, and the replay resumes after its cursor (nothing counted twice).
  auto s = scrape(d.port());
  EXPECT_EQ(sum(s, "vigie_incidents_open", {R"(brand="acme")"}), 1);
  EXPECT_EQ(s.at(R"(vigie_incident_events_total{brand="acme",event="opened"})"), 0);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_EQ(sum(scrape(d.port()), "vigie_mentions_total"), 0);

  ASSERT_EQ(
      http_request(d.port(), http::verb::post, "/api/v1/incidents/" + id + "/resolve", "", auth()).status,
      200u);
  s = scrape(d.port());
  EXPECT_EQ(sum(s, "vigie_incidents_open"), 0);
  EXPECT_EQ(s.at(R"(vigie_incident_events_total{brand="acme",event="resolved"})"), 1);
}

}  // namespace
}  // namespace vigie::testing
