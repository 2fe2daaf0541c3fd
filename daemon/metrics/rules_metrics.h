// Exports the rules in force as vigie_rules_* metrics, read at every scrape: how many brands, topics and
// RE2 patterns are compiled, and vigie_rules_dfa_fallbacks_total, the posts for which RE2's DFA ran out of
// memory and the slow exact path matched instead (a rule set that grew too big for its memory budget; see
// rules/rule_set.h).
//
// The counter lives in each compiled RuleSet and a reload replaces the set: retire() banks the old set's
// count so that the exported counter never goes down.
//
// Thread-safety: Collect() and retire() may run on any thread.
#pragma once

#include <prometheus/collectable.h>

#include <atomic>
#include <memory>

#include "rules/post_scorer.h"

namespace vigie::daemon {

class RulesCollector final : public prometheus::Collectable {
 public:
  using ScorerSlot = std::atomic<std::shared_ptr<const rules::PostScorer>>;
  // `in_force` must outlive the collector's registration.
  explicit RulesCollector(const ScorerSlot& in_force) : in_force_(in_force) {}

  // Called with the scorer a reload replaced.
  void retire(const rules::PostScorer& old);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const ScorerSlot& in_force_;
  std::atomic<std::uint64_t> retired_fallbacks_{0};
};

}  // namespace vigie::daemon
