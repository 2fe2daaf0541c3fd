// PostStore::write and commit: dedup, edits, deletes, the cursor in its batch, durability across reopen.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>

#include "storage/database.h"
#include "tests/storage/storage_test_support.h"

namespace vigie::storage {
namespace {

using rules::Label;
using testing::kMinute;
using testing::kT0;
using testing::make_post;
using testing::PostSpec;
using testing::TempDir;

class WriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::open_db(dir_.path());
    ASSERT_TRUE(db_);
  }

  WriteSummary write(const std::vector<rules::ScoredPost>& posts, const CursorUpdate& c = {}) {
    auto r = db_->posts().write(posts, c);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : WriteSummary{};
  }

  SeriesCounters totals(const std::string& brand) {
    auto t = db_->queries().totals(brand, kT0 - 10 * kMinute, kT0 + 10 * kMinute);
    EXPECT_TRUE(t) << t.error().message;
    return t ? *t : SeriesCounters{};
  }

  std::vector<Mention> mentions(const std::string& brand) {
    auto m = db_->queries().mentions(
        {.brand = brand, .from = kT0 - 10 * kMinute, .to = kT0 + 10 * kMinute, .limit = 1000});
    EXPECT_TRUE(m) << m.error().message;
    return m ? m->items : std::vector<Mention>{};
  }

  TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(WriteTest, DedupWithinAndAcrossBatches) {
  const auto a = make_post({.uid = "a", .brands = {"acme"}});
  const auto b = make_post({.uid = "b", .brands = {"acme", "acme"}});  // a brand matched twice counts once
  auto s = write({a, b, a});
  EXPECT_EQ(s.inserted, 2u);
  EXPECT_EQ(s.duplicates, 1u);
  s = write({b, a, make_post({.uid = "c", .brands = {"acme"}})});
  EXPECT_EQ(s.inserted, 1u);
  EXPECT_EQ(s.duplicates, 2u);
  EXPECT_EQ(totals("acme").count, 3);
  EXPECT_EQ(mentions("acme").size(), 3u);
  // A duplicate with other content changes nothing: the first copy wins.
  auto changed = make_post({.uid = "a", .brands = {"acme"}, .text = "autre"});
  EXPECT_EQ(write({changed}).duplicates, 1u);
  EXPECT_EQ((*db_->queries().post("a"))->post.text, "un texte");
  const StorageStats st = db_->stats();
  EXPECT_EQ(st.posts_inserted, 3u);
  EXPECT_EQ(st.posts_duplicate, 4u);
  EXPECT_EQ(st.write_batches, 3u);
  EXPECT_EQ(st.write_latency.count, 3u);
}

TEST_F(WriteTest, EditMovesSentimentWithoutRecounting) {
  write({make_post({.uid = "a",
                    .brands = {"acme", "globex"},
                    .label = Label::negative,
                    .compound = -0.5f,
                    .followers = 10})});
  auto edit =
      make_post({.uid = "a",
                 .created_at = kT0 + 3 * kMinute,  // the edit's own time: ignored, the post keeps its place
                 .brands = {"acme", "initech"},
                 .label = Label::positive,
                 .compound = 0.75f,
                 .followers = 30,
                 .kind = ingest::Kind::edit,
                 .text = "corrigé"});
  const auto s = write({edit});
  EXPECT_EQ(s.edited, 1u);
  const SeriesCounters acme = totals("acme");
  EXPECT_EQ(acme.count, 1);
  EXPECT_EQ(acme.negative, 0);
  EXPECT_EQ(acme.positive, 1);
  EXPECT_EQ(acme.compound_micros, 750'000);
  EXPECT_EQ(acme.reach, 30);
  EXPECT_EQ(totals("globex").count, 0);  // no longer matched
  EXPECT_TRUE(mentions("globex").empty());
  EXPECT_EQ(totals("initech").count, 1);
  const auto m = mentions("acme");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].text, "corrigé");
  EXPECT_EQ(m[0].created_at, kT0);
  const auto stored = *db_->queries().post("a");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->post.text, "corrigé");
  EXPECT_EQ(stored->post.created_at, kT0);
  EXPECT_EQ(stored->post.kind, ingest::Kind::post);
  // Series rows of the minute sum to the stored mentions, edit after edit.
  for (int i = 0; i < 5; ++i) {
    edit.sentiment.label = i % 2 ? Label::negative : Label::neutral;
    write({edit});
  }
  EXPECT_EQ(totals("acme").count, 1);
  EXPECT_EQ(totals("acme").neutral, 1);
}

