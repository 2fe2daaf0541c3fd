#include "daemon/metrics/incident_metrics.h"

#include <prometheus/metric_family.h>

#include <map>

namespace vigie::daemon {

std::vector<prometheus::MetricFamily> IncidentsCollector::Collect() const {
  std::map<std::pair<std::string, rules::Severity>, int> open;
  for (const Incident& inc : book_.active_incidents())
    ++open[{inc.brand, inc.severity}];
  prometheus::MetricFamily f{"vigie_incidents_open",
                             "Incidents not resolved yet, by brand and severity",
                             prometheus::MetricType::Gauge,
                             {}};
  for (const std::string& brand : brands_.brands()) {
    for (const rules::Severity s :
         {rules::Severity::info, rules::Severity::warning, rules::Severity::critical}) {
      prometheus::ClientMetric m;
      m.label = {{"brand", brand}, {"severity", std::string(rules::to_string(s))}};
      const auto it = open.find({brand, s});
      m.gauge.value = it == open.end() ? 0 : it->second;
      f.metric.push_back(std::move(m));
    }
  }
  return {std::move(f)};
}

}  // namespace vigie::daemon
