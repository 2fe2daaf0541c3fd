// vigie-load: pushes posts to a running Vigie (POST /api/v1/posts, NDJSON batches over keep-alive
// connections) and reports the posts/s acknowledged and the acknowledgement latency.
//
//   vigie-load --url http://127.0.0.1:8080 --token TOKEN [--rate 30000] [--duration 30] [--warmup 3]
//              [--connections 16] [--batch 200] [--threads 1] [--corpus posts.ndjson] [--json]
//   vigie-load --spawn [--rules rules.yaml] [--sync every_batch] [--http-threads 2] [--probes N] ...
//              (starts build/vigie)
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
//
// --probes N (with --spawn) measures how soon a crisis reaches the people it concerns, under the same load: the
// spawned daemon gets N more brands (probe-0 ... probe-N-1), a critical topic, and a webhook notifier to a
// receiver in this process; one post naming brand j and the critical topic rides in an ordinary request,
// spread over the measured window, and the figure is the time from that request's 202 to the receiver getting
// the brand's incident.opened (and from the request's send). Each brand opens one incident, hence one per
// probe.
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
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/bench/load/load_corpus.h"
#include "tests/support/daemon_process.h"
#include "tests/support/loopback_server.h"

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
  int probes = 0;
  std::string write_corpus;  // a file to write the corpus to, instead of pushing
  std::uint64_t posts = 1'000'000;
  int days = 30;
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(
      stderr,
      "vigie-load: %s\n"
      "usage: vigie-load (--url http://HOST:PORT --token TOKEN | --spawn [--rules FILE] [--sync MODE]\n"
      "                  [--http-threads N] [--probes N]) [--rate POSTS_PER_S] [--duration S] [--warmup S]\n"
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
    } else if (a == "--probes") {
      o.probes = static_cast<int>(number(a, v, 0));
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
  if (o.probes > 0 && !o.spawn) usage("--probes needs --spawn (the daemon must notify this process)");
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

// The crisis probes (--probes): when each is due, when its request was acknowledged, when its brand's
// incident.opened reached the receiver.
class Probes {
 public:
  void plan(int n, Clock::time_point from, Clock::time_point to) {
    std::lock_guard lock(mu_);
    due_.resize(static_cast<std::size_t>(n));
    sent_.assign(due_.size(), {});
    acked_.assign(due_.size(), {});
    notified_.assign(due_.size(), {});
    for (int j = 0; j < n; ++j)
      due_[static_cast<std::size_t>(j)] = from + (to - from) * (2 * j + 1) / (2 * n);
  }
  int size() const { return static_cast<int>(due_.size()); }

  // The probes due by now, each taken once: their posts go into the request about to be sent.
  std::vector<int> take_due(Clock::time_point now) {
    std::vector<int> out;
    std::lock_guard lock(mu_);
    while (next_ < due_.size() && due_[next_] <= now)
      out.push_back(static_cast<int>(next_++));
    return out;
  }
  void sent(const std::vector<int>& js, Clock::time_point at) { set(sent_, js, at); }
  void acked(const std::vector<int>& js, Clock::time_point at) { set(acked_, js, at); }
  void notified(int j, Clock::time_point at) {
    if (j >= 0 && j < size()) set(notified_, {j}, at);
  }
  bool all_notified() {
    std::lock_guard lock(mu_);
    for (std::size_t j = 0; j < due_.size(); ++j)
      if (acked_[j] != Clock::time_point{} && notified_[j] == Clock::time_point{}) return false;
    return next_ == due_.size();
  }

  struct Figures {
    int acked = 0, notified = 0;
    std::vector<double> from_ack_ms, from_send_ms;  // sorted
  };
  Figures figures() {
    Figures f;
    std::lock_guard lock(mu_);
    for (std::size_t j = 0; j < due_.size(); ++j) {
      if (acked_[j] == Clock::time_point{}) continue;
      ++f.acked;
      if (notified_[j] == Clock::time_point{}) continue;
      ++f.notified;
      f.from_ack_ms.push_back(std::chrono::duration<double, std::milli>(notified_[j] - acked_[j]).count());
      f.from_send_ms.push_back(std::chrono::duration<double, std::milli>(notified_[j] - sent_[j]).count());
    }
    std::sort(f.from_ack_ms.begin(), f.from_ack_ms.end());
    std::sort(f.from_send_ms.begin(), f.from_send_ms.end());
    return f;
  }

 private:
  void set(std::vector<Clock::time_point>& v, const std::vector<int>& js, Clock::time_point at) {
    std::lock_guard lock(mu_);
    for (int j : js)
      if (v[static_cast<std::size_t>(j)] == Clock::time_point{}) v[static_cast<std::size_t>(j)] = at;
  }

  std::mutex mu_;
  std::vector<Clock::time_point> due_, sent_, acked_, notified_;
  std::size_t next_ = 0;
};

constexpr std::string_view kProbeTopic = "vigie probe alarm";

std::string probe_line(std::string_view uid_prefix, int j) {
  return "{\"uid\":\"" + std::string(uid_prefix) + "probe-" + std::to_string(j) +
         "\",\"author\":{\"handle\":\"probe\",\"followers\":10},\"text\":\"vigieprobe" + std::to_string(j) +
         " " + std::string(kProbeTopic) + ": mon compte a été vidé cette nuit\"}\n";
}

// The rule file with the probe brands and their critical topic added (block-style YAML: after the line
// "brands:", and after "topics:" or in a new section).
std::string with_probes(const std::string& rules, int n) {
  std::string brands, topic = "  - id: vigie-probe-alarm\n    query: '\"" + std::string(kProbeTopic) +
                              "\"'\n    severity: critical\n";
  for (int j = 0; j < n; ++j)
    brands += "  - id: probe-" + std::to_string(j) + "\n    query: vigieprobe" + std::to_string(j) + "\n";
  std::string out;
  std::istringstream in(rules);
  bool topics = false;
  for (std::string line; std::getline(in, line);) {
    out += line + "\n";
    if (line == "brands:") out += brands;
    if (line == "topics:") {
      out += topic;
      topics = true;
    }
  }
  if (!topics) out += "topics:\n" + topic;
  return out;
}

// CPU time of each of a process's threads, by name, with the digits of numbered threads dropped
// ("vigie-http-0" and "vigie-http-1" count as "vigie-http"): seconds of user and system time.
std::map<std::string, double> thread_cpu(int pid) {
  std::map<std::string, double> out;
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator(dir, ec)) {
    std::ifstream in(task.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    std::string name = stat.substr(open + 1, close - open - 1);
    while (!name.empty() && (std::isdigit(static_cast<unsigned char>(name.back())) || name.back() == '-'))
      name.pop_back();
    std::istringstream rest(stat.substr(close + 2));
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {  // fields 14 and 15: utime, stime
      if (i == 14) utime = std::atof(field.c_str());
      if (i == 15) stime = std::atof(field.c_str());
    }
    out[name] += (utime + stime) / tick;
  }
  return out;
}

struct Run {
  const Options& o;
  const Corpus& corpus;
  std::string uid_prefix;
  Clock::time_point start, measure_from, end;
  Clock::duration interval{};  // between two requests of one connection at a fixed rate
  Probes* probes = nullptr;
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
    std::vector<int> probes;
    if (run.probes) {
      probes = run.probes->take_due(Clock::now());
      for (int j : probes)
        req.body() += probe_line(run.uid_prefix, j);
    }
    req.prepare_payload();
    const auto sent = Clock::now();
    if (!probes.empty()) run.probes->sent(probes, sent);
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
    if (!probes.empty() && res.result_int() / 100 == 2) run.probes->acked(probes, done);
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
  // --probes: the receiver of the spawned daemon's webhooks.
  Probes probes;
  std::optional<vigie::testing::LoopbackServer> receiver;
  if (o.probes > 0) {
    receiver.emplace([&probes](vigie::testing::Exchange& ex) -> net::awaitable<void> {
      const auto at = Clock::now();
      boost::system::error_code ec;
      const boost::json::value v = boost::json::parse(ex.request().body(), ec);
      if (!ec && v.is_object()) {
        const auto* type = v.as_object().if_contains("type");
        const auto* data = v.as_object().if_contains("data");
        const auto* brand = data && data->is_object() ? data->as_object().if_contains("brand") : nullptr;
        if (type && *type == "incident.opened" && brand && brand->is_string()) {
          const std::string b(brand->as_string());
          if (b.rfind("probe-", 0) == 0) probes.notified(std::atoi(b.c_str() + 6), at);
        }
      }
      co_await ex.respond(200, "");
    });
  }
  if (o.spawn) {
    dir.emplace();
    o.token = "vigie-load-token-0123456789";
    std::string rules = o.rules.empty() ? std::string(VIGIE_SOURCE_DIR) + "/deploy/demo/rules.yaml" : o.rules;
    std::string notifiers;
    if (o.probes > 0) {
      std::ifstream in(rules);
      std::stringstream text;
      text << in.rdbuf();
      if (!in) {
        std::fprintf(stderr, "vigie-load: cannot read %s\n", rules.c_str());
        return 2;
      }
      rules = dir->write("rules.yaml", with_probes(text.str(), o.probes));
      notifiers = "notifiers:\n  - {id: probe, type: webhook, url: '" + receiver->url("/hook") +
                  "', secrets: [whsec_dmlnaWUtbG9hZC1wcm9iZS1zZWNyZXQta2V5LTAxMjM=]}\n";
    }
    const std::string cfg =
        dir->write("vigie.yaml", "data_dir: data\nrules: " + rules + "\nstorage: {sync: " + o.sync +
                                     "}\nhttp: {threads: " + std::to_string(o.http_threads) +
                                     ", max_body_bytes: 64MiB}\nsources:\n  - {id: push, type: http_push}\n" +
                                     notifiers + "auth:\n  tokens:\n    - {name: load, token: " + o.token +
                                     ", roles: [ingest]}\n");
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
  if (o.probes > 0) {
    probes.plan(o.probes, run.measure_from, run.end);
    run.probes = &probes;
  }

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
  // The spawned daemon's CPU time per thread over the measured window: where each post's cost goes.
  std::map<std::string, double> cpu_before, cpu_after;
  std::thread cpu_sampler;
  if (daemon) {
    cpu_sampler = std::thread([&] {
      std::this_thread::sleep_until(run.measure_from);
      cpu_before = thread_cpu(daemon->pid());
      std::this_thread::sleep_until(run.end);
      cpu_after = thread_cpu(daemon->pid());
    });
  }
  for (auto& t : threads)
    t.join();
  if (cpu_sampler.joinable()) cpu_sampler.join();
  // CPU microseconds per acknowledged post, per thread kind, busiest first.
  std::vector<std::pair<std::string, double>> cpu_per_post;
  double cpu_total = 0;
  long long acked = 0;
  for (const Tally& t : tallies)
    acked += t.posts_acked;
  for (const auto& [name, after] : cpu_after) {
    const auto b = cpu_before.find(name);
    const double us = (after - (b == cpu_before.end() ? 0 : b->second)) * 1e6 / std::max(1LL, acked);
    cpu_per_post.emplace_back(name, us);
    cpu_total += us;
  }
  std::sort(cpu_per_post.begin(), cpu_per_post.end(), [](auto& a, auto& b) { return a.second > b.second; });
  // The last probes' notifications may still be on their way.
  for (const auto deadline = Clock::now() + std::chrono::seconds(10);
       o.probes > 0 && !probes.all_notified() && Clock::now() < deadline;)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const Probes::Figures pf = probes.figures();

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
    boost::json::object full = out;
    if (daemon) {
      boost::json::object cpu{{"total", cpu_total}};
      for (const auto& [name, us] : cpu_per_post)
        cpu[name] = us;
      full["daemon_cpu_us_per_post"] = std::move(cpu);
    }
    if (o.probes > 0) {
      const auto spread = [](const std::vector<double>& v) {
        return boost::json::object{
            {"p50", percentile(v, 0.5)}, {"p99", percentile(v, 0.99)}, {"max", v.empty() ? 0 : v.back()}};
      };
      full["probes"] = {{"acknowledged", pf.acked},
                        {"notified", pf.notified},
                        {"ack_to_webhook_ms", spread(pf.from_ack_ms)},
                        {"send_to_webhook_ms", spread(pf.from_send_ms)}};
    }
    std::printf("%s\n", boost::json::serialize(full).c_str());
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
    if (daemon) {
      std::string by_thread;
      for (const auto& [name, us] : cpu_per_post)
        if (us >= 0.05) by_thread += "  " + name + " " + std::to_string(us).substr(0, 4);
      std::printf("  daemon CPU per post: %.1f us (%s)\n", cpu_total, by_thread.c_str() + 2);
    }
    if (o.probes > 0) {
      const auto& a = pf.from_ack_ms;
      const auto& b = pf.from_send_ms;
      std::printf(
          "  crisis probes: %d acknowledged, %d incident.opened received; 202 to webhook: p50 %.1f ms  "
          "p99 %.1f ms  max %.1f ms; send to webhook: p50 %.1f ms  p99 %.1f ms  max %.1f ms\n",
          pf.acked, pf.notified, percentile(a, 0.5), percentile(a, 0.99), a.empty() ? 0 : a.back(),
          percentile(b, 0.5), percentile(b, 0.99), b.empty() ? 0 : b.back());
    }
  }
  if (daemon) {
    daemon->signal(SIGTERM);
    daemon->wait(std::chrono::seconds(30));
  }
  return non_2xx || all.errors || all.requests == 0 || pf.notified < pf.acked ? 1 : 0;
}
