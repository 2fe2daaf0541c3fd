// Storage benchmarks: sustained scored-post writes and the dashboard queries.
//
//   vigie_storage_bench --benchmark_filter=Write     writes only (fresh database each, in $TMPDIR or /tmp);
//                                                   VIGIE_BENCH_WRITE_BATCHES=N writes N batches of 256
//                                                   instead of the registered count, e.g. to profile a
//                                                   fixed amount of work under callgrind.
//   vigie_storage_bench --benchmark_filter=Query     queries over a database of VIGIE_BENCH_MENTIONS mentions
//                                                   (default 10,000,000) of one brand over 28 days, built
//                                                   once into /tmp/vigie_storage_bench_<N> and reused by
//                                                   later runs (delete it to rebuild).
#include <benchmark/benchmark.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "storage/database.h"

namespace vigie::storage {
namespace {

constexpr Micros kMinute = 60 * kMicrosPerSecond;
constexpr Micros kHour = 60 * kMinute;
constexpr Micros kDay = 24 * kHour;
// End of the generated history: 2026-11-22T14:05:00Z.
constexpr Micros kNow = 1795356300LL * kMicrosPerSecond;
constexpr std::size_t kBatch = 256;

std::string temp_dir(const char* name) {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/" + name + ".XXXXXX";
  if (!mkdtemp(tmpl.data())) std::abort();
  return tmpl;
}

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Realistic-looking posts: random words (so values compress like text, not like repeats), uids in no
// particular order, ~330-byte encoded values, one brand and sometimes a topic.
class PostFactory {
 public:
  explicit PostFactory(std::uint64_t seed) : rng_(seed) {}

  void fill(rules::ScoredPost& p, std::uint64_t n, Micros created_at, const std::string& brand) {
    char uid[40];
    std::snprintf(uid, sizeof uid, "mastodon:%016llx",
                  static_cast<unsigned long long>((n + 1) * 0x9E3779B97F4A7C15ULL));
    p.post.uid = uid;
    p.post.platform = n % 4 == 0 ? "bluesky" : "mastodon";
    p.post.kind = ingest::Kind::post;
    p.post.author.handle = "user" + std::to_string(rng_() % 100000);
    p.post.author.name = "Some User Name";
    p.post.author.followers = static_cast<std::int64_t>(rng_() % 20000);
    p.post.text.clear();
    while (p.post.text.size() < 190) {
      p.post.text += kWords[rng_() % std::size(kWords)];
      p.post.text += ' ';
    }
    p.post.url = "https://mastodon.social/@" + p.post.author.handle + "/" + std::to_string(n);
    p.post.lang_hint = "fr";
    p.post.created_at = created_at;
    p.post.received_at = created_at + 2 * kMicrosPerSecond;
    p.post.source = "masto-fr";
    p.lang = n % 2 ? "fr" : "en";
    const auto label = static_cast<rules::Label>(n % 3);
    p.sentiment = {label == rules::Label::positive   ? 0.6f
                   : label == rules::Label::negative ? -0.4f
                                                     : 0.0f,
                   0.2f,
                   0.7f,
                   0.1f,
                   label,
                   true};
    p.matches.clear();
    p.matches.push_back({brand, rules::RuleKind::brand, rules::Severity::info});
    if (n % 8 == 0) p.matches.push_back({"recall", rules::RuleKind::topic, rules::Severity::warning});
  }

