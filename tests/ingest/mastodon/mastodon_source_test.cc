// The mastodon source against a loopback server speaking Mastodon's streaming API (server-sent events) and
// REST timelines: events, catch-up on start and reconnect, merging without duplicates, the heartbeat
// watchdog, cut connections, restarts from a stored cursor, malformed input, HTTP errors and backpressure.
#include "ingest/mastodon/mastodon_source.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <map>
#include <sstream>

#include "ingest/net/client_stream.h"
#include "tests/support/loopback_server.h"
#include "tests/support/source_harness.h"

namespace vigie::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

const std::string kData = VIGIE_SOURCE_DIR "/tests/ingest/data/mastodon/";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A status shaped like Mastodon's Status entity (status_post.json), with its own id and text.
std::string status(const std::string& id, const std::string& text) {
  static const json::value base = json::parse(read_file(kData + "status_post.json"));
  json::value s = base;
  json::object& o = s.as_object();
  o["id"] = id;
  o["content"] = "<p>" + text + "</p>";
  o["created_at"] = "2026-11-22T15:00:00.000Z";
  o["url"] = "https://mastodon.social/@clairedubois/" + id;
  o["uri"] = "https://mastodon.social/users/clairedubois/statuses/" + id;
  return json::serialize(s);
}

// Ids of the statuses the tests make up, in age order and newer than those of the data files.
std::string sid(int n) {
  std::string digits = std::to_string(n);
  return "113346" + std::string(12 - digits.size(), '0') + digits;
}

std::string event(const std::string& type, const std::string& data) {
  return "event: " + type + "\ndata: " + data + "\n\n";
}

std::string update(int n, const std::string& text) {
  return event("update", status(sid(n), text));
}

// A timeline page as Mastodon answers one: a JSON array, newest first.
std::string page(const std::vector<std::string>& statuses) {
  std::string out = "[";
  for (const auto& s : statuses)
    out += (out.size() > 1 ? "," : "") + s;
  return out + "]";
}

std::string crlf(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

bool is_stream(const Exchange& ex) {
  return ex.target().starts_with("/api/v1/streaming/");
}

// REST answers by request target; any other timeline request gets an empty page.
net::awaitable<void> answer_timeline(Exchange& ex, const std::map<std::string, std::string>& pages) {
  auto it = pages.find(ex.target());
  const std::string body = it == pages.end() ? "[]" : it->second;
  co_await ex.respond(200, body, "application/json");
}

std::shared_ptr<net::ssl::context> tls() {
  return ingest::make_tls_context({}).value();
}

ingest::MastodonOptions options(const LoopbackServer& server) {
  ingest::MastodonOptions o;
  o.id = "masto";
  o.instance = server.url("");
  o.access_token = "t0k";
  o.heartbeat_timeout = 2s;
  o.connect_timeout = 2s;
  return o;
}

std::string uid(const std::string& id) {
  return "mastodon:127.0.0.1/" + id;
}

std::vector<std::string> uids(std::initializer_list<std::string> ids) {
  std::vector<std::string> out;
  for (const auto& id : ids)
    out.push_back(uid(id));
  return out;
}

TEST(MastodonSource, StreamEventsBecomePostsDeletesAndEditsTooOtherEventsIgnored) {
  LoopbackServer server([](Exchange& ex) -> net::awaitable<void> {
    EXPECT_EQ(ex.header("Authorization"), "Bearer t0k");
    EXPECT_EQ(ex.header("Accept"), "text/event-stream");
    co_await ex.start_chunked(200, "text/event-stream; charset=utf-8");
    // The recorded stream in odd-sized pieces, so that events and lines straddle reads.
    const std::string recorded = read_file(kData + "public_stream.sse");
    for (std::size_t i = 0; i < recorded.size(); i += 97) {
      const std::string_view part = std::string_view(recorded).substr(i, 97);
      co_await ex.chunk(part);
    }
    co_await ex.sleep(5s);
  });
  TestMetrics m("masto", "mastodon");
  auto o = options(server);
  o.catch_up = false;
  ingest::MastodonSource source(o, tls(), m.metrics);
  CollectingSink sink;
  SourceRunner run(source, sink);
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() == 5; })) << sink.posts().size();
  const auto posts = sink.posts();
  EXPECT_EQ(sink.uids(), uids({"113345678901234567", "113345690112233445", "113345712345678901",
                               "113345690112233445", "113345678901234567"}));
  const std::vector<ingest::Kind> kinds{ingest::Kind::post, ingest::Kind::comment, ingest::Kind::repost,
                                        ingest::Kind::del, ingest::Kind::edit};
  for (std::size_t i = 0; i < kinds.size(); ++i)
    EXPECT_EQ(posts[i].kind, kinds[i]) << i;
  EXPECT_EQ(posts[0].author.handle, "clairedubois@127.0.0.1");
  EXPECT_EQ(posts[0].source, "masto");
  EXPECT_EQ(posts[0].text.substr(0, 35), "Troisième panne de la semaine chez");
  EXPECT_EQ(posts[1].parent_uid, uid("113345678901234567"));
  // Edits and deletes name old statuses: only updates move the cursor.
  EXPECT_EQ(sink.cursors().back(), "113345712345678901");
  EXPECT_EQ(server.targets(), std::vector<std::string>{"/api/v1/streaming/public"});
  EXPECT_EQ(m.metrics->posts.Value(), 5);
  EXPECT_EQ(m.metrics->malformed.Value(), 0);
  EXPECT_EQ(m.metrics->up.Value(), 1);
}

