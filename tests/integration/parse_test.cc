// `vigie parse` on captured payloads of every format: the Posts a user sees, one NDJSON line each.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <sstream>

#include "tests/support/daemon_process.h"

namespace vigie::testing {
namespace {

namespace json = boost::json;

const std::string kData = std::string(VIGIE_SOURCE_DIR) + "/tests/ingest/data/";

std::vector<json::object> lines_of(const std::string& text) {
  std::vector<json::object> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    out.push_back(json::parse(line).as_object());
  return out;
}

std::string field(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

TEST(Parse, FeedFormatsPrintPostsWithUidUrlAuthorAndDate) {
  auto yt = run_vigie({"parse", "--format", "feed", kData + "feeds/youtube.xml"});
  ASSERT_EQ(yt.exit_code, 0) << yt.err;
  auto posts = lines_of(yt.out);
  ASSERT_GE(posts.size(), 2u);
  EXPECT_EQ(field(posts[0], "uid"), "youtube:Xb3kT9mQ2wE");
  EXPECT_EQ(field(posts[0], "url"), "https://www.youtube.com/watch?v=Xb3kT9mQ2wE");
  EXPECT_EQ(field(posts[0], "platform"), "youtube");
  EXPECT_EQ(posts[0].at("author").at("name"), "Acme Reviews");

  auto alerts = run_vigie({"parse", "--format", "atom", kData + "feeds/google_alerts.xml"});
  ASSERT_EQ(alerts.exit_code, 0) << alerts.err;
  posts = lines_of(alerts.out);
  ASSERT_FALSE(posts.empty());
  // Google's redirect is unwrapped: the uid and url name the article itself.
  EXPECT_EQ(field(posts[0], "url").rfind("https://www.example-news.fr/", 0), 0u) << field(posts[0], "url");
  EXPECT_EQ(field(posts[0], "uid"), "web:" + field(posts[0], "url"));

  auto cp1252 = run_vigie({"parse", "--format", "rss", kData + "feeds/windows1252.xml"});
  ASSERT_EQ(cp1252.exit_code, 0) << cp1252.err;
  posts = lines_of(cp1252.out);
  ASSERT_FALSE(posts.empty());
  EXPECT_EQ(field(posts[0], "title"), "Été : le menu “gourmand” à 9€");
}

TEST(Parse, DamagedFeedKeepsCompleteItemsAndReportsTheDamage) {
  auto r = run_vigie({"parse", "--format", "rss", kData + "feeds/truncated.xml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(lines_of(r.out).size(), 2u) << r.out;
  EXPECT_NE(r.err.find("document damaged"), std::string::npos) << r.err;
}

TEST(Parse, MastodonSseAndStatuses) {
  auto r = run_vigie({"parse", "--format", "mastodon-sse", kData + "mastodon/public_stream.sse"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto posts = lines_of(r.out);
  ASSERT_GE(posts.size(), 2u);
  EXPECT_EQ(field(posts[0], "uid"), "mastodon:mastodon.social/113345678901234567");
  EXPECT_EQ(posts[0].at("author").at("handle"), "clairedubois@mastodon.social");
  EXPECT_EQ(field(posts[0], "created_at"), "2026-11-22T14:05:01.234Z");
  EXPECT_NE(field(posts[0], "text").find("Troisième panne de la semaine chez @acme"), std::string::npos);
  EXPECT_EQ(field(posts[0], "text").find('<'), std::string::npos) << "HTML left in the text";
  bool saw_delete = false;
  for (const auto& p : posts)
    saw_delete = saw_delete || field(p, "kind") == "delete";
  EXPECT_TRUE(saw_delete);

  auto boost = run_vigie({"parse", "--format", "mastodon-status", "--instance", "mastodon.social",
                          kData + "mastodon/status_reblog.json"});
  ASSERT_EQ(boost.exit_code, 0) << boost.err;
  posts = lines_of(boost.out);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(field(posts[0], "kind"), "repost");
  EXPECT_EQ(posts[0].at("author").at("handle"), "acme@acme.social");
}

TEST(Parse, JetstreamAndNdjsonStream) {
  auto js = run_vigie({"parse", "--format", "jetstream", kData + "jetstream/events.jsonl"});
  ASSERT_EQ(js.exit_code, 0) << js.err;
  auto posts = lines_of(js.out);
  ASSERT_GE(posts.size(), 2u);
  EXPECT_EQ(field(posts[0], "uid"), "bluesky:did:plc:w4xbfzo7kqfes5zb7r6qv3rw/3lbq2c7vxzc2p");
  EXPECT_EQ(field(posts[0], "url"),
            "https://bsky.app/profile/did:plc:w4xbfzo7kqfes5zb7r6qv3rw/post/3lbq2c7vxzc2p");
  // The facet's full link replaces the shortened text Bluesky displays.
  EXPECT_NE(field(posts[0], "text").find("https://acme-autos.example/rappel-freins-2026?utm_source=bsky"),
            std::string::npos)
      << field(posts[0], "text");

  auto x = run_vigie({"parse", "--format", "ndjson-stream", kData + "ndjson/filtered_stream.ndjson"});
  EXPECT_EQ(x.exit_code, 1);  // the capture holds an operational-disconnect error object
  EXPECT_NE(x.err.find("operational-disconnect"), std::string::npos) << x.err;
  posts = lines_of(x.out);
  ASSERT_GE(posts.size(), 2u);
  EXPECT_EQ(field(posts[0], "uid"), "x:1859980123456789012");
  EXPECT_EQ(field(posts[0], "url"), "https://x.com/lucie_m/status/1859980123456789012");
  EXPECT_EQ(posts[0].at("author").at("followers"), 2210);
}

TEST(Parse, BadUsage) {
  EXPECT_EQ(run_vigie({"parse", "--format", "csv", kData + "feeds/rdf.xml"}).exit_code, 2);
  auto missing = run_vigie({"parse", "--format", "rss", "/nonexistent.xml"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot open /nonexistent.xml"), std::string::npos);
  auto not_xml = run_vigie({"parse", "--format", "feed", "-"}, "this is not a feed\n");
  EXPECT_EQ(not_xml.exit_code, 1);
  EXPECT_NE(not_xml.err.find("\"error\""), std::string::npos) << not_xml.err;
}

}  // namespace
}  // namespace vigie::testing
