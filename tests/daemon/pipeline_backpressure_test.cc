// A full pipeline pushes back instead of dropping: an HTTP push is refused with 503 and Retry-After (and
// counted), a source's push waits until there is room, and once the writer runs, everything queued is
// stored. The real Pipeline over a real RocksDB, the real push route on a real HttpServer on 127.0.0.1. The
// writer is simply not started yet, which makes "full" exact rather than a race against a fast disk.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <thread>

#include "daemon/api/push_api.h"
#include "daemon/http/http_router.h"
#include "daemon/http/http_server.h"
#include "daemon/metrics/metrics.h"
#include "daemon/pipeline.h"
#include "rules/post_scorer.h"
#include "tests/storage/storage_test_support.h"
#include "tests/support/daemon_process.h"
#include "tests/support/wait_until.h"

namespace vigie::daemon {
namespace {

namespace json = boost::json;
using storage::testing::TempDir;

const std::pair<std::string, std::string> kPush{"Authorization", "Bearer push-token-0123456789"};

ingest::SourceBatch batch(const std::string& source, int first, int n) {
  ingest::SourceBatch b{source, {}, {}};
  for (int i = first; i < first + n; ++i) {
    ingest::Post p;
    p.uid = "test:" + std::to_string(i);
    p.platform = "test";
    p.text = "Acme Bank est en panne";
    p.created_at = storage::testing::kT0 + i;
    p.source = source;
    b.posts.push_back(std::move(p));
  }
  return b;
}

std::string ndjson(int first, int n) {
  std::string out;
  for (int i = first; i < first + n; ++i)
    out += R"({"uid":"push:)" + std::to_string(i) +
           R"(","text":"Acme Bank outage again","created_at":"2026-11-20T10:00:00Z"})"
           "\n";
  return out;
}

double metric(const std::string& text, const std::string& series) {
  const auto pos = text.find("\n" + series + " ");
  return pos == std::string::npos ? -1 : std::stod(text.substr(pos + series.size() + 2));
}

TEST(PipelineBackpressure, AFullQueueRefusesPushesWith503AndRetryAfterAndSlowsSourcesLosingNothing) {
  TempDir dir;
  auto db = storage::testing::open_db(dir.path(), {.sync = storage::SyncPolicy::none});
  Metrics metrics;
  auto scorer = rules::PostScorer::load("");
  ASSERT_TRUE(scorer) << scorer.error().message;
  PipelineConfig config;
  config.queue_capacity = 100;
  Pipeline pipeline(config, db->posts(), *scorer, metrics);

  Router router(metrics, {{"pusher", "push-token-0123456789", {Role::ingest}}});
  add_push_routes(
      router, pipeline,
      {PushSource{"push", std::make_shared<ingest::SourceMetrics>(metrics.registry(), "push", "http_push")}});
  HttpServer server(HttpConfig{}, [&](HttpRequest& req, StreamBody& s) { return router.handle(req, s); });
  auto port = server.start({"127.0.0.1", 0});
  ASSERT_TRUE(port) << port.error().message;

  // A source fills the queue, then pushes again: that push must wait for room.
  net::io_context sources;
  std::atomic<int> pushed = 0;
  net::co_spawn(
      sources,
      [&]() -> net::awaitable<void> {
        for (int b = 0; b < 2; ++b) {
          auto r = co_await pipeline.push(batch("feed", b * 100, 100));
          EXPECT_TRUE(r);
          ++pushed;
        }
      },
      net::detached);
  std::thread source_thread([&] { sources.run(); });
  ASSERT_TRUE(testing::wait_until([&] { return pipeline.queued_posts() == 100; }, std::chrono::seconds(10)));

  // An HTTP push now: 503 with Retry-After, the reason, and counted; twice.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const auto r = testing::http_request(*port, http::verb::post, "/api/v1/posts", ndjson(0, 5),
                                         {kPush, {"Content-Type", "application/x-ndjson"}});
    EXPECT_EQ(r.status, 503u) << r.body;
    EXPECT_EQ(r.headers["Retry-After"], "1");
    EXPECT_NE(r.body.find("ingest queue is full"), std::string::npos) << r.body;
  }
  EXPECT_EQ(metric(metrics.render(), "vigie_pipeline_saturated_total"), 2);
  EXPECT_EQ(pushed.load(), 1);  // the source's second batch is still waiting
  EXPECT_EQ(pipeline.queued_posts(), 100u);

  // The writer starts: the queue drains, the waiting source goes on, and the retried push is stored.
  pipeline.start();
  ASSERT_TRUE(testing::wait_until([&] { return pushed.load() == 2; }, std::chrono::seconds(10)));
  const auto r = testing::http_request(*port, http::verb::post, "/api/v1/posts", ndjson(0, 5),
                                       {kPush, {"Content-Type", "application/x-ndjson"}});
  ASSERT_EQ(r.status, 202u) << r.body;
  EXPECT_EQ(json::parse(r.body).at("accepted").as_int64(), 5);
  source_thread.join();
  server.stop_accepting();
  server.drain(std::chrono::seconds(1));
  pipeline.stop();
  EXPECT_EQ(metric(metrics.render(), "vigie_pipeline_posts_stored_total"), 205);
  EXPECT_EQ(metric(metrics.render(), "vigie_pipeline_duplicates_total"), 0);
}

}  // namespace
}  // namespace vigie::daemon
