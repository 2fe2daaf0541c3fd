#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <optional>

#include "storage/codec/key_codec.h"
#include "storage/codec/value_codec.h"
#include "storage/database.h"
#include "storage/schema.h"
#include "tests/storage/storage_test_support.h"

namespace vigie::storage {
namespace {

using testing::TempDir;

// Reads into `read` and/or writes `write` as the schema version in the meta table of a closed database, with
// RocksDB directly: what another Vigie would have left.
void schema_version_io(const std::string& path, std::uint32_t* read, std::optional<std::uint32_t> write) {
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const auto& n : names)
    cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), path, cfs, &handles, &raw).ok());
  std::string value;
  if (write) encode_schema_version(*write, value);
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] != cf_name(Cf::meta)) continue;
    const std::string key(kMetaSchemaVersionKey);
    if (write) {
      EXPECT_TRUE(raw->Put(rocksdb::WriteOptions(), handles[i], key, value).ok());
    }
    if (read) {
      EXPECT_TRUE(raw->Get(rocksdb::ReadOptions(), handles[i], key, &value).ok());
      *read = decode_schema_version(value).value_or(0);
    }
  }
  for (auto* h : handles)
    raw->DestroyColumnFamilyHandle(h);
  raw->Close();
  delete raw;
}

void set_schema_version(const std::string& path, std::uint32_t version) {
  schema_version_io(path, nullptr, version);
}

std::uint32_t schema_version(const std::string& path) {
  std::uint32_t v = 0;
  schema_version_io(path, &v, std::nullopt);
  return v;
}

TEST(SchemaVersion, NewerDatabaseIsRefusedWithAClearMessage) {
  TempDir dir;
  { ASSERT_TRUE(testing::open_db(dir.path())); }
  set_schema_version(dir.path(), kSchemaVersion + 2);
  const auto db = Database::open({.path = dir.path()});
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().message, "storage: database at " + dir.path() + " has schema version " +
                                    std::to_string(kSchemaVersion + 2) + ", this build reads up to " +
                                    std::to_string(kSchemaVersion) + "; upgrade vigie");
  // The refusal left the directory usable by the newer build: still version 3, nothing rewritten.
  set_schema_version(dir.path(), kSchemaVersion);
  EXPECT_TRUE(Database::open({.path = dir.path()}));
}

TEST(SchemaVersion, OlderDatabaseIsUpgradedInPlace) {
  TempDir dir;
  { ASSERT_TRUE(testing::open_db(dir.path())); }
  set_schema_version(dir.path(), 1);
  ASSERT_EQ(schema_version(dir.path()), 1u);
  { ASSERT_TRUE(testing::open_db(dir.path())); }
  // Now recorded as this build's version: an older build refuses it.
  EXPECT_EQ(schema_version(dir.path()), kSchemaVersion);
}

TEST(SchemaVersion, DatabaseLockedByAnotherOpenIsAnError) {
  TempDir dir;
  auto first = testing::open_db(dir.path());
  ASSERT_TRUE(first);
  const auto second = Database::open({.path = dir.path()});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().message.rfind("storage: cannot open " + dir.path() + ": IO error", 0), 0u)
      << second.error().message;
}

}  // namespace
}  // namespace vigie::storage
