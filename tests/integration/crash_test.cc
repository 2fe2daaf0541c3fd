// kill -9 while posts are pushed: every post that got a 202 survives, exactly once, and the per-brand series
// agree with the stored posts.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "tests/support/daemon_process.h"

namespace vigie::testing {
namespace {

namespace json = boost::json;

constexpr const char* kToken = "crash-test-token-0123456789";

TEST(Crash, AcknowledgedPostsSurviveSigkillExactlyOnce) {
  TempDir dir;
  dir.write("rules.yaml", "brands:\n  - id: acme\n    query: acme\n");
  const std::string cfg = dir.write(
      "vigie.yaml", std::string("data_dir: data\nrules: rules.yaml\nstorage: {sync: every_batch}\n") +
                        "sources:\n  - {id: push, type: http_push}\n" + "auth:\n  tokens:\n" +
                        "    - {name: t, token: " + kToken + ", roles: [admin]}\n");
  const std::vector<std::pair<std::string, std::string>> headers{
      {"Authorization", std::string("Bearer ") + kToken}, {"Content-Type", "application/x-ndjson"}};
  std::set<std::string> acked;
  std::mt19937 rng(42);
  int next_uid = 0;

  for (int round = 0; round < 5; ++round) {
    DaemonProcess d(cfg);
    ASSERT_NE(d.port(), 0) << "round " << round;
    std::atomic<bool> stop{false};
    std::mutex mu;
    // Two pushers, so that kills land while requests are in flight; each request also repeats a few uids of
    // earlier requests, which must be recognised as duplicates, never stored twice.
    auto pusher = [&](int seed) {
      std::mt19937 local(seed);
      while (!stop) {
        std::string body;
        std::vector<std::string> uids;
        {
          std::lock_guard lock(mu);
          for (int i = 0; i < 20; ++i)
            uids.push_back("crash:" + std::to_string(next_uid++));
          if (next_uid > 30)
            for (int i = 0; i < 3; ++i)
              uids.push_back("crash:" + std::to_string(local() % (next_uid - 20)));
        }
        for (const auto& uid : uids)
          body += json::serialize(json::object{{"uid", uid},
                                               {"text", "acme is down again " + uid},
                                               {"created_at", "2026-11-20T12:00:00Z"}}) +
                  "\n";
        auto r = http_request(d.port(), http::verb::post, "/api/v1/posts", body, headers);
        if (r.status == 202) {
          std::lock_guard lock(mu);
          acked.insert(uids.begin(), uids.end());
        }
        // A pace that keeps thousands of posts in flight per round, not hundreds of thousands to verify.
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    };
    std::thread a(pusher, round * 2), b(pusher, round * 2 + 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 500));
    d.kill();  // SIGKILL, mid-flight
    stop = true;
    a.join();
    b.join();
  }
  ASSERT_GT(acked.size(), 100u) << "the pushers should have been acknowledged many times";

  DaemonProcess d(cfg);
  ASSERT_NE(d.port(), 0);
  const std::map<std::string, int> stored = stored_posts(d.port(), kToken);
  std::vector<std::string> missing, repeated;
  for (const auto& uid : acked)
    if (!stored.contains(uid)) missing.push_back(uid);
  for (const auto& [uid, n] : stored)
    if (n != 1) repeated.push_back(uid + " x" + std::to_string(n));
  EXPECT_EQ(missing.size(), 0u) << "acknowledged with 202 but missing, e.g. "
                                << (missing.empty() ? "" : missing[0]);
  EXPECT_EQ(repeated.size(), 0u) << "stored more than once, e.g. " << (repeated.empty() ? "" : repeated[0]);

  // Series counters (merge-operator increments in the same batches) equal the stored posts.
  auto r = http_get(d.port(),
                    "/api/v1/brands/acme/series?from=2026-11-20T11:00:00Z&to=2026-11-20T13:00:00Z&step=1h",
                    {{"Authorization", std::string("Bearer ") + kToken}});
  ASSERT_EQ(r.status, 200u) << r.body;
  std::int64_t total = 0;
  const json::value series = json::parse(r.body);  // named: a range-for over a temporary's member dangles
  for (const auto& b : series.at("buckets").as_array())
    total += b.at("count").as_int64();
  EXPECT_EQ(total, static_cast<std::int64_t>(stored.size()));
}

}  // namespace
}  // namespace vigie::testing
