#include "ingest/net/client_stream.h"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace vigie::ingest {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;

Result<std::shared_ptr<ssl::context>> make_tls_context(const TlsOptions& options) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                   ec);
  ctx->set_default_verify_paths(ec);
  if (ec) return error("TLS: cannot load the system CA store: " + ec.message());
  if (!options.ca_file.empty()) {
    ctx->load_verify_file(options.ca_file, ec);
    if (ec) return error("TLS: cannot load CA file " + options.ca_file + ": " + ec.message());
  }
  ctx->set_verify_mode(ssl::verify_peer);
  return ctx;
}

net::awaitable<Result<std::unique_ptr<ClientStream>>> ClientStream::connect(
    const Endpoint& endpoint, ssl::context& tls, std::chrono::milliseconds timeout) {
  const auto executor = co_await net::this_coro::executor;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::string where = endpoint.host + ":" + endpoint.port;

  net::ip::tcp::resolver resolver(executor);
  auto [rec, results] =
      co_await resolver.async_resolve(endpoint.host, endpoint.port, net::as_tuple(net::use_awaitable));
  if (rec) co_return error("resolve " + endpoint.host + ": " + rec.message());

  beast::tcp_stream tcp(executor);
  tcp.expires_at(deadline);
  auto [cec, ep] = co_await tcp.async_connect(results, net::as_tuple(net::use_awaitable));
  if (cec) co_return error("connect " + where + ": " + cec.message());
  tcp.socket().set_option(net::ip::tcp::no_delay(true));

  if (!endpoint.tls) {
    tcp.expires_never();
    co_return std::unique_ptr<ClientStream>(new ClientStream(std::move(tcp)));
  }
  TlsStream s(std::move(tcp), tls);
  // SNI: without it, shared front ends (CDNs) present the wrong certificate.
  if (!SSL_set_tlsext_host_name(s.native_handle(), endpoint.host.c_str()))
    co_return error("TLS " + where + ": cannot set SNI host name");
  s.set_verify_callback(ssl::host_name_verification(endpoint.host));
  beast::get_lowest_layer(s).expires_at(deadline);
  auto [hec] = co_await s.async_handshake(ssl::stream_base::client, net::as_tuple(net::use_awaitable));
  if (hec) co_return error("TLS handshake with " + where + ": " + hec.message());
  beast::get_lowest_layer(s).expires_never();
  co_return std::unique_ptr<ClientStream>(new ClientStream(std::move(s)));
}

beast::tcp_stream& ClientStream::tcp() {
  return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); }, stream_);
}

void ClientStream::close() {
  tcp().close();
}

}  // namespace vigie::ingest
