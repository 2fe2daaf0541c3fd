#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "storage/database.h"
#include "storage/key_codec.h"
#include "storage/schema.h"
#include "storage/value_codec.h"
#include "storage_test_support.h"

namespace vigie::storage {
namespace {

using testing::TempDir;

// Writes a schema version into the meta table of a closed database, with RocksDB directly: what a newer
// Vigie would have left.
void set_schema_version(const std::string& path, std::uint32_t version) {
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const auto& n : names)
    cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), path, cfs, &handles, &raw).ok());
  std::string value;
  encode_schema_version(version, value);
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == cf_name(Cf::meta)) {
      EXPECT_TRUE(
          raw->Put(rocksdb::WriteOptions(), handles[i], std::string(kMetaSchemaVersionKey), value).ok());
    }
  }
  for (auto* h : handles)
    raw->DestroyColumnFamilyHandle(h);
  raw->Close();
  delete raw;
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
