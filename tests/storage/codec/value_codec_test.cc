#include "storage/codec/value_codec.h"

#include <gtest/gtest.h>

#include <tuple>
#include <vector>

#include "storage/codec/key_codec.h"
#include "tests/storage/storage_test_support.h"

namespace vigie::storage {
namespace {

using testing::make_post;

rules::ScoredPost full_post() {
  rules::ScoredPost p = make_post({.uid = "bluesky:abc",
                                   .created_at = -42,
                                   .brands = {"acme"},
                                   .topics = {"recall"},
                                   .label = rules::Label::negative,
                                   .compound = -0.625f,
                                   .followers = -1,
                                   .kind = ingest::Kind::comment});
  p.post.title = "Titre";
  p.post.lang_hint = "fr";
  p.post.parent_uid = "bluesky:parent";
  p.post.root_uid = "bluesky:root";
  p.sentiment.pos = 0.1f;
  p.sentiment.neu = 0.2f;
  p.sentiment.neg = 0.7f;
  p.matches[1].severity = rules::Severity::critical;
  return p;
}

TEST(ValueCodec, PostRoundTrips) {
  const rules::ScoredPost p = full_post();
  std::string v;
  encode_post(p, v);
  EXPECT_EQ(post_value_time(v), -42);
  const auto d = decode_post(p.post.uid, v);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_FALSE(d->deleted);
  const rules::ScoredPost& q = d->scored;
  EXPECT_EQ(q.post.uid, p.post.uid);
  EXPECT_EQ(q.post.platform, p.post.platform);
  EXPECT_EQ(q.post.kind, ingest::Kind::comment);
  EXPECT_EQ(q.post.author.handle, p.post.author.handle);
  EXPECT_EQ(q.post.author.name, p.post.author.name);
  EXPECT_EQ(q.post.author.followers, -1);
  EXPECT_EQ(q.post.title, "Titre");
  EXPECT_EQ(q.post.text, p.post.text);
  EXPECT_EQ(q.post.url, p.post.url);
  EXPECT_EQ(q.post.lang_hint, "fr");
  EXPECT_EQ(q.post.created_at, -42);
  EXPECT_EQ(q.post.received_at, p.post.received_at);
  EXPECT_EQ(q.post.parent_uid, "bluesky:parent");
  EXPECT_EQ(q.post.root_uid, "bluesky:root");
  EXPECT_EQ(q.post.source, p.post.source);
  EXPECT_EQ(q.lang, "fr");
  EXPECT_FLOAT_EQ(q.sentiment.compound, -0.625f);
  EXPECT_FLOAT_EQ(q.sentiment.neg, 0.7f);
  EXPECT_EQ(q.sentiment.label, rules::Label::negative);
  EXPECT_TRUE(q.sentiment.scored);
  ASSERT_EQ(q.matches.size(), 2u);
  EXPECT_EQ(q.matches[1].rule, "recall");
  EXPECT_EQ(q.matches[1].kind, rules::RuleKind::topic);
  EXPECT_EQ(q.matches[1].severity, rules::Severity::critical);
}

// The lexicon that scored a post round-trips, also when it is not the post's language (an undetermined "und"
// post scored in English); a value written before lexicons were recorded reads its lexicon from the language.
TEST(ValueCodec, SentimentLexiconRoundTrips) {
  for (const auto& [lang, scored, lexicon] : std::vector<std::tuple<std::string, bool, std::string_view>>{
           {"fr", true, "fr"}, {"und", true, "en"}, {"und", true, "fr"}, {"de", false, ""}}) {
    rules::ScoredPost p = full_post();
    p.lang = lang;
    p.sentiment.scored = scored;
    p.sentiment.lexicon = lexicon;
    std::string v;
    encode_post(p, v);
    const auto d = decode_post(p.post.uid, v);
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(d->scored.sentiment.scored, scored) << lang;
    EXPECT_EQ(d->scored.sentiment.lexicon, lexicon) << lang;
  }
  // Written by an earlier build: scored byte 1, lexicon implied by the language.
  rules::ScoredPost p = full_post();
  p.sentiment.lexicon = {};
  std::string v;
  encode_post(p, v);
  const auto d = decode_post(p.post.uid, v);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->scored.sentiment.lexicon, "fr");
}

TEST(ValueCodec, Tombstone) {
  std::string v;
  encode_tombstone(1234, v);
  EXPECT_EQ(post_value_time(v), 1234);
  const auto d = decode_post("x:1", v);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->deleted);
  EXPECT_EQ(d->scored.post.created_at, 1234);
}

