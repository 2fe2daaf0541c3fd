// Scoring: what turns a Post into a ScoredPost (language, sentiment, rule matches).
#pragma once

#include "rules/scored_post.h"

namespace vigie::rules {

// Pure and thread-safe: score() may run on any thread, concurrently, and depends only on the post and on the
// scorer's immutable state. A rule reload builds a new Scorer and swaps it in whole, so no post is ever
// scored by half a rule set.
class Scorer {
 public:
  virtual ~Scorer() = default;
  virtual ScoredPost score(const ingest::Post& post) const = 0;
  // The same, taking the post (no copy of its text into the ScoredPost where the scorer can move it).
  virtual ScoredPost score(ingest::Post&& post) const {
    return score(static_cast<const ingest::Post&>(post));
  }
};

}  // namespace vigie::rules