TEST(MastodonSource, FirstStartCatchesUpTheLatestPageOldestFirstAndSkipsItsRepeatsOnTheStream) {
  std::vector<std::string> latest;  // newest first, as Mastodon pages
  for (const char* f : {"status_media_only.json", "status_cw.json", "status_reblog.json", "status_reply.json",
                        "status_post.json"})
    latest.push_back(json::serialize(json::parse(read_file(kData + f))));  // one line: an SSE data field
  const std::map<std::string, std::string> pages{{"/api/v1/timelines/public?limit=40", page(latest)}};
  LoopbackServer server([&](Exchange& ex) -> net::awaitable<void> {
    if (!is_stream(ex)) {
      EXPECT_EQ(ex.header("Authorization"), "Bearer t0k");
      co_await answer_timeline(ex, pages);
      co_return;
    }
    co_await ex.start_chunked(200, "text/event-stream");
    // What the stream buffered during the catch-up: the newest status of the page again, then a new one,
    // then one that federated late (its id is older than the cursor, but the catch-up never saw it).
    const std::string events = crlf(":)\n" + event("update", latest[0]) + ":thump\n" + update(1, "nouveau") +
                                    event("update", status("113345700000000000", "en retard")));
    co_await ex.chunk(events);
    co_await ex.sleep(5s);
  });
  TestMetrics m;
  ingest::MastodonSource source(options(server), tls(), m.metrics);
  CollectingSink sink;
  SourceRunner run(source, sink);
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() >= 7; })) << sink.posts().size();
  std::this_thread::sleep_for(100ms);  // nothing more may come
  EXPECT_EQ(sink.uids(), uids({"113345678901234567", "113345690112233445", "113345712345678901",
                               "113345723456789012", "113345734567890123", sid(1), "113345700000000000"}));
  EXPECT_EQ(sink.posts()[2].kind, ingest::Kind::repost);
  EXPECT_EQ(m.metrics->malformed.Value(), 0);
  EXPECT_EQ(sink.cursors().front(), "113345734567890123");  // the catch-up's batch
  EXPECT_EQ(sink.cursors().back(), sid(1));                 // the greatest id delivered, not the last
  // The stream is open before the catch-up asks, so nothing published in between is missed.
  EXPECT_EQ(server.targets(),
            (std::vector<std::string>{"/api/v1/streaming/public", "/api/v1/timelines/public?limit=40"}));
}

