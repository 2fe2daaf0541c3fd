#include "ingest/bluesky/jetstream_event.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <string>
#include <vector>

namespace vigie::ingest {
namespace {

namespace json = boost::json;
constexpr Micros kReceived = 1795357000000000;

// One Jetstream message per line, as the WebSocket delivers them.
std::vector<std::string> events_file() {
  std::ifstream in(VIGIE_SOURCE_DIR "/tests/ingest/data/jetstream/events.jsonl", std::ios::binary);
  EXPECT_TRUE(in) << "cannot open events.jsonl";
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

JetstreamEvent parse_ok(std::string_view message, const HandleLookup& handles = {}) {
  auto e = parse_jetstream_event(message, kReceived, handles);
  EXPECT_TRUE(e) << e.error().message;
  return e ? *e : JetstreamEvent{};
}

std::string parse_error(std::string_view message) {
  auto e = parse_jetstream_event(message, kReceived);
  EXPECT_FALSE(e) << "parsed: " << message;
  return e ? "" : e.error().message;
}

class JetstreamFile : public ::testing::Test {
 protected:
  const std::vector<std::string> events = events_file();
};

TEST_F(JetstreamFile, HoldsTheExpectedEvents) {
  ASSERT_EQ(events.size(), 9u);
}

TEST_F(JetstreamFile, PostExpandsAShortenedLinkAfterEmoji) {
  ASSERT_GE(events.size(), 1u);
  const JetstreamEvent e = parse_ok(events[0]);
  EXPECT_EQ(e.time_us, 1795356300123456);
  EXPECT_FALSE(e.identity);
  ASSERT_TRUE(e.post);
  const Post& p = *e.post;
  EXPECT_EQ(p.uid, "bluesky:did:plc:w4xbfzo7kqfes5zb7r6qv3rw/3lbq2c7vxzc2p");
  EXPECT_EQ(p.platform, "bluesky");
  EXPECT_EQ(p.kind, Kind::post);
  EXPECT_EQ(p.url, "https://bsky.app/profile/did:plc:w4xbfzo7kqfes5zb7r6qv3rw/post/3lbq2c7vxzc2p");
  EXPECT_EQ(p.author.handle, "did:plc:w4xbfzo7kqfes5zb7r6qv3rw");
  EXPECT_EQ(p.author.name, "");
  EXPECT_EQ(p.author.followers, -1);
  // The two emoji take 8 bytes but 4 UTF-16 units: counting anything but bytes would cut the wrong span.
  EXPECT_EQ(
      p.text,
      "🚨🚗 Rappel massif chez Acme : https://acme-autos.example/rappel-freins-2026?utm_source=bsky — vérifiez "
      "votre VIN ! #AcmeRappel @veille.bsky.social");
  EXPECT_EQ(p.title, "");
  EXPECT_EQ(p.lang_hint, "fr");
  EXPECT_EQ(format_rfc3339(p.created_at), "2026-11-22T14:04:59.812Z");
  EXPECT_EQ(p.received_at, kReceived);
  EXPECT_EQ(p.parent_uid, "");
  EXPECT_EQ(p.root_uid, "");
}

TEST_F(JetstreamFile, KnownHandleReplacesTheDid) {
  ASSERT_GE(events.size(), 1u);
  std::vector<std::string> asked;
  const HandleLookup handles = [&](std::string_view did) -> std::optional<std::string> {
    asked.emplace_back(did);
    if (did == "did:plc:w4xbfzo7kqfes5zb7r6qv3rw") return "claire.bsky.social";
    return std::nullopt;
  };
  EXPECT_EQ(parse_ok(events[0], handles).post->author.handle, "claire.bsky.social");
  EXPECT_EQ(parse_ok(events[1], handles).post->author.handle, "did:plc:k2lq3v6yqgx7nd4tujpzsx5m");
  EXPECT_EQ(asked, (std::vector<std::string>{"did:plc:w4xbfzo7kqfes5zb7r6qv3rw",
                                             "did:plc:k2lq3v6yqgx7nd4tujpzsx5m"}));
}

TEST_F(JetstreamFile, ReplyIsACommentAndKeepsLinkTextThatIsNotTheUrl) {
  ASSERT_GE(events.size(), 2u);
  const JetstreamEvent e = parse_ok(events[1]);
  ASSERT_TRUE(e.post);
  const Post& p = *e.post;
  EXPECT_EQ(p.uid, "bluesky:did:plc:k2lq3v6yqgx7nd4tujpzsx5m/3lbq2gbcz4k2w");
  EXPECT_EQ(p.kind, Kind::comment);
  EXPECT_EQ(p.parent_uid, "bluesky:did:plc:w4xbfzo7kqfes5zb7r6qv3rw/3lbq2c7vxzc2p");
  EXPECT_EQ(p.root_uid, "bluesky:did:plc:w4xbfzo7kqfes5zb7r6qv3rw/3lbq2c7vxzc2p");
  EXPECT_EQ(p.text, "Même souci 😤 depuis ce matin, voir leur communiqué");
  EXPECT_EQ(p.lang_hint, "fr");  // the first of ["fr", "en"]
  EXPECT_EQ(format_rfc3339(p.created_at), "2026-11-22T14:07:12.004Z");
}

TEST_F(JetstreamFile, LikeYieldsNoPostButAdvancesTheCursor) {
  ASSERT_GE(events.size(), 3u);
  const JetstreamEvent e = parse_ok(events[2]);
  EXPECT_EQ(e.time_us, 1795356440000111);
  EXPECT_FALSE(e.post);
  EXPECT_FALSE(e.identity);
}

TEST_F(JetstreamFile, ExternalCardAddsItsUriToTextAndItsTitle) {
  ASSERT_GE(events.size(), 4u);
  const JetstreamEvent e = parse_ok(events[3]);
  ASSERT_TRUE(e.post);
  const Post& p = *e.post;
  EXPECT_EQ(p.text, "Not great for Acme.\nhttps://news.example.com/business/acme-recall-brakes");
  EXPECT_EQ(p.title, "Acme recalls 120,000 cars over brake fault");
  // createdAt says 2027: a wrong client clock, so the event time stands in.
  EXPECT_EQ(p.created_at, 1795356500777000);
  EXPECT_EQ(format_rfc3339(p.created_at), "2026-11-22T14:08:20.777Z");
}

TEST_F(JetstreamFile, IdentityEventGivesTheNewHandle) {
  ASSERT_GE(events.size(), 5u);
  const JetstreamEvent e = parse_ok(events[4]);
  EXPECT_EQ(e.time_us, 1795356510000001);
  EXPECT_FALSE(e.post);
  ASSERT_TRUE(e.identity);
  EXPECT_EQ(e.identity->did, "did:plc:w4xbfzo7kqfes5zb7r6qv3rw");
  EXPECT_EQ(e.identity->handle, "claire-dubois.bsky.social");
}

TEST_F(JetstreamFile, UpdateIsAnEditThatKeepsItsThread) {
  ASSERT_GE(events.size(), 6u);
  const JetstreamEvent e = parse_ok(events[5]);
  ASSERT_TRUE(e.post);
  const Post& p = *e.post;
  EXPECT_EQ(p.kind, Kind::edit);
  EXPECT_EQ(p.uid, "bluesky:did:plc:k2lq3v6yqgx7nd4tujpzsx5m/3lbq2gbcz4k2w");
  EXPECT_EQ(p.parent_uid, "bluesky:did:plc:w4xbfzo7kqfes5zb7r6qv3rw/3lbq2c7vxzc2p");
  EXPECT_EQ(p.text, "Même souci 😤 depuis ce matin, c'est réglé maintenant.");
}

TEST_F(JetstreamFile, AccountEventYieldsNothingButTime) {
  ASSERT_GE(events.size(), 7u);
  const JetstreamEvent e = parse_ok(events[6]);
  EXPECT_EQ(e.time_us, 1795356700000333);
  EXPECT_FALSE(e.post);
  EXPECT_FALSE(e.identity);
}

TEST_F(JetstreamFile, DeleteCarriesTheUidAndEventTime) {
  ASSERT_GE(events.size(), 8u);
  const JetstreamEvent e = parse_ok(events[7]);
  ASSERT_TRUE(e.post);
  const Post& p = *e.post;
  EXPECT_EQ(p.kind, Kind::del);
  EXPECT_EQ(p.uid, "bluesky:did:plc:w4xbfzo7kqfes5zb7r6qv3rw/3lbq2c7vxzc2p");
  EXPECT_EQ(p.text, "");
  EXPECT_EQ(p.created_at, 1795356800000444);
}

TEST_F(JetstreamFile, CardInsideRecordWithMediaAndLinkAlreadyInText) {
  ASSERT_GE(events.size(), 9u);
  const JetstreamEvent e = parse_ok(events[8]);
  ASSERT_TRUE(e.post);
  const Post& p = *e.post;
  EXPECT_EQ(p.uid, "bluesky:did:web:acme.example/3lbq2uvpxk22n");
  EXPECT_EQ(p.url, "https://bsky.app/profile/did:web:acme.example/post/3lbq2uvpxk22n");
  EXPECT_EQ(p.text, "Our statement on today's outage: https://acme.example/status");  // not appended twice
  EXPECT_EQ(p.title, "Acme service status");
  EXPECT_EQ(p.kind, Kind::post);  // a quote is not a reply
}

TEST_F(JetstreamFile, ParsedValueAndTextGiveTheSameResult) {
  for (const std::string& line : events) {
    auto a = parse_jetstream_event(line, kReceived);
    auto b = jetstream_event_from_json(json::parse(line), kReceived);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->time_us, b->time_us);
    ASSERT_EQ(a->post.has_value(), b->post.has_value());
    if (a->post) {
      EXPECT_EQ(a->post->uid, b->post->uid);
      EXPECT_EQ(a->post->text, b->post->text);
    }
  }
}

// A post record around `text` and `facets` (JSON), for the facet rules.
std::string expand(std::string_view text, std::string_view facets) {
  return bluesky_expand_links(text, json::parse(facets).as_array());
}

std::string link_facet(std::size_t start, std::size_t end, std::string_view uri) {
  return R"({"index":{"byteStart":)" + std::to_string(start) + R"(,"byteEnd":)" + std::to_string(end) +
         R"(},"features":[{"$type":"app.bsky.richtext.facet#link","uri":")" + std::string(uri) + R"("}]})";
}

TEST(BlueskyLinks, ExpandsShortenedFormsOnly) {
  const std::string uri = "https://www.example.com/a/very/long/path/indeed";
  // "example.com/a/very/lo..." leaves out "www.": still the same link.
  EXPECT_EQ(expand("see example.com/a/very/lo... now", "[" + link_facet(4, 28, uri) + "]"),
            "see " + uri + " now");
  // The app's own form keeps "www." and may use a real ellipsis character.
  EXPECT_EQ(expand("see www.example.com/a/very/lo\xE2\x80\xA6", "[" + link_facet(4, 32, uri) + "]"),
            "see " + uri);
  // Words chosen by the author stay.
  EXPECT_EQ(expand("see this page now", "[" + link_facet(4, 13, uri) + "]"), "see this page now");
  // A different host is not a shortened form of this link.
  EXPECT_EQ(expand("see example.org/a... now", "[" + link_facet(4, 20, uri) + "]"),
            "see example.org/a... now");
  // The full URL already shown stays as is.
  EXPECT_EQ(expand(uri, "[" + link_facet(0, uri.size(), uri) + "]"), uri);
}

TEST(BlueskyLinks, ExpandsSeveralLinksWhateverTheFacetOrder) {
  const std::string text = "a.example/x... et b.example/yy...";
  EXPECT_EQ(expand(text, "[" + link_facet(18, 33, "https://b.example/yyyyyy") + "," +
                             link_facet(0, 14, "https://a.example/xxxxxx") + "]"),
            "https://a.example/xxxxxx et https://b.example/yyyyyy");
}

TEST(BlueskyLinks, IgnoresBadIndexes) {
  const std::string text = "🚨 acme.example/re... !";  // the emoji is bytes 0..3, the link 5..22
  const std::string uri = "https://acme.example/recall";
  EXPECT_EQ(expand(text, "[" + link_facet(5, 23, uri) + "]"), "🚨 " + uri + " !");
  // Start inside the emoji, or an end past the text, or an empty or reversed span: ignored.
  EXPECT_EQ(expand(text, "[" + link_facet(2, 23, uri) + "]"), text);
  EXPECT_EQ(expand(text, "[" + link_facet(5, 99, uri) + "]"), text);
  EXPECT_EQ(expand(text, "[" + link_facet(5, 5, uri) + "]"), text);
  EXPECT_EQ(expand(text, "[" + link_facet(23, 5, uri) + "]"), text);
  // An end that splits a UTF-8 sequence, even where the cut text would pass for a shortened link.
  EXPECT_EQ(
      expand("voir acme.example/café ici", "[" + link_facet(5, 22, "https://acme.example/café-noir") + "]"),
      "voir acme.example/café ici");
  EXPECT_EQ(
      expand("voir acme.example/café ici", "[" + link_facet(5, 23, "https://acme.example/café-noir") + "]"),
      "voir https://acme.example/café-noir ici");
  // Negative, fractional or missing numbers, and facets that are not objects.
  EXPECT_EQ(
      expand(
          text,
          R"([{"index":{"byteStart":-1,"byteEnd":23},)"
          R"("features":[{"$type":"app.bsky.richtext.facet#link","uri":"https://acme.example/recall"}]}])"),
      text);
  EXPECT_EQ(
      expand(
          text,
          R"([{"index":{"byteStart":5.0,"byteEnd":23},)"
          R"("features":[{"$type":"app.bsky.richtext.facet#link","uri":"https://acme.example/recall"}]}])"),
      text);
  EXPECT_EQ(expand(text, R"([{"index":{"byteEnd":23},"features":[]}, 3, null, "x"])"), text);
  // Overlapping link facets: the first wins.
  EXPECT_EQ(
      expand(text, "[" + link_facet(5, 23, uri) + "," + link_facet(10, 23, "https://other.example") + "]"),
      "🚨 " + uri + " !");
}

TEST(BlueskyLinks, MapsPostAtUrisToUids) {
  EXPECT_EQ(bluesky_post_uid("at://did:plc:abc/app.bsky.feed.post/3lbq2c7vxzc2p"),
            "bluesky:did:plc:abc/3lbq2c7vxzc2p");
  EXPECT_EQ(bluesky_post_uid("at://did:web:acme.example/app.bsky.feed.post/3l"),
            "bluesky:did:web:acme.example/3l");
  EXPECT_EQ(bluesky_post_uid("at://did:plc:abc/app.bsky.feed.like/3lbq2c7vxzc2p"), std::nullopt);
  EXPECT_EQ(bluesky_post_uid("at://did:plc:abc/app.bsky.feed.post/"), std::nullopt);
  EXPECT_EQ(bluesky_post_uid("at://did:plc:abc/app.bsky.feed.post/a/b"), std::nullopt);
  EXPECT_EQ(bluesky_post_uid("at://did:plc:abc/app.bsky.feed.postX/a"), std::nullopt);
  EXPECT_EQ(bluesky_post_uid("https://bsky.app/profile/did:plc:abc/post/3l"), std::nullopt);
  EXPECT_EQ(bluesky_post_uid("at:///app.bsky.feed.post/3l"), std::nullopt);
}

// A create commit of a post record, with `record` spliced in.
std::string post_commit(std::string_view record, std::string_view operation = "create") {
  return R"({"did":"did:plc:abc","time_us":1795356300000000,"kind":"commit",)"
         R"("commit":{"rev":"3l","operation":")" +
         std::string(operation) + R"(","collection":"app.bsky.feed.post","rkey":"3k","record":)" +
         std::string(record) + R"(,"cid":"bafy"}})";
}

TEST(JetstreamEvent, CreatedAtFallsBackToEventTime) {
  const auto created = [](std::string_view created_at) {
    return parse_ok(post_commit(R"({"text":"x","createdAt":")" + std::string(created_at) + R"("})"))
        .post->created_at;
  };
  EXPECT_EQ(created("2026-11-22T14:00:00Z"),
            1795356000000000);  // before the event: kept (late delivery, import)
  EXPECT_EQ(created("2026-11-22T14:15:00Z"), 1795356900000000);  // exactly 10 minutes ahead: kept
  EXPECT_EQ(created("2026-11-22T14:15:00.000001Z"), 1795356300000000);
  EXPECT_EQ(created("22/11/2026"), 1795356300000000);
  EXPECT_EQ(parse_ok(post_commit(R"({"text":"x"})")).post->created_at, 1795356300000000);
}

TEST(JetstreamEvent, EmptyTextIsStillAPost) {
  const JetstreamEvent e = parse_ok(post_commit(R"({"text":"","createdAt":"2026-11-22T14:00:00Z",)"
                                                R"("embed":{"$type":"app.bsky.embed.images","images":[]}})"));
  ASSERT_TRUE(e.post);
  EXPECT_EQ(e.post->text, "");
  EXPECT_EQ(e.post->kind, Kind::post);
}

TEST(JetstreamEvent, CardUriIsTheWholeTextOfAnEmptyPost) {
  const JetstreamEvent e =
      parse_ok(post_commit(R"({"text":"","embed":{"$type":"app.bsky.embed.external",)"
                           R"("external":{"uri":"https://a.example/b","title":"","description":""}}})"));
  EXPECT_EQ(e.post->text, "https://a.example/b");
  EXPECT_EQ(e.post->title, "");
}

TEST(JetstreamEvent, ReplyWithUnreadableRefsIsStillAComment) {
  const JetstreamEvent e =
      parse_ok(post_commit(R"({"text":"x","reply":{"parent":{"uri":"https://elsewhere"},)"
                           R"("root":{"uri":"at://did:plc:r/app.bsky.feed.post/1"}}})"));
  EXPECT_EQ(e.post->kind, Kind::comment);
  EXPECT_EQ(e.post->parent_uid, "");
  EXPECT_EQ(e.post->root_uid, "bluesky:did:plc:r/1");
}

TEST(JetstreamEvent, IdentityWithoutHandleSaysUnknown) {
  const JetstreamEvent e =
      parse_ok(R"({"did":"did:plc:abc","time_us":5,"kind":"identity",)"
               R"("identity":{"did":"did:plc:abc","seq":1,"time":"2026-11-22T14:00:00Z"}})");
  ASSERT_TRUE(e.identity);
  EXPECT_EQ(e.identity->did, "did:plc:abc");
  EXPECT_EQ(e.identity->handle, "");
}

TEST(JetstreamEvent, UnknownKindYieldsOnlyTime) {
  const JetstreamEvent e = parse_ok(R"({"did":"did:plc:abc","time_us":7,"kind":"sync","sync":{}})");
  EXPECT_EQ(e.time_us, 7);
  EXPECT_FALSE(e.post);
  EXPECT_FALSE(e.identity);
}

TEST(JetstreamEvent, MalformedEventsAreErrorsNamingTheField) {
  EXPECT_EQ(parse_error("[]"), "jetstream event: expected a JSON object");
  EXPECT_EQ(parse_error(R"({"time_us":1,"kind":"account"})"),
            "jetstream event: field 'did': expected a non-empty string");
  EXPECT_EQ(parse_error(R"({"did":"did:plc:abc","kind":"account"})"),
            "jetstream event from did:plc:abc: field 'time_us': expected a positive integer");
  EXPECT_EQ(parse_error(R"({"did":"did:plc:abc","time_us":"1795356300000000","kind":"account"})"),
            "jetstream event from did:plc:abc: field 'time_us': expected a positive integer");
  EXPECT_EQ(parse_error(R"({"did":"did:plc:abc","time_us":-4,"kind":"account"})"),
            "jetstream event from did:plc:abc: field 'time_us': expected a positive integer");
  EXPECT_EQ(parse_error(R"({"did":"did:plc:abc","time_us":4})"),
            "jetstream event from did:plc:abc: field 'kind': expected a string");
  EXPECT_EQ(parse_error(R"({"did":"did:plc:abc","time_us":4,"kind":"commit"})"),
            "jetstream commit event from did:plc:abc: field 'commit': expected an object");
  EXPECT_EQ(parse_error(R"({"did":"did:plc:abc","time_us":4,"kind":"identity"})"),
            "jetstream identity event for did:plc:abc: field 'identity': expected an object");
  EXPECT_EQ(parse_error(R"({"did":"did:plc:abc","time_us":4,"kind":"commit",)"
                        R"("commit":{"operation":"create","collection":"app.bsky.feed.post"}})"),
            "jetstream commit event from did:plc:abc: field 'commit.rkey': expected a non-empty string");
  EXPECT_EQ(parse_error(post_commit(R"({"text":"x"})", "upsert")),
            "jetstream commit did:plc:abc/app.bsky.feed.post/3k: unknown operation 'upsert'");
  EXPECT_EQ(parse_error(post_commit("null")),
            "jetstream commit did:plc:abc/app.bsky.feed.post/3k: missing 'commit.record' for a create");
  EXPECT_EQ(parse_error(post_commit(R"({"text":42})")),
            "jetstream commit did:plc:abc/app.bsky.feed.post/3k: field 'record.text': expected a string");
  EXPECT_EQ(parse_error(R"({"did":"did:plc:abc","time_us":4,"kind":"com)"),
            "jetstream message: invalid JSON at byte 44 of 44: incomplete JSON");
  EXPECT_EQ(parse_error(R"({"did":"did:plc:abc"} trailing)"),
            "jetstream message: invalid JSON at byte 22 of 30: extra data");
}

TEST(JetstreamEvent, OtherCollectionsAreNotCheckedFurther) {
  // A like has no text: only post records are read.
  const JetstreamEvent e = parse_ok(
      R"({"did":"did:plc:abc","time_us":9,"kind":"commit",)"
      R"("commit":{"rev":"3l","operation":"delete","collection":"app.bsky.feed.repost","rkey":"3m"}})");
  EXPECT_EQ(e.time_us, 9);
  EXPECT_FALSE(e.post);
}

}  // namespace
}  // namespace vigie::ingest
