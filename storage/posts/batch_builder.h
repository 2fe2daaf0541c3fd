// Turns the posts of one commit into the rows of one RocksDB WriteBatch. Internal to storage/: used by
// PostStore::commit (post_store.cc), which decides for each post whether it is inserted, edited, removed or a
// duplicate. Defined here in full so that the per-row calls inline into the commit's loop, as when they were
// one file. Not thread-safe: one builder per commit.
#pragma once

#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "rules/scored_post.h"
#include "storage/codec/key_codec.h"
#include "storage/codec/value_codec.h"
#include "storage/database_impl.h"
#include "storage/posts/series_counters.h"
#include "storage/posts/write_types.h"

namespace vigie::storage {

// Builds the WriteBatch of one PostStore::commit() call. Series increments are summed per (brand, minute) before they
// become merge operands: a batch of posts that arrived together mostly hits the same few minutes, so this
// writes a handful of operands instead of one per mention.
//
// Keys and values are encoded into scratch buffers reused for every row (WriteBatch copies what it is given),
// so building a row allocates nothing.
class BatchBuilder {
 public:
  // `reserve_bytes`: see estimate_bytes().
  BatchBuilder(const DatabaseImpl& impl, std::size_t reserve_bytes) : impl_(impl), batch_(reserve_bytes) {}

  // Bytes a batch of these posts takes at most, roughly: the WriteBatch is sized once instead of doubling
  // (and copying itself) a dozen times as it grows.
  static std::size_t estimate_bytes(std::span<const rules::ScoredPost> posts) {
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

  rocksdb::WriteBatch& batch() { return batch_; }

  void insert(const rules::ScoredPost& p) {
    const Micros t = p.post.created_at;
    put_post(p, t);
    rules::matched_brands(p, brands_);
    add_mentions(p, brands_, t);
  }

  // `now` replaces `old`, which keeps its created_at; both are live.
  void edit(const rules::ScoredPost& old, const rules::ScoredPost& now) {
    const Micros t = old.post.created_at;
    const std::string_view uid = old.post.uid;
    put_post(now, t);
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

  // The post's row and its row in the time index, at `t` (an edit keeps the first created_at stored).
  void put_post(const rules::ScoredPost& p, Micros t) {
    const std::string_view uid = p.post.uid;
    encode_post(p, value_);
    put(Cf::posts, uid, value_);
    encode_post_index(p.post.platform, p.post.source, value_);
    post_time_key(t, uid, key_);
    put(Cf::posts_by_time, key_, value_);
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
  static std::vector<std::string_view> brands_of(const rules::ScoredPost& p) {
    std::vector<std::string_view> out;
    rules::matched_brands(p, out);
    return out;
  }

  static bool contains(const std::vector<std::string_view>& v, std::string_view s) {
    for (auto x : v) {
      if (x == s) return true;
    }
    return false;
  }

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

  // Series increments of one (brand, minute). The brand views point into the posts of the commit() call (or
  // their decoded old versions), which outlive the builder's use of them.
  struct SeriesSum {
    std::string_view brand;
    Micros minute;
    SeriesCounters counters;
  };
  static constexpr std::size_t kSeriesLookback = 32;

  const DatabaseImpl& impl_;
  rocksdb::WriteBatch batch_;
  rocksdb::Status status_;
  std::string key_;  // scratch buffers reused by every encode
  std::string value_;
  std::vector<std::string_view> brands_;
  std::vector<SeriesSum> series_;
};

}  // namespace vigie::storage
