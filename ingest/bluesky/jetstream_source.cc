#include "ingest/bluesky/jetstream_source.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <charconv>
#include <optional>
#include <utility>

#include "ingest/bluesky/bluesky_handles.h"
#include "ingest/bluesky/jetstream_event.h"
#include "ingest/net/client_stream.h"
#include "ingest/net/endpoint.h"
#include "ingest/net/reconnect_loop.h"

namespace vigie::ingest {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kTuple = net::as_tuple(net::use_awaitable);
// A broken upstream can send nothing but malformed messages: every one is counted, one a second is logged.
constexpr auto kMalformedLogEvery = std::chrono::seconds(1);

Micros to_micros(std::chrono::milliseconds d) {
  return static_cast<Micros>(d.count()) * 1000;
}

double seconds(std::chrono::milliseconds d) {
  return static_cast<double>(d.count()) / 1000;
}

// "30.0 h", "12 min", "45 s": a span of time in a log line.
std::string describe_span(Micros us) {
  const double s = static_cast<double>(us) / kMicrosPerSecond;
  if (s >= 3600) return fmt::format("{:.1f} h", s / 3600);
  if (s >= 60) return fmt::format("{:.0f} min", s / 60);
  return fmt::format("{:.0f} s", s);
}

std::optional<Micros> parse_cursor(std::string_view s) {
  Micros v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

// The configured URL with the filters and, when resuming, the cursor.
std::string subscribe_url(boost::urls::url_view base, const JetstreamOptions& o,
                          std::optional<Micros> cursor) {
  boost::urls::url u(base);
  for (const auto& c : o.collections)
    u.params().append({"wantedCollections", c});
  for (const auto& d : o.dids)
    u.params().append({"wantedDids", d});
  if (cursor) u.params().set("cursor", std::to_string(*cursor));
  return std::string(u.buffer());
}

// Where the source stands; outlives connections.
struct Progress {
  Micros handled = 0;  // time_us of the last event handled; 0: none, start live
  Micros stored = 0;   // the cursor sent with the last batch pushed
  SteadyClock::time_point stored_at = SteadyClock::now();
  Micros gap_counted = 0;  // the resume position whose gap was already reported
};

// One WebSocket connection: the handshake, then messages until it ends.
class Connection {
 public:
  Connection(const JetstreamOptions& options, SourceMetrics& metrics, PostSink& out, Progress& progress,
             BlueskyHandles& handles, SessionControl& control)
      : options_(options),
        metrics_(metrics),
        out_(out),
        progress_(progress),
        handles_(handles),
        control_(control),
        resume_(progress.handled),
        lookup_(handles.lookup()) {
    timeouts_ = websocket::stream_base::timeout::suggested(beast::role_type::client);
    timeouts_.handshake_timeout = options.connect_timeout;
    timeouts_.idle_timeout = options.read_timeout;
    timeouts_.keep_alive_pings = true;
  }

  template <class Next>
  net::awaitable<Result<SessionEnd>> run(websocket::stream<Next>& ws, const Endpoint& at) {
    ws.set_option(timeouts_);
    ws.set_option(websocket::stream_base::decorator(
        [](websocket::request_type& req) { req.set(http::field::user_agent, "vigie"); }));
    const std::string host = at.host_header();
    websocket::response_type response;
    auto [hec] = co_await ws.async_handshake(response, host, at.target, kTuple);
    if (hec == websocket::error::upgrade_declined) {
      if (auto ra = retry_after(response)) control_.retry_after = *ra;
      const std::string& body = response.body();
      co_return error("HTTP " + std::to_string(response.result_int()) + " from " + options_.url +
                      (body.empty() ? "" : ": " + body.substr(0, 300)));
    }
    if (hec) co_return error("WebSocket handshake with " + options_.url + ": " + hec.message());
    metrics_.up.Set(1);
    spdlog::info("source {}: connected to {} ({})", options_.id, options_.url,
                 resume_ > 0 ? fmt::format("resuming after the event of {}, rewound {:.0f} s",
                                           format_rfc3339(resume_), seconds(options_.rewind))
                             : std::string("live"));

    beast::flat_buffer buffer;
    for (;;) {
      if (flush_due(ws)) {
        const bool pushed = co_await flush(ws);
        if (!pushed) co_return SessionEnd::stop;
      }
      auto [ec, n] = co_await ws.async_read(buffer, kTuple);
      if (ec) {
        // What was handled goes on before the reconnect, which resumes after it.
        if (!pending_.empty() || progress_.handled > progress_.stored) {
          const bool pushed = co_await flush(ws);
          if (!pushed) co_return SessionEnd::stop;
        }
        co_return ended(ws, ec);
      }
      control_.backoff.healthy();
      handle(std::string_view(static_cast<const char*>(buffer.data().data()), buffer.size()));
      buffer.consume(buffer.size());
    }
  }

 private:
  static std::optional<std::chrono::seconds> retry_after(const websocket::response_type& response) {
    auto it = response.find(http::field::retry_after);
    if (it == response.end()) return std::nullopt;
    const std::string_view v = it->value();
    long s = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), s);
    if (ec != std::errc() || end != v.data() + v.size() || s < 0) return std::nullopt;
    return std::chrono::seconds(s);
  }

