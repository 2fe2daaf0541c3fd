#include "rules/language/language_detector.h"

#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>
#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cstdio>  // compact_lang_det.h uses FILE without including <cstdio>
#include <cstdlib>
#include <string>

#include "rules/language/function_words.h"
#include "rules/text/text_fold.h"

namespace vigie::rules {
namespace {

// Below this many letters CLD2's verdict is checked against function-word evidence even when it says it is
// reliable: on a few words it confuses close languages and defaults to English.
constexpr int kShortTextLetters = 80;
// A short text CLD2 reliably reads as another Latin-script language, with none of that language's function
// words or letters, is believed from this many letters on ("Endlich Feierabend" yes, "angry" no).
constexpr int kOtherLanguageLetters = 12;
// Below this many letters one French or English word outweighs CLD2's reliable verdict of another language.
constexpr int kWeakEvidenceLetters = 20;
// Without any function word, a French or English verdict of CLD2 on fewer letters is a guess.
constexpr int kBareVerdictLetters = 16;

bool is_french_elision(std::string_view prefix) {
  static constexpr std::array<std::string_view, 13> kPrefixes = {
      "j'", "l'", "d'", "c'", "qu'", "n'", "s'", "m'", "t'", "jusqu'", "lorsqu'", "puisqu'", "quoiqu'"};
  return std::find(kPrefixes.begin(), kPrefixes.end(), prefix) != kPrefixes.end();
}

bool is_english_clitic(std::string_view before, std::string_view after) {
  if (after == "t") return before.size() > 1 && before.back() == 'n';  // "don't", "isn't"
  return after == "s" || after == "m" || after == "re" || after == "ll" || after == "ve" || after == "d";
}

struct Evidence {
  int french = 0;    // French function words and elisions
  int english = 0;   // English function words and clitics
  int accented = 0;  // other words spelt with French accents
  int other = 0;     // function words of the other listed languages
  std::uint16_t other_bits = 0;
  int foreign = 0;    // Latin letters with marks French and English never use (å ñ ş ł ß ã ó...)
  int latin = 0;      // letters of the Latin script
  int non_latin = 0;  // letters of any other script
  int letters() const { return latin + non_latin; }
  // Function words of the language with this bit (one of lang_words::Bits).
  int of(std::uint16_t bit) const { return bit && (other_bits & bit) ? other_of[std::countr_zero(bit)] : 0; }
  int other_of[16] = {};
};

struct Scratch {
  std::string clean;  // the post without URLs, mentions and hashtags, for CLD2
  std::string word;   // one lower-cased word
};

bool is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Lower-cases ASCII and Latin-1 capitals; other bytes are copied. Curly apostrophes become '.
void lower_word(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c + 32));
    } else if (c == 0xC3 && i + 1 < in.size() && static_cast<unsigned char>(in[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(in[i + 1]) <= 0x9E &&
               static_cast<unsigned char>(in[i + 1]) != 0x97) {
      out.push_back(static_cast<char>(c));
      out.push_back(static_cast<char>(in[++i] + 0x20));
    } else if (c == 0xE2 && i + 2 < in.size() && in[i + 1] == '\x80' && in[i + 2] == '\x99') {
      out.push_back('\'');
      i += 2;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
}

// Letters of French spelling that English words do not use (é, è, ê, à, ù, ç, â, î, ô, û, ë, ï, œ).
bool has_french_letter(std::string_view w) {
  // All of them are outside ASCII: most words are plain ASCII and need no search.
  if (std::none_of(w.begin(), w.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }))
    return false;
  static constexpr std::string_view kLetters[] = {"é", "è", "ê", "à", "ù", "ç", "â",
                                                  "î", "ô", "û", "ë", "ï", "œ"};
  for (std::string_view l : kLetters)
    if (w.find(l) != std::string_view::npos) return true;
  return false;
}

void weigh_word(std::string_view raw, Scratch& s, Evidence& ev) {
  lower_word(raw, s.word);
  std::string_view w = s.word;
  auto punct = [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x80 && std::ispunct(u);
  };
  while (!w.empty() && punct(w.front()))
    w.remove_prefix(1);
  while (!w.empty() && punct(w.back()))
    w.remove_suffix(1);
  if (w.empty()) return;
  if (const std::uint16_t bits = lang_words::languages_of(w)) {
    ev.french += (bits & lang_words::kFrench) != 0;
    ev.english += (bits & lang_words::kEnglish) != 0;
    if (bits & lang_words::kOther) {
      ++ev.other;
      ev.other_bits |= bits & lang_words::kOther;
      for (std::uint16_t rest = bits & lang_words::kOther; rest; rest &= rest - 1)
        ++ev.other_of[std::countr_zero(rest)];
    }
    return;
  }
  const std::size_t apostrophe = w.find('\'');
  if (apostrophe == std::string_view::npos || apostrophe == 0 || apostrophe + 1 >= w.size()) {
    // An accented word is no proof of French (Spanish, Portuguese...) but is evidence against English.
    if (has_french_letter(w)) ++ev.accented;
    return;
  }
  if (const std::uint16_t bits = lang_words::languages_of(w.substr(0, apostrophe + 1));
      bits & lang_words::kOther) {
    ++ev.other;  // an elision of another language: Italian "dell'", "un'", "dov'"
    ev.other_bits |= bits;
    for (std::uint16_t rest = bits & lang_words::kOther; rest; rest &= rest - 1)
      ++ev.other_of[std::countr_zero(rest)];
  } else if (is_french_elision(w.substr(0, apostrophe + 1))) {
    ++ev.french;
    // The elided word itself may be evidence too ("c'est" → "est").
    if (lang_words::languages_of(w.substr(apostrophe + 1)) & lang_words::kFrench) ++ev.french;
  } else if (is_english_clitic(w.substr(0, apostrophe), w.substr(apostrophe + 1))) {
    ++ev.english;
  }
}

bool is_noise_token(std::string_view token) {
  if (token.front() == '@' || token.front() == '#') return true;
  auto starts = [&](std::string_view p) { return token.substr(0, p.size()) == p; };
  return starts("http://") || starts("https://") || starts("www.");
}

// Calls fn(token) for each white-space separated token of `text` that is not a URL, @mention or #hashtag.
template <typename Fn>
void for_each_word(std::string_view text, Fn&& fn) {
  for (std::size_t pos = 0; pos < text.size();) {
    while (pos < text.size() && is_space(static_cast<unsigned char>(text[pos])))
      ++pos;
    const std::size_t start = pos;
    while (pos < text.size() && !is_space(static_cast<unsigned char>(text[pos])))
      ++pos;
    if (pos == start) break;
    const std::string_view token = text.substr(start, pos - start);
    if (!is_noise_token(token)) fn(token);
  }
}

// Latin-script code points: Basic Latin to Latin Extended-B, IPA excluded, and Latin Extended Additional
// (Vietnamese). Combining marks are not letters and are not counted.
bool is_latin(std::int32_t cp) {
  return cp < 0x250 || (cp >= 0x1E00 && cp < 0x1F00);
}

// Accented Latin letters of French spelling (and of English loanwords from French): à â ä ç é è ê ë î ï ô ö ù
// û ü ÿ æ œ. Any other marked Latin letter belongs to another language.
bool is_french_or_plain_latin(std::int32_t cp) {
  if (cp < 0xC0) return true;
  switch (cp | 0x20) {  // Latin-1 capitals are their small letter minus 0x20
    case 0xE0:
    case 0xE2:
    case 0xE4:
    case 0xE6:
    case 0xE7:
    case 0xE8:
    case 0xE9:
    case 0xEA:
    case 0xEB:
    case 0xEE:
    case 0xEF:
    case 0xF4:
    case 0xF6:
    case 0xF9:
    case 0xFB:
    case 0xFC:
    case 0xFF:
      return cp < 0x100;
    default:
      return cp == 0x152 || cp == 0x153 || cp == 0x178;  // Œ œ Ÿ
  }
}

void count_letters(std::string_view token, Evidence& ev) {
  for (std::size_t pos = 0; pos < token.size();) {
    const auto b = static_cast<unsigned char>(token[pos]);
    if (b < 0x80) {
      ev.latin += (b | 0x20) >= 'a' && (b | 0x20) <= 'z';
      ++pos;
      continue;
    }
    const std::int32_t cp = decode_utf8(token, pos);
    if (cp < 0) continue;
    const utf8proc_category_t cat = utf8proc_category(cp);
    if (cat < UTF8PROC_CATEGORY_LU || cat > UTF8PROC_CATEGORY_LO) continue;
    if (is_latin(cp)) {
      ++ev.latin;
      ev.foreign += !is_french_or_plain_latin(cp);
    } else {
      ++ev.non_latin;
    }
  }
}

// CLD2's code for `lang` as ISO 639-1, pointing to static storage; "und" when unknown or not two-letter.
std::string_view iso_code(CLD2::Language lang) {
  if (lang == CLD2::UNKNOWN_LANGUAGE || lang == CLD2::TG_UNKNOWN_LANGUAGE) return "und";
  const std::string_view code = CLD2::LanguageCode(lang);
  if (code == "iw") return "he";  // CLD2 keeps the codes Google used before ISO 639 changed them
  if (code == "in") return "id";
  if (code == "ji") return "yi";
  if (code.size() == 2 || (code.size() > 2 && code[2] == '-')) return code.substr(0, 2);
  return "und";
}

// The language a text in a non-Latin script is most likely in, from its letters, for when CLD2 cannot say:
// kana is Japanese even among Han characters, Hangul Korean; other scripts name their main language. "und"
// for a script with no single main language: still not French or English.
std::string_view script_default(std::string_view text) {
  std::string_view first = "und";
  for (std::size_t pos = 0; pos < text.size();) {
    const std::int32_t cp = decode_utf8(text, pos);
    if (cp < 0x370) continue;
    if ((cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x31F0 && cp <= 0x31FF)) return "ja";
    if ((cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x3130 && cp <= 0x318F)) {
      return "ko";
    }
    if (first != "und") continue;
    if (cp <= 0x3FF)
      first = "el";
    else if (cp <= 0x4FF)
      first = "ru";
    else if (cp >= 0x530 && cp <= 0x58F)
      first = "hy";
    else if (cp >= 0x590 && cp <= 0x5FF)
      first = "he";
    else if ((cp >= 0x600 && cp <= 0x6FF) || (cp >= 0x750 && cp <= 0x77F))
      first = "ar";
    else if (cp >= 0x900 && cp <= 0x97F)
      first = "hi";
    else if (cp >= 0x980 && cp <= 0x9FF)
      first = "bn";
    else if (cp >= 0xE00 && cp <= 0xE7F)
      first = "th";
    else if (cp >= 0x10A0 && cp <= 0x10FF)
      first = "ka";
    else if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF))
      first = "zh";
  }
  return first;
}

