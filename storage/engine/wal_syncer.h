// The thread that fsyncs the WAL outside the write path, in one of two modes:
//
//   on demand (SyncPolicy::every_batch)  a writer commits its batch without sync, then asks to be told once
//        it is durable (after_next_sync). The thread runs one SyncWAL for every request made since the last
//        one began, so one fsync covers all the batches committed meanwhile (group commit), and the writer is
//        free to build and commit its next batch while the disk works.
//   periodic (SyncPolicy::interval)  a SyncWAL every period, whoever wrote.
//
// A sync that fails poisons the syncer for good: after a failed fsync the kernel may have dropped the dirty
// pages and a later fsync can succeed without them, leaving a hole in the WAL that recovery stops at. So no
// later request is ever acknowledged as durable; the owner refuses writes (failed()) until a restart.
//
// Thread-safety: after_next_sync() and failed() from any thread. Callbacks run on the syncer thread, in the
// order they were requested, and must not call after_next_sync(). The DB must outlive the syncer.
#pragma once

#include <rocksdb/status.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace rocksdb {
class DB;
}

namespace vigie::storage {

class WalSyncer {
 public:
  using Done = std::function<void(const rocksdb::Status&)>;

  // Periodic when `period` is set, on demand otherwise.
  WalSyncer(rocksdb::DB* db, std::optional<std::chrono::milliseconds> period);
  // Stops the thread after one last sync that answers every pending request, so a clean close loses nothing.
  ~WalSyncer();
  WalSyncer(const WalSyncer&) = delete;
  WalSyncer& operator=(const WalSyncer&) = delete;

  // Calls `done` once a SyncWAL that began after this call has ended: with OK, everything committed to the
  // WAL before the call is on disk. Call it after the commit returned. After a failure, `done` gets the
  // failure (at once, on the calling thread).
  void after_next_sync(Done done);

  // The first sync failure, if any: from then on nothing more is acknowledged.
  std::optional<rocksdb::Status> failed() const;
  std::uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }

 private:
  void run();
  rocksdb::Status sync();  // one SyncWAL; records a failure

  rocksdb::DB* db_;
  std::optional<std::chrono::milliseconds> period_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::vector<Done> pending_;              // requests waiting for the next sync to begin
  std::optional<rocksdb::Status> failed_;  // first failure; guarded by mu_
  std::atomic<std::uint64_t> failures_{0};
  std::thread thread_;
};

}  // namespace vigie::storage
