// Test support: a real HTTP/1.1 server on 127.0.0.1 (Boost.Beast) that tests script per request, to drive
// network sources through the protocols they speak: plain and chunked responses, server-sent events,
// WebSocket, conditional GET, slow or cut connections.
//
//   LoopbackServer server([](Exchange& ex) -> net::awaitable<void> {
//     co_await ex.start_chunked(200, "application/x-ndjson");
//     co_await ex.chunk("{\"uid\":\"x:1\",\"text\":\"hi\"}\n");
//     co_await ex.sleep(std::chrono::milliseconds(50));
//     ex.close();  // cut the connection
//   });
//   source.url = server.url("/stream");
//
// The server runs its own thread; the handler runs there, one coroutine per request. Connections serve
// requests until the handler closes them or the client does. For TLS tests, construct with a certificate
// and key (PEM files).
#pragma once

// The streams, the WebSocket and TLS layers and the io_context are kept out of this header (they are defined in
// loopback_server.cc): a test that includes it compiles the HTTP message types only.
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigie::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

class Exchange {
 public:
  const http::request<http::string_body>& request() const { return request_; }
  std::string target() const { return std::string(request_.target()); }
  std::string header(std::string_view name) const;
  int connection_index() const { return index_; }  // 0 for the first connection accepted

  // Parameters are views, never class-type temporaries: g++ 12 destroys a temporary inside a co_await
  // expression twice, so call sites pass literals or named strings.
  using Headers = std::vector<std::pair<std::string, std::string>>;
  static const Headers kNoHeaders;
  // A complete response with Content-Length.
  net::awaitable<void> respond(unsigned status, std::string_view body,
                               std::string_view content_type = "text/plain",
                               const Headers& headers = kNoHeaders);
  // Headers of a chunked response; then chunk() any number of times and end_chunks().
  net::awaitable<void> start_chunked(unsigned status, std::string_view content_type,
                                     const Headers& headers = kNoHeaders);
  net::awaitable<void> chunk(std::string_view data);
  net::awaitable<void> end_chunks();
  // Bytes written as they are (to forge broken framing).
  net::awaitable<void> raw(std::string_view data);
  net::awaitable<void> sleep(std::chrono::milliseconds d);
  // Cuts the connection at once.
  void close();
  bool closed() const { return closed_; }

  // Accepts a WebSocket upgrade of this request; then ws_send / ws_read.
  net::awaitable<bool> websocket_accept();
  net::awaitable<bool> ws_send(std::string_view text);
  // The next text message, or nullopt when the client closed or the connection failed.
  net::awaitable<std::optional<std::string>> ws_read();

 private:
  friend class LoopbackServer;
  struct Connection;  // the connection's stream (plain or TLS) and, once upgraded, its WebSocket
  Exchange(Connection& connection, int index) : connection_(connection), index_(index) {}

  Connection& connection_;
  int index_;
  http::request<http::string_body> request_;
  bool closed_ = false;
  bool keep_alive_ = true;
  std::atomic<int>* pings_ = nullptr;  // the server's count of WebSocket pings, set by serve()
};

class LoopbackServer {
 public:
  using Handler = std::function<net::awaitable<void>(Exchange&)>;

  explicit LoopbackServer(Handler handler);
  // TLS: serves https/wss with this certificate chain and key (PEM files).
  LoopbackServer(Handler handler, const std::string& cert_file, const std::string& key_file);
  ~LoopbackServer();

  std::uint16_t port() const { return port_; }
  // "http://127.0.0.1:PORT" + path (https, ws, wss with `scheme`).
  std::string url(const std::string& path, const std::string& scheme = "") const;

  int connections() const { return connections_.load(); }
  int requests() const { return requests_.load(); }
  int websocket_pings() const { return websocket_pings_.load(); }  // ping frames read, all connections
  std::vector<std::string> targets() const;                        // request targets in arrival order

  // Closes every open connection now (a server crash, as a client sees it).
  void drop_connections();

 private:
  struct Impl;  // the io_context, its thread, the acceptor, the TLS context and the open connections

  Handler handler_;
  std::unique_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
  std::atomic<int> websocket_pings_{0};
  mutable std::mutex mu_;
  std::vector<std::string> targets_;
};

// A self-signed certificate for 127.0.0.1 and localhost, made with the openssl command into `dir`:
// returns {cert_file, key_file}. Fails the test when openssl is missing.
std::pair<std::string, std::string> make_test_certificate(const std::string& dir);

}  // namespace vigie::testing
