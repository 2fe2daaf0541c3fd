#include "ingest/text/html_text.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "ingest/base/ascii.h"
#include "ingest/text/text_encoding.h"

namespace vigie::ingest {
namespace {

using ascii::is_alnum;
using ascii::is_alpha;
using ascii::is_digit;
using ascii::is_space;
using ascii::lower;

struct NamedEntity {
  const char* name;
  char32_t cp;
};

// HTML 4.01's 252 entities plus &apos;, sorted by name in byte order so a binary search finds them.
constexpr NamedEntity kEntities[] = {
    {"AElig", 198},    {"Aacute", 193},  {"Acirc", 194},   {"Agrave", 192},  {"Alpha", 913},
    {"Aring", 197},    {"Atilde", 195},  {"Auml", 196},    {"Beta", 914},    {"Ccedil", 199},
    {"Chi", 935},      {"Dagger", 8225}, {"Delta", 916},   {"ETH", 208},     {"Eacute", 201},
    {"Ecirc", 202},    {"Egrave", 200},  {"Epsilon", 917}, {"Eta", 919},     {"Euml", 203},
    {"Gamma", 915},    {"Iacute", 205},  {"Icirc", 206},   {"Igrave", 204},  {"Iota", 921},
    {"Iuml", 207},     {"Kappa", 922},   {"Lambda", 923},  {"Mu", 924},      {"Ntilde", 209},
    {"Nu", 925},       {"OElig", 338},   {"Oacute", 211},  {"Ocirc", 212},   {"Ograve", 210},
    {"Omega", 937},    {"Omicron", 927}, {"Oslash", 216},  {"Otilde", 213},  {"Ouml", 214},
    {"Phi", 934},      {"Pi", 928},      {"Prime", 8243},  {"Psi", 936},     {"Rho", 929},
    {"Scaron", 352},   {"Sigma", 931},   {"THORN", 222},   {"Tau", 932},     {"Theta", 920},
    {"Uacute", 218},   {"Ucirc", 219},   {"Ugrave", 217},  {"Upsilon", 933}, {"Uuml", 220},
    {"Xi", 926},       {"Yacute", 221},  {"Yuml", 376},    {"Zeta", 918},    {"aacute", 225},
    {"acirc", 226},    {"acute", 180},   {"aelig", 230},   {"agrave", 224},  {"alefsym", 8501},
    {"alpha", 945},    {"amp", 38},      {"and", 8743},    {"ang", 8736},    {"apos", 39},
    {"aring", 229},    {"asymp", 8776},  {"atilde", 227},  {"auml", 228},    {"bdquo", 8222},
    {"beta", 946},     {"brvbar", 166},  {"bull", 8226},   {"cap", 8745},    {"ccedil", 231},
    {"cedil", 184},    {"cent", 162},    {"chi", 967},     {"circ", 710},    {"clubs", 9827},
    {"cong", 8773},    {"copy", 169},    {"crarr", 8629},  {"cup", 8746},    {"curren", 164},
    {"dArr", 8659},    {"dagger", 8224}, {"darr", 8595},   {"deg", 176},     {"delta", 948},
    {"diams", 9830},   {"divide", 247},  {"eacute", 233},  {"ecirc", 234},   {"egrave", 232},
    {"empty", 8709},   {"emsp", 8195},   {"ensp", 8194},   {"epsilon", 949}, {"equiv", 8801},
    {"eta", 951},      {"eth", 240},     {"euml", 235},    {"euro", 8364},   {"exist", 8707},
    {"fnof", 402},     {"forall", 8704}, {"frac12", 189},  {"frac14", 188},  {"frac34", 190},
    {"frasl", 8260},   {"gamma", 947},   {"ge", 8805},     {"gt", 62},       {"hArr", 8660},
    {"harr", 8596},    {"hearts", 9829}, {"hellip", 8230}, {"iacute", 237},  {"icirc", 238},
    {"iexcl", 161},    {"igrave", 236},  {"image", 8465},  {"infin", 8734},  {"int", 8747},
    {"iota", 953},     {"iquest", 191},  {"isin", 8712},   {"iuml", 239},    {"kappa", 954},
    {"lArr", 8656},    {"lambda", 955},  {"lang", 9001},   {"laquo", 171},   {"larr", 8592},
    {"lceil", 8968},   {"ldquo", 8220},  {"le", 8804},     {"lfloor", 8970}, {"lowast", 8727},
    {"loz", 9674},     {"lrm", 8206},    {"lsaquo", 8249}, {"lsquo", 8216},  {"lt", 60},
    {"macr", 175},     {"mdash", 8212},  {"micro", 181},   {"middot", 183},  {"minus", 8722},
    {"mu", 956},       {"nabla", 8711},  {"nbsp", 160},    {"ndash", 8211},  {"ne", 8800},
    {"ni", 8715},      {"not", 172},     {"notin", 8713},  {"nsub", 8836},   {"ntilde", 241},
    {"nu", 957},       {"oacute", 243},  {"ocirc", 244},   {"oelig", 339},   {"ograve", 242},
    {"oline", 8254},   {"omega", 969},   {"omicron", 959}, {"oplus", 8853},  {"or", 8744},
    {"ordf", 170},     {"ordm", 186},    {"oslash", 248},  {"otilde", 245},  {"otimes", 8855},
    {"ouml", 246},     {"para", 182},    {"part", 8706},   {"permil", 8240}, {"perp", 8869},
    {"phi", 966},      {"pi", 960},      {"piv", 982},     {"plusmn", 177},  {"pound", 163},
    {"prime", 8242},   {"prod", 8719},   {"prop", 8733},   {"psi", 968},     {"quot", 34},
    {"rArr", 8658},    {"radic", 8730},  {"rang", 9002},   {"raquo", 187},   {"rarr", 8594},
    {"rceil", 8969},   {"rdquo", 8221},  {"real", 8476},   {"reg", 174},     {"rfloor", 8971},
    {"rho", 961},      {"rlm", 8207},    {"rsaquo", 8250}, {"rsquo", 8217},  {"sbquo", 8218},
    {"scaron", 353},   {"sdot", 8901},   {"sect", 167},    {"shy", 173},     {"sigma", 963},
    {"sigmaf", 962},   {"sim", 8764},    {"spades", 9824}, {"sub", 8834},    {"sube", 8838},
    {"sum", 8721},     {"sup", 8835},    {"sup1", 185},    {"sup2", 178},    {"sup3", 179},
    {"supe", 8839},    {"szlig", 223},   {"tau", 964},     {"there4", 8756}, {"theta", 952},
    {"thetasym", 977}, {"thinsp", 8201}, {"thorn", 254},   {"tilde", 732},   {"times", 215},
    {"trade", 8482},   {"uArr", 8657},   {"uacute", 250},  {"uarr", 8593},   {"ucirc", 251},
    {"ugrave", 249},   {"uml", 168},     {"upsih", 978},   {"upsilon", 965}, {"uuml", 252},
    {"weierp", 8472},  {"xi", 958},      {"yacute", 253},  {"yen", 165},     {"yuml", 255},
    {"zeta", 950},     {"zwj", 8205},    {"zwnj", 8204},
};

constexpr char32_t kReplacement = 0xFFFD;

// What windows-1252 puts at 0x80..0x9F. HTML5 reads "&#146;" this way because pages written on Windows
// escaped their curly quotes by byte value; 0 marks the five holes, which stay C1 controls.
constexpr char16_t kCp1252High[32] = {0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                      0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
                                      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                      0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads a character reference starting at s[pos] == '&'. On success stores the code point, advances `pos`
// past the reference and returns true; otherwise leaves `pos` alone so the '&' is kept as text.
bool read_reference(std::string_view s, size_t& pos, char32_t& cp) {
  size_t i = pos + 1;
  if (i < s.size() && s[i] == '#') {
    ++i;
    const bool hex = i < s.size() && (s[i] == 'x' || s[i] == 'X');
    if (hex) ++i;
    const size_t first = i;
    std::uint32_t v = 0;
    for (; i < s.size(); ++i) {
      const int d = hex ? hex_value(s[i]) : (is_digit(s[i]) ? s[i] - '0' : -1);
      if (d < 0) break;
      // Saturate rather than overflow: anything past U+10FFFF is replaced anyway.
      v = v > 0x10FFFF ? v : v * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
    }
    if (i == first) return false;
    if (i < s.size() && s[i] == ';') ++i;
    if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
      cp = kReplacement;
    } else if (v >= 0x80 && v <= 0x9F && kCp1252High[v - 0x80] != 0) {
      cp = kCp1252High[v - 0x80];
    } else {
      cp = v;
    }
    pos = i;
    return true;
  }
  // The longest HTML 4 name is 8 characters; stop early so "&" followed by a long word stays cheap.
  const size_t start = i;
  while (i < s.size() && i - start <= 8 && is_alnum(s[i]))
    ++i;
  if (i == start || i >= s.size() || s[i] != ';') return false;
  const auto named = html_entity_codepoint(s.substr(start, i - start));
  if (!named) return false;
  cp = *named;
  pos = i + 1;
  return true;
}

// Case-insensitive search for an ASCII needle, which must be lowercase.
size_t find_ci(std::string_view s, std::string_view needle, size_t from) {
  if (needle.size() > s.size()) return std::string_view::npos;
  for (size_t i = from; i + needle.size() <= s.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() && lower(s[i + k]) == needle[k])
      ++k;
    if (k == needle.size()) return i;
  }
  return std::string_view::npos;
}

// Tags that start a new line or box in a browser, sorted: their boundary separates words.
constexpr std::string_view kBreakingTags[] = {
    "address", "article",  "aside",      "audio",   "blockquote", "br",      "button", "caption",
    "center",  "dd",       "details",    "dialog",  "dir",        "div",     "dl",     "dt",
    "embed",   "fieldset", "figcaption", "figure",  "footer",     "form",    "h1",     "h2",
    "h3",      "h4",       "h5",         "h6",      "header",     "hgroup",  "hr",     "iframe",
    "img",     "input",    "li",         "main",    "menu",       "nav",     "object", "ol",
    "option",  "p",        "pre",        "section", "select",     "summary", "table",  "tbody",
    "td",      "textarea", "tfoot",      "th",      "thead",      "tr",      "ul",     "video"};

// Elements whose content is never displayed as text.
bool is_hidden_content(std::string_view tag) {
  return tag == "script" || tag == "style" || tag == "template";
}

bool is_breaking(std::string_view tag) {
  return std::binary_search(std::begin(kBreakingTags), std::end(kBreakingTags), tag);
}

// Appends text with whitespace collapsed: a run of whitespace becomes one pending space, written only before
// the next visible character, so the output is trimmed at both ends for free.
class CollapsingWriter {
 public:
  explicit CollapsingWriter(std::string& out) : out_(out) {}

