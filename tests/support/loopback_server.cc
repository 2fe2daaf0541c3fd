#include "tests/support/loopback_server.h"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdlib>
#include <future>

namespace vigie::testing {

namespace websocket = beast::websocket;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

// The streams of one connection; Exchange points into it.
struct Connection {
  std::variant<Exchange::Plain, Exchange::Tls> stream;
  beast::tcp_stream& tcp() {
    return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); }, stream);
  }
};

const Exchange::Headers Exchange::kNoHeaders;

template <class F>
auto Exchange::with_stream(F&& f) {
  return std::visit([&](auto* s) { return f(*s); }, stream_);
}

beast::tcp_stream& Exchange::tcp() {
  return std::visit([](auto* s) -> beast::tcp_stream& { return beast::get_lowest_layer(*s); }, stream_);
}

std::string Exchange::header(std::string_view name) const {
  auto it = request_.find(name);
  return it == request_.end() ? std::string() : std::string(it->value());
}

net::awaitable<void> Exchange::respond(unsigned status, std::string_view body, std::string_view content_type,
                                       const Headers& headers) {
  if (closed_) co_return;
  http::response<http::string_body> res{static_cast<http::status>(status), 11};
  res.set(http::field::content_type, content_type);
  for (const auto& [k, v] : headers)
    res.set(k, v);
  res.keep_alive(request_.keep_alive());
  res.body() = std::string(body);
  res.prepare_payload();
  auto [ec, n] = co_await with_stream([&](auto& s) { return http::async_write(s, res, kTuple); });
  if (ec) closed_ = true;
  keep_alive_ = request_.keep_alive();
}

net::awaitable<void> Exchange::start_chunked(unsigned status, std::string_view content_type,
                                             const Headers& headers) {
  if (closed_) co_return;
  http::response<http::empty_body> res{static_cast<http::status>(status), 11};
  res.set(http::field::content_type, content_type);
  for (const auto& [k, v] : headers)
    res.set(k, v);
  res.chunked(true);
  http::response_serializer<http::empty_body> sr{res};
  auto [ec, n] = co_await with_stream([&](auto& s) { return http::async_write_header(s, sr, kTuple); });
  if (ec) closed_ = true;
}

net::awaitable<void> Exchange::chunk(std::string_view data) {
  if (data.empty()) co_return;  // an empty chunk would end the body
  char size[32];
  const int len = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  std::string framed(size, static_cast<std::size_t>(len));
  framed.append(data);
  framed += "\r\n";
  co_await raw(framed);
}

net::awaitable<void> Exchange::end_chunks() {
  co_await raw("0\r\n\r\n");
}

net::awaitable<void> Exchange::raw(std::string_view data) {
  if (closed_) co_return;
  auto [ec, n] = co_await with_stream(
      [&](auto& s) { return net::async_write(s, net::buffer(data.data(), data.size()), kTuple); });
  if (ec) closed_ = true;
}

net::awaitable<void> Exchange::sleep(std::chrono::milliseconds d) {
  net::steady_timer t(tcp().get_executor(), d);
  co_await t.async_wait(kTuple);
}

void Exchange::close() {
  closed_ = true;
  beast::error_code ec;
  tcp().socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  tcp().close();
}

net::awaitable<bool> Exchange::websocket_accept() {
  beast::error_code ec;
  const auto count_pings = [this](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::ping && pings_) ++*pings_;
  };
  if (auto** p = std::get_if<Plain*>(&stream_)) {
    ws_plain_ = std::make_unique<websocket::stream<Plain&>>(**p);
    ws_plain_->control_callback(count_pings);
    std::tie(ec) = co_await ws_plain_->async_accept(request_, kTuple);
  } else {
    ws_tls_ = std::make_unique<websocket::stream<Tls&>>(*std::get<Tls*>(stream_));
    ws_tls_->control_callback(count_pings);
    std::tie(ec) = co_await ws_tls_->async_accept(request_, kTuple);
  }
  if (ec) closed_ = true;
  co_return !ec;
}

net::awaitable<bool> Exchange::ws_send(std::string_view text) {
  if (closed_) co_return false;
  beast::error_code ec;
  std::size_t n = 0;
  const auto buf = net::buffer(text.data(), text.size());
  if (ws_plain_) {
    ws_plain_->text(true);
    std::tie(ec, n) = co_await ws_plain_->async_write(buf, kTuple);
  } else {
    ws_tls_->text(true);
    std::tie(ec, n) = co_await ws_tls_->async_write(buf, kTuple);
  }
  if (ec) closed_ = true;
  co_return !ec;
}

