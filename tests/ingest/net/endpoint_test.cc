#include "ingest/net/endpoint.h"

#include <gtest/gtest.h>

namespace vigie::ingest {
namespace {

TEST(Endpoint, ParsesSchemesPortsAndTargets) {
  auto e = parse_endpoint("https://mastodon.social/api/v1/streaming/public?x=1");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_TRUE(e->tls);
  EXPECT_FALSE(e->websocket);
  EXPECT_EQ(e->host, "mastodon.social");
  EXPECT_EQ(e->port, "443");
  EXPECT_EQ(e->target, "/api/v1/streaming/public?x=1");
  EXPECT_EQ(e->url(), "https://mastodon.social/api/v1/streaming/public?x=1");

  e = parse_endpoint("ws://127.0.0.1:8080");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->websocket);
  EXPECT_EQ(e->target, "/");
  EXPECT_EQ(e->host_header(), "127.0.0.1:8080");

  EXPECT_FALSE(parse_endpoint("ftp://example.com/x"));
  EXPECT_FALSE(parse_endpoint("https:///nohost"));
  auto bad = parse_endpoint("https://example.com/a b");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("not allowed in a URL"), std::string::npos);
}

TEST(Endpoint, ResolvesRelativeAndAbsoluteRedirects) {
  const Endpoint base = *parse_endpoint("http://127.0.0.1:9000/feeds/old.xml?x=1");
  auto rel = resolve_location(base, "/new/feed.xml");
  ASSERT_TRUE(rel) << rel.error().message;
  EXPECT_EQ(rel->url(), "http://127.0.0.1:9000/new/feed.xml");
  auto sibling = resolve_location(base, "other.xml");
  ASSERT_TRUE(sibling);
  EXPECT_EQ(sibling->url(), "http://127.0.0.1:9000/feeds/other.xml");
  auto abs = resolve_location(base, "https://cdn.example/feed");
  ASSERT_TRUE(abs);
  EXPECT_EQ(abs->url(), "https://cdn.example/feed");
  EXPECT_FALSE(resolve_location(base, std::string_view("/a\0b", 4)));
}

TEST(Endpoint, UrlTextAcceptsRfc3986CharactersOnly) {
  EXPECT_TRUE(is_url_text("https://example.com/caf%C3%A9?q=a+b&x=[1]#frag"));
  EXPECT_FALSE(is_url_text("https://example.com/café"));
  EXPECT_FALSE(is_url_text("https://example.com/a%2"));
  EXPECT_FALSE(is_url_text("https://example.com/a%zz"));
  EXPECT_FALSE(is_url_text(std::string_view("https:\x01\x00//x", 10)));
  EXPECT_FALSE(is_url_text("http://x/\"quoted\""));
  // Shapes Boost.URL 1.81 asserts on; their neighbours stay accepted.
  EXPECT_FALSE(is_url_text("https:?"));
  EXPECT_FALSE(is_url_text("a:#"));
  EXPECT_FALSE(is_url_text("mailto:?"));
  EXPECT_TRUE(is_url_text("https:?x"));
  EXPECT_TRUE(is_url_text("x:?#"));
  EXPECT_TRUE(is_url_text("?"));
  EXPECT_TRUE(is_url_text(":?"));
  EXPECT_FALSE(resolve_location(parse_endpoint("https://a.example/feed").value(), "https:?"));
}

}  // namespace
}  // namespace vigie::ingest
