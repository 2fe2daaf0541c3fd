// PostQueries::first_mention and PostQueries::top: one forward seek, and one bounded backward scan of a
// brand's mentions aggregated in memory.
#include <rocksdb/db.h>

#include <algorithm>
#include <map>
#include <queue>

#include "storage/codec/key_codec.h"
#include "storage/codec/value_codec.h"
#include "storage/database_impl.h"
#include "storage/posts/post_queries.h"
#include "storage/status_error.h"

namespace vigie::storage {
namespace {

// Orders the kept posts as a min-heap on (reach, created_at): the top of the heap is the first to drop.
struct LessRead {
  bool operator()(const Mention& a, const Mention& b) const {
    if (a.reach != b.reach) return a.reach > b.reach;
    return a.created_at > b.created_at;
  }
};

// The first `limit` values of `tallies` in `order`, best first.
template <typename Map, typename Order>
std::vector<typename Map::mapped_type> top_values(Map& tallies, std::size_t limit, Order order) {
  std::vector<typename Map::mapped_type> out;
  out.reserve(tallies.size());
  for (auto& [key, t] : tallies)
    out.push_back(std::move(t));
  const std::size_t n = std::min(limit, out.size());
  std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), out.end(), order);
  out.resize(n);
  return out;
}

}  // namespace

Result<std::optional<Mention>> PostQueries::first_mention(const std::string& brand, Micros from,
                                                          Micros to) const {
  if (!valid_brand_id(brand)) return error("storage: invalid brand id");
  if (from >= to) return std::optional<Mention>();
  RangeScan it(impl_, Cf::mentions, mention_bound(brand, from), mention_bound(brand, to));
  it->Seek(it.lower());
  if (!it->Valid()) {
    if (!it->status().ok()) return status_error("read mentions of brand " + brand, it->status());
    return std::optional<Mention>();
  }
  const auto k = decode_mention_key(it->key().ToStringView());
  if (!k) return error("storage: corrupt mention key of brand " + brand);
  Mention m;
  if (auto r = decode_mention(it->value().ToStringView(), m); !r) return r.error();
  m.brand = brand;
  m.uid = k->uid;
  m.created_at = k->time;
  return std::optional<Mention>(std::move(m));
}

Result<MentionTop> PostQueries::top(const TopQuery& q) const {
  if (!valid_brand_id(q.brand)) return error("storage: invalid brand id");
  if (q.limit < 1 || q.limit > kMaxPageLimit)
    return error("storage: limit must be between 1 and " + std::to_string(kMaxPageLimit));
  MentionTop out;
  if (q.from >= q.to) return out;
  rocksdb::ReadOptions ro;
  // A one-off scan of up to max_scan rows: not worth evicting what the block cache holds for the live path.
  ro.fill_cache = false;
  RangeScan it(impl_, Cf::mentions, mention_bound(q.brand, q.from), mention_bound(q.brand, q.to), ro);

  std::priority_queue<Mention, std::vector<Mention>, LessRead> kept;
  // Authors by (platform, handle); topics by id. Newest first, so the first sighting of an author holds their
  // current name and followers.
  std::map<std::pair<std::string, std::string>, AuthorTally> authors;
  std::map<std::string, TopicTally, std::less<>> topics;
  Mention m;
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    if (static_cast<std::size_t>(out.examined) == q.max_scan) {
      out.truncated = true;
      break;
    }
    ++out.examined;
    const std::string_view value = it->value().ToStringView();
    const auto head = decode_mention_head(value);
    if (!head) return head.error();
    const auto k = decode_mention_key(it->key().ToStringView());
    if (!k) return error("storage: corrupt mention key of brand " + q.brand);
    out.examined_from = k->time;
    if (q.sentiment && head->label != *q.sentiment) continue;
    if (auto r = decode_mention(value, m); !r) return r.error();
    m.brand = q.brand;
    m.uid = k->uid;
    m.created_at = k->time;
    const bool negative = m.label == rules::Label::negative;

    AuthorTally& a = authors[{m.platform, m.author_handle}];
    if (a.mentions == 0) {
      a.platform = m.platform;
      a.handle = m.author_handle;
      a.name = m.author_name;
      a.followers = m.followers;
    }
    ++a.mentions;
    a.reach += m.reach;
    a.negative += negative ? 1 : 0;
    for (const std::string& t : m.topics) {
      auto [ti, fresh] = topics.try_emplace(t);
      if (fresh) ti->second.id = t;
      ++ti->second.mentions;
      ti->second.negative += negative ? 1 : 0;
    }
    if (kept.size() < q.limit) {
      kept.push(std::move(m));
    } else if (LessRead()(m, kept.top())) {
      kept.pop();
      kept.push(std::move(m));
    }
    m = Mention();
  }
  if (!it->status().ok()) return status_error("read mentions of brand " + q.brand, it->status());

  out.posts.resize(kept.size());
  for (std::size_t i = kept.size(); i > 0; --i) {
    out.posts[i - 1] = kept.top();
    kept.pop();
  }
  out.authors = top_values(authors, q.limit, [](const AuthorTally& x, const AuthorTally& y) {
    if (x.reach != y.reach) return x.reach > y.reach;
    if (x.mentions != y.mentions) return x.mentions > y.mentions;
    return x.handle < y.handle;
  });
  out.topics = top_values(topics, q.limit, [](const TopicTally& x, const TopicTally& y) {
    if (x.mentions != y.mentions) return x.mentions > y.mentions;
    if (x.negative != y.negative) return x.negative > y.negative;
    return x.id < y.id;
  });
  return out;
}

}  // namespace vigie::storage
