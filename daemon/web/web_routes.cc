#include "daemon/web/web_routes.h"

#include "daemon/web/web_assets.h"

namespace vigie::daemon {
namespace {

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";

void set_security_headers(HttpResponse& res) {
  res.set("Content-Security-Policy", kContentSecurityPolicy);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
}

// Whether If-None-Match names this ETag: "*", or one of a comma-separated list, weak (W/) forms included (a
// proxy that compressed the file may weaken it; the bytes the browser holds are the same).
bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  size_t pos = 0;
  while (pos < if_none_match.size()) {
    size_t end = if_none_match.find(',', pos);
    if (end == std::string_view::npos) end = if_none_match.size();
    std::string_view tag = if_none_match.substr(pos, end - pos);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t'))
      tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t'))
      tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
    pos = end + 1;
  }
  return false;
}

HttpResponse asset_response(const HttpRequest& request, const WebAsset& asset,
                            std::string_view cache_control) {
  HttpResponse res;
  if (etag_matches(request[http::field::if_none_match], asset.etag)) {
    res = HttpResponse{http::status::not_modified, request.version()};
  } else {
    res = HttpResponse{http::status::ok, request.version()};
    res.set(http::field::content_type, asset.content_type);
    res.body() = std::string(asset.data);
  }
  res.set(http::field::etag, asset.etag);
  res.set(http::field::cache_control, cache_control);
  set_security_headers(res);
  res.prepare_payload();
  return res;
}

HttpResponse not_found(const std::string& path) {
  HttpResponse res = json_error(http::status::not_found, "no such file: " + path);
  set_security_headers(res);
  return res;
}

}  // namespace

void add_web_routes(Router& router) {
  const WebAsset* index = find_web_asset("index.html");
  auto app = [index](RequestContext& ctx) -> net::awaitable<HttpResponse> {
    if (!index) co_return not_found(ctx.path);  // a build without the page: say so rather than crash
    co_return asset_response(ctx.request, *index, kRevalidate);
  };
  router.add(http::verb::get, "/", Access::open, app);
  router.add(http::verb::get, "/incidents/{id}", Access::open, app);
  router.add(http::verb::get, "/brands/{id}", Access::open, app);

  // /assets/<version>/<path>, the path one to three segments deep (app.css, js/app.js, js/views/overview.js,
  // vendor/uplot/uPlot.min.css). The router matches whole segments, so each depth is its own route.
  auto asset = [](RequestContext& ctx) -> net::awaitable<HttpResponse> {
    std::string rel;
    for (size_t i = 1; i < ctx.path_params.size(); ++i) {
      if (!rel.empty()) rel += '/';
      rel += ctx.path_params[i];
    }
    const WebAsset* a = rel == "index.html" ? nullptr : find_web_asset(rel);
    if (!a) co_return not_found(ctx.path);
    co_return asset_response(ctx.request, *a,
                             ctx.path_params[0] == web_assets_version() ? kImmutable : kRevalidate);
  };
  router.add(http::verb::get, "/assets/{version}/{a}", Access::open, asset);
  router.add(http::verb::get, "/assets/{version}/{a}/{b}", Access::open, asset);
  router.add(http::verb::get, "/assets/{version}/{a}/{b}/{c}", Access::open, asset);
}

}  // namespace vigie::daemon
