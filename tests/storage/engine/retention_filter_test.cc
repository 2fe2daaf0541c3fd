#include "storage/engine/retention_filter.h"

#include <gtest/gtest.h>
#include <rocksdb/compaction_filter.h>

#include "storage/codec/key_codec.h"
#include "storage/codec/value_codec.h"
#include "tests/storage/storage_test_support.h"

namespace vigie::storage {
namespace {

using testing::kDay;
using testing::make_post;
using testing::TempDir;
using Decision = rocksdb::CompactionFilter::Decision;
using ValueType = rocksdb::CompactionFilter::ValueType;

Decision run(const rocksdb::CompactionFilter& f, std::string_view key, std::string_view value,
             ValueType type = ValueType::kValue) {
  std::string new_value, skip;
  return f.FilterV2(1, rocksdb::Slice(key.data(), key.size()), type,
                    rocksdb::Slice(value.data(), value.size()), &new_value, &skip);
}

TEST(RetentionFilter, ReadsTheTimeWhereEachTableKeepsIt) {
  const Micros cutoff = 1000;
  std::string old_post, new_post;
  encode_post(make_post({.uid = "a", .created_at = 999}), old_post);
  encode_tombstone(1000, new_post);

  const auto posts = make_retention_filter(RowTime::post_value, cutoff);
  EXPECT_EQ(run(*posts, "a", old_post), Decision::kRemove);
  EXPECT_EQ(run(*posts, "a", new_post), Decision::kKeep);
  EXPECT_EQ(run(*posts, "a", "?"), Decision::kKeep);  // unreadable: kept, never guessed

  const auto index = make_retention_filter(RowTime::post_time_key, cutoff);
  EXPECT_EQ(run(*index, post_time_key(-5, "a"), ""), Decision::kRemove);
  EXPECT_EQ(run(*index, post_time_key(1000, "a"), ""), Decision::kKeep);

  const auto brand = make_retention_filter(RowTime::brand_time_key, cutoff);
  EXPECT_EQ(run(*brand, mention_key("acme", 999, "a"), ""), Decision::kRemove);
  EXPECT_EQ(run(*brand, mention_key("acme", 5000, "a"), ""), Decision::kKeep);
  std::string counters;
  encode_counters({1, 1, 0, 0, 0, 0}, counters);
  EXPECT_EQ(run(*brand, series_key("acme", 0), counters, ValueType::kMergeOperand), Decision::kRemove);
  EXPECT_EQ(run(*brand, series_key("acme", 60'000'000), counters, ValueType::kMergeOperand), Decision::kKeep);
}

TEST(RetentionFilter, FactoryTakesCutoffFromClock) {
  const auto factory = make_retention_filter_factory(RowTime::post_time_key, 2, [] { return 10 * kDay; });
  const auto f = factory->CreateCompactionFilter({});
  EXPECT_EQ(run(*f, post_time_key(8 * kDay - 1, "a"), ""), Decision::kRemove);
  EXPECT_EQ(run(*f, post_time_key(8 * kDay, "a"), ""), Decision::kKeep);
}

// The real thing: old rows vanish from every table at compaction, recent ones and counters (kept forever by
// default) stay.
TEST(RetentionFilter, CompactionDropsExpiredRows) {
  TempDir dir;
  DatabaseOptions o;
  o.retention_days = {.posts = 90, .mentions = 365, .series = 0};
  auto db = testing::open_db(dir.path(), o);
  ASSERT_TRUE(db);
  const Micros now = now_micros();
  const std::vector<rules::ScoredPost> posts = {
      make_post({.uid = "recent", .created_at = now - kDay, .brands = {"acme"}}),
      make_post({.uid = "100d", .created_at = now - 100 * kDay, .brands = {"acme"}}),
      make_post({.uid = "400d", .created_at = now - 400 * kDay, .brands = {"acme"}}),
  };
  ASSERT_TRUE(db->posts().write(posts, {}));
  ASSERT_TRUE(db->compact());

  EXPECT_TRUE(db->queries().post("recent")->has_value());
  EXPECT_FALSE(db->queries().post("100d")->has_value());
  EXPECT_FALSE(db->queries().post("400d")->has_value());
  const auto listed = db->queries().posts({.from = now - 1000 * kDay, .to = now + kDay});
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(listed->items[0].post.uid, "recent");

  const auto mentions =
      db->queries().mentions({.brand = "acme", .from = now - 1000 * kDay, .to = now + kDay});
  ASSERT_TRUE(mentions);
  ASSERT_EQ(mentions->items.size(), 2u);  // 365 days of mentions
  EXPECT_EQ(mentions->items[0].uid, "recent");
  EXPECT_EQ(mentions->items[1].uid, "100d");

  EXPECT_EQ(db->queries().totals("acme", now - 1000 * kDay, now + kDay)->count, 3);  // series: forever
}

TEST(RetentionFilter, SeriesRetentionDropsMergeOperands) {
  TempDir dir;
  DatabaseOptions o;
  o.retention_days = {.posts = 0, .mentions = 0, .series = 30};
  auto db = testing::open_db(dir.path(), o);
  ASSERT_TRUE(db);
  const Micros now = now_micros();
  const std::vector<rules::ScoredPost> posts = {
      make_post({.uid = "recent", .created_at = now - kDay, .brands = {"acme"}}),
      make_post({.uid = "old", .created_at = now - 31 * kDay, .brands = {"acme"}}),
  };
  ASSERT_TRUE(db->posts().write(posts, {}));
  EXPECT_EQ(db->queries().totals("acme", now - 100 * kDay, now + kDay)->count, 2);
  ASSERT_TRUE(db->compact());
  EXPECT_EQ(db->queries().totals("acme", now - 100 * kDay, now + kDay)->count, 1);
  EXPECT_TRUE(db->queries().post("old")->has_value());  // posts retention 0: kept
}

}  // namespace
}  // namespace vigie::storage