TEST(MastodonSource, ReconnectCatchesUpFromTheCursorPageByPageUntilAnEmptyPage) {
  const std::map<std::string, std::string> pages{
      {"/api/v1/timelines/public?limit=40&min_id=" + sid(1),
       page({status(sid(3), "c3"), status(sid(2), "c2")})},
      {"/api/v1/timelines/public?limit=40&min_id=" + sid(3), page({status(sid(4), "c4")})},
  };
  std::atomic<int> streams = 0;
  LoopbackServer server([&](Exchange& ex) -> net::awaitable<void> {
    if (!is_stream(ex)) {
      co_await answer_timeline(ex, pages);
      co_return;
    }
    const int n = streams++;
    co_await ex.start_chunked(200, "text/event-stream");
    if (n == 0) {
      const std::string first = update(1, "avant la coupure");
      co_await ex.chunk(first);
      co_await ex.sleep(50ms);
      ex.close();  // the server goes away between events
      co_return;
    }
    const std::string after = update(4, "c4 again") + update(5, "c5");
    co_await ex.chunk(after);
    co_await ex.sleep(5s);
  });
  TestMetrics m;
  ingest::MastodonSource source(options(server), tls(), m.metrics);
  CollectingSink sink;
  SourceRunner run(source, sink);
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() >= 5; })) << sink.posts().size();
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(sink.uids(), uids({sid(1), sid(2), sid(3), sid(4), sid(5)}));
  const std::string base = "/api/v1/timelines/public?limit=40";
  EXPECT_EQ(server.targets(),
            (std::vector<std::string>{"/api/v1/streaming/public", base, "/api/v1/streaming/public",
                                      base + "&min_id=" + sid(1), base + "&min_id=" + sid(3),
                                      base + "&min_id=" + sid(4)}));
  EXPECT_EQ(sink.cursors().back(), sid(5));
  EXPECT_EQ(m.metrics->reconnects.Value(), 1);
}

TEST(MastodonSource, CutInsideAnEventDropsItAndTheCatchUpBringsItBack) {
  const std::map<std::string, std::string> pages{
      {"/api/v1/timelines/public?limit=40&min_id=" + sid(1), page({status(sid(2), "coupé")})}};
  std::atomic<int> streams = 0;
  LoopbackServer server([&](Exchange& ex) -> net::awaitable<void> {
    if (!is_stream(ex)) {
      co_await answer_timeline(ex, pages);
      co_return;
    }
    const int n = streams++;
    co_await ex.start_chunked(200, "text/event-stream");
    if (n == 0) {
      const std::string one = update(1, "entier"), two = update(2, "coupé");
      co_await ex.chunk(one);
      co_await ex.chunk(std::string_view(two).substr(0, two.size() / 2));
      co_await ex.end_chunks();  // the body ends inside the second event
      co_return;
    }
    for (int i = 0; i < 50; ++i) {
      co_await ex.chunk(":thump\n");
      co_await ex.sleep(100ms);
    }
  });
  TestMetrics m;
  ingest::MastodonSource source(options(server), tls(), m.metrics);
  CollectingSink sink;
  SourceRunner run(source, sink);
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() >= 2; })) << sink.posts().size();
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(sink.uids(), uids({sid(1), sid(2)}));
  EXPECT_EQ(sink.posts()[1].text, "coupé");
  EXPECT_EQ(m.metrics->truncated.Value(), 1);
  EXPECT_EQ(streams.load(), 2);
}

