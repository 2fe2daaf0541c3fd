// The jetstream source against a loopback server speaking WebSocket as Jetstream does: events to posts,
// handles, subscribe parameters, resume with rewind, malformed messages, read timeout and keep-alive pings,
// replay-window gaps, backpressure, shutdown and TLS.
#include "ingest/bluesky/jetstream_source.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <set>

#include "ingest/net/client_stream.h"
#include "tests/support/loopback_server.h"
#include "tests/support/source_harness.h"
#include "tests/support/wait_until.h"

namespace vigie::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kAna = "did:plc:w4xbfzo7kqfes5zb7r6qv3rw";
constexpr const char* kBob = "did:plc:k2lq3v6yqgx7nd4tujpzsx5m";

// Events shaped as Jetstream sends them (see its README), one per WebSocket message.
std::string post_event(const std::string& did, Micros t, const std::string& rkey, const std::string& text) {
  return R"({"did":")" + did + R"(","time_us":)" + std::to_string(t) +
         R"(,"kind":"commit","commit":{"rev":"3lbq2c7xwks2k","operation":"create","collection":"app.bsky.feed.post","rkey":")" +
         rkey +
         R"(","record":{"$type":"app.bsky.feed.post","createdAt":"2026-11-22T04:00:00.000Z","langs":["fr"],"text":")" +
         text + R"("},"cid":"bafyreihq4g5kzd2vuzaq2rd6o4o3kqf7ua5u4sbn6bqwqh2wz3cnlw5rbu"}})";
}

std::string like_event(const std::string& did, Micros t) {
  return R"({"did":")" + did + R"(","time_us":)" + std::to_string(t) +
         R"(,"kind":"commit","commit":{"rev":"3lbq2gk7v2s2c","operation":"create","collection":"app.bsky.feed.like","rkey":"3lbq2gk7ob22d","record":{"$type":"app.bsky.feed.like","createdAt":"2026-11-22T04:00:00.000Z","subject":{"cid":"bafyreihq4g5kzd2vuzaq2rd6o4o3kqf7ua5u4sbn6bqwqh2wz3cnlw5rbu","uri":"at://did:plc:w4xbfzo7kqfes5zb7r6qv3rw/app.bsky.feed.post/3lbq2c7vxzc2p"}},"cid":"bafyreiaxx3v7i3b3nhutpjwv3knyzjyzjcfpcdeol3q4yjrjrvhb4ulo4e"}})";
}

std::string identity_event(const std::string& did, Micros t, const std::string& handle) {
  const std::string h = handle.empty() ? "" : R"("handle":")" + handle + R"(",)";
  return R"({"did":")" + did + R"(","time_us":)" + std::to_string(t) +
         R"(,"kind":"identity","identity":{"did":")" + did + R"(",)" + h +
         R"("seq":3902114576,"time":"2026-11-22T04:00:00.000Z"}})";
}

std::string account_event(const std::string& did, Micros t) {
  return R"({"did":")" + did + R"(","time_us":)" + std::to_string(t) +
         R"(,"kind":"account","account":{"active":true,"did":")" + did +
         R"(","seq":3902120001,"time":"2026-11-22T04:00:00.000Z"}})";
}

