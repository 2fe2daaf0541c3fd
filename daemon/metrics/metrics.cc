#include "daemon/metrics/metrics.h"

#include <prometheus/text_serializer.h>

#include <chrono>

#include "daemon/metrics/process_metrics.h"
#include "daemon/version.h"

namespace vigie::daemon {
namespace {

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      http_requests_(prometheus::BuildCounter()
                         .Name("vigie_http_requests_total")
                         .Help("HTTP requests served, by route pattern and status code")
                         .Register(*registry_)),
      http_duration_(prometheus::BuildHistogram()
                         .Name("vigie_http_request_duration_seconds")
                         .Help("Time to handle a request, from routing to response ready, by route pattern")
                         .Register(*registry_)),
      uptime_(prometheus::BuildGauge()
                  .Name("vigie_uptime_seconds")
                  .Help("Seconds since the process started")
                  .Register(*registry_)
                  .Add({})),
      start_seconds_(now_seconds()),
      delivery_(*registry_),
      brands_(*registry_) {
  prometheus::BuildGauge()
      .Name("vigie_build_info")
      .Help("Always 1; labels say which build is running")
      .Register(*registry_)
      .Add({{"version", kVersion}, {"revision", kRevision}, {"compiler", kCompiler}})
      .Set(1);
  prometheus::BuildGauge()
      .Name("process_start_time_seconds")
      .Help("Start time of the process since the Unix epoch in seconds")
      .Register(*registry_)
      .Add({})
      .Set(start_seconds_);
  collectables_.push_back(std::make_shared<ProcessCollector>());
}

Metrics::Route::Route(Metrics& m, std::string pattern)
    : metrics_(m),
      pattern_(std::move(pattern)),
      duration_(&m.http_duration_.Add({{"route", pattern_}}, prometheus::Histogram::BucketBoundaries{
                                                                 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                                 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10})) {}

void Metrics::Route::observe(unsigned status, double seconds) {
  duration_->Observe(seconds);
  if (status >= by_status_.size()) status = 0;
  prometheus::Counter* c = by_status_[status].load(std::memory_order_acquire);
  if (!c) {
    // Family::Add returns the same child for the same labels, so a race here only repeats a lookup.
    c = &metrics_.http_requests_.Add({{"route", pattern_}, {"code", std::to_string(status)}});
    by_status_[status].store(c, std::memory_order_release);
  }
  c->Increment();
}

Metrics::Route& Metrics::route(const std::string& pattern) {
  std::lock_guard lock(routes_mu_);
  for (auto& r : routes_)
    if (r->pattern_ == pattern) return *r;
  routes_.push_back(std::unique_ptr<Route>(new Route(*this, pattern)));
  return *routes_.back();
}

void Metrics::add_collectable(std::shared_ptr<prometheus::Collectable> c) {
  std::lock_guard lock(collectables_mu_);
  collectables_.push_back(std::move(c));
}

void Metrics::remove_collectable(const std::shared_ptr<prometheus::Collectable>& c) {
  std::lock_guard lock(collectables_mu_);
  std::erase(collectables_, c);
}

std::string Metrics::render() {
  uptime_.Set(now_seconds() - start_seconds_);
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  std::lock_guard lock(collectables_mu_);
  for (const auto& c : collectables_) {
    auto more = c->Collect();
    families.insert(families.end(), std::make_move_iterator(more.begin()),
                    std::make_move_iterator(more.end()));
  }
  return prometheus::TextSerializer().Serialize(families);
}

prometheus::MetricFamily single_metric(std::string name, std::string help, prometheus::MetricType type,
                                       double value) {
  prometheus::MetricFamily f{std::move(name), std::move(help), type, {}};
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter)
    m.counter.value = value;
  else
    m.gauge.value = value;
  f.metric.push_back(std::move(m));
  return f;
}

}  // namespace vigie::daemon
