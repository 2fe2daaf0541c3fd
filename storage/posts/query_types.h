// What the queries of PostQueries (post_queries.h) take and return: plain structs, so that the HTTP layer only maps
// parameters in and JSON out.
//
// Pagination: a query returns at most `limit` items newest first and, when more may follow, an opaque
// `next_cursor` (URL-safe base64, no padding). Passing it back as `cursor` with the same query returns the
// items strictly older than the last one seen. The cursor is a position, not a snapshot: posts stored after
// the first page (newer ones, typically) never shift later pages, so a walk has neither gaps nor repeats.
// A filtered page examines at most DatabaseOptions::max_scan_per_page rows to bound its latency, so a page
// may hold fewer than `limit` items (even none) and still carry a next_cursor: only an empty next_cursor ends
// a walk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/base/timestamp.h"
#include "rules/scored_post.h"

namespace vigie::storage {

// Page sizes accepted by the queries.
inline constexpr std::size_t kMaxPageLimit = 1000;

template <class T>
struct Page {
  std::vector<T> items;
  std::string next_cursor;  // empty: no more items
};

// Time ranges are half-open: from <= t < to.
struct PostQuery {
  Micros from = 0;
  Micros to = 0;
  std::optional<std::string> platform;  // exact match
  std::optional<std::string> source;    // exact match
  std::size_t limit = 100;              // 1..kMaxPageLimit
  std::string cursor;                   // from a previous Page::next_cursor, or empty
};

struct MentionQuery {
  std::string brand;
  Micros from = 0;
  Micros to = 0;
  std::optional<rules::Label> sentiment;
  std::optional<std::int64_t> min_followers;  // authors with unknown followers (-1) never pass
  std::optional<std::string> lang;
  std::optional<std::string> platform;
  std::size_t limit = 100;
  std::string cursor;
};

// One brand's view of one post: what a timeline shows.
struct Mention {
  std::string brand;
  std::string uid;
  Micros created_at = 0;
  ingest::Kind kind = ingest::Kind::post;
  std::string platform;
  std::string source;
  std::string lang;
  std::string author_handle;
  std::string author_name;
  std::int64_t followers = -1;
  std::int64_t reach = 0;
  std::string title;
  std::string text;
  std::string url;
  float compound = 0;
  rules::Label label = rules::Label::neutral;
  // The rest of the post's sentiment (rules::Sentiment), held by rows written since mention format 2; a row
  // of format 1 has detailed_sentiment false and these at their defaults.
  bool detailed_sentiment = false;
  float pos = 0;
  float neu = 1;
  float neg = 0;
  bool scored = false;
  std::string_view lexicon;         // "en", "fr" or "" (static strings)
  std::vector<std::string> topics;  // ids of the topic rules the post matched

  bool operator==(const Mention&) const = default;
};

// The most-read posts, the loudest authors and the most frequent topics among a brand's mentions in a window
// (PostQueries::top): what an incident page and a brand view show beside their charts.
struct TopQuery {
  std::string brand;
  Micros from = 0;
  Micros to = 0;
  std::optional<rules::Label> sentiment;  // only mentions of this label count
  std::size_t limit = 10;                 // of each list, 1..kMaxPageLimit
  // Mentions examined at most, newest first: bounds the cost of a wide window on a busy brand.
  std::size_t max_scan = 50'000;
};

struct AuthorTally {
  std::string platform;
  std::string handle;
  std::string name;             // as of their newest mention in the window
  std::int64_t followers = -1;  // as of their newest mention; -1 unknown
  std::int64_t mentions = 0;
  std::int64_t reach = 0;  // sum over their mentions
  std::int64_t negative = 0;
};

struct TopicTally {
  std::string id;
  std::int64_t mentions = 0;
  std::int64_t negative = 0;
};

struct MentionTop {
  std::vector<Mention> posts;        // by reach, highest first; the newest among equals
  std::vector<AuthorTally> authors;  // by reach, then mentions, highest first
  std::vector<TopicTally> topics;    // by mentions, then negative, highest first
  std::int64_t examined = 0;         // mentions examined (that passed the sentiment filter or not)
  // The window held more than max_scan mentions: the lists cover the newest max_scan only, from
  // examined_from on.
  bool truncated = false;
  Micros examined_from = 0;  // created_at of the oldest mention examined; 0 when none
};

enum class SeriesStep : std::uint8_t { minute, five_minutes, hour, day };
// "1m", "5m", "1h", "1d".
std::optional<SeriesStep> parse_series_step(std::string_view s);
std::string_view to_string(SeriesStep s);
Micros step_micros(SeriesStep s);

// Buckets start at floor(from / step) * step (UTC-aligned) and cover every step up to `to` (exclusive); at
// most kMaxSeriesBuckets of them.
inline constexpr std::size_t kMaxSeriesBuckets = 100'000;
struct SeriesQuery {
  std::string brand;
  Micros from = 0;
  Micros to = 0;
  SeriesStep step = SeriesStep::hour;
};

struct SeriesBucket {
  Micros t = 0;  // start of the bucket
  std::int64_t count = 0;
  std::int64_t positive = 0;
  std::int64_t neutral = 0;
  std::int64_t negative = 0;
  double mean_compound = 0;  // 0 for an empty bucket
  std::int64_t reach = 0;
};

struct BrandCount {
  std::string brand;
  std::int64_t count = 0;
  std::int64_t positive = 0;
  std::int64_t neutral = 0;
  std::int64_t negative = 0;
  std::int64_t reach = 0;
};

}  // namespace vigie::storage
