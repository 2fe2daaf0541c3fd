// The two interfaces between sources and the rest of Vigie.
//
// A Source produces posts and hands them, in batches, to a PostSink: the pipeline's bounded queue. A full
// queue suspends the source in push() (backpressure: a stream source stops reading its socket, so TCP slows
// the peer), never drops. With each batch the source says the position it reached; the pipeline stores that
// cursor in the same atomic write as the batch's posts, so a restart resumes exactly after what was stored.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/base/result.h"
#include "ingest/post.h"

namespace vigie::ingest {

struct SourceBatch {
  std::string source;  // id of the source that produced the posts
  std::vector<Post> posts;
  std::string cursor;  // position after these posts; empty: no cursor to store
};

class PostSink {
 public:
  virtual ~PostSink() = default;
  // Queues the batch, suspending while the queue is full. Returns once queued, not once durable. Fails only
  // when the pipeline is shutting down; the source should then return.
  virtual boost::asio::awaitable<Result<void>> push(SourceBatch batch) = 0;
};

class Source {
 public:
  virtual ~Source() = default;
  virtual std::string_view id() const = 0;
  // Produces posts into `out` until cancelled or, for finite sources, done. `cursor` is the position stored
  // with the last batch this source delivered (empty on the first run). Failures are handled inside (logged,
  // counted, retried with backoff); run() returns only when there is nothing more to do.
  virtual boost::asio::awaitable<void> run(PostSink& out, std::string cursor) = 0;
};

}  // namespace vigie::ingest