 private:
  static constexpr const char* kWords[] = {
      "service", "client",  "livraison", "retard",  "merci",  "super",     "nul",      "commande", "produit",
      "qualité", "prix",    "boutique",  "appli",   "bug",    "enfin",     "toujours", "jamais",   "encore",
      "rapide",  "lent",    "colis",     "perdu",   "reçu",   "parfait",   "horrible", "bravo",    "équipe",
      "support", "réponse", "attente",   "heures",  "jours",  "rembourse", "échange",  "taille",   "couleur",
      "the",     "order",   "shipping",  "great",   "awful",  "refund",    "late",     "love",     "hate",
      "again",   "never",   "always",    "support", "thanks", "why",       "how",      "store",    "online"};
  std::mt19937_64 rng_;
};

// ---- writes ----

constexpr std::int64_t kInFlight = 4;

// "platform:" and 16 hex digits, without snprintf (whose cost would be counted as the writer's).
void set_uid(std::string& uid, std::string_view platform, std::uint64_t id) {
  uid.assign(platform);
  uid.push_back(':');
  for (int shift = 60; shift >= 0; shift -= 4)
    uid.push_back("0123456789abcdef"[(id >> shift) & 0xF]);
}

// `threads` writers each commit `batches / threads` batches of 256 new posts, measured from the first write
// until the last batch is durable. Each writer keeps up to kInFlight batches committed but not yet durable,
// as the pipeline does. Posts are generated up front (64 distinct batches per writer); before each write only
// the uids and times are rewritten in place (~0.1 us a post, inside the timing).
void write_bench(benchmark::State& state, SyncPolicy sync, bool ordered_uids = false) {
  const int threads = static_cast<int>(state.range(0));
  const char* batches_env = std::getenv("VIGIE_BENCH_WRITE_BATCHES");
  const std::int64_t batches = batches_env ? std::strtoll(batches_env, nullptr, 10) : state.range(1);
  const std::int64_t batches_per_thread = batches / threads;
  const std::string dir = temp_dir("vigie_storage_bench_write");
  {
    auto db = Database::open({.path = dir, .sync = sync});
    if (!db) {
      state.SkipWithError(db.error().message.c_str());
      return;
    }
    const std::string brands[] = {"acme",  "globex", "initech", "umbrella",
                                  "hooli", "stark",  "wayne",   "wonka"};
    std::vector<std::vector<std::vector<rules::ScoredPost>>> prepared(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t) {
      PostFactory factory(static_cast<std::uint64_t>(t) + 1);
      auto& mine = prepared[static_cast<std::size_t>(t)];
      mine.resize(64, std::vector<rules::ScoredPost>(kBatch));
      std::uint64_t n = 0;
      for (auto& batch : mine) {
        for (auto& p : batch)
          factory.fill(p, n, kNow, brands[n % std::size(brands)]), ++n;
      }
    }
    std::atomic<std::int64_t> writer_cpu_ns = 0;
    const double process_cpu_before = process_cpu_seconds();
    for (auto _ : state) {
      std::atomic<bool> failed = false;
      const auto start = std::chrono::steady_clock::now();
      std::vector<std::thread> writers;
      for (int t = 0; t < threads; ++t) {
        writers.emplace_back([&, t] {
          auto& mine = prepared[static_cast<std::size_t>(t)];
          std::uint64_t n = 0;
          const std::string source = "source-" + std::to_string(t);
          // Batches committed but not yet durable, at most kInFlight, as the pipeline allows.
          std::atomic<std::int64_t> durable = 0;
          std::int64_t issued = 0;
          for (std::int64_t i = 0; i < batches_per_thread && !failed; ++i, ++issued) {
            auto& batch = mine[static_cast<std::size_t>(i) % mine.size()];
            for (auto& p : batch) {
              // Distinct uids across writers; ~1000 posts/s of event time per writer, so a batch spans a
              // quarter of a second, as when a busy pipeline flushes.
              const std::uint64_t id = n * 64 + static_cast<std::uint64_t>(t) + 1;
              // Ordered: three platforms interleaved, each with increasing ids (snowflakes, TIDs).
              static constexpr std::string_view kPlatforms[] = {"mastodon", "bluesky", "x"};
              set_uid(p.post.uid, ordered_uids ? kPlatforms[id % 3] : kPlatforms[0],
                      ordered_uids ? id : id * 0x9E3779B97F4A7C15ULL);
              p.post.created_at = kNow + static_cast<Micros>(n) * 1000;
              ++n;
            }
            while (i - durable.load() >= kInFlight)
              std::this_thread::yield();
            auto r = (*db)->posts().commit(batch, {source, std::to_string(n)}, [&](Result<WriteSummary> d) {
              if (!d) failed = true;
              ++durable;
            });
            if (!r || r->inserted != kBatch) failed = true;
            if (!r) ++durable;
          }
          while (durable.load() < issued)  // the callbacks use `durable`
            std::this_thread::yield();
          writer_cpu_ns += static_cast<std::int64_t>(thread_cpu_seconds() * 1e9);
        });
      }
      for (auto& w : writers)
        w.join();
      state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      if (failed) state.SkipWithError("a write failed or found duplicates");
    }
    const std::int64_t posts =
        state.iterations() * threads * batches_per_thread * static_cast<std::int64_t>(kBatch);
    state.SetItemsProcessed(posts);
    // CPU per post: of the writer threads alone (building batches, memtable inserts, WAL), and of the whole
    // process (adds RocksDB's background flushes and compactions). Unlike throughput, these barely depend on
    // fsync latency or on other load on the machine.
    state.counters["writer_cpu_us_per_post"] =
        static_cast<double>(writer_cpu_ns) / 1e3 / static_cast<double>(posts);
    state.counters["process_cpu_us_per_post"] =
        (process_cpu_seconds() - process_cpu_before) * 1e6 / static_cast<double>(posts);
    const StorageStats st = (*db)->stats();
    state.counters["stall_stops"] = static_cast<double>(st.write_stall_stops);
    state.counters["stall_slowdowns"] = static_cast<double>(st.write_stall_slowdowns);
    state.counters["write_ms_mean"] = st.write_latency.count ? st.write_latency.sum_seconds * 1e3 /
                                                                   static_cast<double>(st.write_latency.count)
                                                             : 0;
  }
  std::filesystem::remove_all(dir);
}

void BM_WriteEveryBatchSync(benchmark::State& state) {
  write_bench(state, SyncPolicy::every_batch);
}
void BM_WriteNoSync(benchmark::State& state) {
  write_bench(state, SyncPolicy::none);
}
// Native ids in time order, as Mastodon, Bluesky (TIDs) and X (snowflakes) assign them, platforms
// interleaved.
void BM_WriteNoSyncOrderedUids(benchmark::State& state) {
  write_bench(state, SyncPolicy::none, true);
}
// Args: writer threads, total batches of 256.
BENCHMARK(BM_WriteEveryBatchSync)
    ->ArgNames({"writers", "batches"})
    ->Args({1, 4000})
    ->Args({2, 4000})
    ->Args({4, 4000})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_WriteNoSync)
    ->ArgNames({"writers", "batches"})
    ->Args({1, 4000})
    ->Args({2, 4000})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_WriteNoSyncOrderedUids)
    ->ArgNames({"writers", "batches"})
    ->Args({1, 4000})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// The reference point: RocksDB alone, one synced WriteBatch of 256 ~300-byte puts per post batch (random
