// The real `vigie` binary on a loopback port: endpoints, auth, limits, metrics validated by promtool,
// signals.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/support/daemon_process.h"
#include "tests/support/wait_until.h"

namespace vigie::testing {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

constexpr const char* kAdminToken = "admin-token-0123456789";
constexpr const char* kReadToken = "read-token-0123456789";

std::string basic_config(const TempDir& dir, const std::string& extra = "",
                         const std::string& idle_timeout = "2s") {
  return dir.write("vigie.yaml", std::string("data_dir: data\n") +
                                     "http:\n  max_header_bytes: 4KiB\n  max_body_bytes: 64KiB\n"
                                     "  read_timeout: 2s\n  idle_timeout: " +
                                     idle_timeout + "\n" +
                                     "auth:\n  tokens:\n"
                                     "    - {name: ops, token: " +
                                     kAdminToken +
                                     ", roles: [admin]}\n"
                                     "    - {name: grafana, token: " +
                                     kReadToken + ", roles: [read]}\n" + extra);
}

std::vector<std::pair<std::string, std::string>> bearer(const char* token) {
  return {{"Authorization", std::string("Bearer ") + token}};
}

TEST(Daemon, ServesHealthReadinessAndMetricsThenStopsOnSigterm) {
  TempDir dir;
  DaemonProcess d(basic_config(dir));
  ASSERT_NE(d.port(), 0);

  auto health = http_get(d.port(), "/healthz");
  EXPECT_EQ(health.status, 200u);
  EXPECT_EQ(health.body, "{\"status\":\"ok\"}\n");
  EXPECT_EQ(health.headers[http::field::content_type], "application/json");
  EXPECT_EQ(http_get(d.port(), "/readyz").status, 200u);

  auto metrics = http_get(d.port(), "/metrics");
  ASSERT_EQ(metrics.status, 200u);
  EXPECT_NE(metrics.body.find("vigie_build_info{"), std::string::npos);
  EXPECT_NE(metrics.body.find("vigie_uptime_seconds"), std::string::npos);
  EXPECT_NE(metrics.body.find("vigie_http_requests_total{code=\"200\",route=\"/healthz\"} 1"),
            std::string::npos)
      << metrics.body;

  d.signal(SIGTERM);
  const auto start = std::chrono::steady_clock::now();
  auto code = d.wait(std::chrono::seconds(10));
  ASSERT_TRUE(code.has_value()) << "did not exit within 10 s of SIGTERM";
  EXPECT_EQ(*code, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_NE(d.log().find("received SIGTERM, shutting down"), std::string::npos);
}

TEST(Daemon, MetricsPassPromtool) {
  if (std::system("command -v promtool > /dev/null") != 0)
    GTEST_FAIL() << "promtool missing: run deploy/install-deps.sh";
  TempDir dir;
  DaemonProcess d(basic_config(dir));
  ASSERT_NE(d.port(), 0);
  http_get(d.port(), "/healthz");
  http_get(d.port(), "/nope");
  http_get(d.port(), "/api/v1/version", bearer(kReadToken));
  auto metrics = http_get(d.port(), "/metrics");
  ASSERT_EQ(metrics.status, 200u);
  const std::string path = dir.write("metrics.txt", metrics.body);
  const std::string cmd = "promtool check metrics < " + path + " > " + dir.file("promtool.out") + " 2>&1";
  const int rc = std::system(cmd.c_str());
  std::ifstream out(dir.file("promtool.out"));
  std::string report((std::istreambuf_iterator<char>(out)), {});
  EXPECT_EQ(rc, 0) << report;
  EXPECT_EQ(report, "") << "promtool lint findings";
}

TEST(Daemon, AuthenticatesApiWithRoles) {
  TempDir dir;
  DaemonProcess d(basic_config(dir));
  ASSERT_NE(d.port(), 0);
  auto none = http_get(d.port(), "/api/v1/version");
  EXPECT_EQ(none.status, 401u);
  EXPECT_EQ(none.body, "{\"error\":\"missing or invalid bearer token\"}\n");
  EXPECT_EQ(none.headers[http::field::www_authenticate], "Bearer realm=\"vigie\"");
  EXPECT_EQ(http_get(d.port(), "/api/v1/version", bearer("wrong-token-0123456789")).status, 401u);
  EXPECT_EQ(http_get(d.port(), "/api/v1/version", {{"Authorization", "Basic abc"}}).status, 401u);
  auto ok = http_get(d.port(), "/api/v1/version", bearer(kReadToken));
  EXPECT_EQ(ok.status, 200u);
  EXPECT_NE(ok.body.find("\"version\""), std::string::npos);
  EXPECT_EQ(http_get(d.port(), "/api/v1/version", bearer(kAdminToken)).status, 200u);
}

TEST(Daemon, ClosedMetricsNeedReadToken) {
  TempDir dir;
  const std::string cfg = dir.write(
      "vigie.yaml", std::string("data_dir: data\nhttp: {open_metrics: false}\n") +
                        "auth:\n  tokens:\n    - {name: g, token: " + kReadToken + ", roles: [read]}\n");
  DaemonProcess d(cfg);
  ASSERT_NE(d.port(), 0);
  EXPECT_EQ(http_get(d.port(), "/metrics").status, 401u);
  EXPECT_EQ(http_get(d.port(), "/metrics", bearer(kReadToken)).status, 200u);
  EXPECT_EQ(http_get(d.port(), "/healthz").status, 200u);
}

TEST(Daemon, JsonErrorsWithRightStatus) {
  TempDir dir;
  DaemonProcess d(basic_config(dir));
  ASSERT_NE(d.port(), 0);
  auto missing = http_get(d.port(), "/nope");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.body, "{\"error\":\"no such endpoint: /nope\"}\n");
  auto method = http_request(d.port(), http::verb::delete_, "/healthz");
  EXPECT_EQ(method.status, 405u);
  EXPECT_EQ(method.body, "{\"error\":\"method not allowed on /healthz\"}\n");

  // Over the 4 KiB header limit: 431.
  auto big_header = http_get(d.port(), "/healthz", {{"X-Filler", std::string(8000, 'a')}});
  EXPECT_EQ(big_header.status, 431u);
  EXPECT_NE(big_header.body.find("\"error\""), std::string::npos);

  // Over the 64 KiB body limit: 413, whether announced by Content-Length or sent.
  auto big_body = http_request(d.port(), http::verb::post, "/healthz", std::string(100 * 1024, 'x'));
  EXPECT_EQ(big_body.status, 413u);
  const std::string reply =
      raw_exchange(d.port(), "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\nabc");
  EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0u) << reply;

