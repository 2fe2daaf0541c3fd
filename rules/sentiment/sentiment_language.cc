#include "rules/sentiment/sentiment_language.h"

#include <charconv>
#include <cmath>
#include <map>
#include <unordered_map>

#include "rules/sentiment/sentiment_embedded_lexicons.h"
#include "rules/text/text_fold.h"

namespace vigie::rules {
namespace {

// A single-source French entry weaker than this is more likely translation noise than signal (vader_FR is a
// machine translation of VADER's lexicon; AFINN-fr of AFINN's). See rules/sentiment/lexicons/README.md.
constexpr float kSingleSourceMinimum = 0.5f;
// AFINN rates on -5..+5, VADER on -4..+4.
constexpr float kAfinnToVader = 0.8f;

std::string location(std::string_view path, int line) {
  return "rules/sentiment/lexicons/" + std::string(path) + ":" + std::to_string(line);
}

// Calls f(line_text, line_number) for every non-empty line that is not a comment; f returns Result<void>.
template <class F>
Result<void> for_each_line(std::string_view path, F&& f) {
  const std::string_view data = embedded_lexicon(path);
  if (data.empty())
    return error("rules/sentiment/lexicons/" + std::string(path) + ": not embedded in the build");
  int number = 0;
  std::size_t pos = 0;
  while (pos < data.size()) {
    std::size_t end = data.find('\n', pos);
    if (end == std::string_view::npos) end = data.size();
    std::string_view line = data.substr(pos, end - pos);
    pos = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    if (auto r = f(line, number); !r) return r;
  }
  return ok();
}

Result<float> parse_valence(std::string_view s, std::string_view path, int line) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '+'))
    s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ')
    s.remove_suffix(1);
  float v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) {
    return error(location(path, line) + ": '" + std::string(s) + "' is not a number");
  }
  return v;
}

bool has_ascii_upper(std::string_view s) {
  for (char c : s)
    if (c >= 'A' && c <= 'Z') return true;
  return false;
}

// The resources under construction.
struct Draft {
  SentimentLexicon::Builder words;
  SentimentLexicon::Builder phrases;
  std::vector<std::string> phrase_keys;
  EmojiDescriptions emoji;
  // Base form (EmojiDescriptions::base_form) of every emoji in emoji_valence.tsv → its valence.
  std::unordered_map<std::string, float> emoji_valence;

  // The entry a (folded) word or phrase configures.
  LexiconEntry& entry(std::string_view folded) {
    const std::string normalized = normalize_phrase(folded, words);
    const std::size_t space = normalized.find(' ');
    if (space == std::string::npos) return words.at(normalized);
    phrase_keys.push_back(normalized);
    return phrases.at(normalized);
  }

  void set_valence(std::string_view folded, float v) {
    LexiconEntry& e = entry(folded);
    e.valence = v;
    e.flags |= lex::kValence;
  }

  SentimentLanguage freeze(std::string code) {
    for (const std::string& phrase : phrase_keys) {
      std::size_t pos = phrase.find(' ');
      words.at(std::string_view(phrase).substr(0, pos)).flags |= lex::kPhraseHead;
      while (pos != std::string::npos) {
        const std::size_t next = phrase.find(' ', pos + 1);
        words.at(std::string_view(phrase).substr(pos + 1, next - pos - 1)).flags |= lex::kPhraseNext;
        pos = next;
      }
    }
    SentimentLanguage lang;
    lang.code = std::move(code);
    lang.words = words.freeze();
    lang.phrases = phrases.freeze();
    lang.emoji = std::move(emoji);
    return lang;
  }
};

// `emoji<TAB>valence[<TAB>name]`, the same for every language: each emoji becomes one token with that valence
// (0: a token without valence), kept by the emoji table rather than the word table.
Result<void> load_emoji_valences(Draft& d) {
  constexpr std::string_view kPath = "emoji_valence.tsv";
  return for_each_line(kPath, [&](std::string_view line, int number) -> Result<void> {
    const std::size_t t1 = line.find('\t');
    if (t1 == std::string_view::npos || t1 == 0) {
      return error(location(kPath, number) + ": expected 'emoji<TAB>valence<TAB>name'");
    }
    std::string_view value = line.substr(t1 + 1);
    value = value.substr(0, value.find('\t'));
    auto v = parse_valence(value, kPath, number);
    if (!v) return v.error();
    if (*v < -4 || *v > 4) return error(location(kPath, number) + ": valence must lie in -4..4");
    const std::string base = EmojiDescriptions::base_form(line.substr(0, t1));
    if (base.empty()) return error(location(kPath, number) + ": no emoji");
    if (!d.emoji_valence.emplace(base, *v).second) {
      return error(location(kPath, number) + ": emoji listed twice (variation selectors are ignored)");
    }
    d.emoji.add_token(base, base, *v);
    return ok();
  });
}

