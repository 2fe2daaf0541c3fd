// Vigie's one embedded RocksDB database.
//
// Thread-safety: a Database may be used from any number of threads once open.
#pragma once

#include <memory>
#include <string>

#include "ingest/result.h"

namespace rocksdb {
class DB;
}

namespace vigie::storage {

struct DatabaseOptions {
  std::string path;  // directory; created when missing
};

class Database {
 public:
  // Opens (creating when missing) the database at options.path.
  static Result<std::unique_ptr<Database>> open(const DatabaseOptions& options);

  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::string& path() const { return path_; }

 private:
  Database(std::string path, std::unique_ptr<rocksdb::DB> db);

  std::string path_;
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace vigie::storage