  const std::string garbage = raw_exchange(d.port(), "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(garbage.rfind("HTTP/1.1 400", 0), 0u) << garbage;
  EXPECT_NE(garbage.find("{\"error\":\"malformed request"), std::string::npos) << garbage;

  // The daemon is still healthy after all that.
  EXPECT_EQ(http_get(d.port(), "/healthz").status, 200u);
}

TEST(Daemon, KeepAliveServesSeveralRequestsOnOneConnection) {
  TempDir dir;
  DaemonProcess d(basic_config(dir));
  ASSERT_NE(d.port(), 0);
  const std::string two =
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  const std::string reply = raw_exchange(d.port(), two);
  EXPECT_NE(reply.find("{\"status\":\"ok\"}"), std::string::npos) << reply;
  EXPECT_NE(reply.find("{\"status\":\"ready\"}"), std::string::npos) << reply;
}

TEST(Daemon, IdleAndSlowConnectionsTimeOut) {
  TempDir dir;
  DaemonProcess d(basic_config(dir));
  ASSERT_NE(d.port(), 0);
  // A request that starts but never finishes is cut off by the 2 s timeouts, not left holding a socket; so is
  // a body that stops half-way.
  for (const std::string partial : {"GET /healthz HTTP/1.1\r\nHost: x\r\n",
                                    "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"}) {
    const auto start = std::chrono::steady_clock::now();
    const std::string reply = raw_exchange(d.port(), partial, std::chrono::seconds(10));
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(reply, "");
    EXPECT_GE(took, std::chrono::milliseconds(1500));
    EXPECT_LT(took, std::chrono::seconds(5));
  }
}

TEST(Daemon, SigtermWithOpenKeepAliveConnectionStillExitsQuickly) {
  TempDir dir;
  // An idle timeout far longer than the bound below: only the shutdown can close the connection in time.
  DaemonProcess d(basic_config(dir, "", "60s"));
  ASSERT_NE(d.port(), 0);
  // An idle keep-alive connection must not hold the shutdown for its whole idle timeout.
  std::atomic<bool> answered = false;
  std::string reply;
  boost::system::error_code end;
  std::thread idle([&, port = d.port()] {
    net::io_context ctx;
    beast::tcp_stream stream(ctx);
    stream.expires_after(std::chrono::seconds(20));
    stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), end);
    if (!end)
      net::write(stream, net::buffer(std::string_view("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")), end);
    char buf[4096];
    while (!end) {
      reply.append(buf, stream.read_some(net::buffer(buf), end));
      if (reply.find("{\"status\":\"ok\"}") != std::string::npos) answered = true;
    }
  });
  // The connection has had its answer and is now idle, kept alive.
  const bool idle_open = wait_until([&] { return answered.load(); }, std::chrono::seconds(5));
  d.signal(SIGTERM);
  const auto start = std::chrono::steady_clock::now();
  auto code = d.wait(std::chrono::seconds(10));
  const auto took = std::chrono::steady_clock::now() - start;
  idle.join();
  ASSERT_TRUE(idle_open) << "no answer on the keep-alive connection: " << reply;
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0);
  EXPECT_LT(took, std::chrono::seconds(3));
  EXPECT_EQ(end, net::error::eof) << "the daemon did not close the idle connection: " << end.message();
}

TEST(Daemon, SigintAlsoStopsCleanly) {
  TempDir dir;
  DaemonProcess d(basic_config(dir));
  ASSERT_NE(d.port(), 0);
  d.signal(SIGINT);
  EXPECT_EQ(d.wait(std::chrono::seconds(10)), 0);
}

TEST(Daemon, JsonLogFormat) {
  TempDir dir;
  DaemonProcess d(basic_config(dir, "log: {format: json, level: info}\n"));
  ASSERT_NE(d.port(), 0);
  d.signal(SIGTERM);
  ASSERT_EQ(d.wait(std::chrono::seconds(10)), 0);
  const std::string log = d.log();
  std::istringstream lines(log);
  std::string line;
  int n = 0;
  static const std::regex kJsonLine(R"(^\{"ts":"\d{4}-\d\d-\d\dT[0-9:.]+Z","level":"\w+","msg":".*"\}$)");
  while (std::getline(lines, line)) {
    EXPECT_TRUE(std::regex_match(line, kJsonLine)) << line;
    ++n;
  }
  EXPECT_GE(n, 3);
}

TEST(Daemon, FailsToStartOnBusyPort) {
  TempDir dir;
  DaemonProcess first(basic_config(dir));
  ASSERT_NE(first.port(), 0);
  TempDir dir2;
  auto r = run_vigie(
      {"run", "--config", basic_config(dir2), "--listen", "127.0.0.1:" + std::to_string(first.port())});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot listen on 127.0.0.1:" + std::to_string(first.port())), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace vigie::testing
