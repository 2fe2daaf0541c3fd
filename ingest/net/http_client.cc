#include "ingest/net/http_client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>

#include "ingest/base/timestamp.h"
#include "ingest/text/feed_date.h"

namespace vigie::ingest {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

bool is_redirect(unsigned status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// The header fields of `req` from `request`. Templated on the body type so that a GET keeps being sent with
// no body and no Content-Length at all, as it always was.
template <class Body>
void prepare(http::request<Body>& req, const HttpRequest& request, const Endpoint& endpoint) {
  req.set(http::field::host, endpoint.host_header());
  req.set(http::field::user_agent, "vigie");
  if (!request.content_type.empty()) req.set(http::field::content_type, request.content_type);
  for (const auto& [name, value] : request.headers)
    req.set(name, value);
}

}  // namespace

net::awaitable<Result<std::unique_ptr<HttpResponse>>> HttpResponse::open(const HttpRequest& request,
                                                                         net::ssl::context& tls) {
  auto endpoint = parse_endpoint(request.url);
  if (!endpoint) co_return endpoint.error();
  for (int hop = 0;; ++hop) {
    auto connected = co_await ClientStream::connect(*endpoint, tls, request.connect_timeout);
    if (!connected) co_return connected.error();
    std::unique_ptr<HttpResponse> r(new HttpResponse());
    r->stream_ = std::move(*connected);
    r->url_ = endpoint->url();
    r->parser_.body_limit(boost::none);  // streams never end; read_all enforces its own limit

    r->method_ = std::string(http::to_string(request.method));

    r->stream_->tcp().expires_after(request.header_timeout);
    boost::system::error_code wec;
    if (request.method == http::verb::get) {
      http::request<http::empty_body> req{http::verb::get, endpoint->target, 11};
      prepare(req, request, *endpoint);
      auto [ec, n] = co_await r->stream_->visit(
          [&](auto& s) { return http::async_write(s, req, net::as_tuple(net::use_awaitable)); });
      wec = ec;
    } else {
      http::request<http::string_body> req{request.method, endpoint->target, 11};
      prepare(req, request, *endpoint);
      req.body() = request.body;
      req.prepare_payload();
      auto [ec, n] = co_await r->stream_->visit(
          [&](auto& s) { return http::async_write(s, req, net::as_tuple(net::use_awaitable)); });
      wec = ec;
    }
    if (wec) co_return error(r->method_ + " " + r->url_ + ": send: " + wec.message());
    auto [hec, hn] = co_await r->stream_->visit([&](auto& s) {
      return http::async_read_header(s, r->buffer_, r->parser_, net::as_tuple(net::use_awaitable));
    });
    if (hec) co_return error(r->method_ + " " + r->url_ + ": response: " + hec.message());
    r->stream_->tcp().expires_never();

    if (!is_redirect(r->status()) || request.method != http::verb::get) co_return r;
    const std::string location = r->header("Location");
    if (location.empty()) co_return r;  // a redirect without a target: the caller sees the status
    if (hop >= request.max_redirects)
      co_return error("GET " + request.url + ": more than " + std::to_string(request.max_redirects) +
                      " redirects");
    auto next = resolve_location(*endpoint, location);
    if (!next) co_return next.error();
    r->close();
    endpoint = std::move(next);
  }
}

std::string HttpResponse::header(std::string_view name) const {
  auto it = headers().find(name);
  return it == headers().end() ? std::string() : std::string(it->value());
}

net::awaitable<Result<std::string_view>> HttpResponse::read_some(std::chrono::milliseconds timeout) {
  while (!parser_.is_done()) {
    auto& body = parser_.get().body();
    body.data = chunk_.data();
    body.size = chunk_.size();
    stream_->tcp().expires_after(timeout);
    auto [ec, n] = co_await stream_->visit([&](auto& s) {
      return http::async_read_some(s, buffer_, parser_, net::as_tuple(net::use_awaitable));
    });
    stream_->tcp().expires_never();
    if (ec == http::error::need_buffer) ec = {};
    if (ec == beast::error::timeout)
      co_return error(method_ + " " + url_ + ": nothing received for " +
                      std::to_string(timeout.count() / 1000) + " s");
    if (ec) co_return error(method_ + " " + url_ + ": " + ec.message());
    const std::size_t got = chunk_.size() - body.size;
    if (got > 0) co_return std::string_view(chunk_.data(), got);
  }
  co_return std::string_view();
}

net::awaitable<Result<std::string>> HttpResponse::read_all(std::size_t max_bytes,
                                                           std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string out;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      co_return error(method_ + " " + url_ + ": body not received within " +
                      std::to_string(timeout.count() / 1000) + " s");
    auto part = co_await read_some(left);
    if (!part) co_return part.error();
    // in_place: Error is constructible from a string too (C++20 aggregate initialization).
    if (part->empty()) co_return Result<std::string>(boost::system::in_place_value, std::move(out));
    if (out.size() + part->size() > max_bytes)
      co_return error(method_ + " " + url_ + ": body larger than " + std::to_string(max_bytes) + " bytes");
    out.append(*part);
  }
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view v, std::int64_t now) {
  if (v.empty()) return std::nullopt;
  long long secs = 0;
  const auto r = std::from_chars(v.data(), v.data() + v.size(), secs);
  if (r.ec == std::errc() && r.ptr == v.data() + v.size()) {
    if (secs < 0) return std::nullopt;
    return std::chrono::seconds(secs);
  }
  // An HTTP date is RFC 822 with a four-digit year, which the feed date reader reads strictly enough: it
  // needs a day, a month name and a time, so a stray word is not taken for a date.
  const auto at = parse_feed_date(v);
  if (!at || v.find(':') == std::string_view::npos) return std::nullopt;
  const std::int64_t delta = (*at - now + kMicrosPerSecond - 1) / kMicrosPerSecond;
  return std::chrono::seconds(delta > 0 ? delta : 0);
}

std::optional<std::chrono::seconds> retry_after(const HttpResponse& response) {
  return parse_retry_after(response.header("Retry-After"), now_micros());
}

}  // namespace vigie::ingest