std::vector<std::string> events_file() {
  std::ifstream in(VIGIE_SOURCE_DIR "/tests/ingest/data/jetstream/events.jsonl", std::ios::binary);
  EXPECT_TRUE(in) << "cannot open events.jsonl";
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

// The cursor query parameter of a request target; 0 when absent.
Micros cursor_of(const std::string& target) {
  const auto at = target.find("cursor=");
  return at == std::string::npos ? 0 : std::stoll(target.substr(at + 7));
}

net::awaitable<void> send_all(Exchange& ex, const std::vector<std::string>& messages) {
  for (const auto& m : messages)
    co_await ex.ws_send(m);
}

// Answers the client (pongs included) until it goes away.
net::awaitable<void> read_until_closed(Exchange& ex) {
  for (;;) {
    std::optional<std::string> message = co_await ex.ws_read();
    if (!message) co_return;
  }
}

std::shared_ptr<net::ssl::context> tls(const std::string& ca = "") {
  return ingest::make_tls_context({ca}).value();
}

ingest::JetstreamOptions options(const LoopbackServer& server) {
  ingest::JetstreamOptions o;
  o.id = "bsky";
  o.url = server.url("/subscribe", "ws");
  o.read_timeout = 2s;
  return o;
}

std::string uid(const std::string& did, const std::string& rkey) {
  return "bluesky:" + did + "/" + rkey;
}

// A time_us an hour ago: inside the replay window, like a real stored cursor.
Micros recent() {
  return now_micros() - 3600 * kMicrosPerSecond;
}

TEST(JetstreamSource, EventsBecomePostsWithKindsUidsAndKnownHandles) {
  const auto file = events_file();
  ASSERT_EQ(file.size(), 9u);
  const Micros later = 1795357000000000;  // after the file's events
  LoopbackServer server([&](Exchange& ex) -> net::awaitable<void> {
    if (!co_await ex.websocket_accept()) co_return;
    co_await send_all(ex, file);
    // The handle becomes unknown again: Ana's next post shows her DID.
    const std::vector<std::string> more{identity_event(kAna, later, ""),
                                        post_event(kAna, later + 1, "3lbqzzzzzzz2a", "encore")};
    co_await send_all(ex, more);
    co_await ex.sleep(5s);  // stay open: posts must be handed on without waiting for more bytes
  });
  TestMetrics m("bsky", "jetstream");
  ingest::JetstreamSource source(options(server), tls(), m.metrics);
  CollectingSink sink;
  SourceRunner run(source, sink);
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() == 7; })) << sink.posts().size();
  const auto posts = sink.posts();
  const std::string acme = "did:web:acme.example", carl = "did:plc:yhdqc3h7cl5wurd3vyzw5bsm";
  EXPECT_EQ(sink.uids(), (std::vector<std::string>{uid(kAna, "3lbq2c7vxzc2p"), uid(kBob, "3lbq2gbcz4k2w"),
                                                   uid(carl, "3lbq2ihmvfs2s"), uid(kBob, "3lbq2gbcz4k2w"),
                                                   uid(kAna, "3lbq2c7vxzc2p"), uid(acme, "3lbq2uvpxk22n"),
                                                   uid(kAna, "3lbqzzzzzzz2a")}));
  EXPECT_EQ(posts[0].kind, ingest::Kind::post);
  EXPECT_EQ(posts[0].author.handle, kAna);  // no identity event yet
  EXPECT_EQ(posts[0].platform, "bluesky");
  EXPECT_EQ(posts[0].source, "bsky");
  EXPECT_EQ(posts[1].kind, ingest::Kind::comment);
  EXPECT_EQ(posts[1].parent_uid, uid(kAna, "3lbq2c7vxzc2p"));
  EXPECT_EQ(posts[3].kind, ingest::Kind::edit);
  EXPECT_EQ(posts[4].kind, ingest::Kind::del);
  EXPECT_EQ(posts[4].author.handle, "claire-dubois.bsky.social");  // learnt from the identity event
  EXPECT_EQ(posts[6].author.handle, kAna);                         // forgotten
  EXPECT_EQ(posts[6].text, "encore");
  EXPECT_EQ(m.metrics->posts.Value(), 7);
  EXPECT_EQ(m.metrics->malformed.Value(), 0);
  EXPECT_EQ(m.metrics->up.Value(), 1);
  ASSERT_FALSE(sink.cursors().empty());
  EXPECT_EQ(sink.cursors().back(), std::to_string(later + 1));
  EXPECT_EQ(server.connections(), 1);
}

TEST(JetstreamSource, HandleCacheKeepsTheMostRecentlyUsedWithinMaxHandles) {
  const Micros t0 = recent();
  LoopbackServer server([&](Exchange& ex) -> net::awaitable<void> {
    if (!co_await ex.websocket_accept()) co_return;
    const std::vector<std::string> messages{identity_event(kAna, t0 + 1, "ana.example"),
                                            identity_event(kBob, t0 + 2, "bob.example"),
                                            post_event(kAna, t0 + 3, "a1", "Ana was pushed out by Bob"),
                                            post_event(kBob, t0 + 4, "b1", "Bob stays")};
    co_await send_all(ex, messages);
    co_await read_until_closed(ex);
  });
  TestMetrics m;
  auto o = options(server);
  o.max_handles = 1;
  ingest::JetstreamSource source(o, tls(), m.metrics);
  CollectingSink sink;
  SourceRunner run(source, sink);
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() == 2; }));
  EXPECT_EQ(sink.posts()[0].author.handle, kAna);
  EXPECT_EQ(sink.posts()[1].author.handle, "bob.example");
}