TEST(ValueCodec, RefusesNewerFormatsAndCorruption) {
  std::string v;
  encode_post(full_post(), v);
  std::string newer = v;
  newer[0] = static_cast<char>(kPostValueVersion + 1);
  const auto d = decode_post("x:1", newer);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().message,
            "storage: post x:1 has format version 2, this build reads up to 1; upgrade vigie");
  EXPECT_FALSE(post_value_time(newer));
  for (std::size_t cut : {std::size_t{0}, std::size_t{5}, v.size() / 2, v.size() - 1}) {
    EXPECT_FALSE(decode_post("x:1", std::string_view(v).substr(0, cut))) << cut;
  }
  EXPECT_FALSE(decode_post("x:1", v + "junk"));
}

TEST(ValueCodec, MentionRoundTripsWithHeadFirst) {
  const rules::ScoredPost p = full_post();
  std::string v;
  encode_mention(p, v);
  const auto h = decode_mention_head(v);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->label, rules::Label::negative);
  EXPECT_EQ(h->followers, -1);
  EXPECT_EQ(h->lang, "fr");
  EXPECT_EQ(h->platform, "mastodon");
  Mention m;
  ASSERT_TRUE(decode_mention(v, m));
  EXPECT_EQ(m.kind, ingest::Kind::comment);
  EXPECT_EQ(m.source, "masto-fr");
  EXPECT_FLOAT_EQ(m.compound, -0.625f);
  EXPECT_EQ(m.reach, 0);  // unknown followers reach nobody we can count
  EXPECT_EQ(m.author_handle, p.post.author.handle);
  EXPECT_EQ(m.title, "Titre");
  EXPECT_EQ(m.text, p.post.text);
  EXPECT_EQ(m.url, p.post.url);
  EXPECT_EQ(m.topics, std::vector<std::string>{"recall"});
  std::string newer = v;
  newer[0] = 9;
  EXPECT_FALSE(decode_mention_head(newer));
}

TEST(ValueCodec, MentionKeepsThePostsWholeSentiment) {
  rules::ScoredPost p = full_post();
  p.sentiment.pos = 0.125f;
  p.sentiment.neu = 0.5f;
  p.sentiment.neg = 0.375f;
  p.sentiment.scored = true;
  p.sentiment.lexicon = "en";  // an undetermined-language post scored in English, whatever its lang
  std::string v;
  encode_mention(p, v);
  EXPECT_EQ(static_cast<std::uint8_t>(v[0]), 2);
  Mention m;
  ASSERT_TRUE(decode_mention(v, m));
  EXPECT_TRUE(m.detailed_sentiment);
  EXPECT_FLOAT_EQ(m.pos, 0.125f);
  EXPECT_FLOAT_EQ(m.neu, 0.5f);
  EXPECT_FLOAT_EQ(m.neg, 0.375f);
  EXPECT_TRUE(m.scored);
  EXPECT_EQ(m.lexicon, "en");
  EXPECT_EQ(m.topics, std::vector<std::string>{"recall"});

  p.sentiment.scored = false;
  p.sentiment.lexicon = {};
  encode_mention(p, v);
  ASSERT_TRUE(decode_mention(v, m));
  EXPECT_FALSE(m.scored);
  EXPECT_EQ(m.lexicon, "");
}

