// A WAL fsync that fails: the batch waiting for it is not acknowledged, and the database refuses every later
// write (posts and crisis tables) with the reason, even once fsyncs succeed again. A real RocksDB on a file
// system whose WAL files fail Sync on demand.
#include <gtest/gtest.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <future>

#include "storage/database.h"
#include "tests/storage/storage_test_support.h"

namespace vigie::storage {
namespace {

using testing::make_post;

class FailingSyncFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FailingSyncFile(std::unique_ptr<rocksdb::FSWritableFile> f, std::shared_ptr<std::atomic<bool>> fail)
      : FSWritableFileOwnerWrapper(std::move(f)), fail_(std::move(fail)) {}
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
    if (*fail_) return rocksdb::IOStatus::IOError("injected fsync failure");
    return FSWritableFileOwnerWrapper::Sync(o, d);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
    if (*fail_) return rocksdb::IOStatus::IOError("injected fsync failure");
    return FSWritableFileOwnerWrapper::Fsync(o, d);
  }

 private:
  std::shared_ptr<std::atomic<bool>> fail_;
};

class FailingWalFs final : public rocksdb::FileSystemWrapper {
 public:
  explicit FailingWalFs(std::shared_ptr<std::atomic<bool>> fail)
      : FileSystemWrapper(rocksdb::FileSystem::Default()), fail_(std::move(fail)) {}
  const char* Name() const override { return "FailingWalFs"; }
  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* d) override {
    auto s = target()->NewWritableFile(f, o, r, d);
    if (s.ok() && f.ends_with(".log")) *r = std::make_unique<FailingSyncFile>(std::move(*r), fail_);
    return s;
  }

 private:
  std::shared_ptr<std::atomic<bool>> fail_;
};

Result<WriteSummary> commit_and_wait(Database& db, const std::string& uid) {
  std::promise<Result<WriteSummary>> durable;
  auto r = db.posts().commit(std::vector{make_post({.uid = uid, .brands = {"acme"}})}, {"src", uid},
                             [&durable](Result<WriteSummary> d) { durable.set_value(std::move(d)); });
  if (!r) return r;
  return durable.get_future().get();
}

TEST(FailedFsync, NothingIsAcknowledgedAfterItAndEveryLaterWriteIsRefused) {
  testing::TempDir dir;
  auto fail = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(std::make_shared<FailingWalFs>(fail));
  auto db = testing::open_db(dir.path(), {.env = env});
  ASSERT_TRUE(db);

  ASSERT_TRUE(commit_and_wait(*db, "a"));
  EXPECT_TRUE(db->writable());

  *fail = true;
  const auto b = commit_and_wait(*db, "b");
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message.find("injected fsync failure"), std::string::npos) << b.error().message;
  EXPECT_EQ(db->stats().wal_sync_failures, 1u);

  // The disk "recovers": writes stay refused, since what follows a failed fsync cannot be trusted.
  *fail = false;
  const auto w = db->writable();
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().message.find("restart vigie"), std::string::npos) << w.error().message;
  const auto c = db->posts().write(std::vector{make_post({.uid = "c", .brands = {"acme"}})}, {});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("fsync of the WAL failed"), std::string::npos) << c.error().message;
  EXPECT_FALSE(db->crisis().commit({.detector_states = {{"acme", "state"}}}));
  EXPECT_FALSE(db->outbox().remove(1));
}

}  // namespace
}  // namespace vigie::storage