net::awaitable<std::optional<std::string>> Exchange::ws_read() {
  if (closed_) co_return std::nullopt;
  beast::flat_buffer buf;
  beast::error_code ec;
  std::size_t n = 0;
  if (ws_plain_) {
    std::tie(ec, n) = co_await ws_plain_->async_read(buf, kTuple);
  } else {
    std::tie(ec, n) = co_await ws_tls_->async_read(buf, kTuple);
  }
  if (ec) {
    closed_ = true;
    co_return std::nullopt;
  }
  co_return beast::buffers_to_string(buf.data());
}

LoopbackServer::LoopbackServer(Handler handler) : handler_(std::move(handler)) {
  net::ip::tcp::endpoint ep(net::ip::make_address("127.0.0.1"), 0);
  acceptor_.open(ep.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  net::co_spawn(ctx_, accept_loop(), net::detached);
  thread_ = std::thread([this] { ctx_.run(); });
}

LoopbackServer::LoopbackServer(Handler handler, const std::string& cert_file, const std::string& key_file)
    : handler_(std::move(handler)) {
  tls_ = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
  tls_->use_certificate_chain_file(cert_file);
  tls_->use_private_key_file(key_file, net::ssl::context::pem);
  net::ip::tcp::endpoint ep(net::ip::make_address("127.0.0.1"), 0);
  acceptor_.open(ep.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  net::co_spawn(ctx_, accept_loop(), net::detached);
  thread_ = std::thread([this] { ctx_.run(); });
}

LoopbackServer::~LoopbackServer() {
  ctx_.stop();
  if (thread_.joinable()) thread_.join();
}

std::string LoopbackServer::url(const std::string& path, const std::string& scheme) const {
  const std::string s = scheme.empty() ? (tls_ ? "https" : "http") : scheme;
  return s + "://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<std::string> LoopbackServer::targets() const {
  std::lock_guard lock(mu_);
  return targets_;
}

void LoopbackServer::drop_connections() {
  std::promise<void> done;
  net::post(ctx_, [&] {
    std::lock_guard lock(mu_);
    for (auto& w : open_) {
      if (auto c = w.lock()) {
        beast::error_code ec;
        c->socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
        c->close();
      }
    }
    open_.clear();
    done.set_value();
  });
  done.get_future().wait();
}

net::awaitable<void> LoopbackServer::accept_loop() {
  for (int index = 0;; ++index) {
    auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
    if (ec) co_return;
    ++connections_;
    net::co_spawn(ctx_, serve(std::move(socket), index), net::detached);
  }
}

net::awaitable<void> LoopbackServer::serve(net::ip::tcp::socket socket, int index) {
  auto conn = std::make_shared<Connection>(
      tls_ ? std::variant<Exchange::Plain, Exchange::Tls>(std::in_place_type<Exchange::Tls>,
                                                          beast::tcp_stream(std::move(socket)), *tls_)
           : std::variant<Exchange::Plain, Exchange::Tls>(std::in_place_type<Exchange::Plain>,
                                                          beast::tcp_stream(std::move(socket))));
  {
    // drop_connections closes the TCP layer; an alias pointer keeps the connection alive meanwhile.
    std::lock_guard lock(mu_);
    open_.push_back(std::shared_ptr<beast::tcp_stream>(conn, &conn->tcp()));
  }
  if (auto* tls = std::get_if<Exchange::Tls>(&conn->stream)) {
    auto [ec] = co_await tls->async_handshake(net::ssl::stream_base::server, kTuple);
    if (ec) co_return;
  }
  std::variant<Exchange::Plain*, Exchange::Tls*> ptr =
      std::visit([](auto& s) -> std::variant<Exchange::Plain*, Exchange::Tls*> { return &s; }, conn->stream);
  beast::flat_buffer buffer;
  for (;;) {
    Exchange ex(ptr, index);
    ex.pings_ = &websocket_pings_;
    auto [ec, n] =
        co_await std::visit([&](auto* s) { return http::async_read(*s, buffer, ex.request_, kTuple); }, ptr);
    if (ec) co_return;
    ++requests_;
    {
      std::lock_guard lock(mu_);
      targets_.push_back(std::string(ex.request_.target()));
    }
    co_await handler_(ex);
    if (ex.closed_ || ex.ws_plain_ || ex.ws_tls_ || !ex.keep_alive_) {
      if (!ex.closed_) ex.close();
      co_return;
    }
  }
}

std::pair<std::string, std::string> make_test_certificate(const std::string& dir) {
  const std::string cert = dir + "/cert.pem", key = dir + "/key.pem";
  const std::string cmd =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " +
      key + " -out " + cert + " > " + dir + "/openssl.log 2>&1";
  if (std::system(cmd.c_str()) != 0) ADD_FAILURE() << "openssl could not make a test certificate: " << cmd;
  return {cert, key};
}

}  // namespace vigie::testing
