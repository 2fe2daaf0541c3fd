// Sentiment and language decision throughput on ~180-byte social posts, one thread (= one core), each beside
// its reference in the same run: CLD2 alone on the same texts (what every post paid before the function-word
// fast path), and the whole scoring pass with CLD2 in place of the language decision.
// Targets (issue 14): >= 400,000 posts/s per core for the language decision, >= 600,000 for the sentiment
// pass. Run:
//   build/tests/bench/vigie_sentiment_bench --benchmark_min_time=2 --benchmark_repetitions=5
// The last two measure `vigie score`'s line (read, score, print) on the demo feed, before and now.
#include <benchmark/benchmark.h>
#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>

#include <boost/json/object.hpp>
#include <boost/json/parser.hpp>
#include <cstdio>  // compact_lang_det.h uses FILE without including <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "ingest/base/json_text.h"
#include "ingest/post_json.h"
#include "rules/language/language_detector.h"
#include "rules/post_scorer.h"
#include "rules/scored_post_json.h"
#include "rules/sentiment/sentiment_analyzer.h"

namespace vigie::rules {
namespace {

// Hand-written posts of about 180 bytes, the size of a typical short social post, in the styles the daemon
// sees: complaints, praise, mixed, slang, emoji, mentions and links.
const std::vector<std::string>& english_posts() {
  static const std::vector<std::string> posts{
      "@AcmeSupport my order has been stuck for 9 days and nobody answers the phone. Worst customer service "
      "I have ever dealt with, I want a refund now!!! #fail https://t.co/abc123",
      "Honestly the new Acme app update is really good, way faster than before and the dark mode looks "
      "great. "
      "Well done team :) would recommend to anyone looking for a solid option",
      "Not bad at all, the delivery was quick but the box was damaged and one item was missing. Support "
      "replied within an hour though, so I'm kind of okay with it. We'll see lol",
      "Is anyone else having issues with Acme today? Can't log in since this morning, the site keeps "
      "crashing and it's SO annoying. Outage again?? Third time this month 😡",
      "Just tried the new Acme burger and wow, absolutely loved it 😍 juicy, fresh, great price. The staff "
      "were super friendly too. Definitely coming back next week with friends!",
      "The plot was good, but the characters are uncompelling and the dialog is not great. Expected much "
      "more from this studio after the trailer, honestly a bit of a letdown overall.",
      "Acme charged me twice for the same subscription and the refund still hasn't arrived after two weeks. "
      "This is a scam, stay away from them. Reported to my bank already. #scam",
      "shoutout to @acme for fixing my laptop in one day, nothing fancy but it works perfectly now and they "
      "didn't charge for the extra cable. thanks a lot guys, appreciate it 👍",
  };
  return posts;
}

const std::vector<std::string>& french_posts() {
  static const std::vector<std::string> posts{
      "@AcmeFrance ça fait 9 jours que ma commande est bloquée et personne ne répond au téléphone. Service "
      "client nul, je suis vraiment déçu, je veux être remboursé !!! #honte",
      "Franchement la nouvelle appli Acme est top, beaucoup plus rapide qu'avant et le mode sombre est trop "
      "beau. Bravo à l'équipe :) je recommande à tout le monde sans hésiter",
      "Pas mal du tout, livraison rapide mais le carton était abîmé et il manquait un article. Le SAV a "
      "répondu en une heure quand même, donc bof ça va. On verra mdr",
      "Quelqu'un d'autre a des soucis avec Acme aujourd'hui ? Impossible de me connecter depuis ce matin, le "
      "site plante sans arrêt c'est TROP chiant. Encore une panne ?? 😡",
      "Je viens de tester le nouveau burger Acme et franchement j'adore 😍 bien juteux, frais, prix correct. "
      "Le personnel était super sympa aussi. J'y retourne la semaine pro !",
      "L'intrigue était bonne, mais les personnages sont pas convaincants et les dialogues pas terribles. "
      "J'attendais beaucoup plus de ce studio après la bande-annonce, décevant.",
      "Acme m'a prélevé deux fois le même abonnement et toujours pas de remboursement après deux semaines. "
      "C'est une arnaque, fuyez. J'ai prévenu ma banque. #arnaque",
      "merci @acme d'avoir réparé mon ordi en une journée, rien d'extraordinaire mais il marche nickel "
      "maintenant et ils ont pas facturé le câble en plus. trop cool 👍",
  };
  return posts;
}

std::shared_ptr<const SentimentAnalyzer> analyzer() {
  static const std::shared_ptr<const SentimentAnalyzer> a = SentimentAnalyzer::create({}).value();
  return a;
}

void score_posts(benchmark::State& state, const std::vector<std::string>& posts, std::string_view lang) {
  const auto a = analyzer();
  std::size_t i = 0;
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string& post = posts[i];
    benchmark::DoNotOptimize(a->score(post, lang));
    bytes += post.size();
    if (++i == posts.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void BM_SentimentEnglish(benchmark::State& state) {
  score_posts(state, english_posts(), "en");
}
void BM_SentimentFrench(benchmark::State& state) {
  score_posts(state, french_posts(), "fr");
}

void detect_posts(benchmark::State& state, const std::vector<std::string>& posts) {
  const LanguageDetector detector;
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(detector.detect(posts[i], ""));
    if (++i == posts.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_DetectEnglish(benchmark::State& state) {
  detect_posts(state, english_posts());
}
void BM_DetectFrench(benchmark::State& state) {
  detect_posts(state, french_posts());
}

// The posts of the language-ID set (tests/rules/data/language_id.tsv): 1,479 short posts in 19 languages
// and none, most of them far shorter than the posts above, where the fast path decides less often.
const std::vector<std::string>& language_id_posts() {
  static const std::vector<std::string> posts = [] {
    std::vector<std::string> out;
    std::ifstream in(std::string(VIGIE_SOURCE_DIR) + "/tests/rules/data/language_id.tsv");
    std::string line;
    while (std::getline(in, line)) {
      const std::size_t tab = line.find('\t');
      if (!line.empty() && line[0] != '#' && tab != std::string::npos) out.push_back(line.substr(tab + 1));
    }
    return out;
  }();
  return posts;
}

const std::vector<std::string>& mixed_posts() {
  static const std::vector<std::string> posts = [] {
    std::vector<std::string> out = english_posts();
    out.insert(out.end(), french_posts().begin(), french_posts().end());
    return out;
  }();
  return posts;
}

// CLD2 on the whole text, as the detector called it, without the function-word pass: the reference.
std::string_view cld2_only(const std::string& text) {
  CLD2::Language language3[3];
  int percent3[3];
  double scores3[3];
  int text_bytes = 0;
  bool reliable = false;
  int valid_prefix = 0;
  const CLD2::CLDHints no_hints{nullptr, nullptr, CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE};
  const CLD2::Language top = CLD2::ExtDetectLanguageSummaryCheckUTF8(
      text.data(), static_cast<int>(text.size()), true, &no_hints, 0, language3, percent3, scores3, nullptr,
      &text_bytes, &reliable, &valid_prefix);
  return top == CLD2::FRENCH ? "fr" : top == CLD2::ENGLISH ? "en" : "und";
}

void decide_posts(benchmark::State& state, const std::vector<std::string>& posts) {
  const LanguageDetector detector;
  std::size_t i = 0;
  std::int64_t cld2 = 0;
  for (auto _ : state) {
    const LanguageGuess g = detector.decide(posts[i], "");
    benchmark::DoNotOptimize(g);
    cld2 += g.used_cld2;
    if (++i == posts.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["cld2_share"] = static_cast<double>(cld2) / static_cast<double>(state.iterations());
}

void cld2_posts(benchmark::State& state, const std::vector<std::string>& posts) {
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cld2_only(posts[i]));
    if (++i == posts.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_DecideMixed(benchmark::State& state) {
  decide_posts(state, mixed_posts());
}
void BM_Cld2OnlyMixed(benchmark::State& state) {
  cld2_posts(state, mixed_posts());
}
void BM_DecideLanguageIdSet(benchmark::State& state) {
  decide_posts(state, language_id_posts());
}
void BM_Cld2OnlyLanguageIdSet(benchmark::State& state) {
  cld2_posts(state, language_id_posts());
}

// The whole scoring pass without rules: PostScorer::score (language decision, then one lexicon or, when
// undetermined, both), against CLD2 then the sentiment of the language it names.
void score_pass(benchmark::State& state, const std::vector<std::string>& texts) {
  const auto scorer = PostScorer::build(nullptr, analyzer());
  std::vector<ingest::Post> posts(texts.size());
  for (std::size_t k = 0; k < texts.size(); ++k)
    posts[k].text = texts[k];
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(scorer->score(posts[i]));
    if (++i == posts.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void cld2_score_pass(benchmark::State& state, const std::vector<std::string>& texts) {
  const auto a = analyzer();
  std::size_t i = 0;
  for (auto _ : state) {
    const std::string& text = texts[i];
    benchmark::DoNotOptimize(a->score(text, cld2_only(text)));
    if (++i == texts.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_ScorePassMixed(benchmark::State& state) {
  score_pass(state, mixed_posts());
}
void BM_Cld2ScorePassMixed(benchmark::State& state) {
  cld2_score_pass(state, mixed_posts());
}
void BM_ScorePassLanguageIdSet(benchmark::State& state) {
  score_pass(state, language_id_posts());
}
void BM_Cld2ScorePassLanguageIdSet(benchmark::State& state) {
  cld2_score_pass(state, language_id_posts());
}

// `vigie score`'s work per line on the demo feed with the demo rules, stage by stage: reading the line into
// a Post, then the whole line (read, score, print). Each beside the way lines were read and printed before,
// in the same run (with today's scorer): a boost::json::value parsed, copied into a fresh Post and scored by
// copy, and the output built as a boost::json::object. Arg 0: that way, 1: today's.
const std::vector<std::string>& demo_lines() {
  static const std::vector<std::string> lines = [] {
    std::vector<std::string> out;
    std::ifstream in(std::string(VIGIE_SOURCE_DIR) + "/deploy/demo/feed.ndjson");
    for (std::string line; std::getline(in, line);)
      out.push_back(line);
    return out;
  }();
  return lines;
}

const PostScorer& demo_scorer() {
  static const std::shared_ptr<const PostScorer> s =
      PostScorer::load(std::string(VIGIE_SOURCE_DIR) + "/deploy/demo/rules.yaml").value();
  return *s;
}

void BM_ReadPostDemoFeed(benchmark::State& state) {
  const auto& lines = demo_lines();
  boost::json::parser parser;
  ingest::PostJsonReader reader;
  ingest::Post reused;
  std::size_t i = 0;
  for (auto _ : state) {
    const std::string& line = lines[i++ % lines.size()];
    if (state.range(0) == 0) {
      parser.reset();
      parser.write(line);
      auto p = ingest::post_from_json(parser.release(), 0);
      benchmark::DoNotOptimize(p);
    } else {
      auto r = reader.read(line, 0, reused);
      benchmark::DoNotOptimize(r);
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ScoreLineDemoFeed(benchmark::State& state) {
  const auto& lines = demo_lines();
  const PostScorer& scorer = demo_scorer();
  boost::json::parser parser;
  ingest::PostJsonReader reader;
  ingest::Post reused;
  std::string out;
  std::size_t i = 0;
  for (auto _ : state) {
    const std::string& line = lines[i++ % lines.size()];
    out.clear();
    if (state.range(0) == 0) {
      parser.reset();
      parser.write(line);
      const boost::json::value v = parser.release();
      const ingest::Post post = ingest::post_from_json(v, 0).value();
      const ScoredPost scored = scorer.score(post);
      boost::json::object o;
      o["id"] = v.at("uid");
      o["lang"] = scored.lang;
      o["matches"] = matches_to_json(scored.matches);
      o["sentiment"] = sentiment_to_json(scored.sentiment);
      ingest::append_json_text(out, o);
    } else {
      reader.parse(line).value();
      ingest::append_json_string(out, reader.fields()[ingest::PostJsonFields::uid].string);
      ingest::post_from_fields(reader.fields(), 0, reused).value();
      ScoredPost scored = scorer.score(std::move(reused));
      append_matches_json(out, scored.matches);
      append_sentiment_json(out, scored.sentiment);
      reused = std::move(scored.post);
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_SentimentEnglish);
BENCHMARK(BM_SentimentFrench);
BENCHMARK(BM_DetectEnglish);
BENCHMARK(BM_DetectFrench);
BENCHMARK(BM_DecideMixed);
BENCHMARK(BM_Cld2OnlyMixed);
BENCHMARK(BM_DecideLanguageIdSet);
BENCHMARK(BM_Cld2OnlyLanguageIdSet);
BENCHMARK(BM_ScorePassMixed);
BENCHMARK(BM_Cld2ScorePassMixed);
BENCHMARK(BM_ScorePassLanguageIdSet);
BENCHMARK(BM_Cld2ScorePassLanguageIdSet);
BENCHMARK(BM_ReadPostDemoFeed)->Arg(0)->Arg(1);
BENCHMARK(BM_ScoreLineDemoFeed)->Arg(0)->Arg(1);

}  // namespace
}  // namespace vigie::rules

BENCHMARK_MAIN();
