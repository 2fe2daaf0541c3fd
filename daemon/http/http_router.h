// Routes requests to handlers by method and path pattern, enforces bearer-token roles, and records per-route
// metrics. Patterns are literal segments and `{name}` placeholders: "/api/v1/brands/{id}/series".
//
// Auth: a route declares the role it needs. Callers present "Authorization: Bearer <token>"; a missing or
// unknown token gets 401, a token without the role 403. The admin role implies read and ingest.
//
// Streaming: a handler that answers with a stream sets ctx.stream and returns the head (status and headers);
// handle() hands the body to the server. Auth and errors happen before, as for any route.
//
// Thread-safety: routes are added before the server starts; handle() is then safe from any thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/url/params_view.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "daemon/config/config.h"
#include "daemon/http/http_response.h"
#include "daemon/http/response_stream.h"
#include "daemon/metrics/metrics.h"

namespace vigie::daemon {

namespace net = boost::asio;

// token: any valid token, whatever its roles (GET /api/v1/token, which tells a client what its token may do).
enum class Access : std::uint8_t { open, read, ingest, admin, token };

struct RequestContext {
  HttpRequest& request;
  std::string path;                      // decoded path, without the query
  boost::urls::params_view query;        // decoded query parameters
  std::vector<std::string> path_params;  // values of the pattern's {placeholders}, in order
  const TokenConfig* token = nullptr;    // who called, when the route needs a token
  StreamBody stream;                     // set by a handler whose response is a stream
};

using RouteHandler = std::function<net::awaitable<HttpResponse>(RequestContext&)>;

class Router {
 public:
  Router(Metrics& metrics, std::vector<TokenConfig> tokens);

  void add(http::verb method, const std::string& pattern, Access access, RouteHandler handler);

  // The HttpHandler the server calls.
  net::awaitable<HttpResponse> handle(HttpRequest& request, StreamBody& stream);

 private:
  struct Route {
    http::verb method;
    std::string pattern;
    std::vector<std::string> segments;  // "{}" marks a placeholder
    Access access;
    RouteHandler handler;
    Metrics::Route* metrics;
  };

  // The token presented, or nullptr.
  const TokenConfig* authenticate(const HttpRequest& request) const;

  Metrics& metrics_;
  std::vector<TokenConfig> tokens_;
  std::vector<Route> routes_;
  Metrics::Route* unmatched_;
};

}  // namespace vigie::daemon