// The emoji valences, then the language's descriptions: a variant of an emoji with a valence of its own
// ("👍🏽", "🤦‍♀️") is the same token as the plain emoji.
Result<void> load_emoji(Draft& d, std::string_view path) {
  if (auto r = load_emoji_valences(d); !r) return r;
  return for_each_line(path, [&](std::string_view line, int number) -> Result<void> {
    const std::size_t tab = line.find('\t');
    if (tab == std::string_view::npos || tab == 0) {
      return error(location(path, number) + ": expected 'emoji<TAB>description'");
    }
    const std::string_view emoji = line.substr(0, tab);
    const std::string base = EmojiDescriptions::base_form(emoji);
    if (auto it = d.emoji_valence.find(base); it != d.emoji_valence.end()) {
      d.emoji.add_token(emoji, base, it->second);
    } else {
      d.emoji.add(emoji, fold_sentiment_key(line.substr(tab + 1)));
    }
    return ok();
  });
}

// An emoticon of VADER's lexicon (":)", ":'(", "<3", ":-d", "o:)"): punctuation and at most single letters.
// Emoticons are language-independent, so French shares them.
bool is_emoticon(std::string_view token) {
  auto is_letter = [](char ch) {
    const auto c = static_cast<unsigned char>(ch | 0x20);
    return c >= 'a' && c <= 'z';
  };
  bool punctuation = false;
  for (std::size_t i = 0; i < token.size(); ++i) {
    const auto c = static_cast<unsigned char>(token[i]);
    if (c == ' ') return false;
    if (is_letter(token[i]) && i > 0 && is_letter(token[i - 1])) return false;  // a word ("cover-up")
    punctuation |= c < 0x80 && !is_letter(token[i]) && !(c >= '0' && c <= '9');
  }
  return punctuation;
}

// Calls f(token, valence) for every entry of VADER's English lexicon VADER can match (no capitals: VADER looks
// tokens up lower-cased, so an entry spelled with capitals, ":D" beside ":d", never matches).
template <class F>
Result<void> for_each_vader_entry(F&& f) {
  constexpr std::string_view kLexicon = "en/vader_lexicon.txt";
  return for_each_line(kLexicon, [&](std::string_view line, int number) -> Result<void> {
    const std::size_t t1 = line.find('\t');
    if (t1 == std::string_view::npos || t1 == 0) {
      return error(location(kLexicon, number) + ": expected 'token<TAB>valence<TAB>...'");
    }
    const std::string_view token = line.substr(0, t1);
    std::string_view value = line.substr(t1 + 1);
    value = value.substr(0, value.find('\t'));
    auto v = parse_valence(value, kLexicon, number);
    if (!v) return v.error();
    if (!has_ascii_upper(token)) f(token, *v);
    return ok();
  });
}

