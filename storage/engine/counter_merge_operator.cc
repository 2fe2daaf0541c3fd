#include "storage/engine/counter_merge_operator.h"

#include <rocksdb/merge_operator.h>

#include "storage/codec/value_codec.h"

namespace vigie::storage {
namespace {

class CounterMergeOperator final : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice& /*key*/, const rocksdb::Slice* existing, const rocksdb::Slice& operand,
             std::string* new_value, rocksdb::Logger* /*logger*/) const override {
    SeriesCounters sum;
    if (existing) {
      const auto e = decode_counters(existing->ToStringView());
      // Returning false makes RocksDB report corruption for the key rather than silently dropping counts.
      if (!e) return false;
      sum = *e;
    }
    const auto o = decode_counters(operand.ToStringView());
    if (!o) return false;
    sum += *o;
    encode_counters(sum, *new_value);
    return true;
  }

  // The name is persisted in the OPTIONS file: changing it would make RocksDB refuse existing databases.
  const char* Name() const override { return "vigie.CounterSum"; }
};

}  // namespace

std::shared_ptr<rocksdb::MergeOperator> make_counter_merge_operator() {
  return std::make_shared<CounterMergeOperator>();
}

}  // namespace vigie::storage
