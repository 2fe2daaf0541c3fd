#include "tests/bench/load/load_corpus.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <numbers>
#include <random>

namespace vigie::load {
namespace {

// Phrases as people write them: complaints, praise, questions, small talk; the scorer's fast path and its
// CLD2 fallback both get their share (short texts, mixed scripts, emoji-only replies).
constexpr const char* kFrench[] = {"franchement le service client est vraiment décevant",
                                   "merci pour l'aide, problème réglé en 5 min",
                                   "livraison encore en retard, c'est la troisième fois",
                                   "l'appli plante dès que j'ouvre mes comptes",
                                   "trop bien ce nouveau modèle, je recommande 👍",
                                   "quelqu'un sait à quelle heure ferme l'agence ?",
                                   "c'est une blague ? ça fait une heure que j'attends 😡",
                                   "super accueil ce matin, très pro",
                                   "je ne comprends pas pourquoi ils ne répondent jamais",
                                   "bof, rien de spécial",
                                   "plus jamais ça",
                                   "vivement la mise à jour, l'interface est pénible",
                                   "ça marche enfin !!! 🎉",
                                   "nul nul nul",
                                   "j'adore le design mais la batterie ne tient pas",
                                   "on en parle de ces frais cachés ?"};
constexpr const char* kEnglish[] = {"honestly the support team was great, thanks",
                                    "my order arrived late again, not happy",
                                    "worst customer service ever, three calls and nothing",
                                    "love this app, the new update is smooth 😍",
                                    "does anyone know when the store opens?",
                                    "charged me twice for the same thing 🙄",
                                    "meh, it's fine I guess",
                                    "can't log in since this morning, is it down?",
                                    "best purchase this year!!",
                                    "waiting on hold for 40 minutes, come on",
                                    "not bad at all",
                                    "this is a joke",
                                    "thank you so much 🙏",
                                    "the battery died after three months",
                                    "great people at the front desk today"};
constexpr const char* kTails[] = {
    "",   "",     "", " #fail", " #merci", " 🔥", " @support", " lol", " !!", " 😂😂", " https://example.com/x",
    " …", " 🤷"};
// What people say while a bank's app is down (the demo rules' `outage` topic, and negative).
constexpr const char* kOutage[] = {"c'est encore en panne, impossible de me connecter 😡",
                                   "app down again, can't log in and I need to pay rent",
                                   "panne générale ?? plus rien ne marche depuis une heure",
                                   "outage for hours and not a word from them, unacceptable",
                                   "impossible de me connecter, service client injoignable, inadmissible"};
constexpr const char* kPlatforms[] = {"mastodon", "bluesky", "x", "reddit", "youtube"};

std::string json_string(std::string_view s) {
  return boost::json::serialize(boost::json::string(s));
}

// One post's JSON without its leading `{"uid":"...",`.
std::string make_post(std::mt19937& rng, const CorpusOptions& o) {
  std::uniform_real_distribution<double> unit(0, 1);
  const bool fr = unit(rng) < 0.55;
  std::string text;
  if (unit(rng) < 0.03) {
    text = unit(rng) < 0.5 ? "😡😡😡" : "👍👍";  // emoji-only replies
  } else {
    // One to four phrases: from a short reply to a long post.
    const int phrases = 1 + static_cast<int>(rng() % 4);
    for (int p = 0; p < phrases; ++p) {
      if (p) text += p % 2 ? ". " : ", ";
      text += fr ? kFrench[rng() % std::size(kFrench)] : kEnglish[rng() % std::size(kEnglish)];
    }
    if (!o.brands.empty() && unit(rng) < o.brand_share) {
      const std::string& b = o.brands[rng() % o.brands.size()];
      text = (fr ? "Chez " + b + ", " : b + ": ") + text;
    }
    text += kTails[rng() % std::size(kTails)];
  }
  const std::string platform = kPlatforms[rng() % std::size(kPlatforms)];
  // Followers follow a long tail: most authors have a few hundred, a few have many.
  const auto followers = static_cast<long long>(std::pow(10.0, 1.0 + 4.5 * unit(rng) * unit(rng)));
  return R"("platform":")" + platform + R"(","author":{"handle":"u)" + std::to_string(rng() % 200000) +
         R"(","followers":)" + std::to_string(followers) + R"(},"text":)" + json_string(text) + "}";
}

}  // namespace

Corpus::Corpus(const CorpusOptions& o) : generated_(o) {
  std::mt19937 rng(o.seed);
  lines_.reserve(o.size);
  for (std::size_t i = 0; i < o.size; ++i)
    lines_.push_back(make_post(rng, o));
}

