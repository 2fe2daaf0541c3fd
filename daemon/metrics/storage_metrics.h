// Exports storage::StorageStats as vigie_storage_* metrics, read fresh from RocksDB at every scrape.
#pragma once

#include <prometheus/collectable.h>

#include "storage/database.h"

namespace vigie::daemon {

// Thread-safety: Collect() may run concurrently with writes; the Database must outlive the collector's
// registration (the daemon removes it before closing storage).
class StorageCollector final : public prometheus::Collectable {
 public:
  explicit StorageCollector(const storage::Database& db) : db_(db) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const storage::Database& db_;
};

}  // namespace vigie::daemon
