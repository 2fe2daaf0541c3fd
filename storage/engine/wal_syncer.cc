#include "storage/engine/wal_syncer.h"

#include <rocksdb/db.h>

#include "ingest/base/thread_name.h"

namespace vigie::storage {

WalSyncer::WalSyncer(rocksdb::DB* db, std::optional<std::chrono::milliseconds> period)
    : db_(db), period_(period), thread_([this] {
        set_thread_name("vigie-walsync");
        run();
      }) {}

WalSyncer::~WalSyncer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void WalSyncer::after_next_sync(Done done) {
  std::unique_lock lock(mu_);
  if (failed_) {
    const rocksdb::Status s = *failed_;
    lock.unlock();
    done(s);
    return;
  }
  pending_.push_back(std::move(done));
  lock.unlock();
  cv_.notify_one();
}

std::optional<rocksdb::Status> WalSyncer::failed() const {
  std::lock_guard lock(mu_);
  return failed_;
}

rocksdb::Status WalSyncer::sync() {
  rocksdb::Status s = db_->SyncWAL();
  if (!s.ok()) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard lock(mu_);
    if (!failed_) failed_ = s;
    s = *failed_;
  } else if (auto f = failed()) {
    s = *f;  // a success after a failure proves nothing (see the header)
  }
  return s;
}

void WalSyncer::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (period_) {
      cv_.wait_for(lock, *period_, [this] { return stop_; });
    } else {
      cv_.wait(lock, [this] { return stop_ || !pending_.empty(); });
    }
    const bool stopping = stop_;
    // Taken before the sync begins: every request in `batch` was made after its commit returned, so this
    // sync covers it.
    std::vector<Done> batch;
    batch.swap(pending_);
    lock.unlock();
    const rocksdb::Status s = sync();
    for (Done& done : batch)
      done(s);
    if (stopping) return;
    lock.lock();
  }
}

}  // namespace vigie::storage
