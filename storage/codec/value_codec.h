// Every value Vigie writes to RocksDB, encoded and decoded in one place.
//
// Each value starts with a one-byte format version. A decoder accepts the versions it knows and refuses newer
// ones with an error naming both, so that rows written by a newer Vigie are never misread; the database-wide
// guard is the schema version in meta (schema.h), checked at open.
//
// Building blocks: strings are a LEB128 length then the bytes; signed integers are zigzag LEB128; floats are
// IEEE-754 binary32 little-endian; fixed-position fields are noted below.
//
// All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ingest/base/result.h"
#include "rules/scored_post.h"
#include "storage/crisis/crisis_rows.h"
#include "storage/posts/query_types.h"
#include "storage/posts/series_counters.h"

namespace vigie::storage {

// ---- posts: uid -> the scored post, or a tombstone ----
// Layout v1: version(1) | created_at (8, key_codec ordered time: fixed offset 1, read by retention) |
// flags(1, bit 0 = tombstone) | the rest of the post unless tombstoned.
inline constexpr std::uint8_t kPostValueVersion = 1;

void encode_post(const rules::ScoredPost& p, std::string& out);
void encode_tombstone(Micros created_at, std::string& out);

struct StoredPost {
  bool deleted = false;
  rules::ScoredPost scored;  // post.uid is filled from the key; only created_at is meaningful for a tombstone
};
// uid is the key the value was read under.
Result<StoredPost> decode_post(std::string_view uid, std::string_view value);
// created_at of a post or tombstone value, without decoding the rest; nullopt on a value too short or of an
// unknown version.
std::optional<Micros> post_value_time(std::string_view value);

// ---- posts_by_time: (created_at, uid) -> platform and source, so that filters need not read the post ----
inline constexpr std::uint8_t kPostIndexVersion = 1;
void encode_post_index(std::string_view platform, std::string_view source, std::string& out);
struct PostIndexValue {
  std::string_view platform;  // point into the decoded value
  std::string_view source;
};
Result<PostIndexValue> decode_post_index(std::string_view value);

// ---- mentions: (brand, created_at, uid) -> the fields a timeline needs ----
// The fields the mention filters test come first, so that a rejected row is not decoded further.
// Layout v2: version(1) | label(1) followers(zigzag) lang platform | kind(1) source compound(f32)
// reach(zigzag) handle name title text url | topic count(varint) topics | pos neu neg (f32 each) |
// lexicon byte (as in posts: 0 unscored, 1 scored in its own language, 2 English, 3 French).
// Version 1 ended after the topics; its rows still decode, with Mention::detailed_sentiment false.
inline constexpr std::uint8_t kMentionValueVersion = 2;
void encode_mention(const rules::ScoredPost& p, std::string& out);
struct MentionHead {
  rules::Label label = rules::Label::neutral;
  std::int64_t followers = -1;
  std::string_view lang;
  std::string_view platform;
};
Result<MentionHead> decode_mention_head(std::string_view value);
// Fills every field of `out` held in the value (not brand, uid and created_at, which come from the key).
Result<void> decode_mention(std::string_view value, Mention& out);
// The mention a newly stored post makes for `brand`, as the mentions query will read it back (the event
// stream sends it before any query could). Keep in step with encode_mention: a test compares the two.
Mention mention_of(const rules::ScoredPost& p, std::string_view brand);

// ---- expectations: (brand, bucket start) -> what the volume detectors expected of the bucket ----
// Layout v1: version(1) | flags(1: bit 0 mentions present, bit 1 negative present) | mentions (float64 LE) |
// negative (float64 LE); an absent number is written as 0.
inline constexpr std::uint8_t kExpectationVersion = 1;
void encode_expectation(const BucketExpectation& e, std::string& out);
// nullopt on a value of another size or version.
std::optional<BucketExpectation> decode_expectation(std::string_view value);

// ---- series: counters, as both stored values and merge operands ----
// Layout v1: version(1) | six int64 fields, 8 bytes each, little-endian: fixed size, cheap to merge.
// Version 2 added `scored`; version 1 values (without it) still decode, as if every mention was scored.
inline constexpr std::uint8_t kCountersVersion = 2;
inline constexpr std::size_t kCountersValueBytes = 1 + 7 * 8;
inline constexpr std::size_t kCountersV1ValueBytes = 1 + 6 * 8;
void encode_counters(const SeriesCounters& c, std::string& out);
std::optional<SeriesCounters> decode_counters(std::string_view value);

// ---- meta ----
void encode_schema_version(std::uint32_t v, std::string& out);
std::optional<std::uint32_t> decode_schema_version(std::string_view value);

}  // namespace vigie::storage
