#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include "storage/database.h"
#include "tests/storage/storage_test_support.h"
#include "tests/support/wait_until.h"

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
  std::atomic<int> written = 0;
  std::thread writer([&] {
    for (int i = 1000; !stop; ++i) {
      ASSERT_TRUE(
          db->posts().write(std::vector{make_post({.uid = "p" + std::to_string(i), .brands = {"acme"}})},
                            {"src", std::to_string(i)}));
      ++written;
    }
  });
  // The checkpoint is taken while the writer is under way.
  ASSERT_TRUE(vigie::testing::wait_until([&] { return written >= 10; }, std::chrono::seconds(10)));
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
  // The copy holds exactly the posts written before the one its cursor names, and that one: p0..p499, then
  // p1000..p<last> from the writer.
  std::set<std::string> expected;
  for (int i = 0; i < 500; ++i)
    expected.insert("p" + std::to_string(i));
  for (int i = 1000; i <= last; ++i)
    expected.insert("p" + std::to_string(i));
  std::multiset<std::string> listed;
  std::string page_cursor;
  do {
    const auto page = restored->queries().posts(
        {.from = kT0 - kMinute, .to = kT0 + kMinute, .limit = 1000, .cursor = page_cursor});
    ASSERT_TRUE(page) << page.error().message;
    for (const auto& p : page->items)
      listed.insert(p.post.uid);
    page_cursor = page->next_cursor;
  } while (!page_cursor.empty());
  EXPECT_EQ(listed, std::multiset<std::string>(expected.begin(), expected.end()));
  const auto totals = restored->queries().totals("acme", kT0 - kMinute, kT0 + kMinute);
  ASSERT_TRUE(totals);
  EXPECT_EQ(totals->count, static_cast<std::int64_t>(expected.size()));
  // The restored copy is independent of the original.
  ASSERT_TRUE(restored->posts().write(std::vector{make_post({.uid = "after-restore"})}, {}));
  auto original = testing::open_db(dir.sub("data"));
  ASSERT_TRUE(original);
  EXPECT_FALSE(original->queries().post("after-restore")->has_value());
}

}  // namespace
}  // namespace vigie::storage
