#include "rules/text/text_fold.h"

#include <utf8proc.h>

#include <array>
#include <memory>

namespace vigie::rules {
namespace {

constexpr utf8proc_option_t kFoldOptions =
    static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                   UTF8PROC_STRIPMARK | UTF8PROC_LUMP | UTF8PROC_IGNORE);

// Folds one code point through utf8proc, appending the result as UTF-8.
void fold_slow(std::int32_t cp, std::string& out) {
  utf8proc_int32_t buf[32];
  utf8proc_int32_t last_boundclass = 0;
  const utf8proc_ssize_t n = utf8proc_decompose_char(cp, buf, 32, kFoldOptions, &last_boundclass);
  if (n < 0 || n > 32) {
    append_utf8(out, cp);
    return;
  }
  for (utf8proc_ssize_t i = 0; i < n; ++i) {
    // STRIPMARK only removes marks when decomposing whole strings; drop them here for single code points.
    const utf8proc_category_t cat = utf8proc_category(buf[i]);
    if (cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC || cat == UTF8PROC_CATEGORY_ME) continue;
    append_utf8(out, buf[i]);
  }
}

// The folded UTF-8 of every BMP code point, packed in one pool.
struct BmpTable {
  std::string pool;
  std::array<std::uint32_t, 0x10000> entry{};  // offset << 8 | length

  BmpTable() {
    pool.reserve(0x10000 * 3);
    std::string tmp;
    for (std::int32_t cp = 0; cp < 0x10000; ++cp) {
      tmp.clear();
      if (cp >= 0xD800 && cp <= 0xDFFF) {
        tmp = " ";  // a lone surrogate is invalid UTF-8
      } else {
        fold_slow(cp, tmp);
      }
      entry[cp] = static_cast<std::uint32_t>(pool.size()) << 8 | static_cast<std::uint32_t>(tmp.size());
      pool += tmp;
    }
  }
};

const BmpTable& bmp() {
  static const BmpTable table;
  return table;
}

constexpr std::array<char, 128> kAsciiLower = [] {
  std::array<char, 128> t{};
  for (int i = 0; i < 128; ++i)
    t[i] = static_cast<char>(i >= 'A' && i <= 'Z' ? i + 32 : i);
  return t;
}();

}  // namespace

std::int32_t decode_utf8(std::string_view s, std::size_t& pos) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) {
    ++pos;
    return b0;
  }
  int len;
  std::int32_t cp;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    ++pos;
    return -1;
  }
  if (pos + len > s.size()) {
    ++pos;
    return -1;
  }
  for (int i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[pos + i]);
    if ((b & 0xC0) != 0x80) {
      ++pos;
      return -1;
    }
    cp = cp << 6 | (b & 0x3F);
  }
  // Reject overlong forms, surrogates and values past U+10FFFF.
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++pos;
    return -1;
  }
  pos += len;
  return cp;
}

void append_utf8(std::string& out, std::int32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | cp >> 6));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | cp >> 12));
    out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | cp >> 18));
    out.push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

void fold_text(std::string_view in, std::string& out, std::vector<std::uint32_t>* offsets) {
  const BmpTable& table = bmp();
  out.reserve(out.size() + in.size() + in.size() / 4);
  std::size_t pos = 0;
  while (pos < in.size()) {
    const std::size_t start = pos;
    const auto b = static_cast<unsigned char>(in[pos]);
    if (b < 0x80) {
      out.push_back(kAsciiLower[b]);
      ++pos;
      if (offsets) offsets->push_back(static_cast<std::uint32_t>(start));
      continue;
    }
    const std::size_t before = out.size();
    const std::int32_t cp = decode_utf8(in, pos);
    if (cp < 0) {
      out.push_back(' ');
    } else if (cp < 0x10000) {
      const std::uint32_t e = table.entry[cp];
      out.append(table.pool, e >> 8, e & 0xFF);
    } else {
      fold_slow(cp, out);
    }
    if (offsets) offsets->insert(offsets->end(), out.size() - before, static_cast<std::uint32_t>(start));
  }
}

std::string fold_text(std::string_view in) {
  std::string out;
  fold_text(in, out);
  return out;
}

}  // namespace vigie::rules
