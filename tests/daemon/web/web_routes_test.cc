// The page's routes on the real daemon (build/vigie on loopback): the app's paths answer index.html without a
// token, every embedded file is served under the current version with its type, its bytes and a year of
// caching, conditional requests get 304, other versions revalidate, unknown files are 404, and the page, its
// assets and the API's answers all carry the security headers.
#include "daemon/web/web_routes.h"

#include <gtest/gtest.h>

#include <regex>

#include "daemon/web/web_assets.h"
#include "tests/support/daemon_process.h"

namespace vigie::testing {
namespace {

constexpr const char* kToken = "web-routes-token-0123456789";

std::string config(const TempDir& dir) {
  dir.write("rules.yaml", "brands:\n  - id: acme\n    query: acme\n");
  return dir.write("vigie.yaml", std::string("data_dir: data\nrules: rules.yaml\n") +
                                     "auth:\n  tokens:\n    - {name: t, token: " + kToken +
                                     ", roles: [read]}\n");
}

std::string header(const HttpResult& r, http::field f) {
  auto it = r.headers.find(f);
  return it == r.headers.end() ? "" : std::string(it->value());
}

std::string header(const HttpResult& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? "" : std::string(it->value());
}

void expect_security_headers(const HttpResult& r, const std::string& what) {
  EXPECT_EQ(header(r, "Content-Security-Policy"), daemon::kContentSecurityPolicy) << what;
  EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff") << what;
  EXPECT_EQ(header(r, "Referrer-Policy"), "no-referrer") << what;
}

class WebRoutes : public ::testing::Test {
 protected:
  TempDir dir;
  DaemonProcess d{config(dir)};
  std::string prefix = "/assets/" + std::string(daemon::web_assets_version()) + "/";
};

TEST_F(WebRoutes, AppPathsServeIndexWithoutToken) {
  ASSERT_NE(d.port(), 0);
  const daemon::WebAsset* index = daemon::find_web_asset("index.html");
  ASSERT_NE(index, nullptr);
  for (const std::string path : {"/", "/incidents/42", "/brands/acme"}) {
    HttpResult r = http_get(d.port(), path);
    EXPECT_EQ(r.status, 200u) << path;
    EXPECT_EQ(r.body, index->data) << path;
    EXPECT_EQ(header(r, http::field::content_type), "text/html; charset=utf-8") << path;
    EXPECT_EQ(header(r, http::field::cache_control), "no-cache") << path;
    EXPECT_EQ(header(r, http::field::etag), index->etag) << path;
    expect_security_headers(r, path);
  }
  // index.html names its assets under the current version, and holds no inline script.
  EXPECT_NE(index->data.find(prefix + "js/app.js"), std::string_view::npos);
  EXPECT_EQ(index->data.find("__ASSETS__"), std::string_view::npos);
  EXPECT_FALSE(std::regex_search(std::string(index->data), std::regex("<script(?![^>]*\\bsrc=)")));
}

TEST_F(WebRoutes, EveryAssetIsServedWithItsTypeAndBytes) {
  ASSERT_NE(d.port(), 0);
  int served = 0;
  for (const daemon::WebAsset& a : daemon::web_assets()) {
    if (a.path == "index.html") continue;
    HttpResult r = http_get(d.port(), prefix + std::string(a.path));
    EXPECT_EQ(r.status, 200u) << a.path;
    EXPECT_EQ(r.body, a.data) << a.path;
    EXPECT_EQ(header(r, http::field::content_type), a.content_type) << a.path;
    EXPECT_EQ(header(r, http::field::cache_control), "public, max-age=31536000, immutable") << a.path;
    EXPECT_EQ(header(r, http::field::etag), a.etag) << a.path;
    expect_security_headers(r, std::string(a.path));
    ++served;
  }
  EXPECT_GE(served, 10);
  EXPECT_NE(daemon::find_web_asset("vendor/uplot/uPlot.iife.min.js"), nullptr);
  EXPECT_NE(daemon::find_web_asset("vendor/uplot/LICENSE"), nullptr);
}

TEST_F(WebRoutes, ConditionalRequestsAnswerNotModified) {
  ASSERT_NE(d.port(), 0);
  const daemon::WebAsset* css = daemon::find_web_asset("app.css");
  ASSERT_NE(css, nullptr);
  const std::string etag(css->etag);
  for (const std::string& inm : {etag, "W/" + etag, "\"other\", " + etag, std::string("*")}) {
    HttpResult r = http_get(d.port(), prefix + "app.css", {{"If-None-Match", inm}});
    EXPECT_EQ(r.status, 304u) << inm;
    EXPECT_TRUE(r.body.empty()) << inm;
    EXPECT_EQ(header(r, http::field::etag), etag) << inm;
  }
  HttpResult changed = http_get(d.port(), prefix + "app.css", {{"If-None-Match", "\"stale\""}});
  EXPECT_EQ(changed.status, 200u);
  EXPECT_EQ(changed.body, css->data);
  HttpResult page =
      http_get(d.port(), "/", {{"If-None-Match", std::string(daemon::find_web_asset("index.html")->etag)}});
  EXPECT_EQ(page.status, 304u);
}

TEST_F(WebRoutes, AnotherVersionIsServedButRevalidated) {
  ASSERT_NE(d.port(), 0);
  HttpResult r = http_get(d.port(), "/assets/0123456789abcdef/js/app.js");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(header(r, http::field::cache_control), "no-cache");
  EXPECT_EQ(r.body, daemon::find_web_asset("js/app.js")->data);
}

TEST_F(WebRoutes, UnknownFilesAreNotFound) {
  ASSERT_NE(d.port(), 0);
  for (const std::string& path : {prefix + "js/nothing.js", prefix + "index.html", prefix + "../daemon.cc",
                                  prefix + "vendor/uplot/SHA256SUMS"}) {
    HttpResult r = http_get(d.port(), path);
    EXPECT_EQ(r.status, 404u) << path;
    EXPECT_EQ(header(r, http::field::content_type), "application/json") << path;
  }
  HttpResult deep = http_get(d.port(), prefix + "a/b/c/d.js");
  EXPECT_EQ(deep.status, 404u);
  HttpResult post = http_request(d.port(), http::verb::post, "/");
  EXPECT_EQ(post.status, 405u);
}

TEST_F(WebRoutes, ApiAnswersAreNeverSniffed) {
  ASSERT_NE(d.port(), 0);
  HttpResult ok = http_get(d.port(), "/api/v1/version", {{"Authorization", std::string("Bearer ") + kToken}});
  EXPECT_EQ(ok.status, 200u);
  HttpResult refused = http_get(d.port(), "/api/v1/version");
  EXPECT_EQ(refused.status, 401u);
  for (const HttpResult* r : {&ok, &refused}) {
    EXPECT_EQ(header(*r, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(header(*r, "Referrer-Policy"), "no-referrer");
  }
}

}  // namespace
}  // namespace vigie::testing
