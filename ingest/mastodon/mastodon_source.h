// `mastodon` source: one timeline of a Mastodon instance, live over the streaming API (server-sent events),
// with the gaps of every (re)connect filled over the REST timelines API.
//
// Config (sources: entry):
//   instance: https://mastodon.social   required; http or https, of which only scheme, host and port are
//                         used. Its host names the posts ("mastodon:<host>/<id>", see mastodon_status.h)
//   stream: public        public (federated timeline) | public:local | hashtag | list | user (home timeline)
//   tag: ""               the hashtag (a leading '#' is ignored); required by stream: hashtag
//   list: ""              the list id; required by stream: list
//   access_token: ""      sent as "Authorization: Bearer"; stream: user and list need one, and most instances
//                         refuse anonymous public streams since Mastodon 4.2 (a 401 is logged and retried)
//   streaming_url: ""     where the streaming API is served when not on the instance (the instance's
//                         configuration.urls.streaming); empty: the instance (which redirects when it can)
//   heartbeat_timeout: 45s  reconnect when nothing, not even a heartbeat, arrives for this long (Mastodon
//                         sends a ":thump" comment every 15 s or so)
//   catch_up: true        on every (re)connect, fetch over REST what was published while disconnected
//   catch_up_max: 2000    at most this many statuses per (re)connect; beyond, the gap is logged as not filled
//   connect_timeout: 10s
//   tls_ca_file: ""       an extra CA bundle to trust besides the system store
//
// Each session opens the stream first (so nothing published from then on is missed), then catches up on a
// separate request before reading the stream: from the stored cursor (`min_id`, pages of 40, oldest first,
// until an empty page or catch_up_max), or, on a first start, the latest page only. The cursor is the
// greatest status id delivered; it travels with each batch, so it is stored with the posts. A stream
// `update` that the catch-up of the same session delivered is skipped; `delete` and `status.update` always
// pass. Events other than these three are ignored.
//
// Failures: HTTP 401/403 and 5xx are logged and retried with backoff, 429 after Retry-After (or Mastodon's
// X-RateLimit-Reset). A catch-up refused for good (a 4xx other than 429: the timeline is closed to this
// token) is logged and counted, and the stream is read anyway, leaving the gap. A malformed event or status
// is counted (errors{kind="malformed"}), logged with its number on the connection, and skipped.
// Posts are handed to the pipeline as each read completes; while the pipeline's queue is full neither socket
// is read, so TCP slows the server.
//
// Thread-safety: run() is one coroutine; the source is not shared between runs.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/net/reconnect_loop.h"
#include "ingest/source.h"
#include "ingest/source_metrics.h"

namespace vigie::ingest {

// The timelines a source can follow, named in config as public, public:local, hashtag, list, user.
enum class MastodonStream { federated, local, hashtag, list, user };

// nullopt for any other name.
std::optional<MastodonStream> parse_mastodon_stream(std::string_view name);
std::string_view to_string(MastodonStream s);

struct MastodonOptions {
  std::string id;
  std::string instance;
  MastodonStream stream = MastodonStream::federated;
  std::string tag;
  std::string list;
  std::string access_token;
  std::string streaming_url;
  std::chrono::milliseconds heartbeat_timeout{45'000};
  bool catch_up = true;
  std::size_t catch_up_max = 2000;
  std::chrono::milliseconds connect_timeout{10'000};
  std::size_t batch_size = 256;
};

// Checks what config loading should reject: instance not an http(s) URL, streaming_url not an http(s) or
// ws(s) URL, a missing tag or list, no access_token for stream: user or list, non-positive timeouts,
// catch_up_max or batch_size of 0. The error names the option ("'tag': required by stream: hashtag").
Result<void> validate_mastodon_options(const MastodonOptions& options);

class MastodonSource final : public Source {
 public:
  // `options` should have passed validate_mastodon_options; if not, run() logs why and returns at once.
  MastodonSource(MastodonOptions options, std::shared_ptr<boost::asio::ssl::context> tls,
                 std::shared_ptr<SourceMetrics> metrics);
  std::string_view id() const override { return options_.id; }
  boost::asio::awaitable<void> run(PostSink& out, std::string cursor) override;

 private:
  struct Run;

  boost::asio::awaitable<Result<SessionEnd>> session(Run& run, SessionControl& ctl);
  // Fills the gap since run.cursor over REST. False when the pipeline refused posts (shutdown).
  boost::asio::awaitable<Result<bool>> catch_up(Run& run, SessionControl& ctl);
  // Hands the collected posts on in batches of batch_size, each with the cursor after it, and advances
  // run.cursor as each is accepted. False when the pipeline refused them.
  boost::asio::awaitable<bool> deliver(Run& run);

  MastodonOptions options_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::shared_ptr<SourceMetrics> metrics_;
};

}  // namespace vigie::ingest
