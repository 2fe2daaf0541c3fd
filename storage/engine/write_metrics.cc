#include "storage/engine/write_metrics.h"

#include <algorithm>

namespace vigie::storage {

void WriteMetrics::observe(double seconds) {
  const auto it = std::lower_bound(kWriteLatencyBounds.begin(), kWriteLatencyBounds.end(), seconds);
  buckets_[static_cast<std::size_t>(it - kWriteLatencyBounds.begin())].fetch_add(1,
                                                                                 std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_nanos_.fetch_add(static_cast<std::uint64_t>(seconds * 1e9), std::memory_order_relaxed);
}

void WriteMetrics::record_success(double seconds, const WriteSummary& s) {
  observe(seconds);
  batches_.fetch_add(1, std::memory_order_relaxed);
  inserted_.fetch_add(s.inserted, std::memory_order_relaxed);
  duplicates_.fetch_add(s.duplicates, std::memory_order_relaxed);
}

void WriteMetrics::record_failure(double seconds) {
  observe(seconds);
  errors_.fetch_add(1, std::memory_order_relaxed);
}

void WriteMetrics::fill(StorageStats& out) const {
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    out.write_latency.bucket_counts[i] = buckets_[i].load(std::memory_order_relaxed);
  }
  out.write_latency.count = count_.load(std::memory_order_relaxed);
  out.write_latency.sum_seconds = static_cast<double>(sum_nanos_.load(std::memory_order_relaxed)) / 1e9;
  out.write_batches = batches_.load(std::memory_order_relaxed);
  out.write_errors = errors_.load(std::memory_order_relaxed);
  out.posts_inserted = inserted_.load(std::memory_order_relaxed);
  out.posts_duplicate = duplicates_.load(std::memory_order_relaxed);
}

}  // namespace vigie::storage
