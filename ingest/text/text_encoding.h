// Bytes in any charset a feed or web page may declare, to the UTF-8 every later stage assumes.
//
// Pure functions, thread-safe (each call opens its own iconv descriptor).
#pragma once

#include <string>
#include <string_view>

#include "ingest/base/result.h"

namespace vigie::ingest {

// Converts `bytes` to valid UTF-8. The charset is chosen as browsers and feed readers do:
// 1. a byte order mark (UTF-8, UTF-16LE, UTF-16BE) wins, and is removed;
// 2. else `declared_charset`, the caller's charset (the `charset` parameter of the HTTP Content-Type);
// 3. else the `encoding="..."` of an XML declaration found near the start (junk before it is tolerated);
// 4. else UTF-16 when the text starts with "<?" in UTF-16 without a BOM, else UTF-8.
// Names are matched case-insensitively through aliases (latin1, cp1252, sjis, ks_c_5601-1987, ...), and mapped
// to the superset browsers actually decode: ISO-8859-1/US-ASCII are read as windows-1252, EUC-KR as CP949,
// Shift_JIS as CP932, GB2312/GBK as GB18030.
// Bytes invalid in the chosen charset become U+FFFD: a feed with a few bad bytes is repaired, not rejected.
// The XML declaration is left in place, so an XML parser must be told the text is UTF-8 (pugixml:
// encoding_utf8) rather than trust the declaration.
// Fails only when the charset name is malformed (quotes around it are fine) or unknown to iconv.
Result<std::string> to_utf8(std::string_view bytes, std::string_view declared_charset);

// The `charset` parameter of a Content-Type header value ("text/xml; charset=\"ISO-8859-1\"" ->
// "ISO-8859-1"), unquoted and trimmed; empty when there is none.
std::string_view charset_from_content_type(std::string_view content_type);

// Returns `s` with every invalid UTF-8 sequence (stray continuation bytes, overlongs, surrogates, code points
// beyond U+10FFFF, truncated sequences) replaced by U+FFFD, one per maximal invalid subpart as the WHATWG
// decoder does.
std::string repair_utf8(std::string_view s);

// Appends the UTF-8 encoding of `cp`; a surrogate or a value beyond U+10FFFF appends U+FFFD.
void append_utf8(std::string& out, char32_t cp);

}  // namespace vigie::ingest