// keys like Vigie's uids, values of random words like post texts), same count of batches as the Vigie runs
// (VIGIE_BENCH_WRITE_BATCHES applies), measured the same way: what the hardware allows one writer.
void BM_WriteRawRocksDbBaseline(benchmark::State& state) {
  const char* batches_env = std::getenv("VIGIE_BENCH_WRITE_BATCHES");
  const std::int64_t batches = batches_env ? std::strtoll(batches_env, nullptr, 10) : state.range(0);
  const std::string dir = temp_dir("vigie_storage_bench_raw");
  {
    rocksdb::Options o;
    o.create_if_missing = true;
    o.compression = rocksdb::kLZ4Compression;
    rocksdb::DB* raw = nullptr;
    if (!rocksdb::DB::Open(o, dir, &raw).ok()) std::abort();
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::WriteOptions w;
    w.sync = true;
    // 64 distinct batches of values, made up front as the Vigie runs do.
    PostFactory factory(3);
    std::vector<std::string> values(64 * kBatch);
    rules::ScoredPost p;
    for (std::size_t i = 0; i < values.size(); ++i) {
      factory.fill(p, i, kNow, "acme");
      values[i] = p.post.text + p.post.url;
      values[i].resize(300, ' ');
    }
    std::string key;
    const double process_cpu_before = process_cpu_seconds();
    for (auto _ : state) {
      const auto start = std::chrono::steady_clock::now();
      std::uint64_t n = 0;
      for (std::int64_t b = 0; b < batches; ++b) {
        rocksdb::WriteBatch batch;
        for (std::size_t i = 0; i < kBatch; ++i, ++n) {
          set_uid(key, "mastodon", (n + 1) * 0x9E3779B97F4A7C15ULL);
          batch.Put(key, values[n % values.size()]);
        }
        if (!db->Write(w, &batch).ok()) std::abort();
      }
      state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    const auto posts = state.iterations() * batches * static_cast<std::int64_t>(kBatch);
    state.SetItemsProcessed(posts);
    state.counters["process_cpu_us_per_post"] =
        (process_cpu_seconds() - process_cpu_before) * 1e6 / static_cast<double>(posts);
    db->Close();
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_WriteRawRocksDbBaseline)
    ->ArgNames({"batches"})
    ->Args({4000})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// ---- queries over a large database ----

std::size_t mentions_wanted() {
  const char* v = std::getenv("VIGIE_BENCH_MENTIONS");
  return v ? std::strtoull(v, nullptr, 10) : 10'000'000;
}

// Builds (once; reused across runs) a database holding N posts, each a mention of "acme", spread evenly over
// the 28 days before kNow, then compacts it as a long-running daemon's database would be.
Database& query_db() {
  static std::unique_ptr<Database> db = [] {
    const std::size_t n = mentions_wanted();
    const std::string path = "/tmp/vigie_storage_bench_" + std::to_string(n);
    const std::string marker = path + "/BENCH_COMPLETE";
    const bool ready = std::filesystem::exists(marker);
    if (!ready) std::filesystem::remove_all(path);
    // Retention off: the generated history is dated 2026 and must not expire while the bench runs.
    auto opened = Database::open(
        {.path = path, .sync = SyncPolicy::none, .retention_days = {.posts = 0, .mentions = 0, .series = 0}});
    if (!opened) {
      std::fprintf(stderr, "%s\n", opened.error().message.c_str());
      std::abort();
    }
    if (!ready) {
      std::fprintf(stderr, "building %zu-mention database in %s ...\n", n, path.c_str());
      const auto start = std::chrono::steady_clock::now();
      PostFactory factory(2);
      std::vector<rules::ScoredPost> batch(1024);
      const Micros span = 28 * kDay;
      for (std::size_t done = 0; done < n;) {
        const std::size_t k = std::min(batch.size(), n - done);
        for (std::size_t i = 0; i < k; ++i, ++done) {
          const Micros t = kNow - span + static_cast<Micros>((static_cast<double>(done) / n) * span);
          factory.fill(batch[i], done, t, "acme");
        }
        auto r = (*opened)->posts().write(std::span(batch.data(), k), {});
        if (!r) {
          std::fprintf(stderr, "%s\n", r.error().message.c_str());
          std::abort();
        }
      }
      const auto loaded = std::chrono::steady_clock::now();
      if (!(*opened)->compact()) std::abort();
      const auto compacted = std::chrono::steady_clock::now();
      const auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
      std::fprintf(stderr,
                   "loaded in %.1f s (%.0f posts/s, sync none), compacted in %.1f s, %.2f GB on disk\n",
                   secs(start, loaded), static_cast<double>(n) / secs(start, loaded), secs(loaded, compacted),
                   static_cast<double>((*opened)->stats().disk_bytes) / 1e9);
      std::ofstream(marker) << n << "\n";
    }
    return std::move(*opened);
  }();
  return *db;
}

void BM_QuerySeries7Days1h(benchmark::State& state) {
  Database& db = query_db();
  for (auto _ : state) {
    auto r =
        db.queries().series({.brand = "acme", .from = kNow - 7 * kDay, .to = kNow, .step = SeriesStep::hour});
    if (!r || r->size() != 169) {  // kNow is 14:05: the first bucket starts at 14:00 seven days before
      state.SkipWithError("series query failed");
      break;
    }
    benchmark::DoNotOptimize(r->data());
  }
  state.counters["mentions"] = static_cast<double>(mentions_wanted());
}
BENCHMARK(BM_QuerySeries7Days1h)->Unit(benchmark::kMicrosecond);

void BM_QueryBrandCounts24h(benchmark::State& state) {
  Database& db = query_db();
  const std::vector<std::string> brands = {"acme"};
  for (auto _ : state)
    benchmark::DoNotOptimize(db.queries().brand_counts(brands, kNow));
}
BENCHMARK(BM_QueryBrandCounts24h)->Unit(benchmark::kMicrosecond);

// A page of 100 mentions ending at a random instant of the history: mostly outside the block cache.
void mentions_page(benchmark::State& state, bool filtered) {
  Database& db = query_db();
  std::mt19937_64 rng(5);
  std::size_t items = 0;
  for (auto _ : state) {
    MentionQuery q{.brand = "acme",
                   .from = kNow - 28 * kDay,
                   .to = kNow - static_cast<Micros>(rng() % static_cast<std::uint64_t>(27 * kDay)),
                   .limit = 100};
    if (filtered) {
      q.sentiment = rules::Label::negative;
      q.lang = "fr";
    }
    auto r = db.queries().mentions(q);
    if (!r) {
      state.SkipWithError(r.error().message.c_str());
      break;
    }
    items += r->items.size();
  }
  state.counters["items_per_page"] = static_cast<double>(items) / static_cast<double>(state.iterations());
}
void BM_QueryMentionsPage100(benchmark::State& state) {
  mentions_page(state, false);
}
void BM_QueryMentionsPage100Filtered(benchmark::State& state) {
  mentions_page(state, true);
}
BENCHMARK(BM_QueryMentionsPage100)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_QueryMentionsPage100Filtered)->Unit(benchmark::kMicrosecond);

void BM_QueryMentionsWalk10Pages(benchmark::State& state) {
  Database& db = query_db();
  for (auto _ : state) {
    MentionQuery q{.brand = "acme", .from = kNow - 28 * kDay, .to = kNow, .limit = 100};
    for (int i = 0; i < 10; ++i) {
      auto r = db.queries().mentions(q);
      if (!r) break;
      q.cursor = r->next_cursor;
    }
  }
}
BENCHMARK(BM_QueryMentionsWalk10Pages)->Unit(benchmark::kMicrosecond);

void BM_QueryPostsPage100(benchmark::State& state) {
  Database& db = query_db();
  std::mt19937_64 rng(6);
  for (auto _ : state) {
    auto r =
        db.queries().posts({.from = kNow - 28 * kDay,
                            .to = kNow - static_cast<Micros>(rng() % static_cast<std::uint64_t>(27 * kDay)),
                            .limit = 100});
    if (!r || r->items.size() != 100) {
      state.SkipWithError("posts query failed");
      break;
    }
  }
}
BENCHMARK(BM_QueryPostsPage100)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace vigie::storage

BENCHMARK_MAIN();