TEST(JetstreamSource, SubscribeParametersCarryFiltersAndTheRewoundCursor) {
  LoopbackServer server([](Exchange& ex) -> net::awaitable<void> {
    if (!co_await ex.websocket_accept()) co_return;
    co_await read_until_closed(ex);
  });
  const Micros stored = recent();
  {
    TestMetrics m;
    auto o = options(server);
    o.collections = {"app.bsky.feed.post", "app.bsky.feed.repost"};
    o.dids = {kAna, "did:web:acme.example"};
    o.rewind = 5s;
    ingest::JetstreamSource source(o, tls(), m.metrics);
    CollectingSink sink;
    SourceRunner run(source, sink, std::to_string(stored));
    ASSERT_TRUE(run.wait_for([&] { return m.metrics->up.Value() == 1; }));
  }
  {
    TestMetrics m;
    ingest::JetstreamSource source(options(server), tls(), m.metrics);
    CollectingSink sink;
    SourceRunner run(source, sink);  // nothing stored: live, no cursor
    ASSERT_TRUE(run.wait_for([&] { return m.metrics->up.Value() == 1; }));
  }
  EXPECT_EQ(server.targets(),
            (std::vector<std::string>{
                "/subscribe?wantedCollections=app.bsky.feed.post&wantedCollections=app.bsky.feed.repost"
                "&wantedDids=did:plc:w4xbfzo7kqfes5zb7r6qv3rw&wantedDids=did:web:acme.example&cursor=" +
                    std::to_string(stored - 5 * kMicrosPerSecond),
                "/subscribe?wantedCollections=app.bsky.feed.post"}));
}

TEST(JetstreamSource, ResumeSkipsWhatTheRewindSendsAgainSoNoPostIsDeliveredTwice) {
  const Micros t0 = recent();
  const auto t = [t0](int i) { return t0 + i * kMicrosPerSecond; };
  // The instance's history: a replay starts at the first event at or after the cursor.
  const std::vector<std::pair<Micros, std::string>> history{
      {t(1), post_event(kAna, t(1), "r1", "one")},   {t(2), post_event(kBob, t(2), "r2", "two")},
      {t(3), post_event(kAna, t(3), "r3", "three")}, {t(4), like_event(kBob, t(4))},
      {t(5), post_event(kBob, t(5), "r5", "five")},  {t(6), post_event(kAna, t(6), "r6", "six")},
      {t(7), post_event(kBob, t(7), "r7", "seven")}};
  LoopbackServer server([&](Exchange& ex) -> net::awaitable<void> {
    const Micros from = cursor_of(ex.target());
    if (!co_await ex.websocket_accept()) co_return;
    // The first connection breaks after the like (t4); the second goes on to the end.
    const Micros until = ex.connection_index() == 0 ? t(4) : t(7);
    for (const auto& [time, message] : history) {
      if (time >= from && time <= until) co_await ex.ws_send(message);
    }
    if (ex.connection_index() == 0) {
      co_await ex.sleep(100ms);
      ex.close();
      co_return;
    }
    co_await read_until_closed(ex);
  });
  TestMetrics m;
  auto o = options(server);
  o.rewind = 5s;
  ingest::JetstreamSource source(o, tls(), m.metrics);
  CollectingSink sink;
  SourceRunner run(source, sink, std::to_string(t(1)));  // t1 was stored by an earlier run
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() >= 5; })) << sink.posts().size();
  std::this_thread::sleep_for(100ms);  // a duplicate would show up now
  EXPECT_EQ(sink.uids(), (std::vector<std::string>{uid(kBob, "r2"), uid(kAna, "r3"), uid(kBob, "r5"),
                                                   uid(kAna, "r6"), uid(kBob, "r7")}));
  const auto targets = server.targets();
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(cursor_of(targets[0]), t(1) - 5 * kMicrosPerSecond);
  EXPECT_EQ(cursor_of(targets[1]), t(4) - 5 * kMicrosPerSecond);  // the like moved the position too
  const auto cursors = sink.cursors();
  ASSERT_FALSE(cursors.empty());
  EXPECT_EQ(cursors.back(), std::to_string(t(7)));
  EXPECT_TRUE(std::is_sorted(cursors.begin(), cursors.end()));
  EXPECT_EQ(m.metrics->reconnects.Value(), 1);
}