TEST(MastodonSource, SilenceBeyondHeartbeatTimeoutReconnects) {
  std::atomic<int> streams = 0;
  LoopbackServer server([&](Exchange& ex) -> net::awaitable<void> {
    const int n = streams++;
    co_await ex.start_chunked(200, "text/event-stream");
    if (n == 0) {
      co_await ex.sleep(5s);  // headers, then nothing: a dead stream behind a live TCP connection
      co_return;
    }
    const std::string one = update(7, "après le silence");
    co_await ex.chunk(one);
    co_await ex.sleep(5s);
  });
  TestMetrics m;
  auto o = options(server);
  o.catch_up = false;
  o.heartbeat_timeout = 300ms;
  ingest::MastodonSource source(o, tls(), m.metrics);
  CollectingSink sink;
  const auto start = std::chrono::steady_clock::now();
  SourceRunner run(source, sink);
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() == 1; }));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
  EXPECT_EQ(sink.uids(), uids({sid(7)}));
  EXPECT_EQ(m.metrics->network.Value(), 1);
  EXPECT_EQ(streams.load(), 2);
}

TEST(MastodonSource, HeartbeatsAloneKeepTheStreamConnected) {
  std::atomic<int> streams = 0;
  LoopbackServer server([&](Exchange& ex) -> net::awaitable<void> {
    ++streams;
    co_await ex.start_chunked(200, "text/event-stream");
    for (int i = 0; i < 12; ++i) {  // 1.2 s of heartbeats, four times heartbeat_timeout
      co_await ex.chunk(i % 2 ? ":thump\r\n" : ":thump\n");
      co_await ex.sleep(100ms);
    }
    const std::string one = update(8, "toujours là");
    co_await ex.chunk(one);
    co_await ex.sleep(5s);
  });
  TestMetrics m;
  auto o = options(server);
  o.catch_up = false;
  o.heartbeat_timeout = 300ms;
  ingest::MastodonSource source(o, tls(), m.metrics);
  CollectingSink sink;
  SourceRunner run(source, sink);
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() == 1; }, 5s));
  EXPECT_EQ(streams.load(), 1);
  EXPECT_EQ(m.metrics->network.Value(), 0);
  EXPECT_EQ(m.metrics->reconnects.Value(), 0);
}

TEST(MastodonSource, RestartWithAStoredCursorCatchesUpFromIt) {
  const std::map<std::string, std::string> pages{
      {"/api/v1/timelines/public?limit=40", page({status(sid(10), "latest")})},
      {"/api/v1/timelines/public?limit=40&min_id=" + sid(11), page({status(sid(12), "while stopped")})},
  };
  std::atomic<int> streams = 0;
  LoopbackServer server([&](Exchange& ex) -> net::awaitable<void> {
    if (!is_stream(ex)) {
      co_await answer_timeline(ex, pages);
      co_return;
    }
    const int n = streams++;
    co_await ex.start_chunked(200, "text/event-stream");
    const std::string live = n == 0 ? update(11, "before the stop") : update(13, "after the restart");
    co_await ex.chunk(live);
    co_await ex.sleep(5s);
  });
  std::string stored;
  {
    TestMetrics m;
    ingest::MastodonSource source(options(server), tls(), m.metrics);
    CollectingSink sink;
    SourceRunner run(source, sink);
    ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() == 2; }));
    EXPECT_EQ(sink.uids(), uids({sid(10), sid(11)}));
    stored = sink.cursors().back();
  }
  EXPECT_EQ(stored, sid(11));
  TestMetrics m;
  ingest::MastodonSource source(options(server), tls(), m.metrics);
  CollectingSink sink;
  SourceRunner run(source, sink, stored);
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() == 2; }));
  EXPECT_EQ(sink.uids(), uids({sid(12), sid(13)}));
  const auto targets = server.targets();
  ASSERT_GE(targets.size(), 4u);
  EXPECT_EQ(targets[3], "/api/v1/timelines/public?limit=40&min_id=" + sid(11));
}

