// Key prefixes that RocksDB uses as memtable insert hints (memtable_insert_with_hint_prefix_extractor).
//
// A memtable is a skip list; inserting a key normally searches it from the top, a handful of cache misses
// each. With a hint prefix, RocksDB remembers where it last inserted a key of each prefix and starts from
// there, which is nearly free when keys of a prefix arrive in order:
//   * mentions: the length-prefixed brand. Each brand's rows arrive in time order, while a batch interleaves
//     brands.
//   * posts: the platform part of the uid ("mastodon:", "bluesky:"). Mastodon ids, Bluesky TIDs and X
//   snowflakes
//     grow with time, so each platform's uids arrive mostly in order while a batch interleaves platforms; a
//     uid without ':' gets no hint.
// (posts_by_time needs none: its keys arrive in time order already.) Hints apply when a write group's batches
// are inserted by one thread, not to concurrent memtable writes.
//
// Thread-safety: stateless.
#pragma once

#include <memory>

namespace rocksdb {
class SliceTransform;
}

namespace vigie::storage {

std::shared_ptr<const rocksdb::SliceTransform> make_brand_prefix_transform();
std::shared_ptr<const rocksdb::SliceTransform> make_uid_platform_transform();

}  // namespace vigie::storage
