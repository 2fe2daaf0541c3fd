// Every key Vigie writes to RocksDB, encoded and decoded in one place.
//
// Keys compare with RocksDB's default bytewise comparator, so each encoding is chosen for its byte order:
//   * times are int64 microseconds stored big-endian with the sign bit flipped, so that byte order equals
//   numeric
//     order for every value, negative ones included;
//   * a brand id is prefixed by its length in one byte. All keys of one brand then share the prefix
//     `len, brand`, and no brand can be a prefix of another brand's keys ("acme" and "acme2" differ in the
//     length byte), whatever bytes a brand id holds.
//
// Layouts (| separates fields, T = 8-byte ordered time, U = uid bytes, B = length-prefixed brand):
//   posts            U                 -> post value (value_codec)
//   posts_by_time    T(created_at)|U   -> post index value
//   mentions         B|T(created_at)|U -> mention value
//   series           B|T(minute start) -> counters (merge operands)
//   cursors          source id bytes   -> opaque position
//   incidents        id(8, big-endian) -> opaque value
//   incident_events  id(8, big-endian)|T|seq(8, big-endian) -> opaque value
//   outbox           seq(8, big-endian) -> opaque value
//   dead_letters     seq(8, big-endian) -> opaque value (the seq it had in the outbox)
//   detectors        detector state name bytes -> opaque value
//   silences         id(8, big-endian) -> opaque value
//   expectations     B|T(bucket start) -> expectation value (value_codec)
//   deliveries       incident id(8, big-endian)|seq(8, big-endian) -> empty (look in the outbox, then the dead
//                    letters) or the opaque record of a delivered notification
//   meta             ascii name        -> see schema.h
//
// All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ingest/base/timestamp.h"

namespace vigie::storage {

// Longest brand id a key can hold.
inline constexpr std::size_t kMaxBrandIdBytes = 255;

// Size of an encoded time.
inline constexpr std::size_t kTimeBytes = 8;

// Fixed-width order-preserving integers.
void put_ordered_time(std::string& out, Micros t);
void put_ordered_time(char* p, Micros t);  // writes kTimeBytes bytes
Micros get_ordered_time(const char* p);    // reads kTimeBytes bytes
void put_big_endian64(std::string& out, std::uint64_t v);
std::uint64_t get_big_endian64(const char* p);

// posts_by_time
std::string post_time_key(Micros created_at, std::string_view uid);
// Same key, written over `out`: lets a caller that builds many keys reuse one buffer.
void post_time_key(Micros created_at, std::string_view uid, std::string& out);
// The smallest key at time t: every key of an instant >= t sorts at or after it.
std::string post_time_bound(Micros t);
struct TimeUid {
  Micros time = 0;
  std::string_view uid;  // points into the decoded key
};
std::optional<TimeUid> decode_post_time_key(std::string_view key);

// Brand prefix; false when brand is empty or longer than kMaxBrandIdBytes.
bool valid_brand_id(std::string_view brand);
std::string brand_prefix(std::string_view brand);  // precondition: valid_brand_id(brand)

// mentions
std::string mention_key(std::string_view brand, Micros created_at, std::string_view uid);
void mention_key(std::string_view brand, Micros created_at, std::string_view uid, std::string& out);
std::string mention_bound(std::string_view brand, Micros t);
struct BrandTimeUid {
  std::string_view brand;
  Micros time = 0;
  std::string_view uid;
};
std::optional<BrandTimeUid> decode_mention_key(std::string_view key);

// series: one row per brand and UTC minute.
inline constexpr Micros kMicrosPerMinute = 60 * kMicrosPerSecond;
// Start of the minute holding t (floors toward minus infinity, so negative times land in the right minute).
Micros minute_start(Micros t);
// Floors t to a multiple of step (> 0), toward minus infinity.
Micros floor_to(Micros t, Micros step);
std::string series_key(std::string_view brand, Micros minute);
void series_key(std::string_view brand, Micros minute, std::string& out);
struct BrandTime {
  std::string_view brand;
  Micros time = 0;
};
std::optional<BrandTime> decode_series_key(std::string_view key);

// Retention reads only the time of a key; these return nullopt on a key too short to hold one.
std::optional<Micros> time_of_post_time_key(std::string_view key);
std::optional<Micros> time_of_brand_time_key(std::string_view key);  // mentions and series

// incident_events
std::string incident_event_key(std::uint64_t incident_id, Micros t, std::uint64_t seq);
struct IncidentEventKey {
  std::uint64_t incident_id = 0;
  Micros time = 0;
  std::uint64_t seq = 0;
};
std::optional<IncidentEventKey> decode_incident_event_key(std::string_view key);

// deliveries
std::string delivery_key(std::uint64_t incident_id, std::uint64_t seq);
struct DeliveryKey {
  std::uint64_t incident_id = 0;
  std::uint64_t seq = 0;
};
std::optional<DeliveryKey> decode_delivery_key(std::string_view key);

// incidents, outbox, dead_letters, silences, and the prefix of an incident's events and deliveries: one
// number.
std::string id_key(std::uint64_t id);
std::optional<std::uint64_t> decode_id_key(std::string_view key);

// meta
inline constexpr std::string_view kMetaSchemaVersionKey = "schema_version";

}  // namespace vigie::storage
