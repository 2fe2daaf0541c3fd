#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "storage/database.h"
#include "tests/storage/storage_test_support.h"

namespace vigie::storage {
namespace {

using testing::kMinute;
using testing::kT0;
using testing::make_post;
using testing::TempDir;

// A checkpoint of a live database, taken while a writer runs, opens as a database holding every write
// acknowledged before the checkpoint call, with consistent series and cursor.
TEST(Checkpoint, LiveBackupRestores) {
  TempDir dir;
  auto db = testing::open_db(dir.sub("data"));
  ASSERT_TRUE(db);
  int acked = 0;
  for (; acked < 500; ++acked) {
    ASSERT_TRUE(
        db->posts().write(std::vector{make_post({.uid = "p" + std::to_string(acked), .brands = {"acme"}})},
                          {"src", std::to_string(acked)}));
  }
  std::atomic<bool> stop = false;
  std::thread writer([&] {
    for (int i = 1000; !stop; ++i) {
      ASSERT_TRUE(
          db->posts().write(std::vector{make_post({.uid = "p" + std::to_string(i), .brands = {"acme"}})},
                            {"src", std::to_string(i)}));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto r = db->checkpoint(dir.sub("backup"));
  stop = true;
  writer.join();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(db->checkpoint(dir.sub("backup")));  // the target must not exist

  db.reset();
  // Restore: open the copy as the data directory.
  auto restored = testing::open_db(dir.sub("backup"));
  ASSERT_TRUE(restored);
  for (int i = 0; i < 500; ++i)
    EXPECT_TRUE(restored->queries().post("p" + std::to_string(i))->has_value());
  const auto cursor = restored->posts().cursor("src");
  ASSERT_TRUE(cursor && cursor->has_value());
  // The cursor names the last post of the copy: posts and cursor were copied at one point in time.
  const int last = std::stoi(**cursor);
  EXPECT_TRUE(restored->queries().post("p" + std::to_string(last))->has_value());
  EXPECT_FALSE(restored->queries().post("p" + std::to_string(last + 1))->has_value());
  const auto page = restored->queries().posts({.from = kT0 - kMinute, .to = kT0 + kMinute, .limit = 1000});
  const auto totals = restored->queries().totals("acme", kT0 - kMinute, kT0 + kMinute);
  ASSERT_TRUE(totals);
  EXPECT_EQ(totals->count, 500 + (last >= 1000 ? last - 999 : 0));
  // The restored copy is independent of the original.
  ASSERT_TRUE(restored->posts().write(std::vector{make_post({.uid = "after-restore"})}, {}));
  auto original = testing::open_db(dir.sub("data"));
  ASSERT_TRUE(original);
  EXPECT_FALSE(original->queries().post("after-restore")->has_value());
}

}  // namespace
}  // namespace vigie::storage
