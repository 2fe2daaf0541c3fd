// RocksDB statuses as Vigie errors. Internal to storage/.
#pragma once

#include <rocksdb/status.h>

#include <string_view>

#include "ingest/base/result.h"

namespace vigie::storage {

// "storage: <context>: <status>", e.g. "storage: write batch of 256 posts: IO error: No space left on
// device".
inline Error status_error(std::string_view context, const rocksdb::Status& s) {
  std::string m = "storage: ";
  m.append(context);
  m.append(": ");
  m.append(s.ToString());
  return error(std::move(m));
}

}  // namespace vigie::storage
