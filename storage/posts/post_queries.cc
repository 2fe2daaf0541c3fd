// PostQueries: single posts, paginated listings and series aggregation.
#include "storage/posts/post_queries.h"

#include <rocksdb/db.h>
#include <rocksdb/snapshot.h>

#include "storage/codec/key_codec.h"
#include "storage/codec/page_cursor.h"
#include "storage/codec/value_codec.h"
#include "storage/database_impl.h"
#include "storage/status_error.h"

namespace vigie::storage {
namespace {

constexpr Micros kMicrosPerDay = 86400 * kMicrosPerSecond;

Result<void> check_limit(std::size_t limit) {
  if (limit < 1 || limit > kMaxPageLimit) {
    return error("storage: limit must be between 1 and " + std::to_string(kMaxPageLimit) + ", got " +
                 std::to_string(limit));
  }
  return ok();
}

Result<void> check_brand(std::string_view brand) {
  if (!valid_brand_id(brand)) {
    return error("storage: invalid brand id (1 to " + std::to_string(kMaxBrandIdBytes) + " bytes)");
  }
  return ok();
}

// Reads a brand's series rows with minute start in [from, to) in time order, handing each to f(minute,
// counters).
template <class F>
Result<void> scan_series(const DatabaseImpl& impl, std::string_view brand, Micros from, Micros to, F&& f) {
  if (from >= to) return ok();
  RangeScan it(impl, Cf::series, series_key(brand, from), series_key(brand, to));
  for (it->Seek(it.lower()); it->Valid(); it->Next()) {
    const auto t = time_of_brand_time_key(it->key().ToStringView());
    const auto c = decode_counters(it->value().ToStringView());
    if (!t || !c) return error("storage: corrupt series row of brand " + std::string(brand));
    f(*t, *c);
  }
  if (!it->status().ok()) return status_error("read series of brand " + std::string(brand), it->status());
  return ok();
}

}  // namespace

std::optional<SeriesStep> parse_series_step(std::string_view s) {
  if (s == "1m") return SeriesStep::minute;
  if (s == "5m") return SeriesStep::five_minutes;
  if (s == "1h") return SeriesStep::hour;
  if (s == "1d") return SeriesStep::day;
  return std::nullopt;
}

std::string_view to_string(SeriesStep s) {
  switch (s) {
    case SeriesStep::minute:
      return "1m";
    case SeriesStep::five_minutes:
      return "5m";
    case SeriesStep::hour:
      return "1h";
    case SeriesStep::day:
      return "1d";
  }
  return "1h";
}

Micros step_micros(SeriesStep s) {
  switch (s) {
    case SeriesStep::minute:
      return kMicrosPerMinute;
    case SeriesStep::five_minutes:
      return 5 * kMicrosPerMinute;
    case SeriesStep::hour:
      return 60 * kMicrosPerMinute;
    case SeriesStep::day:
      return kMicrosPerDay;
  }
  return 60 * kMicrosPerMinute;
}

Result<std::optional<rules::ScoredPost>> PostQueries::post(std::string_view uid) const {
  rocksdb::PinnableSlice value;
  const rocksdb::Status s = impl_.db->Get(rocksdb::ReadOptions(), impl_.cf(Cf::posts),
                                          rocksdb::Slice(uid.data(), uid.size()), &value);
  if (s.IsNotFound()) return std::optional<rules::ScoredPost>();
  if (!s.ok()) return status_error("read post " + std::string(uid), s);
  auto d = decode_post(uid, value.ToStringView());
  if (!d) return d.error();
  if (d->deleted) return std::optional<rules::ScoredPost>();
  return std::optional<rules::ScoredPost>(std::move(d->scored));
}

Result<Page<rules::ScoredPost>> PostQueries::posts(const PostQuery& q) const {
  if (auto r = check_limit(q.limit); !r) return r.error();
  Page<rules::ScoredPost> page;
  std::string lower = post_time_bound(q.from);
  std::string upper = post_time_bound(q.to);
  if (!q.cursor.empty()) {
    auto pos = decode_page_cursor(CursorKind::posts, q.cursor);
    if (!pos) return pos.error();
    if (pos->size() < kTimeBytes) return error("storage: invalid cursor");
    // Rows strictly older than the last one the previous page examined: the position is an exclusive bound.
    if (*pos < upper) upper = std::move(*pos);
  }
  if (q.from >= q.to || upper <= lower) return page;

  // One snapshot for the index scan and the post reads, so that a page is a consistent view.
  rocksdb::ManagedSnapshot snapshot(impl_.db.get());
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot.snapshot();
  RangeScan it(impl_, Cf::posts_by_time, lower, upper, ro);

  std::vector<std::string> uids;
  std::string last;
  std::size_t scanned = 0;
  for (it->SeekToLast(); it->Valid() && uids.size() < q.limit && scanned < impl_.options.max_scan_per_page;
       it->Prev()) {
    ++scanned;
    const std::string_view key = it->key().ToStringView();
    last.assign(key);
    if (key.size() < kTimeBytes) return error("storage: corrupt post index key");
    if (q.platform || q.source) {
      const auto idx = decode_post_index(it->value().ToStringView());
      if (!idx) return idx.error();
      if (q.platform && idx->platform != *q.platform) continue;
      if (q.source && idx->source != *q.source) continue;
    }
    uids.emplace_back(key.substr(kTimeBytes));
  }
  if (!it->status().ok()) return status_error("list posts", it->status());
  // Still valid: rows remain below the last one examined.
  if (it->Valid()) page.next_cursor = encode_page_cursor(CursorKind::posts, last);
  if (uids.empty()) return page;

  std::vector<rocksdb::Slice> keys(uids.begin(), uids.end());
  std::vector<rocksdb::PinnableSlice> values(uids.size());
  std::vector<rocksdb::Status> statuses(uids.size());
  rocksdb::ReadOptions get;
  get.snapshot = snapshot.snapshot();
  impl_.db->MultiGet(get, impl_.cf(Cf::posts), keys.size(), keys.data(), values.data(), statuses.data());
  page.items.reserve(uids.size());
  for (std::size_t i = 0; i < uids.size(); ++i) {
    // An index row without its post (retention of the two tables runs in separate compactions) is skipped.
    if (statuses[i].IsNotFound()) continue;
    if (!statuses[i].ok()) return status_error("read post " + uids[i], statuses[i]);
    auto d = decode_post(uids[i], values[i].ToStringView());
    if (!d) return d.error();
    if (!d->deleted) page.items.push_back(std::move(d->scored));
  }
  return page;
}

Result<Page<Mention>> PostQueries::mentions(const MentionQuery& q) const {
  if (auto r = check_limit(q.limit); !r) return r.error();
  if (auto r = check_brand(q.brand); !r) return r.error();
  Page<Mention> page;
  const std::string prefix = brand_prefix(q.brand);
  std::string lower = mention_bound(q.brand, q.from);
  std::string upper = mention_bound(q.brand, q.to);
  if (!q.cursor.empty()) {
    auto pos = decode_page_cursor(CursorKind::mentions, q.cursor);
    if (!pos) return pos.error();
    if (pos->size() < kTimeBytes) return error("storage: invalid cursor");
    std::string bound = prefix + *pos;
    if (bound < upper) upper = std::move(bound);
  }
  if (q.from >= q.to || upper <= lower) return page;

  RangeScan it(impl_, Cf::mentions, lower, upper);

  std::string last;  // key of the last row examined: a copy, since the iterator's key dies when it moves
  std::size_t scanned = 0;
  for (it->SeekToLast();
       it->Valid() && page.items.size() < q.limit && scanned < impl_.options.max_scan_per_page; it->Prev()) {
    ++scanned;
    const std::string_view key = it->key().ToStringView();
    last.assign(key);
    const std::string_view value = it->value().ToStringView();
    const auto head = decode_mention_head(value);
    if (!head) return head.error();
    if (q.sentiment && head->label != *q.sentiment) continue;
    if (q.min_followers && head->followers < *q.min_followers) continue;
    if (q.lang && head->lang != *q.lang) continue;
    if (q.platform && head->platform != *q.platform) continue;
    const auto k = decode_mention_key(key);
    if (!k) return error("storage: corrupt mention key of brand " + q.brand);
    Mention& m = page.items.emplace_back();
    if (auto r = decode_mention(value, m); !r) return r.error();
    m.brand = q.brand;
    m.uid = k->uid;
    m.created_at = k->time;
  }
  if (!it->status().ok()) return status_error("list mentions of brand " + q.brand, it->status());
  if (it->Valid()) {
    page.next_cursor = encode_page_cursor(CursorKind::mentions, std::string_view(last).substr(prefix.size()));
  }
  return page;
}

Result<std::vector<SeriesBucket>> PostQueries::series(const SeriesQuery& q) const {
  if (auto r = check_brand(q.brand); !r) return r.error();
  std::vector<SeriesBucket> buckets;
  if (q.from >= q.to) return buckets;
  const Micros step = step_micros(q.step);
  const Micros start = floor_to(q.from, step);
  // Unsigned: to - start may exceed INT64_MAX for absurd ranges, which must fail below, not overflow.
  const std::uint64_t span = static_cast<std::uint64_t>(q.to) - static_cast<std::uint64_t>(start);
  const std::uint64_t n =
      span / static_cast<std::uint64_t>(step) + (span % static_cast<std::uint64_t>(step) != 0);
  if (n > kMaxSeriesBuckets) {
    return error("storage: series query spans " + std::to_string(n) + " buckets of " +
                 std::string(to_string(q.step)) + "; at most " + std::to_string(kMaxSeriesBuckets));
  }
  std::vector<SeriesCounters> sums(n);
  auto r = scan_series(impl_, q.brand, start, q.to, [&](Micros minute, const SeriesCounters& c) {
    sums[static_cast<std::size_t>((minute - start) / step)] += c;
  });
  if (!r) return r.error();
  buckets.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const SeriesCounters& c = sums[i];
    SeriesBucket& b = buckets[i];
    b.t = start + static_cast<Micros>(i) * step;
    b.count = c.count;
    b.positive = c.positive;
    b.neutral = c.neutral;
    b.negative = c.negative;
    b.mean_compound = c.count > 0 ? c.compound_sum() / static_cast<double>(c.count) : 0.0;
    b.reach = c.reach;
  }
  return buckets;
}

Result<SeriesCounters> PostQueries::totals(std::string_view brand, Micros from, Micros to) const {
  if (auto r = check_brand(brand); !r) return r.error();
  SeriesCounters sum;
  auto r = scan_series(impl_, brand, from, to, [&sum](Micros, const SeriesCounters& c) { sum += c; });
  if (!r) return r.error();
  return sum;
}

Result<std::vector<BrandCount>> PostQueries::brand_counts(std::span<const std::string> brands,
                                                          Micros now) const {
  std::vector<BrandCount> out;
  out.reserve(brands.size());
  for (const std::string& brand : brands) {
    // to = now + 1: the row of the current minute starts at or before now.
    auto t = totals(brand, now - kMicrosPerDay, now + 1);
    if (!t) return t.error();
    out.push_back({brand, t->count, t->positive, t->neutral, t->negative, t->reach});
  }
  return out;
}

}  // namespace vigie::storage
