// HTML fragments (post bodies, feed descriptions) to the plain text that rules match against.
//
// Pure functions, thread-safe, total: any byte string is accepted (malformed, truncated or non-HTML input
// included) and no input makes them fail. Non-UTF-8 bytes pass through untouched; decode first with to_utf8.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vigie::ingest {

// Returns the visible text of an HTML fragment:
// - tags are removed; block-level tags (p, br, div, li, h1..h6, tr, td, blockquote, hr, img, ...) separate
//   words, inline tags (a, span, b, em, ...) do not, so "<b>Ac</b>me" reads "Acme";
// - the text of every element is kept, including link text and `class="invisible"` spans (Mastodon splits a
//   link into invisible and visible spans that only reconstitute the full URL together); attributes such as
//   href are never inlined;
// - the content of script, style and template elements, comments, doctypes and processing instructions are
//   dropped; CDATA sections are kept as text;
// - entities are decoded as decode_entities() does, and &nbsp; counts as whitespace;
// - whitespace runs (ASCII and U+00A0) collapse to one space, and the result is trimmed.
// A truncated tag or comment at the end is dropped; a '<' that cannot start a tag ("a < b", "<3") is text.
std::string html_to_text(std::string_view html);

// Decodes character references in text that is entity-escaped but not HTML: "&#233;", "&#xE9;" and the HTML 4
// named set plus &apos; ("&eacute;", "&rsquo;", "&euro;", ...). A numeric reference may omit its ';', a named
// one may not. Unknown or malformed references are kept literally ("&foo;", "AT&T"). Numeric references to
// NUL, surrogates or beyond U+10FFFF become U+FFFD; 128..159 are read as windows-1252, as browsers do.
// Whitespace is left as is.
std::string decode_entities(std::string_view text);

// The code point of a named HTML entity, without '&' and ';' ("eacute" -> U+00E9); nullopt when unknown.
// Names are case-sensitive ("Eacute" is U+00C9).
std::optional<char32_t> html_entity_codepoint(std::string_view name);

}  // namespace vigie::ingest
