#include "daemon/http/http_server.h"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <optional>

#include "daemon/http/http_response.h"
#include "ingest/base/thread_name.h"

namespace vigie::daemon {
namespace {

namespace beast = boost::beast;
using tcp = net::ip::tcp;
constexpr auto kAwait = net::as_tuple(net::use_awaitable);

// The response a failed read deserves, or nullopt when the connection should just close: the peer went away,
// we closed it, or it timed out (beast::tcp_stream closes the socket on timeout, so no 408 can be sent).
std::optional<http::status> status_for_read_error(const boost::system::error_code& ec) {
  if (ec == http::error::header_limit) return http::status::request_header_fields_too_large;
  if (ec == http::error::body_limit) return http::status::payload_too_large;
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return std::nullopt;
  if (ec.category() == boost::system::error_code(http::error::bad_method).category())
    return http::status::bad_request;
  return std::nullopt;  // socket errors: reset, aborted, closed by drain()
}

}  // namespace

struct HttpServer::Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  // Touched only on the connection's own I/O thread.
  bool busy = false;
  std::shared_ptr<ResponseStream> streaming;  // while a streaming body runs
};

namespace {

// While a body streams, the client sends nothing more: reading the socket meanwhile tells at once when it has
// gone away (EOF or reset), instead of at the next write, which may be a heartbeat away. The raw socket is
// read, outside beast::tcp_stream's timeouts, which belong to the writes. `keep` holds the connection (and
// so `socket`) while the read is pending.
net::awaitable<void> watch_peer([[maybe_unused]] std::shared_ptr<void> keep, tcp::socket& socket,
                                std::shared_ptr<ResponseStream> out) {
  std::array<char, 512> discard;
  for (;;) {
    auto [ec, n] = co_await socket.async_read_some(net::buffer(discard), kAwait);
    if (ec) break;
  }
  out->close();
}

}  // namespace

HttpServer::HttpServer(const HttpConfig& config, HttpHandler handler)
    : config_(config), handler_(std::move(handler)) {}

HttpServer::~HttpServer() {
  if (!threads_.empty()) drain(std::chrono::milliseconds(0));
}

Result<std::uint16_t> HttpServer::start(const ListenAddress& address) {
  boost::system::error_code ec;
  const auto ip = net::ip::make_address(address.host, ec);
  if (ec) return error("listen address '" + address.host + "': " + ec.message());
  for (int i = 0; i < config_.threads; ++i)
    contexts_.push_back(std::make_unique<net::io_context>(1));

  acceptor_ = std::make_unique<tcp::acceptor>(*contexts_[0]);
  const tcp::endpoint endpoint{ip, address.port};
  acceptor_->open(endpoint.protocol(), ec);
  if (!ec) acceptor_->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_->bind(endpoint, ec);
  if (!ec) acceptor_->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return error("cannot listen on " + address.host + ":" + std::to_string(address.port) + ": " +
                 ec.message());
  }
  const std::uint16_t port = acceptor_->local_endpoint().port();

  net::co_spawn(*contexts_[0], accept_loop(), net::detached);
  for (auto& ctx : contexts_) {
    threads_.emplace_back([ctx = ctx.get(), i = threads_.size()] {
      set_thread_name("vigie-http-" + std::to_string(i));
      auto guard = net::make_work_guard(*ctx);
      ctx->run();
    });
  }
  return port;
}

net::awaitable<void> HttpServer::accept_loop() {
  for (;;) {
    net::io_context& target = *contexts_[next_context_++ % contexts_.size()];
    auto [ec, socket] = co_await acceptor_->async_accept(target.get_executor(), kAwait);
    if (ec == net::error::operation_aborted || stopping_) co_return;
    if (ec) {
      // Out of file descriptors and the like: say so, breathe, and keep serving the connections we have.
      spdlog::warn("http: accept failed: {}", ec.message());
      net::steady_timer pause(acceptor_->get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(kAwait);
      continue;
    }
    auto conn = std::make_shared<Connection>(std::move(socket));
    {
      std::lock_guard lock(live_mu_);
      std::erase_if(live_, [](const auto& w) { return w.expired(); });
      live_.push_back(conn);
    }
    ++connections_;
    net::co_spawn(target, serve(std::move(conn)), [this](std::exception_ptr e) {
      --connections_;
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::error("http: connection ended by an exception: {}", ex.what());
        }
      }
    });
  }
}