  void space() { pending_ = true; }

  void visible(std::string_view run) {
    if (run.empty()) return;
    if (pending_ && !out_.empty()) out_.push_back(' ');
    pending_ = false;
    out_.append(run);
  }

  void code_point(char32_t cp) {
    if (cp == 0xA0 || cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f') {
      pending_ = true;
      return;
    }
    if (pending_ && !out_.empty()) out_.push_back(' ');
    pending_ = false;
    append_utf8(out_, cp);
  }

  // Text with entities left alone (CDATA) or decoded (ordinary text).
  void text(std::string_view s, bool decode) {
    size_t i = 0;
    while (i < s.size()) {
      // Copy the longest run of ordinary bytes in one append.
      size_t j = i;
      while (j < s.size() && !is_space(s[j]) && !(decode && s[j] == '&') &&
             !(static_cast<unsigned char>(s[j]) == 0xC2 && j + 1 < s.size() &&
               static_cast<unsigned char>(s[j + 1]) == 0xA0))
        ++j;
      visible(s.substr(i, j - i));
      if (j == s.size()) break;
      if (is_space(s[j])) {
        pending_ = true;
        i = j + 1;
      } else if (s[j] == '&') {
        char32_t cp;
        size_t p = j;
        if (read_reference(s, p, cp)) {
          code_point(cp);
          i = p;
        } else {
          visible("&");
          i = j + 1;
        }
      } else {  // a raw U+00A0
        pending_ = true;
        i = j + 2;
      }
    }
  }

