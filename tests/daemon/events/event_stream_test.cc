// GET /api/v1/stream on a real HttpServer on 127.0.0.1 with the real Router and EventHub, read raw by
// SseReader as a browser's fetch() would: order, resume with Last-Event-ID, reset, the brand filter, auth,
// heartbeats, readers that fall behind or stop reading (dropped while the publisher goes on), readers that
// leave, and drain().
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "daemon/events/event_hub.h"
#include "daemon/events/stream_api.h"
#include "daemon/http/http_router.h"
#include "daemon/http/http_server.h"
#include "daemon/metrics/metrics.h"
#include "tests/support/sse_reader.h"
#include "tests/support/wait_until.h"

namespace vigie::daemon {
namespace {

using namespace std::chrono_literals;
using testing::SseFrame;
using testing::SseReader;
using testing::wait_until;

const std::pair<std::string, std::string> kRead{"Authorization", "Bearer read-token-0123456789"};

std::vector<TokenConfig> tokens() {
  return {{"reader", "read-token-0123456789", {Role::read}},
          {"pusher", "push-token-0123456789", {Role::ingest}},
          {"admin", "admin-token-0123456789", {Role::admin}}};
}

StreamConfig stream_config() {
  StreamConfig c;
  c.heartbeat = 60s;  // out of the way unless a test wants one
  return c;
}

// The route over its own hub and server; brands "acme" and "volta" exist.
class StreamServer {
 public:
  explicit StreamServer(StreamConfig config = stream_config())
      : hub_(event_hub_options(config), &metrics_.registry()), router_(metrics_, tokens()) {
    add_stream_route(router_, hub_, config, [](const std::string& b) { return b == "acme" || b == "volta"; });
    HttpConfig http;
    http.threads = 2;
    server_ = std::make_unique<HttpServer>(
        http, [this](HttpRequest& req, StreamBody& stream) { return router_.handle(req, stream); });
    auto port = server_->start({"127.0.0.1", 0});
    EXPECT_TRUE(port) << port.error().message;
    port_ = port ? *port : 0;
  }

  EventHub& hub() { return hub_; }
  HttpServer& server() { return *server_; }
  std::uint16_t port() const { return port_; }
  std::string metrics() { return metrics_.render(); }

  // A reader connected and subscribed: the route subscribes before it answers, so once the head is read,
  // what is published next reaches the reader.
  std::unique_ptr<SseReader> reader(const std::string& target = "/api/v1/stream",
                                    std::vector<std::pair<std::string, std::string>> headers = {kRead},
                                    int receive_buffer = 0) {
    auto r = std::make_unique<SseReader>(port_, target, headers, receive_buffer);
    EXPECT_EQ(r->status(), 200u) << r->head();
    return r;
  }

 private:
  Metrics metrics_;
  EventHub hub_;
  Router router_;
  std::unique_ptr<HttpServer> server_;  // stopped first: its streams read the hub
  std::uint16_t port_ = 0;
};

std::string data(int n, std::size_t pad = 0) {
  return "{\"n\":" + std::to_string(n) + ",\"pad\":\"" + std::string(pad, 'x') + "\"}";
}

int n_of(const SseFrame& f) {
  return static_cast<int>(boost::json::parse(f.data).as_object().at("n").as_int64());
}

TEST(EventStream, HeadAndFirstFrame) {
  StreamServer s;
  auto r = s.reader();
  EXPECT_NE(r->head().find("Content-Type: text/event-stream"), std::string::npos) << r->head();
  EXPECT_NE(r->head().find("Cache-Control: no-store"), std::string::npos) << r->head();
  EXPECT_EQ(r->head().find("Content-Length"), std::string::npos) << r->head();
  const auto first = r->next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->retry, "3000");
  // No id given: the first frame names the latest event, to resume from should the connection drop now.
  EXPECT_EQ(first->id, s.hub().boot() + "-0");
}

TEST(EventStream, EventsArriveInOrderWithTheirIds) {
  StreamServer s;
  auto r = s.reader();
  for (int i = 1; i <= 200; ++i)
    s.hub().publish(i % 2 ? "mention" : "incident", "acme", data(i));
  for (int i = 1; i <= 200; ++i) {
    const auto f = r->next_event();
    ASSERT_TRUE(f) << "event " << i;
    EXPECT_EQ(f->id, s.hub().boot() + "-" + std::to_string(i));
    EXPECT_EQ(f->event, i % 2 ? "mention" : "incident");
    EXPECT_EQ(n_of(*f), i);
  }
  EXPECT_NE(s.metrics().find("vigie_stream_events_total{event=\"mention\"} 100"), std::string::npos);
  EXPECT_NE(s.metrics().find("vigie_stream_clients 1"), std::string::npos);
}

TEST(EventStream, DataWithALineBreakIsSentAsSeveralDataLines) {
  StreamServer s;
  auto r = s.reader();
  s.hub().publish("mention", "acme", "one\ntwo\r\nthree");
  const auto f = r->next_event();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->data, "one\ntwo\nthree");
}

