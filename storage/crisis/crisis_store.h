// The crisis tables: incidents, their timelines, crisis detector state, the expectations the volume detectors
// had of each bucket, and silences, and the commit that changes them together with the notifications it causes
// (appended to the outbox, outbox.h, and listed under their incident in the deliveries table). Reached through
// Database::crisis(); the rows are in crisis_rows.h, their values owned by the daemon's crisis code.
//
// Thread-safety: any number of threads. Commits are serialized; reads run concurrently with them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ingest/base/result.h"
#include "storage/crisis/crisis_rows.h"

namespace vigie::storage {

struct DatabaseImpl;

class CrisisStore {
 public:
  CrisisStore(const CrisisStore&) = delete;
  CrisisStore& operator=(const CrisisStore&) = delete;

  // Commits `changes` atomically and returns once it is durable per the sync policy, with the outbox sequence
  // numbers given to its notifications, in order. Commits are serialized, so outbox entries become visible in
  // sequence order: a reader that has seen entry n will never later find a smaller new one. Fails once a WAL
  // fsync has failed (Database::writable()).
  Result<std::vector<std::uint64_t>> commit(const CrisisChanges& changes);

  Result<std::optional<std::string>> incident(std::uint64_t id) const;
  // Incidents newest (largest id) first, with ids strictly below `before_id` (0: from the newest), at most
  // limit.
  Result<std::vector<IncidentRow>> incidents(std::uint64_t before_id, std::size_t limit) const;
  // The largest incident id stored, 0 when none.
  Result<std::uint64_t> last_incident_id() const;
  // The incident's timeline entries in time order, at most limit.
  Result<std::vector<IncidentEventRow>> incident_events(std::uint64_t incident_id, std::size_t limit) const;

  Result<std::vector<NamedValue>> detector_states() const;
  // A brand's recorded expectations for buckets starting in [from, to), in time order.
  Result<std::vector<ExpectationRow>> expectations(const std::string& brand, Micros from, Micros to) const;
  // The notifications queued for an incident, in outbox order, at most limit, each with where it is now: all
  // read from one snapshot, so a delivery finishing meanwhile is seen either before or after, never lost.
  Result<std::vector<IncidentNotificationRow>> notifications_of(std::uint64_t incident_id,
                                                                std::size_t limit) const;
  // Silences in id order.
  Result<std::vector<SilenceRow>> silences() const;

 private:
  friend class Database;
  explicit CrisisStore(DatabaseImpl& impl) : impl_(impl) {}

  DatabaseImpl& impl_;
};

}  // namespace vigie::storage
