#include "ingest/mastodon/mastodon_source.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <cctype>
#include <unordered_set>

#include "ingest/mastodon/mastodon_status.h"
#include "ingest/mastodon/sse_parser.h"
#include "ingest/net/endpoint.h"
#include "ingest/net/http_client.h"

namespace vigie::ingest {
namespace {

namespace net = boost::asio;
namespace json = boost::json;
namespace urls = boost::urls;

// Mastodon's largest page of statuses.
constexpr std::size_t kPageLimit = 40;
// A page of 40 statuses is a few hundred kilobytes; far more means something else answered.
constexpr std::size_t kMaxPageBytes = 16 << 20;
constexpr std::chrono::seconds kPageTimeout{30};
// Malformed events logged per connection; the rest are only counted, so a broken server cannot flood the log.
constexpr int kMalformedLogged = 10;

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         });
}

std::string_view strip_hash(std::string_view tag) {
  if (!tag.empty() && tag.front() == '#') tag.remove_prefix(1);
  return tag;
}

// The scheme, host and port of `text` as a URL with path "/". `ws` and `wss` (how Mastodon advertises its
// streaming host) become `http` and `https`: server-sent events are plain HTTP.
Result<urls::url> origin(std::string_view text, std::string_view option) {
  if (!is_url_text(text))
    return error("'" + std::string(option) + "': '" + std::string(text) + "' is not a URL");
  auto parsed = urls::parse_absolute_uri(text);
  if (!parsed) return error("'" + std::string(option) + "': '" + std::string(text) + "' is not a URL");
  urls::url u(*parsed);
  const std::string scheme = u.scheme();
  if (scheme == "ws") u.set_scheme("http");
  if (scheme == "wss") u.set_scheme("https");
  if (u.scheme() != "http" && u.scheme() != "https")
    return error("'" + std::string(option) + "': '" + std::string(text) + "' is not an http(s) URL");
  if (u.encoded_host().empty())
    return error("'" + std::string(option) + "': '" + std::string(text) + "' has no host");
  u.remove_userinfo();
  u.remove_query();
  u.remove_fragment();
  u.set_path("/");
  return u;
}

// How long a refused request asks us to wait: Retry-After, or for a 429 Mastodon's X-RateLimit-Reset (the
// end of its 5-minute window).
std::optional<std::chrono::milliseconds> wait_asked(const HttpResponse& r) {
  if (auto ra = retry_after(r)) return std::chrono::milliseconds(*ra);
  if (r.status() != 429) return std::nullopt;
  const auto reset = parse_rfc3339(r.header("X-RateLimit-Reset"));
  if (!reset) return std::nullopt;
  const Micros wait = std::clamp<Micros>(*reset - now_micros(), 0, 15 * 60 * kMicrosPerSecond);
  return std::chrono::milliseconds(wait / 1000);
}

// The error for a non-2xx answer, with the start of its body. Notes in `ctl` how long the server asked to
// wait.
net::awaitable<Error> refused(HttpResponse& r, SessionControl& ctl, std::string_view what) {
  if (auto wait = wait_asked(r)) ctl.retry_after = *wait;
  auto body = co_await r.read_all(4096, std::chrono::seconds(5));
  std::string message = std::string(what) + ": HTTP " + std::to_string(r.status()) + " from " + r.url();
  if (body && !body->empty()) {
    std::string excerpt = body->substr(0, 300);
    for (char& c : excerpt) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    message += ": " + excerpt;
  }
  if (r.status() == 401 || r.status() == 403)
    message += " (is access_token set, valid and allowed to read this timeline?)";
  co_return error(std::move(message));
}

}  // namespace

std::optional<MastodonStream> parse_mastodon_stream(std::string_view name) {
  if (name == "public") return MastodonStream::federated;
  if (name == "public:local") return MastodonStream::local;
  if (name == "hashtag") return MastodonStream::hashtag;
  if (name == "list") return MastodonStream::list;
  if (name == "user") return MastodonStream::user;
  return std::nullopt;
}

std::string_view to_string(MastodonStream s) {
  switch (s) {
    case MastodonStream::federated:
      return "public";
    case MastodonStream::local:
      return "public:local";
    case MastodonStream::hashtag:
      return "hashtag";
    case MastodonStream::list:
      return "list";
    case MastodonStream::user:
      return "user";
  }
  return "?";
}

