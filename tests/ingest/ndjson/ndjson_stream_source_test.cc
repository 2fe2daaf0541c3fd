// The ndjson_stream source against a loopback server speaking chunked HTTP: framing, keep-alives, malformed
// lines, disconnects, read timeouts, HTTP errors, resume, TLS and backpressure.
#include "ingest/ndjson/ndjson_stream_source.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>

#include "ingest/net/client_stream.h"
#include "tests/support/loopback_server.h"
#include "tests/support/source_harness.h"

namespace vigie::testing {
namespace {

using namespace std::chrono_literals;

std::string x_line(int id, const std::string& text) {
  return R"({"data":{"id":")" + std::to_string(id) + R"(","text":")" + text +
         R"(","author_id":"42","created_at":"2026-11-22T14:05:0)" + std::to_string(id % 10) +
         R"(.000Z","lang":"fr"},"includes":{"users":[{"id":"42","username":"ana","name":"Ana","public_metrics":{"followers_count":1200}}]},"matching_rules":[{"id":"1","tag":"acme"}]})" +
         "\r\n";
}

std::shared_ptr<net::ssl::context> tls(const std::string& ca = "") {
  return ingest::make_tls_context({ca}).value();
}

ingest::NdjsonStreamOptions options(const LoopbackServer& server, const std::string& path = "/stream") {
  ingest::NdjsonStreamOptions o;
  o.id = "x-stream";
  o.url = server.url(path);
  o.read_timeout = 2s;
  return o;
}

TEST(NdjsonStreamSource, FramesLinesAcrossChunksSkipsKeepalivesAndMalformedLines) {
  LoopbackServer server([](Exchange& ex) -> net::awaitable<void> {
    EXPECT_EQ(ex.header("Authorization"), "Bearer t0k");
    co_await ex.start_chunked(200, "application/json");
    const std::string a = x_line(1, "Panne chez Acme"), b = x_line(2, "second");
    const std::string rest = a.substr(10) + "\r\n";  // a keep-alive right after a line
    co_await ex.chunk(std::string_view(a).substr(0, 10));
    co_await ex.chunk(rest);
    co_await ex.chunk("\r\n{\"data\": broken\r\n");
    co_await ex.chunk(b);
    co_await ex.sleep(5s);  // stay open: the test ends first
  });
  TestMetrics m("x-stream", "ndjson_stream");
  auto o = options(server);
  o.headers = {{"Authorization", "Bearer t0k"}};
  ingest::NdjsonStreamSource source(o, tls(), m.metrics);
  CollectingSink sink;
  SourceRunner run(source, sink);
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() == 2; })) << sink.posts().size();
  const auto posts = sink.posts();
  EXPECT_EQ(posts[0].uid, "x:1");
  EXPECT_EQ(posts[0].text, "Panne chez Acme");
  EXPECT_EQ(posts[0].author.handle, "ana");
  EXPECT_EQ(posts[0].author.followers, 1200);
  EXPECT_EQ(posts[0].url, "https://x.com/ana/status/1");
  EXPECT_EQ(posts[0].source, "x-stream");
  EXPECT_EQ(format_rfc3339(posts[0].created_at), "2026-11-22T14:05:01Z");
  EXPECT_EQ(posts[1].uid, "x:2");
  EXPECT_EQ(m.metrics->malformed.Value(), 1);
  EXPECT_EQ(m.metrics->posts.Value(), 2);
  EXPECT_EQ(m.metrics->up.Value(), 1);
  EXPECT_EQ(server.connections(), 1);
  EXPECT_TRUE(sink.cursors().empty());  // no resume_field: nothing to store
}

TEST(NdjsonStreamSource, CutMidLineDropsAndCountsThePartialLineThenReconnects) {
  LoopbackServer server([](Exchange& ex) -> net::awaitable<void> {
    co_await ex.start_chunked(200, "application/x-ndjson");
    if (ex.connection_index() == 0) {
      const std::string one = x_line(1, "one"), two = x_line(2, "two");
      co_await ex.chunk(one);
      co_await ex.chunk(std::string_view(two).substr(0, 30));
      co_await ex.end_chunks();  // the server ends the body inside a line
      co_return;
    }
    const std::string line = x_line(3, "three");
    co_await ex.chunk(line);
    co_await ex.sleep(5s);
  });
  TestMetrics m;
  ingest::NdjsonStreamSource source(options(server), tls(), m.metrics);
  CollectingSink sink;
  SourceRunner run(source, sink);
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() == 2; }, 10s));
  EXPECT_EQ(sink.uids(), (std::vector<std::string>{"x:1", "x:3"}));
  EXPECT_EQ(m.metrics->truncated.Value(), 1);
  EXPECT_EQ(m.metrics->reconnects.Value(), 1);
  EXPECT_EQ(server.connections(), 2);
}

TEST(NdjsonStreamSource, SilenceBeyondReadTimeoutReconnects) {
  LoopbackServer server([](Exchange& ex) -> net::awaitable<void> {
    co_await ex.start_chunked(200, "application/x-ndjson");
    if (ex.connection_index() == 0) {
      co_await ex.sleep(5s);  // headers, then nothing: a dead stream behind a live TCP connection
      co_return;
    }
    const std::string line = x_line(7, "after the silence");
    co_await ex.chunk(line);
    co_await ex.sleep(5s);
  });
  TestMetrics m;
  auto o = options(server);
  o.read_timeout = 300ms;
  ingest::NdjsonStreamSource source(o, tls(), m.metrics);
  CollectingSink sink;
  SourceRunner run(source, sink);
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() == 1; }, 10s));
  EXPECT_EQ(sink.uids(), std::vector<std::string>{"x:7"});
  EXPECT_GE(m.metrics->network.Value(), 1);
  EXPECT_EQ(server.connections(), 2);
}

