// Storage metrics as plain numbers, for the daemon to export (storage itself does not depend on Prometheus).
//
// Counters are cumulative since the database was opened: an exporter reports deltas between two calls.
#pragma once

#include <array>
#include <cstdint>

namespace vigie::storage {

// Upper bounds (seconds, inclusive) of the write latency histogram buckets; a last implicit bucket is +Inf.
inline constexpr std::array<double, 12> kWriteLatencyBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                               0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

struct WriteLatency {
  // bucket_counts[i]: writes whose latency fell in (bounds[i-1], bounds[i]]; the last one is > bounds.back().
  // Not cumulative across buckets.
  std::array<std::uint64_t, kWriteLatencyBounds.size() + 1> bucket_counts{};
  std::uint64_t count = 0;
  double sum_seconds = 0;
};

struct StorageStats {
  std::uint64_t disk_bytes = 0;                // every file in the data directory (SST, WAL, manifest)
  std::uint64_t sst_bytes = 0;                 // rocksdb.total-sst-files-size, all column families
  std::uint64_t wal_bytes = 0;                 // live WAL files
  std::uint64_t memtable_bytes = 0;            // rocksdb.size-all-mem-tables
  std::uint64_t pending_compaction_bytes = 0;  // rocksdb.estimate-pending-compaction-bytes
  std::uint64_t delayed_write_rate = 0;     // rocksdb.actual-delayed-write-rate, bytes/s; 0 when not delayed
  bool write_stopped = false;               // rocksdb.is-write-stopped
  std::uint64_t write_stall_slowdowns = 0;  // cumulative, from rocksdb.cfstats io_stalls.total_slowdown
  std::uint64_t write_stall_stops = 0;      // cumulative, from rocksdb.cfstats io_stalls.total_stop
  std::uint64_t write_batches = 0;          // PostStore::commit calls that committed
  std::uint64_t write_errors = 0;           // PostStore::commit calls that failed
  std::uint64_t posts_inserted = 0;
  std::uint64_t posts_duplicate = 0;
  std::uint64_t wal_sync_failures = 0;  // fsyncs of the WAL by the syncer thread that failed
  WriteLatency write_latency;           // PostStore::commit, from call to durable (sync included)
};

}  // namespace vigie::storage