Result<void> validate_mastodon_options(const MastodonOptions& o) {
  if (o.instance.empty()) return error("'instance': required, e.g. https://mastodon.social");
  if (auto u = origin(o.instance, "instance"); !u) return u.error();
  if (!o.streaming_url.empty()) {
    if (auto u = origin(o.streaming_url, "streaming_url"); !u) return u.error();
  }
  const std::string stream(to_string(o.stream));
  if (o.stream == MastodonStream::hashtag && strip_hash(o.tag).empty())
    return error("'tag': required by stream: hashtag");
  if (o.stream == MastodonStream::list && o.list.empty()) return error("'list': required by stream: list");
  if ((o.stream == MastodonStream::list || o.stream == MastodonStream::user) && o.access_token.empty())
    return error("'access_token': required by stream: " + stream);
  if (o.heartbeat_timeout.count() <= 0) return error("'heartbeat_timeout': must be positive");
  if (o.connect_timeout.count() <= 0) return error("'connect_timeout': must be positive");
  if (o.catch_up && o.catch_up_max == 0) return error("'catch_up_max': must be at least 1");
  if (o.batch_size == 0) return error("'batch_size': must be at least 1");
  return ok();
}

// The state of one run(), shared by its sessions.
struct MastodonSource::Run {
  explicit Run(PostSink& sink) : out(sink) {}

  PostSink& out;
  std::string host;              // the instance's host: names the posts
  HttpRequest stream_request;    // the SSE endpoint
  HttpRequest timeline_request;  // headers of the REST requests; url set per page
  urls::url timeline_url;        // without limit and min_id
  std::string cursor;            // greatest status id delivered

  // Ids the current session's catch-up delivered: the stream opened before it may repeat them.
  std::unordered_set<std::string> caught_up;
  // Collected and not yet handed on; ids[i] is the status id posts[i] moves the cursor to (empty for edits
  // and deletes, which name old statuses).
  std::vector<Post> posts;
  std::vector<std::string> ids;
};

namespace {

// Collects the posts of the events one read of the stream completed.
class EventCollector final : public SseParser::Handler {
 public:
  EventCollector(const MastodonOptions& options, SourceMetrics& metrics, const std::string& host,
                 const std::unordered_set<std::string>& caught_up, std::vector<Post>& posts,
                 std::vector<std::string>& ids)
      : options_(options),
        metrics_(metrics),
        host_(host),
        uid_prefix_(mastodon_uid(host, "")),
        caught_up_(caught_up),
        posts_(posts),
        ids_(ids) {}

  void on_event(const SseEvent& e) override {
    ++events_;
    auto post = mastodon_event_to_post(e.type, e.data, host_, now_micros());
    if (!post) {
      malformed(post.error().message);
      return;
    }
    if (!post->has_value()) return;  // notification, filters_changed, announcement, ...
    Post& p = **post;
    std::string id;
    if (e.type == "update") {
      id = p.uid.substr(uid_prefix_.size());
      if (caught_up_.contains(id)) return;
    }
    p.source = options_.id;
    posts_.push_back(std::move(p));
    ids_.push_back(std::move(id));
  }
  void on_comment(std::string_view) override { ++heartbeats_; }
  void on_error(const Error& e) override {
    ++events_;
    malformed(e.message);
  }

  // Events and heartbeats seen so far on this connection: a change means the stream is alive.
  std::uint64_t signs_of_life() const { return events_ + heartbeats_; }

 private:
  void malformed(const std::string& why) {
    metrics_.malformed.Increment();
    ++malformed_;
    if (malformed_ <= kMalformedLogged)
      spdlog::warn(
          "source {}: event {} of this connection: {}; skipped{}", options_.id, events_, why,
          malformed_ == kMalformedLogged ? " (further malformed events are counted, not logged)" : "");
  }

  const MastodonOptions& options_;
  SourceMetrics& metrics_;
  const std::string& host_;
  const std::string uid_prefix_;
  const std::unordered_set<std::string>& caught_up_;
  std::vector<Post>& posts_;
  std::vector<std::string>& ids_;
  std::uint64_t events_ = 0;
  std::uint64_t heartbeats_ = 0;
  int malformed_ = 0;
};

}  // namespace

MastodonSource::MastodonSource(MastodonOptions options, std::shared_ptr<net::ssl::context> tls,
                               std::shared_ptr<SourceMetrics> metrics)
    : options_(std::move(options)), tls_(std::move(tls)), metrics_(std::move(metrics)) {}

