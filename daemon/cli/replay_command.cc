// `vigie replay`: crisis detection over past posts, as fast as the machine allows.
//
// The posts are scored and stored in a scratch database (removed at the end) exactly as the daemon stores
// them, in file order, and the same crisis service runs after each batch, in event time only (no wall-clock
// advance). Notifiers are replaced by the report: every incident event, with the event time it happened at.
//
// Parsing and scoring, most of the work, run on every core (--threads): the input is cut into chunks of whole
// lines, which worker threads parse and score in any order; the main thread takes the scored chunks back in
// file order and stores and detects exactly as a single thread would, in batches of 256 posts. The batches,
// hence the report, are the same whatever the number of threads (which --threads 1, everything on the main
// thread, lets a test compare).
#include <fcntl.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <unistd.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "daemon/cli/commands.h"
#include "daemon/cli/progress.h"
#include "daemon/config/config.h"
#include "daemon/crisis_service.h"
#include "ingest/base/json_text.h"
#include "ingest/ndjson_posts.h"
#include "rules/post_scorer.h"
#include "storage/database.h"

namespace vigie::daemon {
namespace {

namespace json = boost::json;

struct ReportLine {
  std::uint64_t incident = 0;
  std::string brand;
  std::string detector;
  std::string event;
  std::string severity;
  Micros at = 0;
  std::string summary;
};

// A scratch directory, removed with everything in it.
class ScratchDir {
 public:
  ScratchDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/vigie-replay.XXXXXX";
    if (mkdtemp(tmpl.data())) path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Posts stored and detected per step, as the daemon's writer stores a batch. Part of the report's definition:
// detectors process the buckets the watermark has passed after each step, so the steps must not depend on
// the number of threads.
constexpr std::size_t kBatchPosts = 256;
// Bytes of input a worker takes at a time (about a thousand posts): large enough that handing chunks over
// costs nothing, small enough that every thread has some while the file is read.
constexpr std::size_t kChunkBytes = std::size_t{256} << 10;

// Whole lines of the input, and what a worker made of them.
struct Chunk {
  std::uint64_t seq = 0;           // its place in the input
  std::uint64_t lines_before = 0;  // lines of the input before it (blank ones included)
  std::uint64_t end = 0;           // byte offset of its end in the input
  std::string text;
  // Made by a worker:
  std::uint64_t lines = 0;  // non-blank lines, for the progress
  std::vector<rules::ScoredPost> posts;
  std::vector<std::string> errors;  // {"line":N,"error":"..."} of each unreadable line, in order
};

struct Filter {
  std::optional<Micros> from, to;
};

void score_chunk(Chunk& c, const rules::PostScorer& scorer, const Filter& filter) {
  ingest::NdjsonPosts reader(std::string_view(c.text));
  c.posts.reserve(c.text.size() / 200);
  while (const auto line = reader.next()) {
    ++c.lines;
    auto post = reader.post(0);
    if (!post) {
      c.errors.push_back(json::serialize(
          json::object{{"line", c.lines_before + line->number}, {"error", post.error().message}}));
      continue;
    }
    if ((filter.from && post->created_at < *filter.from) || (filter.to && post->created_at >= *filter.to))
      continue;
    if (post->received_at == 0) post->received_at = post->created_at;
    c.posts.push_back(scorer.score(*post));
  }
  c.text = std::string();  // the posts own their text now
}

// Cuts a file descriptor's bytes into chunks of whole lines.
class ChunkReader {
 public:
  explicit ChunkReader(int fd) : fd_(fd) {}

  // The next chunk; nullptr at the end of the input or on a read error (then error() says why).
  std::unique_ptr<Chunk> next() {
    if (eof_ && carry_.empty()) return nullptr;
    auto c = std::make_unique<Chunk>();
    c->seq = seq_++;
    c->lines_before = lines_;
    c->text = std::move(carry_);
    carry_.clear();
    // Read until the chunk is large enough and holds a newline (a line longer than a chunk makes one alone).
    bool newline = c->text.find('\n') != std::string::npos;
    while (!eof_ && (c->text.size() < kChunkBytes || !newline)) {
      const std::size_t at = c->text.size();
      c->text.resize(at + kChunkBytes);
      const ssize_t n = ::read(fd_, c->text.data() + at, kChunkBytes);
      if (n < 0 && errno == EINTR) {
        c->text.resize(at);
        continue;
      }
      if (n < 0) {
        error_ = std::strerror(errno);
        eof_ = true;
        carry_.clear();
        return nullptr;
      }
      c->text.resize(at + static_cast<std::size_t>(n));
      if (n == 0) eof_ = true;
      newline = newline || std::memchr(c->text.data() + at, '\n', static_cast<std::size_t>(n)) != nullptr;
    }
    if (!eof_) {
      // The bytes after the last newline start the next chunk.
      const std::size_t last = c->text.rfind('\n');
      carry_.assign(c->text, last + 1);
      c->text.resize(last + 1);
    }
    offset_ += c->text.size();
    c->end = offset_;
    for (const char* p = c->text.data();
         (p = static_cast<const char*>(std::memchr(p, '\n', c->text.data() + c->text.size() - p))); ++p)
      ++lines_;
    if (c->text.empty()) return nullptr;
    return c;
  }

