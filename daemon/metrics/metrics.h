// The process's Prometheus registry and the metrics the daemon itself owns (build, uptime, process_*, HTTP).
// Other parts register their own families into registry() at start-up, with label handles cached there, so
// that the hot path only increments.
//
// Thread-safety: every method is safe to call from any thread.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/metrics/brand_metrics.h"
#include "daemon/notify/delivery_metrics.h"

namespace vigie::daemon {

// One unlabelled sample as a family, for collectors that read their values at scrape time.
prometheus::MetricFamily single_metric(std::string name, std::string help, prometheus::MetricType type,
                                       double value);

class Metrics {
 public:
  Metrics();

  prometheus::Registry& registry() { return *registry_; }

  // Per-route HTTP instruments: the route label is the route's pattern, never the raw path.
  class Route {
   public:
    void observe(unsigned status, double seconds);

   private:
    friend class Metrics;
    Route(Metrics& m, std::string pattern);
    Metrics& metrics_;
    std::string pattern_;
    prometheus::Histogram* duration_;
    std::array<std::atomic<prometheus::Counter*>, 600> by_status_{};  // filled on first use of each code
  };
  // Returns the instruments of `pattern`, creating them once. The reference stays valid for the Metrics'
  // life.
  Route& route(const std::string& pattern);

  // The delivery worker's instruments (vigie_notifications_total, vigie_outbox_*, vigie_dead_letters).
  DeliveryMetrics& delivery() { return delivery_; }

  // The brands' mentions, reach, sentiment, topics and incident events (vigie_mentions_total, ...).
  BrandMetrics& brands() { return brands_; }

  // Adds a collector read at every scrape (e.g. storage statistics), until remove_collectable().
  void add_collectable(std::shared_ptr<prometheus::Collectable> c);
  void remove_collectable(const std::shared_ptr<prometheus::Collectable>& c);

  // Text exposition format of everything registered.
  std::string render();

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& http_requests_;
  prometheus::Family<prometheus::Histogram>& http_duration_;
  prometheus::Gauge& uptime_;
  double start_seconds_;
  DeliveryMetrics delivery_;
  BrandMetrics brands_;
  std::mutex routes_mu_;
  std::vector<std::unique_ptr<Route>> routes_;
  std::mutex collectables_mu_;
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables_;
};

}  // namespace vigie::daemon
