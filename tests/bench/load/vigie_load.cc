// vigie-load: pushes posts to a running Vigie (POST /api/v1/posts, NDJSON batches over keep-alive
// connections) and reports the posts/s acknowledged and the acknowledgement latency.
//
//   vigie-load --url http://127.0.0.1:8080 --token TOKEN [--rate 30000] [--duration 30] [--warmup 3]
//              [--connections 16] [--batch 200] [--threads 1] [--corpus posts.ndjson] [--json]
//   vigie-load --spawn [--rules rules.yaml] [--sync every_batch] [--http-threads 2] ...   (starts build/vigie)
//   vigie-load --write-corpus FILE [--posts 1000000] [--days 30] [--corpus posts.ndjson]
//
// --write-corpus writes the corpus to FILE instead of pushing it, as a month of posts with their created_at
// (Corpus::write_month: a daily cycle and one afternoon's outage), for `vigie replay`:
//   vigie-load --write-corpus /tmp/month.ndjson --posts 10000000 && vigie replay --config c.yaml /tmp/month.ndjson
//
// --rate R sends R posts/s in total (each connection keeps its own schedule, one request every
// connections*batch/R seconds), and measures each request's latency from its *intended* send time, not from
// when it was actually sent: a stalled server then shows as the latency every request scheduled meanwhile
// would have seen, instead of vanishing from the figures (coordinated omission). --rate 0 sends as fast as
// the server answers (each connection waits for its answer before the next request) and measures from the
// actual send. Only requests scheduled after the warm-up count; throughput is the posts acknowledged (2xx)
// by requests completed within the measured window, over its length.
#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/bench/load/load_corpus.h"
#include "tests/support/daemon_process.h"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;
using vigie::load::Corpus;
constexpr auto kAwait = net::as_tuple(net::use_awaitable);

struct Options {
  std::string host = "127.0.0.1";
  std::string port = "8080";
  std::string token;
  double rate = 0;  // posts/s; 0: as fast as the server answers
  double duration = 10;
  double warmup = 2;
  int connections = 16;
  int batch = 200;
  int threads = 1;
  std::string corpus;
  bool json = false;
  bool spawn = false;
  std::string rules;
  std::string sync = "every_batch";
  int http_threads = 2;
  std::string write_corpus;  // a file to write the corpus to, instead of pushing
  std::uint64_t posts = 1'000'000;
  int days = 30;
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(
      stderr,
      "vigie-load: %s\n"
      "usage: vigie-load (--url http://HOST:PORT --token TOKEN | --spawn [--rules FILE] [--sync MODE]\n"
      "                  [--http-threads N]) [--rate POSTS_PER_S] [--duration S] [--warmup S]\n"
      "                  [--connections N] [--batch N] [--threads N] [--corpus FILE] [--json]\n"
      "       vigie-load --write-corpus FILE [--posts N] [--days N] [--corpus FILE]\n",
      why.c_str());
  std::exit(2);
}

double number(const std::string& name, const char* text, double min) {
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(v >= min))
    usage(name + ": expected a number >= " + std::to_string(min));
  return v;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--json") {
      o.json = true;
      continue;
    }
    if (a == "--spawn") {
      o.spawn = true;
      continue;
    }
    if (i + 1 >= argc) usage(a + ": a value is missing");
    const char* v = argv[++i];
    if (a == "--url") {
      std::string url = v;
      if (url.rfind("http://", 0) != 0) usage("--url: expected http://HOST:PORT");
      url = url.substr(7);
      if (const auto slash = url.find('/'); slash != std::string::npos) url.resize(slash);
      const auto colon = url.rfind(':');
      if (colon == std::string::npos) usage("--url: expected http://HOST:PORT");
      o.host = url.substr(0, colon);
      o.port = url.substr(colon + 1);
    } else if (a == "--token") {
      o.token = v;
    } else if (a == "--rate") {
      o.rate = number(a, v, 0);
    } else if (a == "--duration") {
      o.duration = number(a, v, 0.1);
    } else if (a == "--warmup") {
      o.warmup = number(a, v, 0);
    } else if (a == "--connections") {
      o.connections = static_cast<int>(number(a, v, 1));
    } else if (a == "--batch") {
      o.batch = static_cast<int>(number(a, v, 1));
    } else if (a == "--threads") {
      o.threads = static_cast<int>(number(a, v, 1));
    } else if (a == "--corpus") {
      o.corpus = v;
    } else if (a == "--rules") {
      o.rules = v;
    } else if (a == "--sync") {
      o.sync = v;
    } else if (a == "--http-threads") {
      o.http_threads = static_cast<int>(number(a, v, 1));
    } else if (a == "--write-corpus") {
      o.write_corpus = v;
    } else if (a == "--posts") {
      o.posts = static_cast<std::uint64_t>(number(a, v, 1));
    } else if (a == "--days") {
      o.days = static_cast<int>(number(a, v, 1));
    } else {
      usage("unknown option " + a);
    }
  }
  if (!o.spawn && o.write_corpus.empty() && o.token.empty()) usage("--token is required (or --spawn)");
  o.threads = std::min(o.threads, o.connections);
  return o;
}

