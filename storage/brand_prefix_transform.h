// The length-prefixed brand at the front of mentions and series keys, as a RocksDB SliceTransform.
//
// Used as the memtable insert hint of those column families: each brand's rows arrive in time order, so
// RocksDB can insert each one next to the previous row of the same brand instead of searching the whole
// memtable, even when a batch interleaves many brands.
//
// Thread-safety: stateless.
#pragma once

#include <memory>

namespace rocksdb {
class SliceTransform;
}

namespace vigie::storage {

std::shared_ptr<const rocksdb::SliceTransform> make_brand_prefix_transform();

}  // namespace vigie::storage
