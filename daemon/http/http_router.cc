#include "daemon/http/http_router.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <boost/url/parse.hpp>
#include <chrono>

#include "ingest/net/endpoint.h"

namespace vigie::daemon {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    const size_t end = std::min(path.find('/', pos), path.size());
    out.emplace_back(path.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

bool has_role(const TokenConfig& t, Access access) {
  if (access == Access::token) return true;
  for (Role r : t.roles) {
    if (r == Role::admin) return true;
    if (r == Role::read && access == Access::read) return true;
    if (r == Role::ingest && access == Access::ingest) return true;
  }
  return false;
}

std::string_view access_name(Access a) {
  switch (a) {
    case Access::open:
      return "open";
    case Access::read:
      return "read";
    case Access::ingest:
      return "ingest";
    case Access::admin:
      return "admin";
    case Access::token:
      return "any";
  }
  return "?";
}

}  // namespace

Router::Router(Metrics& metrics, std::vector<TokenConfig> tokens)
    : metrics_(metrics), tokens_(std::move(tokens)), unmatched_(&metrics.route("unmatched")) {}

void Router::add(http::verb method, const std::string& pattern, Access access, RouteHandler handler) {
  std::vector<std::string> segments = split_path(pattern);
  for (auto& s : segments)
    if (s.size() >= 2 && s.front() == '{' && s.back() == '}') s = "{}";
  routes_.push_back(
      Route{method, pattern, std::move(segments), access, std::move(handler), &metrics_.route(pattern)});
}

const TokenConfig* Router::authenticate(const HttpRequest& request) const {
  const auto header = request[http::field::authorization];
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() ||
      !std::equal(kBearer.begin(), kBearer.end(), header.begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
      }))
    return nullptr;
  const std::string_view presented = header.substr(kBearer.size());
  const TokenConfig* found = nullptr;
  // Compare against every token in constant time so that timing reveals neither which token nor how much
  // matched.
  for (const auto& t : tokens_) {
    if (t.token.size() == presented.size() &&
        CRYPTO_memcmp(t.token.data(), presented.data(), presented.size()) == 0)
      found = &t;
  }
  return found;
}

net::awaitable<HttpResponse> Router::handle(HttpRequest& request, StreamBody& stream) {
  const auto start = std::chrono::steady_clock::now();
  Metrics::Route* route_metrics = unmatched_;
  HttpResponse response;

  const std::string_view raw_target(request.target().data(), request.target().size());
  auto target = ingest::is_url_text(raw_target)
                    ? boost::urls::parse_origin_form(raw_target)
                    : boost::system::result<boost::urls::url_view>(boost::urls::error::bad_pct_hexdig);
  if (!target) {
    response = json_error(http::status::bad_request, "malformed request target");
  } else {
    RequestContext ctx{request, std::string(target->path()), target->params(), {}, nullptr, {}};
    const std::vector<std::string> segments = split_path(ctx.path);
    const Route* matched = nullptr;
    bool path_known = false;
    for (const auto& r : routes_) {
      if (r.segments.size() != segments.size()) continue;
      bool same = true;
      for (size_t i = 0; i < segments.size() && same; ++i)
        same = r.segments[i] == "{}" || r.segments[i] == segments[i];
      if (!same) continue;
      path_known = true;
      if (r.method == request.method()) {
        matched = &r;
        for (size_t i = 0; i < segments.size(); ++i)
          if (r.segments[i] == "{}") ctx.path_params.push_back(segments[i]);
        break;
      }
    }

    if (!matched) {
      response = path_known
                     ? json_error(http::status::method_not_allowed, "method not allowed on " + ctx.path)
                     : json_error(http::status::not_found, "no such endpoint: " + ctx.path);
    } else {
      route_metrics = matched->metrics;
      if (matched->access != Access::open) ctx.token = authenticate(request);
      if (matched->access != Access::open && !ctx.token) {
        response = json_error(http::status::unauthorized, "missing or invalid bearer token");
        response.set(http::field::www_authenticate, "Bearer realm=\"vigie\"");
      } else if (matched->access != Access::open && !has_role(*ctx.token, matched->access)) {
        response =
            json_error(http::status::forbidden, "token '" + ctx.token->name + "' lacks the " +
                                                    std::string(access_name(matched->access)) + " role");
      } else {
        response = co_await matched->handler(ctx);
        stream = std::move(ctx.stream);
      }
    }
  }

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  route_metrics->observe(static_cast<unsigned>(response.result_int()), seconds);
  co_return response;
}

}  // namespace vigie::daemon
