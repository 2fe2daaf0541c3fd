// The HTTP API of the real daemon: POST /api/v1/posts, the query endpoints, and backup on a live daemon.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <set>
#include <thread>

#include "tests/support/daemon_process.h"

namespace vigie::testing {
namespace {

namespace json = boost::json;

constexpr const char* kToken = "api-test-token-0123456789";

std::vector<std::pair<std::string, std::string>> auth(const std::string& type = "") {
  std::vector<std::pair<std::string, std::string>> h{{"Authorization", std::string("Bearer ") + kToken}};
  if (!type.empty()) h.emplace_back("Content-Type", type);
  return h;
}

std::string config(const TempDir& dir) {
  dir.write("rules.yaml", R"(brands:
  - id: acme
    name: Acme Bank
    query: '"acme bank"'
  - id: volta
    query: volta
topics:
  - id: outage
    query: panne OR outage
    severity: warning
)");
  return dir.write("vigie.yaml", std::string("data_dir: data\nrules: rules.yaml\n") +
                                     "sources:\n  - {id: push, type: http_push}\n" +
                                     "auth:\n  tokens:\n    - {name: t, token: " + kToken +
                                     ", roles: [admin]}\n");
}

std::string post_line(const std::string& uid, const std::string& text, const std::string& created,
                      int followers = 100, const std::string& platform = "mastodon") {
  return json::serialize(json::object{{"uid", uid},
                                      {"platform", platform},
                                      {"author", {{"handle", "h"}, {"followers", followers}}},
                                      {"text", text},
                                      {"created_at", created}}) +
         "\n";
}

json::value parse(const HttpResult& r) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  EXPECT_FALSE(ec) << r.body;
  return v;
}

TEST(Api, PushIsDurableAndReportsEachLine) {
  TempDir dir;
  DaemonProcess d(config(dir));
  ASSERT_NE(d.port(), 0);
  std::string body = post_line("mastodon:1", "Acme Bank est en panne, c'est nul", "2026-11-20T10:00:00Z");
  body += "{broken\n\n";
  body += post_line("mastodon:2", "I love my Volta bike", "2026-11-20T10:01:00Z");
  body += "{\"uid\":\"x:3\"}\n";
  auto r = http_request(d.port(), http::verb::post, "/api/v1/posts", body, auth("application/x-ndjson"));
  ASSERT_EQ(r.status, 202u) << r.body;
  auto v = parse(r);
  EXPECT_EQ(v.at("accepted").as_int64(), 2);
  EXPECT_EQ(v.at("duplicates").as_int64(), 0);
  ASSERT_EQ(v.at("rejected").as_array().size(), 2u);
  EXPECT_EQ(v.at("rejected").at(0).at("line").as_int64(), 2);
  EXPECT_NE(std::string(v.at("rejected").at(0).at("error").as_string()).find("invalid JSON"),
            std::string::npos);
  EXPECT_EQ(v.at("rejected").at(1).at("line").as_int64(), 5);
  EXPECT_EQ(v.at("rejected").at(1).at("error").as_string(), "missing 'text'");

  // The same posts again: duplicates, nothing stored twice. A JSON array works too.
  const std::string array = "[" + post_line("mastodon:1", "Acme Bank est en panne", "2026-11-20T10:00:00Z") +
                            "," + post_line("mastodon:9", "Acme Bank outage again", "2026-11-20T10:02:00Z") +
                            "]";
  r = http_request(d.port(), http::verb::post, "/api/v1/posts", array, auth("application/json"));
  ASSERT_EQ(r.status, 202u) << r.body;
  v = parse(r);
  EXPECT_EQ(v.at("accepted").as_int64(), 1);
  EXPECT_EQ(v.at("duplicates").as_int64(), 1);

  // Nothing valid: 400 with the reasons. Wrong role or no token: 401/403.
  r = http_request(d.port(), http::verb::post, "/api/v1/posts", "{\"text\":\"x\"}", auth("application/json"));
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("missing 'uid'"), std::string::npos) << r.body;
  EXPECT_EQ(http_request(d.port(), http::verb::post, "/api/v1/posts", body).status, 401u);
  r = http_request(d.port(), http::verb::post, "/api/v1/posts", "[1,", auth("application/json"));
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("invalid JSON"), std::string::npos);

  // The stored posts, scored.
  r = http_get(d.port(), "/api/v1/posts?limit=10", auth());
  ASSERT_EQ(r.status, 200u) << r.body;
  v = parse(r);
  const auto& items = v.at("items").as_array();
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].at("uid").as_string(), "mastodon:9");  // newest first
  EXPECT_EQ(items[2].at("uid").as_string(), "mastodon:1");
  EXPECT_EQ(items[2].at("lang").as_string(), "fr");
  EXPECT_EQ(items[2].at("sentiment").at("label").as_string(), "negative");
  EXPECT_EQ(items[2].at("source").as_string(), "push");
  const auto& matches = items[2].at("matches").as_array();
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0].at("rule").as_string(), "acme");
  EXPECT_EQ(matches[1].at("rule").as_string(), "outage");
  EXPECT_EQ(matches[1].at("severity").as_string(), "warning");
  EXPECT_TRUE(v.at("next_cursor").is_null());
}

