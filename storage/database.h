// Vigie's one embedded RocksDB database: posts, per-brand mentions and minute series, source cursors, and the
// crisis tables (incidents, incident events, webhook outbox). Layout: schema.h, key_codec.h, value_codec.h.
//
// Errors are values: every fallible call returns Result<T> whose message names the operation and carries
// RocksDB's status ("storage: write batch of 256 posts: IO error: ...").
//
// Thread-safety: once open, a Database may be used from any number of threads. Queries run concurrently with
// each other and with writes. Concurrent commit() calls build their batches one at a time (deduplication reads
// the posts table before writing it) and commit them concurrently. A commit() holding a uid of a batch still
// being committed waits for that commit. Hand commit() large batches (hundreds of posts).
//
// Durability runs beside the writes (SyncPolicy::every_batch): commit() returns once its batch is in the WAL
// and visible, and a syncer thread fsyncs the WAL for every batch committed since its last sync, so one writer
// builds batch n+1 while batch n reaches the disk. A batch is acknowledged (its on_durable called) only after
// that. Queries may therefore see a batch a moment before it is durable; a crash in that moment loses only
// unacknowledged batches, which their source sends again (its cursor was in the same batch).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/base/result.h"
#include "rules/scored_post.h"
#include "storage/crisis/crisis_rows.h"
#include "storage/posts/query_types.h"
#include "storage/posts/series_counters.h"
#include "storage/posts/write_types.h"
#include "storage/storage_stats.h"

namespace rocksdb {
class Env;
}

namespace vigie::storage {

// When the WAL reaches the disk. The WAL is always on: every policy survives a crash of the process (SIGKILL,
// abort), since each commit is handed to the kernel before commit() returns. They differ on a crash of the
// machine (power loss, kernel panic):
//   every_batch  a batch is acknowledged after an fsync of the WAL that covers it: nothing acknowledged is
//                ever lost. One fsync covers every batch committed while the previous one ran (group commit).
//   interval     batches are acknowledged at once; a background thread fsyncs the WAL every sync_interval.
//                A machine crash loses at most the last interval of acknowledged writes.
//   none         no fsync of the WAL by Vigie (the kernel writes it back, typically within 30 s); flushes of
//                memtables still sync their files. A machine crash may lose the last ~30 s.
enum class SyncPolicy : std::uint8_t { every_batch, interval, none };
// "every_batch", "interval", "none".
std::optional<SyncPolicy> parse_sync_policy(std::string_view s);
std::string_view to_string(SyncPolicy p);

// Days a row is kept, counted from its created_at (series: from its minute). 0 keeps rows forever.
// Expiry runs inside compactions: see retention_filter.h.
struct RetentionDays {
  int posts = 90;  // posts and posts_by_time; a post past retention is forgotten, so a late replay of it
                   // would be stored (and counted) again
  int mentions = 365;
  int series = 0;
};

struct DatabaseOptions {
  std::string path;  // directory; created when missing
  SyncPolicy sync = SyncPolicy::every_batch;
  std::chrono::milliseconds sync_interval{100};  // SyncPolicy::interval only
  RetentionDays retention_days;
  // Every file of a column family with a retention is recompacted at least this often, so that expired rows
  // are dropped even from files nothing else would rewrite. Rewrites the whole database once per period.
  std::chrono::seconds periodic_compaction{std::chrono::hours(24)};
  std::size_t block_cache_bytes = std::size_t{256} << 20;  // shared by all column families
  std::size_t write_buffer_bytes = std::size_t{64} << 20;  // memtable size of mentions, posts_by_time, series
  // Memtable size of posts. The posts memtable is hashed (inserts cost the same at any size), so a larger one
  // only means fewer, larger flushes: 16 -> 64 MiB cut the CPU per stored post by a third (less compaction).
  std::size_t posts_write_buffer_bytes = std::size_t{64} << 20;
  int background_jobs = 2;  // RocksDB flush and compaction threads
  // Rows a filtered page examines at most before returning (with a cursor): bounds the latency of a page
  // whose filters match rarely.
  std::size_t max_scan_per_page = 20'000;
  // RocksDB's environment (files, threads); null for the default. Tests pass one that injects I/O failures.
  std::shared_ptr<rocksdb::Env> env;
};

class Database {
 public:
  // Opens (creating when missing) the database at options.path. Fails when the directory is locked by another
  // process, or when the database was written by a newer Vigie: "storage: database at X has schema version 3,
  // this build reads up to 2; upgrade vigie".
  static Result<std::unique_ptr<Database>> open(const DatabaseOptions& options);