// When CLD2 cannot say or says French or English against the evidence: the language whose function words the
// text carries, if there are two or more, more than the French and English ones, and no other listed language
// comes within two; "" otherwise.
std::string_view dominant_other_language(const Evidence& ev) {
  static constexpr std::string_view kCodes[16] = {"fr", "en", "de", "es", "it", "pt", "nl", "sv",
                                                  "pl", "tr", "id", "",   "",   "",   "",   ""};
  int best = 0, second = 0, best_bit = -1;
  for (int bit = 2; bit < 16; ++bit) {
    const int n = ev.other_of[bit];
    if (n > best) {
      second = best;
      best = n;
      best_bit = bit;
    } else if (n > second) {
      second = n;
    }
  }
  if (best_bit < 0 || best < 2 || best - second < 2) return {};
  if (best < ev.french + ev.accented + ev.english + 1) return {};
  return kCodes[best_bit];
}

// The declared language as a code in static storage, or "und". Accepts "fr", "FR", "fr-CA", "fr_FR".
std::string_view hint_code(std::string_view hint) {
  if (hint.size() < 2) return "und";
  char code[3] = {static_cast<char>(std::tolower(static_cast<unsigned char>(hint[0]))),
                  static_cast<char>(std::tolower(static_cast<unsigned char>(hint[1]))), '\0'};
  if (hint.size() > 2 && hint[2] != '-' && hint[2] != '_') return "und";
  if (code[0] < 'a' || code[0] > 'z' || code[1] < 'a' || code[1] > 'z') return "und";
  // CLD2's look-up compares names one by one: every post has a hint to read, so all 676 two-letter codes
  // are looked up once.
  static const std::array<std::string_view, 26 * 26> kCodes = [] {
    std::array<std::string_view, 26 * 26> t;
    for (int i = 0; i < 26 * 26; ++i) {
      const char name[3] = {static_cast<char>('a' + i / 26), static_cast<char>('a' + i % 26), '\0'};
      t[static_cast<std::size_t>(i)] = iso_code(CLD2::GetLanguageFromName(name));
    }
    return t;
  }();
  return kCodes[static_cast<std::size_t>((code[0] - 'a') * 26 + (code[1] - 'a'))];
}

}  // namespace

