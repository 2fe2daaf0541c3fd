#include "ingest/net/endpoint.h"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

namespace vigie::ingest {
namespace {

bool default_port(const Endpoint& e) {
  return e.port == (e.tls ? "443" : "80");
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

bool is_url_text(std::string_view s) {
  static constexpr std::string_view kAllowed =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=";
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
      i += 2;
    } else if (kAllowed.find(s[i]) == std::string_view::npos) {
      return false;
    }
  }
  // Boost.URL 1.81 also asserts on a scheme followed by nothing but "?" or "#" ("https:?", "a:#").
  if (s.size() >= 3 && (s.back() == '?' || s.back() == '#') && s[s.size() - 2] == ':') {
    const std::string_view scheme = s.substr(0, s.size() - 2);
    const bool alpha_first = (scheme[0] >= 'a' && scheme[0] <= 'z') || (scheme[0] >= 'A' && scheme[0] <= 'Z');
    if (alpha_first &&
        scheme.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-.") ==
            std::string_view::npos)
      return false;
  }
  return true;
}

std::string Endpoint::host_header() const {
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return default_port(*this) ? h : h + ":" + port;
}

std::string Endpoint::url() const {
  const char* scheme = websocket ? (tls ? "wss://" : "ws://") : (tls ? "https://" : "http://");
  return scheme + host_header() + target;
}

Result<Endpoint> parse_endpoint(std::string_view text) {
  if (!is_url_text(text))
    return error("URL '" + std::string(text) +
                 "': contains characters not allowed in a URL (spaces, control "
                 "characters or non-ASCII must be percent-encoded)");
  auto u = boost::urls::parse_uri(text);
  if (!u) return error("URL '" + std::string(text) + "': " + u.error().message());
  Endpoint e;
  const std::string scheme = u->scheme();
  if (scheme == "https" || scheme == "wss") {
    e.tls = true;
  } else if (scheme != "http" && scheme != "ws") {
    return error("URL '" + std::string(text) + "': scheme must be http, https, ws or wss");
  }
  e.websocket = scheme == "ws" || scheme == "wss";
  e.host = u->encoded_host_address();  // IPv6 literals come without brackets
  if (e.host.empty()) return error("URL '" + std::string(text) + "': no host");
  e.port = u->has_port() ? std::string(u->port()) : (e.tls ? "443" : "80");
  e.target = u->encoded_target();
  if (e.target.empty() || e.target.front() != '/') e.target.insert(0, "/");
  return e;
}

Result<Endpoint> resolve_location(const Endpoint& base, std::string_view location) {
  if (!is_url_text(location)) return error("redirect to '" + std::string(location) + "': not a valid URL");
  auto ref = boost::urls::parse_uri_reference(location);
  if (!ref) return error("redirect to '" + std::string(location) + "': " + ref.error().message());
  const std::string base_text = base.url();  // the parsed view points into it
  auto base_url = boost::urls::parse_uri(base_text);
  if (!base_url) return error("redirect from '" + base_text + "': " + base_url.error().message());
  boost::urls::url resolved;
  auto r = boost::urls::resolve(*base_url, *ref, resolved);
  if (!r) return error("redirect to '" + std::string(location) + "': " + r.error().message());
  return parse_endpoint(resolved.buffer());
}

}  // namespace vigie::ingest
