// Retention: rows older than a column family's retention are dropped by RocksDB's compactions, which rewrite
// every file anyway, so expiry costs no scan and no extra write on the hot path.
//
// The filter reads a row's time from its key (posts_by_time, mentions, series) or from the fixed offset of
// the value (posts, whose key is the uid), compares it with a cutoff taken when each compaction starts (now -
// days), and removes older rows, merge operands included. Rows whose time cannot be read are kept.
//
// Expiry is therefore as prompt as compactions: the database sets periodic_compaction_seconds on every column
// family with a retention, so each file goes through a compaction at least that often even when nothing
// is written (DatabaseOptions::periodic_compaction). Until then expired rows still occupy disk and may still
// be returned by queries; Database::compact() forces the matter (tests, admin).
//
// Thread-safety: the factory and filters are immutable once built; RocksDB calls them from its compaction
// threads.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "ingest/base/timestamp.h"

namespace rocksdb {
class CompactionFilter;
class CompactionFilterFactory;
}  // namespace rocksdb

namespace vigie::storage {

// Where a column family keeps the time of a row.
enum class RowTime : unsigned char {
  post_value,      // posts: created_at at the fixed offset of the value
  post_time_key,   // posts_by_time: the key starts with the time
  brand_time_key,  // mentions, series: time after the length-prefixed brand
};

std::optional<Micros> row_time(RowTime where, std::string_view key, std::string_view value);

// A filter removing rows with a time < cutoff. The filter does not own anything; it lives as long as it is
// used.
std::unique_ptr<rocksdb::CompactionFilter> make_retention_filter(RowTime where, Micros cutoff);

// A factory making, for each compaction, a filter whose cutoff is clock() - days. days must be > 0.
// clock defaults to now_micros.
std::shared_ptr<rocksdb::CompactionFilterFactory> make_retention_filter_factory(
    RowTime where, int days, std::function<Micros()> clock = {});

}  // namespace vigie::storage
