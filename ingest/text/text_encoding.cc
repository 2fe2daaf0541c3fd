#include "ingest/text/text_encoding.h"

#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <iterator>

#include "ingest/base/ascii.h"

namespace vigie::ingest {
namespace {

using ascii::iequals;
using ascii::is_space;
using ascii::lower;
using ascii::trim;
using ascii::upper;

constexpr std::string_view kReplacementUtf8 = "\xEF\xBF\xBD";

// Result<std::string> cannot be built implicitly from a string: Error is constructible from one too.
Result<std::string> converted(std::string s) {
  return Result<std::string>(boost::system::in_place_value, std::move(s));
}

struct Alias {
  std::string_view name;  // lowercase
  std::string_view iconv_name;
};

// Labels seen in the wild, sorted by label, mapped to the iconv name of what browsers really decode (WHATWG
// Encoding Standard): pages labelled latin1 or ASCII are written with Windows code pages, so reading them as
// the strict ISO charset would turn curly quotes and the euro sign into C1 controls. Labels not listed go to
// iconv as they are.
constexpr Alias kAliases[] = {
    {"ascii", "WINDOWS-1252"},
    {"big5", "BIG5-HKSCS"},
    {"big5-hkscs", "BIG5-HKSCS"},
    {"cn-big5", "BIG5-HKSCS"},
    {"cp1250", "WINDOWS-1250"},
    {"cp1251", "WINDOWS-1251"},
    {"cp1252", "WINDOWS-1252"},
    {"cp1253", "WINDOWS-1253"},
    {"cp1254", "WINDOWS-1254"},
    {"cp1255", "WINDOWS-1255"},
    {"cp1256", "WINDOWS-1256"},
    {"cp1257", "WINDOWS-1257"},
    {"cp1258", "WINDOWS-1258"},
    {"cp819", "WINDOWS-1252"},
    {"cp866", "CP866"},
    {"cp932", "CP932"},
    {"cp936", "GB18030"},
    {"cp949", "CP949"},
    {"csbig5", "BIG5-HKSCS"},
    {"cseuckr", "CP949"},
    {"csgb2312", "GB18030"},
    {"csisolatin1", "WINDOWS-1252"},
    {"cskoi8r", "KOI8-R"},
    {"csksc56011987", "CP949"},
    {"csshiftjis", "CP932"},
    {"euc-jp", "EUC-JP"},
    {"euc-kr", "CP949"},
    {"gb18030", "GB18030"},
    {"gb2312", "GB18030"},
    {"gb_2312-80", "GB18030"},
    {"gbk", "GB18030"},
    {"ibm819", "WINDOWS-1252"},
    {"ibm866", "CP866"},
    {"iso-8859-1", "WINDOWS-1252"},
    {"iso-8859-11", "WINDOWS-874"},
    {"iso-8859-9", "WINDOWS-1254"},
    {"iso-ir-100", "WINDOWS-1252"},
    {"iso-ir-149", "CP949"},
    {"iso8859-1", "WINDOWS-1252"},
    {"iso88591", "WINDOWS-1252"},
    {"iso_8859-1", "WINDOWS-1252"},
    {"iso_8859-1:1987", "WINDOWS-1252"},
    {"koi8", "KOI8-R"},
    {"koi8-r", "KOI8-R"},
    {"koi8-ru", "KOI8-U"},
    {"koi8-u", "KOI8-U"},
    {"korean", "CP949"},
    {"ks_c_5601-1987", "CP949"},
    {"ks_c_5601-1989", "CP949"},
    {"ksc5601", "CP949"},
    {"ksc_5601", "CP949"},
    {"l1", "WINDOWS-1252"},
    {"latin1", "WINDOWS-1252"},
    {"latin2", "ISO-8859-2"},
    {"latin9", "ISO-8859-15"},
    {"mac", "MACINTOSH"},
    {"macintosh", "MACINTOSH"},
    {"ms932", "CP932"},
    {"ms_kanji", "CP932"},
    {"shift-jis", "CP932"},
    {"shift_jis", "CP932"},
    {"sjis", "CP932"},
    {"tis-620", "WINDOWS-874"},
    {"unicode-1-1-utf-8", "UTF-8"},
    {"us-ascii", "WINDOWS-1252"},
    {"utf-16", "UTF-16LE"},
    {"utf-16be", "UTF-16BE"},
    {"utf-16le", "UTF-16LE"},
    {"utf-8", "UTF-8"},
    {"utf8", "UTF-8"},
    {"windows-31j", "CP932"},
    {"windows-949", "CP949"},
    {"x-cp1252", "WINDOWS-1252"},
    {"x-euc-jp", "EUC-JP"},
    {"x-gbk", "GB18030"},
    {"x-mac-roman", "MACINTOSH"},
    {"x-sjis", "CP932"},
};

// The iconv name for a charset label, or empty when the label cannot be a charset name (iconv would read
// "//IGNORE" and the like as options).
std::string iconv_name(std::string_view label) {
  std::string key;
  key.reserve(label.size());
  for (char c : label) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.' || c == ':';
    if (!ok) return {};
    key.push_back(lower(c));
  }
  const auto it = std::lower_bound(std::begin(kAliases), std::end(kAliases), key,
                                   [](const Alias& a, const std::string& k) { return a.name < k; });
  if (it != std::end(kAliases) && it->name == key) return std::string(it->iconv_name);
  for (char& c : key)
    c = upper(c);
  return key;
}

// The encoding="..." of an XML declaration near the start of `bytes`; empty when there is none.
std::string_view xml_declared_encoding(std::string_view bytes) {
  const std::string_view head = bytes.substr(0, 1024);
  const size_t decl = head.find("<?xml");
  if (decl == std::string_view::npos) return {};
  const size_t end = head.find("?>", decl);
  const std::string_view d =
      head.substr(decl, end == std::string_view::npos ? head.size() - decl : end - decl);
  size_t p = d.find("encoding");
  if (p == std::string_view::npos) return {};
  p += 8;
  while (p < d.size() && is_space(d[p]))
    ++p;
  if (p >= d.size() || d[p] != '=') return {};
  ++p;
  while (p < d.size() && is_space(d[p]))
    ++p;
  if (p >= d.size() || (d[p] != '"' && d[p] != '\'')) return {};
  const size_t q = d.find(d[p], p + 1);
  if (q == std::string_view::npos) return {};
  return trim(d.substr(p + 1, q - p - 1));
}

Result<std::string> convert(std::string_view bytes, const std::string& from) {
  const iconv_t cd = iconv_open("UTF-8", from.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return error("unknown charset \"" + from + "\"");
  struct Closer {
    iconv_t cd;
    ~Closer() { iconv_close(cd); }
  } closer{cd};
  // A bad byte is skipped by one code unit so UTF-16 stays aligned.
  const size_t unit = from.starts_with("UTF-16") ? 2 : 1;

  std::string out(bytes.size() + bytes.size() / 2 + 16, '\0');
  size_t used = 0;
  char* in = const_cast<char*>(bytes.data());  // iconv's signature predates const; it does not write input
  size_t in_left = bytes.size();
  auto room = [&](size_t need) {
    if (out.size() - used < need) out.resize(std::max(out.size() * 2, used + need));
  };
  // in == nullptr flushes the shift state of stateful charsets (ISO-2022-JP).
  for (bool flushed = false; !flushed;) {
    char* op = out.data() + used;
    size_t out_left = out.size() - used;
    const bool flushing = in_left == 0;
    const size_t r =
        flushing ? iconv(cd, nullptr, nullptr, &op, &out_left) : iconv(cd, &in, &in_left, &op, &out_left);
    used = static_cast<size_t>(op - out.data());
    if (r != static_cast<size_t>(-1)) {
      flushed = flushing;
      continue;
    }
    if (errno == E2BIG) {
      room(out.size());
    } else if (errno == EILSEQ) {
      room(kReplacementUtf8.size());
      out.replace(used, kReplacementUtf8.size(), kReplacementUtf8);
      used += kReplacementUtf8.size();
      const size_t skip = std::min(unit, in_left);
      in += skip;
      in_left -= skip;
    } else if (errno == EINVAL) {  // truncated multibyte sequence at the end
      room(kReplacementUtf8.size());
      out.replace(used, kReplacementUtf8.size(), kReplacementUtf8);
      used += kReplacementUtf8.size();
      in += in_left;
      in_left = 0;
    } else {
      return error("converting from " + from + " failed");
    }
  }
  out.resize(used);
  return converted(std::move(out));
}

// What a UTF-8 lead byte announces: how many continuation bytes follow (0: not a lead byte), and the range
// allowed for the first of them, which excludes overlongs, surrogates and code points past U+10FFFF.
struct Utf8Lead {
  size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;
};

Utf8Lead utf8_lead(unsigned char b) {
  Utf8Lead l;
  if (b >= 0xC2 && b <= 0xDF) {
    l.need = 1;
  } else if (b >= 0xE0 && b <= 0xEF) {
    l.need = 2;
    if (b == 0xE0) l.lo = 0xA0;
    if (b == 0xED) l.hi = 0x9F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    l.need = 3;
    if (b == 0xF0) l.lo = 0x90;
    if (b == 0xF4) l.hi = 0x8F;
  }
  return l;
}

// Bytes from s[j] (the lead) that form a valid prefix of its sequence: 1 + the valid continuation bytes, so
// lead.need + 1 when the sequence is complete.
size_t valid_prefix(std::string_view s, size_t j, Utf8Lead lead) {
  size_t k = 1;
  for (; k <= lead.need && j + k < s.size(); ++k) {
    const auto c = static_cast<unsigned char>(s[j + k]);
    if (c < lead.lo || c > lead.hi) break;
    lead.lo = 0x80;
    lead.hi = 0xBF;
  }
  return k;
}

}  // namespace

void append_utf8(std::string& out, char32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    const char b[] = {static_cast<char>(0xC0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3F))};
    out.append(b, 2);
  } else if (cp < 0x10000) {
    const char b[] = {static_cast<char>(0xE0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
                      static_cast<char>(0x80 | (cp & 0x3F))};
    out.append(b, 3);
  } else {
    const char b[] = {static_cast<char>(0xF0 | (cp >> 18)), static_cast<char>(0x80 | ((cp >> 12) & 0x3F)),
                      static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), static_cast<char>(0x80 | (cp & 0x3F))};
    out.append(b, 4);
  }
}