// Pushes from many connections at once are committed together (group commit), and each is still answered
// with its own posts' outcomes: neighbours share half their uids, so which of two pushes stores a shared post
// is a race, but every post is stored once and each answer adds up to its own posts.
TEST(Api, ConcurrentPushesEachReportTheirOwnPosts) {
  TempDir dir;
  DaemonProcess d(config(dir));
  ASSERT_NE(d.port(), 0);
  constexpr int kClients = 8, kRounds = 10, kPosts = 40;
  std::atomic<long> accepted = 0, duplicates = 0, bad = 0;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int round = 0; round < kRounds; ++round) {
        std::string body;
        // Client c sends uids [c*20, c*20+40) of its round: the upper half is client c+1's lower half.
        for (int k = 0; k < kPosts; ++k) {
          const int uid = round * 1000 + c * (kPosts / 2) + k;
          body +=
              post_line("mastodon:g" + std::to_string(uid), "Acme Bank en panne ?", "2026-11-20T10:00:00Z");
        }
        const auto r =
            http_request(d.port(), http::verb::post, "/api/v1/posts", body, auth("application/x-ndjson"));
        if (r.status != 202) {
          ++bad;
          continue;
        }
        const json::object o = parse(r).as_object();
        const long a = o.at("accepted").as_int64(), dup = o.at("duplicates").as_int64();
        if (a + dup != kPosts || !o.at("rejected").as_array().empty()) ++bad;
        accepted += a;
        duplicates += dup;
      }
    });
  }
  for (auto& t : clients)
    t.join();
  EXPECT_EQ(bad.load(), 0);
  // Per round: uids [0, kClients*20 + 20) are distinct.
  const long unique = kRounds * (kClients * (kPosts / 2) + kPosts / 2);
  EXPECT_EQ(accepted.load(), unique);
  EXPECT_EQ(duplicates.load(), static_cast<long>(kClients) * kRounds * kPosts - unique);
  // And storage agrees: each distinct post stored once.
  const std::string metrics = http_get(d.port(), "/metrics", auth()).body;
  EXPECT_NE(metrics.find("\nvigie_pipeline_posts_stored_total " + std::to_string(unique) + "\n"),
            std::string::npos)
      << metrics.substr(0, 2000);
}

