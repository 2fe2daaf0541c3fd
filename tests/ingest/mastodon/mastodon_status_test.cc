#include "ingest/mastodon/mastodon_status.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ingest/mastodon/sse_parser.h"

namespace vigie::ingest {
namespace {

namespace json = boost::json;
constexpr std::string_view kHost = "mastodon.social";
constexpr Micros kReceived = 1795356400000000;  // 2026-11-22T14:06:40Z

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

json::value status_file(std::string_view name) {
  return json::parse(read_file(VIGIE_SOURCE_DIR "/tests/ingest/data/mastodon/" + std::string(name)));
}

Post convert(const json::value& status) {
  auto p = mastodon_status_to_post(status, kHost, kReceived);
  EXPECT_TRUE(p) << p.error().message;
  return p ? *p : Post{};
}

std::string convert_error(const json::value& status) {
  auto p = mastodon_status_to_post(status, kHost, kReceived);
  EXPECT_FALSE(p) << "converted: " << (p ? p->uid : "");
  return p ? "" : p.error().message;
}

TEST(MastodonStatus, ConvertsAPostWithMentionHashtagAndShortenedLink) {
  const Post p = convert(status_file("status_post.json"));
  EXPECT_EQ(p.uid, "mastodon:mastodon.social/113345678901234567");
  EXPECT_EQ(p.platform, "mastodon");
  EXPECT_EQ(p.kind, Kind::post);
  EXPECT_EQ(p.author.handle, "clairedubois@mastodon.social");  // local account: the instance is appended
  EXPECT_EQ(p.author.name, "Claire Dubois 🌿");
  EXPECT_EQ(p.author.followers, 1843);
  EXPECT_EQ(p.title, "");
  // The invisible spans of the link are kept: the full URL, not the "status.acme.example/incidents/" shown.
  EXPECT_EQ(p.text,
            "Troisième panne de la semaine chez @acme, impossible d'accéder à mon compte & le support ne "
            "répond pas "
            "#AcmeDown https://status.acme.example/incidents/2026-11-22-connexion");
  EXPECT_EQ(p.url, "https://mastodon.social/@clairedubois/113345678901234567");
  EXPECT_EQ(p.lang_hint, "fr");
  EXPECT_EQ(format_rfc3339(p.created_at), "2026-11-22T14:05:01.234Z");
  EXPECT_EQ(p.received_at, kReceived);
  EXPECT_EQ(p.parent_uid, "");
  EXPECT_EQ(p.root_uid, "");
}

TEST(MastodonStatus, ReplyIsACommentWithALocalParentUid) {
  const Post p = convert(status_file("status_reply.json"));
  EXPECT_EQ(p.uid, "mastodon:mastodon.social/113345690112233445");
  EXPECT_EQ(p.kind, Kind::comment);
  EXPECT_EQ(p.parent_uid, "mastodon:mastodon.social/113345678901234567");
  EXPECT_EQ(p.author.handle, "jmleroux@framapiaf.org");  // remote account: acct already has its domain
  EXPECT_EQ(p.author.name, "Jean-Marc Leroux");
  EXPECT_EQ(p.author.followers, 312);
  EXPECT_EQ(p.text, "@clairedubois Pareil ici depuis ce matin, l'appli affiche « erreur 503 ».");
  // A remote status: its url is on its home instance, with its home id.
  EXPECT_EQ(p.url, "https://framapiaf.org/@jmleroux/113345689998877665");
  EXPECT_EQ(format_rfc3339(p.created_at), "2026-11-22T14:09:47.503Z");
}

TEST(MastodonStatus, BoostTakesContentFromTheBoostedStatus) {
  const Post p = convert(status_file("status_reblog.json"));
  EXPECT_EQ(p.uid, "mastodon:mastodon.social/113345712345678901");
  EXPECT_EQ(p.kind, Kind::repost);
  EXPECT_EQ(p.parent_uid, "mastodon:mastodon.social/113345701234509876");
  EXPECT_EQ(p.author.handle, "acme@acme.social");
  EXPECT_EQ(p.author.name, "Acme France (officiel)");
  EXPECT_EQ(p.author.followers, 25410);
  EXPECT_EQ(p.text,
            "Nous rencontrons actuellement des difficultés de connexion. Nos équipes sont mobilisées, suivez "
            "l'évolution sur notre page d'état.");
  EXPECT_EQ(p.url, "https://acme.social/@acme/113345700011122233");
  EXPECT_EQ(p.lang_hint, "fr");                                         // the boost itself has none
  EXPECT_EQ(format_rfc3339(p.created_at), "2026-11-22T14:15:30.118Z");  // when the boost happened
}

TEST(MastodonStatus, ContentWarningBecomesTheTitle) {
  const Post p = convert(status_file("status_cw.json"));
  EXPECT_EQ(p.title, "Acme rant, long");
  EXPECT_EQ(p.text,
            "Honestly the worst customer service I have had this year. Three calls, three different answers, "
            "and my "
            "account is still locked.");
  EXPECT_EQ(p.author.handle, "sam@hachyderm.io");
  EXPECT_EQ(p.lang_hint, "en");
}

TEST(MastodonStatus, MediaOnlyStatusIsAPostWithoutText) {
  const Post p = convert(status_file("status_media_only.json"));
  EXPECT_EQ(p.uid, "mastodon:mastodon.social/113345734567890123");
  EXPECT_EQ(p.kind, Kind::post);
  EXPECT_EQ(p.text, "");
  EXPECT_EQ(p.title, "");
  EXPECT_EQ(p.lang_hint, "");  // language null
  EXPECT_EQ(p.author.handle, "tomphoto@mastodon.social");
}

TEST(MastodonStatus, FallsBackToUriWhenUrlIsNull) {
  json::value v = status_file("status_post.json");
  v.as_object()["url"] = nullptr;
  EXPECT_EQ(convert(v).url, "https://mastodon.social/users/clairedubois/statuses/113345678901234567");
}

TEST(MastodonStatus, MissingFollowersCountIsUnknown) {
  json::value v = status_file("status_post.json");
  v.as_object()["account"].as_object().erase("followers_count");
  EXPECT_EQ(convert(v).author.followers, -1);
  v.as_object()["account"].as_object()["followers_count"] = -1;
  EXPECT_EQ(convert(v).author.followers, -1);
}

TEST(MastodonStatus, ErrorsNameTheStatusAndTheField) {
  const json::value good = status_file("status_post.json");
  const auto without = [&](std::string_view key) {
    json::value v = good;
    v.as_object().erase(key);
    return v;
  };
  const auto with = [&](std::string_view key, json::value field) {
    json::value v = good;
    v.as_object()[key] = std::move(field);
    return v;
  };
  EXPECT_EQ(convert_error(json::array{}), "mastodon status on mastodon.social: expected a JSON object");
  EXPECT_EQ(convert_error(without("id")),
            "mastodon status on mastodon.social: field 'id': expected a non-empty string");
  EXPECT_EQ(convert_error(with("id", 113345678901234567)),
            "mastodon status on mastodon.social: field 'id': expected a non-empty string");
  EXPECT_EQ(convert_error(with("created_at", "yesterday")),
            "mastodon status 113345678901234567 on mastodon.social: field 'created_at': expected an RFC 3339 "
            "date-time");
  EXPECT_EQ(convert_error(without("account")),
            "mastodon status 113345678901234567 on mastodon.social: field 'account': expected an object");
  EXPECT_EQ(convert_error(with("content", nullptr)),
            "mastodon status 113345678901234567 on mastodon.social: field 'content': expected a string");
  EXPECT_EQ(
      convert_error(with("language", 12)),
      "mastodon status 113345678901234567 on mastodon.social: field 'language': expected a string or null");
  EXPECT_EQ(
      convert_error(with("reblog", "113345701234509876")),
      "mastodon status 113345678901234567 on mastodon.social: field 'reblog': expected a status or null");
  json::value no_acct = good;
  no_acct.as_object()["account"].as_object()["acct"] = "";
  EXPECT_EQ(
      convert_error(no_acct),
      "mastodon status 113345678901234567 on mastodon.social: field 'account.acct': expected a non-empty "
      "string");
  json::value bad_boost = status_file("status_reblog.json");
  bad_boost.as_object()["reblog"].as_object().erase("account");
  EXPECT_EQ(
      convert_error(bad_boost),
      "mastodon status 113345712345678901 on mastodon.social: field 'reblog.account': expected an object");
}

Result<std::optional<Post>> event(std::string_view name, std::string_view data) {
  return mastodon_event_to_post(name, data, kHost, kReceived);
}

TEST(MastodonEvent, UpdateIsAPostAndStatusUpdateAnEdit) {
  const std::string edited = read_file(VIGIE_SOURCE_DIR "/tests/ingest/data/mastodon/status_edited.json");
  auto e = event("status.update", edited);
  ASSERT_TRUE(e) << e.error().message;
  ASSERT_TRUE(e->has_value());
  const Post& p = **e;
  EXPECT_EQ(p.kind, Kind::edit);
  EXPECT_EQ(p.uid, "mastodon:mastodon.social/113345678901234567");  // the edited post's own uid
  EXPECT_EQ(
      p.text,
      "Troisième panne de la semaine chez @acme. Édit : le service est revenu vers 15 h, merci à l'équipe.");
  EXPECT_EQ(format_rfc3339(p.created_at), "2026-11-22T14:05:01.234Z");

  auto u = event("update", read_file(VIGIE_SOURCE_DIR "/tests/ingest/data/mastodon/status_reply.json"));
  ASSERT_TRUE(u) << u.error().message;
  ASSERT_TRUE(u->has_value());
  EXPECT_EQ((*u)->kind, Kind::comment);
}

TEST(MastodonEvent, DeleteCarriesTheUidOnly) {
  for (std::string_view data : {"113345690112233445", "\"113345690112233445\"", " 113345690112233445\n"}) {
    auto e = event("delete", data);
    ASSERT_TRUE(e) << e.error().message;
    ASSERT_TRUE(e->has_value()) << data;
    const Post& p = **e;
    EXPECT_EQ(p.kind, Kind::del);
    EXPECT_EQ(p.uid, "mastodon:mastodon.social/113345690112233445");
    EXPECT_EQ(p.platform, "mastodon");
    EXPECT_EQ(p.created_at, kReceived);
    EXPECT_EQ(p.text, "");
  }
  // Servers of the same API with letter-and-digit ids.
  EXPECT_EQ((*event("delete", "AroIgw52Wiz1BgJ56G"))->uid, "mastodon:mastodon.social/AroIgw52Wiz1BgJ56G");
  EXPECT_EQ(event("delete", "").error().message,
            "mastodon event 'delete' on mastodon.social: expected a status id, got ''");
  EXPECT_EQ(event("delete", "{\"id\":\"1\"}").error().message,
            "mastodon event 'delete' on mastodon.social: expected a status id, got '{\"id\":\"1\"}'");
  EXPECT_FALSE(event("delete", "12 34"));
  EXPECT_FALSE(event("delete", "\"\""));
}

TEST(MastodonEvent, OtherEventsYieldNothing) {
  for (std::string_view name :
       {"notification", "filters_changed", "conversation", "announcement", "announcement.reaction",
        "announcement.delete", "encrypted_message", "future.event"}) {
    auto e = event(name, "{not even json");
    ASSERT_TRUE(e) << name;
    EXPECT_FALSE(e->has_value()) << name;
  }
}

TEST(MastodonEvent, InvalidJsonIsAnErrorWithItsOffset) {
  EXPECT_EQ(event("update", R"({"id": "1", "created_at": tru})").error().message,
            "mastodon event 'update' on mastodon.social: invalid JSON at byte 26 of 30: syntax error");
  EXPECT_EQ(event("update", R"({"id": "1")").error().message,
            "mastodon event 'update' on mastodon.social: invalid JSON at byte 10 of 10: incomplete JSON");
  EXPECT_EQ(
      event("status.update", "").error().message,
      "mastodon event 'status.update' on mastodon.social: invalid JSON at byte 0 of 0: incomplete JSON");
  EXPECT_EQ(event("update", "[1]").error().message,
            "mastodon status on mastodon.social: expected a JSON object");
}

// The whole path a streaming source takes: SSE bytes → events → posts.
TEST(MastodonEvent, PublicStreamEndToEnd) {
  struct Collect : SseParser::Handler {
    void on_event(const SseEvent& e) override {
      auto p = mastodon_event_to_post(e.type, e.data, kHost, kReceived);
      if (!p) {
        errors.push_back(p.error().message);
      } else if (*p) {
        posts.push_back(std::string(to_string((*p)->kind)) + " " + (*p)->uid);
      } else {
        ignored.push_back(std::string(e.type));
      }
    }
    void on_comment(std::string_view) override { ++heartbeats; }
    void on_error(const Error& e) override { errors.push_back(e.message); }
    std::vector<std::string> posts, ignored, errors;
    int heartbeats = 0;
  } c;
  SseParser parser(c);
  parser.feed(read_file(VIGIE_SOURCE_DIR "/tests/ingest/data/mastodon/public_stream.sse"));
  EXPECT_FALSE(parser.finish());
  EXPECT_EQ(c.errors, std::vector<std::string>{});
  EXPECT_EQ(c.posts, (std::vector<std::string>{"post mastodon:mastodon.social/113345678901234567",
                                               "comment mastodon:mastodon.social/113345690112233445",
                                               "repost mastodon:mastodon.social/113345712345678901",
                                               "delete mastodon:mastodon.social/113345690112233445",
                                               "edit mastodon:mastodon.social/113345678901234567"}));
  EXPECT_EQ(c.ignored, (std::vector<std::string>{"notification", "filters_changed"}));
  EXPECT_EQ(c.heartbeats, 4);
}

TEST(MastodonIds, StatusIdIsTheStatusOwnId) {
  EXPECT_EQ(mastodon_status_id(status_file("status_reblog.json")), "113345712345678901");
  EXPECT_EQ(mastodon_status_id(json::parse(R"({"id": 5})")), std::nullopt);
  EXPECT_EQ(mastodon_status_id(json::parse(R"({"id": ""})")), std::nullopt);
  EXPECT_EQ(mastodon_status_id(json::parse(R"(["113345712345678901"])")), std::nullopt);
}

TEST(MastodonIds, CompareByLengthThenText) {
  EXPECT_TRUE(mastodon_id_less("9", "10"));
  EXPECT_FALSE(mastodon_id_less("10", "9"));
  EXPECT_TRUE(mastodon_id_less("113345678901234567", "113345678901234568"));
  EXPECT_FALSE(mastodon_id_less("113345678901234567", "113345678901234567"));
  EXPECT_TRUE(mastodon_id_less("99999999999999999", "100000000000000000"));
  std::vector<std::string> ids{"113345712345678901", "9", "113345678901234567", "110", "1133456789012345670"};
  std::sort(ids.begin(), ids.end(),
            [](const std::string& a, const std::string& b) { return mastodon_id_less(a, b); });
  EXPECT_EQ(ids, (std::vector<std::string>{"9", "110", "113345678901234567", "113345712345678901",
                                           "1133456789012345670"}));
  // What the REST catch-up does with a page: the newest id is the next min_id.
  const json::value page =
      json::parse(R"([{"id":"113345712345678901"},{"id":"113345799999999999"},{"id":"99"}])");
  std::string newest;
  for (const json::value& s : page.as_array()) {
    auto id = mastodon_status_id(s);
    if (id && (newest.empty() || mastodon_id_less(newest, *id))) newest = *id;
  }
  EXPECT_EQ(newest, "113345799999999999");
}

}  // namespace
}  // namespace vigie::ingest
