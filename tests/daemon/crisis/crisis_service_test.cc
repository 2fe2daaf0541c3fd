// The crisis service as the daemon runs it: stored batches handed to its detection thread through a bounded
// queue, on a real RocksDB.
#include "daemon/crisis_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "rules/rule_set.h"
#include "tests/daemon/crisis/acme_rules.h"
#include "tests/storage/storage_test_support.h"

namespace vigie::daemon {
namespace {

using storage::testing::kMinute;
using storage::testing::TempDir;

// Monday 2026-11-16T10:00:00Z.
constexpr Micros kT = 1794787200LL * kMicrosPerSecond + 10 * storage::testing::kHour;

constexpr std::string_view kRules = testing::kAcmeRules;

rules::ScoredPost mention(std::string uid, Micros t, bool breach) {
  rules::ScoredPost p =
      storage::testing::make_post({.uid = std::move(uid),
                                   .created_at = t,
                                   .brands = {"acme"},
                                   .label = breach ? rules::Label::negative : rules::Label::neutral,
                                   .text = breach ? "acme data breach" : "acme again"});
  if (breach) p.matches.push_back({"breach", rules::RuleKind::topic, rules::Severity::critical});
  return p;
}

struct Harness {
  explicit Harness(const std::string& path) {
    db = storage::testing::open_db(path, {.sync = storage::SyncPolicy::none, .retention_days = {0, 0, 0}});
    auto rules = rules::RuleSet::load_string(kRules, "rules.yaml");
    EXPECT_TRUE(rules) << rules.error().message;
    auto scorer = rules::PostScorer::build(*rules, nullptr);
    CrisisServiceOptions o;
    o.engine.live = false;  // event time only: the test's posts are in the past
    o.engine.allowed_lateness = kMinute;
    o.wall_now = [] { return kT + 30 * kMinute; };
    o.observed = [this](const Incident& i, std::string_view event, const rules::Finding* f) {
      std::lock_guard lock(mu);
      events.push_back(std::string(event) + " " + std::to_string(i.id) + " " +
                       (f ? std::string(rules::to_string(f->detector)) : ""));
    };
    auto s = CrisisService::open(*db, scorer, std::move(o), nullptr);
    EXPECT_TRUE(s) << s.error().message;
    service = std::move(*s);
  }

  // As the pipeline does: stored first, then handed to detection.
  void store_and_enqueue(std::vector<rules::ScoredPost> batch) {
    ASSERT_TRUE(db->posts().write(batch, {}));
    service->enqueue(std::move(batch));
  }

  std::vector<std::string> seen() {
    std::lock_guard lock(mu);
    return events;
  }

  std::unique_ptr<storage::Database> db;
  std::unique_ptr<CrisisService> service;
  std::mutex mu;
  std::vector<std::string> events;
};

TEST(CrisisService, EveryEnqueuedPostIsObservedOnceBeforeStopReturnsEvenBeyondTheQueuesBound) {
  TempDir dir;
  Harness h(dir.path());
  h.service->start(std::chrono::hours(1));
  // Several times the queue's bound, from a thread of its own as the writer would: enqueue() waits for room
  // rather than dropping or growing, and the breach post near the end still opens its incident.
  constexpr int kBatches = 40;
  constexpr int kPerBatch = 2000;
  static_assert(kBatches * kPerBatch > 2 * CrisisService::kMaxQueuedPosts);
  std::thread writer([&] {
    for (int b = 0; b < kBatches; ++b) {
      std::vector<rules::ScoredPost> batch;
      for (int i = 0; i < kPerBatch; ++i)
        batch.push_back(mention("p" + std::to_string(b * kPerBatch + i), kT + b * 1000 + i / 10, false));
      if (b == kBatches - 3) batch.push_back(mention("breach", kT + b * 1000, true));
      h.store_and_enqueue(std::move(batch));
    }
  });
  writer.join();
  h.service->stop();
  EXPECT_EQ(h.seen(), std::vector<std::string>{"opened 1 critical_keyword"});
  // The watermark of the last post enqueued: every batch was observed.
  EXPECT_EQ(h.service->engine().watermark(), kT + (kBatches - 1) * 1000 + (kPerBatch - 1) / 10 - kMinute);
  // Stopped: a batch enqueued now is observed at once, on the caller's thread; the same breach post again
  // triggers nothing (it is known to its incident).
  h.store_and_enqueue({mention("breach", kT + 50'000, true), mention("late", kT + 50'001, false)});
  EXPECT_EQ(h.seen().size(), 1u);
  const auto inc = h.service->book().active_incident("acme");
  ASSERT_TRUE(inc);
  EXPECT_EQ(inc->findings, 1);
}

TEST(CrisisService, WithoutTheDetectionThreadEnqueueObservesAtOnce) {
  TempDir dir;
  Harness h(dir.path());
  h.store_and_enqueue({mention("calm", kT, false), mention("breach", kT + kMinute, true)});
  EXPECT_EQ(h.seen(), std::vector<std::string>{"opened 1 critical_keyword"});
}

}  // namespace
}  // namespace vigie::daemon
