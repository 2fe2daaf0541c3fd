#include "daemon/metrics/storage_metrics.h"

#include <prometheus/metric_family.h>

#include "daemon/metrics/metrics.h"

namespace vigie::daemon {

std::vector<prometheus::MetricFamily> StorageCollector::Collect() const {
  using prometheus::MetricType;
  const storage::StorageStats s = db_.stats();
  std::vector<prometheus::MetricFamily> out;
  out.push_back(single_metric("vigie_storage_disk_bytes", "Bytes of every file in the database directory",
                              MetricType::Gauge, static_cast<double>(s.disk_bytes)));
  out.push_back(single_metric("vigie_storage_sst_bytes", "Bytes of SST files, all column families",
                              MetricType::Gauge, static_cast<double>(s.sst_bytes)));
  out.push_back(single_metric("vigie_storage_wal_bytes", "Bytes of live write-ahead log files",
                              MetricType::Gauge, static_cast<double>(s.wal_bytes)));
  out.push_back(single_metric("vigie_storage_memtable_bytes", "Bytes held in memtables", MetricType::Gauge,
                              static_cast<double>(s.memtable_bytes)));
  out.push_back(single_metric("vigie_storage_pending_compaction_bytes",
                              "Estimated bytes compaction still has to rewrite", MetricType::Gauge,
                              static_cast<double>(s.pending_compaction_bytes)));
  out.push_back(single_metric("vigie_storage_writable",
                              "1 while storage takes writes; 0 once a failed WAL fsync made it refuse every "
                              "write until a restart",
                              MetricType::Gauge, db_.writable() ? 1 : 0));
  out.push_back(single_metric("vigie_storage_write_stopped", "1 while RocksDB stops writes (a stall)",
                              MetricType::Gauge, s.write_stopped ? 1 : 0));
  out.push_back(single_metric("vigie_storage_delayed_write_rate_bytes",
                              "Write rate RocksDB throttles to; 0 when not delayed", MetricType::Gauge,
                              static_cast<double>(s.delayed_write_rate)));
  out.push_back(single_metric("vigie_storage_write_stall_slowdowns_total", "Write slowdowns RocksDB imposed",
                              MetricType::Counter, static_cast<double>(s.write_stall_slowdowns)));
  out.push_back(single_metric("vigie_storage_write_stall_stops_total", "Write stops RocksDB imposed",
                              MetricType::Counter, static_cast<double>(s.write_stall_stops)));
  out.push_back(single_metric("vigie_storage_write_errors_total", "Batch writes that failed",
                              MetricType::Counter, static_cast<double>(s.write_errors)));
  out.push_back(single_metric(
      "vigie_storage_wal_sync_failures_total",
      "WAL fsyncs that failed (every one after the first refuses writes under sync: every_batch)",
      MetricType::Counter, static_cast<double>(s.wal_sync_failures)));

  prometheus::MetricFamily latency{"vigie_storage_write_seconds",
                                   "Time to commit one batch write, sync included",
                                   MetricType::Histogram,
                                   {}};
  prometheus::ClientMetric h;
  h.histogram.sample_count = s.write_latency.count;
  h.histogram.sample_sum = s.write_latency.sum_seconds;
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < storage::kWriteLatencyBounds.size(); ++i) {
    cumulative += s.write_latency.bucket_counts[i];
    h.histogram.bucket.push_back({cumulative, storage::kWriteLatencyBounds[i]});
  }
  h.histogram.bucket.push_back({s.write_latency.count, std::numeric_limits<double>::infinity()});
  latency.metric.push_back(std::move(h));
  out.push_back(std::move(latency));
  return out;
}

}  // namespace vigie::daemon
