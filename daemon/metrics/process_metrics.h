// The standard process_* metrics of Prometheus client libraries, read from /proc at every scrape:
// process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes, process_open_fds,
// process_max_fds (process_start_time_seconds is Metrics' own). Dashboards written for any exporter read them.
//
// Where /proc cannot be read (not Linux), the families are left out rather than exported as 0.
//
// Thread-safety: Collect() may run on any thread.
#pragma once

#include <prometheus/collectable.h>

namespace vigie::daemon {

class ProcessCollector final : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace vigie::daemon
