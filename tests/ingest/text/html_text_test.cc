#include "ingest/text/html_text.h"

#include <gtest/gtest.h>

#include <string>

namespace vigie::ingest {
namespace {

TEST(HtmlToText, StripsTagsAndKeepsLinkText) {
  EXPECT_EQ(html_to_text("<p>Panne chez <a href=\"https://acme.example/status\">Acme</a> ?</p>"),
            "Panne chez Acme ?");
  EXPECT_EQ(html_to_text("<b>Ac</b>me <em>rocks</em>"), "Acme rocks");
  EXPECT_EQ(html_to_text("plain text"), "plain text");
  EXPECT_EQ(html_to_text(""), "");
}

TEST(HtmlToText, BlockTagsSeparateWords) {
  EXPECT_EQ(html_to_text("<p>one</p><p>two</p>"), "one two");
  EXPECT_EQ(html_to_text("line<br>break<br/>again<BR />end"), "line break again end");
  EXPECT_EQ(html_to_text("<ul><li>a</li><li>b</li></ul><div>c</div><h2>d</h2>e"), "a b c d e");
  EXPECT_EQ(html_to_text("<table><tr><td>x</td><td>y</td></tr></table>"), "x y");
  EXPECT_EQ(html_to_text("word<img src=\"a.png\" alt=\"pic\">word"), "word word");
}

TEST(HtmlToText, KeepsMastodonInvisibleSpans) {
  EXPECT_EQ(html_to_text("<p>Lu sur <a href=\"https://example.com/x\" rel=\"nofollow noopener\" "
                         "target=\"_blank\"><span class=\"invisible\">https://</span><span "
                         "class=\"ellipsis\">example.com/x</span><span class=\"invisible\"></span></a></p>"),
            "Lu sur https://example.com/x");
  EXPECT_EQ(html_to_text("<p><span class=\"h-card\"><a href=\"https://m.example/@ana\" class=\"u-url "
                         "mention\">@<span>ana</span></a></span> merci</p>"),
            "@ana merci");
}

TEST(HtmlToText, DropsScriptStyleAndComments) {
  EXPECT_EQ(html_to_text("a<script type=\"text/javascript\">var x = '<p>no</p>';</script>b"), "a b");
  EXPECT_EQ(html_to_text("a<STYLE>p { color: red }</STYLE>b"), "a b");
  EXPECT_EQ(html_to_text("a<!-- hidden <b>x</b> -->b"), "ab");
  EXPECT_EQ(html_to_text("<!DOCTYPE html><?php echo 1 ?>text"), "text");
  EXPECT_EQ(html_to_text("x<![CDATA[a &amp; b]]>y"), "xa &amp; by");
}

TEST(HtmlToText, DecodesEntities) {
  EXPECT_EQ(html_to_text("caf&eacute; &amp; th&#233; &#xE9;&#XE9; &lt;3 &quot;q&quot; &apos;s"),
            "café & thé éé <3 \"q\" 's");
  EXPECT_EQ(
      html_to_text("&lsquo;a&rsquo; &ldquo;b&rdquo; c&hellip; d &mdash; e &ndash; 5&euro; &laquo;f&raquo;"),
      "‘a’ “b” c… d — e – 5€ «f»");
  EXPECT_EQ(html_to_text("&Eacute;t&eacute; &egrave; &agrave; &ccedil;a"), "Été è à ça");
  // Unknown and malformed references stay as written.
  EXPECT_EQ(html_to_text("AT&T &foo; &; & &#; &#x;"), "AT&T &foo; &; & &#; &#x;");
  // Decoded '<' is text, never the start of a tag.
  EXPECT_EQ(html_to_text("&lt;b&gt;bold&lt;/b&gt;"), "<b>bold</b>");
}

TEST(HtmlToText, NbspIsWhitespaceAndRunsCollapse) {
  EXPECT_EQ(html_to_text("  a&nbsp;&nbsp;b \n\t c\xC2\xA0\xC2\xA0"
                         "d  "),
            "a b c d");
  EXPECT_EQ(html_to_text("<p>\n  <span>a</span>\n</p>\n<p>\n b</p>\n"), "a b");
  EXPECT_EQ(html_to_text("&nbsp;<br>&#160;"), "");
}

TEST(HtmlToText, SurvivesMalformedInput) {
  EXPECT_EQ(html_to_text("a < b and c<3 d"), "a < b and c<3 d");
  EXPECT_EQ(html_to_text("<p>unclosed <b>bold"), "unclosed bold");
  EXPECT_EQ(html_to_text("text <a href=\"https://x"), "text");      // truncated inside a tag
  EXPECT_EQ(html_to_text("text <!-- never closed"), "text");        // truncated comment
  EXPECT_EQ(html_to_text("a<script>alert(1)"), "a");                // unterminated script
  EXPECT_EQ(html_to_text("<a title=\"1 > 0\">link</a>"), "link");   // '>' inside a quoted attribute
  EXPECT_EQ(html_to_text("<a title=\"unbalanced>x</a> y"), "x y");  // a quote that never closes
  EXPECT_EQ(html_to_text("</ >x</>"), "</ >x</>");
  EXPECT_EQ(html_to_text("a&#12b"), "a b");  // a form feed is whitespace
  EXPECT_EQ(html_to_text("<"), "<");
  EXPECT_EQ(html_to_text("&"), "&");
}

TEST(DecodeEntities, DecodesWithoutTouchingTagsOrWhitespace) {
  EXPECT_EQ(decode_entities("<b>caf&eacute;</b>  &amp;&nbsp;x"), "<b>café</b>  &\u00A0x");
  EXPECT_EQ(decode_entities("&#8217;&#x1F600;&#39"), "’😀'");
  EXPECT_EQ(decode_entities("a&b &unknown; &eacute"), "a&b &unknown; &eacute");
  EXPECT_EQ(decode_entities(""), "");
}

TEST(DecodeEntities, InvalidCodePointsAndWindows1252Range) {
  EXPECT_EQ(decode_entities("&#0;&#xD800;&#x110000;&#99999999999999999999;"), "\uFFFD\uFFFD\uFFFD\uFFFD");
  EXPECT_EQ(decode_entities("&#146;&#128;&#150;"), "’€–");
  EXPECT_EQ(decode_entities("&#129;"), "\xC2\x81");  // a hole in windows-1252 stays a C1 control
}

TEST(HtmlEntityCodepoint, LooksUpTheWholeTable) {
  EXPECT_EQ(html_entity_codepoint("nbsp"), 0xA0U);
  EXPECT_EQ(html_entity_codepoint("AElig"), 0xC6U);
  EXPECT_EQ(html_entity_codepoint("zwnj"), 0x200CU);
  EXPECT_EQ(html_entity_codepoint("thetasym"), 0x3D1U);
  EXPECT_EQ(html_entity_codepoint("Eacute"), 0xC9U);
  EXPECT_EQ(html_entity_codepoint("eacute"), 0xE9U);
  EXPECT_FALSE(html_entity_codepoint("EACUTE"));
  EXPECT_FALSE(html_entity_codepoint(""));
  EXPECT_FALSE(html_entity_codepoint("nbs"));
}

TEST(HtmlToText, LargeInputIsLinear) {
  std::string html;
  for (int i = 0; i < 20000; ++i)
    html += "<p>mot&nbsp;<a href=\"x\">lien</a></p>\n";
  const std::string text = html_to_text(html);
  EXPECT_EQ(text.size(), 20000 * std::string("mot lien ").size() - 1);
}

}  // namespace
}  // namespace vigie::ingest
