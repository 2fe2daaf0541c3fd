// A client connection of a network source: plain TCP or TLS over TCP, chosen by the endpoint's scheme.
//
// TLS verifies the peer against the system CA store (plus an optional extra CA file, for a private CA or a
// test), sends SNI and checks the certificate's host name. Timeouts are set on the TCP layer before each
// operation (tcp().expires_after); Beast closes the socket when one expires.
//
// Protocol code is written once for both kinds of stream through visit():
//   co_await stream.visit([&](auto& s) { return http::async_write(s, req, token); });
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <variant>

#include "ingest/base/result.h"
#include "ingest/net/endpoint.h"

namespace vigie::ingest {

using PlainStream = boost::beast::tcp_stream;
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

struct TlsOptions {
  std::string ca_file;  // extra PEM CA bundle trusted besides the system store; empty: system store only
};

// One context per source: it holds the trust store. Errors name the CA file.
Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const TlsOptions& options);

class ClientStream {
 public:
  // Resolves, connects and, for TLS, handshakes, within `timeout` in total.
  static boost::asio::awaitable<Result<std::unique_ptr<ClientStream>>> connect(
      const Endpoint& endpoint, boost::asio::ssl::context& tls, std::chrono::milliseconds timeout);

  boost::beast::tcp_stream& tcp();
  template <class F>
  decltype(auto) visit(F&& f) {
    return std::visit(std::forward<F>(f), stream_);
  }
  // The stream itself, for protocols that wrap it (WebSocket takes ownership of its next layer).
  std::variant<PlainStream, TlsStream>& stream() { return stream_; }

  // Closes the socket at once (no TLS close_notify: sources only close broken or abandoned connections).
  void close();

 private:
  explicit ClientStream(std::variant<PlainStream, TlsStream> s) : stream_(std::move(s)) {}
  std::variant<PlainStream, TlsStream> stream_;
};

}  // namespace vigie::ingest