net::awaitable<void> MastodonSource::run(PostSink& out, std::string cursor) {
  if (auto valid = validate_mastodon_options(options_); !valid) {
    spdlog::error("source {}: {}; not started", options_.id, valid.error().message);
    co_return;
  }
  Run run(out);
  run.cursor = std::move(cursor);
  urls::url instance = origin(options_.instance, "instance").value();
  run.host = instance.host();
  std::transform(run.host.begin(), run.host.end(), run.host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });

  urls::url stream = options_.streaming_url.empty() ? instance : origin(options_.streaming_url, "").value();
  const std::string tag(strip_hash(options_.tag));
  urls::url& timeline = run.timeline_url;
  timeline = instance;
  switch (options_.stream) {
    case MastodonStream::federated:
      stream.set_path("/api/v1/streaming/public");
      timeline.set_path("/api/v1/timelines/public");
      break;
    case MastodonStream::local:
      stream.set_path("/api/v1/streaming/public/local");
      timeline.set_path("/api/v1/timelines/public");
      timeline.params().append({"local", "true"});
      break;
    case MastodonStream::hashtag:
      stream.set_path("/api/v1/streaming/hashtag");
      stream.params().append({"tag", tag});
      timeline.set_path("/api/v1/timelines/tag");
      timeline.segments().push_back(tag);
      break;
    case MastodonStream::list:
      stream.set_path("/api/v1/streaming/list");
      stream.params().append({"list", options_.list});
      timeline.set_path("/api/v1/timelines/list");
      timeline.segments().push_back(options_.list);
      break;
    case MastodonStream::user:
      stream.set_path("/api/v1/streaming/user");
      timeline.set_path("/api/v1/timelines/home");
      break;
  }

  std::vector<std::pair<std::string, std::string>> auth;
  if (!options_.access_token.empty()) auth.emplace_back("Authorization", "Bearer " + options_.access_token);
  run.stream_request.url = stream.buffer();
  run.stream_request.headers = auth;
  run.stream_request.headers.emplace_back("Accept", "text/event-stream");
  run.stream_request.headers.emplace_back("Cache-Control", "no-cache");
  run.stream_request.connect_timeout = options_.connect_timeout;
  run.timeline_request.headers = std::move(auth);
  run.timeline_request.headers.emplace_back("Accept", "application/json");
  run.timeline_request.connect_timeout = options_.connect_timeout;

  SessionControl control;
  const Session one_session = [&](SessionControl& ctl) { return session(run, ctl); };
  co_await run_sessions(options_.id, *metrics_, control, one_session);
}

net::awaitable<Result<SessionEnd>> MastodonSource::session(Run& run, SessionControl& ctl) {
  run.caught_up.clear();
  run.posts.clear();
  run.ids.clear();

  // The stream is opened first and its headers read, so that whatever is published from now on reaches it;
  // the catch-up then covers what came before.
  auto opened = co_await HttpResponse::open(run.stream_request, *tls_);
  if (!opened) co_return opened.error();
  HttpResponse& stream = **opened;
  if (stream.status() != 200) {
    Error e = co_await refused(stream, ctl, "stream");
    co_return e;
  }
  const std::string type = stream.header("Content-Type");
  if (!starts_with_nocase(type, "text/event-stream"))
    co_return error("stream: " + stream.url() + " answered with Content-Type '" + type +
                    "', not text/event-stream (is streaming_url right?)");
  metrics_->up.Set(1);
  spdlog::info("source {}: connected to {}", options_.id, stream.url());

  if (options_.catch_up) {
    auto caught = co_await catch_up(run, ctl);
    if (!caught) co_return caught.error();
    if (!*caught) co_return SessionEnd::stop;
  }

  EventCollector events(options_, *metrics_, run.host, run.caught_up, run.posts, run.ids);
  SseParser parser(events);
  for (;;) {
    const auto before = std::chrono::steady_clock::now();
    auto part = co_await stream.read_some(options_.heartbeat_timeout);
    if (!part) {
      if (parser.finish()) metrics_->truncated.Increment();
      if (std::chrono::steady_clock::now() - before >= options_.heartbeat_timeout)
        co_return error("stream: no event or heartbeat for " +
                        std::to_string(options_.heartbeat_timeout.count()) + " ms (heartbeat_timeout)");
      co_return part.error();
    }
    if (part->empty()) {
      if (parser.finish()) {
        metrics_->truncated.Increment();
        spdlog::warn("source {}: the stream ended inside an event; that event is dropped", options_.id);
      }
      co_return SessionEnd::reconnect;
    }
    const std::uint64_t alive_before = events.signs_of_life();
    parser.feed(*part);
    if (events.signs_of_life() != alive_before) ctl.backoff.healthy();
    // Hand over what this read completed before reading again: while push() waits on a full queue, the
    // socket is not read.
    if (!run.posts.empty()) {
      const bool delivered = co_await deliver(run);
      if (!delivered) co_return SessionEnd::stop;
    }
  }
}

