// `feed` source: polls one RSS 1.0, RSS 2.0 or Atom feed over HTTP(S) and hands on the items it has not seen
// before (see feed_parser.h for what becomes of an item).
//
// Config (sources: entry):
//   feeds: [{url: https://blog.example/feed.xml, interval: 10m}, ...]   or a single  url: ...   required;
//                       http or https. The wiring makes one FeedSource per URL; they share the source's
//                       metrics, and each keeps its own cursor.
//   interval: 5m        time between two polls of a feed, unless its feeds: entry sets its own. Each wait is
//                       drawn within ±10% of it, so that many feeds do not poll in step.
//   timeout: 30s        the whole fetch of a feed: connect, request, headers and body
//   max_bytes: 16MiB    a larger body fails the poll
//   headers: {}         sent with every request, e.g. {Authorization: "Bearer ${TOKEN}"}; they may replace
//                       the default Accept
//   seen_max: 1000      item keys remembered per feed (see the cursor below)
//   tls_ca_file: ""     an extra CA bundle to trust besides the system store
//
// Each poll is a conditional GET (If-None-Match / If-Modified-Since from the last answer's ETag and
// Last-Modified). 304 means nothing new. A 200 body is parsed with the Content-Type's charset and the final
// URL after redirects as the base of relative links. Its new items, those whose seen_key is not in the
// seen-set, are pushed oldest first (by created_at), the cursor riding in the same batches so that posts and
// cursor are stored together; when nothing is new but the ETag or Last-Modified changed, a batch with no
// posts carries the cursor alone.
//
// Cursor: stored under id(), "<source_id>|<url>", so that each feed of a source has its own, stable when the
// feed list is reordered. A compact JSON object
//   {"etag":"\"abc\"","last_modified":"Sun, 22 Nov 2026 14:05:00 GMT","seen":["key", ...]}
// with the seen keys in the order they were first delivered. Past seen_max keys the oldest are dropped, except
// those of items still in the latest document: dropping them would deliver them again on every poll of a feed
// longer than seen_max. An empty or unreadable cursor makes every item of the first poll new; storage dedups
// by uid, so the seen-set saves rework rather than guards against duplicates.
//
// Failures: a connection failure, a timeout, a body past max_bytes or an HTTP status other than 2xx and 304
// counts errors{kind="network"}, sets up to 0, and the next poll comes after a backoff (1 s doubling up to
// the interval) rather than the interval; 429 and 503 honour Retry-After. A 2xx body that is not a feed counts
// errors{kind="malformed"}, sets up to 0, and is polled again after the interval. A truncated or damaged feed
// still yields the items complete before the damage; a truncated one counts as malformed. A successful poll
// sets up to 1 and resets the backoff. Each change of state (first success, failure, a different failure,
// recovery, new damage, a redirect to a new URL) is logged once, not on every poll.
//
// Thread-safety: run() is one coroutine; the object must outlive it.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ingest/source.h"
#include "ingest/source_metrics.h"

namespace vigie::ingest {

struct FeedOptions {
  std::string source_id;  // the configured source's id: Post::source, and the prefix of id()
  std::string url;
  std::chrono::milliseconds interval{5 * 60'000};
  std::chrono::milliseconds timeout{30'000};
  std::size_t max_bytes = 16 << 20;
  std::vector<std::pair<std::string, std::string>> headers;
  std::size_t seen_max = 1000;
  std::size_t batch_size = 256;  // posts per pushed batch; not a config option
};

class FeedSource final : public Source {
 public:
  FeedSource(FeedOptions options, std::shared_ptr<boost::asio::ssl::context> tls,
             std::shared_ptr<SourceMetrics> metrics);
  // The cursor key "<source_id>|<url>", not the configured id.
  std::string_view id() const override { return key_; }
  // Polls now, then every interval (or after a backoff following a failure), until cancelled or the sink
  // refuses a batch.
  boost::asio::awaitable<void> run(PostSink& out, std::string cursor) override;

 private:
  FeedOptions options_;
  std::string key_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::shared_ptr<SourceMetrics> metrics_;
};

}  // namespace vigie::ingest