TEST_F(WriteTest, EditOfUnknownPostInsertsIt) {
  const auto s = write({make_post({.uid = "x", .brands = {"acme"}, .kind = ingest::Kind::edit})});
  EXPECT_EQ(s.inserted, 1u);
  EXPECT_EQ(totals("acme").count, 1);
}

TEST_F(WriteTest, DeleteTombstonesAndUncounts) {
  write({make_post({.uid = "a", .brands = {"acme"}}), make_post({.uid = "b", .brands = {"acme"}})});
  const auto del = make_post({.uid = "a", .kind = ingest::Kind::del});
  EXPECT_EQ(write({del}).deleted, 1u);
  EXPECT_FALSE(db_->queries().post("a")->has_value());
  EXPECT_EQ(totals("acme").count, 1);
  ASSERT_EQ(mentions("acme").size(), 1u);
  const auto page = db_->queries().posts({.from = kT0 - kMinute, .to = kT0 + kMinute});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].post.uid, "b");
  // The tombstone stops a replay of the post, a second delete, and edits.
  const auto s = write({make_post({.uid = "a", .brands = {"acme"}}), del,
                        make_post({.uid = "a", .brands = {"acme"}, .kind = ingest::Kind::edit})});
  EXPECT_EQ(s.duplicates, 3u);
  EXPECT_EQ(totals("acme").count, 1);
}

TEST_F(WriteTest, DeleteBeforePostWins) {
  EXPECT_EQ(write({make_post({.uid = "late", .kind = ingest::Kind::del})}).deleted, 1u);
  EXPECT_EQ(write({make_post({.uid = "late", .brands = {"acme"}})}).duplicates, 1u);
  EXPECT_EQ(totals("acme").count, 0);
}

TEST_F(WriteTest, SequencesWithinOneBatch) {
  // post, edit, delete and a replay of one uid in a single batch, plus a post and its edit for another.
  const auto s = write(
      {make_post({.uid = "a", .brands = {"acme"}, .label = Label::negative}),
       make_post({.uid = "a", .brands = {"acme"}, .label = Label::positive, .kind = ingest::Kind::edit}),
       make_post({.uid = "a", .kind = ingest::Kind::del}), make_post({.uid = "a", .brands = {"acme"}}),
       make_post({.uid = "b", .brands = {"acme"}, .label = Label::negative}),
       make_post({.uid = "b", .brands = {"acme"}, .label = Label::positive, .kind = ingest::Kind::edit})});
  EXPECT_EQ(s.inserted, 2u);
  EXPECT_EQ(s.edited, 2u);
  EXPECT_EQ(s.deleted, 1u);
  EXPECT_EQ(s.duplicates, 1u);
  using O = PostOutcome;
  EXPECT_EQ(s.outcomes,
            (std::vector<O>{O::inserted, O::edited, O::deleted, O::duplicate, O::inserted, O::edited}));
  const SeriesCounters c = totals("acme");
  EXPECT_EQ(c.count, 1);
  EXPECT_EQ(c.positive, 1);
  EXPECT_EQ(c.negative, 0);
  // Then edits and deletes of posts stored by an earlier batch, after a duplicate of them in the same batch.
  const auto s2 = write(
      {make_post({.uid = "b", .brands = {"acme"}}), make_post({.uid = "b", .kind = ingest::Kind::del})});
  EXPECT_EQ(s2.duplicates, 1u);
  EXPECT_EQ(s2.deleted, 1u);
  EXPECT_EQ(s2.outcomes, (std::vector<O>{O::duplicate, O::deleted}));
  EXPECT_EQ(totals("acme").count, 0);
}