// The pipeline publishes mentions with a data maker: the JSON is made once, by the first reader that sends the
// event, and not at all while nobody reads.
TEST(EventStream, AnEventsDataIsMadeOnceAndOnlyWhenSent) {
  StreamServer s;
  std::atomic<int> made{0};
  const auto maker = [&made] {
    ++made;
    return data(1);
  };
  s.hub().publish("mention", "acme", std::function<std::string()>(maker));
  EXPECT_EQ(made, 0) << "no reader, no JSON";
  auto a = s.reader("/api/v1/stream", {kRead, {"Last-Event-ID", s.hub().boot() + "-0"}});
  auto b = s.reader("/api/v1/stream", {kRead, {"Last-Event-ID", s.hub().boot() + "-0"}});
  for (auto* r : {a.get(), b.get()}) {
    const auto f = r->next_event();
    ASSERT_TRUE(f);
    EXPECT_EQ(n_of(*f), 1);
  }
  EXPECT_EQ(made, 1);
}

TEST(EventStream, ResumeAfterLastEventIdReplaysExactlyTheMissedOnes) {
  StreamServer s;
  std::string seen;
  {
    auto r = s.reader();
    for (int i = 1; i <= 3; ++i)
      s.hub().publish("mention", "acme", data(i));
    for (int i = 1; i <= 3; ++i) {
      const auto f = r->next_event();
      ASSERT_TRUE(f);
      seen = f->id;
    }
    r->close();  // the connection drops
  }
  ASSERT_TRUE(wait_until([&] { return s.hub().subscribers() == 0; }, 5s));
  for (int i = 4; i <= 7; ++i)
    s.hub().publish("mention", "acme", data(i));

  auto r = s.reader("/api/v1/stream", {kRead, {"Last-Event-ID", seen}});
  s.hub().publish("incident", "acme", data(8));  // live, after the replay
  for (int i = 4; i <= 8; ++i) {
    const auto f = r->next_event();
    ASSERT_TRUE(f) << "event " << i;
    EXPECT_NE(f->event, "reset");
    EXPECT_EQ(n_of(*f), i);
    EXPECT_EQ(f->id, s.hub().boot() + "-" + std::to_string(i));
  }
  EXPECT_FALSE(r->next_event(200ms)) << "nothing more, and nothing twice";

  // The query parameter does the same, for clients that cannot set headers.
  auto q = s.reader("/api/v1/stream?last_event_id=" + s.hub().boot() + "-6");
  ASSERT_EQ(n_of(*q->next_event()), 7);
  ASSERT_EQ(n_of(*q->next_event()), 8);
}

