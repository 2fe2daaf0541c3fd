// Database::write: turns a batch of scored posts into one atomic RocksDB WriteBatch.
#include <rocksdb/write_batch.h>

#include <chrono>
#include <deque>
#include <unordered_map>

#include "storage/database_impl.h"
#include "storage/key_codec.h"
#include "storage/status_error.h"
#include "storage/value_codec.h"

namespace vigie::storage {
namespace {

// What the posts table holds for a uid, as of the posts already applied in this batch.
struct Stored {
  enum class State : std::uint8_t { absent, live, tombstone } state = State::absent;
  const rules::ScoredPost* post = nullptr;  // when live
};

// The distinct brand ids a post matched, in match order. Few per post: a vector beats a set.
std::vector<std::string_view> brands_of(const rules::ScoredPost& p) {
  std::vector<std::string_view> out;
  for (const rules::Match& m : p.matches) {
    if (m.kind != rules::RuleKind::brand) continue;
    bool seen = false;
    for (auto b : out)
      seen = seen || b == m.rule;
    if (!seen) out.push_back(m.rule);
  }
  return out;
}

bool contains(const std::vector<std::string_view>& v, std::string_view s) {
  for (auto x : v) {
    if (x == s) return true;
  }
  return false;
}

// Builds the WriteBatch of one write() call. Series increments are summed per (brand, minute) before they
// become merge operands: a batch of posts that arrived together mostly hits the same few minutes, so this
// writes a handful of operands instead of one per mention.
class BatchBuilder {
 public:
  explicit BatchBuilder(const Database::Impl& impl) : impl_(impl) {}

  rocksdb::WriteBatch& batch() { return batch_; }

  void insert(const rules::ScoredPost& p) {
    const Micros t = p.post.created_at;
    const std::string_view uid = p.post.uid;
    encode_post(p, value_);
    put(Cf::posts, uid, value_);
    encode_post_index(p.post.platform, p.post.source, value_);
    put(Cf::posts_by_time, post_time_key(t, uid), value_);
    add_mentions(p, brands_of(p), t);
  }

  // `now` replaces `old`, which keeps its created_at; both are live.
  void edit(const rules::ScoredPost& old, const rules::ScoredPost& now) {
    const Micros t = old.post.created_at;
    const std::string_view uid = old.post.uid;
    encode_post(now, value_);
    put(Cf::posts, uid, value_);
    encode_post_index(now.post.platform, now.post.source, value_);
    put(Cf::posts_by_time, post_time_key(t, uid), value_);
    const auto old_brands = brands_of(old);
    const auto new_brands = brands_of(now);
    const SeriesCounters minus = -contribution(old);
    for (auto b : old_brands) {
      if (!contains(new_brands, b)) del(Cf::mentions, mention_key(b, t, uid));
      add_series(b, t, minus);
    }
    add_mentions(now, new_brands, t);
  }

  void remove(const rules::ScoredPost& old) {
    const Micros t = old.post.created_at;
    const std::string_view uid = old.post.uid;
    tombstone(uid, t);
    del(Cf::posts_by_time, post_time_key(t, uid));
    const SeriesCounters minus = -contribution(old);
    for (auto b : brands_of(old)) {
      del(Cf::mentions, mention_key(b, t, uid));
      add_series(b, t, minus);
    }
  }

  void tombstone(std::string_view uid, Micros t) {
    encode_tombstone(t, value_);
    put(Cf::posts, uid, value_);
  }

  void cursor(const CursorUpdate& c) {
    if (!c.source.empty()) put(Cf::cursors, c.source, c.position);
  }

  // Appends the summed series increments; call once, after every post.
  void finish_series() {
    for (const auto& [key, counters] : series_) {
      if (counters.is_zero()) continue;  // e.g. an edit that changed nothing counted
      encode_counters(counters, value_);
      status_ = status_.ok() ? batch_.Merge(impl_.cf(Cf::series), key, value_) : status_;
    }
  }

  // WriteBatch calls fail only when the batch outgrows its size limit (none is set); checked once at the end.
  const rocksdb::Status& status() const { return status_; }

 private:
  void add_mentions(const rules::ScoredPost& p, const std::vector<std::string_view>& brands, Micros t) {
    if (brands.empty()) return;
    encode_mention(p, value_);
    const SeriesCounters plus = contribution(p);
    for (auto b : brands) {
      put(Cf::mentions, mention_key(b, t, p.post.uid), value_);
      add_series(b, t, plus);
    }
  }

  void add_series(std::string_view brand, Micros t, const SeriesCounters& c) {
    series_[series_key(brand, minute_start(t))] += c;
  }

  void put(Cf cf, std::string_view key, std::string_view value) {
    if (status_.ok()) status_ = batch_.Put(impl_.cf(cf), key, value);
  }
  void del(Cf cf, std::string_view key) {
    if (status_.ok()) status_ = batch_.Delete(impl_.cf(cf), key);
  }

  const Database::Impl& impl_;
  rocksdb::WriteBatch batch_;
  rocksdb::Status status_;
  std::string value_;  // scratch buffer reused by every encode: WriteBatch copies what it is given
  std::unordered_map<std::string, SeriesCounters> series_;
};

Result<void> validate(std::span<const rules::ScoredPost> posts) {
  for (std::size_t i = 0; i < posts.size(); ++i) {
    const rules::ScoredPost& p = posts[i];
    if (p.post.uid.empty()) {
      return error("storage: post #" + std::to_string(i) + " of the batch has no uid");
    }
    for (const rules::Match& m : p.matches) {
      if (m.kind == rules::RuleKind::brand && !valid_brand_id(m.rule)) {
        return error("storage: post " + p.post.uid + " matches brand id \"" + m.rule.substr(0, 40) +
                     "\": brand ids must be 1 to " + std::to_string(kMaxBrandIdBytes) + " bytes");
      }
    }
  }
  return ok();
}

}  // namespace

Result<WriteSummary> Database::write(std::span<const rules::ScoredPost> posts, const CursorUpdate& cursor) {
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&start] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  WriteSummary summary;
  if (posts.empty() && cursor.source.empty()) return summary;
  if (auto v = validate(posts); !v) {
    impl_->metrics.record_failure(elapsed());
    return v.error();
  }
  const auto fail = [&](const std::string& what, const rocksdb::Status& s) -> Error {
    impl_->metrics.record_failure(elapsed());
    return status_error(what, s);
  };
  const std::string batch_name = "write batch of " + std::to_string(posts.size()) + " posts";

