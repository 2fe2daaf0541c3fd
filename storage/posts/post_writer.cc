// Database::write: turns a batch of scored posts into one atomic RocksDB WriteBatch.
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <future>
#include <unordered_map>

#include "storage/codec/key_codec.h"
#include "storage/codec/value_codec.h"
#include "storage/database_impl.h"
#include "storage/status_error.h"

namespace vigie::storage {
namespace {

// What the posts table holds for a uid, as of the posts already applied in this batch.
struct Stored {
  enum class State : std::uint8_t { absent, live, tombstone } state = State::absent;
  const rules::ScoredPost* post = nullptr;  // when live
};

std::vector<std::string_view> brands_of(const rules::ScoredPost& p) {
  std::vector<std::string_view> out;
  rules::matched_brands(p, out);
  return out;
}

// Bytes a batch of these posts takes at most, roughly: the WriteBatch is sized once instead of doubling
// (and copying itself) a dozen times as it grows.
std::size_t batch_bytes_estimate(std::span<const rules::ScoredPost> posts) {
  std::size_t bytes = 64;
  for (const auto& p : posts) {
    const ingest::Post& q = p.post;
    // posts value + mention value each hold the text fields; keys hold the uid three times.
    const std::size_t text = q.text.size() + q.title.size() + q.url.size() + q.author.handle.size() +
                             q.author.name.size() + q.platform.size() + q.source.size();
    bytes += 2 * text + 3 * q.uid.size() + 160 + 48 * p.matches.size();
  }
  return bytes;
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
//
// Keys and values are encoded into scratch buffers reused for every row (WriteBatch copies what it is given),
// so building a row allocates nothing.
class BatchBuilder {
 public:
  BatchBuilder(const Database::Impl& impl, std::size_t reserve_bytes) : impl_(impl), batch_(reserve_bytes) {}

  rocksdb::WriteBatch& batch() { return batch_; }

  void insert(const rules::ScoredPost& p) {
    const Micros t = p.post.created_at;
    const std::string_view uid = p.post.uid;
    encode_post(p, value_);
    put(Cf::posts, uid, value_);
    encode_post_index(p.post.platform, p.post.source, value_);
    post_time_key(t, uid, key_);
    put(Cf::posts_by_time, key_, value_);
    rules::matched_brands(p, brands_);
    add_mentions(p, brands_, t);
  }

  // `now` replaces `old`, which keeps its created_at; both are live.
  void edit(const rules::ScoredPost& old, const rules::ScoredPost& now) {
    const Micros t = old.post.created_at;
    const std::string_view uid = old.post.uid;
    encode_post(now, value_);
    put(Cf::posts, uid, value_);
    encode_post_index(now.post.platform, now.post.source, value_);
    post_time_key(t, uid, key_);
    put(Cf::posts_by_time, key_, value_);
    const auto old_brands = brands_of(old);
    const auto new_brands = brands_of(now);
    const SeriesCounters minus = -contribution(old);
    for (auto b : old_brands) {
      if (!contains(new_brands, b)) {
        mention_key(b, t, uid, key_);
        del(Cf::mentions, key_);
      }
      add_series(b, t, minus);
    }
    add_mentions(now, new_brands, t);
  }

  void remove(const rules::ScoredPost& old) {
    const Micros t = old.post.created_at;
    const std::string_view uid = old.post.uid;
    tombstone(uid, t);
    post_time_key(t, uid, key_);
    del(Cf::posts_by_time, key_);
    const SeriesCounters minus = -contribution(old);
    rules::matched_brands(old, brands_);
    for (auto b : brands_) {
      mention_key(b, t, uid, key_);
      del(Cf::mentions, key_);
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

  // Appends the summed series increments, one merge operand per (brand, minute); call once, after every
  // post.
  void finish_series() {
    // add_series only looks back a few entries, so a (brand, minute) can appear more than once here: sorting
    // brings its entries together.
    std::sort(series_.begin(), series_.end(), [](const SeriesSum& a, const SeriesSum& b) {
      return a.minute != b.minute ? a.minute < b.minute : a.brand < b.brand;
    });
    for (std::size_t i = 0; i < series_.size();) {
      SeriesCounters sum = series_[i].counters;
      std::size_t j = i + 1;
      for (; j < series_.size() && series_[j].minute == series_[i].minute &&
             series_[j].brand == series_[i].brand;
           ++j)
        sum += series_[j].counters;
      if (!sum.is_zero()) {  // zero: e.g. an edit that changed nothing counted
        series_key(series_[i].brand, series_[i].minute, key_);
        encode_counters(sum, value_);
        status_ = status_.ok() ? batch_.Merge(impl_.cf(Cf::series), key_, value_) : status_;
      }
      i = j;
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
      mention_key(b, t, p.post.uid, key_);
      put(Cf::mentions, key_, value_);
      add_series(b, t, plus);
    }
  }

  // A batch hits few (brand, minute) rows, and the one a mention adds to is nearly always among the last
  // few touched: a short backward scan finds it without building or hashing a key.
  void add_series(std::string_view brand, Micros t, const SeriesCounters& c) {
    const Micros minute = minute_start(t);
    const std::size_t stop = series_.size() > kSeriesLookback ? series_.size() - kSeriesLookback : 0;
    for (std::size_t i = series_.size(); i-- > stop;) {
      if (series_[i].minute == minute && series_[i].brand == brand) {
        series_[i].counters += c;
        return;
      }
    }
    series_.push_back({brand, minute, c});
  }

  void put(Cf cf, std::string_view key, std::string_view value) {
    if (status_.ok()) status_ = batch_.Put(impl_.cf(cf), key, value);
  }
  void del(Cf cf, std::string_view key) {
    if (status_.ok()) status_ = batch_.Delete(impl_.cf(cf), key);
  }

  // Series increments of one (brand, minute). The brand views point into the posts of the write() call (or
  // their decoded old versions), which outlive the builder's use of them.
  struct SeriesSum {
    std::string_view brand;
    Micros minute;
    SeriesCounters counters;
  };
  static constexpr std::size_t kSeriesLookback = 32;

  const Database::Impl& impl_;
  rocksdb::WriteBatch batch_;
  rocksdb::Status status_;
  std::string key_;  // scratch buffers reused by every encode
  std::string value_;
  std::vector<std::string_view> brands_;
  std::vector<SeriesSum> series_;
};

// Whether two sorted lists share an element.
bool intersect(std::span<const std::string_view> a, std::span<const std::string_view> b) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    const int c = a[i].compare(b[j]);
    if (c == 0) return true;
    if (c < 0) {
      ++i;
    } else {
      ++j;
    }
  }
  return false;
}

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
  std::promise<Result<WriteSummary>> durable;
  auto r = commit(posts, cursor, [&durable](Result<WriteSummary> d) { durable.set_value(std::move(d)); });
  if (!r) return r;
  return durable.get_future().get();
}

Result<void> Database::writable() const {
  if (auto refused = impl_->write_refusal()) return status_error("write refused", *refused);
  return ok();
}

Result<WriteSummary> Database::commit(std::span<const rules::ScoredPost> posts, const CursorUpdate& cursor,
                                      OnDurable on_durable) {
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [start] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  WriteSummary summary;
  if (posts.empty() && cursor.source.empty()) {
    on_durable(summary);
    return summary;
  }
  const bool sync_after = impl_->options.sync == SyncPolicy::every_batch;
  if (auto w = writable(); !w) {
    impl_->metrics.record_failure(elapsed());
    return w.error();
  }
  if (auto v = validate(posts); !v) {
    impl_->metrics.record_failure(elapsed());
    return v.error();
  }
  const auto fail = [&](const std::string& what, const rocksdb::Status& s) -> Error {
    impl_->metrics.record_failure(elapsed());
    return status_error(what, s);
  };
  const auto batch_name = [&posts] { return "write batch of " + std::to_string(posts.size()) + " posts"; };
  const std::size_t n = posts.size();

  // The batch's uids in byte order (ties by position), sorted before taking the lock: the MultiGet below
  // takes its keys sorted (otherwise it sorts them itself, through the virtual comparator), repeats of a uid
  // within the batch become neighbours, and checking against in-flight batches is a merge of sorted lists.
  std::vector<std::pair<std::string_view, std::uint32_t>> order(n);
  for (std::size_t j = 0; j < n; ++j)
    order[j] = {posts[j].post.uid, static_cast<std::uint32_t>(j)};
  std::sort(order.begin(), order.end());
  std::vector<std::string_view> sorted_uids(n);
  std::vector<std::uint32_t> rank(n);  // position of posts[j] in sorted order
  // Whether posts[j]'s uid occurs more than once in the batch: only those need `applied` below.
  std::vector<bool> repeated(n);
  for (std::size_t k = 0; k < n; ++k) {
    sorted_uids[k] = order[k].first;
    rank[order[k].second] = static_cast<std::uint32_t>(k);
    if (k > 0 && order[k].first == order[k - 1].first)
      repeated[order[k].second] = repeated[order[k - 1].second] = true;
  }

  // Batches are built one at a time, but committed concurrently: the lock is released before Write(), so
  // that concurrent write() calls share one WAL fsync (group commit). A batch is never built on a uid that
  // another batch has built but not committed yet, since that batch's outcome (committed or failed) decides
  // what this one must write: it waits for that commit first. Batches with disjoint uids commute (series
  // increments add up in any order).
  const std::span<const std::string_view> mine(sorted_uids);
  std::unique_lock lock(impl_->write_mu);
  impl_->write_cv.wait(lock, [&] {
    for (const auto other : impl_->in_flight) {
      if (intersect(mine, other)) return false;
    }
    return true;
  });

  // Dedup: one MultiGet for the whole batch. Nearly all uids are new, and the bloom filters of the posts
  // table answer those without touching data blocks.
  std::vector<rocksdb::Slice> keys;
  keys.reserve(n);
  for (const auto uid : sorted_uids)
    keys.emplace_back(uid);
  std::vector<rocksdb::PinnableSlice> values(n);
  std::vector<rocksdb::Status> statuses(n);
  if (n > 0) {
    impl_->db->MultiGet(rocksdb::ReadOptions(), impl_->cf(Cf::posts), n, keys.data(), values.data(),
                        statuses.data(), /*sorted_input=*/true);
  }

  BatchBuilder b(*impl_, batch_bytes_estimate(posts));
  // Uids repeated in this batch and already applied, with their state after it; and the decoded or edited
  // versions that state points to (a deque: push_back keeps earlier elements in place).
  std::unordered_map<std::string_view, Stored> applied;
  std::deque<rules::ScoredPost> owned;

  for (std::size_t j = 0; j < n; ++j) {
    const rules::ScoredPost& p = posts[j];
    const std::string_view uid = p.post.uid;
    const ingest::Kind kind = p.post.kind;

    const std::size_t r = rank[j];
    Stored cur;
    const auto it = repeated[j] ? applied.find(uid) : applied.end();
    if (it != applied.end()) {
      cur = it->second;
    } else if (statuses[r].ok()) {
      // Stored before this batch. Plain posts are duplicates whatever the value says: decode only for edits
      // and deletes, which need the old version.
      cur.state = Stored::State::live;
      if (kind == ingest::Kind::edit || kind == ingest::Kind::del) {
        auto d = decode_post(uid, values[r].ToStringView());
        if (!d) {
          impl_->metrics.record_failure(elapsed());
          return error(d.error().message + " (" + batch_name() + ")");
        }
        if (d->deleted) {
          cur.state = Stored::State::tombstone;
        } else {
          owned.push_back(std::move(d->scored));
          cur.post = &owned.back();
        }
      }
    } else if (!statuses[r].IsNotFound()) {
      return fail(batch_name() + ": dedup lookup of " + std::string(uid), statuses[r]);
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
    if (repeated[j] && (next.state != Stored::State::live || next.post != nullptr)) applied[uid] = next;
  }
  b.finish_series();
  b.cursor(cursor);
  if (!b.status().ok()) return fail(batch_name(), b.status());

  impl_->in_flight.push_back(mine);
  lock.unlock();
  const rocksdb::Status s = impl_->db->Write(impl_->write_options, &b.batch());
  lock.lock();
  const auto self = std::find_if(impl_->in_flight.begin(), impl_->in_flight.end(), [&mine](auto x) {
    return x.data() == mine.data() && x.size() == mine.size();
  });
  impl_->in_flight.erase(self);
  lock.unlock();
  impl_->write_cv.notify_all();
  if (!s.ok()) return fail(batch_name(), s);
  if (!sync_after) {
    impl_->metrics.record_success(elapsed(), summary);
    on_durable(summary);
    return summary;
  }
  // Latency is measured to durability: what a client waiting for its acknowledgement sees.
  impl_->wal_syncer->after_next_sync([impl = impl_.get(), elapsed, summary, done = std::move(on_durable),
                                      n](const rocksdb::Status& synced) {
    if (!synced.ok()) {
      impl->metrics.record_failure(elapsed());
      done(status_error("sync of the WAL after a write batch of " + std::to_string(n) + " posts", synced));
      return;
    }
    impl->metrics.record_success(elapsed(), summary);
    done(summary);
  });
  return summary;
}

}  // namespace vigie::storage
