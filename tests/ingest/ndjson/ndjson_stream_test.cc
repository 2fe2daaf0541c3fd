#include "ingest/ndjson/ndjson_stream.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace vigie::ingest {
namespace {

namespace json = boost::json;
using Items = std::vector<std::string>;
constexpr Micros kReceived = 1795360000000000;  // 2026-11-22T15:06:40Z

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class Recorder : public NdjsonFramer::Handler {
 public:
  void on_line(std::string_view line) override { items.push_back("line " + std::string(line)); }
  void on_error(const Error& e) override { items.push_back("error " + e.message); }
  void on_keepalive() override { items.push_back("keepalive"); }
  Items items;
};

Items frame(std::string_view body, std::size_t max = NdjsonFramer::kDefaultMaxLineBytes) {
  Recorder r;
  NdjsonFramer f(r, max);
  f.feed(body);
  EXPECT_FALSE(f.finish());
  return r.items;
}

void expect_same_at_every_split(std::string_view body, std::size_t max = NdjsonFramer::kDefaultMaxLineBytes) {
  const Items whole = frame(body, max);
  for (std::size_t cut = 0; cut <= body.size(); ++cut) {
    Recorder r;
    NdjsonFramer f(r, max);
    f.feed(body.substr(0, cut));
    f.feed(body.substr(cut));
    ASSERT_EQ(r.items, whole) << "split at byte " << cut;
    ASSERT_FALSE(f.finish());
  }
  Recorder r;
  NdjsonFramer f(r, max);
  for (char c : body)
    f.feed(std::string_view(&c, 1));
  EXPECT_EQ(r.items, whole) << "byte by byte";
}

TEST(NdjsonFramer, SplitsOnLfAndCrlfAndReportsKeepalivesApart) {
  Recorder r;
  NdjsonFramer f(r);
  f.feed("{\"a\":1}\n{\"b\":2}\r\n\r\n\n  \r\n{\"c\":3}\r\n");
  EXPECT_EQ(r.items, (Items{"line {\"a\":1}", "line {\"b\":2}", "keepalive", "keepalive", "keepalive",
                            "line {\"c\":3}"}));
  EXPECT_EQ(f.lines(), 3u);
  EXPECT_EQ(f.keepalives(), 3u);
  EXPECT_EQ(f.oversized(), 0u);
  EXPECT_FALSE(f.finish());
}

TEST(NdjsonFramer, CrAtChunkEndBelongsToTheCrlf) {
  Recorder r;
  NdjsonFramer f(r);
  f.feed("{\"a\":1}\r");
  f.feed("\n\r");
  f.feed("\n");
  EXPECT_EQ(r.items, (Items{"line {\"a\":1}", "keepalive"}));
}

TEST(NdjsonFramer, FinishReportsATruncatedLastLine) {
  Recorder r;
  NdjsonFramer f(r);
  f.feed("{\"a\":1}\n{\"b\":");
  EXPECT_TRUE(f.finish());
  EXPECT_EQ(r.items, Items{"line {\"a\":1}"});
  // The next stream starts clean: the dropped half is not glued to its first line.
  f.feed("{\"c\":3}\n");
  EXPECT_FALSE(f.finish());
  EXPECT_EQ(r.items, (Items{"line {\"a\":1}", "line {\"c\":3}"}));
}

TEST(NdjsonFramer, OverlongLineIsDroppedAndFramingResumes) {
  // Limit 8: "12345678" fits, with or without its CR; "123456789" does not.
  const std::string body = "12345678\r\n123456789\r\n{\"ok\":1}\n12345678\n0123456789abcdef0123\nlast\n";
  EXPECT_EQ(
      frame(body, 8),
      (Items{"line 12345678", "error stream line at byte 10 is longer than the 8-byte limit; it is dropped",
             "line {\"ok\":1}", "line 12345678",
             "error stream line at byte 39 is longer than the 8-byte limit; it is dropped", "line last"}));
  expect_same_at_every_split(body, 8);
  Recorder r;
  NdjsonFramer f(r, 8);
  f.feed(body);
  EXPECT_EQ(f.oversized(), 2u);
  EXPECT_EQ(f.lines(), 4u);
}

TEST(NdjsonFramer, OverlongUnterminatedLineIsReportedOnceAndNotPending) {
  Recorder r;
  NdjsonFramer f(r, 4);
  f.feed("abc");
  f.feed("defgh");
  f.feed("ijk");
  EXPECT_EQ(r.items, Items{"error stream line at byte 0 is longer than the 4-byte limit; it is dropped"});
  EXPECT_FALSE(f.finish());
}

class FilteredStream : public ::testing::Test {
 protected:
  const std::string body = read_file(VIGIE_SOURCE_DIR "/tests/ingest/data/ndjson/filtered_stream.ndjson");

