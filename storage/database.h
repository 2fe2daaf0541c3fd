// Vigie's one embedded RocksDB database: posts, per-brand mentions and minute series, source cursors, and the
// crisis tables (incidents, incident events, webhook outbox). Layout: schema.h, key_codec.h, value_codec.h.
//
// Database owns the database and does what concerns all of it: open, checkpoint, compact, stats, whether
// writes are still accepted. Each kind of work is a facade over the same open database, with one job:
//   posts()    PostStore (posts/post_store.h): commits batches of posts with their cursor; durability
//   queries()  PostQueries (posts/post_queries.h): posts, mentions, series, totals
//   crisis()   CrisisStore (crisis/crisis_store.h): incidents, timelines, detector state, silences
//   outbox()   Outbox (crisis/outbox.h): notifications waiting for delivery, dead letters
// A component takes the narrowest facade it needs; the facades live as long as their Database.
//
// Errors are values: every fallible call returns Result<T> whose message names the operation and carries
// RocksDB's status ("storage: write batch of 256 posts: IO error: ...").
//
// Thread-safety: once open, a Database and its facades may be used from any number of threads (each facade's
// header says how its calls interleave).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ingest/base/result.h"
#include "storage/crisis/crisis_store.h"
#include "storage/crisis/outbox.h"
#include "storage/posts/post_queries.h"
#include "storage/posts/post_store.h"
#include "storage/storage_stats.h"

namespace rocksdb {
class Env;
}

namespace vigie::storage {

struct DatabaseImpl;  // database_impl.h, internal to storage/

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
  // Memtable size of posts: a larger one means fewer, larger flushes. 16 -> 64 MiB cut the CPU per stored post
  // by a third (less compaction; measured when the posts memtable was hashed, whose inserts cost the same at
  // any size).
  std::size_t posts_write_buffer_bytes = std::size_t{64} << 20;
  int background_jobs = 2;  // RocksDB flush and compaction threads
  // Rows a filtered page examines at most before returning (with a cursor): bounds the latency of a page
  // whose filters match rarely.
  std::size_t max_scan_per_page = 20'000;
  // A scratch database, deleted once used (`vigie replay`): writes skip the WAL, since nothing in it has to
  // survive a crash (a crashed replay is run again from its file), and nothing is compacted, since its files
  // are read a few times and then deleted, so rewriting them is CPU spent for nothing (with compactions off,
  // RocksDB does not stall writes on the count of level-0 files either). Memtables are not flushed at close.
  // Never for data that must be kept: a crash loses every unflushed write.
  bool scratch = false;
  // RocksDB's environment (files, threads); null for the default. Tests pass one that injects I/O failures.
  std::shared_ptr<rocksdb::Env> env;
};

class Database {
 public:
  // Opens (creating when missing) the database at options.path. Fails when the directory is locked by another
  // process, or when the database was written by a newer Vigie: "storage: database at X has schema version 4,
  // this build reads up to 3; upgrade vigie".
  static Result<std::unique_ptr<Database>> open(const DatabaseOptions& options);

  // Closes the database; acknowledged writes are in the WAL.
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::string& path() const;

  PostStore& posts() { return posts_; }
  const PostQueries& queries() const { return queries_; }
  CrisisStore& crisis() { return crisis_; }
  const CrisisStore& crisis() const { return crisis_; }
  Outbox& outbox() { return outbox_; }
  const Outbox& outbox() const { return outbox_; }

  // Fails once a WAL fsync has failed (SyncPolicy::every_batch): from then on every write (posts, crisis
  // tables, outbox) is refused, until a restart, since nothing written since can be guaranteed on disk.
  Result<void> writable() const;

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

 private:
  explicit Database(std::unique_ptr<DatabaseImpl> impl);

  std::unique_ptr<DatabaseImpl> impl_;  // shared by the facades below
  PostStore posts_;
  PostQueries queries_;
  CrisisStore crisis_;
  Outbox outbox_;
};

}  // namespace vigie::storage
