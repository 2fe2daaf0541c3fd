// Throughput of rule matching on one core over a synthetic but realistic corpus: 200k posts, mean ~180 bytes,
// French and English, ~80% with non-ASCII characters (accents, emoji), ~5% mentioning a brand of the rule
// set.
//
//   taskset -c 0 build/tests/bench/vigie_rules_bench
//
// BM_Match/N: normalize + match with N rules (N/2 brands, N/2 topics), the figure the issue sets targets for.
// BM_Normalize: fold_text + word marking alone. BM_Re2SetAlone and BM_Re2Loop: what a naive design costs, a
// set of 1,000 case-insensitive \b patterns on the raw text, and 1,000 separate RE2 objects tried one by one.
// BM_LongText/SHAPE/KB: one post of KB kilobytes built to be the worst case of a query shape (0: a phrase in
// `exclude`, 1: NEAR, 2: NEAR between phrases), with BM_LongTextNormalize, the linear pass every post takes,
// as the reference: bytes/s that stay flat from 64 KB to 1 MB say the work is linear.
#include <benchmark/benchmark.h>
#include <re2/re2.h>
#include <re2/set.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "rules/rule_set.h"
#include "rules/text/text_fold.h"
#include "rules/text/word_boundary.h"

namespace vigie::rules {
namespace {

constexpr int kCorpusSize = 200000;

const std::vector<std::string> kFrench = {"je",
                                          "tu",
                                          "il",
                                          "nous",
                                          "vous",
                                          "ils",
                                          "le",
                                          "la",
                                          "les",
                                          "un",
                                          "une",
                                          "des",
                                          "de",
                                          "du",
                                          "et",
                                          "ou",
                                          "mais",
                                          "très",
                                          "déçu",
                                          "déçue",
                                          "problème",
                                          "réseau",
                                          "génial",
                                          "ça",
                                          "où",
                                          "été",
                                          "être",
                                          "à",
                                          "café",
                                          "livraison",
                                          "remboursé",
                                          "commande",
                                          "service",
                                          "client",
                                          "merci",
                                          "vraiment",
                                          "aujourd'hui",
                                          "encore",
                                          "fois",
                                          "après",
                                          "équipe",
                                          "réponse",
                                          "reçu",
                                          "colis",
                                          "déjà",
                                          "même",
                                          "prêt",
                                          "sûr",
                                          "leur",
                                          "notre",
                                          "chez",
                                          "pour",
                                          "avec",
                                          "sans",
                                          "jamais",
                                          "toujours",
                                          "rien",
                                          "tout",
                                          "bientôt",
                                          "qualité",
                                          "prix",
                                          "cher",
                                          "élevé",
                                          "hôtel",
                                          "gâteau",
                                          "c'est",
                                          "l'application",
                                          "n'est",
                                          "pas",
                                          "mise",
                                          "à jour",
                                          "écran",
                                          "téléphone",
                                          "opérateur",
                                          "fibre"};
const std::vector<std::string> kEnglish = {
    "the",     "a",       "an",     "and",    "or",       "but",        "is",      "was",
    "are",     "very",    "really", "love",   "hate",     "great",      "awful",   "delivery",
    "refund",  "order",   "today",  "again",  "customer", "service",    "support", "thanks",
    "app",     "update",  "screen", "phone",  "network",  "down",       "slow",    "fast",
    "price",   "quality", "never",  "always", "nothing",  "everything", "team",    "reply",
    "package", "already", "same",   "ready",  "sure",     "their",      "our",     "with",
    "without", "this",    "that",   "it's",   "don't",    "can't",      "I",       "you",
    "we",      "they",    "just",   "got",    "new",      "old",        "best",    "worst"};
const std::vector<std::string> kEmoji = {"😡", "😀", "🔥", "👍", "❤️", "🙏", "😂", "😭", "🤬", "✨"};
const std::vector<std::string> kRisk = {
    "panne",     "bug",          "arnaque", "remboursement", "scandale", "boycott", "outage", "refund",
    "scam",      "lawsuit",      "recall",  "fraud",         "plainte",  "rappel",  "fuite",  "piratage",
    "hack",      "breach",       "leak",    "grève",         "strike",   "retard",  "delay",  "annulé",
    "cancelled", "inadmissible", "honteux", "shame",         "toxique",  "toxic"};

std::string brand_name(int i) {
  // Pronounceable, distinct, not dictionary words: "zorvexa", "balimoku"...
  static const char* kSyl[] = {"zor", "vex", "bal", "imo", "ku",  "tra", "nel", "qui", "dax", "ofa",
                               "ryn", "pel", "sko", "ute", "wam", "gri", "hol", "jin", "cyr", "fen"};
  std::string s;
  int n = i;
  for (int k = 0; k < 3; ++k) {
    s += kSyl[n % 20];
    n /= 20;
  }
  return s + std::to_string(i % 7);  // a digit keeps names unique past 8000 and word-like
}

struct Corpus {
  std::vector<ingest::Post> posts;
  std::size_t bytes = 0;
  int non_ascii = 0;
  int mentions = 0;
};

const Corpus& corpus(int brands) {
  static std::unique_ptr<Corpus> cached[2];
  auto& slot = cached[brands > 1000 ? 1 : 0];
  if (slot) return *slot;
  slot = std::make_unique<Corpus>();
  std::mt19937 rng(7);
  auto below = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  for (int i = 0; i < kCorpusSize; ++i) {
    ingest::Post p;
    p.uid = "bench:" + std::to_string(i);
    p.platform = below(2) ? "mastodon" : "bluesky";
    p.author.followers = below(100000);
    const bool french = below(2) == 0;
    const auto& words = french ? kFrench : kEnglish;
    const std::size_t target = 60 + static_cast<std::size_t>(below(241));  // 60..300 bytes, mean 180
    // English posts are ASCII unless they carry an emoji; 60% of them do, so ~80% of all posts have
    // non-ASCII.
    const bool emoji = french ? below(3) == 0 : below(5) < 3;
    const bool mention = below(20) == 0;
    const bool risk = below(25) == 0;
    std::string& t = p.text;
    while (t.size() < target) {
      if (!t.empty()) t += below(12) == 0 ? ", " : " ";
      std::string w = words[static_cast<std::size_t>(below(static_cast<int>(words.size())))];
      if (t.empty() || below(15) == 0)
        w[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(w[0])));
      t += w;
      if (emoji && below(15) == 0) t += " " + kEmoji[static_cast<std::size_t>(below(10))];
    }
    auto insert = [&](const std::string& w) {
      std::size_t at = static_cast<std::size_t>(below(static_cast<int>(t.size())));
      while (at < t.size() && t[at] != ' ')
        ++at;
      t.insert(at, " " + w);
    };
    if (emoji) insert(kEmoji[static_cast<std::size_t>(below(10))]);
    if (risk) insert(kRisk[static_cast<std::size_t>(below(static_cast<int>(kRisk.size())))]);
    if (mention) {
      const std::string b = brand_name(below(brands));
      static const char* kForms[] = {"", "#", "@", ""};
      const int form = below(4);
      insert(std::string(kForms[form]) +
             (below(3) == 0 ? std::string(1, static_cast<char>(std::toupper(b[0]))) + b.substr(1) : b) +
             (form == 2 ? "_fr" : ""));
      ++slot->mentions;
    }
    slot->bytes += t.size();
    if (std::any_of(t.begin(), t.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
      ++slot->non_ascii;
    }
    slot->posts.push_back(std::move(p));
  }
  return *slot;
}

std::shared_ptr<const RuleSet> rules(int count) {
  std::mt19937 rng(11);
  auto below = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  RuleSetSpec spec;
  const int brands = count / 2;
  for (int i = 0; i < brands; ++i) {
    const std::string n = brand_name(i);
    Brand b;
    b.id = n;
    b.query = *parse_query(n + " OR \"" + n + " corp\" OR #" + n + " OR @" + n + "_fr");
    if (i % 4 == 0) b.exclude = *parse_query("\"" + n + " street\"");
    spec.brands.push_back(std::move(b));
  }
  for (int i = 0; i < count - brands; ++i) {
    Topic t;
    t.id = "topic" + std::to_string(i);
    t.severity = static_cast<Severity>(i % 3);
    auto risk = [&] { return kRisk[static_cast<std::size_t>(below(static_cast<int>(kRisk.size())))]; };
    // Most topics follow one brand; some watch everything for rarer words.
    if (i % 5 != 0) {
      t.brands = {brand_name(below(brands))};
      t.query =
          *parse_query("(" + risk() + " OR " + risk() + "* OR \"" + risk() + " " + risk() + "\") NOT test");
    } else {
      t.query = *parse_query(brand_name(below(brands)) + " NEAR/5 (" + risk() + " OR " + risk() + ")");
    }
    spec.topics.push_back(std::move(t));
  }
  return RuleSet::compile(std::move(spec)).value();
}

void BM_Match(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  const Corpus& c = corpus(count / 2);
  const auto rs = rules(count);
  MatchScratch scratch;
  std::vector<Match> out;
  // One pass to warm the DFA caches: the steady state of a long-running daemon.
  std::size_t matched = 0;
  for (const auto& p : c.posts) {
    out.clear();
    rs->match(p, "fr", scratch, out);
    matched += out.empty() ? 0 : 1;
  }
  std::size_t i = 0;
  for (auto _ : state) {
    out.clear();
    rs->match(c.posts[i], "fr", scratch, out);
    benchmark::DoNotOptimize(out.data());
    if (++i == c.posts.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["patterns"] = static_cast<double>(rs->pattern_count());
  state.counters["matched_pct"] = 100.0 * static_cast<double>(matched) / static_cast<double>(c.posts.size());
  state.counters["mean_bytes"] = static_cast<double>(c.bytes) / static_cast<double>(c.posts.size());
  state.counters["non_ascii_pct"] = 100.0 * c.non_ascii / static_cast<double>(c.posts.size());
  state.counters["mention_pct"] = 100.0 * c.mentions / static_cast<double>(c.posts.size());
  state.counters["dfa_fallbacks"] = static_cast<double>(rs->dfa_fallbacks());
}
BENCHMARK(BM_Match)->Arg(1000)->Arg(10000);

// The normalization RuleSet::match does: fold and mark in one pass.
void BM_Normalize(benchmark::State& state) {
  const Corpus& c = corpus(500);
  std::string marked;
  std::size_t i = 0;
  for (auto _ : state) {
    fold_and_mark(c.posts[i].text, marked);
    benchmark::DoNotOptimize(marked.data());
    if (++i == c.posts.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Normalize);

// The same in two passes, fold_text then mark_words: what fusing saves.
void BM_NormalizeTwoPass(benchmark::State& state) {
  const Corpus& c = corpus(500);
  std::string folded, marked;
  std::size_t i = 0;
  for (auto _ : state) {
    folded.clear();
    fold_text(c.posts[i].text, folded);
    mark_words(folded, marked);
    benchmark::DoNotOptimize(marked.data());
    if (++i == c.posts.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NormalizeTwoPass);

std::vector<std::string> naive_patterns() {
  std::vector<std::string> out;
  for (int i = 0; i < 1000; ++i)
    out.push_back("(?i)\\b" + brand_name(i % 500) + (i < 500 ? "\\b" : " corp\\b"));
  return out;
}

void BM_Re2SetAlone(benchmark::State& state) {
  const Corpus& c = corpus(500);
  re2::RE2::Options o;
  o.set_max_mem(std::int64_t{1} << 30);
  re2::RE2::Set set(o, re2::RE2::UNANCHORED);
  for (const auto& p : naive_patterns())
    set.Add(p, nullptr);
  if (!set.Compile()) state.SkipWithError("set does not compile");
  std::vector<int> hits;
  for (const auto& p : c.posts)
    set.Match(p.text, &hits);  // warm the DFA
  std::size_t i = 0;
  for (auto _ : state) {
    set.Match(c.posts[i].text, &hits);
    benchmark::DoNotOptimize(hits.data());
    if (++i == c.posts.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Re2SetAlone);

void BM_Re2Loop(benchmark::State& state) {
  const Corpus& c = corpus(500);
  std::vector<std::unique_ptr<re2::RE2>> res;
  for (const auto& p : naive_patterns())
    res.push_back(std::make_unique<re2::RE2>(p));
  std::size_t i = 0;
  for (auto _ : state) {
    int n = 0;
    for (const auto& re : res)
      n += re2::RE2::PartialMatch(c.posts[i].text, *re) ? 1 : 0;
    benchmark::DoNotOptimize(n);
    if (++i == c.posts.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Re2Loop);

std::string repeated(std::string_view unit, std::size_t bytes) {
  std::string out;
  while (out.size() + unit.size() <= bytes)
    out += unit;
  return out;
}

ingest::Post long_post(int shape, std::size_t bytes) {
  ingest::Post p;
  p.uid = "bench:long";
  if (shape == 0) {
    p.text = "zzz " + repeated("acme bank ", bytes);
  } else {
    const std::string_view a = shape == 1 ? "acme " : "acme bank ";
    const std::string_view b = shape == 1 ? "robbery " : "bank robbery ";
    p.text = repeated(a, bytes / 2) + repeated("zz ", 30) + repeated(b, bytes / 2);
  }
  return p;
}

void BM_LongText(benchmark::State& state) {
  const int shape = static_cast<int>(state.range(0));
  const std::size_t bytes = static_cast<std::size_t>(state.range(1)) * 1024;
  static constexpr const char* kRules[] = {
      "brands:\n  - id: x\n    query: zzz\n    exclude: '\"acme bank robbery\"'\n",
      "brands:\n  - id: x\n    query: 'acme NEAR/3 robbery'\n",
      "brands:\n  - id: x\n    query: '\"acme bank\" NEAR/2 \"bank robbery\"'\n",
  };
  auto rs = RuleSet::load_string(kRules[shape], "rules.yaml");
  if (!rs) {
    state.SkipWithError(rs.error().message.c_str());
    return;
  }
  const ingest::Post post = long_post(shape, bytes);
  MatchScratch scratch;
  std::vector<Match> out;
  for (auto _ : state) {
    out.clear();
    (*rs)->match(post, "en", scratch, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * post.text.size()));
}
BENCHMARK(BM_LongText)->ArgsProduct({{0, 1, 2}, {64, 1024}})->Unit(benchmark::kMillisecond);

void BM_LongTextNormalize(benchmark::State& state) {
  const ingest::Post post = long_post(0, static_cast<std::size_t>(state.range(0)) * 1024);
  std::string marked;
  for (auto _ : state) {
    fold_and_mark(post.text, marked);
    benchmark::DoNotOptimize(marked.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * post.text.size()));
}
BENCHMARK(BM_LongTextNormalize)->Arg(64)->Arg(1024)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vigie::rules

BENCHMARK_MAIN();