  // Batches are built one at a time, but committed concurrently: the lock is released before Write(), so
  // that concurrent write() calls share one WAL fsync (group commit). A batch is never built on a uid that
  // another batch has built but not committed yet, since that batch's outcome (committed or failed) decides
  // what this one must write: it waits for that commit first. Batches with disjoint uids commute (series
  // increments add up in any order).
  std::unique_lock lock(impl_->write_mu);
  impl_->write_cv.wait(lock, [&] {
    for (const auto& p : posts) {
      if (impl_->in_flight.contains(p.post.uid)) return false;
    }
    return true;
  });

  const std::size_t n = posts.size();
  // Dedup: one MultiGet for the whole batch. Nearly all uids are new, and the bloom filters of the posts
  // table answer those without touching data blocks.
  std::vector<rocksdb::Slice> keys;
  keys.reserve(n);
  for (const auto& p : posts)
    keys.emplace_back(p.post.uid);
  std::vector<rocksdb::PinnableSlice> values(n);
  std::vector<rocksdb::Status> statuses(n);
  if (n > 0) {
    impl_->db->MultiGet(rocksdb::ReadOptions(), impl_->cf(Cf::posts), n, keys.data(), values.data(),
                        statuses.data());
  }

  BatchBuilder b(*impl_);
  // Uids already applied in this batch, with their state after it; and the decoded or edited versions that
  // state points to (a deque: push_back keeps earlier elements in place).
  std::unordered_map<std::string_view, Stored> applied;
  applied.reserve(n);
  std::deque<rules::ScoredPost> owned;

  for (std::size_t j = 0; j < n; ++j) {
    const rules::ScoredPost& p = posts[j];
    const std::string_view uid = p.post.uid;
    const ingest::Kind kind = p.post.kind;

    Stored cur;
    if (const auto it = applied.find(uid); it != applied.end()) {
      cur = it->second;
    } else if (statuses[j].ok()) {
      // Stored before this batch. Plain posts are duplicates whatever the value says: decode only for edits
      // and deletes, which need the old version.
      cur.state = Stored::State::live;
      if (kind == ingest::Kind::edit || kind == ingest::Kind::del) {
        auto d = decode_post(uid, values[j].ToStringView());
        if (!d) {
          impl_->metrics.record_failure(elapsed());
          return error(d.error().message + " (" + batch_name + ")");
        }
        if (d->deleted) {
          cur.state = Stored::State::tombstone;
        } else {
          owned.push_back(std::move(d->scored));
          cur.post = &owned.back();
        }
      }
    } else if (!statuses[j].IsNotFound()) {
      return fail(batch_name + ": dedup lookup of " + std::string(uid), statuses[j]);
    }

    Stored next = cur;
    switch (kind) {
      case ingest::Kind::edit:
        if (cur.state == Stored::State::absent) {
          b.insert(p);
          next = {Stored::State::live, &p};
          ++summary.inserted;
        } else if (cur.state == Stored::State::live) {
          rules::ScoredPost& now = owned.emplace_back(p);
          now.post.created_at = cur.post->post.created_at;
          now.post.kind = cur.post->post.kind;
          b.edit(*cur.post, now);
          next.post = &now;
          ++summary.edited;
        } else {
          ++summary.duplicates;
        }
        break;
      case ingest::Kind::del:
        if (cur.state == Stored::State::absent) {
          // A delete may name no creation time; the tombstone then expires by the time Vigie got it.
          b.tombstone(uid, p.post.created_at != 0 ? p.post.created_at : p.post.received_at);
          next.state = Stored::State::tombstone;
          ++summary.deleted;
        } else if (cur.state == Stored::State::live) {
          b.remove(*cur.post);
          next = {Stored::State::tombstone, nullptr};
          ++summary.deleted;
        } else {
          ++summary.duplicates;
        }
        break;
      default:
        if (cur.state == Stored::State::absent) {
          b.insert(p);
          next = {Stored::State::live, &p};
          ++summary.inserted;
        } else {
          ++summary.duplicates;
        }
        break;
    }
    // A plain duplicate of a post stored before this batch leaves `post` null: a later edit or delete of the
    // same uid in this batch must then decode it, so it is not recorded as applied.
    if (next.state != Stored::State::live || next.post != nullptr) applied[uid] = next;
  }
  b.finish_series();
  b.cursor(cursor);
  if (!b.status().ok()) return fail(batch_name, b.status());

  for (const auto& p : posts)
    impl_->in_flight.insert(p.post.uid);
  lock.unlock();
  const rocksdb::Status s = impl_->db->Write(impl_->write_options, &b.batch());
  lock.lock();
  for (const auto& p : posts)
    impl_->in_flight.erase(p.post.uid);
  lock.unlock();
  impl_->write_cv.notify_all();
  if (!s.ok()) return fail(batch_name, s);
  impl_->metrics.record_success(elapsed(), summary);
  return summary;
}

}  // namespace vigie::storage
