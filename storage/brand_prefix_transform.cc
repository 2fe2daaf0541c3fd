#include "storage/brand_prefix_transform.h"

#include <rocksdb/slice_transform.h>

namespace vigie::storage {
namespace {

class BrandPrefixTransform final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "vigie.BrandPrefix"; }

  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), 1 + static_cast<unsigned char>(key[0]));
  }

  bool InDomain(const rocksdb::Slice& key) const override {
    return !key.empty() && key.size() >= 1 + static_cast<std::size_t>(static_cast<unsigned char>(key[0]));
  }
};

}  // namespace

std::shared_ptr<const rocksdb::SliceTransform> make_brand_prefix_transform() {
  return std::make_shared<BrandPrefixTransform>();
}

}  // namespace vigie::storage