TEST(EventStream, AnIdThatCannotBeResumedFromGetsAReset) {
  StreamConfig c = stream_config();
  c.replay_events = 4;
  StreamServer s(c);
  for (int i = 1; i <= 10; ++i)
    s.hub().publish("mention", "acme", data(i));
  const std::string boot = s.hub().boot();
  int latest = 10;
  for (const auto& [id, why] : std::vector<std::pair<std::string, std::string>>{
           {"0123456789ab-5", "earlier run"},  // another boot
           {boot + "-2", "no longer kept"},    // fell out of the ring of 4 (7..10 are kept)
           {boot + "-99", "no such event"},    // not yet
           {"garbage", "malformed"},
           {boot + "-x", "malformed"}}) {
    auto r = s.reader("/api/v1/stream", {kRead, {"Last-Event-ID", id}});
    const auto f = r->next_event();
    ASSERT_TRUE(f) << id;
    EXPECT_EQ(f->event, "reset") << id;
    EXPECT_NE(f->data.find(why), std::string::npos) << id << ": " << f->data;
    // The reset names the latest event: resuming from it after a reload misses nothing.
    EXPECT_EQ(f->id, boot + "-" + std::to_string(latest)) << id;
    s.hub().publish("mention", "acme", data(100));
    ++latest;
    const auto live = r->next_event();
    ASSERT_TRUE(live) << id;
    EXPECT_EQ(n_of(*live), 100) << "live events follow the reset, without a replay";
  }
  // The oldest id still resumable: the one just before the oldest kept (12..15 are kept).
  auto r = s.reader("/api/v1/stream", {kRead, {"Last-Event-ID", boot + "-11"}});
  const auto f = r->next_event();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->event, "mention");
  EXPECT_EQ(f->id, boot + "-12");
  auto too_old = s.reader("/api/v1/stream", {kRead, {"Last-Event-ID", boot + "-10"}});
  EXPECT_EQ(too_old->next_event()->event, "reset");
}

TEST(EventStream, BrandFilter) {
  StreamServer s;
  auto acme = s.reader("/api/v1/stream?brand=acme");
  s.hub().publish("mention", "volta", data(1));
  s.hub().publish("mention", "acme", data(2));
  s.hub().publish("incident", "volta", data(3));
  s.hub().publish("incident", "acme", data(4));
  EXPECT_EQ(n_of(*acme->next_event()), 2);
  EXPECT_EQ(n_of(*acme->next_event()), 4);
  // Resumed, the replay is filtered too.
  auto resumed = s.reader("/api/v1/stream?brand=volta", {kRead, {"Last-Event-ID", s.hub().boot() + "-1"}});
  EXPECT_EQ(n_of(*resumed->next_event()), 3);

  SseReader unknown(s.port(), "/api/v1/stream?brand=nope", {kRead});
  EXPECT_EQ(unknown.status(), 404u);
  EXPECT_NE(unknown.rest().find("unknown brand 'nope'"), std::string::npos);
  SseReader bad(s.port(), "/api/v1/stream?brnad=acme", {kRead});
  EXPECT_EQ(bad.status(), 400u);
}

// A reader of a quiet brand: other brands' events push its last event out of the ring, but heartbeats (and the
// frame after a replay) carry the latest id, so it resumes without a reset.
TEST(EventStream, AQuietBrandsReaderKeepsAnIdItCanResumeFrom) {
  StreamConfig c = stream_config();
  c.replay_events = 4;
  c.heartbeat = 30ms;
  StreamServer s(c);
  auto r = s.reader("/api/v1/stream?brand=volta");
  s.hub().publish("mention", "volta", data(1));
  std::string last_id = r->next_event()->id;
  EXPECT_EQ(last_id, s.hub().boot() + "-1");
  for (int i = 2; i <= 20; ++i)
    s.hub().publish("mention", "acme", data(i));  // none for this reader; 1 falls out of the ring
  // The next heartbeat names the latest event: the reader has seen every volta event up to it.
  std::optional<SseFrame> beat;
  while ((beat = r->next()) && beat->comment != "heartbeat") {
  }
  ASSERT_TRUE(beat);
  EXPECT_EQ(beat->id, s.hub().boot() + "-20");
  last_id = beat->id;
  r->close();

  for (int i = 21; i <= 22; ++i)
    s.hub().publish("mention", "acme", data(i));
  s.hub().publish("mention", "volta", data(23));
  s.hub().publish("mention", "acme", data(24));
  auto resumed = s.reader("/api/v1/stream?brand=volta", {kRead, {"Last-Event-ID", last_id}});
  const auto f = resumed->next_event();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->event, "mention") << "resumed, not reset: " << f->data;
  EXPECT_EQ(n_of(*f), 23);
  // After the replay, an id-only frame: the reader has seen through 24, though its last event was 23.
  std::optional<SseFrame> after;
  while ((after = resumed->next()) && after->id.empty()) {
  }
  ASSERT_TRUE(after);
  EXPECT_EQ(after->id, s.hub().boot() + "-24");
  EXPECT_TRUE(after->event.empty());
}

