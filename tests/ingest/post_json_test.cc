#include "ingest/post_json.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/parser.hpp>
#include <string>
#include <vector>

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

// PostJsonReader reads text without a DOM: it must accept, refuse and fill exactly as post_from_json over the
// parsed value, including the odd cases (duplicate keys, escapes, nulls, wrong types, nesting).
TEST(PostJsonReader, AgreesWithPostFromJson) {
  const char* cases[] = {
      R"({"uid":"mastodon:109","kind":"comment","author":{"handle":"@ana","name":"Ana","followers":12},
        "text":"Panne chez Acme ?","url":"https://m.example/@ana/109","lang":"fr",
        "created_at":"2026-11-22T14:05:00Z","parent_uid":"mastodon:100","root_uid":"m:1","source":"s",
        "extra":{"text":5,"uid":[1,{"a":null}]},"more":[{"author":1}]})",
      R"({"platform":"x","id":42,"author":"bob","text":"hi"})",
      R"({"platform":"x","id":-7,"text":"hi","created_at":1795356300.5})",
      R"({"platform":"x","id":"abc","text":"hi","created_at":1795356300})",
      R"({"platform":"x","id":18446744073709551615,"text":"hi"})",
      R"({"platform":"x","id":1.5,"text":"hi"})",
      R"({"uid":"x:1","text":"first","text":"second","uid":"y:2"})",
      R"({"uid":"x:1","te\u0078t":"caf\u00e9 \"quoted\"\n\ud83d\ude21","author":{"na\u006de":"\u00c9"}})",
      R"({"uid":"x:1","text":"a","author":{"handle":"a","followers":3},"author":{"name":"b"}})",
      R"({"uid":"x:1","text":"a","author":{"handle":"a"},"author":"@c"})",
      R"({"uid":"x:1","text":"a","author":{"followers":18446744073709551615}})",
      R"({"uid":"x:1","text":"a","author":{"followers":12.9}})",
      R"({"uid":"x:1","text":"a","author":{"followers":null,"handle":null,"x":{"handle":5}}})",
      R"({"uid":"x:1","text":"a","author":{"followers":-3}})",
      R"({"uid":"x:1","text":"a","author":{"handle":5}})",
      R"({"uid":"x:1","text":"a","author":{"name":true}})",
      R"({"uid":"x:1","text":"a","author":7})",
      R"({"uid":"x:1","text":"a","author":null,"lang":null,"lang_hint":"en"})",
      R"({"uid":"x:1","text":"a","lang_hint":"en-US"})",
      R"({"uid":"x:1","text":"a","lang":5})",
      R"({"uid":"x:1","text":"a","lang_hint":[]})",
      R"({"uid":"x:1","title":"t"})",
      R"({"uid":"x:1"})",
      R"({"uid":"x:1","kind":"delete"})",
      R"({"uid":"x:1","text":"a","kind":""})",
      R"({"uid":"x:1","text":"a","kind":"tweet"})",
      R"({"uid":"x:1","text":"a","kind":3})",
      R"({"uid":"x:1","text":"a","created_at":"soon"})",
      R"({"uid":"x:1","text":"a","created_at":-1})",
      R"({"uid":"x:1","text":"a","created_at":true})",
      R"({"uid":"x:1","text":"a","created_at":null})",
      R"({"uid":"nocolon","text":"a"})",
      R"({"uid":":1","text":"a"})",
      R"({"uid":"","platform":"p","id":"9","text":"a"})",
      R"({"uid":null,"platform":"p","text":"a"})",
      R"({"uid":5,"text":"x"})",
      R"({"text":"x"})",
      R"({"text":{}})",
      R"({"url":false,"uid":"x:1","text":"a"})",
      R"([1,2])",
      R"("a string")",
      R"(42)",
      R"({})",
  };
  std::vector<std::string> texts(std::begin(cases), std::end(cases));
  // Long escaped strings reach the handler in several parts.
  std::string long_text;
  for (int i = 0; i < 3000; ++i)
    long_text += "ab\\n\\u00e9";
  texts.push_back(R"({"uid":"x:1","text":")" + long_text + R"(","title":")" + long_text + R"("})");
  PostJsonReader reader;
  Post reused;
  for (const std::string& text : texts) {
    SCOPED_TRACE(text);
    const Result<Post> want = post_from_json(boost::json::parse(text), 1000);
    const Result<void> got = reader.read(text, 1000, reused);
    ASSERT_EQ(got.has_value(), want.has_value()) << (got ? "" : got.error().message);
    if (!want) {
      EXPECT_EQ(got.error().message, want.error().message);
      continue;
    }
    EXPECT_EQ(post_to_json(reused), post_to_json(*want));
    EXPECT_EQ(reused.author.followers, want->author.followers);
  }
}

TEST(PostJsonReader, InvalidJsonGivesBoostsMessage) {
  PostJsonReader reader;
  Post p;
  for (const char* text :
       {"not json", "{\"uid\":\"x:1\",\"text\":\"a\"} extra", "{\"uid\":", "", "{\"a\":\"\xff\"}"}) {
    SCOPED_TRACE(text);
    boost::system::error_code ec;
    boost::json::parser dom;
    dom.write(text, ec);
    ASSERT_TRUE(ec);
    const Result<void> r = reader.read(text, 0, p);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "invalid JSON: " + ec.message());
  }
  // And the reader is usable after an error.
  ASSERT_TRUE(reader.read(R"({"uid":"x:1","text":"a"})", 0, p));
  EXPECT_EQ(p.text, "a");
}

}  // namespace
}  // namespace vigie::ingest
