#include "ingest/post_json.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace vigie::ingest {
namespace {

Result<Post> parse(std::string_view s) {
  return post_from_json(boost::json::parse(s), 1000);
}

TEST(PostJson, ReadsFullRecord) {
  auto p =
      parse(R"({"uid":"mastodon:109","kind":"comment","author":{"handle":"@ana","name":"Ana","followers":12},
    "text":"Panne chez Acme ?","url":"https://m.example/@ana/109","lang":"fr","created_at":"2026-11-22T14:05:00Z",
    "parent_uid":"mastodon:100","extra":true})");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->uid, "mastodon:109");
  EXPECT_EQ(p->platform, "mastodon");
  EXPECT_EQ(p->kind, Kind::comment);
  EXPECT_EQ(p->author.handle, "ana");
  EXPECT_EQ(p->author.followers, 12);
  EXPECT_EQ(p->lang_hint, "fr");
  EXPECT_EQ(p->created_at, 1795356300LL * kMicrosPerSecond);
  EXPECT_EQ(p->received_at, 1000);
  EXPECT_EQ(p->parent_uid, "mastodon:100");
}

TEST(PostJson, BuildsUidFromPlatformAndIdAndDefaultsTime) {
  auto p = parse(R"({"platform":"x","id":42,"author":"bob","text":"hi"})");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->uid, "x:42");
  EXPECT_EQ(p->author.handle, "bob");
  EXPECT_EQ(p->author.followers, -1);
  EXPECT_EQ(p->created_at, 1000);
}

TEST(PostJson, ErrorsNameTheField) {
  EXPECT_EQ(parse("[1]").error().message, "expected a JSON object");
  EXPECT_EQ(parse(R"({"text":"x"})").error().message, "missing 'uid' (or 'platform' and 'id')");
  EXPECT_EQ(parse(R"({"uid":"x:1"})").error().message, "missing 'text'");
  EXPECT_EQ(parse(R"({"uid":"x:1","text":5})").error().message, "field 'text': expected a string");
  EXPECT_EQ(parse(R"({"uid":"x:1","text":"a","kind":"tweet"})").error().message,
            "field 'kind': expected post, comment, repost, edit or delete, got 'tweet'");
  EXPECT_EQ(parse(R"({"uid":"x:1","text":"a","created_at":"soon"})").error().message,
            "field 'created_at': not an RFC 3339 date-time: 'soon'");
  EXPECT_EQ(parse(R"({"uid":"x:1","text":"a","author":{"followers":-3}})").error().message,
            "field 'author.followers': expected a non-negative number");
  EXPECT_EQ(parse(R"({"uid":"nocolon","text":"a"})").error().message,
            "field 'uid': expected \"platform:id\"");
}

TEST(PostJson, DeleteNeedsNoText) {
  auto p = parse(R"({"uid":"x:1","kind":"delete"})");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, Kind::del);
}

TEST(PostJson, RoundTrips) {
  auto p = parse(R"({"uid":"bluesky:at://did/1","author":{"handle":"a.bsky.social","followers":3},
    "text":"hello","created_at":"2026-11-22T14:05:00.5Z","root_uid":"bluesky:at://did/0"})");
  ASSERT_TRUE(p);
  auto q = post_from_json(post_to_json(*p), 7);
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(q->uid, p->uid);
  EXPECT_EQ(q->author.handle, p->author.handle);
  EXPECT_EQ(q->author.followers, 3);
  EXPECT_EQ(q->created_at, p->created_at);
  EXPECT_EQ(q->root_uid, p->root_uid);
}

}  // namespace
}  // namespace vigie::ingest
