#include "storage/engine/retention_filter.h"

#include <rocksdb/compaction_filter.h>

#include "storage/codec/key_codec.h"
#include "storage/codec/value_codec.h"

namespace vigie::storage {
namespace {

constexpr Micros kMicrosPerDay = 86400 * kMicrosPerSecond;

class RetentionFilter final : public rocksdb::CompactionFilter {
 public:
  RetentionFilter(RowTime where, Micros cutoff) : where_(where), cutoff_(cutoff) {}

  Decision FilterV2(int /*level*/, const rocksdb::Slice& key, ValueType type, const rocksdb::Slice& value,
                    std::string* /*new_value*/, std::string* /*skip_until*/) const override {
    // Merge operands (series increments) expire like values: their key holds the minute they count.
    if (type != ValueType::kValue && type != ValueType::kMergeOperand) return Decision::kKeep;
    const auto t = row_time(where_, key.ToStringView(), value.ToStringView());
    return t && *t < cutoff_ ? Decision::kRemove : Decision::kKeep;
  }

  const char* Name() const override { return "vigie.Retention"; }

 private:
  RowTime where_;
  Micros cutoff_;
};

class RetentionFilterFactory final : public rocksdb::CompactionFilterFactory {
 public:
  RetentionFilterFactory(RowTime where, int days, std::function<Micros()> clock)
      : where_(where), days_(days), clock_(std::move(clock)) {}

  std::unique_ptr<rocksdb::CompactionFilter> CreateCompactionFilter(
      const rocksdb::CompactionFilter::Context& /*context*/) override {
    const Micros now = clock_ ? clock_() : now_micros();
    return make_retention_filter(where_, now - days_ * kMicrosPerDay);
  }

  const char* Name() const override { return "vigie.RetentionFactory"; }

 private:
  RowTime where_;
  Micros days_;
  std::function<Micros()> clock_;
};

}  // namespace

std::optional<Micros> row_time(RowTime where, std::string_view key, std::string_view value) {
  switch (where) {
    case RowTime::post_value:
      return post_value_time(value);
    case RowTime::post_time_key:
      return time_of_post_time_key(key);
    case RowTime::brand_time_key:
      return time_of_brand_time_key(key);
  }
  return std::nullopt;
}

std::unique_ptr<rocksdb::CompactionFilter> make_retention_filter(RowTime where, Micros cutoff) {
  return std::make_unique<RetentionFilter>(where, cutoff);
}

std::shared_ptr<rocksdb::CompactionFilterFactory> make_retention_filter_factory(
    RowTime where, int days, std::function<Micros()> clock) {
  return std::make_shared<RetentionFilterFactory>(where, days, std::move(clock));
}

}  // namespace vigie::storage
