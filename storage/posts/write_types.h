// What PostStore::commit (post_store.h) takes besides the posts, and what it reports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace vigie::storage {

// The position a source reached with a batch: stored in the same atomic batch as the posts, so that a restart
// resumes exactly after what was stored. An empty `source` means no cursor to store.
struct CursorUpdate {
  std::string source;    // id of the configured source
  std::string position;  // opaque to storage
};

// What storage did with one post of a batch.
enum class PostOutcome : std::uint8_t { inserted, duplicate, edited, deleted };

// How each post of a batch was applied. inserted + duplicates + edited + deleted == posts in the batch.
struct WriteSummary {
  std::size_t inserted = 0;    // new uid stored: post, mentions and series counted
  std::size_t duplicates = 0;  // uid already stored (or tombstoned): nothing written
  std::size_t edited = 0;      // Kind::edit of a stored post: upserted, series adjusted
  std::size_t deleted = 0;     // Kind::del: tombstone written, mentions removed, series adjusted
  // Post by post, in batch order (empty for an empty batch): who counts each post once, when it is first
  // stored (the brand metrics), tells a new post from a replayed duplicate.
  std::vector<PostOutcome> outcomes;

  // One more post, with its outcome: the outcome in order, and its count.
  void add(PostOutcome o) {
    outcomes.push_back(o);
    switch (o) {
      case PostOutcome::inserted:
        ++inserted;
        break;
      case PostOutcome::duplicate:
        ++duplicates;
        break;
      case PostOutcome::edited:
        ++edited;
        break;
      case PostOutcome::deleted:
        ++deleted;
        break;
    }
  }
};

}  // namespace vigie::storage
