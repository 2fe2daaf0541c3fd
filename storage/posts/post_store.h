// The write side of the posts tables: commits batches of scored posts with their source's cursor, reports
// when each batch is durable, and reads back the cursors. Reached through Database::posts().
//
// Thread-safety: any number of threads. Concurrent commit() calls build their batches one at a time
// (deduplication reads the posts table before writing it) and commit them concurrently. A commit() holding a
// uid of a batch still being committed waits for that commit. Hand commit() large batches (hundreds of posts).
//
// Durability runs beside the writes (SyncPolicy::every_batch): commit() returns once its batch is in the WAL
// and visible, and a syncer thread fsyncs the WAL for every batch committed since its last sync, so one writer
// builds batch n+1 while batch n reaches the disk. A batch is acknowledged (its on_durable called) only after
// that. Queries may therefore see a batch a moment before it is durable; a crash in that moment loses only
// unacknowledged batches, which their source sends again (its cursor was in the same batch).
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ingest/base/result.h"
#include "rules/scored_post.h"
#include "storage/posts/write_types.h"

namespace vigie::storage {

struct DatabaseImpl;
class BatchBuilder;

class PostStore {
 public:
  PostStore(const PostStore&) = delete;
  PostStore& operator=(const PostStore&) = delete;

  // Stores one batch atomically: the posts, their mentions (one per distinct brand matched), the series
  // increments of those mentions, and the source cursor. Either all of it is committed (then synced, per the
  // sync policy) or none.
  //
  // Posts are deduplicated by uid, within the batch and against the database:
  //   post, comment, repost  stored when the uid is unknown; otherwise a duplicate, with no effect at all.
  //   edit   of a stored post: replaces its content (text, author, score, matches...) but keeps its
  //   created_at
  //          and kind, so the post keeps its place in every time index. Series are adjusted by subtracting
  //          what the old version counted and adding what the new one counts, so a sentiment change moves the
  //          post from one label to the other and the count does not change. An edit of an unknown uid is
  //          stored as a new post; of a deleted one, it is a duplicate.
  //   del    of a stored post: replaces it by a tombstone (keeping created_at, for retention), removes its
  //          index row and mentions, and subtracts its series contribution. Of an unknown uid: stores a
  //          tombstone, so that the post arriving late is not stored. Of a deleted one: a duplicate.
  // Invariant: for every brand and minute, series counters equal the sum over the brand's stored mentions
  // (until retention drops mentions sooner than series).
  //
  // The batches of one source must be written by one thread, in order: two batches of a source committed
  // concurrently could leave the older cursor last (harmless for posts, which dedup, but it would rewind).
  //
  // Fails, writing nothing, on a post without uid or a brand match whose id is empty or longer than
  // kMaxBrandIdBytes, on I/O errors, and once a WAL fsync has failed (Database::writable()).
  //
  // Returns once the batch is committed and visible to queries, with what it did; `on_durable` is then called
  // exactly once, with that summary once the batch is durable per the sync policy (every_batch: on the syncer
  // thread, after the fsync; otherwise at once, on this thread), or with an error if the fsync failed (then
  // possibly on this thread, before commit() returns: hold no lock across commit() that on_durable takes).
  // After a failed fsync every later write fails until the process restarts. When commit() itself fails,
  // on_durable is never called.
  using OnDurable = std::function<void(Result<WriteSummary>)>;
  Result<WriteSummary> commit(std::span<const rules::ScoredPost> posts, const CursorUpdate& cursor,
                              OnDurable on_durable);
  // commit(), then waits until the batch is durable.
  Result<WriteSummary> write(std::span<const rules::ScoredPost> posts, const CursorUpdate& cursor);

  // The position last stored for a source, or nullopt if none.
  Result<std::optional<std::string>> cursor(std::string_view source) const;

 private:
  friend class Database;
  explicit PostStore(DatabaseImpl& impl) : impl_(impl) {}

  using Clock = std::chrono::steady_clock;
  struct SortedUids;      // the batch's uids in byte order, and where each post falls in that order
  struct StoredVersions;  // what the posts table holds for each of those uids

  // The steps of commit(), in order (post_store.cc says why each one is there).
  Result<void> check(std::span<const rules::ScoredPost> posts) const;
  static SortedUids sort_uids(std::span<const rules::ScoredPost> posts);
  std::unique_lock<std::mutex> wait_for_overlapping_batches(std::span<const std::string_view> uids);
  StoredVersions read_stored_versions(std::span<const std::string_view> uids) const;
  Result<WriteSummary> build_batch(std::span<const rules::ScoredPost> posts, const CursorUpdate& cursor,
                                   const SortedUids& uids, const StoredVersions& stored,
                                   BatchBuilder& b) const;
  Result<void> write_batch(std::unique_lock<std::mutex>& lock, std::span<const std::string_view> uids,
                           BatchBuilder& b, std::size_t n);
  void acknowledge_when_durable(Clock::time_point start, const WriteSummary& summary, std::size_t n,
                                OnDurable on_durable);
  // Counts a failed commit and returns its error.
  Error failed(Clock::time_point start, Error e) const;

  DatabaseImpl& impl_;
};

}  // namespace vigie::storage
