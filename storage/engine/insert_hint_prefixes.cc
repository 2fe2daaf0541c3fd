#include "storage/engine/insert_hint_prefixes.h"

#include <rocksdb/slice_transform.h>

#include <cstring>

namespace vigie::storage {
namespace {

class BrandPrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "vigie.BrandPrefix"; }

  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), 1 + static_cast<unsigned char>(key[0]));
  }

  bool InDomain(const rocksdb::Slice& key) const override {
    return !key.empty() && key.size() >= 1 + static_cast<std::size_t>(static_cast<unsigned char>(key[0]));
  }
};

class UidPlatform final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "vigie.UidPlatform"; }

  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    const void* colon = std::memchr(key.data(), ':', key.size());
    return rocksdb::Slice(key.data(),
                          static_cast<std::size_t>(static_cast<const char*>(colon) - key.data()) + 1);
  }

  bool InDomain(const rocksdb::Slice& key) const override {
    return std::memchr(key.data(), ':', key.size()) != nullptr;
  }
};

}  // namespace

std::shared_ptr<const rocksdb::SliceTransform> make_brand_prefix_transform() {
  return std::make_shared<BrandPrefix>();
}

std::shared_ptr<const rocksdb::SliceTransform> make_uid_platform_transform() {
  return std::make_shared<UidPlatform>();
}

}  // namespace vigie::storage