Corpus Corpus::from_file(const std::string& path, std::string* error) {
  Corpus c;
  std::ifstream in(path);
  if (!in) {
    *error = path + ": cannot open";
    return c;
  }
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(line, ec);
    if (ec || !v.is_object()) {
      *error = path + ":" + std::to_string(n) + ": not a JSON object";
      c.lines_.clear();
      return c;
    }
    v.as_object().erase("uid");
    v.as_object().erase("id");
    std::string s = boost::json::serialize(v);
    if (s.size() <= 2) continue;  // {} has nothing to send
    c.lines_.push_back(s.substr(1));
  }
  if (c.lines_.empty()) *error = path + ": no posts";
  return c;
}

void Corpus::append_batch(std::string& body, std::string_view uid_prefix, std::uint64_t first, int n) const {
  for (int i = 0; i < n; ++i) {
    const std::uint64_t number = first + static_cast<std::uint64_t>(i);
    body += R"({"uid":")";
    body += uid_prefix;
    body += std::to_string(number);
    body += "\",";
    body += lines_[number % lines_.size()];
    body += '\n';
  }
}

bool Corpus::write_month(const std::string& path, const MonthOptions& month, std::string* error) const {
  const CorpusOptions options = generated_.value_or(CorpusOptions{});
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> out(std::fopen(path.c_str(), "w"), &std::fclose);
  if (!out) {
    *error = path + ": cannot write";
    return false;
  }
  constexpr Micros kMinute = 60 * kMicrosPerSecond;
  const std::uint64_t minutes = static_cast<std::uint64_t>(month.days) * 1440;
  // The daily cycle: a fifth of the peak rate at 4 am, the peak at 4 pm.
  const auto weight = [](std::uint64_t minute) {
    const double hour = static_cast<double>(minute % 1440) / 60.0;
    return 0.2 + 0.8 * (0.5 - 0.5 * std::cos(2 * std::numbers::pi * (hour - 4) / 24));
  };
  double total_weight = 0;
  for (std::uint64_t m = 0; m < minutes; ++m)
    total_weight += weight(m);
  const std::uint64_t crisis_from = static_cast<std::uint64_t>(month.days * 2 / 3) * 1440 + 14 * 60;
  const std::uint64_t crisis_to = crisis_from + 3 * 60;
  const std::string brand = options.brands.empty() ? "Acme Bank" : options.brands.front();

  std::mt19937_64 rng(options.seed);
  // A generated corpus writes a new post each time rather than repeat its first `size`: over millions of
  // posts, one influencer's complaint repeated every 20,000 posts would open an incident every hour.
  std::mt19937 fresh(options.seed + 1);
  std::string buffer;
  buffer.reserve(1 << 21);
  std::vector<Micros> times;
  std::uint64_t written = 0;
  double cumulative = 0;
  for (std::uint64_t m = 0; m < minutes && written < month.posts; ++m) {
    cumulative += weight(m);
    const auto due = m + 1 == minutes
                         ? month.posts
                         : std::min(month.posts, static_cast<std::uint64_t>(static_cast<double>(month.posts) *
                                                                            cumulative / total_weight));
    // Each post at a millisecond of its minute (what platforms send), in the order they arrive: shuffled
    // within the minute, so the replay meets the small disorder a real feed has.
    times.clear();
    for (; written + times.size() < due;)
      times.push_back(month.from + static_cast<Micros>(m) * kMinute +
                      static_cast<Micros>(rng() % 60'000) * 1000);
    const bool crisis = m >= crisis_from && m < crisis_to;
    for (const Micros t : times) {
      buffer += R"({"uid":"month:)";
      buffer += std::to_string(written);
      buffer += R"(","created_at":")";
      buffer += format_rfc3339(t);
      buffer += "\",";
      if (crisis && rng() % 6 == 0) {
        buffer += R"("platform":"x","author":{"handle":"u)" + std::to_string(rng() % 200000) +
                  R"(","followers":)" + std::to_string(10 + rng() % 3000) + R"(},"text":)" +
                  json_string((rng() % 2 ? "Chez " + brand + ", " : brand + ": ") +
                              kOutage[rng() % std::size(kOutage)]) +
                  "}";
      } else if (generated_) {
        buffer += make_post(fresh, *generated_);
      } else {
        buffer += lines_[written % lines_.size()];
      }
      buffer += '\n';
      ++written;
    }
    if (buffer.size() >= (1 << 20)) {
      if (std::fwrite(buffer.data(), 1, buffer.size(), out.get()) != buffer.size()) {
        *error = path + ": write failed";
        return false;
      }
      buffer.clear();
    }
  }
  if (std::fwrite(buffer.data(), 1, buffer.size(), out.get()) != buffer.size() ||
      std::fflush(out.get()) != 0) {
    *error = path + ": write failed";
    return false;
  }
  return true;
}

double Corpus::mean_bytes() const {
  double total = 0;
  for (const auto& l : lines_)
    total += static_cast<double>(l.size());
  return lines_.empty() ? 0 : total / static_cast<double>(lines_.size());
}

}  // namespace vigie::load
