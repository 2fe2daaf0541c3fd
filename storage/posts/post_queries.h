// The read side of the posts tables: single posts, paginated listings of posts and of a brand's mentions, and
// the series counters aggregated over time. Reached through Database::queries(); query_types.h describes
// pagination and ranges.
//
// Thread-safety: any number of threads, concurrently with each other and with commits. A query may see a
// batch a moment before it is durable (see post_store.h).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/base/result.h"
#include "rules/scored_post.h"
#include "storage/posts/query_types.h"
#include "storage/posts/series_counters.h"

namespace vigie::storage {

struct DatabaseImpl;

class PostQueries {
 public:
  PostQueries(const PostQueries&) = delete;
  PostQueries& operator=(const PostQueries&) = delete;

  // A stored post; nullopt when unknown or deleted.
  Result<std::optional<rules::ScoredPost>> post(std::string_view uid) const;
  // Stored posts with from <= created_at < to, newest first. Fails on a bad limit or cursor.
  Result<Page<rules::ScoredPost>> posts(const PostQuery& q) const;
  // A brand's mentions with from <= created_at < to, newest first. Fails on a bad brand id, limit or cursor.
  Result<Page<Mention>> mentions(const MentionQuery& q) const;
  // The oldest of a brand's mentions with from <= created_at < to (the first post of an incident); nullopt
  // when there is none. One seek.
  Result<std::optional<Mention>> first_mention(const std::string& brand, Micros from, Micros to) const;
  // Top posts, authors and topics of a brand's mentions in [from, to) (mention_top.cc). Fails on a bad brand
  // id or limit.
  Result<MentionTop> top(const TopQuery& q) const;
  // A brand's counters in buckets of q.step from floor(q.from) to q.to, empty buckets included. Fails when
  // more than kMaxSeriesBuckets buckets would be returned.
  Result<std::vector<SeriesBucket>> series(const SeriesQuery& q) const;
  // Sum of a brand's minute rows whose minute starts in [from, to).
  Result<SeriesCounters> totals(std::string_view brand, Micros from, Micros to) const;
  // For each brand, the sum of its minute rows over the 24 hours up to now (the current minute included).
  Result<std::vector<BrandCount>> brand_counts(std::span<const std::string> brands, Micros now) const;

 private:
  friend class Database;
  explicit PostQueries(const DatabaseImpl& impl) : impl_(impl) {}

  const DatabaseImpl& impl_;
};

}  // namespace vigie::storage