  // Closes the database; acknowledged writes are in the WAL.
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::string& path() const;

  // ---- writes ----

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
  // kMaxBrandIdBytes, and on I/O errors.
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
  // Fails once a WAL fsync has failed: from then on every commit() is refused, until a restart.
  Result<void> writable() const;
  // commit(), then waits until the batch is durable.
  Result<WriteSummary> write(std::span<const rules::ScoredPost> posts, const CursorUpdate& cursor);

  // The position last stored for a source, or nullopt if none.
  Result<std::optional<std::string>> cursor(std::string_view source) const;

  // ---- queries (see query_types.h for pagination and ranges) ----

  // A stored post; nullopt when unknown or deleted.
  Result<std::optional<rules::ScoredPost>> post(std::string_view uid) const;
  // Stored posts with from <= created_at < to, newest first. Fails on a bad limit or cursor.
  Result<Page<rules::ScoredPost>> posts(const PostQuery& q) const;
  // A brand's mentions with from <= created_at < to, newest first. Fails on a bad brand id, limit or cursor.
  Result<Page<Mention>> mentions(const MentionQuery& q) const;
  // A brand's counters in buckets of q.step from floor(q.from) to q.to, empty buckets included. Fails when
  // more than kMaxSeriesBuckets buckets would be returned.
  Result<std::vector<SeriesBucket>> series(const SeriesQuery& q) const;
  // Sum of a brand's minute rows whose minute starts in [from, to).
  Result<SeriesCounters> totals(std::string_view brand, Micros from, Micros to) const;
  // For each brand, the sum of its minute rows over the 24 hours up to now (the current minute included).
  Result<std::vector<BrandCount>> brand_counts(std::span<const std::string> brands, Micros now) const;

  // ---- crisis tables (crisis_rows.h) ----

  // Commits `changes` atomically (synced per the sync policy) and returns the outbox sequence numbers given
  // to its notifications, in order. Commits are serialized, so outbox entries become visible in sequence
  // order: a reader that has seen entry n will never later find a smaller new one.
  Result<std::vector<std::uint64_t>> commit_crisis(const CrisisChanges& changes);

  Result<std::optional<std::string>> incident(std::uint64_t id) const;
  // Incidents newest (largest id) first, with ids strictly below `before_id` (0: from the newest), at most
  // limit.
  Result<std::vector<IncidentRow>> incidents(std::uint64_t before_id, std::size_t limit) const;
  // The largest incident id stored, 0 when none.
  Result<std::uint64_t> last_incident_id() const;
  // The incident's timeline entries in time order, at most limit.
  Result<std::vector<IncidentEventRow>> incident_events(std::uint64_t incident_id, std::size_t limit) const;

  // Outbox entries with seq >= from_seq in order, at most limit.
  Result<std::vector<OutboxEntry>> outbox(std::uint64_t from_seq, std::size_t limit) const;
  // Replaces an entry's value (its delivery state) in place.
  Result<void> outbox_update(std::uint64_t seq, std::string_view value);
  // Removes a delivered entry.
  Result<void> outbox_remove(std::uint64_t seq);
  // Moves an entry to the dead letters, with `value` (its final state), in one atomic write.
  Result<void> outbox_dead_letter(std::uint64_t seq, std::string_view value);
  // Dead letters newest first, with seq strictly below `before_seq` (0: from the newest), at most limit.
  Result<std::vector<OutboxEntry>> dead_letters(std::uint64_t before_seq, std::size_t limit) const;

  Result<std::vector<NamedValue>> detector_states() const;
  Result<std::vector<SilenceRow>> silences() const;

  // ---- maintenance ----

  // Writes a consistent copy of the live database to `dir` (which must not exist), using hard links where the
  // file system allows, so it is fast and cheap. Concurrent writes continue; the copy holds every write
  // acknowledged before the call. Restore: stop Vigie, point `path` at the copy (or move it in place), start.
  Result<void> checkpoint(const std::string& dir);
  // Flushes memtables and compacts every column family, applying retention now. Heavy: for tests and
  // administration, never the hot path.
  Result<void> compact();
  // Storage metrics; cheap enough for every scrape.
  StorageStats stats() const;

  struct Impl;  // defined in database_impl.h; public only so that the storage .cc files can share it

 private:
  explicit Database(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace vigie::storage