  const std::string& error() const { return error_; }

 private:
  int fd_;
  bool eof_ = false;
  std::string carry_;
  std::string error_;
  std::uint64_t seq_ = 0, lines_ = 0, offset_ = 0;
};

// Reads and scores chunks on `threads` workers (a reader thread keeps them fed), handing them back in input
// order. At most a few chunks per worker are in flight, so memory stays bounded however large the input.
class ScoringPool {
 public:
  ScoringPool(ChunkReader& reader, const rules::PostScorer& scorer, Filter filter, unsigned threads)
      : reader_(reader), scorer_(scorer), filter_(filter), max_in_flight_(4 * threads) {
    // Named, for top and perf.
    reader_thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "replay-read");
      read();
    });
    for (unsigned i = 0; i < threads; ++i) {
      workers_.emplace_back([this] {
        pthread_setname_np(pthread_self(), "replay-score");
        work();
      });
    }
  }
  ~ScoringPool() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    reader_thread_.join();
    for (auto& w : workers_)
      w.join();
  }

  // The next chunk in input order, scored; nullptr at the end of the input.
  std::unique_ptr<Chunk> next() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return done_.contains(next_) || (input_done_ && next_ == chunks_); });
    const auto it = done_.find(next_);
    if (it == done_.end()) return nullptr;
    auto c = std::move(it->second);
    done_.erase(it);
    ++next_;
    cv_.notify_all();  // room for the reader
    return c;
  }

 private:
  void read() {
    for (;;) {
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || chunks_ - next_ < max_in_flight_; });
        if (stopping_) break;
      }
      auto c = reader_.next();
      std::lock_guard lock(mu_);
      if (!c) break;
      todo_.push_back(std::move(c));
      ++chunks_;
      cv_.notify_all();
    }
    std::lock_guard lock(mu_);
    input_done_ = true;
    cv_.notify_all();
  }

  void work() {
    for (;;) {
      std::unique_ptr<Chunk> c;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !todo_.empty() || input_done_; });
        if (stopping_ || todo_.empty()) return;
        c = std::move(todo_.front());
        todo_.pop_front();
      }
      score_chunk(*c, scorer_, filter_);
      std::lock_guard lock(mu_);
      const std::uint64_t seq = c->seq;
      done_.emplace(seq, std::move(c));
      cv_.notify_all();
    }
  }

  ChunkReader& reader_;
  const rules::PostScorer& scorer_;
  const Filter filter_;
  const std::uint64_t max_in_flight_;
  std::mutex mu_;
  std::condition_variable cv_;  // one for every wait: a few thousand hand-overs a second at most
  std::deque<std::unique_ptr<Chunk>> todo_;
  std::map<std::uint64_t, std::unique_ptr<Chunk>> done_;
  std::uint64_t chunks_ = 0;  // read so far
  std::uint64_t next_ = 0;    // the next to hand back
  bool input_done_ = false;
  bool stopping_ = false;
  std::thread reader_thread_;
  std::vector<std::thread> workers_;
};

void print_table(const std::vector<ReportLine>& lines) {
  if (lines.empty()) {
    std::printf("no incident\n");
    return;
  }
  std::printf("%-8s %-20s %-16s %-10s %-9s %-17s %s\n", "INCIDENT", "AT", "BRAND", "EVENT", "SEVERITY",
              "DETECTOR", "SUMMARY");
  for (const ReportLine& l : lines) {
    std::printf("%-8llu %-20s %-16s %-10s %-9s %-17s %s\n", static_cast<unsigned long long>(l.incident),
                format_rfc3339(l.at).c_str(), l.brand.c_str(), l.event.c_str(), l.severity.c_str(),
                l.detector.c_str(), l.summary.c_str());
  }
}

}  // namespace

