#include "tests/bench/load/load_corpus.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <fstream>
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
constexpr const char* kPlatforms[] = {"mastodon", "bluesky", "x", "reddit", "youtube"};

std::string json_string(std::string_view s) {
  return boost::json::serialize(boost::json::string(s));
}

}  // namespace

Corpus::Corpus(const CorpusOptions& o) {
  std::mt19937 rng(o.seed);
  std::uniform_real_distribution<double> unit(0, 1);
  lines_.reserve(o.size);
  for (std::size_t i = 0; i < o.size; ++i) {
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
    lines_.push_back(R"("platform":")" + platform + R"(","author":{"handle":"u)" +
                     std::to_string(rng() % 200000) + R"(","followers":)" + std::to_string(followers) +
                     R"(},"text":)" + json_string(text) + "}");
  }
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

double Corpus::mean_bytes() const {
  double total = 0;
  for (const auto& l : lines_)
    total += static_cast<double>(l.size());
  return lines_.empty() ? 0 : total / static_cast<double>(lines_.size());
}

}  // namespace vigie::load
