#include "storage/engine/counter_merge_operator.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/merge_operator.h>

#include "storage/codec/key_codec.h"
#include "storage/codec/value_codec.h"
#include "tests/storage/storage_test_support.h"

namespace vigie::storage {
namespace {

using testing::kT0;
using testing::make_post;
using testing::TempDir;

std::string enc(const SeriesCounters& c) {
  std::string v;
  encode_counters(c, v);
  return v;
}

// The operator alone, in a bare RocksDB: operands folded across memtable, flushes and compactions.
TEST(CounterMergeOperator, SumsOperandsWhereverTheyLive) {
  TempDir dir;
  rocksdb::Options o;
  o.create_if_missing = true;
  o.merge_operator = make_counter_merge_operator();
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(o, dir.path(), &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  const std::string key = series_key("acme", kT0);
  SeriesCounters expected;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 50; ++i) {
      const SeriesCounters c{1, i % 3 == 0, i % 3 == 1, i % 3 == 2, (i - 25) * 10'000, i};
      expected += c;
      ASSERT_TRUE(db->Merge(rocksdb::WriteOptions(), key, enc(c)).ok());
    }
    // A negative operand, as an edit or delete writes.
    const SeriesCounters minus = -SeriesCounters{1, 1, 0, 0, 500'000, 7};
    expected += minus;
    ASSERT_TRUE(db->Merge(rocksdb::WriteOptions(), key, enc(minus)).ok());
    if (round == 0) {
      ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
    } else if (round == 1) {
      ASSERT_TRUE(db->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr).ok());
    }
  }
  std::string v;
  ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), key, &v).ok());
  EXPECT_EQ(decode_counters(v), expected);
  ASSERT_TRUE(db->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr).ok());
  ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), key, &v).ok());
  EXPECT_EQ(decode_counters(v), expected);
  db->Close();
}

TEST(CounterMergeOperator, ReportsCorruptOperands) {
  TempDir dir;
  rocksdb::Options o;
  o.create_if_missing = true;
  o.merge_operator = make_counter_merge_operator();
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(o, dir.path(), &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  ASSERT_TRUE(db->Merge(rocksdb::WriteOptions(), "k", enc({1, 1, 0, 0, 0, 0})).ok());
  ASSERT_TRUE(db->Merge(rocksdb::WriteOptions(), "k", "garbage").ok());
  std::string v;
  EXPECT_FALSE(db->Get(rocksdb::ReadOptions(), "k", &v).ok());
  db->Close();
}

// Through Database: many batches hitting the same minutes add up, with no read on the write path.
TEST(CounterMergeOperator, DatabaseSeriesCountEveryMention) {
  TempDir dir;
  auto db = testing::open_db(dir.path());
  ASSERT_TRUE(db);
  int n = 0;
  for (int batch = 0; batch < 20; ++batch) {
    std::vector<rules::ScoredPost> posts;
    for (int i = 0; i < 10; ++i, ++n) {
      posts.push_back(make_post({.uid = "p" + std::to_string(n),
                                 .created_at = kT0 + (n % 3) * kMicrosPerSecond,
                                 .brands = {"acme", "globex"},
                                 .label = n % 2 ? rules::Label::positive : rules::Label::negative,
                                 .compound = n % 2 ? 0.5f : -0.25f,
                                 .followers = 10}));
    }
    ASSERT_TRUE(db->posts().write(posts, {}));
  }
  for (const char* brand : {"acme", "globex"}) {
    const auto t = db->queries().totals(brand, kT0 - testing::kMinute, kT0 + testing::kMinute);
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->count, 200);
    EXPECT_EQ(t->positive, 100);
    EXPECT_EQ(t->negative, 100);
    EXPECT_EQ(t->neutral, 0);
    EXPECT_EQ(t->compound_micros, 100 * 500'000 - 100 * 250'000);
    EXPECT_EQ(t->reach, 2000);
  }
  ASSERT_TRUE(db->compact());
  EXPECT_EQ(db->queries().totals("acme", kT0 - testing::kMinute, kT0 + testing::kMinute)->count, 200);
}

}  // namespace
}  // namespace vigie::storage
