#include "storage/wal_syncer.h"

#include <rocksdb/db.h>

namespace vigie::storage {

WalSyncer::WalSyncer(rocksdb::DB* db, std::chrono::milliseconds period)
    : db_(db), period_(period), thread_([this] { run(); }) {}

WalSyncer::~WalSyncer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void WalSyncer::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    const bool stopping = cv_.wait_for(lock, period_, [this] { return stop_; });
    lock.unlock();
    // A failed sync is counted (StorageStats) and retried next period; the writes stay in the WAL file.
    if (!db_->SyncWAL().ok()) failures_.fetch_add(1, std::memory_order_relaxed);
    if (stopping) return;
    lock.lock();
  }
}

}  // namespace vigie::storage
