// HTTP/1.1 client requests of network sources: feeds and REST catch-up read whole bodies; streams (SSE,
// NDJSON) read the body as it arrives, for hours. Notifiers POST a body (daemon/notify/delivery_worker.h).
//
// One connection per request (sources poll every few minutes or hold one stream open): no pool. Redirects
// (301, 302, 303, 307, 308) of a GET are followed up to a limit; other methods return the redirect to the
// caller (re-sending a body elsewhere is the caller's decision). Non-2xx answers are not errors here: the caller
// decides (401 stops retrying fast, 429 honours Retry-After, 304 means "not modified").
//
// Not thread-safe: one coroutine drives a response.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ingest/net/client_stream.h"

namespace vigie::ingest {

struct HttpRequest {
  std::string url;
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string body;          // sent with Content-Length when method is not GET
  std::string content_type;  // of body; empty: no Content-Type header
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Authorization, If-None-Match
  std::chrono::milliseconds connect_timeout{10'000};         // resolve + connect + TLS
  std::chrono::milliseconds header_timeout{30'000};          // request sent and response headers read
  int max_redirects = 5;
};

class HttpResponse {
 public:
  // Connects, sends the request and reads the response headers, following redirects of a GET.
  static boost::asio::awaitable<Result<std::unique_ptr<HttpResponse>>> open(const HttpRequest& request,
                                                                            boost::asio::ssl::context& tls);

  unsigned status() const { return parser_.get().result_int(); }
  const boost::beast::http::fields& headers() const { return parser_.get().base(); }
  std::string header(std::string_view name) const;
  const std::string& url() const { return url_; }  // after redirects

  // The next bytes of the body as they arrive (a chunk, or what one read returned), valid until the next
  // call; an empty view at the end of the body. Fails when nothing arrives within `timeout` (the
  // connection is then closed) or on a broken connection or framing.
  boost::asio::awaitable<Result<std::string_view>> read_some(std::chrono::milliseconds timeout);

  // The whole body, failing past `max_bytes` or when it takes longer than `timeout` in total.
  boost::asio::awaitable<Result<std::string>> read_all(std::size_t max_bytes,
                                                       std::chrono::milliseconds timeout);

  void close() { stream_->close(); }

 private:
  HttpResponse() = default;
  std::unique_ptr<ClientStream> stream_;
  boost::beast::flat_buffer buffer_;
  boost::beast::http::response_parser<boost::beast::http::buffer_body> parser_;
  std::string url_;
  std::string method_;  // for messages: "GET", "POST"
  std::array<char, 16384> chunk_{};
};

// Retry-After as a delay: delta-seconds (what rate-limiting APIs send) or an HTTP date ("Wed, 21 Oct 2026
// 07:28:00 GMT", counted from now; a past date is 0 s); nullopt when absent or malformed.
std::optional<std::chrono::seconds> retry_after(const HttpResponse& response);
// The same for a header value, with `now` in microseconds since the epoch.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, std::int64_t now);

}  // namespace vigie::ingest