  std::vector<std::string> lines() const {
    Items items = frame(body);
    std::vector<std::string> out;
    for (const std::string& i : items)
      if (i.starts_with("line ")) out.push_back(i.substr(5));
    return out;
  }
};

TEST_F(FilteredStream, FramesNineObjectsAndFourKeepalives) {
  Recorder r;
  NdjsonFramer f(r);
  f.feed(body);
  EXPECT_FALSE(f.finish());
  EXPECT_EQ(f.lines(), 9u);
  EXPECT_EQ(f.keepalives(), 4u);
  EXPECT_EQ(f.oversized(), 0u);
  for (const std::string& line : lines()) {
    EXPECT_TRUE(line.starts_with("{") && line.ends_with("}")) << line.substr(0, 40);
  }
}

TEST_F(FilteredStream, SameLinesAtEveryChunkBoundary) {
  expect_same_at_every_split(body);
}

TEST_F(FilteredStream, CutMidLineLeavesAPendingLine) {
  for (std::size_t cut : {std::size_t{1}, body.size() / 2, body.size() - 2}) {
    Recorder r;
    NdjsonFramer f(r);
    f.feed(body.substr(0, cut));
    EXPECT_TRUE(f.finish()) << cut;
  }
}

class XPosts : public FilteredStream {
 protected:
  void SetUp() override {
    for (const std::string& line : lines())
      results.push_back(stream_object_to_post(json::parse(line), kReceived));
    ASSERT_EQ(results.size(), 9u);
  }
  const Post& post(std::size_t i) {
    EXPECT_TRUE(results[i]) << results[i].error().message;
    static const Post empty;
    return results[i] ? *results[i] : empty;
  }
  std::vector<Result<Post>> results;
};

TEST_F(XPosts, PostWithExpandedLinkAndDecodedEscapes) {
  const Post& p = post(0);
  EXPECT_EQ(p.uid, "x:1859980123456789012");
  EXPECT_EQ(p.platform, "x");
  EXPECT_EQ(p.kind, Kind::post);
  EXPECT_EQ(p.author.handle, "lucie_m");
  EXPECT_EQ(p.author.name, "Lucie M.");
  EXPECT_EQ(p.author.followers, 2210);
  EXPECT_EQ(p.text,
            "Encore une panne chez @AcmeFR & aucune info >:( #AcmeDown "
            "https://status.acme.example/incidents/2026-11-22-connexion");
  EXPECT_EQ(p.url, "https://x.com/lucie_m/status/1859980123456789012");
  EXPECT_EQ(p.lang_hint, "fr");
  EXPECT_EQ(format_rfc3339(p.created_at), "2026-11-22T14:06:02Z");
  EXPECT_EQ(p.received_at, kReceived);
  EXPECT_EQ(p.parent_uid, "");
  EXPECT_EQ(p.root_uid, "");  // it starts its own conversation
}

TEST_F(XPosts, ReplyIsACommentInItsConversation) {
  const Post& p = post(1);
  EXPECT_EQ(p.uid, "x:1859980777777777777");
  EXPECT_EQ(p.kind, Kind::comment);
  EXPECT_EQ(p.parent_uid, "x:1859980123456789012");
  EXPECT_EQ(p.root_uid, "x:1859980123456789012");
  EXPECT_EQ(p.author.handle, "karimb_");  // the author, not the first user of includes
  EXPECT_EQ(p.author.followers, 97);
  EXPECT_EQ(p.text, "@lucie_m pareil, appli HS depuis 8h");
  EXPECT_EQ(p.url, "https://x.com/karimb_/status/1859980777777777777");
}

TEST_F(XPosts, RetweetTakesTheFullOriginalFromIncludes) {
  const Post& p = post(2);
  EXPECT_EQ(p.uid, "x:1859981000000000001");
  EXPECT_EQ(p.kind, Kind::repost);
  EXPECT_EQ(p.parent_uid, "x:1859979999999999999");
  EXPECT_EQ(p.author.handle, "AcmeFR");
  EXPECT_EQ(p.author.name, "Acme France");
  EXPECT_EQ(p.author.followers, 184000);
  EXPECT_EQ(p.text,
            "Nous rencontrons actuellement des difficultés de connexion à l'espace client. Nos équipes sont "
            "mobilisées, nous vous tiendrons informés ici et sur https://status.acme.example/");
  EXPECT_EQ(p.url, "https://x.com/AcmeFR/status/1859979999999999999");
  EXPECT_EQ(format_rfc3339(p.created_at), "2026-11-22T14:10:05Z");  // when the retweet happened
}

TEST_F(XPosts, RetweetWithoutIncludesKeepsItsOwnText) {
  json::value v = json::parse(lines()[2]);
  v.as_object()["includes"].as_object().erase("tweets");
  auto p = stream_object_to_post(v, kReceived);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->kind, Kind::repost);
  EXPECT_TRUE(p->text.starts_with("RT @AcmeFR: Nous rencontrons")) << p->text;
  EXPECT_EQ(p->author.handle, "veilleconso");
  EXPECT_EQ(p->url, "https://x.com/veilleconso/status/1859981000000000001");
}

