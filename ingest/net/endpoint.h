// Where a network source connects: a parsed http(s) or ws(s) URL.
#pragma once

#include <string>
#include <string_view>

#include "ingest/base/result.h"

namespace vigie::ingest {

struct Endpoint {
  bool tls = false;  // https or wss
  bool websocket = false;
  std::string host;    // as written, without brackets for IPv6 literals
  std::string port;    // explicit or the scheme's default
  std::string target;  // path and query, at least "/"

  // The URL back, with the default port left out.
  std::string url() const;
  // The Host header value: host, plus ":port" when not the default.
  std::string host_header() const;
};

// True when every byte of `s` may appear in a URI (RFC 3986: unreserved, reserved, and '%' followed by two hex
// digits), and not one of the few URI shapes Boost.URL 1.81 asserts on (control bytes; a bare "scheme:?" or
// "scheme:#"). Text from the outside (feed links, Location headers) is checked with this before it is parsed.
bool is_url_text(std::string_view s);

// Accepts http, https, ws and wss URLs with a host. Errors name the URL and what is wrong.
Result<Endpoint> parse_endpoint(std::string_view url);

// Resolves a Location header (absolute or relative) against the endpoint it answered.
Result<Endpoint> resolve_location(const Endpoint& base, std::string_view location);

}  // namespace vigie::ingest