TEST_F(WriteTest, SeriesSumEveryBrandMinuteOfALargeBatch) {
  // 600 posts over 100 minutes and two brands: each (brand, minute) is hit three times, 200 posts apart, so
  // its increments are gathered from far apart in the batch.
  std::vector<rules::ScoredPost> batch;
  for (int i = 0; i < 600; ++i) {
    batch.push_back(make_post({.uid = "u" + std::to_string(i),
                               .created_at = kT0 + (i % 100) * kMinute + i,
                               .brands = {(i / 100) % 2 ? "beta" : "acme"},
                               .label = i % 3 == 0 ? Label::positive : Label::negative}));
  }
  EXPECT_EQ(write(batch).inserted, 600u);
  for (const std::string brand : {"acme", "beta"}) {
    auto r = db_->queries().series(
        {.brand = brand, .from = kT0, .to = kT0 + 100 * kMinute, .step = SeriesStep::minute});
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->size(), 100u);
    std::int64_t positive = 0;
    for (const SeriesBucket& b : *r) {
      EXPECT_EQ(b.count, 3);
      positive += b.positive;
    }
    EXPECT_EQ(positive, 100);
  }
}

TEST_F(WriteTest, CursorCommitsWithItsBatch) {
  EXPECT_FALSE(db_->posts().cursor("masto-fr")->has_value());
  write({make_post({.uid = "a", .brands = {"acme"}})}, {"masto-fr", "id:100"});
  EXPECT_EQ(db_->posts().cursor("masto-fr")->value_or(""), "id:100");
  // A cursor alone (a source that advanced past nothing to store).
  write({}, {"masto-fr", "id:101"});
  EXPECT_EQ(db_->posts().cursor("masto-fr")->value_or(""), "id:101");
  // A rejected batch stores neither its posts nor its cursor.
  rules::ScoredPost bad = make_post({.uid = "bad", .brands = {std::string(300, 'x')}});
  const auto r = db_->posts().write(std::vector{make_post({.uid = "good", .brands = {"acme"}}), bad},
                                    {"masto-fr", "id:102"});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("brand ids must be 1 to 255 bytes"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(db_->posts().cursor("masto-fr")->value_or(""), "id:101");
  EXPECT_FALSE(db_->queries().post("good")->has_value());
  EXPECT_EQ(db_->stats().write_errors, 1u);
  const auto no_uid = db_->posts().write(std::vector{make_post({.uid = ""})}, {});
  ASSERT_FALSE(no_uid);
  EXPECT_EQ(no_uid.error().message, "storage: post #0 of the batch has no uid");
}

TEST_F(WriteTest, EverythingSurvivesReopen) {
  write({make_post({.uid = "a", .brands = {"acme"}})}, {"src", "pos-1"});
  db_.reset();
  db_ = testing::open_db(dir_.path());
  ASSERT_TRUE(db_);
  EXPECT_TRUE(db_->queries().post("a")->has_value());
  EXPECT_EQ(db_->posts().cursor("src")->value_or(""), "pos-1");
  EXPECT_EQ(totals("acme").count, 1);
  EXPECT_EQ(write({make_post({.uid = "a", .brands = {"acme"}})}).duplicates, 1u);
}

TEST_F(WriteTest, ConcurrentWritersNeverDoubleCount) {
  // Four threads write overlapping uids; dedup must hold across them.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      for (int b = 0; b < 20; ++b) {
        std::vector<rules::ScoredPost> batch;
        for (int i = 0; i < 25; ++i) {
          batch.push_back(
              make_post({.uid = "u" + std::to_string((b * 25 + i + t * 7) % 400), .brands = {"acme"}}));
        }
        ASSERT_TRUE(db_->posts().write(batch, {"src-" + std::to_string(t), std::to_string(b)}));
      }
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(totals("acme").count, 400);
  EXPECT_EQ(db_->stats().posts_inserted, 400u);
}

