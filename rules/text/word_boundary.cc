#include "rules/text/word_boundary.h"

#include <utf8proc.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <array>

#include "rules/text/text_fold.h"

namespace vigie::rules {
namespace {

enum : std::uint8_t { kOther = 0, kWord = 1, kControl = 2 };

// Most folded text is ASCII: one table look-up per byte keeps the marking pass cheap.
constexpr std::array<std::uint8_t, 128> kAsciiClass = [] {
  std::array<std::uint8_t, 128> t{};
  for (int c = 0; c < 128; ++c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_') {
      t[c] = kWord;
    } else if (c < 0x20 || c == 0x7F) {
      t[c] = kControl;
    }
  }
  return t;
}();

}  // namespace

bool is_word_char(std::int32_t cp) {
  if (cp < 0) return false;
  if (cp < 0x80) return kAsciiClass[cp] == kWord;
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

bool is_symbol_char(std::int32_t cp) {
  if (cp < 0x80) {
    // ASCII symbols ($+<=>^`|~) are tokens too, so that the rule is the same for every code point.
    return cp == '$' || cp == '+' || cp == '<' || cp == '=' || cp == '>' || cp == '^' || cp == '`' ||
           cp == '|' || cp == '~';
  }
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_SM:
    case UTF8PROC_CATEGORY_SC:
    case UTF8PROC_CATEGORY_SK:
    case UTF8PROC_CATEGORY_SO:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CN:
      return true;
    default:
      return false;
  }
}

void mark_words(std::string_view in, std::string& out) {
  out.clear();
  // Each word adds two markers; a quarter of the input is a generous bound that avoids regrowth in practice.
  out.reserve(in.size() + in.size() / 4 + 2);
  bool in_word = false;
  std::size_t pos = 0;
  while (pos < in.size()) {
    const auto b = static_cast<unsigned char>(in[pos]);
    if (b < 0x80) {
      const std::uint8_t cls = kAsciiClass[b];
      const bool word = cls == kWord;
      if (word != in_word) {
        out.push_back(kWordMark);
        in_word = word;
      }
      out.push_back(cls == kControl ? ' ' : static_cast<char>(b));
      ++pos;
      continue;
    }
    const std::size_t start = pos;
    const std::int32_t cp = decode_utf8(in, pos);
    const bool word = is_word_char(cp);
    if (word != in_word) {
      out.push_back(kWordMark);
      in_word = word;
    }
    if (cp < 0) {
      out.push_back(' ');
    } else {
      out.append(in.data() + start, pos - start);
    }
  }
  if (in_word) out.push_back(kWordMark);
}

namespace {

enum : std::uint32_t { kAllNonWord = 0, kAllWord = 1, kMixed = 2, kUncached = 0xFFFFFFFF };

struct MarkState {
  char* p;
  bool in_word;
};

// Appends the marked form of an already folded chunk, continuing the word state of what precedes it. State
// goes in and out by value so that the caller's hot loop keeps it in registers.
MarkState mark_chunk(std::string_view folded, MarkState st) {
  char* p = st.p;
  bool in_word = st.in_word;
  std::size_t pos = 0;
  while (pos < folded.size()) {
    const std::size_t start = pos;
    const std::int32_t cp = decode_utf8(folded, pos);
    const bool word = is_word_char(cp);
    if (word != in_word) {
      *p++ = kWordMark;
      in_word = word;
    }
    if (cp < 0x20 || cp == 0x7F) {
      *p++ = ' ';
    } else {
      for (std::size_t k = start; k < pos; ++k)
        *p++ = folded[k];
    }
  }
  return {p, in_word};
}

// fold_text of single code points, with the word class of the result. Entry: pool offset << 10 | length << 2
// | class; length 0 for code points the fold removes (zero-width joiners, variation selectors).
struct FoldCache {
  static constexpr std::int32_t kEmojiBegin = 0x1F000;
  static constexpr std::int32_t kEmojiEnd = 0x1FB00;
  std::string pool;
  std::vector<std::uint32_t> bmp = std::vector<std::uint32_t>(0x10000);
  std::vector<std::uint32_t> emoji = std::vector<std::uint32_t>(kEmojiEnd - kEmojiBegin);

