#include "rules/sentiment/sentiment_tokenizer.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "rules/text/text_fold.h"

namespace vigie::rules {
namespace {

enum ByteClass : std::uint8_t { kOther, kUpperCase, kLowerCase, kSpace, kBang, kQuestion, kNonAscii };

constexpr std::array<std::uint8_t, 256> kByteClass = [] {
  std::array<std::uint8_t, 256> t{};
  for (int i = 0x80; i < 256; ++i)
    t[i] = kNonAscii;
  for (int i = 'A'; i <= 'Z'; ++i)
    t[i] = kUpperCase;
  for (int i = 'a'; i <= 'z'; ++i)
    t[i] = kLowerCase;
  for (char c : std::string_view(" \t\n\r\v\f"))
    t[static_cast<unsigned char>(c)] = kSpace;
  t['!'] = kBang;
  t['?'] = kQuestion;
  return t;
}();

constexpr std::array<unsigned char, 256> kLower = [] {
  std::array<unsigned char, 256> t{};
  for (int i = 0; i < 256; ++i)
    t[i] = static_cast<unsigned char>(i >= 'A' && i <= 'Z' ? i + 32 : i);
  return t;
}();

// Python's string.punctuation, which VADER strips from word ends.
constexpr std::array<bool, 256> kPunct = [] {
  std::array<bool, 256> t{};
  for (char c : std::string_view("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"))
    t[static_cast<unsigned char>(c)] = true;
  return t;
}();

bool is_punct(char c) {
  return kPunct[static_cast<unsigned char>(c)];
}

// Non-ASCII punctuation that folding leaves as is and French writing puts around words: « » … “ ”.
constexpr std::string_view kWidePunct[] = {"\xC2\xAB", "\xC2\xBB", "\xE2\x80\xA6", "\xE2\x80\x9C",
                                           "\xE2\x80\x9D"};

// Bytes of punctuation at the start (front) or end of s[a, b): 0 when none.
std::size_t punct_at(std::string_view s, std::size_t a, std::size_t b, bool front) {
  if (a >= b) return 0;
  if (is_punct(front ? s[a] : s[b - 1])) return 1;
  if (static_cast<unsigned char>(front ? s[a] : s[b - 1]) < 0x80) return 0;
  for (std::string_view p : kWidePunct) {
    if (b - a < p.size()) continue;
    if (s.substr(front ? a : b - p.size(), p.size()) == p) return p.size();
  }
  return 0;
}
bool only_sentence_punct(std::string_view tail) {
  for (char c : tail) {
    if (c != '.' && c != ',' && c != '!' && c != '?' && c != ';') return false;
  }
  return true;
}

bool is_clause_punct(char c) {
  return c == ',' || c == '.' || c == ';' || c == ':' || c == '!' || c == '?';
}

bool is_unicode_space(std::int32_t cp) {
  return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

// The fold of every Latin-1 code point (U+0080..U+00FF), precomputed with fold_text so that the fast path
// below gives exactly the slow path's result; with its case, for VADER's capitals rule.
struct Latin1Fold {
  char text[8];
  std::uint8_t length;
  bool upper;
  bool lower;
};

const std::array<Latin1Fold, 128>& latin1_folds() {
  static const std::array<Latin1Fold, 128> table = [] {
    std::array<Latin1Fold, 128> t{};
    std::string folded;
    for (std::int32_t cp = 0x80; cp < 0x100; ++cp) {
      std::string utf8;
      append_utf8(utf8, cp);
      folded.clear();
      fold_text(utf8, folded);
      expand_ligatures(folded, 0);
      Latin1Fold& f = t[cp - 0x80];
      f.length = static_cast<std::uint8_t>(std::min<std::size_t>(folded.size(), sizeof f.text));
      std::memcpy(f.text, folded.data(), f.length);
      const utf8proc_category_t cat = utf8proc_category(cp);
      f.upper = cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT;
      f.lower = cat == UTF8PROC_CATEGORY_LL;
    }
    return t;
  }();
  return table;
}

// Words containing "n't" negate in VADER even when not listed ("shouldn't've").
constexpr LexiconEntry kNtNegator{0, 0, lex::kNegator};

class Tokenizer {
 public:
  Tokenizer(const SentimentLanguage& lang, TokenizedText& out) : lang_(lang), out_(out) {}

  void run(std::string_view text) {
    std::size_t pos = 0;
    std::size_t start = 0;
    bool non_ascii = false;
    // Capitals are tracked during the scan, so an ASCII word is read only once more (to copy it).
    bool has_upper = false;
    bool has_lower = false;
    const std::size_t n = text.size();
    auto flush = [&](std::size_t end) {
      if (end > start) {
        const std::string_view raw = text.substr(start, end - start);
        if (non_ascii) {
          unicode_word(raw);
        } else {
          piece(raw, true, has_upper && !has_lower, clause_end(raw));
        }
      }
      non_ascii = has_upper = has_lower = false;
    };
    while (pos < n) {
      switch (kByteClass[static_cast<unsigned char>(text[pos])]) {
        case kOther:
          ++pos;
          continue;
        case kUpperCase:
          has_upper = true;
          ++pos;
          continue;
        case kLowerCase:
          // Most bytes of a post are lower-case letters: skip the run in a tight loop.
          has_lower = true;
          do {
            ++pos;
          } while (pos < n && kByteClass[static_cast<unsigned char>(text[pos])] == kLowerCase);
          continue;
        case kBang:
          ++out_.exclamations;
          ++pos;
          continue;
        case kQuestion:
          ++out_.questions;
          ++pos;
          continue;
        case kSpace:
          flush(pos);
          start = ++pos;
          continue;
        default:
          break;
      }
      const std::size_t cp_start = pos;
      const std::int32_t cp = decode_utf8(text, pos);
      if (is_unicode_space(cp)) {
        flush(cp_start);
        start = pos;
        continue;
      }
      if (lang_.emoji.may_start(cp)) {
        std::size_t length = 0;
        if (const EmojiReading* emoji = lang_.emoji.match(text, cp_start, length, out_.emoji_key)) {
          flush(cp_start);
          in_emoji_ = true;
          if (emoji->token) {
            emoji_token(*emoji);
          } else {
            describe(emoji->text);
          }
          in_emoji_ = false;
          pos = cp_start + length;
          start = pos;
          continue;
        }
      }
      non_ascii = true;
    }
    flush(n);
  }

 private:
  // An emoji with a valence of its own: one token, its base form, with the entry the emoji table keeps.
  void emoji_token(const EmojiReading& emoji) {
    const std::string& base = emoji.text;
    if (out_.used + base.size() + 8 > out_.text.size()) {
      out_.text.resize(std::max(out_.text.size() * 2, out_.used + base.size() + 256));
    }
    std::memcpy(out_.text.data() + out_.used, base.data(), base.size());
    emit(out_.used, base.size(), emoji.entry.flags ? &emoji.entry : nullptr, false, false);
    out_.used += base.size();
  }

  // The words of an emoji's description, folded at load time.
  void describe(std::string_view description) {
    std::size_t pos = 0;
    while (pos < description.size()) {
      std::size_t end = description.find(' ', pos);
      if (end == std::string_view::npos) end = description.size();
      if (end > pos) piece(description.substr(pos, end - pos), false, false, false);
      pos = end + 1;
    }
  }

  // French words are ASCII plus Latin-1 letters and the curly apostrophe: fold those through a table and
  // leave everything else to the Unicode folder. Returns false when the word needs the slow path.
  bool latin1_word(std::string_view raw) {
    const auto& table = latin1_folds();
    std::string& folded = out_.scratch;
    folded.clear();
    bool has_upper = false;
    bool has_lower = false;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      const auto b = static_cast<unsigned char>(raw[i]);
      if (b < 0x80) {
        has_upper |= b >= 'A' && b <= 'Z';
        has_lower |= b >= 'a' && b <= 'z';
        folded.push_back(static_cast<char>(kLower[b]));
      } else if ((b == 0xC2 || b == 0xC3) && i + 1 < raw.size() &&
                 (static_cast<unsigned char>(raw[i + 1]) & 0xC0) == 0x80) {
        const Latin1Fold& f = table[((b & 0x03) << 6 | (static_cast<unsigned char>(raw[++i]) & 0x3F)) - 0x80];
        has_upper |= f.upper;
        has_lower |= f.lower;
        folded.append(f.text, f.length);
      } else if (b == 0xE2 && i + 2 < raw.size() && raw[i + 1] == '\x80' &&
                 (raw[i + 2] == '\x98' || raw[i + 2] == '\x99')) {
        folded.push_back('\'');  // ‘ ’
        i += 2;
      } else {
        return false;
      }
    }
    split_folded(has_upper && !has_lower, clause_end(raw));
    return true;
  }

  // The pieces of out_.scratch (folded text that may hold spaces), each a word.
  void split_folded(bool upper, bool clause) {
    const std::string& folded = out_.scratch;
    std::size_t p = 0;
    while (p < folded.size()) {
      std::size_t q = folded.find(' ', p);
      if (q == std::string::npos) q = folded.size();
      if (q > p) piece(std::string_view(folded).substr(p, q - p), false, upper, clause);
      p = q + 1;
    }
  }

  void unicode_word(std::string_view raw) {
    if (latin1_word(raw)) return;
    bool has_upper = false;
    bool has_lower = false;
    for (std::size_t p = 0; p < raw.size();) {
      const std::int32_t cp = decode_utf8(raw, p);
      if (cp < 0x41) continue;
      if (cp < 0x80) {
        has_upper |= cp >= 'A' && cp <= 'Z';
        has_lower |= cp >= 'a' && cp <= 'z';
        continue;
      }
      const utf8proc_category_t cat = utf8proc_category(cp);
      has_upper |= cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT;
      has_lower |= cat == UTF8PROC_CATEGORY_LL;
    }
    const bool upper = has_upper && !has_lower;
    const bool clause = clause_end(raw);
    std::string& folded = out_.scratch;
    folded.clear();
    fold_text(raw, folded);
    expand_ligatures(folded, 0);
    // Folding can leave spaces inside (invalid bytes, compatibility forms): each piece is a word. The folded
    // text lives in scratch, which piece() does not touch.
    split_folded(upper, clause);
  }

  static bool clause_end(std::string_view raw) {
    bool clause = false;
    for (std::size_t i = raw.size(); i > 0 && is_punct(raw[i - 1]); --i)
      clause |= is_clause_punct(raw[i - 1]);
    return clause;
  }

  // Copies src (lower-cased when `lower`) to the end of the token text; returns its hash and sets
  // `apostrophe` to the position of its first '\'' (or npos).
  std::uint64_t copy(std::string_view src, bool lower, std::size_t& apostrophe) {
    elongated_ = false;
    // Keep 8 bytes of slack after the copy: the hash reads whole words.
    if (out_.used + src.size() + 8 > out_.text.size()) {
      out_.text.resize(std::max(out_.text.size() * 2, out_.used + src.size() + 256));
    }
    char* dst = out_.text.data() + out_.used;
    apostrophe = std::string_view::npos;
    for (std::size_t i = 0; i < src.size(); ++i) {
      const auto b = static_cast<unsigned char>(src[i]);
      const unsigned char c = lower ? kLower[b] : b;
      dst[i] = static_cast<char>(c);
      elongated_ |= i >= 2 && c == static_cast<unsigned char>(dst[i - 1]) &&
                    c == static_cast<unsigned char>(dst[i - 2]);
      if (b == '\'' && apostrophe == std::string_view::npos) apostrophe = i;
    }
    out_.used += src.size();
    return SentimentLexicon::hash_padded(dst, src.size());
  }

  std::string_view at(std::size_t offset, std::size_t length) const {
    return {out_.text.data() + offset, length};
  }

  // One word: strip surrounding punctuation, split French elisions, look up, emit.
  void piece(std::string_view src, bool lower, bool upper, bool clause) {
    std::size_t a = 0;
    std::size_t b = src.size();
    while (std::size_t k = punct_at(src, a, b, true))
      a += k;
    while (std::size_t k = punct_at(src, a, b, false))
      b -= k;
    const bool stripped = a != 0 || b != src.size();
    if (lang_.vader_token_stripping) {
      // VADER keeps the token as written when two characters or fewer would remain (":)", ":D", "ok!").
      if (stripped && b - a <= 8) {
        std::size_t chars = 0;
        for (std::size_t i = a; i < b; ++i)
          chars += (static_cast<unsigned char>(src[i]) & 0xC0) != 0x80;
        if (chars <= 2) a = 0, b = src.size();
      }
    } else if (a == b) {
      a = 0;  // all punctuation: an emoticon, kept whole
      b = src.size();
    } else if (stripped && !(a == 0 && only_sentence_punct(src.substr(b)))) {
      // An emoticon or abbreviation that includes its punctuation (":-)", "<3", "p.s.") is kept whole. A word
      // merely followed by sentence punctuation ("nul!", "top,") is not worth the extra look-up.
      const std::size_t offset = out_.used;
      std::size_t apostrophe;
      const std::uint64_t h = copy(src, lower, apostrophe);
      if (const LexiconEntry* e = lang_.words.find(at(offset, src.size()), h)) {
        emit(offset, src.size(), e, upper, clause);
        return;
      }
      out_.used = offset;
    }
    if (a == b) return;
    src = src.substr(a, b - a);
    std::size_t offset = out_.used;
    std::size_t apostrophe;
    std::uint64_t h = copy(src, lower, apostrophe);
    std::size_t length = src.size();

    // French elision: "j'adore" → "j'" + "adore", "qu'il" → "qu'" + "il".
    while (apostrophe != std::string_view::npos && lang_.french_negation && apostrophe > 0 &&
           apostrophe + 1 < length) {
      const LexiconEntry* e = lang_.words.find(at(offset, apostrophe + 1));
      if (!e || !(e->flags & lex::kElision)) break;
      emit(offset, apostrophe + 1, e, upper, false);
      offset += apostrophe + 1;
      length -= apostrophe + 1;
      const std::string_view rest = at(offset, length);
      h = SentimentLexicon::hash(rest);
      apostrophe = rest.find('\'');
    }
    const LexiconEntry* e = lookup(at(offset, length), h, apostrophe != std::string_view::npos);
    emit(offset, length, e, upper, clause);
    out_.tokens.back().elongated = squeezed_;
  }

  const LexiconEntry* lookup(std::string_view w, std::uint64_t h, bool has_apostrophe) {
    squeezed_ = false;
    if (const LexiconEntry* e = lang_.words.find(w, h)) return e;
    if (has_apostrophe && lang_.vader_english_rules && w.find("n't") != std::string_view::npos)
      return &kNtNegator;
    // Elongation ("sooo", "nuuul", "mdrrr"): squeeze runs of 3+ to two letters, then to one.
    if (!elongated_) return nullptr;
    for (std::size_t keep : {2, 1}) {
      std::string& s = out_.emoji_key;
      s.clear();
      std::size_t run = 0;
      for (std::size_t i = 0; i < w.size(); ++i) {
        run = (i > 0 && w[i] == w[i - 1]) ? run + 1 : 1;
        if (run <= keep) s.push_back(w[i]);
      }
      if (const LexiconEntry* e = lang_.words.find(s)) {
        squeezed_ = true;
        return e;
      }
    }
    return nullptr;
  }

  void emit(std::size_t offset, std::size_t length, const LexiconEntry* e, bool upper, bool clause) {
    SentimentToken& t = out_.tokens.emplace_back();
    t.entry = e;
    t.offset = static_cast<std::uint32_t>(offset);
    t.length = static_cast<std::uint32_t>(length);
    t.upper = upper;
    t.clause_end = clause;
    t.self_negated = false;
    t.emoji = in_emoji_;
    t.elongated = false;
    t.in_phrase = false;
    out_.upper_tokens += upper;
  }

  const SentimentLanguage& lang_;
  TokenizedText& out_;
  bool elongated_ = false;  // the last copy() saw a letter three times in a row
  bool in_emoji_ = false;   // the tokens emitted now stand for an emoji
  bool squeezed_ = false;   // the last lookup() found its word only with letter runs squeezed
};

}  // namespace

void tokenize(std::string_view text, const SentimentLanguage& lang, TokenizedText& out) {
  out.used = 0;
  if (out.text.size() < text.size() + 256) out.text.resize(text.size() + 256);
  out.tokens.clear();
  out.exclamations = 0;
  out.questions = 0;
  out.upper_tokens = 0;
  Tokenizer(lang, out).run(text);
}

}  // namespace vigie::rules