TEST(Api, QueriesBrandsMentionsSeriesWithPagination) {
  TempDir dir;
  DaemonProcess d(config(dir));
  ASSERT_NE(d.port(), 0);
  std::string body;
  for (int i = 0; i < 25; ++i) {
    const std::string minute = (i < 10 ? "0" : "") + std::to_string(i);
    body +=
        post_line("x:" + std::to_string(i), i % 2 ? "Acme Bank is great, I love it" : "Acme Bank panne, déçu",
                  "2026-11-20T10:" + minute + ":30Z", i * 100, i % 3 ? "x" : "mastodon");
  }
  auto r = http_request(d.port(), http::verb::post, "/api/v1/posts", body, auth("application/x-ndjson"));
  ASSERT_EQ(r.status, 202u) << r.body;

  // Brands: configured ones, with last-24h counts (these posts are older: zero).
  r = http_get(d.port(), "/api/v1/brands", auth());
  ASSERT_EQ(r.status, 200u);
  auto v = parse(r);
  ASSERT_EQ(v.at("items").as_array().size(), 2u);
  EXPECT_EQ(v.at("items").at(0).at("id").as_string(), "acme");
  EXPECT_EQ(v.at("items").at(0).at("name").as_string(), "Acme Bank");
  EXPECT_EQ(v.at("items").at(1).at("name").as_string(), "volta");

  // Mentions, walked 10 at a time: every post once, newest first.
  std::vector<std::string> seen;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    r = http_get(d.port(),
                 "/api/v1/brands/acme/mentions?from=2026-11-20T00:00:00Z&limit=10" +
                     (cursor.empty() ? "" : "&cursor=" + cursor),
                 auth());
    ASSERT_EQ(r.status, 200u) << r.body;
    v = parse(r);
    for (const auto& m : v.at("items").as_array())
      seen.emplace_back(m.at("uid").as_string());
    if (v.at("next_cursor").is_null()) break;
    cursor = std::string(v.at("next_cursor").as_string());
  }
  ASSERT_EQ(seen.size(), 25u);
  EXPECT_EQ(seen.front(), "x:24");
  EXPECT_EQ(seen.back(), "x:0");
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 25u);

  // Filters.
  r = http_get(d.port(), "/api/v1/brands/acme/mentions?sentiment=negative&min_followers=1000&platform=x",
               auth());
  v = parse(r);
  for (const auto& m : v.at("items").as_array()) {
    EXPECT_EQ(m.at("sentiment").at("label").as_string(), "negative");
    EXPECT_GE(m.at("author").at("followers").as_int64(), 1000);
    EXPECT_EQ(m.at("platform").as_string(), "x");
  }
  EXPECT_FALSE(v.at("items").as_array().empty());

  // Series: 5-minute buckets over the half hour, empty ones included; counts add up.
  r = http_get(d.port(),
               "/api/v1/brands/acme/series?from=2026-11-20T10:00:00Z&to=2026-11-20T10:30:00Z&step=5m",
               auth());
  ASSERT_EQ(r.status, 200u) << r.body;
  v = parse(r);
  const auto& buckets = v.at("buckets").as_array();
  ASSERT_EQ(buckets.size(), 6u);
  EXPECT_EQ(buckets[0].at("t").as_string(), "2026-11-20T10:00:00Z");
  std::int64_t total = 0;
  for (const auto& b : buckets) {
    total += b.at("count").as_int64();
    EXPECT_EQ(b.at("count").as_int64(),
              b.at("positive").as_int64() + b.at("neutral").as_int64() + b.at("negative").as_int64());
  }
  EXPECT_EQ(total, 25);
  EXPECT_EQ(buckets[5].at("count").as_int64(), 0);  // 10:25-10:30: no post

  // Bad parameters name themselves; unknown brands are 404.
  r = http_get(d.port(), "/api/v1/brands/acme/series?step=2h", auth());
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.body, "{\"error\":\"parameter 'step': expected 1m, 5m, 1h or 1d, got '2h'\"}\n");
  r = http_get(d.port(), "/api/v1/posts?from=yesterday", auth());
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("parameter 'from'"), std::string::npos);
  r = http_get(d.port(), "/api/v1/posts?limit=0", auth());
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("parameter 'limit'"), std::string::npos);
  r = http_get(d.port(), "/api/v1/brands/acme/mentions?sentiment=angry", auth());
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("parameter 'sentiment'"), std::string::npos);
  r = http_get(d.port(), "/api/v1/posts?fromm=-1h", auth());
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("unknown parameter 'fromm'"), std::string::npos);
  r = http_get(d.port(), "/api/v1/posts?cursor=garbage!", auth());
  EXPECT_EQ(r.status, 400u) << r.body;
  EXPECT_EQ(http_get(d.port(), "/api/v1/brands/nope/series", auth()).status, 404u);
  EXPECT_EQ(http_get(d.port(), "/api/v1/brands/nope/mentions", auth()).status, 404u);
}

TEST(Api, BackupOfALiveDaemonRestores) {
  TempDir dir;
  const std::string cfg = config(dir);
  std::string body;
  for (int i = 0; i < 40; ++i)
    body += post_line("b:" + std::to_string(i), "Acme Bank", "2026-11-20T09:00:00Z");
  {
    DaemonProcess d(cfg);
    ASSERT_NE(d.port(), 0);
    ASSERT_EQ(
        http_request(d.port(), http::verb::post, "/api/v1/posts", body, auth("application/x-ndjson")).status,
        202u);
    // The running daemon holds the database; vigie backup asks it over the admin API (the config's listen
    // address must be where it runs, so point a copy of the config at it).
    const std::string live_cfg =
        dir.write("live.yaml", "listen: 127.0.0.1:" + std::to_string(d.port()) + "\n" +
                                   "data_dir: data\nrules: rules.yaml\nauth:\n  tokens:\n"
                                   "    - {name: t, token: " +
                                   kToken + ", roles: [admin]}\n");
    auto r = run_vigie({"backup", "--config", live_cfg, "--to", dir.file("backup1")});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("by the running daemon"), std::string::npos) << r.out;
    // The daemon keeps serving after it.
    EXPECT_EQ(http_get(d.port(), "/healthz").status, 200u);
    r = run_vigie({"backup", "--config", live_cfg, "--to", dir.file("backup1")});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("already exists"), std::string::npos);
    d.signal(SIGTERM);
    ASSERT_EQ(d.wait(std::chrono::seconds(10)), 0);
  }
  // Stopped: backup opens the database itself.
  auto r = run_vigie({"backup", "--config", cfg, "--to", dir.file("backup2")});
  EXPECT_EQ(r.exit_code, 0) << r.err;

  // Restore = run on the copy: every post is there.
  for (const char* copy : {"backup1", "backup2"}) {
    std::filesystem::create_directories(dir.path() / (std::string("restored-") + copy));
    std::filesystem::rename(dir.path() / copy, dir.path() / (std::string("restored-") + copy) / "db");
    DaemonProcess d(cfg, {"--data-dir", dir.file(std::string("restored-") + copy)});
    ASSERT_NE(d.port(), 0);
    auto page = http_get(d.port(), "/api/v1/posts?limit=1000", auth());
    ASSERT_EQ(page.status, 200u);
    EXPECT_EQ(parse(page).at("items").as_array().size(), 40u) << copy;
  }
}

}  // namespace
}  // namespace vigie::testing
