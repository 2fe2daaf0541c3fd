// Reading a crisis table keyed by id_key (incidents, silences, outbox, dead letters) newest first, shared by
// crisis_store.cc and outbox.cc. Internal to storage/.
#pragma once

#include <rocksdb/db.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/codec/key_codec.h"
#include "storage/crisis/crisis_rows.h"
#include "storage/database_impl.h"
#include "storage/status_error.h"

namespace vigie::storage {

// Rows of a table keyed by id_key, newest (largest id) first, ids strictly below `before` (0: all), at most
// limit; `what` names the table in errors.
inline Result<std::vector<OutboxEntry>> newest_first(const DatabaseImpl& impl, Cf cf, std::uint64_t before,
                                                     std::size_t limit, std::string_view what) {
  std::vector<OutboxEntry> out;
  std::unique_ptr<rocksdb::Iterator> it(impl.db->NewIterator(rocksdb::ReadOptions(), impl.cf(cf)));
  if (before == 0) {
    it->SeekToLast();
  } else {
    it->SeekForPrev(id_key(before - 1));
  }
  for (; it->Valid() && out.size() < limit; it->Prev()) {
    const auto id = decode_id_key(it->key().ToStringView());
    if (!id) return error("storage: corrupt key in " + std::string(what));
    out.push_back({*id, it->value().ToString()});
  }
  if (!it->status().ok()) return status_error("list " + std::string(what), it->status());
  return out;
}

}  // namespace vigie::storage
