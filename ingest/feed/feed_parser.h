// The parsing half of the `feed` source: one HTTP response body of an RSS 2.0, RSS 1.0 (RDF) or Atom 1.0 feed
// to normalized posts. Fetching, scheduling and remembering which items were already seen belong to the caller.
//
// Platforms: a YouTube channel feed gives platform "youtube" (uid "youtube:<videoId>"), a Reddit .rss feed
// platform "reddit" (uid "reddit:t3_<id>" for posts, "reddit:t1_<id>" for comments), and everything else,
// blogs, news sites and Google Alerts included, platform "web" with uid "web:<article url>". Keying web items
// by their URL makes the same article found through a blog's feed and through an alert one post. An item with
// no link gets "web:<feed url>#<seen_key>".
//
// Pure functions, thread-safe. Errors are values; no input throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/base/result.h"
#include "ingest/base/timestamp.h"
#include "ingest/post.h"
#include "ingest/text/feed_date.h"

namespace vigie::ingest {

// What the caller knows about the response. The views need to live only for the call.
struct FeedParseInput {
  std::string_view content_type;  // the HTTP Content-Type header; its charset wins over the XML declaration
  std::string_view feed_url;  // the URL fetched: base of relative links, and of uids of items with no link
  Micros received_at = 0;     // stamps every post, and stands in for a missing or unreadable date
};

struct FeedItem {
  // source is left empty for the caller; received_at is FeedParseInput::received_at.
  Post post;
  // The item's identity within this feed, for the caller's seen-set: the RSS guid or Atom id, else the link,
  // else (RSS 1.0) rdf:about, else a 16-hex-digit FNV-1a hash of title and text. Stable across polls.
  std::string seen_key;
  std::int64_t views = -1;              // YouTube media:statistics views; -1 when the feed did not say
  std::vector<std::string> categories;  // RSS category text, Atom category label or term
};

struct ParsedFeed {
  std::string format;  // "rss", "atom" or "rdf"
  std::string title;   // plain text
  std::string link;    // the site's page, when the feed names one
  // True when the document was malformed or cut short: `items` then holds only the items that were complete
  // before the damage, in document order.
  bool truncated = false;
  // Empty when the document was sound; else what was wrong, for the log: "Start-end tags mismatch at byte
  // 5120" (then `truncated`), or "unknown charset \"X\"; read as UTF-8".
  std::string damage;
  std::vector<FeedItem> items;  // in document order
};

// Parses one feed document. Tolerates what real servers send: any charset (see to_utf8), a BOM or junk such
// as PHP warnings before the XML, HTML named entities (&nbsp;, &eacute;) that XML does not define, CDATA,
// namespace prefixes other than the usual ones, and a truncated or malformed document (see `truncated`).
// Titles and texts are plain text: HTML is converted with html_to_text, Atom type="text" only has its
// whitespace collapsed. Google redirect links (https://www.google.com/url?...&url=REAL) are unwrapped to
// REAL. Dates are read with parse_feed_date.
// A charset iconv does not know is read as UTF-8 (and noted in `damage`).
// Fails when the body is not XML or when its root is not rss, feed or rdf:RDF.
Result<ParsedFeed> parse_feed(std::string_view body, const FeedParseInput& in);

}  // namespace vigie::ingest