  // Hand on before a read that may block (no byte waits on the socket), when the batch is full, and, for
  // the position alone, every cursor_interval.
  template <class Next>
  bool flush_due(websocket::stream<Next>& ws) const {
    if (pending_.size() >= std::max<std::size_t>(1, options_.batch_size)) return true;
    if (progress_.handled > progress_.stored &&
        SteadyClock::now() - progress_.stored_at >= options_.cursor_interval)
      return true;
    if (pending_.empty()) return false;
    // Beast keeps at most a frame's worth of bytes of its own (1.5 kB): with more than that waiting,
    // the kernel has the rest.
    boost::system::error_code ec;
    const std::size_t waiting = beast::get_lowest_layer(ws).socket().available(ec);
    return ec || waiting == 0;
  }

  // Pushes the pending posts with the position reached. Returns false when the pipeline refuses them.
  template <class Next>
  net::awaitable<bool> flush(websocket::stream<Next>& ws) {
    SourceBatch batch{options_.id, std::move(pending_), std::to_string(progress_.handled)};
    pending_.clear();
    const Micros handled = progress_.handled;
    const std::size_t n = batch.posts.size();
    const Micros last_created = n > 0 ? batch.posts.back().created_at : 0;
    // While push() waits nothing is read, and Beast's idle timer would take that silence for a dead server.
    websocket::stream_base::timeout paused = timeouts_;
    paused.idle_timeout = websocket::stream_base::none();
    ws.set_option(paused);
    auto pushed = co_await out_.push(std::move(batch));
    ws.set_option(timeouts_);
    if (!pushed) co_return false;
    progress_.stored = handled;
    progress_.stored_at = SteadyClock::now();
    if (n > 0) {
      metrics_.posts.Increment(static_cast<double>(n));
      metrics_.lag_seconds.Set(static_cast<double>(now_micros() - last_created) / kMicrosPerSecond);
    }
    co_return true;
  }

  void handle(std::string_view message) {
    auto event = parse_jetstream_event(message, now_micros(), lookup_);
    if (!event) {
      malformed(event.error().message);
      return;
    }
    // The rewind makes the server send again what an earlier connection handled.
    if (event->time_us <= resume_) {
      ++repeats_;
      return;
    }
    if (repeats_ > 0) {
      spdlog::debug("source {}: skipped {} events already handled", options_.id, repeats_);
      repeats_ = 0;
    }
    if (event->identity) handles_.apply(*event->identity);
    if (event->post) {
      event->post->source = options_.id;
      pending_.push_back(std::move(*event->post));
    }
    progress_.handled = std::max(progress_.handled, event->time_us);
  }

  void malformed(const std::string& why) {
    metrics_.malformed.Increment();
    const auto now = SteadyClock::now();
    if (last_report_ && now - *last_report_ < kMalformedLogEvery) {
      ++unreported_;
      return;
    }
    if (unreported_ > 0) {
      spdlog::warn("source {}: {}; skipped ({} more malformed messages skipped since the last report)",
                   options_.id, why, unreported_);
    } else {
      spdlog::warn("source {}: {}; skipped", options_.id, why);
    }
    last_report_ = now;
    unreported_ = 0;
  }

