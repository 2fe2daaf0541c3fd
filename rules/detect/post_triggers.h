// Per-post crisis detection: a single post about a brand that is an incident on its own, without waiting for a
// window. Pure logic over a scored post.
//
// - Critical keyword: the post matched the brand and a topic of severity critical ("data breach", "fuite de
//   données", "boycott", "rappel produit"). The finding is critical.
// - Influencer: the post matched the brand, its sentiment label is negative, and its author has at least
//   `followers` followers (unknown counts, -1, never qualify). Warning; critical from `critical_followers`.
//
// Deletions (ingest::Kind::del) trigger nothing; every other kind, edits and reposts included, does: the
// incident book deduplicates by post uid and brand.
//
// Thread-safety: free functions over immutable data; safe from any thread.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "ingest/base/result.h"
#include "rules/detect/crisis_finding.h"
#include "rules/scored_post.h"

namespace vigie::rules {

class RuleSet;

struct PostTriggerOptions {
  bool critical_keyword_enabled = true;
  bool influencer_enabled = true;
  std::int64_t followers = 100'000;             // influencer threshold
  std::int64_t critical_followers = 1'000'000;  // from then on an influencer finding is critical
};

// Checks 1 <= followers <= critical_followers.
Result<void> validate(const PostTriggerOptions& options);

// The findings `post` raises for `brand` (a brand id): none, one or both of critical_keyword then influencer,
// with at = window_start = the post's created_at, onset true and post_uid set. Nothing when the post did not
// match the brand. When `rules` is given (the set that produced post.matches), a critical topic restricted to
// other brands (`brands:` in the rule file) does not count for this one: a post naming two brands may be a
// breach at one of them only.
std::vector<Finding> post_trigger_findings(const ScoredPost& post, std::string_view brand,
                                           const PostTriggerOptions& options, const RuleSet* rules = nullptr);

// "1.2M", "150k", "980": a follower count as a summary shows it.
std::string format_followers(std::int64_t followers);

}  // namespace vigie::rules