// `role<TAB>word or phrase[<TAB>value]`: the grammar of a language (negators, boosters, contrast words,
// elided prefixes, idioms). With only_elision, reads just the elision lines, which phrase splitting needs.
Result<void> load_modifiers(Draft& d, std::string_view path, bool only_elision) {
  struct Role {
    std::string_view name;
    std::uint32_t flag;
  };
  static constexpr Role kRoles[] = {
      {"negator", lex::kNegator},       {"post_negator", lex::kPostNegator},
      {"ne", lex::kNeParticle},         {"negator_after_ne", lex::kNegatorAfterNe},
      {"contrast", lex::kContrast},     {"no_flip", lex::kNoFlip},
      {"elision", lex::kElision},       {"filler", lex::kFiller},
      {"opener", lex::kOpener},         {"vader_no", lex::kNo},
      {"vader_least", lex::kLeast},     {"vader_at_or_very", lex::kAtOrVery},
      {"vader_never", lex::kNever},     {"vader_so_or_this", lex::kSoOrThis},
      {"vader_without", lex::kWithout}, {"vader_doubt", lex::kDoubt},
      {"vader_or_nor", lex::kOrNor},
  };
  constexpr std::uint32_t kGrammar = lex::kNegator | lex::kPostNegator | lex::kNeParticle |
                                     lex::kNegatorAfterNe | lex::kContrast | lex::kElision | lex::kFiller;
  return for_each_line(path, [&](std::string_view line, int number) -> Result<void> {
    const std::size_t t1 = line.find('\t');
    if (t1 == std::string_view::npos) return error(location(path, number) + ": expected 'role<TAB>phrase'");
    const std::string_view role = line.substr(0, t1);
    std::string_view rest = line.substr(t1 + 1);
    std::string_view value;
    if (const std::size_t t2 = rest.find('\t'); t2 != std::string_view::npos) {
      value = rest.substr(t2 + 1);
      rest = rest.substr(0, t2);
    }
    if ((role == "elision") != only_elision) return ok();
    const std::string folded = fold_sentiment_key(rest);
    if (folded.empty()) return error(location(path, number) + ": empty phrase");
    if (role == "valence" || role == "booster" || role == "vow") {
      auto v = parse_valence(value, path, number);
      if (!v) return v.error();
      LexiconEntry& e = d.entry(folded);
      if (role == "valence") {
        e.valence = *v;
        e.flags |= lex::kValence;
      } else if (role == "vow") {
        e.valence = *v;
        e.flags |= lex::kValence | lex::kNegator | lex::kPostNegator | lex::kVow;
      } else {
        e.scalar = *v;
        e.flags |= lex::kBooster;
      }
      return ok();
    }
    if (role == "neutral") {
      d.entry(folded).flags &= ~lex::kValence;
      return ok();
    }
    for (const Role& r : kRoles) {
      if (r.name == role) {
        LexiconEntry& e = d.entry(folded);
        e.flags |= r.flag;
        // A grammar word is not also a valence word: VADER would skip it when looking for modifiers
        // (AFINN-fr rates "plus" +3, from English "plus").
        if (r.flag & kGrammar) e.flags &= ~lex::kValence;
        return ok();
      }
    }
    return error(location(path, number) + ": unknown role '" + std::string(role) + "'");
  });
}

Result<void> add_extra(Draft& d, const std::vector<std::pair<std::string, float>>& extra) {
  for (const auto& [term, valence] : extra) {
    const std::string folded = fold_sentiment_key(term);
    if (folded.find_first_not_of(' ') == std::string::npos) {
      return error("sentiment.extra: empty term");
    }
    if (!std::isfinite(valence) || valence < -4 || valence > 4) {
      return error("sentiment.extra: valence of '" + term + "' must lie in -4..4 (VADER's scale)");
    }
    d.set_valence(folded, valence);
  }
  return ok();
}

// Mean of every value that folds to the same key ("abandonne", "abandonné").
struct Averaged {
  float sum = 0;
  int count = 0;
  float mean() const { return sum / static_cast<float>(count); }
};

}  // namespace

void expand_ligatures(std::string& s, std::size_t from) {
  for (std::size_t i = from; i + 1 < s.size(); ++i) {
    if (s[i] == '\xC5' && s[i + 1] == '\x93') {
      s[i] = 'o';
      s[i + 1] = 'e';
    } else if (s[i] == '\xC3' && s[i + 1] == '\xA6') {
      s[i] = 'a';
      s[i + 1] = 'e';
    }
  }
}

std::string fold_sentiment_key(std::string_view text) {
  std::string out;
  fold_text(text, out);
  expand_ligatures(out, 0);
  return out;
}

std::string normalize_phrase(std::string_view folded, const SentimentLexicon::Builder& words) {
  std::string out;
  std::size_t pos = 0;
  while (pos < folded.size()) {
    while (pos < folded.size() && folded[pos] == ' ')
      ++pos;
    std::size_t end = folded.find(' ', pos);
    if (end == std::string_view::npos) end = folded.size();
    std::string_view word = folded.substr(pos, end - pos);
    pos = end;
    // Same rule as the tokenizer: an elided prefix ("j'", "qu'") listed in the lexicon is its own token.
    while (!word.empty()) {
      const std::size_t apostrophe = word.find('\'');
      std::string_view piece = word;
      if (apostrophe != std::string_view::npos && apostrophe + 1 < word.size()) {
        const LexiconEntry* e = words.find(word.substr(0, apostrophe + 1));
        if (e && (e->flags & lex::kElision)) piece = word.substr(0, apostrophe + 1);
      }
      if (!out.empty()) out += ' ';
      out += piece;
      word.remove_prefix(piece.size());
    }
  }
  return out;
}

Result<SentimentLanguage> load_english_sentiment(const std::vector<std::pair<std::string, float>>& extra) {
  Draft d;
  auto r = for_each_vader_entry(
      [&](std::string_view token, float v) { d.set_valence(fold_sentiment_key(token), v); });
  if (!r) return r.error();
  if (r = load_emoji(d, "en/emoji_utf8_lexicon.txt"); !r) return r.error();
  if (r = load_modifiers(d, "en/vader_modifiers.tsv", false); !r) return r.error();
  if (r = add_extra(d, extra); !r) return r.error();
  SentimentLanguage lang = d.freeze("en");
  lang.vader_english_rules = true;
  lang.vader_token_stripping = true;
  return lang;
}