TEST(JetstreamSource, MalformedMessagesAreCountedAndSkipped) {
  const Micros t0 = recent();
  LoopbackServer server([&](Exchange& ex) -> net::awaitable<void> {
    if (!co_await ex.websocket_accept()) co_return;
    const std::vector<std::string> messages{
        "not json", R"({"did":"did:plc:x","kind":"commit"})", "[1,2]",
        R"({"did":"did:plc:x","time_us":)" + std::to_string(t0) +
            R"(,"kind":"commit","commit":{"operation":"explode","collection":"app.bsky.feed.post","rkey":"a"}})",
        post_event(kAna, t0 + 1, "ok1", "still here")};
    co_await send_all(ex, messages);
    co_await read_until_closed(ex);
  });
  TestMetrics m;
  ingest::JetstreamSource source(options(server), tls(), m.metrics);
  CollectingSink sink;
  SourceRunner run(source, sink);
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() == 1; }));
  EXPECT_EQ(sink.uids(), std::vector<std::string>{uid(kAna, "ok1")});
  EXPECT_EQ(m.metrics->malformed.Value(), 4);
  EXPECT_EQ(m.metrics->network.Value(), 0);
  EXPECT_EQ(sink.cursors().back(), std::to_string(t0 + 1));
  EXPECT_EQ(server.connections(), 1);
}

TEST(JetstreamSource, SilenceBeyondReadTimeoutReconnectsButAnsweredPingsKeepTheConnection) {
  const Micros t0 = recent();
  LoopbackServer server([&](Exchange& ex) -> net::awaitable<void> {
    if (!co_await ex.websocket_accept()) co_return;
    const int i = ex.connection_index();
    const std::string post = post_event(kAna, t0 + i, "p" + std::to_string(i), "hello");
    co_await ex.ws_send(post);
    if (i == 0) {
      co_await ex.sleep(5s);  // no read, so no pong: a dead peer behind a live TCP connection
      co_return;
    }
    co_await read_until_closed(ex);  // silent, but answers pings
  });
  TestMetrics m;
  auto o = options(server);
  o.read_timeout = 300ms;
  ingest::JetstreamSource source(o, tls(), m.metrics);
  CollectingSink sink;
  SourceRunner run(source, sink);
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() == 2; }));
  EXPECT_EQ(sink.uids(), (std::vector<std::string>{uid(kAna, "p0"), uid(kAna, "p1")}));
  EXPECT_EQ(m.metrics->network.Value(), 1);
  // The source pings every half read timeout: six pings answered is three read timeouts without a message.
  EXPECT_TRUE(wait_until([&] { return server.websocket_pings() >= 6; }, 10s)) << server.websocket_pings();
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(m.metrics->up.Value(), 1);
}

TEST(JetstreamSource, CursorOlderThanTheReplayWindowIsAGapCountedOnce) {
  LoopbackServer server([](Exchange& ex) -> net::awaitable<void> {
    if (!co_await ex.websocket_accept()) co_return;
    if (ex.connection_index() == 0) {
      ex.close();  // fails before any event: the next attempt resumes from the same cursor
      co_return;
    }
    co_await read_until_closed(ex);
  });
  const Micros stale = now_micros() - 30 * 3600 * kMicrosPerSecond;
  TestMetrics m;
  auto o = options(server);
  o.replay_window = 24h;
  ingest::JetstreamSource source(o, tls(), m.metrics);
  CollectingSink sink;
  SourceRunner run(source, sink, std::to_string(stale));
  ASSERT_TRUE(run.wait_for([&] { return server.connections() == 2 && m.metrics->up.Value() == 1; }));
  EXPECT_EQ(m.metrics->gaps.Value(), 1);
  EXPECT_EQ(cursor_of(server.targets().front()), stale - 5 * kMicrosPerSecond);  // asked anyway

  // Inside the window: no gap.
  TestMetrics fresh;
  ingest::JetstreamSource recent_source(o, tls(), fresh.metrics);
  CollectingSink recent_sink;
  SourceRunner recent_run(recent_source, recent_sink, std::to_string(recent()));
  ASSERT_TRUE(recent_run.wait_for([&] { return fresh.metrics->up.Value() == 1; }));
  EXPECT_EQ(fresh.metrics->gaps.Value(), 0);
}