// What one I/O thread saw.
struct Tally {
  std::vector<double> latency_ms;  // requests scheduled after the warm-up
  long long posts_acked = 0;       // by requests completed within the measured window
  long long requests = 0;
  long long errors = 0;  // connection failures (each followed by a reconnect)
  std::map<unsigned, long long> statuses;
};

struct Run {
  const Options& o;
  const Corpus& corpus;
  std::string uid_prefix;
  Clock::time_point start, measure_from, end;
  Clock::duration interval{};  // between two requests of one connection at a fixed rate
};

net::awaitable<void> connection(const Run& run, int index, Tally& tally) {
  const auto executor = co_await net::this_coro::executor;
  beast::tcp_stream stream(executor);
  net::ip::tcp::resolver resolver(executor);
  beast::flat_buffer buffer;
  bool connected = false;
  net::steady_timer timer(executor);
  const auto batch = static_cast<std::uint64_t>(run.o.batch);
  for (std::uint64_t k = 0;; ++k) {
    // The k-th request of this connection; its posts are numbered so that no two requests share a uid.
    const std::uint64_t seq =
        k * static_cast<std::uint64_t>(run.o.connections) + static_cast<std::uint64_t>(index);
    Clock::time_point intended = Clock::now();
    if (run.o.rate > 0) {
      intended = run.start + run.interval * static_cast<long long>(k) +
                 run.interval * index / run.o.connections;  // connections staggered over one interval
      if (intended >= run.end) break;
      if (intended > Clock::now()) {
        timer.expires_at(intended);
        co_await timer.async_wait(kAwait);
      }
    } else if (intended >= run.end) {
      break;
    }
    if (!connected) {
      auto [rec, endpoints] = co_await resolver.async_resolve(run.o.host, run.o.port, kAwait);
      if (!rec) {
        auto [cec, ep] = co_await stream.async_connect(endpoints, kAwait);
        connected = !cec;
      }
      if (!connected) {
        ++tally.errors;
        timer.expires_after(std::chrono::milliseconds(100));
        co_await timer.async_wait(kAwait);
        continue;
      }
    }
    http::request<http::string_body> req{http::verb::post, "/api/v1/posts", 11};
    req.set(http::field::host, run.o.host);
    req.set(http::field::authorization, "Bearer " + run.o.token);
    req.set(http::field::content_type, "application/x-ndjson");
    req.body().reserve(static_cast<std::size_t>(run.corpus.mean_bytes() + 40) * batch);
    run.corpus.append_batch(req.body(), run.uid_prefix, seq * batch, run.o.batch);
    req.prepare_payload();
    const auto sent = Clock::now();
    stream.expires_after(std::chrono::seconds(30));
    auto [wec, wn] = co_await http::async_write(stream, req, kAwait);
    http::response<http::string_body> res;
    boost::system::error_code rec = wec;
    if (!wec) std::tie(rec, wn) = co_await http::async_read(stream, buffer, res, kAwait);
    const auto done = Clock::now();
    ++tally.requests;
    if (rec) {
      ++tally.errors;
      beast::error_code ignored;
      stream.socket().close(ignored);
      buffer.clear();
      connected = false;
      continue;
    }
    ++tally.statuses[res.result_int()];
    const Clock::time_point from = run.o.rate > 0 ? intended : sent;
    if (from >= run.measure_from) {
      tally.latency_ms.push_back(std::chrono::duration<double, std::milli>(done - from).count());
    }
    if (done >= run.measure_from && done < run.end && res.result_int() / 100 == 2)
      tally.posts_acked += run.o.batch;
    if (!res.keep_alive()) {
      beast::error_code ignored;
      stream.socket().close(ignored);
      connected = false;
    }
  }
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto i = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  std::string error;
  const Corpus corpus =
      o.corpus.empty() ? Corpus(vigie::load::CorpusOptions{}) : Corpus::from_file(o.corpus, &error);
  if (!error.empty()) {
    std::fprintf(stderr, "vigie-load: %s\n", error.c_str());
    return 2;
  }
  if (!o.write_corpus.empty()) {
    const vigie::load::MonthOptions month{o.posts, o.days, vigie::load::MonthOptions{}.from};
    if (!corpus.write_month(o.write_corpus, month, &error)) {
      std::fprintf(stderr, "vigie-load: %s\n", error.c_str());
      return 1;
    }
    std::printf("vigie-load: %llu posts over %d days from %s written to %s\n",
                static_cast<unsigned long long>(o.posts), o.days, vigie::format_rfc3339(month.from).c_str(),
                o.write_corpus.c_str());
    return 0;
  }

  // --spawn: a daemon of our own on a loopback port, with an http_push source and the demo rules (or --rules).
  std::optional<vigie::testing::TempDir> dir;
  std::optional<vigie::testing::DaemonProcess> daemon;
  if (o.spawn) {
    dir.emplace();
    o.token = "vigie-load-token-0123456789";
    const std::string rules =
        o.rules.empty() ? std::string(VIGIE_SOURCE_DIR) + "/deploy/demo/rules.yaml" : o.rules;
    const std::string cfg =
        dir->write("vigie.yaml", "data_dir: data\nrules: " + rules + "\nstorage: {sync: " + o.sync +
                                     "}\nhttp: {threads: " + std::to_string(o.http_threads) +
                                     ", max_body_bytes: 64MiB}\nsources:\n  - {id: push, type: http_push}\n"
                                     "auth:\n  tokens:\n    - {name: load, token: " +
                                     o.token + ", roles: [ingest]}\n");
    daemon.emplace(cfg);
    if (daemon->port() == 0) {
      std::fprintf(stderr, "vigie-load: vigie did not start:\n%s\n", daemon->log().c_str());
      return 1;
    }
    o.host = "127.0.0.1";
    o.port = std::to_string(daemon->port());
  }

  Run run{o, corpus, {}, {}, {}, {}, {}};
  // Unique per run, so that runs against one data dir never send a uid twice.
  run.uid_prefix = "load:" + std::to_string(::getpid()) + "-" +
                   std::to_string(std::chrono::system_clock::now().time_since_epoch().count() / 1000) + ":";
  if (o.rate > 0) {
    run.interval = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(static_cast<double>(o.connections) * o.batch / o.rate));
  }
  run.start = Clock::now() + std::chrono::milliseconds(50);
  run.measure_from =
      run.start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.warmup));
  run.end = run.measure_from +
            std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration));

  std::vector<Tally> tallies(static_cast<std::size_t>(o.connections));
  std::vector<std::unique_ptr<net::io_context>> contexts;
  for (int t = 0; t < o.threads; ++t)
    contexts.push_back(std::make_unique<net::io_context>(1));
  for (int c = 0; c < o.connections; ++c) {
    net::co_spawn(*contexts[static_cast<std::size_t>(c % o.threads)],
                  connection(run, c, tallies[static_cast<std::size_t>(c)]), net::detached);
  }
  std::vector<std::thread> threads;
  for (auto& ctx : contexts)
    threads.emplace_back([&ctx] { ctx->run(); });
  for (auto& t : threads)
    t.join();

  Tally all;
  for (const Tally& t : tallies) {
    all.latency_ms.insert(all.latency_ms.end(), t.latency_ms.begin(), t.latency_ms.end());
    all.posts_acked += t.posts_acked;
    all.requests += t.requests;
    all.errors += t.errors;
    for (const auto& [status, n] : t.statuses)
      all.statuses[status] += n;
  }
  std::sort(all.latency_ms.begin(), all.latency_ms.end());
  const double posts_per_s = static_cast<double>(all.posts_acked) / o.duration;
  long long non_2xx = 0;
  std::string statuses;
  for (const auto& [status, n] : all.statuses) {
    if (status / 100 != 2) non_2xx += n;
    statuses += (statuses.empty() ? "" : ", ") + std::to_string(status) + ": " + std::to_string(n);
  }
  const double p50 = percentile(all.latency_ms, 0.5), p99 = percentile(all.latency_ms, 0.99),
               p999 = percentile(all.latency_ms, 0.999),
               max = all.latency_ms.empty() ? 0 : all.latency_ms.back();
  if (o.json) {
    boost::json::object status_counts;
    for (const auto& [status, n] : all.statuses)
      status_counts[std::to_string(status)] = n;
    const boost::json::object out{{"connections", o.connections},
                                  {"batch", o.batch},
                                  {"rate", o.rate},
                                  {"duration_s", o.duration},
                                  {"posts_per_s", std::round(posts_per_s)},
                                  {"requests", all.requests},
                                  {"errors", all.errors},
                                  {"statuses", status_counts},
                                  {"latency_ms", {{"p50", p50}, {"p99", p99}, {"p999", p999}, {"max", max}}}};
    std::printf("%s\n", boost::json::serialize(out).c_str());
  } else {
    std::printf(
        "vigie-load: %d connections x %d posts a request, %s, %.0f s measured after %.0f s of warm-up\n",
        o.connections, o.batch,
        o.rate > 0 ? ("a fixed " + std::to_string(static_cast<long long>(o.rate)) + " posts/s").c_str()
                   : "as fast as acknowledged",
        o.duration, o.warmup);
    std::printf("  %.0f posts/s acknowledged; %lld requests (%s), %lld connection errors\n", posts_per_s,
                all.requests, statuses.empty() ? "none answered" : statuses.c_str(), all.errors);
    std::printf("  acknowledgement latency%s: p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  max %.2f ms\n",
                o.rate > 0 ? " from the intended send time" : "", p50, p99, p999, max);
  }
  if (daemon) {
    daemon->signal(SIGTERM);
    daemon->wait(std::chrono::seconds(30));
  }
  return non_2xx || all.errors ? 1 : 0;
}
