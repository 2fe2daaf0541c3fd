// The background fsync of SyncPolicy::interval: syncs the WAL every period until destroyed.
//
// Thread-safety: owns one thread; construct and destroy from the same owner. The DB must outlive the syncer.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace rocksdb {
class DB;
}

namespace vigie::storage {

class WalSyncer {
 public:
  WalSyncer(rocksdb::DB* db, std::chrono::milliseconds period);
  // Stops the thread after one last sync, so that a clean close loses nothing.
  ~WalSyncer();
  WalSyncer(const WalSyncer&) = delete;
  WalSyncer& operator=(const WalSyncer&) = delete;

  std::uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }

 private:
  void run();

  rocksdb::DB* db_;
  std::chrono::milliseconds period_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::atomic<std::uint64_t> failures_{0};
  std::thread thread_;
};

}  // namespace vigie::storage