Result<SentimentLanguage> load_french_sentiment(const std::vector<std::pair<std::string, float>>& extra) {
  Draft d;
  constexpr std::string_view kModifiers = "fr/vigie_modifiers.tsv";
  auto r = load_modifiers(d, kModifiers, true);
  if (!r) return r.error();

  // Two machine-translated sources; each is noisy, so they are reconciled: agreement → mean, disagreement on
  // the sign → dropped, a single weak source → dropped. The project's own valences then override.
  std::map<std::string, Averaged> vader_fr;
  std::map<std::string, Averaged> afinn_fr;
  constexpr std::string_view kVaderFr = "fr/fr_lexicon.txt";
  r = for_each_line(kVaderFr, [&](std::string_view line, int number) -> Result<void> {
    const std::size_t arrow = line.rfind("->");
    if (arrow == std::string_view::npos || arrow == 0) {
      return error(location(kVaderFr, number) + ": expected 'token->valence'");
    }
    auto v = parse_valence(line.substr(arrow + 2), kVaderFr, number);
    if (!v) return v.error();
    Averaged& a = vader_fr[fold_sentiment_key(line.substr(0, arrow))];
    a.sum += *v;
    ++a.count;
    return ok();
  });
  if (!r) return r.error();
  constexpr std::string_view kAfinnFr = "fr/AFINN-fr-165.txt";
  r = for_each_line(kAfinnFr, [&](std::string_view line, int number) -> Result<void> {
    const std::size_t tab = line.rfind('\t');
    if (tab == std::string_view::npos || tab == 0) {
      return error(location(kAfinnFr, number) + ": expected 'word<TAB>valence'");
    }
    auto v = parse_valence(line.substr(tab + 1), kAfinnFr, number);
    if (!v) return v.error();
    Averaged& a = afinn_fr[fold_sentiment_key(line.substr(0, tab))];
    a.sum += *v * kAfinnToVader;
    ++a.count;
    return ok();
  });
  if (!r) return r.error();
  for (const auto& [key, a] : vader_fr) {
    const float v = a.mean();
    auto other = afinn_fr.find(key);
    if (other != afinn_fr.end()) {
      const float w = other->second.mean();
      if ((v > 0) == (w > 0) && v != 0 && w != 0) d.set_valence(key, (v + w) / 2);
    } else if (std::fabs(v) >= kSingleSourceMinimum) {
      d.set_valence(key, v);
    }
  }
  for (const auto& [key, a] : afinn_fr) {
    if (!vader_fr.contains(key) && std::fabs(a.mean()) >= kSingleSourceMinimum) d.set_valence(key, a.mean());
  }
  // Emoticons are the same in every language: VADER's, which vader_FR copies only in part (it lacks "o:)"
  // and "\o/", and halves ":(").
  r = for_each_vader_entry([&](std::string_view token, float v) {
    if (is_emoticon(token)) d.set_valence(fold_sentiment_key(token), v);
  });
  if (!r) return r.error();

  constexpr std::string_view kNoNegate = "fr/no_negate.txt";
  r = for_each_line(kNoNegate, [&](std::string_view line, int) -> Result<void> {
    d.entry(fold_sentiment_key(line)).flags |= lex::kNoFlip;
    return ok();
  });
  if (!r) return r.error();

  constexpr std::string_view kValences = "fr/vigie_valence.tsv";
  r = for_each_line(kValences, [&](std::string_view line, int number) -> Result<void> {
    const std::size_t tab = line.rfind('\t');
    if (tab == std::string_view::npos || tab == 0) {
      return error(location(kValences, number) + ": expected 'word<TAB>valence'");
    }
    auto v = parse_valence(line.substr(tab + 1), kValences, number);
    if (!v) return v.error();
    const std::string key = fold_sentiment_key(line.substr(0, tab));
    if (*v == 0) {
      d.entry(key).flags &= ~lex::kValence;  // a word the sources rate but that carries no sentiment
    } else {
      d.set_valence(key, *v);
    }
    return ok();
  });
  if (!r) return r.error();

  if (r = load_emoji(d, "fr/emojis_fr.txt"); !r) return r.error();
  if (r = load_modifiers(d, kModifiers, false); !r) return r.error();
  if (r = add_extra(d, extra); !r) return r.error();
  SentimentLanguage lang = d.freeze("fr");
  lang.french_negation = true;
  return lang;
}

}  // namespace vigie::rules