std::string repair_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    // Copy the longest valid prefix in one append; stop at the first bad sequence.
    size_t j = i;
    while (j < s.size()) {
      const auto b = static_cast<unsigned char>(s[j]);
      if (b < 0x80) {
        ++j;
        continue;
      }
      const Utf8Lead lead = utf8_lead(b);
      if (lead.need == 0 || valid_prefix(s, j, lead) <= lead.need) break;
      j += lead.need + 1;
    }
    out.append(s.substr(i, j - i));
    if (j == s.size()) break;
    // s[j] starts an invalid sequence: replace its maximal valid prefix (at least one byte) with one U+FFFD.
    out.append(kReplacementUtf8);
    i = j + valid_prefix(s, j, utf8_lead(static_cast<unsigned char>(s[j])));
  }
  return out;
}

std::string_view charset_from_content_type(std::string_view content_type) {
  size_t p = content_type.find(';');
  while (p != std::string_view::npos) {
    const size_t next = content_type.find(';', p + 1);
    const std::string_view param =
        content_type.substr(p + 1, next == std::string_view::npos ? std::string_view::npos : next - p - 1);
    const size_t eq = param.find('=');
    if (eq != std::string_view::npos && iequals(trim(param.substr(0, eq)), "charset")) {
      std::string_view v = trim(param.substr(eq + 1));
      if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
        v = trim(v.substr(1, v.size() - 2));
      return v;
    }
    p = next;
  }
  return {};
}