// A mention row as format 1 stored it, byte for byte (before pos/neu/neg and the lexicon were kept): it must
// still decode, flagged as lacking the detail.
TEST(ValueCodec, MentionOfFormatOneStillDecodes) {
  static constexpr char kV1[] =
      "\x01"      // version 1
      "\x00"      // label: negative
      "\xd0\x0f"  // followers 1000, zigzag LEB128
      "\x02"
      "en"  // lang
      "\x01"
      "x"     // platform
      "\x00"  // kind: post
      "\x04"
      "feed"              // source
      "\x00\x00\x00\xbf"  // compound -0.5, float32 little-endian
      "\xd0\x0f"          // reach 1000
      "\x03"
      "bob"  // handle
      "\x03"
      "Bob"   // name
      "\x00"  // title
      "\x06"
      "outage"  // text
      "\x00"    // url
      "\x01"    // one topic
      "\x04"
      "down";  // topic id
  const std::string v1(kV1, sizeof kV1 - 1);
  Mention m;
  const auto r = decode_mention(v1, m);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(m.label, rules::Label::negative);
  EXPECT_EQ(m.followers, 1000);
  EXPECT_EQ(m.lang, "en");
  EXPECT_EQ(m.platform, "x");
  EXPECT_EQ(m.source, "feed");
  EXPECT_FLOAT_EQ(m.compound, -0.5f);
  EXPECT_EQ(m.reach, 1000);
  EXPECT_EQ(m.author_handle, "bob");
  EXPECT_EQ(m.author_name, "Bob");
  EXPECT_EQ(m.text, "outage");
  EXPECT_EQ(m.topics, std::vector<std::string>{"down"});
  EXPECT_FALSE(m.detailed_sentiment);
  EXPECT_FALSE(m.scored);
  EXPECT_EQ(m.lexicon, "");
  // Format 1 with the bytes format 2 appends is corrupt, not a format 2 row.
  EXPECT_FALSE(decode_mention(v1 + std::string(13, '\0'), m));
}

TEST(ValueCodec, ExpectationRoundTripsWithAbsentNumbers) {
  std::string v;
  encode_expectation({3.25, std::nullopt}, v);
  auto e = decode_expectation(v);
  ASSERT_TRUE(e);
  EXPECT_DOUBLE_EQ(e->mentions.value(), 3.25);
  EXPECT_FALSE(e->negative);
  encode_expectation({std::nullopt, 0.0}, v);
  e = decode_expectation(v);
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->mentions);
  EXPECT_DOUBLE_EQ(e->negative.value(), 0.0);
  EXPECT_FALSE(decode_expectation(v.substr(1)));
  v[0] = 2;
  EXPECT_FALSE(decode_expectation(v));
}

// The event stream sends mention_of() as the post is stored; a later query decodes the stored row. Both must
// be the same mention, field for field (Mention's == compares every field, new ones included).
TEST(ValueCodec, MentionOfAStoredPostIsTheMentionDecoded) {
  for (rules::ScoredPost p : {full_post(), make_post({.uid = "x:2",
                                           .created_at = 1'700'000'000'000'000,
                                           .brands = {"acme", "volta"},
                                           .followers = 1200})}) {
    p.post.url = "https://example.com/" + p.post.uid;
    p.post.author.name = "Ana";
    std::string v;
    encode_mention(p, v);
    for (const std::string brand : {"acme", "volta"}) {
      Mention decoded;
      ASSERT_TRUE(decode_mention(v, decoded));
      decoded.brand = brand;
      decoded.uid = p.post.uid;
      decoded.created_at = p.post.created_at;
      const Mention made = mention_of(p, brand);
      EXPECT_TRUE(made == decoded) << p.post.uid << " for " << brand;
      EXPECT_EQ(made.brand, brand);
      EXPECT_EQ(made.reach, p.post.author.followers > 0 ? p.post.author.followers : 0);
    }
  }
}

TEST(ValueCodec, CountersAndSchemaVersion) {
  const SeriesCounters c{3, 1, 1, 1, -1'500'000, 1'000'000'000'000LL};
  std::string v;
  encode_counters(c, v);
  EXPECT_EQ(v.size(), kCountersValueBytes);
  EXPECT_EQ(decode_counters(v), c);
  EXPECT_FALSE(decode_counters(v.substr(1)));
  // A version 1 row (before `scored` existed) reads as if every mention was scored.
  std::string v1 = v.substr(0, kCountersV1ValueBytes);
  v1[0] = 1;
  const auto old = decode_counters(v1);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->count, 3);
  EXPECT_EQ(old->reach, 1'000'000'000'000LL);
  EXPECT_EQ(old->scored, 3);
  encode_schema_version(7, v);
  EXPECT_EQ(decode_schema_version(v), 7u);
}

TEST(ValueCodec, ContributionUsesFixedPointCompound) {
  const auto c =
      contribution(make_post({.uid = "u", .label = rules::Label::positive, .compound = 0.3333333f}));
  EXPECT_EQ(c.count, 1);
  EXPECT_EQ(c.positive, 1);
  EXPECT_EQ(c.compound_micros, 333333);
  EXPECT_EQ(c.reach, 100);
  SeriesCounters sum = c;
  sum += -c;
  EXPECT_TRUE(sum.is_zero());  // what an edit relies on
}

}  // namespace
}  // namespace vigie::storage
