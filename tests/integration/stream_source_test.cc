// A network source in the real daemon: a loopback NDJSON stream that can resume (since_id), with the daemon
// SIGKILLed mid-stream and restarted. The cursor is stored with the posts, so the restart asks for what
// follows the last stored post: every post ends up stored exactly once.
#include <gtest/gtest.h>

#include <boost/url/parse.hpp>
#include <charconv>

#include "tests/support/daemon_process.h"
#include "tests/support/loopback_server.h"

namespace vigie::testing {
namespace {

constexpr const char* kToken = "stream-test-token-0123456789";
constexpr int kPosts = 4000;

// since_id in the request target, 0 when absent.
int since_id(const std::string& target) {
  auto u = boost::urls::parse_origin_form(target);
  if (!u) return 0;
  auto it = u->params().find("since_id");
  if (it == u->params().end()) return 0;
  int v = 0;
  const std::string s = (*it).value;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

TEST(StreamSource, SigkillMidStreamResumesFromStoredCursorWithoutLossOrRepeat) {
  // Ids 1..kPosts, 50 a chunk, 20 ms apart: the stream lasts ~1.6 s, long enough to be killed inside.
  LoopbackServer server([](Exchange& ex) -> net::awaitable<void> {
    co_await ex.start_chunked(200, "application/x-ndjson");
    std::string block;
    for (int id = since_id(ex.target()) + 1; id <= kPosts; ++id) {
      block += R"({"uid":"x:)" + std::to_string(id) + R"(","text":"acme post )" + std::to_string(id) +
               R"(","created_at":"2026-11-20T12:00:00Z","id":)" + std::to_string(id) + "}\n";
      if (id % 50 == 0 || id == kPosts) {
        co_await ex.chunk(block);
        block.clear();
        co_await ex.sleep(std::chrono::milliseconds(20));
      }
      if (ex.closed()) co_return;
    }
    co_await ex.sleep(std::chrono::seconds(30));
  });

  TempDir dir;
  const std::string cfg = dir.write("vigie.yaml",
                                    "data_dir: data\nstorage: {sync: every_batch}\nsources:\n"
                                    "  - {id: s, type: ndjson_stream, url: '" +
                                        server.url("/stream") +
                                        "', resume_field: /id, resume_param: since_id, read_timeout: 5s}\n"
                                        "auth:\n  tokens:\n    - {name: t, token: " +
                                        kToken + ", roles: [admin]}\n");
  {
    DaemonProcess d(cfg);
    ASSERT_NE(d.port(), 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    d.kill();
  }
  const auto first = server.targets();
  ASSERT_EQ(first.size(), 1u);

  DaemonProcess d(cfg);
  ASSERT_NE(d.port(), 0);
  std::map<std::string, int> stored;
  for (int i = 0; i < 200 && stored.size() < kPosts; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    stored = stored_posts(d.port(), kToken);
  }
  const auto targets = server.targets();
  ASSERT_EQ(targets.size(), 2u);
  const int resumed_after = since_id(targets[1]);
  EXPECT_GT(resumed_after, 0) << "the restart did not resume: " << targets[1];
  EXPECT_LT(resumed_after, kPosts) << "killed after the end: the test proves nothing";

  EXPECT_EQ(stored.size(), static_cast<std::size_t>(kPosts));
  int repeated = 0;
  for (const auto& [uid, n] : stored)
    repeated += n != 1;
  EXPECT_EQ(repeated, 0);
  for (int id = 1; id <= kPosts; ++id)
    ASSERT_TRUE(stored.contains("x:" + std::to_string(id))) << "missing x:" << id;
}

}  // namespace
}  // namespace vigie::testing