TEST_F(WriteTest, StatsReportDiskAndLatency) {
  write({make_post({.uid = "a", .brands = {"acme"}})});
  ASSERT_TRUE(db_->compact());
  const StorageStats st = db_->stats();
  EXPECT_GT(st.disk_bytes, 0u);
  EXPECT_GT(st.sst_bytes, 0u);
  EXPECT_FALSE(st.write_stopped);
  std::uint64_t in_buckets = 0;
  for (auto c : st.write_latency.bucket_counts)
    in_buckets += c;
  EXPECT_EQ(in_buckets, st.write_latency.count);
  EXPECT_GT(st.write_latency.sum_seconds, 0);
}

TEST_F(WriteTest, CommitIsVisibleAtOnceAndReportsDurabilityOnce) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<WriteSummary> durable;
  std::thread::id durable_on;
  std::vector<rules::ScoredPost> batch;
  for (int i = 0; i < 50; ++i)
    batch.push_back(make_post({.uid = "c" + std::to_string(i), .brands = {"acme"}}));
  auto r = db_->posts().commit(batch, {"src", "50"}, [&](Result<WriteSummary> d) {
    ASSERT_TRUE(d) << d.error().message;
    std::lock_guard lock(mu);
    durable.push_back(*d);
    durable_on = std::this_thread::get_id();
    cv.notify_all();
  });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->inserted, 50u);
  // Visible before (or whether or not) it is durable.
  EXPECT_TRUE(db_->queries().post("c7")->has_value());
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return !durable.empty(); }));
  // every_batch: reported by the syncer thread, with the summary commit() returned.
  EXPECT_NE(durable_on, std::this_thread::get_id());
  EXPECT_EQ(durable.front().inserted, 50u);
  lock.unlock();
  // Closing answers nothing twice.
  db_.reset();
  EXPECT_EQ(durable.size(), 1u);
}

TEST_F(WriteTest, AFailedCommitNeverReportsDurability) {
  bool called = false;
  auto r = db_->posts().commit(std::vector{make_post({.uid = "", .brands = {"acme"}})}, {},
                               [&](Result<WriteSummary>) { called = true; });
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("no uid"), std::string::npos) << r.error().message;
  db_.reset();
  EXPECT_FALSE(called);
}

TEST(OpenTest, CreatesMissingParentsAndRefusesAFile) {
  TempDir dir;
  EXPECT_TRUE(testing::open_db(dir.sub("a/b/c")));
  { std::ofstream(dir.sub("file")) << "x"; }
  const auto r = Database::open({.path = dir.sub("file")});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.rfind("storage: ", 0), 0u);
  EXPECT_FALSE(Database::open({}));
}

TEST(SyncPolicies, EveryPolicyWritesAndReopens) {
  for (SyncPolicy p : {SyncPolicy::every_batch, SyncPolicy::interval, SyncPolicy::none}) {
    TempDir dir;
    {
      std::atomic<int> acknowledged = 0;  // outlives the database, whose syncer may call back while closing
      auto db = testing::open_db(dir.path(), {.sync = p, .sync_interval = std::chrono::milliseconds(5)});
      ASSERT_TRUE(db);
      ASSERT_TRUE(db->posts().write(std::vector{make_post({.uid = "a", .brands = {"acme"}})}, {"s", "1"}));
      // Policies that do not wait for the disk acknowledge on the committing thread, before commit() returns.
      ASSERT_TRUE(
          db->posts().commit(std::vector{make_post({.uid = "b", .brands = {"acme"}})}, {"s", "2"},
                             [&](Result<WriteSummary> d) { acknowledged += d.has_value() ? 1 : 100; }));
      if (p != SyncPolicy::every_batch) {
        EXPECT_EQ(acknowledged, 1) << to_string(p);
      }
      while (acknowledged == 0)
        std::this_thread::yield();
      EXPECT_EQ(acknowledged, 1) << to_string(p);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      EXPECT_EQ(db->stats().wal_sync_failures, 0u);
    }
    auto db = testing::open_db(dir.path());
    ASSERT_TRUE(db);
    EXPECT_TRUE(db->queries().post("a")->has_value()) << to_string(p);
  }
  EXPECT_EQ(parse_sync_policy("interval"), SyncPolicy::interval);
  EXPECT_FALSE(parse_sync_policy("always"));
}

}  // namespace
}  // namespace vigie::storage