// A batch wakes each reader once, and every reader still gets every event, in order.
TEST(EventStream, ABatchReachesEveryReaderInOrder) {
  StreamServer s;
  auto a = s.reader();
  auto b = s.reader("/api/v1/stream?brand=acme");
  {
    EventHub::Batch batch(s.hub());
    for (int i = 1; i <= 50; ++i)
      batch.publish("mention", i % 2 ? "acme" : "volta",
                    std::function<std::string()>([i] { return data(i); }));
  }
  for (int i = 1; i <= 50; ++i)
    EXPECT_EQ(n_of(*a->next_event()), i);
  for (int i = 1; i <= 50; i += 2)
    EXPECT_EQ(n_of(*b->next_event()), i);
}

TEST(EventStream, NeedsATokenWithTheReadRole) {
  StreamServer s;
  SseReader none(s.port(), "/api/v1/stream");
  EXPECT_EQ(none.status(), 401u);
  SseReader ingest(s.port(), "/api/v1/stream", {{"Authorization", "Bearer push-token-0123456789"}});
  EXPECT_EQ(ingest.status(), 403u);
  EXPECT_NE(ingest.rest().find("lacks the read role"), std::string::npos);
  auto admin = s.reader("/api/v1/stream", {{"Authorization", "Bearer admin-token-0123456789"}});
  EXPECT_EQ(admin->status(), 200u);
  EXPECT_EQ(s.hub().subscribers(), 1u) << "refused readers never subscribed";
}

TEST(EventStream, RefusesReadersOverMaxClients) {
  StreamConfig c = stream_config();
  c.max_clients = 2;
  StreamServer s(c);
  auto a = s.reader();
  auto b = s.reader();
  SseReader third(s.port(), "/api/v1/stream", {kRead});
  EXPECT_EQ(third.status(), 503u);
  EXPECT_NE(third.head().find("Retry-After"), std::string::npos);
  a->close();
  ASSERT_TRUE(wait_until([&] { return s.hub().subscribers() == 1; }, 5s));
  auto again = s.reader();
  EXPECT_EQ(again->status(), 200u);
}

TEST(EventStream, HeartbeatsWhenNothingHappens) {
  StreamConfig c = stream_config();
  c.heartbeat = 30ms;
  StreamServer s(c);
  auto r = s.reader();
  int heartbeats = 0;
  while (heartbeats < 3) {
    const auto f = r->next();
    ASSERT_TRUE(f) << "the stream ended";
    if (f->comment == "heartbeat") ++heartbeats;
    EXPECT_TRUE(f->event.empty());
  }
}

TEST(EventStream, AReaderThatLeavesIsNoticedWithoutWaitingForAWrite) {
  StreamServer s;  // heartbeats a minute apart: only the socket read can notice
  auto r = s.reader();
  ASSERT_EQ(s.hub().subscribers(), 1u);
  r->close();
  EXPECT_TRUE(wait_until([&] { return s.hub().subscribers() == 0; }, 10s));
  EXPECT_NE(s.metrics().find("vigie_stream_clients 0"), std::string::npos);
}