  FoldCache() {
    std::string one;
    auto entry = [&](std::int32_t cp) {
      one.clear();
      append_utf8(one, cp);
      const std::string f = fold_text(one);
      if (f.size() >= 256) return std::uint32_t{kUncached};  // cannot be packed: fold it at run time
      std::uint32_t cls = kMixed;  // also for an empty fold: mark_chunk of nothing emits nothing
      if (!f.empty()) {
        bool all_word = true;
        bool all_plain = true;
        for (std::size_t pos = 0; pos < f.size();) {
          const std::int32_t c = decode_utf8(f, pos);
          const bool w = is_word_char(c);
          all_word = all_word && w;
          all_plain = all_plain && !w && c >= 0x20 && c != 0x7F;
        }
        cls = all_word ? kAllWord : all_plain ? kAllNonWord : kMixed;
      }
      const auto e =
          static_cast<std::uint32_t>(pool.size()) << 10 | static_cast<std::uint32_t>(f.size()) << 2 | cls;
      pool += f;
      return e;
    };
    for (std::int32_t cp = 0x80; cp < 0x10000; ++cp) {
      if (cp < 0xD800 || cp > 0xDFFF) bmp[cp] = entry(cp);
    }
    for (std::int32_t cp = kEmojiBegin; cp < kEmojiEnd; ++cp)
      emoji[cp - kEmojiBegin] = entry(cp);
  }
};

const FoldCache& fold_cache() {
  static const FoldCache cache;
  return cache;
}

// Folded byte in the low 8 bits, 1 << 8 when it is a word character: one load per ASCII byte.
constexpr std::array<std::uint16_t, 128> kAsciiFoldMark = [] {
  std::array<std::uint16_t, 128> t{};
  for (int i = 0; i < 128; ++i) {
    const int c = i >= 'A' && i <= 'Z' ? i + 32 : i < 0x20 || i == 0x7F ? ' ' : i;
    t[i] = static_cast<std::uint16_t>(c | (kAsciiClass[i] == kWord ? 0x100 : 0));
  }
  return t;
}();

#if defined(__x86_64__)
// 16 ASCII bytes at a time: classify with SSE2, then expand each half of 8 bytes into the output with one
// pshufb (SSSE3) whose mask, looked up by the 8-bit "word class changes here" pattern, inserts a marker slot
// before each changing byte. Text averages a transition every ~4 bytes, so per-byte branches or stores cost
// more than this.
struct Expand {
  alignas(16) std::array<std::array<std::uint8_t, 16>, 256> mask;
};

constexpr Expand kExpand = [] {
  Expand e{};
  for (unsigned t = 0; t < 256; ++t) {
    unsigned o = 0;
    for (unsigned j = 0; j < 8; ++j) {
      if (t >> j & 1) e.mask[t][o++] = 0x80;  // zero from pshufb, turned into a marker below
      e.mask[t][o++] = static_cast<std::uint8_t>(j);
    }
    while (o < 16)
      e.mask[t][o++] = 0x80;  // past the end: written but not kept
  }
  return e;
}();

struct Ascii16 {
  char* p;
  unsigned in_word;
  unsigned consumed;  // 16 or 8; 0 when a non-ASCII byte sits in the first 8
  unsigned scalar;    // when consumed == 0: bytes the scalar loop must take first (up to the non-ASCII byte)
};

__attribute__((target("ssse3"))) inline __m128i in_range(__m128i x, char lo, char hi) {
  return _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(static_cast<char>(lo - 1))),
                       _mm_cmplt_epi8(x, _mm_set1_epi8(static_cast<char>(hi + 1))));
}

// Writes the low 8 bytes of `bytes` at p with a marker before each byte whose bit is set in `t`.
__attribute__((target("ssse3"))) inline char* expand8(__m128i bytes, unsigned t, char* p) {
  const __m128i m = _mm_load_si128(reinterpret_cast<const __m128i*>(kExpand.mask[t].data()));
  const __m128i markers = _mm_and_si128(_mm_cmplt_epi8(m, _mm_setzero_si128()), _mm_set1_epi8(kWordMark));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm_or_si128(_mm_shuffle_epi8(bytes, m), markers));
  return p + 8 + __builtin_popcount(t);
}

__attribute__((target("ssse3"))) Ascii16 ascii16(const unsigned char* src, char* p, unsigned in_word) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
  const auto high = static_cast<unsigned>(_mm_movemask_epi8(v));
  unsigned n = 16;
  if (high != 0) {
    const auto k = static_cast<unsigned>(__builtin_ctz(high));
    if (k < 8) return {p, in_word, 0, k + 1};
    n = 8;
  }
  __m128i lv = _mm_add_epi8(v, _mm_and_si128(in_range(v, 'A', 'Z'), _mm_set1_epi8(32)));
  const __m128i ctrl =
      _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F)));
  lv = _mm_or_si128(_mm_andnot_si128(ctrl, lv), _mm_and_si128(ctrl, _mm_set1_epi8(' ')));
  const __m128i word = _mm_or_si128(_mm_or_si128(in_range(lv, 'a', 'z'), in_range(v, '0', '9')),
                                    _mm_cmpeq_epi8(v, _mm_set1_epi8('_')));
  const auto w = static_cast<unsigned>(_mm_movemask_epi8(word));
  p = expand8(lv, (w ^ (w << 1 | in_word)) & 0xFF, p);
  if (n == 16) p = expand8(_mm_srli_si128(lv, 8), ((w >> 8) ^ (w >> 7)) & 0xFF, p);
  return {p, (w >> (n - 1)) & 1, n, 0};
}

const bool kHasSsse3 = __builtin_cpu_supports("ssse3");
#endif

}  // namespace

