#include "storage/database.h"

#include <rocksdb/db.h>

namespace vigie::storage {

Result<std::unique_ptr<Database>> Database::open(const DatabaseOptions& options) {
  rocksdb::Options o;
  o.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status s = rocksdb::DB::Open(o, options.path, &raw);
  if (!s.ok()) return error("storage: cannot open " + options.path + ": " + s.ToString());
  return std::unique_ptr<Database>(new Database(options.path, std::unique_ptr<rocksdb::DB>(raw)));
}

Database::Database(std::string path, std::unique_ptr<rocksdb::DB> db) : path_(std::move(path)), db_(std::move(db)) {}

Database::~Database() {
  if (db_) db_->Close();
}

}  // namespace vigie::storage