TEST_F(XPosts, LongPostUsesNoteTweetText) {
  const Post& p = post(3);
  EXPECT_EQ(p.uid, "x:1859982000000000002");
  EXPECT_EQ(p.author.handle, "danaw");
  EXPECT_EQ(p.lang_hint, "en");
  EXPECT_EQ(
      p.text,
      "Thread on why I'm leaving Acme after 12 years as a customer. It started with the app outage this "
      "morning, but honestly the problems go back months: billing errors, support queues of 2+ hours, and "
      "now "
      "this. I wrote everything down here https://blog.example.net/2026/11/leaving-acme — if you're in the "
      "same "
      "situation, the consumer ombudsman form is linked at the end. Not angry, just tired.");
}

TEST_F(XPosts, QuoteIsAPost) {
  const Post& p = post(4);
  EXPECT_EQ(p.kind, Kind::post);
  EXPECT_EQ(p.parent_uid, "");
  EXPECT_EQ(p.author.handle, "AcmeFR");
  EXPECT_EQ(p.text, "Mise à jour : le service est rétabli. Merci de votre patience.");
}

TEST_F(XPosts, EditReplacesTheFirstVersion) {
  const Post& p = post(5);
  EXPECT_EQ(p.kind, Kind::edit);
  EXPECT_EQ(p.uid, "x:1859980123456789012");
  EXPECT_EQ(p.url, "https://x.com/lucie_m/status/1859980555555555555");
  EXPECT_EQ(p.root_uid, "");
  EXPECT_EQ(p.text, "Encore une panne chez @AcmeFR, aucune info (édit : retour à 15h)");
}

TEST_F(XPosts, PartialErrorsKeepThePostWithoutItsAuthorDetails) {
  const Post& p = post(6);
  EXPECT_EQ(p.uid, "x:1859984000000000004");
  EXPECT_EQ(p.author.handle, "4455667788");
  EXPECT_EQ(p.author.name, "");
  EXPECT_EQ(p.author.followers, -1);
  EXPECT_EQ(p.url, "https://x.com/i/web/status/1859984000000000004");
  EXPECT_EQ(p.lang_hint, "");  // "und"
  EXPECT_EQ(p.text, "@AcmeFR 👀👀");
}

