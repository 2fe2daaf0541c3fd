// What a Database holds, shared by the Database and its facades over it (database.cc: open, maintenance,
// stats; posts/post_store.cc: commits of posts; posts/post_queries.cc: reads; crisis/crisis_store.cc and
// crisis/outbox.cc: the crisis tables). Internal to storage/.
#pragma once

#include <rocksdb/db.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/database.h"
#include "storage/engine/wal_syncer.h"
#include "storage/engine/write_metrics.h"
#include "storage/schema.h"

namespace vigie::storage {

struct DatabaseImpl {
  DatabaseOptions options;
  std::unique_ptr<rocksdb::DB> db;
  std::array<rocksdb::ColumnFamilyHandle*, static_cast<std::size_t>(Cf::count_)> cfs{};
  // The default column family and any left by a newer build: RocksDB requires opening them all.
  std::vector<rocksdb::ColumnFamilyHandle*> other_cfs;
  rocksdb::WriteOptions write_options;  // never synced in the write: the syncer does it
  // SyncPolicy::every_batch: on demand, for every write; interval: periodic; none: absent.
  std::unique_ptr<WalSyncer> wal_syncer;

  // Guards the building of write batches and in_flight (see posts/post_store.cc).
  std::mutex write_mu;
  std::condition_variable write_cv;  // signalled when a batch leaves in_flight
  // The uids of each batch built but not yet committed, sorted; the spans belong to the commit() calls that
  // added them, which remove them before returning. Few at a time (one per concurrent writer).
  std::vector<std::span<const std::string_view>> in_flight;
  WriteMetrics metrics;
  // Serializes crisis commits (crisis/crisis_store.cc); guards next_outbox_seq.
  std::mutex crisis_mu;
  // Next outbox sequence number; starts after the last entry stored in the outbox or the dead letters.
  std::uint64_t next_outbox_seq = 1;

  rocksdb::ColumnFamilyHandle* cf(Cf c) const { return cfs[static_cast<std::size_t>(c)]; }

  // Set once a WAL fsync has failed (every_batch): why every write is refused from then on.
  std::optional<rocksdb::Status> write_refusal() const;
  // The refusal above as an error ("storage: write refused: ..."), or ok.
  Result<void> writable() const;

  // Commits `batch` and returns once it is durable per the sync policy (every_batch: after the syncer's next
  // fsync, so that one failed fsync anywhere refuses every later write). For the crisis tables and the
  // outbox; posts go through PostStore::commit, which does not wait.
  rocksdb::Status write_durably(rocksdb::WriteBatch& batch);

  ~DatabaseImpl();
};

// An iterator over the rows of one column family whose keys are in [lower, upper). It owns its bounds, which
// RocksDB reads through pointers for the iterator's whole life: hence it is neither copied nor moved.
class RangeScan {
 public:
  RangeScan(const DatabaseImpl& impl, Cf cf, std::string lower, std::string upper,
            rocksdb::ReadOptions ro = {})
      : lower_(std::move(lower)), upper_(std::move(upper)), lo_(lower_), up_(upper_) {
    ro.iterate_lower_bound = &lo_;
    ro.iterate_upper_bound = &up_;
    it_.reset(impl.db->NewIterator(ro, impl.cf(cf)));
  }
  RangeScan(const RangeScan&) = delete;
  RangeScan& operator=(const RangeScan&) = delete;

  rocksdb::Iterator* operator->() const { return it_.get(); }
  const rocksdb::Slice& lower() const { return lo_; }

 private:
  std::string lower_, upper_;
  rocksdb::Slice lo_, up_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace vigie::storage
