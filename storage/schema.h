// The column families of Vigie's database and the schema version guarding them.
//
// Each column family has one job (layouts in key_codec.h and value_codec.h):
//   posts            every stored post with its score, by uid; the dedup table
//   posts_by_time    index of posts by created_at, for the newest-first post listing
//   mentions         one row per (brand, post): the timeline of a brand
//   series           per-brand, per-minute counters, updated by merge operands
//   cursors          each source's position, committed with the posts it produced
//   incidents        every incident, by id (increasing)
//   incident_events  each incident's timeline, by incident and event time
//   outbox           notifications waiting for delivery, in the order they were committed
//   dead_letters     notifications whose delivery gave up, kept for inspection
//   detectors        crisis detector state (baselines, windows, watermark): survives restarts
//   silences         silences of incident notifications, by id
//   expectations     per-brand, per-bucket counts the volume detectors expected, recorded as they ran
//   deliveries       each notification of an incident, by incident and outbox seq: where it is, and once
//                    delivered (it then leaves the outbox) its outcome
//   meta             the schema version
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vigie::storage {

// Version of the whole layout. A build opens databases of this version or older and refuses newer ones.
// Bump it with any change an older build would misread, and teach open() to migrate older ones.
// 2: series counters gained `scored` (version 1 rows are still read; open() upgrades the stored number).
// 3: mention rows gained pos/neu/neg and the lexicon (version 1 rows are still read); the expectations and
//    deliveries tables.
inline constexpr std::uint32_t kSchemaVersion = 3;

enum class Cf : std::size_t {
  posts,
  posts_by_time,
  mentions,
  series,
  cursors,
  incidents,
  incident_events,
  outbox,
  meta,
  dead_letters,
  detectors,
  silences,
  expectations,
  deliveries,
  count_  // not a column family
};

inline constexpr std::array<std::string_view, static_cast<std::size_t>(Cf::count_)> kCfNames = {
    "posts",  "posts_by_time", "mentions",     "series",    "cursors",  "incidents",    "incident_events",
    "outbox", "meta",          "dead_letters", "detectors", "silences", "expectations", "deliveries"};

constexpr std::string_view cf_name(Cf cf) {
  return kCfNames[static_cast<std::size_t>(cf)];
}

}  // namespace vigie::storage
