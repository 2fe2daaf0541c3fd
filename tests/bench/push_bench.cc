// Load tool: http_push end to end against the real daemon. Starts build/vigie on loopback with an http_push
// source and the demo rules, then N clients POST NDJSON batches over keep-alive connections for S seconds.
// Every post is parsed, queued, scored (language, sentiment, rules) and stored before its 202 comes back,
// so posts/s here is the whole ingest path's throughput.
//
//   vigie_push_bench [--clients 4] [--batch 500] [--seconds 10] [--sync every_batch|interval|none]
#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/daemon_process.h"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using vigie::testing::DaemonProcess;
using vigie::testing::TempDir;

constexpr const char* kToken = "push-bench-token-0123456789";

// ~190-byte posts, FR and EN, accents and emoji, about one in twenty naming a demo brand.
std::string make_text(std::mt19937& rng) {
  static const char* kFr[] = {"franchement", "le service", "client",   "est", "vraiment", "décevant",
                              "merci",       "pour",       "l'aide",   "😡",   "génial",   "livraison",
                              "en retard",   "encore",     "une fois", "👍",   "appli",    "bug"};
  static const char* kEn[] = {"honestly", "the",   "support", "team",  "was",     "great",
                              "terrible", "again", "my",      "order", "arrived", "late",
                              "love",     "this",  "app",     "🙏",     "worst",   "ever"};
  const bool fr = rng() % 2;
  std::string t;
  if (rng() % 20 == 0) t += fr ? "Panne chez Acme Bank, " : "Acme Bank outage again, ";
  while (t.size() < 180) {
    t += fr ? kFr[rng() % std::size(kFr)] : kEn[rng() % std::size(kEn)];
    t += ' ';
  }
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  int clients = 4, batch = 500, seconds = 10;
  std::string sync = "every_batch";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--clients")) clients = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--batch")) batch = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--seconds")) seconds = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--sync")) sync = argv[i + 1];
  }
  TempDir dir;
  const std::string rules = std::string(VIGIE_SOURCE_DIR) + "/deploy/demo/rules.yaml";
  const std::string cfg =
      dir.write("vigie.yaml", "data_dir: data\nrules: " + rules + "\nstorage: {sync: " + sync +
                                  "}\nhttp: {max_body_bytes: 64MiB}\n"
                                  "sources:\n  - {id: push, type: http_push}\n"
                                  "auth:\n  tokens:\n    - {name: t, token: " +
                                  kToken + ", roles: [ingest]}\n");
  DaemonProcess d(cfg);
  if (d.port() == 0) {
    std::fprintf(stderr, "vigie did not start:\n%s\n", d.log().c_str());
    return 1;
  }

  std::atomic<bool> stop = false;
  std::atomic<long long> accepted = 0, failed = 0;
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(clients));
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      std::mt19937 rng(static_cast<unsigned>(c) + 1);
      net::io_context ctx;
      beast::tcp_stream stream(ctx);
      net::ip::tcp::resolver resolver(ctx);
      stream.connect(resolver.resolve("127.0.0.1", std::to_string(d.port())));
      beast::flat_buffer buffer;
      // Bodies are prepared before timing starts would be fairer, but uids must be new each time: the body
      // is built per request (~1 us a post, on the client's own core).
      for (long long n = 0; !stop; ++n) {
        http::request<http::string_body> req{http::verb::post, "/api/v1/posts", 11};
        req.set(http::field::host, "127.0.0.1");
        req.set(http::field::authorization, std::string("Bearer ") + kToken);
        req.set(http::field::content_type, "application/x-ndjson");
        std::string& body = req.body();
        for (int i = 0; i < batch; ++i) {
          const long long id = (n * batch + i) * clients + c;
          body += R"({"uid":"bench:)" + std::to_string(id) + R"(","text":")" + make_text(rng) +
                  R"(","author":{"handle":"u)" + std::to_string(rng() % 100000) + R"(","followers":)" +
                  std::to_string(rng() % 50000) + R"(},"created_at":"2026-11-22T14:05:00Z"})" + "\n";
        }
        req.prepare_payload();
        const auto t0 = std::chrono::steady_clock::now();
        http::write(stream, req);
        http::response<http::string_body> res;
        http::read(stream, buffer, res);
        latencies[static_cast<std::size_t>(c)].push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        if (res.result_int() == 202) {
          accepted += batch;
        } else {
          ++failed;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& t : threads)
    t.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> all;
  for (const auto& l : latencies)
    all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  const auto pct = [&](double p) {
    return all.empty() ? 0 : all[static_cast<std::size_t>(p * (all.size() - 1))];
  };
  std::printf(
      "http_push: %d clients x %d posts/request, sync %s: %.0f posts/s accepted (%lld posts in %.1f s), "
      "request latency p50 %.1f ms p99 %.1f ms, %lld non-202\n",
      clients, batch, sync.c_str(), static_cast<double>(accepted) / elapsed, accepted.load(), elapsed,
      pct(0.5), pct(0.99), failed.load());
  d.signal(SIGTERM);
  d.wait(std::chrono::seconds(30));
  return failed ? 1 : 0;
}
