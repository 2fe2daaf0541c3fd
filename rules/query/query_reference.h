// A plain, obviously-correct evaluator of queries and rule specs: no prefilter, no RE2 for terms, no marked
// text; terms are found by trying every code-point position and NEAR by comparing every pair of occurrences.
//
// It restates the semantics documented in boolean_query.h and word_boundary.h independently of RuleSet, so
// the property test can check that the fast engine agrees with it. Far too slow for production.
//
// Thread-safety: pure functions, safe to call concurrently.
#pragma once

#include <string_view>
#include <vector>

#include "ingest/post.h"
#include "rules/query/boolean_query.h"
#include "rules/rule_set.h"
#include "rules/scored_post.h"

namespace vigie::rules {

// Whether `query` is true for `post` whose detected language is `lang`.
bool reference_eval(const QueryNode& query, const ingest::Post& post, std::string_view lang);

// The matches RuleSet::match would append for `spec`, in the same order.
std::vector<Match> reference_match(const RuleSetSpec& spec, const ingest::Post& post, std::string_view lang);

}  // namespace vigie::rules