void fold_and_mark(std::string_view in, std::string& out) {
  const FoldCache& cache = fold_cache();
  // ASCII needs at most two bytes per input byte (a marker and the byte) plus the final marker; longer folds
  // check for room themselves.
  std::size_t cap = 2 * in.size() + 2;
  out.resize(cap);
  char* p = out.data();
  unsigned in_word = 0;
  // Raw pointers and locals only: `p` stores chars, which may alias anything whose address escaped.
  const auto* src = reinterpret_cast<const unsigned char*>(in.data());
  const auto* const end = src + in.size();
  const unsigned char* scalar_until =
      src;  // the scalar loop handles [src, scalar_until) before trying SIMD again
  while (src < end) {
#if defined(__x86_64__)
    // Stores of up to 16 bytes per half: the buffer keeps 2 bytes per remaining input byte, so 16 remaining
    // input bytes leave room for both.
    if (src >= scalar_until && kHasSsse3 && end - src >= 16) {
      const Ascii16 r = ascii16(src, p, in_word);
      if (r.consumed != 0) {
        src += r.consumed;
        p = r.p;
        in_word = r.in_word;
        continue;
      }
      scalar_until = src + r.scalar;
    }
#endif
    const unsigned b = *src;
    if (b < 0x80) {
      // Word/non-word transitions come every few bytes, too often for a branch to predict: the marker is
      // always written and kept only on a transition.
      const unsigned e = kAsciiFoldMark[b];
      const unsigned word = e >> 8;
      *p = kWordMark;
      p += word ^ in_word;
      in_word = word;
      *p++ = static_cast<char>(e);
      ++src;
      continue;
    }
    const auto* const start = src;
    std::int32_t cp;
    if (b >= 0xC2 && b <= 0xDF && src + 1 < end && (src[1] & 0xC0) == 0x80) {
      cp = static_cast<std::int32_t>((b & 0x1F) << 6 |
                                     (src[1] & 0x3F));  // Latin-1, Latin Extended, Cyrillic...
      src += 2;
    } else {
      std::size_t next = static_cast<std::size_t>(src - reinterpret_cast<const unsigned char*>(in.data()));
      cp = decode_utf8(in, next);
      src = reinterpret_cast<const unsigned char*>(in.data()) + next;
    }
    const std::size_t used = static_cast<std::size_t>(p - out.data());
    // Room for this code point's fold (under 256 bytes, each possibly preceded by a marker) and for the rest
    // of the input at the ASCII rate.
    const std::size_t need = used + 2 * 256 + 2 + 2 * static_cast<std::size_t>(end - src);
    if (need > cap) {
      cap = need + cap / 2;
      out.resize(cap);
      p = out.data() + used;
    }
    if (cp < 0) {  // fold_text turns an invalid byte into a space
      *p = kWordMark;
      p += in_word;
      in_word = 0;
      *p++ = ' ';
      continue;
    }
    std::uint32_t e = kUncached;
    if (cp < 0x10000) {
      e = cache.bmp[static_cast<std::size_t>(cp)];
    } else if (cp >= FoldCache::kEmojiBegin && cp < FoldCache::kEmojiEnd) {
      e = cache.emoji[static_cast<std::size_t>(cp - FoldCache::kEmojiBegin)];
    }
    if (e == kUncached) {
      std::string slow;  // astral code points outside the emoji blocks: rare
      fold_text(std::string_view(reinterpret_cast<const char*>(start), static_cast<std::size_t>(src - start)),
                slow);
      const MarkState st = mark_chunk(slow, {p, in_word != 0});
      p = st.p;
      in_word = st.in_word;
      continue;
    }
    const std::size_t len = e >> 2 & 0xFF;
    const char* f = cache.pool.data() + (e >> 10);
    const std::uint32_t cls = e & 3;
    if (cls == kMixed) {
      const MarkState st = mark_chunk(std::string_view(f, len), {p, in_word != 0});
      p = st.p;
      in_word = st.in_word;
      continue;
    }
    const unsigned word = cls == kAllWord ? 1 : 0;
    *p = kWordMark;
    p += word ^ in_word;
    in_word = word;
    for (std::size_t k = 0; k < len; ++k)
      *p++ = f[k];
  }
  *p = kWordMark;
  p += in_word;
  out.resize(static_cast<std::size_t>(p - out.data()));
}

void tokenize_marked(std::string_view marked, std::vector<Token>& out) {
  out.clear();
  std::size_t pos = 0;
  while (pos < marked.size()) {
    const auto b = static_cast<unsigned char>(marked[pos]);
    if (b == static_cast<unsigned char>(kWordMark)) {
      // A marker opens a word run; the next marker closes it.
      const std::size_t begin = pos + 1;
      std::size_t end = marked.find(kWordMark, begin);
      if (end == std::string_view::npos) end = marked.size();
      out.push_back({static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end)});
      pos = end + 1;
      continue;
    }
    const std::size_t start = pos;
    const std::int32_t cp = decode_utf8(marked, pos);
    if (is_symbol_char(cp))
      out.push_back({static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(pos)});
  }
}

}  // namespace vigie::rules
