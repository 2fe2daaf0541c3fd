#include "rules/language/language_detector.h"

#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>
#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>  // compact_lang_det.h uses FILE without including <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_set>

#include "rules/text/text_fold.h"

namespace vigie::rules {
namespace {

// Below this many letters CLD2's verdict is checked against function-word evidence even when it says it is
// reliable: on a few words it confuses close languages and defaults to English.
constexpr int kShortTextLetters = 80;

// Function words and very frequent words that are nearly unambiguous between French and English and rare in
// the other Latin-script languages. Accents are kept ("à" is French, "a" is not evidence).
const std::unordered_set<std::string_view>& french_words() {
  static const std::unordered_set<std::string_view> words{
      "le", "les", "des", "du", "et", "est", "je", "tu", "il", "elle", "nous", "vous", "ils", "elles", "pas",
      "une", "ce", "cette", "ces", "ça", "mais", "avec", "pour", "dans", "sur", "très", "trop", "qui", "mon",
      "ma", "mes", "ton", "ta", "tes", "sa", "ses", "leur", "leurs", "au", "aux", "ne", "suis", "sont", "été",
      "être", "avoir", "ai", "avons", "avez", "ont", "fait", "faire", "tout", "tous", "toute", "plus", "moi",
      "toi", "lui", "eux", "quoi", "oui", "merci", "bonjour", "bonsoir", "salut", "vraiment", "jamais",
      "rien", "où", "à", "déjà", "aussi", "alors", "donc", "car", "quand", "comme", "chez", "votre", "vos",
      "notre", "nos", "sans", "encore", "toujours", "peut", "veux", "était", "avait", "aujourd'hui",
      "pourquoi", "comment", "parce", "depuis", "après", "avant", "même", "rien", "mdr", "ptdr", "bof", "nul",
      "nulle", "déçu", "déçue", "beaucoup", "ici", "là", "voilà", "cest", "jai", "jsuis", "chui", "trop",
      "genre", "vachement",
      // Frequent French-only content words of posts about brands, where a post may carry no function word.
      "client", "clients", "colis", "commande", "livraison", "remboursement", "arnaque", "panne", "perdu",
      "génial", "rapide", "naze", "relou", "chiant", "chier", "galère", "honte", "merde", "putain", "nickel",
      "magnifique", "magasin", "appli", "retard", "attente", "bravo"};
  return words;
}

const std::unordered_set<std::string_view>& english_words() {
  static const std::unordered_set<std::string_view> words{
      "the",      "and",      "is",     "are",     "was",     "were",     "i",      "you",      "he",
      "she",      "it",       "we",     "they",    "my",      "your",     "this",   "that",     "with",
      "for",      "not",      "have",   "has",     "had",     "be",       "been",   "do",       "does",
      "did",      "to",       "of",     "just",    "what",    "why",      "how",    "who",      "when",
      "where",    "will",     "would",  "should",  "could",   "can",      "get",    "got",      "know",
      "think",    "want",     "need",   "people",  "thanks",  "thank",    "please", "today",    "love",
      "like",     "good",     "great",  "bad",     "really",  "very",     "never",  "nothing",  "always",
      "because",  "about",    "from",   "their",   "there",   "them",     "then",   "than",     "these",
      "those",    "which",    "still",  "even",    "only",    "much",     "some",   "any",      "every",
      "our",      "his",      "her",    "him",     "all",     "one",      "new",    "now",      "here",
      "yes",      "worst",    "best",   "ever",    "after",   "at",       "by",     "an",       "or",
      "if",       "so",       "its",    "into",    "out",     "up",       "again",  "im",       "dont",
      "cant",     "didnt",    "doesnt", "wont",    "isnt",    "u",        "ur",     "customer", "awful",
      "terrible", "shipping", "refund", "yeah",    "right",   "delivery", "order",  "package",  "arrived",
      "early",    "late",     "fast",   "slow",    "awesome", "amazing",  "sucks",  "hate",     "thing",
      "stuff",    "guys",     "wait",   "waiting", "still"};
  return words;
}

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
  int letters = 0;
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
  if (french_words().contains(w)) {
    ++ev.french;
    return;
  }
  if (english_words().contains(w)) {
    ++ev.english;
    return;
  }
  const std::size_t apostrophe = w.find('\'');
  if (apostrophe == std::string_view::npos || apostrophe == 0 || apostrophe + 1 >= w.size()) {
    // An accented word is no proof of French (Spanish, Portuguese...) but is evidence against English.
    if (has_french_letter(w)) ++ev.accented;
    return;
  }
  if (is_french_elision(w.substr(0, apostrophe + 1))) {
    ++ev.french;
    // The elided word itself may be evidence too ("c'est" → "est").
    if (french_words().contains(w.substr(apostrophe + 1))) ++ev.french;
  } else if (is_english_clitic(w.substr(0, apostrophe), w.substr(apostrophe + 1))) {
    ++ev.english;
  }
}

bool is_noise_token(std::string_view token) {
  if (token.front() == '@' || token.front() == '#') return true;
  auto starts = [&](std::string_view p) { return token.substr(0, p.size()) == p; };
  return starts("http://") || starts("https://") || starts("www.");
}

int count_letters(std::string_view token) {
  int letters = 0;
  for (std::size_t pos = 0; pos < token.size();) {
    const auto b = static_cast<unsigned char>(token[pos]);
    if (b < 0x80) {
      letters += (b | 0x20) >= 'a' && (b | 0x20) <= 'z';
      ++pos;
      continue;
    }
    const std::int32_t cp = decode_utf8(token, pos);
    if (cp < 0) continue;
    const utf8proc_category_t cat = utf8proc_category(cp);
    letters += cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
  }
  return letters;
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

// The declared language as a code in static storage, or "und". Accepts "fr", "FR", "fr-CA", "fr_FR".
std::string_view hint_code(std::string_view hint) {
  if (hint.size() < 2) return "und";
  char code[3] = {static_cast<char>(std::tolower(static_cast<unsigned char>(hint[0]))),
                  static_cast<char>(std::tolower(static_cast<unsigned char>(hint[1]))), '\0'};
  if (hint.size() > 2 && hint[2] != '-' && hint[2] != '_') return "und";
  if (code[0] < 'a' || code[0] > 'z' || code[1] < 'a' || code[1] > 'z') return "und";
  return iso_code(CLD2::GetLanguageFromName(code));
}

}  // namespace

std::string_view LanguageDetector::detect(std::string_view text, std::string_view hint) const {
  thread_local Scratch s;
  s.clean.clear();
  Evidence ev;
  std::size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && is_space(static_cast<unsigned char>(text[pos])))
      ++pos;
    const std::size_t start = pos;
    while (pos < text.size() && !is_space(static_cast<unsigned char>(text[pos])))
      ++pos;
    if (pos == start) break;
    const std::string_view token = text.substr(start, pos - start);
    if (is_noise_token(token)) continue;
    const int letters = count_letters(token);
    if (letters == 0) continue;
    ev.letters += letters;
    weigh_word(token, s, ev);
    s.clean.append(token);
    s.clean.push_back(' ');
  }
  const std::string_view declared = hint_code(hint);
  if (ev.letters == 0) return declared;  // nothing to read: emoji, links, tags only

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

  const bool short_text = ev.letters < kShortTextLetters;
  if (reliable && !short_text) return iso_code(top);
  // Between French and English, accented words count for French.
  const int margin = ev.french + ev.accented - ev.english;
  const bool evidence = ev.french + ev.english + ev.accented > 0;
  if (reliable) {
    // Short: CLD2 must agree with the function words when they take a side between French and English.
    if (top == CLD2::ENGLISH && margin > 0) return "fr";
    if (top == CLD2::FRENCH && margin < 0) return "en";
    if (top != CLD2::ENGLISH && top != CLD2::FRENCH) {
      return evidence && std::abs(margin) >= 2 ? (margin > 0 ? "fr" : "en") : iso_code(top);
    }
    // CLD2 says English or French on a few words with no function word to confirm it: the declaration, when
    // it names one of the two, is as good a guess.
    if (!evidence && (declared == "en" || declared == "fr")) return declared;
    return iso_code(top);
  }
  const bool latin_guess = top == CLD2::ENGLISH || top == CLD2::FRENCH || top == CLD2::UNKNOWN_LANGUAGE;
  if (margin > 0 && (ev.french > 0 || latin_guess)) return "fr";
  if (margin < 0) return "en";
  // No evidence either way and CLD2 unsure: trust the platform's declaration, then CLD2's best guess
  // unless it is its English default on a few words.
  if (declared != "und") return declared;
  if (top != CLD2::ENGLISH && top != CLD2::UNKNOWN_LANGUAGE && percent3[0] >= 50) return iso_code(top);
  return "und";
}

}  // namespace vigie::rules
