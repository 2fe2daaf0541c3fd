// Per-source Prometheus instruments, label handles created once per source so the hot path only increments.
// Families: vigie_source_up, vigie_source_posts_total, vigie_source_errors_total{kind},
// vigie_source_reconnects_total, vigie_source_lag_seconds.
//
// Thread-safety: instruments are safe to update from any thread.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <string>

namespace vigie::ingest {

class SourceMetrics {
 public:
  SourceMetrics(prometheus::Registry& registry, const std::string& source, const std::string& type);

  prometheus::Gauge& up;           // 1 while connected / reading
  prometheus::Counter& posts;      // posts handed to the pipeline
  prometheus::Counter& malformed;  // events that could not be parsed, skipped
  prometheus::Counter& network;    // connection and protocol failures
  prometheus::Counter& truncated;  // partial records dropped at a stream's end
  prometheus::Counter& gaps;       // resumes that found events lost (cursor older than a replay window)
  prometheus::Counter& reconnects;
  prometheus::Gauge& lag_seconds;  // now - created_at of the last post handed on
};

}  // namespace vigie::ingest
