// `jetstream` source: Bluesky posts as they are published, from a Jetstream instance
// (https://github.com/bluesky-social/jetstream): a WebSocket on which every message is one JSON event (see
// jetstream_event.h for the events and what becomes a Post).
//
// Config (sources: entry):
//   url: wss://jetstream2.us-east.bsky.network/subscribe   required; ws or wss
//   collections: [app.bsky.feed.post]   sent as wantedCollections. Jetstream sends account and identity
//                         events whatever this says
//   dids: []              sent as wantedDids: only the commits of these accounts; empty: every account
//   rewind: 5s            on resume, ask for cursor = the stored time_us minus this: Jetstream does not
//                         promise a gapless replay at the exact boundary. What it sends again (time_us <= the
//                         stored one) is skipped, so no post is delivered twice
//   replay_window: 24h    how far back the instance can replay. A stored cursor older than now minus this
//                         means events were lost: logged once with the size of the gap and counted
//                         (errors{kind="gap"}); the cursor is still sent, and the stream goes on from what
//                         the instance still has
//   read_timeout: 60s     after half of this without a message a WebSocket ping goes out; when nothing at
//                         all, not even the pong, arrives for the whole of it, reconnect
//   connect_timeout: 10s  resolve, connect, TLS and WebSocket handshakes
//   cursor_interval: 10s  the position moves with every event, posts or not; when no post carries it to
//                         storage, it is stored alone (a batch without posts) at most this often, so that a
//                         quiet filter does not leave the stored cursor behind the replay window
//   max_handles: 100000   DID → handle pairs remembered from identity events, least recently used dropped;
//                         a post by a DID not remembered has the DID as its author handle
//   tls_ca_file: ""       an extra CA bundle to trust besides the system store (the TLS context given here)
//
// The cursor is the decimal time_us of the last event handled. It goes with each batch, so it is stored in
// the same write as the batch's posts. Posts are handed on when the batch holds batch_size of them or when no
// more bytes wait on the socket, and always before a read that may block; while push() waits, the socket is
// not read (TCP slows the server) and the read timeout is suspended. A message that is not a valid event is
// counted (errors{kind="malformed"}), logged and skipped; the stream goes on.
//
// Not thread-safe: run() is called once and drives everything on its executor.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "ingest/source.h"
#include "ingest/source_metrics.h"

namespace vigie::ingest {

struct JetstreamOptions {
  std::string id;
  std::string url;
  std::vector<std::string> collections{"app.bsky.feed.post"};
  std::vector<std::string> dids;
  std::chrono::milliseconds rewind{5'000};
  std::chrono::milliseconds replay_window{std::chrono::hours(24)};
  std::chrono::milliseconds read_timeout{60'000};
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds cursor_interval{10'000};
  std::size_t batch_size = 256;  // the pipeline's batch size
  std::size_t max_handles = 100'000;
};

class JetstreamSource final : public Source {
 public:
  JetstreamSource(JetstreamOptions options, std::shared_ptr<boost::asio::ssl::context> tls,
                  std::shared_ptr<SourceMetrics> metrics);
  std::string_view id() const override { return options_.id; }
  // `cursor` is a time_us stored by this source; anything else is logged and ignored (start live).
  boost::asio::awaitable<void> run(PostSink& out, std::string cursor) override;

 private:
  JetstreamOptions options_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::shared_ptr<SourceMetrics> metrics_;
};

}  // namespace vigie::ingest
