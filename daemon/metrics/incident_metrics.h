// Exports vigie_incidents_open{brand, severity}: the incidents not resolved yet, read from the incident book at
// every scrape. The book loads its active incidents from storage when it opens, so the gauge is right from the
// first scrape after a restart, and it never drifts from what the API lists.
//
// Every brand of the rules in force has a sample for each severity (0 when none is open), so an alert or a
// panel sees "no incident" rather than no data; incidents of a brand no longer in the rules are left out (the
// book resolves them at its next step).
//
// Thread-safety: Collect() may run on any thread; the book and the brand metrics must outlive the
// collector's registration (the daemon removes it before closing crisis detection).
#pragma once

#include <prometheus/collectable.h>

#include "daemon/crisis/incident_book.h"
#include "daemon/metrics/brand_metrics.h"

namespace vigie::daemon {

class IncidentsCollector final : public prometheus::Collectable {
 public:
  IncidentsCollector(const IncidentBook& book, const BrandMetrics& brands) : book_(book), brands_(brands) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const IncidentBook& book_;
  const BrandMetrics& brands_;
};

}  // namespace vigie::daemon