TEST(NdjsonStreamSource, HttpErrorIsRetriedWithRetryAfter) {
  LoopbackServer server([](Exchange& ex) -> net::awaitable<void> {
    if (ex.connection_index() == 0) {
      const Exchange::Headers retry{{"Retry-After", "1"}};
      co_await ex.respond(429, R"({"title":"TooManyConnections"})", "application/json", retry);
      co_return;
    }
    co_await ex.start_chunked(200, "application/x-ndjson");
    const std::string line = x_line(1, "ok");
    co_await ex.chunk(line);
    co_await ex.sleep(5s);
  });
  TestMetrics m;
  ingest::NdjsonStreamSource source(options(server), tls(), m.metrics);
  CollectingSink sink;
  const auto start = std::chrono::steady_clock::now();
  SourceRunner run(source, sink);
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() == 1; }, 10s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1s);  // Retry-After honoured
  EXPECT_EQ(m.metrics->network.Value(), 1);
}

TEST(NdjsonStreamSource, ResumeFieldBecomesCursorAndQueryParameterOnReconnect) {
  LoopbackServer server([](Exchange& ex) -> net::awaitable<void> {
    co_await ex.start_chunked(200, "application/x-ndjson");
    if (ex.connection_index() == 0) {
      const std::string two = x_line(11, "a") + x_line(12, "b");
      co_await ex.chunk(two);
      ex.close();
      co_return;
    }
    const std::string line = x_line(13, "c");
    co_await ex.chunk(line);
    co_await ex.sleep(5s);
  });
  TestMetrics m;
  auto o = options(server, "/stream?tag=acme");
  o.resume_field = "/data/id";
  o.resume_param = "since_id";
  ingest::NdjsonStreamSource source(o, tls(), m.metrics);
  CollectingSink sink;
  SourceRunner run(source, sink, "10");
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() == 3; }, 10s));
  EXPECT_EQ(server.targets(),
            (std::vector<std::string>{"/stream?tag=acme&since_id=10", "/stream?tag=acme&since_id=12"}));
  // Each batch carries the position of its last post (reads may split the first connection's two lines).
  const auto cursors = sink.cursors();
  ASSERT_FALSE(cursors.empty());
  EXPECT_EQ(cursors.back(), "13");
  EXPECT_TRUE(std::is_sorted(cursors.begin(), cursors.end()));
}

TEST(NdjsonStreamSource, FullQueueStopsReadingSoTheServerIsSlowedNotDropped) {
  constexpr int kLines = 30000;  // ~12 MB: far more than the socket buffers hold
  std::atomic<bool> server_done = false;
  LoopbackServer server([&](Exchange& ex) -> net::awaitable<void> {
    co_await ex.start_chunked(200, "application/x-ndjson");
    const std::string pad(200, 'z');
    std::string block;
    for (int i = 1; i <= kLines; ++i) {
      block += x_line(i, pad);
      if (i % 100 == 0) {
        co_await ex.chunk(block);
        block.clear();
      }
    }
    server_done = true;
    co_await ex.sleep(10s);
  });
  TestMetrics m;
  ingest::NdjsonStreamSource source(options(server), tls(), m.metrics);
  CollectingSink sink;
  sink.hold(true);
  SourceRunner run(source, sink);
  std::this_thread::sleep_for(1500ms);
  EXPECT_FALSE(server_done) << "the server finished writing although nothing was accepted";
  EXPECT_EQ(sink.batches(), 0u);
  sink.hold(false);
  ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() == kLines; }, 30s)) << sink.posts().size();
  EXPECT_TRUE(server_done);
  EXPECT_EQ(m.metrics->malformed.Value(), 0);
  EXPECT_EQ(server.connections(), 1);
}

TEST(NdjsonStreamSource, RefusedPushStopsTheSource) {
  LoopbackServer server([](Exchange& ex) -> net::awaitable<void> {
    co_await ex.start_chunked(200, "application/x-ndjson");
    const std::string line = x_line(1, "one");
    co_await ex.chunk(line);
    co_await ex.sleep(5s);
  });
  TestMetrics m;
  ingest::NdjsonStreamSource source(options(server), tls(), m.metrics);
  CollectingSink sink;
  sink.refuse();
  SourceRunner run(source, sink);
  EXPECT_TRUE(run.wait_for([&] { return run.finished(); }, 5s));
  EXPECT_EQ(server.connections(), 1);
}

TEST(NdjsonStreamSource, HttpsWithAPrivateCaAndRejectionWithoutIt) {
  ScratchDir dir;
  auto [cert, key] = make_test_certificate(dir.path);
  LoopbackServer server(
      [](Exchange& ex) -> net::awaitable<void> {
        co_await ex.start_chunked(200, "application/x-ndjson");
        const std::string line = x_line(5, "over TLS");
        co_await ex.chunk(line);
        co_await ex.sleep(5s);
      },
      cert, key);
  {
    TestMetrics m;
    ingest::NdjsonStreamSource source(options(server), tls(cert), m.metrics);
    CollectingSink sink;
    SourceRunner run(source, sink);
    ASSERT_TRUE(run.wait_for([&] { return sink.posts().size() == 1; }, 10s));
    EXPECT_EQ(sink.uids(), std::vector<std::string>{"x:5"});
  }
  {
    // The system store does not know the test CA: the handshake must fail, and nothing be read.
    TestMetrics m;
    ingest::NdjsonStreamSource source(options(server), tls(), m.metrics);
    CollectingSink sink;
    SourceRunner run(source, sink);
    EXPECT_TRUE(run.wait_for([&] { return m.metrics->network.Value() >= 1; }, 10s));
    EXPECT_TRUE(sink.posts().empty());
  }
}

}  // namespace
}  // namespace vigie::testing