// A reader that stops reading, with a small receive buffer: once the socket buffers are full its queue fills,
// and it is dropped, while the publisher never waits and a reader that keeps up gets every event.
TEST(EventStream, ASlowReaderIsDroppedWhileOthersGetEverything) {
  StreamConfig c = stream_config();
  c.client_queue = 16;
  c.replay_events = 64;
  StreamServer s(c);
  auto good = s.reader();
  auto slow = s.reader("/api/v1/stream", {kRead}, 4096);
  ASSERT_TRUE(good->next());  // their first frames
  ASSERT_TRUE(slow->next());

  // Paced by the good reader (never more than 8 events ahead of it), so that only the slow one falls behind.
  constexpr int kChunk = 8;
  constexpr int kMax = 20'000;  // 80 MB of 4 KiB events: far more than any socket buffers
  int published = 0, extra_after_drop = 0;
  while (published < kMax && extra_after_drop < 50) {
    for (int k = 0; k < kChunk; ++k)
      s.hub().publish("mention", "acme", data(++published, 4096));
    for (int k = published - kChunk + 1; k <= published; ++k) {
      const auto f = good->next_event();
      ASSERT_TRUE(f) << "the good reader lost the stream at event " << k;
      ASSERT_EQ(n_of(*f), k);
    }
    if (s.hub().dropped() > 0) ++extra_after_drop;
  }
  ASSERT_EQ(s.hub().dropped(), 1u) << "the slow reader was never dropped after " << published << " events";
  EXPECT_TRUE(wait_until([&] { return s.hub().subscribers() == 1; }, 5s));
  EXPECT_NE(s.metrics().find("vigie_stream_dropped_total{reason=\"queue\"} 1"), std::string::npos);

  // What the slow reader got before it was cut is a gapless prefix, then the connection ends.
  int expected = 1;
  for (;;) {
    const auto f = slow->next_event(10s);
    if (!f) break;
    ASSERT_EQ(n_of(*f), expected) << "a gap in what the slow reader got";
    ++expected;
  }
  EXPECT_TRUE(slow->closed()) << "dropped, its connection closes";
  EXPECT_LT(expected, published);
}

// A reader whose socket stops accepting writes, with a queue bound too large to notice: the write timeout
// ends it.
TEST(EventStream, AStalledWriteEndsTheStreamAfterTheWriteTimeout) {
  StreamConfig c = stream_config();
  c.client_queue = 1'000'000;
  c.replay_events = 64;
  c.write_timeout = 200ms;
  StreamServer s(c);
  auto stalled = s.reader("/api/v1/stream", {kRead}, 4096);
  int published = 0;
  while (s.hub().subscribers() > 0 && published < 200'000) {
    s.hub().publish("mention", "acme", data(++published, 4096));
    if (published % 256 == 0) std::this_thread::sleep_for(1ms);  // lets the write time out meanwhile
  }
  EXPECT_TRUE(wait_until([&] { return s.hub().subscribers() == 0; }, 10s));
  EXPECT_NE(s.metrics().find("vigie_stream_dropped_total{reason=\"timeout\"} 1"), std::string::npos)
      << s.metrics();
}

TEST(EventStream, DrainClosesStreamsAtOnce) {
  StreamServer s;
  auto a = s.reader();
  auto b = s.reader("/api/v1/stream?brand=acme");
  constexpr auto kGrace = 60s;
  const auto start = std::chrono::steady_clock::now();
  s.server().drain(kGrace);
  // A drain that waited for the streams would take the whole grace.
  EXPECT_LT(std::chrono::steady_clock::now() - start, kGrace);
  for (auto* r : {a.get(), b.get()}) {
    while (r->next(10s)) {
    }
    EXPECT_TRUE(r->closed()) << "the stream ends with the connection";
  }
  EXPECT_EQ(s.hub().subscribers(), 0u);
}

}  // namespace
}  // namespace vigie::daemon
