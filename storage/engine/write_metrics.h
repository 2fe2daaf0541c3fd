// Counters and the latency histogram of PostStore::commit, updated lock-free by writers and read by stats().
//
// Thread-safety: all members are atomics; record() and fill() may run concurrently.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "storage/posts/write_types.h"
#include "storage/storage_stats.h"

namespace vigie::storage {

class WriteMetrics {
 public:
  void record_success(double seconds, const WriteSummary& summary);
  void record_failure(double seconds);
  void fill(StorageStats& out) const;

 private:
  void observe(double seconds);

  std::array<std::atomic<std::uint64_t>, kWriteLatencyBounds.size() + 1> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_nanos_{0};  // integer so that it can be a lock-free atomic add
  std::atomic<std::uint64_t> batches_{0};
  std::atomic<std::uint64_t> errors_{0};
  std::atomic<std::uint64_t> inserted_{0};
  std::atomic<std::uint64_t> duplicates_{0};
};

}  // namespace vigie::storage
