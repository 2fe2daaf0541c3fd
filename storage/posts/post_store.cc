// PostStore: turns a batch of scored posts into one atomic RocksDB WriteBatch, commits it, and acknowledges
// it once durable.
#include "storage/posts/post_store.h"

#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <future>
#include <unordered_map>
#include <utility>
#include <vector>

#include "storage/codec/key_codec.h"
#include "storage/codec/value_codec.h"
#include "storage/database_impl.h"
#include "storage/posts/batch_builder.h"
#include "storage/status_error.h"

namespace vigie::storage {
namespace {

// What the posts table holds for a uid, as of the posts already applied in this batch.
struct Stored {
  enum class State : std::uint8_t { absent, live, tombstone } state = State::absent;
  const rules::ScoredPost* post = nullptr;  // when live
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

std::string batch_name(std::size_t n) {
  return "write batch of " + std::to_string(n) + " posts";
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

struct PostStore::SortedUids {
  std::vector<std::string_view> sorted;  // the batch's uids in byte order, repeats included
  std::vector<std::uint32_t> rank;       // position of posts[j]'s uid in `sorted`
  // Whether posts[j]'s uid occurs more than once in the batch: only those are tracked while the batch is
  // built, since a later post of the batch must see what an earlier one did.
  std::vector<bool> repeated;
};

struct PostStore::StoredVersions {
  std::vector<rocksdb::PinnableSlice> values;  // by position in SortedUids::sorted
  std::vector<rocksdb::Status> statuses;       // ok: stored; NotFound: unknown uid
};

Result<WriteSummary> PostStore::write(std::span<const rules::ScoredPost> posts, const CursorUpdate& cursor) {
  std::promise<Result<WriteSummary>> durable;
  auto r = commit(posts, cursor, [&durable](Result<WriteSummary> d) { durable.set_value(std::move(d)); });
  if (!r) return r;
  return durable.get_future().get();
}

Result<std::optional<std::string>> PostStore::cursor(std::string_view source) const {
  std::string value;
  const rocksdb::Status s = impl_.db->Get(rocksdb::ReadOptions(), impl_.cf(Cf::cursors),
                                          rocksdb::Slice(source.data(), source.size()), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return status_error("read cursor of source " + std::string(source), s);
  return std::optional<std::string>(std::move(value));
}

Result<WriteSummary> PostStore::commit(std::span<const rules::ScoredPost> posts, const CursorUpdate& cursor,
                                       OnDurable on_durable) {
  const Clock::time_point start = Clock::now();
  if (posts.empty() && cursor.source.empty()) {
    on_durable(WriteSummary{});
    return WriteSummary{};
  }
  if (auto r = check(posts); !r) return failed(start, r.error());
  const SortedUids uids = sort_uids(posts);
  // Held from here until the batch is handed to RocksDB: batches are built one at a time.
  std::unique_lock lock = wait_for_overlapping_batches(uids.sorted);
  const StoredVersions stored = read_stored_versions(uids.sorted);
  BatchBuilder b(impl_, BatchBuilder::estimate_bytes(posts));
  auto summary = build_batch(posts, cursor, uids, stored, b);
  if (!summary) return failed(start, summary.error());
  if (auto r = write_batch(lock, uids.sorted, b, posts.size()); !r) return failed(start, r.error());
  acknowledge_when_durable(start, *summary, posts.size(), std::move(on_durable));
  return summary;
}

// Refuses the whole batch before anything is read or locked: after a failed fsync nothing can be promised
// durable, and a bad post would otherwise fail the batch halfway through building it.
Result<void> PostStore::check(std::span<const rules::ScoredPost> posts) const {
  if (auto w = impl_.writable(); !w) return w;
  return validate(posts);
}

// Sorted before taking the lock, so that the sort does not hold up other writers. Sorting serves three steps:
// the MultiGet takes its keys sorted (otherwise it sorts them itself, through the virtual comparator), repeats
// of a uid within the batch become neighbours, and checking against in-flight batches is a merge of sorted
// lists. Ties keep batch order, so the repeats of a uid are applied in the order they came.
PostStore::SortedUids PostStore::sort_uids(std::span<const rules::ScoredPost> posts) {
  const std::size_t n = posts.size();
  std::vector<std::pair<std::string_view, std::uint32_t>> order(n);
  for (std::size_t j = 0; j < n; ++j)
    order[j] = {posts[j].post.uid, static_cast<std::uint32_t>(j)};
  std::sort(order.begin(), order.end());
  SortedUids u{std::vector<std::string_view>(n), std::vector<std::uint32_t>(n), std::vector<bool>(n)};
  for (std::size_t k = 0; k < n; ++k) {
    u.sorted[k] = order[k].first;
    u.rank[order[k].second] = static_cast<std::uint32_t>(k);
    if (k > 0 && order[k].first == order[k - 1].first)
      u.repeated[order[k].second] = u.repeated[order[k - 1].second] = true;
  }
  return u;
}

// Batches are built one at a time, but committed concurrently: the lock is released before Write() (see
// write_batch), so that concurrent commits share one WAL fsync (group commit). A batch is never built on a uid
// that another batch has built but not committed yet, since that batch's outcome (committed or failed) decides
// what this one must write: it waits for that commit first. Batches with disjoint uids commute (series
// increments add up in any order).
std::unique_lock<std::mutex> PostStore::wait_for_overlapping_batches(std::span<const std::string_view> uids) {
  std::unique_lock lock(impl_.write_mu);
  impl_.write_cv.wait(lock, [&] {
    for (const auto other : impl_.in_flight) {
      if (intersect(uids, other)) return false;
    }
    return true;
  });
  return lock;
}

// Dedup: one MultiGet for the whole batch. Nearly all uids are new, and the bloom filters of the posts table
// answer those without touching data blocks.
PostStore::StoredVersions PostStore::read_stored_versions(std::span<const std::string_view> uids) const {
  const std::size_t n = uids.size();
  std::vector<rocksdb::Slice> keys;
  keys.reserve(n);
  for (const auto uid : uids)
    keys.emplace_back(uid);
  StoredVersions stored{std::vector<rocksdb::PinnableSlice>(n), std::vector<rocksdb::Status>(n)};
  if (n > 0) {
    impl_.db->MultiGet(rocksdb::ReadOptions(), impl_.cf(Cf::posts), n, keys.data(), stored.values.data(),
                       stored.statuses.data(), /*sorted_input=*/true);
  }
  return stored;
}

// Decides, post by post in batch order, what each does given what is stored, and adds its rows to the batch.
Result<WriteSummary> PostStore::build_batch(std::span<const rules::ScoredPost> posts,
                                            const CursorUpdate& cursor, const SortedUids& uids,
                                            const StoredVersions& stored, BatchBuilder& b) const {
  const std::size_t n = posts.size();
  WriteSummary summary;
  summary.outcomes.reserve(n);
  // Uids repeated in this batch and already applied, with their state after it; and the decoded or edited
  // versions that state points to (a deque: push_back keeps earlier elements in place). Both live until the
  // series are finished, whose brand names may point into them.
  std::unordered_map<std::string_view, Stored> applied;
  std::deque<rules::ScoredPost> owned;

  for (std::size_t j = 0; j < n; ++j) {
    const rules::ScoredPost& p = posts[j];
    const std::string_view uid = p.post.uid;
    const ingest::Kind kind = p.post.kind;

    const std::size_t r = uids.rank[j];
    Stored cur;
    const auto it = uids.repeated[j] ? applied.find(uid) : applied.end();
    if (it != applied.end()) {
      cur = it->second;
    } else if (stored.statuses[r].ok()) {
      // Stored before this batch. Plain posts are duplicates whatever the value says: decode only for edits
      // and deletes, which need the old version.
      cur.state = Stored::State::live;
      if (kind == ingest::Kind::edit || kind == ingest::Kind::del) {
        auto d = decode_post(uid, stored.values[r].ToStringView());
        if (!d) return error(d.error().message + " (" + batch_name(n) + ")");
        if (d->deleted) {
          cur.state = Stored::State::tombstone;
        } else {
          owned.push_back(std::move(d->scored));
          cur.post = &owned.back();
        }
      }
    } else if (!stored.statuses[r].IsNotFound()) {
      return status_error(batch_name(n) + ": dedup lookup of " + std::string(uid), stored.statuses[r]);
    }

    Stored next = cur;
    switch (kind) {
      case ingest::Kind::edit:
        if (cur.state == Stored::State::absent) {
          b.insert(p);
          next = {Stored::State::live, &p};
          summary.add(PostOutcome::inserted);
        } else if (cur.state == Stored::State::live) {
          rules::ScoredPost& now = owned.emplace_back(p);
          now.post.created_at = cur.post->post.created_at;
          now.post.kind = cur.post->post.kind;
          b.edit(*cur.post, now);
          next.post = &now;
          summary.add(PostOutcome::edited);
        } else {
          summary.add(PostOutcome::duplicate);
        }
        break;
      case ingest::Kind::del:
        if (cur.state == Stored::State::absent) {
          // A delete may name no creation time; the tombstone then expires by the time Vigie got it.
          b.tombstone(uid, p.post.created_at != 0 ? p.post.created_at : p.post.received_at);
          next.state = Stored::State::tombstone;
          summary.add(PostOutcome::deleted);
        } else if (cur.state == Stored::State::live) {
          b.remove(*cur.post);
          next = {Stored::State::tombstone, nullptr};
          summary.add(PostOutcome::deleted);
        } else {
          summary.add(PostOutcome::duplicate);
        }
        break;
      default:
        if (cur.state == Stored::State::absent) {
          b.insert(p);
          next = {Stored::State::live, &p};
          summary.add(PostOutcome::inserted);
        } else {
          summary.add(PostOutcome::duplicate);
        }
        break;
    }
    // A plain duplicate of a post stored before this batch leaves `post` null: a later edit or delete of the
    // same uid in this batch must then decode it, so it is not recorded as applied.
    if (uids.repeated[j] && (next.state != Stored::State::live || next.post != nullptr)) applied[uid] = next;
  }
  b.finish_series();
  b.cursor(cursor);
  if (!b.status().ok()) return status_error(batch_name(n), b.status());
  return summary;
}

// The uids are published as in flight before the lock is released, so that a batch built meanwhile on one of
// them waits for this Write()'s outcome (see wait_for_overlapping_batches).
Result<void> PostStore::write_batch(std::unique_lock<std::mutex>& lock,
                                    std::span<const std::string_view> uids, BatchBuilder& b, std::size_t n) {
  impl_.in_flight.push_back(uids);
  lock.unlock();
  const rocksdb::Status s = impl_.db->Write(impl_.write_options, &b.batch());
  lock.lock();
  const auto self = std::find_if(impl_.in_flight.begin(), impl_.in_flight.end(), [&uids](auto x) {
    return x.data() == uids.data() && x.size() == uids.size();
  });
  impl_.in_flight.erase(self);
  lock.unlock();
  impl_.write_cv.notify_all();
  if (!s.ok()) return status_error(batch_name(n), s);
  return ok();
}

void PostStore::acknowledge_when_durable(Clock::time_point start, const WriteSummary& summary, std::size_t n,
                                         OnDurable on_durable) {
  if (impl_.options.sync != SyncPolicy::every_batch) {
    impl_.metrics.record_success(seconds_since(start), summary);
    on_durable(summary);
    return;
  }
  // Latency is measured to durability: what a client waiting for its acknowledgement sees.
  impl_.wal_syncer->after_next_sync([impl = &impl_, start, summary, done = std::move(on_durable),
                                     n](const rocksdb::Status& synced) {
    if (!synced.ok()) {
      impl->metrics.record_failure(seconds_since(start));
      done(status_error("sync of the WAL after a write batch of " + std::to_string(n) + " posts", synced));
      return;
    }
    impl->metrics.record_success(seconds_since(start), summary);
    done(summary);
  });
}

Error PostStore::failed(Clock::time_point start, Error e) const {
  impl_.metrics.record_failure(seconds_since(start));
  return e;
}

}  // namespace vigie::storage