net::awaitable<void> HttpServer::serve(std::shared_ptr<Connection> conn) {
  beast::tcp_stream& stream = conn->stream;
  beast::flat_buffer buffer;
  for (;;) {
    if (stopping_) break;
    http::request_parser<http::string_body> parser;
    parser.header_limit(
        static_cast<std::uint32_t>(std::min<std::uint64_t>(config_.max_header_bytes, UINT32_MAX)));
    parser.body_limit(config_.max_body_bytes);

    stream.expires_after(config_.idle_timeout);
    auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, kAwait);
    // From the first byte of a request to its response, drain() leaves the connection alone.
    conn->busy = true;
    struct BusyGuard {
      Connection& c;
      ~BusyGuard() { c.busy = false; }
    } guard{*conn};

    if (!ec && !parser.is_done()) {
      if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
        http::response<http::empty_body> cont{http::status::continue_, parser.get().version()};
        stream.expires_after(config_.read_timeout);
        std::tie(ec, n) = co_await http::async_write(stream, cont, kAwait);
      }
      if (!ec) {
        stream.expires_after(config_.read_timeout);
        std::tie(ec, n) = co_await http::async_read(stream, buffer, parser, kAwait);
      }
    }
    if (ec) {
      const auto status = status_for_read_error(ec);
      if (!status) break;
      HttpResponse res = json_error(*status, "malformed request: " + ec.message());
      res.keep_alive(false);
      stream.expires_after(config_.read_timeout);
      co_await http::async_write(stream, res, kAwait);
      break;
    }

    HttpRequest req = parser.release();
    HttpResponse res;
    StreamBody body;
    try {
      res = co_await handler_(req, body);
    } catch (const std::exception& e) {
      spdlog::error("http: {} {}: handler failed: {}", std::string(req.method_string()),
                    std::string(req.target()), e.what());
      res = json_error(http::status::internal_server_error, "internal error");
      body = nullptr;
    }
    if (body) {
      res.version(req.version());
      co_await stream_response(conn, res, std::move(body));
      break;
    }
    const bool keep = req.keep_alive() && res.keep_alive() && !stopping_;
    res.version(req.version());
    res.keep_alive(keep);
    res.prepare_payload();
    stream.expires_after(config_.read_timeout);
    auto [wec, wn] = co_await http::async_write(stream, res, kAwait);
    if (wec || !keep) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.close();
}

net::awaitable<void> HttpServer::stream_response(std::shared_ptr<Connection> conn, HttpResponse& head,
                                                 StreamBody body) {
  // The body is delimited by the end of the connection: no Content-Length, no keep-alive.
  head.keep_alive(false);
  head.erase(http::field::content_length);
  head.body().clear();
  http::response_serializer<http::string_body> sr(head);
  conn->stream.expires_after(config_.read_timeout);
  auto [ec, n] = co_await http::async_write_header(conn->stream, sr, kAwait);
  conn->stream.expires_never();
  if (ec) co_return;
  auto out = std::make_shared<ResponseStream>(conn->stream, conn, config_.read_timeout);
  conn->streaming = out;
  // drain() may have passed over this connection while its head was being written.
  if (stopping_) out->close();
  net::co_spawn(conn->stream.get_executor(), watch_peer(conn, conn->stream.socket(), out), net::detached);
  try {
    co_await body(*out);
  } catch (const std::exception& e) {
    spdlog::error("http: streaming body failed: {}", e.what());
  }
  conn->streaming.reset();
}

void HttpServer::stop_accepting() {
  if (!acceptor_) return;
  net::post(acceptor_->get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_->close(ignored);
  });
}

void HttpServer::close_idle_connections() {
  std::lock_guard lock(live_mu_);
  for (const auto& weak : live_) {
    if (auto conn = weak.lock()) {
      net::post(conn->stream.get_executor(), [conn] {
        if (conn->streaming) {
          conn->streaming->close();
        } else if (!conn->busy) {
          conn->stream.socket().close();
        }
      });
    }
  }
}

void HttpServer::drain(std::chrono::milliseconds grace) {
  stopping_ = true;
  stop_accepting();
  const auto deadline = std::chrono::steady_clock::now() + grace;
  // A connection finishing its request while we look may go back to waiting for the next one before it sees
  // stopping_, so idle connections are closed again on every pass. One pass at least, even with no grace:
  // idle connections and streams are closed then rather than cut when the threads stop.
  for (bool first = true; connections_.load() > 0 && (first || std::chrono::steady_clock::now() < deadline);
       first = false) {
    close_idle_connections();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (connections_.load() > 0) {
    spdlog::warn("http: {} connection(s) still busy after {} ms; closing them", connections_.load(),
                 grace.count());
  }
  for (auto& ctx : contexts_)
    ctx->stop();
  for (auto& t : threads_)
    t.join();
  threads_.clear();
}

}  // namespace vigie::daemon
