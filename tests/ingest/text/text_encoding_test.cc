#include "ingest/text/text_encoding.h"

#include <gtest/gtest.h>

#include <string>

namespace vigie::ingest {
namespace {

using namespace std::string_literals;

std::string utf8_or_error(std::string_view bytes, std::string_view charset) {
  auto r = to_utf8(bytes, charset);
  return r ? *r : "ERROR: " + r.error().message;
}

TEST(ToUtf8, Iso88591IsReadAsWindows1252) {
  // 0x80 euro, 0x92 right quote, 0x93/0x94 double quotes, 0xE9 e-acute: windows-1252, labelled latin1.
  const std::string bytes = "Caf\xE9 \x93promo\x94 \x80 l\x92\xE9t\xE9";
  EXPECT_EQ(utf8_or_error(bytes, "ISO-8859-1"), "Café “promo” € l’été");
  EXPECT_EQ(utf8_or_error(bytes, "latin1"), "Café “promo” € l’été");
  EXPECT_EQ(utf8_or_error(bytes, "\"cp1252\""), "Café “promo” € l’été");
  EXPECT_EQ(utf8_or_error(bytes, "Windows-1252"), "Café “promo” € l’été");
  EXPECT_EQ(utf8_or_error(bytes, "us-ascii"), "Café “promo” € l’été");
}

TEST(ToUtf8, CharsetFromXmlDeclarationWhenCallerHasNone) {
  const std::string doc = "<?xml version='1.0' encoding = 'iso-8859-15' ?><a>\xA4</a>";  // 0xA4 is the euro
  EXPECT_EQ(utf8_or_error(doc, ""), "<?xml version='1.0' encoding = 'iso-8859-15' ?><a>€</a>");
  // The caller's charset (from HTTP) wins over the declaration.
  EXPECT_EQ(utf8_or_error(doc, "windows-1252"), "<?xml version='1.0' encoding = 'iso-8859-15' ?><a>¤</a>");
  // Junk before the declaration does not hide it.
  EXPECT_EQ(utf8_or_error("\n\n<b>Warning</b>\n<?xml version=\"1.0\" encoding=\"KOI8-R\"?>\xF0\xD2\xC9", ""),
            "\n\n<b>Warning</b>\n<?xml version=\"1.0\" encoding=\"KOI8-R\"?>При");
}

TEST(ToUtf8, AsianCharsetsThroughAliases) {
  // "에이크미" in EUC-KR, "日本" in Shift_JIS, "中文" in GB2312.
  EXPECT_EQ(utf8_or_error("\xBF\xA1\xC0\xCC\xC5\xA9\xB9\xCC", "EUC-KR"), "에이크미");
  EXPECT_EQ(utf8_or_error("\xBF\xA1\xC0\xCC\xC5\xA9\xB9\xCC", "ks_c_5601-1987"), "에이크미");
  EXPECT_EQ(utf8_or_error("\x93\xFA\x96\x7B", "Shift_JIS"), "日本");
  EXPECT_EQ(utf8_or_error("\x93\xFA\x96\x7B", "x-sjis"), "日本");
  EXPECT_EQ(utf8_or_error("\xD6\xD0\xCE\xC4", "GB2312"), "中文");
  EXPECT_EQ(utf8_or_error("\xF0\xD2\xC9\xD7\xC5\xD4", "koi8-r"), "Привет");
}

TEST(ToUtf8, ByteOrderMarksWin) {
  EXPECT_EQ(utf8_or_error("\xEF\xBB\xBF<a>\xC3\xA9</a>", "windows-1252"), "<a>é</a>");
  EXPECT_EQ(utf8_or_error("\xFF\xFE<\0a\0>\0\xE9\0"s, ""), "<a>é");
  EXPECT_EQ(utf8_or_error("\xFE\xFF\0<\0a\0>\0\xE9"s, "iso-8859-1"), "<a>é");
  // UTF-16 without a BOM, recognised by its "<?".
  EXPECT_EQ(utf8_or_error("<\0?\0x\0"s, ""), "<?x");
  EXPECT_EQ(utf8_or_error("\0<\0?\0x"s, ""), "<?x");
}

TEST(ToUtf8, Utf16DeclarationOnAsciiTextMeansUtf8) {
  EXPECT_EQ(utf8_or_error("<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>\xC3\xA9</a>", ""),
            "<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>é</a>");
}

TEST(ToUtf8, RepairsInvalidUtf8) {
  EXPECT_EQ(utf8_or_error("caf\xE9 ok", "utf-8"), "caf\uFFFD ok");
  EXPECT_EQ(utf8_or_error("a\xC3", ""), "a\uFFFD");  // truncated at the end
  EXPECT_EQ(utf8_or_error("ok \xF0\x9F\x98\x80", "UTF8"), "ok 😀");
}

TEST(ToUtf8, InvalidBytesInOtherCharsetsBecomeReplacementCharacters) {
  // 0x81 is a hole in windows-1252; a lone lead byte ends this EUC-KR text.
  EXPECT_EQ(utf8_or_error("a\x81z", "windows-1252"), "a\uFFFDz");
  EXPECT_EQ(utf8_or_error("\xBF\xA1\xC0", "euc-kr"), "에\uFFFD");
}

TEST(ToUtf8, UnknownCharsetIsAnError) {
  EXPECT_EQ(utf8_or_error("x", "no-such-charset"), "ERROR: unknown charset \"NO-SUCH-CHARSET\"");
  EXPECT_EQ(utf8_or_error("x", "utf-8//IGNORE"), "ERROR: invalid charset name \"utf-8//IGNORE\"");
  EXPECT_EQ(utf8_or_error("", ""), "");
}

TEST(RepairUtf8, ReplacesEachMaximalInvalidSubpartOnce) {
  EXPECT_EQ(repair_utf8("plain"), "plain");
  EXPECT_EQ(repair_utf8("\x80"), "\uFFFD");
  EXPECT_EQ(repair_utf8("\xC0\xAF"), "\uFFFD\uFFFD");                      // overlong
  EXPECT_EQ(repair_utf8("\xED\xA0\x80"), "\uFFFD\uFFFD\uFFFD");            // surrogate
  EXPECT_EQ(repair_utf8("\xF4\x90\x80\x80"), "\uFFFD\uFFFD\uFFFD\uFFFD");  // beyond U+10FFFF
  EXPECT_EQ(repair_utf8("\xE2\x82x"), "\uFFFDx");                          // truncated, then ASCII
  EXPECT_EQ(repair_utf8("\xF0\x9F\x98"), "\uFFFD");                        // truncated at the end
  EXPECT_EQ(repair_utf8("é\xFF€"), "é\uFFFD€");
}

TEST(CharsetFromContentType, ReadsTheParameter) {
  EXPECT_EQ(charset_from_content_type("application/rss+xml; charset=UTF-8"), "UTF-8");
  EXPECT_EQ(charset_from_content_type("text/xml;Charset=\"ISO-8859-1\" ; q=1"), "ISO-8859-1");
  EXPECT_EQ(charset_from_content_type("text/xml; format=flowed; charset='euc-kr'"), "euc-kr");
  EXPECT_EQ(charset_from_content_type("text/xml"), "");
  EXPECT_EQ(charset_from_content_type(""), "");
}

TEST(AppendUtf8, EncodesAllLengths) {
  std::string s;
  for (char32_t cp : {U'A', U'é', U'€', U'😀', char32_t{0xD800}, char32_t{0x110000}})
    append_utf8(s, cp);
  EXPECT_EQ(s, "Aé€😀\uFFFD\uFFFD");
}

}  // namespace
}  // namespace vigie::ingest