TEST_F(XPosts, ErrorObjectWithoutDataIsAnError) {
  ASSERT_FALSE(results[7]);
  EXPECT_EQ(results[7].error().message,
            "x stream: error object without data: operational-disconnect: This stream has been disconnected "
            "upstream "
            "for operational reasons.");
}

TEST_F(XPosts, OtherObjectsAreVigiePosts) {
  const Post& p = post(8);
  EXPECT_EQ(p.uid, "rss:acme-blog/2026-11-22-incident");
  EXPECT_EQ(p.platform, "rss");
  EXPECT_EQ(p.title, "Incident du 22 novembre");
  EXPECT_EQ(p.author.handle, "acme-blog");
  EXPECT_EQ(format_rfc3339(p.created_at), "2026-11-22T16:00:00Z");
}

Result<Post> convert(std::string_view text) {
  return stream_object_to_post(json::parse(text), kReceived);
}

TEST(StreamObject, ErrorsNameTheField) {
  EXPECT_EQ(convert("[]").error().message, "stream object: expected a JSON object");
  EXPECT_EQ(convert(R"({"data":[{"id":"1"}]})").error().message,
            "x stream object: field 'data': expected an object");
  EXPECT_EQ(convert(R"({"data":{"id":1,"text":"x"}})").error().message,
            "x stream object: field 'data.id': expected a non-empty string");
  EXPECT_EQ(convert(R"({"data":{"id":"1"}})").error().message,
            "x post 1: field 'data.text': expected a string");
  EXPECT_EQ(convert(R"({"data":{"id":"1","text":"x","created_at":"now"}})").error().message,
            "x post 1: field 'data.created_at': expected an RFC 3339 date-time");
  EXPECT_EQ(convert(R"({"errors":[]})").error().message, "x stream: error object without data");
  EXPECT_EQ(
      convert(R"({"errors":[{"title":"ConnectionException",)"
              R"("detail":"This stream is currently at the maximum allowed connection limit."},{}]})")
          .error()
          .message,
      "x stream: error object without data: ConnectionException: This stream is currently at the maximum "
      "allowed "
      "connection limit. (and 1 more)");
  // Not X-shaped: post_from_json's rules and messages.
  EXPECT_EQ(convert(R"({"uid":"x:1"})").error().message, "missing 'text'");
}

TEST(StreamObject, MinimalTweetDefaultsTimeAndAuthor) {
  auto p = convert(R"({"data":{"id":"42","text":"hello"}})");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->uid, "x:42");
  EXPECT_EQ(p->created_at, kReceived);
  EXPECT_EQ(p->author.handle, "");
  EXPECT_EQ(p->url, "https://x.com/i/web/status/42");
}

TEST(StreamObject, ShortLinksMatchWholeAndOnlyOnce) {
  // "abc" must not match the start of "abcd", entities may come in any order, and escapes are decoded once.
  auto p = convert(
      R"({"data":{"id":"1","text":"https://t.co/abcd &amp;lt; https://t.co/abc &amp; https://t.co/abc",
    "entities":{"urls":[{"url":"https://t.co/abc","expanded_url":"https://a.example/?x=1&y=2"},
                        {"url":"https://t.co/abcd","expanded_url":"https://b.example/"},
                        {"url":"https://t.co/zzz","expanded_url":"https://never.example/"},
                        {"url":"https://t.co/abc","expanded_url":""}]}}})");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->text, "https://b.example/ &lt; https://a.example/?x=1&y=2 & https://t.co/abc");
  // The same link posted twice is two entities, expanded twice.
  p = convert(R"({"data":{"id":"1","text":"https://t.co/q1 https://t.co/q1",
    "entities":{"urls":[{"url":"https://t.co/q1","expanded_url":"https://q.example/"},
                        {"url":"https://t.co/q1","expanded_url":"https://q.example/"}]}}})");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->text, "https://q.example/ https://q.example/");
}

}  // namespace
}  // namespace vigie::ingest
