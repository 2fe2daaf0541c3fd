// WalSyncer on demand: one SyncWAL answers every request made while the previous one ran (group commit), a
// failed sync poisons every later request, and closing answers what is pending. The database underneath is a
// real RocksDB; only its SyncWAL is wrapped, to hold it or make it fail.
#include "storage/engine/wal_syncer.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/utilities/stackable_db.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "tests/storage/storage_test_support.h"

namespace vigie::storage {
namespace {

// Counts SyncWAL calls; can hold them until released, and fail them.
class GatedDb final : public rocksdb::StackableDB {
 public:
  explicit GatedDb(rocksdb::DB* db) : StackableDB(db) {}

  rocksdb::Status SyncWAL() override {
    std::unique_lock lock(mu_);
    ++calls_;
    const bool fail = fail_;  // decided when the sync starts
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
    if (fail) return rocksdb::Status::IOError("injected fsync failure");
    return StackableDB::SyncWAL();
  }

  void hold() {
    std::lock_guard lock(mu_);
    open_ = false;
  }
  void release() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  void set_fail(bool f) {
    std::lock_guard lock(mu_);
    fail_ = f;
  }
  void wait_calls(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return calls_ >= n; });
  }
  int calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int calls_ = 0;
  bool open_ = true;
  bool fail_ = false;
};

class WalSyncerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rocksdb::Options o;
    o.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(o, dir_.path(), &raw).ok());
    db_ = std::make_unique<GatedDb>(raw);
  }

  testing::TempDir dir_;
  std::unique_ptr<GatedDb> db_;
};

// Collects the statuses given to done callbacks.
struct Answers {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<rocksdb::Status> got;

  WalSyncer::Done callback() {
    return [this](const rocksdb::Status& s) {
      std::lock_guard lock(mu);
      got.push_back(s);
      cv.notify_all();
    };
  }
  void wait(std::size_t n) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return got.size() >= n; });
  }
};

TEST_F(WalSyncerTest, OneSyncAnswersEveryRequestMadeWhileThePreviousRan) {
  WalSyncer syncer(db_.get(), std::nullopt);
  Answers answers;
  db_->hold();
  syncer.after_next_sync(answers.callback());
  db_->wait_calls(1);  // the first sync is running (held)
  for (int i = 0; i < 10; ++i)
    syncer.after_next_sync(answers.callback());
  db_->release();
  answers.wait(11);
  EXPECT_EQ(db_->calls(), 2);  // one for the first request, one for the ten that came during it
  for (const auto& s : answers.got)
    EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST_F(WalSyncerTest, AFailedSyncFailsEveryLaterRequest) {
  WalSyncer syncer(db_.get(), std::nullopt);
  Answers answers;
  db_->set_fail(true);
  syncer.after_next_sync(answers.callback());
  answers.wait(1);
  EXPECT_TRUE(answers.got[0].IsIOError());
  ASSERT_TRUE(syncer.failed());
  EXPECT_EQ(syncer.failures(), 1u);

  // The disk "recovers": a later sync would succeed, but the failed one may have left a hole in the WAL.
  db_->set_fail(false);
  syncer.after_next_sync(answers.callback());
  answers.wait(2);
  EXPECT_TRUE(answers.got[1].IsIOError()) << answers.got[1].ToString();
  EXPECT_EQ(db_->calls(), 1);  // answered without syncing again
}

TEST_F(WalSyncerTest, ARequestMadeDuringAFailingSyncFailsEvenIfTheNextSyncSucceeds) {
  WalSyncer syncer(db_.get(), std::nullopt);
  Answers answers;
  db_->hold();
  db_->set_fail(true);
  syncer.after_next_sync(answers.callback());
  db_->wait_calls(1);                          // the failing sync is running
  syncer.after_next_sync(answers.callback());  // waits for the next sync
  db_->set_fail(false);                        // which will succeed
  db_->release();
  answers.wait(2);
  EXPECT_TRUE(answers.got[0].IsIOError());
  EXPECT_TRUE(answers.got[1].IsIOError()) << answers.got[1].ToString();
  EXPECT_EQ(db_->calls(), 2);
}

TEST_F(WalSyncerTest, ClosingAnswersPendingRequests) {
  Answers answers;
  {
    WalSyncer syncer(db_.get(), std::nullopt);
    db_->hold();
    syncer.after_next_sync(answers.callback());
    db_->wait_calls(1);
    syncer.after_next_sync(answers.callback());
    db_->release();
  }
  ASSERT_EQ(answers.got.size(), 2u);
  EXPECT_TRUE(answers.got[1].ok());
  EXPECT_GE(db_->calls(), 2);  // the second request had a sync of its own
}

TEST_F(WalSyncerTest, PeriodicModeSyncsWithoutRequests) {
  WalSyncer syncer(db_.get(), std::chrono::milliseconds(5));
  db_->wait_calls(3);
  EXPECT_FALSE(syncer.failed());
}

}  // namespace
}  // namespace vigie::storage