TEST(JetstreamSource, EventsWithoutPostsStillMoveTheStoredCursorButNotOnEveryEvent) {
  const Micros t0 = recent();
  LoopbackServer server([&](Exchange& ex) -> net::awaitable<void> {
    if (!co_await ex.websocket_accept()) co_return;
    std::vector<std::string> burst;
    for (int i = 1; i <= 20; ++i)
      burst.push_back(i % 2 ? like_event(kBob, t0 + i) : account_event(kAna, t0 + i));
    co_await send_all(ex, burst);
    co_await ex.sleep(400ms);
    const std::string identity = identity_event(kAna, t0 + 21, "ana.example");
    co_await ex.ws_send(identity);
    co_await read_until_closed(ex);
  });
  TestMetrics m;
  auto o = options(server);
  o.cursor_interval = 200ms;
  ingest::JetstreamSource source(o, tls(), m.metrics);
  CollectingSink sink;
  SourceRunner run(source, sink);
  ASSERT_TRUE(run.wait_for([&] {
    const auto c = sink.cursors();
    return !c.empty() && c.back() == std::to_string(t0 + 21);
  }));
  EXPECT_TRUE(sink.posts().empty());
  EXPECT_LE(sink.batches(), 2u);  // the burst did not store a cursor per event
}

TEST(JetstreamSource, FullQueueStopsReadingWithoutTimingOutAndLosesNothing) {
  constexpr int kEvents = 30000;  // ~15 MB: far more than the socket buffers hold
  const Micros t0 = recent();
  std::atomic<bool> server_done = false;
  LoopbackServer server([&](Exchange& ex) -> net::awaitable<void> {
    if (!co_await ex.websocket_accept()) co_return;
    const std::string pad(200, 'z');
    for (int i = 1; i <= kEvents; ++i) {
      const std::string e = post_event(kBob, t0 + i, "k" + std::to_string(i), pad);
      if (!co_await ex.ws_send(e)) co_return;
    }
    server_done = true;
    co_await read_until_closed(ex);
  });
  TestMetrics m;
  auto o = options(server);
  o.read_timeout = 400ms;  // shorter than the hold: a paused read must not count as silence
  ingest::JetstreamSource source(o, tls(), m.metrics);
  CollectingSink sink;
  sink.hold(true);
  SourceRunner run(source, sink);
  std::this_thread::sleep_for(1500ms);
  EXPECT_FALSE(server_done) << "the server finished writing although nothing was accepted";
  EXPECT_EQ(sink.batches(), 0u);
  sink.hold(false);
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() == kEvents; }, 20s)) << sink.posts().size();
  EXPECT_TRUE(server_done);
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(m.metrics->network.Value(), 0);
  EXPECT_LT(sink.batches(), static_cast<std::size_t>(kEvents - 1000));  // the backlog went in full batches
  const auto uids = sink.uids();
  EXPECT_EQ(std::set<std::string>(uids.begin(), uids.end()).size(), uids.size());
  EXPECT_EQ(sink.cursors().back(), std::to_string(t0 + kEvents));
}

TEST(JetstreamSource, RefusedPushStopsTheSource) {
  const Micros t0 = recent();
  LoopbackServer server([&](Exchange& ex) -> net::awaitable<void> {
    if (!co_await ex.websocket_accept()) co_return;
    const std::string post = post_event(kAna, t0, "r1", "one");
    co_await ex.ws_send(post);
    co_await read_until_closed(ex);
  });
  TestMetrics m;
  ingest::JetstreamSource source(options(server), tls(), m.metrics);
  CollectingSink sink;
  sink.refuse();
  SourceRunner run(source, sink);
  EXPECT_TRUE(run.wait_for([&] { return run.finished(); }, 5s));
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(m.metrics->up.Value(), 0);
}

TEST(JetstreamSource, WssWithAPrivateCa) {
  ScratchDir dir;
  auto [cert, key] = make_test_certificate(dir.path);
  const Micros t0 = recent();
  LoopbackServer server(
      [&](Exchange& ex) -> net::awaitable<void> {
        if (!co_await ex.websocket_accept()) co_return;
        const std::string post = post_event(kAna, t0, "tls1", "over TLS");
        co_await ex.ws_send(post);
        co_await read_until_closed(ex);
      },
      cert, key);
  TestMetrics m;
  auto o = options(server);
  o.url = server.url("/subscribe", "wss");
  ingest::JetstreamSource source(o, tls(cert), m.metrics);
  CollectingSink sink;
  SourceRunner run(source, sink);
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() == 1; }));
  EXPECT_EQ(sink.uids(), std::vector<std::string>{uid(kAna, "tls1")});
}

}  // namespace
}  // namespace vigie::testing
