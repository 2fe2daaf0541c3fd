#include "daemon/metrics/rules_metrics.h"

#include <prometheus/metric_family.h>

#include "daemon/metrics/metrics.h"

namespace vigie::daemon {
namespace {

std::uint64_t fallbacks(const rules::PostScorer& s) {
  return s.rules() ? s.rules()->dfa_fallbacks() : 0;
}

}  // namespace

void RulesCollector::retire(const rules::PostScorer& old) {
  retired_fallbacks_.fetch_add(fallbacks(old), std::memory_order_relaxed);
}

std::vector<prometheus::MetricFamily> RulesCollector::Collect() const {
  using prometheus::MetricType;
  const std::shared_ptr<const rules::PostScorer> scorer = in_force_.load();
  const rules::RuleSet* r = scorer ? scorer->rules() : nullptr;
  std::vector<prometheus::MetricFamily> out;
  out.push_back(single_metric("vigie_rules_brands", "Brands in the rules in force", MetricType::Gauge,
                              r ? static_cast<double>(r->brand_count()) : 0));
  out.push_back(single_metric("vigie_rules_topics", "Topics in the rules in force", MetricType::Gauge,
                              r ? static_cast<double>(r->topic_count()) : 0));
  out.push_back(single_metric("vigie_rules_patterns", "RE2 patterns compiled for the rules in force",
                              MetricType::Gauge, r ? static_cast<double>(r->pattern_count()) : 0));
  const std::uint64_t current = scorer ? fallbacks(*scorer) : 0;
  out.push_back(single_metric(
      "vigie_rules_dfa_fallbacks_total",
      "Posts matched by the slow exact path because RE2's DFA ran out of memory", MetricType::Counter,
      static_cast<double>(retired_fallbacks_.load(std::memory_order_relaxed) + current)));
  return out;
}

}  // namespace vigie::daemon
