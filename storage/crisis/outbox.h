// The webhook outbox: notifications waiting for delivery, in sequence order, and the dead letters given up
// on. Entries are appended by CrisisStore::commit (crisis_store.h), in the same batch as the incident change
// that causes them; the delivery worker reads them here, updates their delivery state, and removes or moves
// them. Reached through Database::outbox().
//
// Thread-safety: any number of threads. Every write returns once durable per the sync policy, and fails once
// a WAL fsync has failed (Database::writable()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "ingest/base/result.h"
#include "storage/crisis/crisis_rows.h"

namespace vigie::storage {

struct DatabaseImpl;

class Outbox {
 public:
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Entries with seq >= from_seq in order, at most limit.
  Result<std::vector<OutboxEntry>> entries(std::uint64_t from_seq, std::size_t limit) const;
  // Replaces an entry's value (its delivery state) in place.
  Result<void> update(std::uint64_t seq, std::string_view value);
  // Removes a delivered entry. With an incident id, `record` (its final state, opaque) is written in the same
  // batch under the incident in the deliveries table, where CrisisStore::notifications_of finds it: the
  // outcome outlives the entry. `record` must not be empty (an empty row means "still in the outbox or the
  // dead letters").
  Result<void> remove(std::uint64_t seq, std::uint64_t incident_id = 0, std::string_view record = {});
  // Moves an entry to the dead letters, with `value` (its final state), in one atomic write. It keeps its seq.
  Result<void> dead_letter(std::uint64_t seq, std::string_view value);
  // Dead letters newest first, with seq strictly below `before_seq` (0: from the newest), at most limit.
  Result<std::vector<OutboxEntry>> dead_letters(std::uint64_t before_seq, std::size_t limit) const;

 private:
  friend class Database;
  explicit Outbox(DatabaseImpl& impl) : impl_(impl) {}

  DatabaseImpl& impl_;
};

}  // namespace vigie::storage
