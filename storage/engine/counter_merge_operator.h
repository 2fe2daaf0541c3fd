// The merge operator of the series column family: adds counters field by field.
//
// Each write adds its increments (SeriesCounters, encoded by value_codec) as a merge operand, and RocksDB
// folds operands together lazily, at read or compaction time. Addition is associative and commutative, so the
// order RocksDB picks does not matter and no write ever reads the current value.
//
// Thread-safety: stateless; RocksDB calls it from any thread.
#pragma once

#include <memory>

namespace rocksdb {
class MergeOperator;
}

namespace vigie::storage {

std::shared_ptr<rocksdb::MergeOperator> make_counter_merge_operator();

}  // namespace vigie::storage