LanguageGuess LanguageDetector::decide(std::string_view text, std::string_view hint) const {
  thread_local Scratch s;
  Evidence ev;
  // First pass: letters by script and function-word evidence, token by token.
  for_each_word(text, [&](std::string_view token) {
    const int before = ev.letters();
    count_letters(token, ev);
    if (ev.letters() != before) weigh_word(token, s, ev);
  });
  LanguageGuess undetermined;
  undetermined.declared = hint_code(hint);
  if (ev.letters() == 0) return undetermined;  // nothing to read: emoji, links, tags only

  if (ev.non_latin == 0 && ev.other == 0 && ev.foreign == 0) {
    LanguageGuess g = undetermined;
    g.determined = true;
    if (ev.french >= 2 && ev.english == 0) g.lang = "fr";
    if (ev.english >= 2 && ev.french == 0 && ev.accented == 0) g.lang = "en";
    if (g.lang != "und") return g;
  }

  // CLD2 reads the post without its URLs, mentions and hashtags.
  s.clean.clear();
  for_each_word(text, [&](std::string_view token) {
    s.clean.append(token);
    s.clean.push_back(' ');
  });
  CLD2::Language language3[3];
  int percent3[3];
  double scores3[3];
  int text_bytes = 0;
  bool reliable = false;
  int valid_prefix = 0;
  const CLD2::CLDHints no_hints{nullptr, nullptr, CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE};
  // The CheckUTF8 entry point: posts are outside input and may carry invalid UTF-8.
  const CLD2::Language top = CLD2::ExtDetectLanguageSummaryCheckUTF8(
      s.clean.data(), static_cast<int>(s.clean.size()), true, &no_hints, 0, language3, percent3, scores3,
      nullptr, &text_bytes, &reliable, &valid_prefix);
  const std::string_view code = iso_code(top);
  undetermined.used_cld2 = true;
  auto determined = [&](std::string_view lang) {
    LanguageGuess g = undetermined;
    g.lang = lang;
    g.determined = true;
    return g;
  };

  // Mostly another script: not French or English, whatever the Latin words in it (brand names...).
  if (ev.non_latin >= ev.latin) {
    if (code != "und" && code != "en" && code != "fr") return determined(code);
    return determined(script_default(text));
  }
  const int letters = ev.letters();
  if (reliable && letters >= kShortTextLetters) return determined(code);

  // Between French and English, accented words count for French.
  const int margin = ev.french + ev.accented - ev.english;
  const bool fr_en_evidence = ev.french + ev.english + ev.accented > 0;
  if (top != CLD2::ENGLISH && top != CLD2::FRENCH && top != CLD2::UNKNOWN_LANGUAGE && code != "und") {
    const int own = ev.of(lang_words::bit_of_code(code));
    // Another language: strong French or English evidence overrules CLD2 on a short text...
    if (std::abs(margin) >= 2 && own == 0) return determined(margin > 0 ? "fr" : "en");
    // ...its own function words or letters confirm it...
    if (own >= 2 || (reliable && (own >= 1 || ev.foreign > 0))) return determined(code);
    // ...a French or English word with nothing against it outweighs CLD2 on a short text ("chuis trop
    // decu" is not Serbian)...
    if (margin != 0 && ev.foreign == 0 && (!reliable || letters < kWeakEvidenceLetters)) {
      return determined(margin > 0 ? "fr" : "en");
    }
    // ...and with no evidence at all, CLD2 sure of itself on enough letters.
    if (reliable && letters >= kOtherLanguageLetters) return determined(code);
    return undetermined;
  }
  // CLD2 does not know, but another language's function words leave no doubt it is not French or English.
  if (const std::string_view other = dominant_other_language(ev); !other.empty()) return determined(other);
  // CLD2 says French or English, or does not know: the function words decide when they take a side...
  if (margin > 0) return determined("fr");
  if (margin < 0) return determined("en");
  // ...and when they do not, CLD2 alone is believed only on enough text.
  if (reliable && code != "und" && !fr_en_evidence && letters >= kBareVerdictLetters) return determined(code);
  if (reliable && code != "und" && fr_en_evidence) return determined(code);
  return undetermined;
}

}  // namespace vigie::rules