net::awaitable<Result<bool>> MastodonSource::catch_up(Run& run, SessionControl& ctl) {
  // Without a cursor there is no gap to fill, only context: the latest page.
  const bool first_start = run.cursor.empty();
  const std::string from = run.cursor;
  std::size_t fetched = 0;
  for (;;) {
    urls::url page_url = run.timeline_url;
    page_url.params().set("limit", std::to_string(std::min(kPageLimit, options_.catch_up_max - fetched)));
    if (!run.cursor.empty()) page_url.params().set("min_id", run.cursor);
    HttpRequest request = run.timeline_request;
    request.url = page_url.buffer();
    auto opened = co_await HttpResponse::open(request, *tls_);
    if (!opened) co_return Error{"catch-up: " + opened.error().message};
    HttpResponse& page = **opened;
    if (page.status() != 200) {
      const unsigned status = page.status();
      Error e = co_await refused(page, ctl, "catch-up");
      if (status == 429 || status >= 500) co_return e;
      // Refused for good (an instance that shows this timeline to logged-in users only, a token without
      // read:statuses): live posts are still worth having.
      metrics_->network.Increment();
      spdlog::warn("source {}: {}; streaming without catch-up (posts from while disconnected are missed)",
                   options_.id, e.message);
      co_return true;
    }
    auto body = co_await page.read_all(kMaxPageBytes, kPageTimeout);
    if (!body) co_return Error{"catch-up: " + body.error().message};

    boost::system::error_code ec;
    const json::value statuses = json::parse(*body, ec);
    if (ec || !statuses.is_array()) {
      metrics_->malformed.Increment();
      const std::string why = ec ? ec.message() : "not an array";
      spdlog::warn("source {}: catch-up: {} answered no statuses ({}); streaming without catch-up",
                   options_.id, page.url(), why);
      co_return true;
    }

    // A page comes newest first; it is handed on oldest first. Statuses not newer than the cursor are
    // dropped: a server that ignores min_id would otherwise be paged forever.
    std::vector<std::pair<std::string, const json::value*>> fresh;
    std::size_t index = 0;
    for (const json::value& s : statuses.get_array()) {
      ++index;
      auto id = mastodon_status_id(s);
      if (!id) {
        metrics_->malformed.Increment();
        spdlog::warn("source {}: catch-up: status {} of {}: no id; skipped", options_.id, index, page.url());
        continue;
      }
      if (run.cursor.empty() || mastodon_id_less(run.cursor, *id)) fresh.emplace_back(std::move(*id), &s);
    }
    if (fresh.empty()) break;
    std::sort(fresh.begin(), fresh.end(),
              [](const auto& a, const auto& b) { return mastodon_id_less(a.first, b.first); });
    const Micros received = now_micros();
    for (auto& [id, status] : fresh) {
      auto post = mastodon_status_to_post(*status, run.host, received);
      if (!post) {
        metrics_->malformed.Increment();
        spdlog::warn("source {}: catch-up: {}; skipped", options_.id, post.error().message);
      } else {
        post->source = options_.id;
        run.posts.push_back(std::move(*post));
        run.ids.push_back(id);
      }
      run.caught_up.insert(id);
    }
    if (!run.posts.empty()) {
      const bool delivered = co_await deliver(run);
      if (!delivered) co_return false;
    }
    // Past a malformed last status too, so that it is not fetched again.
    if (mastodon_id_less(run.cursor, fresh.back().first)) run.cursor = fresh.back().first;
    fetched += fresh.size();
    if (first_start) break;
    if (fetched >= options_.catch_up_max) {
      spdlog::warn("source {}: catch-up stopped at catch_up_max ({} after {}); the gap after {} may remain",
                   options_.id, fetched, from, run.cursor);
      break;
    }
  }
  if (fetched > 0)
    spdlog::info("source {}: caught up {} {}{}", options_.id, fetched, fetched == 1 ? "status" : "statuses",
                 first_start ? " (latest page)" : " after " + from);
  co_return true;
}

net::awaitable<bool> MastodonSource::deliver(Run& run) {
  for (std::size_t i = 0; i < run.posts.size(); i += options_.batch_size) {
    const std::size_t end = std::min(run.posts.size(), i + options_.batch_size);
    SourceBatch batch{options_.id, {}, run.cursor};
    for (std::size_t j = i; j < end; ++j) {
      if (!run.ids[j].empty() && mastodon_id_less(batch.cursor, run.ids[j])) batch.cursor = run.ids[j];
    }
    batch.posts.assign(std::make_move_iterator(run.posts.begin() + static_cast<std::ptrdiff_t>(i)),
                       std::make_move_iterator(run.posts.begin() + static_cast<std::ptrdiff_t>(end)));
    // Lag from the newest status of the batch; deletes carry no publication time.
    std::optional<Micros> created;
    for (const Post& p : batch.posts) {
      if (p.kind != Kind::del) created = std::max(created.value_or(p.created_at), p.created_at);
    }
    const std::string cursor = batch.cursor;
    const double n = static_cast<double>(batch.posts.size());
    auto pushed = co_await run.out.push(std::move(batch));
    if (!pushed) co_return false;
    run.cursor = cursor;
    metrics_->posts.Increment(n);
    if (created) metrics_->lag_seconds.Set(static_cast<double>(now_micros() - *created) / kMicrosPerSecond);
  }
  run.posts.clear();
  run.ids.clear();
  co_return true;
}

}  // namespace vigie::ingest
