// The counters of one series row (one brand, one UTC minute) and what one stored mention adds to them.
//
// Sums of the sentiment compound are kept in fixed point (millionths, int64) rather than as doubles: integer
// addition is associative and exact, so merge operands may be combined in any order RocksDB picks, and an
// edit that subtracts what a post added earlier cancels it to the last digit. |compound| <= 1, so an int64
// holds the sum of 9e12 mentions.
//
// Plain value type; thread-compatible.
#pragma once

#include <cstdint>

#include "rules/scored_post.h"

namespace vigie::storage {

inline constexpr double kCompoundScale = 1e6;

struct SeriesCounters {
  std::int64_t count = 0;
  std::int64_t positive = 0;
  std::int64_t neutral = 0;
  std::int64_t negative = 0;
  std::int64_t compound_micros = 0;  // sum of compound, in millionths
  std::int64_t reach = 0;            // sum of reach
  // Mentions whose sentiment was scored (their language has a lexicon). The others count as neutral with a
  // compound of 0: means of the compound divide compound_micros by this, not by count.
  std::int64_t scored = 0;

  SeriesCounters& operator+=(const SeriesCounters& o);
  SeriesCounters operator-() const;
  bool is_zero() const;
  double compound_sum() const { return static_cast<double>(compound_micros) / kCompoundScale; }
  bool operator==(const SeriesCounters&) const = default;
};

// Potential audience of a post: the author's followers when the platform said, else 0.
std::int64_t reach_of(const ingest::Post& post);

// What one mention of a brand by this post adds to the brand's row: count 1, one of the three labels,
// its compound, its reach, and scored 1 when its sentiment was scored.
SeriesCounters contribution(const rules::ScoredPost& post);

}  // namespace vigie::storage