int replay_command(const ReplayOptions& options) {
  auto config = load_config(options.config);
  if (!config) {
    std::cerr << config.error().message << "\n";
    return 2;
  }
  const std::string rules_file = options.rules_file.empty() ? config->rules_file : options.rules_file;
  auto scorer = rules::PostScorer::load(rules_file);
  if (!scorer) {
    std::cerr << scorer.error().message << "\n";
    return 2;
  }
  Filter filter;
  auto& [from, to] = filter;
  if (!options.from.empty() && !(from = parse_rfc3339(options.from))) {
    std::cerr << "vigie replay: --from: expected RFC 3339, got '" << options.from << "'\n";
    return 2;
  }
  if (!options.to.empty() && !(to = parse_rfc3339(options.to))) {
    std::cerr << "vigie replay: --to: expected RFC 3339, got '" << options.to << "'\n";
    return 2;
  }
  int fd = 0;
  if (options.file != "-") {
    fd = ::open(options.file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      std::cerr << "vigie replay: cannot read " << options.file << ": " << std::strerror(errno) << "\n";
      return 1;
    }
  }
  const std::unique_ptr<int, void (*)(int*)> close_fd(&fd, [](int* f) {
    if (*f > 0) ::close(*f);
  });
  // Progress and incident logs would interleave with the report: only problems are logged.
  spdlog::set_level(spdlog::level::warn);

  ScratchDir scratch;
  if (scratch.path().empty()) {
    std::cerr << "vigie replay: cannot create a scratch directory\n";
    return 1;
  }
  storage::DatabaseOptions dbo;
  dbo.path = scratch.path() + "/db";
  // A scratch copy, removed at the end: a crash loses nothing worth keeping (the file is replayed again), so
  // nothing is synced, and writes skip the WAL and compactions (DatabaseOptions::scratch).
  dbo.sync = storage::SyncPolicy::none;
  dbo.scratch = true;
  dbo.retention_days = {0, 0, 0};  // past data must not expire while it is replayed
  auto db = storage::Database::open(dbo);
  if (!db) {
    std::cerr << db.error().message << "\n";
    return 1;
  }

  std::vector<ReportLine> report;
  CrisisServiceOptions co = crisis_options(config->crisis);
  co.engine.live = false;  // event time only: the wall clock of the replay says nothing of the past
  co.observed = [&report](const Incident& i, std::string_view event, const rules::Finding* f) {
    ReportLine l;
    l.incident = i.id;
    l.brand = i.brand;
    l.event = std::string(event);
    l.severity = std::string(rules::to_string(i.severity));
    l.detector = f ? std::string(rules::to_string(f->detector)) : "";
    l.at = f ? f->at : i.resolved_at;
    l.summary = f ? f->summary : "resolved by " + i.resolved_by;
    report.push_back(std::move(l));
  };
  auto crisis = CrisisService::open(**db, *scorer, std::move(co), nullptr);
  if (!crisis) {
    std::cerr << crisis.error().message << "\n";
    return 1;
  }

  std::uint64_t failed = 0;
  std::vector<rules::ScoredPost> batch;
  batch.reserve(kBatchPosts);
  const auto flush = [&]() -> bool {
    if (batch.empty()) return true;
    auto w = (*db)->posts().write(batch, {});
    if (!w) {
      std::cerr << "vigie replay: " << w.error().message << "\n";
      return false;
    }
    (*crisis)->after_write(batch);
    batch.clear();
    return true;
  };
  Progress progress("vigie replay", nullptr, Progress::size_of_fd(fd), Progress::stderr_is_terminal());
  // Stores a scored chunk, in input order.
  const auto store = [&](Chunk& c) -> bool {
    for (const std::string& e : c.errors)
      std::cerr << e << "\n";
    failed += c.errors.size();
    for (rules::ScoredPost& p : c.posts) {
      batch.push_back(std::move(p));
      if (batch.size() == kBatchPosts && !flush()) return false;
    }
    progress.advance(c.lines, c.end);
    return true;
  };
  ChunkReader reader(fd);
  const unsigned threads =
      options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  if (threads == 1) {
    while (auto c = reader.next()) {
      score_chunk(*c, **scorer, filter);
      if (!store(*c)) return 1;
    }
  } else {
    ScoringPool pool(reader, **scorer, filter, threads);
    while (auto c = pool.next())
      if (!store(*c)) return 1;
  }
  if (!reader.error().empty()) {
    std::cerr << "vigie replay: cannot read " << options.file << ": " << reader.error() << "\n";
    return 1;
  }
  if (!flush()) return 1;
  progress.finish();
  if (auto r = (*crisis)->finish(); !r) {
    std::cerr << "vigie replay: " << r.error().message << "\n";
    return 1;
  }
  if (options.json) {
    std::string out;
    for (const ReportLine& l : report) {
      json::object o{{"incident", std::to_string(l.incident)},
                     {"brand", l.brand},
                     {"detector", l.detector.empty() ? json::value(nullptr) : json::value(l.detector)},
                     {"event", l.event},
                     {"severity", l.severity},
                     {"at", format_rfc3339(l.at)},
                     {"summary", l.summary}};
      ingest::append_json_text(out, o);
      out += '\n';
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
  } else {
    print_table(report);
  }
  std::fflush(stdout);
  return failed ? 1 : 0;
}

}  // namespace vigie::daemon