Result<std::string> to_utf8(std::string_view bytes, std::string_view declared_charset) {
  if (bytes.starts_with("\xEF\xBB\xBF")) return converted(repair_utf8(bytes.substr(3)));
  if (bytes.starts_with("\xFF\xFE")) return convert(bytes.substr(2), "UTF-16LE");
  if (bytes.starts_with("\xFE\xFF")) return convert(bytes.substr(2), "UTF-16BE");

  std::string_view label = trim(declared_charset);
  if (label.size() >= 2 && (label.front() == '"' || label.front() == '\'') && label.back() == label.front())
    label = trim(label.substr(1, label.size() - 2));
  if (label.empty()) {
    using namespace std::string_view_literals;
    if (bytes.starts_with("<\0?\0"sv)) return convert(bytes, "UTF-16LE");
    if (bytes.starts_with("\0<\0?"sv)) return convert(bytes, "UTF-16BE");
    label = xml_declared_encoding(bytes);
    // Text we could read the declaration of in ASCII is not UTF-16, whatever it says: a server re-encoded it
    // and kept the declaration.
    if (label.size() >= 6 && iequals(label.substr(0, 6), "utf-16")) label = "utf-8";
  }
  if (label.empty()) return converted(repair_utf8(bytes));
  const std::string name = iconv_name(label);
  if (name.empty()) return error("invalid charset name \"" + std::string(label) + "\"");
  if (name == "UTF-8") return converted(repair_utf8(bytes));
  return convert(bytes, name);
}

}  // namespace vigie::ingest