TEST(MastodonSource, CatchUpStopsAtCatchUpMax) {
  const std::string base = "/api/v1/timelines/public?limit=";
  const std::map<std::string, std::string> pages{
      {base + "3&min_id=" + sid(90), page({status(sid(92), "b"), status(sid(91), "a")})},
      {base + "1&min_id=" + sid(92), page({status(sid(93), "c")})},
      {base + "1&min_id=" + sid(93), page({status(sid(94), "never asked")})},
  };
  LoopbackServer server([&](Exchange& ex) -> net::awaitable<void> {
    if (!is_stream(ex)) {
      co_await answer_timeline(ex, pages);
      co_return;
    }
    co_await ex.start_chunked(200, "text/event-stream");
    const std::string live = update(95, "live");
    co_await ex.chunk(live);
    co_await ex.sleep(5s);
  });
  TestMetrics m;
  auto o = options(server);
  o.catch_up_max = 3;
  ingest::MastodonSource source(o, tls(), m.metrics);
  CollectingSink sink;
  SourceRunner run(source, sink, sid(90));
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() >= 4; })) << sink.posts().size();
  EXPECT_EQ(sink.uids(), uids({sid(91), sid(92), sid(93), sid(95)}));
  EXPECT_EQ(server.targets(),
            (std::vector<std::string>{"/api/v1/streaming/public", base + "3&min_id=" + sid(90),
                                      base + "1&min_id=" + sid(92)}));
}

TEST(MastodonSource, MalformedEventsAndStatusesAreCountedAndSkipped) {
  json::value no_account = json::parse(status(sid(21), "sans compte"));
  no_account.as_object().erase("account");
  const std::map<std::string, std::string> pages{
      {"/api/v1/timelines/public?limit=40",
       page({status(sid(22), "bon"), json::serialize(no_account), status(sid(20), "bon aussi")})}};
  LoopbackServer server([&](Exchange& ex) -> net::awaitable<void> {
    if (!is_stream(ex)) {
      co_await answer_timeline(ex, pages);
      co_return;
    }
    co_await ex.start_chunked(200, "text/event-stream");
    const std::string events = event("update", "{\"id\":\"113346000000000030\", broken") +
                               event("update", R"({"id":"113346000000000031"})") +
                               event("delete", "{\"not\":\"an id\"}") + update(32, "valide");
    co_await ex.chunk(events);
    co_await ex.sleep(5s);
  });
  TestMetrics m;
  ingest::MastodonSource source(options(server), tls(), m.metrics);
  CollectingSink sink;
  SourceRunner run(source, sink);
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() == 3; })) << sink.posts().size();
  EXPECT_TRUE(run.wait_for([&] { return m.metrics->malformed.Value() == 4; }, 1s))
      << m.metrics->malformed.Value();
  EXPECT_EQ(sink.uids(), uids({sid(20), sid(22), sid(32)}));
  EXPECT_EQ(sink.cursors().front(), sid(22));
  EXPECT_EQ(m.metrics->network.Value(), 0);
}

TEST(MastodonSource, UnauthorizedIsRetriedAfterBackoff) {
  std::atomic<int> streams = 0;
  LoopbackServer server([&](Exchange& ex) -> net::awaitable<void> {
    if (streams++ == 0) {
      co_await ex.respond(401, R"({"error":"The access token is invalid"})", "application/json");
      co_return;
    }
    co_await ex.start_chunked(200, "text/event-stream");
    const std::string one = update(40, "enfin");
    co_await ex.chunk(one);
    co_await ex.sleep(5s);
  });
  TestMetrics m;
  auto o = options(server);
  o.catch_up = false;
  ingest::MastodonSource source(o, tls(), m.metrics);
  CollectingSink sink;
  const auto start = std::chrono::steady_clock::now();
  SourceRunner run(source, sink);
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() == 1; }));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 500ms);  // the first backoff is 0.5 to 1 s
  EXPECT_EQ(m.metrics->network.Value(), 1);
  EXPECT_EQ(m.metrics->reconnects.Value(), 1);
  EXPECT_EQ(streams.load(), 2);
}