  template <class Next>
  Result<SessionEnd> ended(websocket::stream<Next>& ws, const boost::system::error_code& ec) {
    if (ec == websocket::error::closed) {
      const websocket::close_reason& r = ws.reason();
      if (r.code == websocket::close_code::normal || r.code == websocket::close_code::going_away)
        return SessionEnd::reconnect;
      return error("the server closed the WebSocket with code " + std::to_string(r.code) +
                   (r.reason.empty() ? "" : ": " + std::string(r.reason.data(), r.reason.size())));
    }
    if (ec == beast::error::timeout)
      return error(fmt::format("nothing received from {} for {:.1f} s (read_timeout)", options_.url,
                               seconds(options_.read_timeout)));
    return error("read from " + options_.url + ": " + ec.message());
  }

  const JetstreamOptions& options_;
  SourceMetrics& metrics_;
  PostSink& out_;
  Progress& progress_;
  BlueskyHandles& handles_;
  SessionControl& control_;
  const Micros resume_;  // events at or before this were handled by an earlier connection
  const HandleLookup lookup_;
  websocket::stream_base::timeout timeouts_;
  std::vector<Post> pending_;
  std::uint64_t repeats_ = 0;
  std::optional<SteadyClock::time_point> last_report_;
  std::uint64_t unreported_ = 0;
};

}  // namespace

JetstreamSource::JetstreamSource(JetstreamOptions options, std::shared_ptr<net::ssl::context> tls,
                                 std::shared_ptr<SourceMetrics> metrics)
    : options_(std::move(options)), tls_(std::move(tls)), metrics_(std::move(metrics)) {}

net::awaitable<void> JetstreamSource::run(PostSink& out, std::string cursor) {
  // The wiring checks the URL at start-up; this only guards against a source built without it.
  auto parsed = boost::urls::parse_uri(options_.url);
  auto endpoint = parse_endpoint(options_.url);
  if (!parsed || !endpoint || !endpoint->websocket) {
    spdlog::error("source {}: '{}' is not a ws:// or wss:// URL; the source does not start", options_.id,
                  options_.url);
    co_return;
  }
  const boost::urls::url base(*parsed);

  Progress progress;
  if (!cursor.empty()) {
    if (auto at = parse_cursor(cursor)) {
      progress.handled = progress.stored = *at;
    } else {
      spdlog::warn(
          "source {}: the stored cursor '{}' is not a Jetstream time_us; starting from the live stream",
          options_.id, cursor);
    }
  }
  BlueskyHandles handles(options_.max_handles);

  SessionControl control;
  auto session = [&](SessionControl& ctl) -> net::awaitable<Result<SessionEnd>> {
    std::optional<Micros> from;
    if (progress.handled > 0) {
      from = std::max<Micros>(0, progress.handled - to_micros(options_.rewind));
      const Micros now = now_micros();
      const Micros oldest = now - to_micros(options_.replay_window);
      if (progress.handled < oldest && progress.gap_counted != progress.handled) {
        progress.gap_counted = progress.handled;
        metrics_->gaps.Increment();
        spdlog::warn(
            "source {}: resuming after the event of {}, {} ago, but Jetstream replays only the last {}: "
            "about {} of events are lost",
            options_.id, format_rfc3339(progress.handled), describe_span(now - progress.handled),
            describe_span(to_micros(options_.replay_window)), describe_span(oldest - progress.handled));
      }
    }
    const std::string url = subscribe_url(base, options_, from);
    auto at = parse_endpoint(url);
    if (!at) co_return at.error();
    auto connected = co_await ClientStream::connect(*at, *tls_, options_.connect_timeout);
    if (!connected) co_return connected.error();
    Connection connection(options_, *metrics_, out, progress, handles, ctl);
    // WebSocket owns its next layer: the connected stream moves into it.
    auto& stream = (*connected)->stream();
    if (auto* plain = std::get_if<PlainStream>(&stream)) {
      websocket::stream<PlainStream> ws(std::move(*plain));
      Result<SessionEnd> end = co_await connection.run(ws, *at);
      co_return end;
    }
    websocket::stream<TlsStream> ws(std::move(std::get<TlsStream>(stream)));
    Result<SessionEnd> end = co_await connection.run(ws, *at);
    co_return end;
  };
  co_await run_sessions(options_.id, *metrics_, control, session);
}

}  // namespace vigie::ingest