 private:
  std::string& out_;
  bool pending_ = false;
};

}  // namespace

std::optional<char32_t> html_entity_codepoint(std::string_view name) {
  const auto it = std::lower_bound(std::begin(kEntities), std::end(kEntities), name,
                                   [](const NamedEntity& e, std::string_view n) { return e.name < n; });
  if (it == std::end(kEntities) || it->name != name) return std::nullopt;
  return it->cp;
}

std::string decode_entities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const size_t amp = text.find('&', i);
    if (amp == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, amp - i));
    size_t p = amp;
    char32_t cp;
    if (read_reference(text, p, cp)) {
      append_utf8(out, cp);
      i = p;
    } else {
      out.push_back('&');
      i = amp + 1;
    }
  }
  return out;
}

std::string html_to_text(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  CollapsingWriter w(out);
  size_t i = 0;
  while (i < html.size()) {
    const size_t lt = html.find('<', i);
    w.text(html.substr(i, lt == std::string_view::npos ? std::string_view::npos : lt - i), true);
    if (lt == std::string_view::npos) break;
    i = lt;
    const std::string_view rest = html.substr(i);

    if (rest.starts_with("<!--")) {
      const size_t end = html.find("-->", i + 4);
      if (end == std::string_view::npos) break;  // an unterminated comment hides the rest, as in a browser
      i = end + 3;
      continue;
    }
    if (rest.starts_with("<![CDATA[")) {
      const size_t end = html.find("]]>", i + 9);
      w.text(html.substr(i + 9, end == std::string_view::npos ? std::string_view::npos : end - i - 9), false);
      if (end == std::string_view::npos) break;
      i = end + 3;
      continue;
    }
    if (rest.starts_with("<!") || rest.starts_with("<?")) {
      const size_t end = html.find('>', i + 2);
      if (end == std::string_view::npos) break;
      i = end + 1;
      continue;
    }

    const bool closing = rest.size() > 1 && rest[1] == '/';
    size_t p = i + (closing ? 2 : 1);
    if (p >= html.size() || !is_alpha(html[p])) {
      // Not a tag: "a < b", "<3", "</ >". Keep the '<' as text.
      w.visible("<");
      i = lt + 1;
      continue;
    }
    // Tag names we act on are short; a longer one is kept only as far as needed to know it is none of them.
    char name_buf[16];
    size_t name_len = 0;
    while (p < html.size() && (is_alnum(html[p]) || html[p] == '-' || html[p] == ':')) {
      if (name_len < sizeof name_buf) name_buf[name_len] = lower(html[p]);
      ++name_len;
      ++p;
    }
    const std::string_view name =
        name_len <= sizeof name_buf ? std::string_view(name_buf, name_len) : std::string_view();

    // Find the '>' that ends the tag, skipping quoted attribute values ("a > b" is legal inside them). If a
    // quote never closes, fall back to the first '>' so one bad attribute does not swallow the document.
    size_t end = std::string_view::npos;
    for (size_t k = p; k < html.size(); ++k) {
      const char c = html[k];
      if (c == '>') {
        end = k;
        break;
      }
      if (c == '"' || c == '\'') {
        const size_t q = html.find(c, k + 1);
        if (q == std::string_view::npos) {
          end = html.find('>', p);
          break;
        }
        k = q;
      }
    }
    if (end == std::string_view::npos) break;  // truncated inside a tag: drop the partial tag
    i = end + 1;

    if (is_breaking(name)) w.space();
    if (!closing && is_hidden_content(name) && html[end - 1] != '/') {
      char close[16] = "</";
      std::memcpy(close + 2, name.data(), name.size());
      const size_t c = find_ci(html, std::string_view(close, name.size() + 2), i);
      if (c == std::string_view::npos) break;
      const size_t ce = html.find('>', c);
      if (ce == std::string_view::npos) break;
      i = ce + 1;
      w.space();
    }
  }
  return out;
}

}  // namespace vigie::ingest