TEST(MastodonSource, RateLimitedCatchUpWaitsRetryAfterThenFillsTheGap) {
  std::atomic<int> timeline_requests = 0;
  LoopbackServer server([&](Exchange& ex) -> net::awaitable<void> {
    if (!is_stream(ex)) {
      if (timeline_requests++ == 0) {
        const Exchange::Headers retry{{"Retry-After", "2"}};
        co_await ex.respond(429, R"({"error":"Too many requests"})", "application/json", retry);
        co_return;
      }
      const std::map<std::string, std::string> pages{
          {"/api/v1/timelines/public?limit=40&min_id=" + sid(50), page({status(sid(51), "rattrapé")})}};
      co_await answer_timeline(ex, pages);
      co_return;
    }
    co_await ex.start_chunked(200, "text/event-stream");
    co_await ex.sleep(5s);
  });
  TestMetrics m;
  ingest::MastodonSource source(options(server), tls(), m.metrics);
  CollectingSink sink;
  const auto start = std::chrono::steady_clock::now();
  SourceRunner run(source, sink, sid(50));
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() == 1; }));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 2s);  // Retry-After, longer than the backoff
  EXPECT_EQ(sink.uids(), uids({sid(51)}));
  EXPECT_EQ(m.metrics->network.Value(), 1);
}

TEST(MastodonSource, CatchUpRefusedForGoodStillReadsTheStream) {
  LoopbackServer server([&](Exchange& ex) -> net::awaitable<void> {
    if (!is_stream(ex)) {
      co_await ex.respond(422, R"({"error":"This method requires an authenticated user"})",
                          "application/json");
      co_return;
    }
    co_await ex.start_chunked(200, "text/event-stream");
    const std::string one = update(60, "en direct");
    co_await ex.chunk(one);
    co_await ex.sleep(5s);
  });
  TestMetrics m;
  ingest::MastodonSource source(options(server), tls(), m.metrics);
  CollectingSink sink;
  SourceRunner run(source, sink, sid(55));
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() == 1; }));
  EXPECT_EQ(sink.uids(), uids({sid(60)}));
  EXPECT_EQ(m.metrics->network.Value(), 1);
  EXPECT_EQ(m.metrics->reconnects.Value(), 0);
}

TEST(MastodonSource, StreamsAndTimelinesOfEachKind) {
  LoopbackServer server([&](Exchange& ex) -> net::awaitable<void> {
    if (!is_stream(ex)) {
      co_await ex.respond(200, "[]", "application/json");
      co_return;
    }
    co_await ex.start_chunked(200, "text/event-stream");
    const std::string one = update(70, "x");
    co_await ex.chunk(one);
    co_await ex.sleep(5s);
  });
  struct Case {
    ingest::MastodonStream stream;
    std::string stream_target, timeline_target;
  };
  const std::vector<Case> cases{
      {ingest::MastodonStream::local, "/api/v1/streaming/public/local",
       "/api/v1/timelines/public?local=true&limit=40"},
      {ingest::MastodonStream::hashtag, "/api/v1/streaming/hashtag?tag=caf%C3%A9",
       "/api/v1/timelines/tag/caf%C3%A9?limit=40"},
      {ingest::MastodonStream::list, "/api/v1/streaming/list?list=42", "/api/v1/timelines/list/42?limit=40"},
      {ingest::MastodonStream::user, "/api/v1/streaming/user", "/api/v1/timelines/home?limit=40"},
  };
  std::size_t seen = 0;
  for (const Case& c : cases) {
    TestMetrics m;
    auto o = options(server);
    o.stream = c.stream;
    o.tag = "#café";
    o.list = "42";
    ingest::MastodonSource source(o, tls(), m.metrics);
    CollectingSink sink;
    SourceRunner run(source, sink);
    ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() == 1; }));
    const auto targets = server.targets();
    ASSERT_EQ(targets.size(), seen + 2);
    EXPECT_EQ(targets[seen], c.stream_target);
    EXPECT_EQ(targets[seen + 1], c.timeline_target);
    seen = targets.size();
  }
}

TEST(MastodonSource, FullQueueStopsReadingSoTheServerIsSlowedNotDropped) {
  constexpr int kEvents = 5000;  // ~12 MB: far more than the socket buffers hold
  std::atomic<bool> server_done = false;
  LoopbackServer server([&](Exchange& ex) -> net::awaitable<void> {
    co_await ex.start_chunked(200, "text/event-stream");
    const std::string pad(200, 'z');
    std::string block;
    for (int i = 1; i <= kEvents; ++i) {
      block += update(1000 + i, pad);
      if (i % 50 == 0) {
        co_await ex.chunk(block);
        block.clear();
      }
    }
    server_done = true;
    co_await ex.sleep(10s);
  });
  TestMetrics m;
  auto o = options(server);
  o.catch_up = false;
  ingest::MastodonSource source(o, tls(), m.metrics);
  CollectingSink sink;
  sink.hold(true);
  SourceRunner run(source, sink);
  std::this_thread::sleep_for(1s);
  EXPECT_FALSE(server_done) << "the server finished writing although nothing was accepted";
  EXPECT_EQ(sink.batches(), 0u);
  sink.hold(false);
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() == kEvents; }, 20s)) << sink.posts().size();
  EXPECT_TRUE(server_done);
  EXPECT_EQ(sink.cursors().back(), sid(1000 + kEvents));
  EXPECT_EQ(m.metrics->malformed.Value(), 0);
  EXPECT_EQ(m.metrics->reconnects.Value(), 0);
}

TEST(MastodonSource, RefusedPushStopsTheSource) {
  LoopbackServer server([](Exchange& ex) -> net::awaitable<void> {
    if (!is_stream(ex)) {
      const std::string body = page({status(sid(80), "x")});
      co_await ex.respond(200, body, "application/json");
      co_return;
    }
    co_await ex.start_chunked(200, "text/event-stream");
    co_await ex.sleep(5s);
  });
  TestMetrics m;
  ingest::MastodonSource source(options(server), tls(), m.metrics);
  CollectingSink sink;
  sink.refuse();
  SourceRunner run(source, sink);
  EXPECT_TRUE(run.wait_for([&] { return run.finished(); }, 5s));
  EXPECT_EQ(server.requests(), 2);
}

TEST(MastodonOptions, ValidationNamesTheOption) {
  ingest::MastodonOptions o;
  o.instance = "https://mastodon.social";
  EXPECT_TRUE(ingest::validate_mastodon_options(o));
  const auto message = [](const ingest::MastodonOptions& x) {
    auto r = ingest::validate_mastodon_options(x);
    return r ? std::string("ok") : r.error().message;
  };
  auto bad = o;
  bad.instance = "";
  EXPECT_EQ(message(bad), "'instance': required, e.g. https://mastodon.social");
  bad.instance = "mastodon.social";
  EXPECT_EQ(message(bad), "'instance': 'mastodon.social' is not a URL");
  bad = o;
  bad.stream = ingest::MastodonStream::hashtag;
  EXPECT_EQ(message(bad), "'tag': required by stream: hashtag");
  bad = o;
  bad.stream = ingest::MastodonStream::user;
  EXPECT_EQ(message(bad), "'access_token': required by stream: user");
  bad = o;
  bad.streaming_url = "wss://streaming.mastodon.social";
  EXPECT_EQ(message(bad), "ok");
  bad.streaming_url = "ftp://streaming.mastodon.social";
  EXPECT_EQ(message(bad), "'streaming_url': 'ftp://streaming.mastodon.social' is not an http(s) URL");
  EXPECT_EQ(ingest::parse_mastodon_stream("public:local"), ingest::MastodonStream::local);
  EXPECT_EQ(ingest::parse_mastodon_stream("federated"), std::nullopt);
  EXPECT_EQ(ingest::to_string(ingest::MastodonStream::federated), "public");
}

}  // namespace
}  // namespace vigie::testing
