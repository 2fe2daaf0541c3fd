#include "ingest/feed/feed_parser.h"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <charconv>
#include <cstdio>
#include <initializer_list>
#include <pugixml.hpp>

#include "ingest/base/ascii.h"
#include "ingest/net/endpoint.h"
#include "ingest/text/feed_date.h"
#include "ingest/text/html_text.h"
#include "ingest/text/text_encoding.h"

namespace vigie::ingest {
namespace {

using ascii::iequals;
using ascii::is_alpha;
using ascii::is_digit;
using ascii::is_space;
using ascii::trim;

constexpr auto npos = std::string_view::npos;

// Namespaces are compared by URI, never by prefix: a feed may bind content: or dc: to any prefix. RSS 0.9x,
// 1.0 and 2.0 core elements all compare equal to kCoreNs; Atom 0.3 compares equal to Atom 1.0.
constexpr std::string_view kCoreNs = "";
constexpr std::string_view kAtomNs = "http://www.w3.org/2005/Atom";
constexpr std::string_view kContentNs = "http://purl.org/rss/1.0/modules/content/";
constexpr std::string_view kDcNs = "http://purl.org/dc/elements/1.1/";
constexpr std::string_view kMediaNs = "http://search.yahoo.com/mrss/";
constexpr std::string_view kYtNs = "http://www.youtube.com/xml/schemas/2015";
constexpr std::string_view kUndeclaredNs = "undeclared:";

// ---- XML helpers ----

std::string_view qname(pugi::xml_node n) {
  return n.name();
}

std::string_view local_name(pugi::xml_node n) {
  const std::string_view q = qname(n);
  const size_t c = q.find(':');
  return c == npos ? q : q.substr(c + 1);
}

std::string_view canonical_ns(std::string_view uri) {
  if (uri == "http://purl.org/rss/1.0/" || uri == "http://my.netscape.com/rdf/simple/0.9/" ||
      uri == "http://backend.userland.com/rss2" || uri == "http://blogs.law.harvard.edu/tech/rss")
    return kCoreNs;
  // Atom 0.3, and 1.0 misspelt with https or a trailing slash.
  if (uri == "http://purl.org/atom/ns#" || uri.find("www.w3.org/2005/Atom") != npos) return kAtomNs;
  return uri;
}

// The namespace of an element. A prefix nobody declared (sloppy feeds write <content:encoded> without the
// xmlns) is given the namespace that prefix conventionally names.
std::string_view ns_of(pugi::xml_node n) {
  const std::string_view q = qname(n);
  const size_t c = q.find(':');
  const std::string_view prefix = c == npos ? std::string_view() : q.substr(0, c);
  for (pugi::xml_node p = n; p && p.type() == pugi::node_element; p = p.parent()) {
    for (const pugi::xml_attribute a : p.attributes()) {
      const std::string_view name = a.name();
      const bool binds = prefix.empty() ? name == "xmlns"
                                        : name.size() == 6 + prefix.size() && name.starts_with("xmlns:") &&
                                              name.substr(6) == prefix;
      if (binds) return canonical_ns(a.value());
    }
  }
  if (prefix.empty()) return kCoreNs;
  if (prefix == "content") return kContentNs;
  if (prefix == "dc") return kDcNs;
  if (prefix == "media") return kMediaNs;
  if (prefix == "yt") return kYtNs;
  if (prefix == "atom") return kAtomNs;
  return kUndeclaredNs;
}

// In an Atom document an element with no namespace at all is taken as Atom: some generators omit the xmlns.
bool is_atom(std::string_view ns) {
  return ns == kAtomNs || ns == kCoreNs;
}

// Every text and CDATA node below `n`, concatenated. Iterative: feeds are outside input and may nest deeply.
std::string deep_text(pugi::xml_node n) {
  std::string out;
  pugi::xml_node cur = n.first_child();
  while (cur) {
    if (cur.type() == pugi::node_pcdata || cur.type() == pugi::node_cdata) out += cur.value();
    if (cur.first_child()) {
      cur = cur.first_child();
      continue;
    }
    while (cur != n && !cur.next_sibling())
      cur = cur.parent();
    if (cur == n) break;
    cur = cur.next_sibling();
  }
  return out;
}

std::string trimmed_text(pugi::xml_node n) {
  return std::string(trim(deep_text(n)));
}

struct StringWriter : pugi::xml_writer {
  std::string& out;
  explicit StringWriter(std::string& o) : out(o) {}
  void write(const void* data, size_t size) override { out.append(static_cast<const char*>(data), size); }
};

// The HTML an element carries: its text when it holds only text (escaped or CDATA HTML, the usual case), else
// its children serialized back to markup (Atom xhtml, or HTML a feed forgot to escape).
std::string markup(pugi::xml_node n) {
  bool elements = false;
  for (pugi::xml_node c = n.first_child(); c && !elements; c = c.next_sibling())
    elements = c.type() == pugi::node_element;
  if (!elements) return deep_text(n);
  std::string out;
  StringWriter w(out);
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling())
    c.print(w, "", pugi::format_raw, pugi::encoding_utf8);
  return out;
}

std::string collapse_whitespace(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool nbsp = static_cast<unsigned char>(s[i]) == 0xC2 && i + 1 < s.size() &&
                      static_cast<unsigned char>(s[i + 1]) == 0xA0;
    if (is_space(s[i]) || nbsp) {
      pending = true;
      i += nbsp ? 1 : 0;
      continue;
    }
    if (pending && !out.empty()) out.push_back(' ');
    pending = false;
    out.push_back(s[i]);
  }
  return out;
}

// An Atom text construct (title, summary, content) as plain text, by its type attribute.
std::string atom_text(pugi::xml_node n) {
  const std::string_view type = n.attribute("type").value();
  if (type == "html" || type == "xhtml" || type == "text/html" || type == "application/xhtml+xml")
    return html_to_text(markup(n));
  return collapse_whitespace(deep_text(n));
}

// ---- links ----

std::string resolve_link(std::string_view base, std::string_view ref) {
  ref = trim(ref);
  if (ref.empty()) return {};
  if (!is_url_text(ref) || !is_url_text(base)) return std::string(ref);  // not a URL we can resolve safely
  const auto r = boost::urls::parse_uri_reference(ref);
  if (!r || r->has_scheme()) return std::string(ref);
  const auto b = boost::urls::parse_uri(base);
  if (!b) return std::string(ref);
  boost::urls::url dest;
  if (!boost::urls::resolve(*b, *r, dest)) return std::string(ref);
  return std::string(dest.buffer());
}

// The base URL in effect at `n`: the feed URL, refined by any xml:base on the way down.
std::string base_of(pugi::xml_node n, std::string_view feed_url) {
  std::vector<std::string_view> bases;
  for (pugi::xml_node p = n; p && p.type() == pugi::node_element; p = p.parent()) {
    if (const auto a = p.attribute("xml:base")) bases.push_back(a.value());
  }
  std::string base(feed_url);
  for (auto it = bases.rbegin(); it != bases.rend(); ++it)
    base = resolve_link(base, *it);
  return base;
}

// Google Alerts (and Google search results) link through https://www.google.com/url?...&url=REAL; the post is
// about REAL, and keying it by REAL lets other sources' copies of the same article dedup with it.
std::string unwrap_google_redirect(std::string link) {
  if (!is_url_text(link)) return link;
  const auto u = boost::urls::parse_uri(link);
  if (!u) return link;
  const std::string_view host = u->encoded_host();
  if ((host != "www.google.com" && host != "google.com") || u->encoded_path() != "/url") return link;
  // '+' must stay '+': it is part of the wrapped URL, not an encoded space.
  for (const auto& p : u->params(boost::urls::encoding_opts(false))) {
    if ((p.key == "url" || p.key == "q") && p.has_value &&
        (p.value.starts_with("http://") || p.value.starts_with("https://")))
      return p.value;
  }
  return link;
}

std::string lang_of(pugi::xml_node n) {
  for (pugi::xml_node p = n; p && p.type() == pugi::node_element; p = p.parent()) {
    if (const auto a = p.attribute("xml:lang"); a && *a.value()) return std::string(trim(a.value()));
  }
  return {};
}

// ---- authors ----

bool is_noreply(std::string_view email) {
  const std::string_view local = email.substr(0, email.find('@'));
  return local.starts_with("noreply") || local.starts_with("no-reply") || local.starts_with("nobody");
}

// RSS <author> is an email, optionally followed by the name in parentheses ("ana@acme.example (Ana Lima)");
// some feeds write "Ana Lima <ana@acme.example>" or just a name. The email, when real, is the handle.
void read_email_author(std::string_view s, Author& a) {
  s = trim(s);
  std::string_view email, name;
  if (const size_t open = s.find('('); open != npos && s.back() == ')') {
    email = trim(s.substr(0, open));
    name = trim(s.substr(open + 1, s.size() - open - 2));
  } else if (const size_t lt = s.find('<'); lt != npos && s.back() == '>') {
    name = trim(s.substr(0, lt));
    email = trim(s.substr(lt + 1, s.size() - lt - 2));
  } else if (s.find('@') != npos && s.find(' ') == npos) {
    email = s;
  } else {
    name = s;
  }
  if (!name.empty() && a.name.empty()) a.name = name;
  if (email.find('@') != npos && !is_noreply(email) && a.handle.empty()) a.handle = email;
}

// ---- items ----

std::string fnv1a_hex(std::string_view a, std::string_view b) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&h](std::string_view s) {
    for (const char c : s) {
      h ^= static_cast<unsigned char>(c);
      h *= 0x100000001b3ULL;
    }
  };
  mix(a);
  mix("\n");
  mix(b);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

bool is_reddit_thing_id(std::string_view id) {
  if (id.size() < 4 || (!id.starts_with("t3_") && !id.starts_with("t1_"))) return false;
  return std::all_of(id.begin() + 3, id.end(), [](char c) { return is_digit(c) || (c >= 'a' && c <= 'z'); });
}

bool is_reddit_url(std::string_view url) {
  if (!is_url_text(url)) return false;
  const auto u = boost::urls::parse_uri(url);
  if (!u) return false;
  const std::string_view host = u->encoded_host();
  return host == "reddit.com" || host.ends_with(".reddit.com");
}

// Reddit appends "submitted by /u/x [link] [comments]" to every post body; it is boilerplate, not the post.
std::string strip_reddit_footer(std::string html) {
  const size_t footer = html.rfind("&#32; submitted by &#32;");
  if (footer != npos) html.resize(footer);
  return html;
}

// The post a Reddit comment belongs to, from its permalink ".../comments/<post id>/<slug>/<comment id>/".
std::string reddit_root_uid(std::string_view link) {
  const size_t c = link.find("/comments/");
  if (c == npos) return {};
  const std::string_view rest = link.substr(c + 10);
  const std::string_view id = rest.substr(0, rest.find('/'));
  if (id.empty()) return {};
  return "reddit:t3_" + std::string(id);
}

// What an item or entry said, before it is shaped into a Post.
struct RawItem {
  std::string id;  // guid / id
  bool id_is_permalink = false;
  std::string link;
  std::string about;  // RSS 1.0 rdf:about
  std::string title;
  std::string text;
  pugi::xml_node html_content;  // Atom content of type html, reread for Reddit to drop its footer
  std::string date;
  std::string fallback_date;
  Author author;
  std::string lang;
  std::string video_id;
  std::string channel_id;
  std::int64_t views = -1;
  std::vector<std::string> categories;
};

void finish_item(RawItem&& r, const FeedParseInput& in, std::string_view feed_lang, ParsedFeed& out) {
  FeedItem item;
  Post& p = item.post;
  p.received_at = in.received_at;
  p.created_at = in.received_at;
  for (const std::string* d : {&r.date, &r.fallback_date}) {
    if (const auto t = parse_feed_date(*d)) {
      p.created_at = *t;
      break;
    }
  }
  // The document was valid UTF-8 before pugixml decoded its character references, but pugixml writes an
  // out-of-range one ("&#1111111111111;") as bytes that are not UTF-8: repair what it decoded.
  p.title = repair_utf8(r.title);
  p.text = repair_utf8(r.text);
  p.author = std::move(r.author);
  p.author.handle = repair_utf8(p.author.handle);
  p.author.name = repair_utf8(p.author.name);
  p.lang_hint = r.lang.empty() ? std::string(feed_lang) : std::move(r.lang);

  std::string url = unwrap_google_redirect(std::move(r.link));
  if (url.empty() && r.id_is_permalink && (r.id.starts_with("http://") || r.id.starts_with("https://")))
    url = r.id;
  if (url.empty() && (r.about.starts_with("http://") || r.about.starts_with("https://"))) url = r.about;

  if (!r.id.empty()) {
    item.seen_key = r.id;
  } else if (!url.empty()) {
    item.seen_key = url;
  } else if (!r.about.empty()) {
    item.seen_key = r.about;
  } else {
    item.seen_key = fnv1a_hex(p.title, p.text);
  }

  if (!r.video_id.empty()) {
    p.platform = "youtube";
    p.uid = "youtube:" + r.video_id;
    // The canonical watch page, also for Shorts (whose alternate link is /shorts/<id>).
    p.url = "https://www.youtube.com/watch?v=" + r.video_id;
    if (!r.channel_id.empty()) p.author.handle = r.channel_id;
  } else if (is_reddit_thing_id(r.id) && (is_reddit_url(url) || is_reddit_url(in.feed_url))) {
    p.platform = "reddit";
    p.uid = "reddit:" + r.id;
    p.url = std::move(url);
    if (r.id.starts_with("t1_")) {
      p.kind = Kind::comment;
      p.root_uid = reddit_root_uid(p.url);
    }
    if (r.html_content) p.text = html_to_text(strip_reddit_footer(markup(r.html_content)));
    // Reddit names authors "/u/name"; the handle is the bare name.
    std::string_view h = p.author.name;
    if (h.starts_with("/u/")) h.remove_prefix(3);
    if (h.starts_with("u/")) h.remove_prefix(2);
    p.author.handle = std::string(h);
    p.author.name.clear();
  } else {
    p.platform = "web";
    p.url = std::move(url);
    p.uid = p.url.empty() ? "web:" + std::string(in.feed_url) + "#" + item.seen_key : "web:" + p.url;
  }
  item.views = r.views;
  item.categories = std::move(r.categories);
  out.items.push_back(std::move(item));
}

void read_rss_item(pugi::xml_node node, const FeedParseInput& in, std::string_view feed_lang,
                   ParsedFeed& out) {
  RawItem r;
  const std::string base = base_of(node, in.feed_url);
  if (const auto about = node.attribute("rdf:about")) r.about = std::string(trim(about.value()));
  std::string description, encoded, dc_creator, rss_author, atom_link;
  for (const pugi::xml_node c : node.children()) {
    if (c.type() != pugi::node_element) continue;
    const std::string_view local = local_name(c);
    const std::string_view ns = ns_of(c);
    if (ns == kCoreNs) {
      if (local == "title") {
        r.title = html_to_text(markup(c));
      } else if (local == "link" && r.link.empty()) {
        r.link = resolve_link(base, trimmed_text(c));
      } else if (local == "guid") {
        r.id = trimmed_text(c);
        r.id_is_permalink = !iequals(trim(c.attribute("isPermaLink").value()), "false");
      } else if (local == "description") {
        description = markup(c);
      } else if (local == "pubDate") {
        r.date = trimmed_text(c);
      } else if (local == "author") {
        rss_author = trimmed_text(c);
      } else if (local == "category") {
        if (auto t = trimmed_text(c); !t.empty()) r.categories.push_back(std::move(t));
      }
    } else if (ns == kContentNs && local == "encoded") {
      encoded = markup(c);
    } else if (ns == kDcNs) {
      if (local == "creator" && dc_creator.empty()) dc_creator = collapse_whitespace(deep_text(c));
      if (local == "date") r.fallback_date = trimmed_text(c);
      if (local == "language") r.lang = trimmed_text(c);
      if (local == "subject") {
        if (auto t = trimmed_text(c); !t.empty()) r.categories.push_back(std::move(t));
      }
    } else if (ns == kAtomNs && local == "link" && atom_link.empty()) {
      const std::string_view rel = c.attribute("rel").value();
      if (rel.empty() || rel == "alternate") atom_link = resolve_link(base, c.attribute("href").value());
    }
  }
  if (r.link.empty()) r.link = std::move(atom_link);
  // content:encoded is the full article; description is often only its excerpt.
  r.text = html_to_text(encoded);
  if (r.text.empty()) r.text = html_to_text(description);
  if (!dc_creator.empty()) r.author.name = std::move(dc_creator);
  if (!rss_author.empty()) read_email_author(rss_author, r.author);
  finish_item(std::move(r), in, feed_lang, out);
}

void read_atom_author(pugi::xml_node author, Author& a) {
  for (const pugi::xml_node c : author.children()) {
    if (c.type() != pugi::node_element || !is_atom(ns_of(c))) continue;
    if (local_name(c) == "name") a.name = collapse_whitespace(deep_text(c));
    if (local_name(c) == "email") {
      const std::string email = trimmed_text(c);
      if (email.find('@') != npos && !is_noreply(email)) a.handle = email;
    }
  }
}

// rel="alternate" (or no rel) is the page the entry is about; prefer an HTML one when there are several.
std::string atom_alternate_link(pugi::xml_node parent, std::string_view feed_url) {
  std::string any;
  for (const pugi::xml_node c : parent.children()) {
    if (c.type() != pugi::node_element || local_name(c) != "link" || !is_atom(ns_of(c))) continue;
    const std::string_view rel = c.attribute("rel").value();
    if (!rel.empty() && rel != "alternate") continue;
    const std::string_view type = c.attribute("type").value();
    std::string href = resolve_link(base_of(c, feed_url), c.attribute("href").value());
    if (href.empty()) continue;
    if (type.empty() || type == "text/html" || type == "application/xhtml+xml") return href;
    if (any.empty()) any = std::move(href);
  }
  return any;
}

void read_media_group(pugi::xml_node group, RawItem& r, std::string& media_title, std::string& media_text) {
  for (const pugi::xml_node c : group.children()) {
    if (c.type() != pugi::node_element || ns_of(c) != kMediaNs) continue;
    const std::string_view local = local_name(c);
    if (local == "title" && media_title.empty()) media_title = collapse_whitespace(deep_text(c));
    if (local == "description" && media_text.empty()) {
      media_text = c.attribute("type").value() == std::string_view("html")
                       ? html_to_text(markup(c))
                       : collapse_whitespace(deep_text(c));
    }
    if (local == "community") {
      for (const pugi::xml_node s : c.children()) {
        if (s.type() != pugi::node_element || local_name(s) != "statistics" || ns_of(s) != kMediaNs) continue;
        const std::string_view v = s.attribute("views").value();
        std::int64_t views = 0;
        if (const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), views);
            ec == std::errc() && p == v.data() + v.size())
          r.views = views;
      }
    }
  }
}

void read_atom_entry(pugi::xml_node node, const FeedParseInput& in, const Author& feed_author,
                     std::string_view feed_lang, ParsedFeed& out) {
  RawItem r;
  r.link = atom_alternate_link(node, in.feed_url);
  r.lang = lang_of(node);
  std::string summary, content, media_title, media_text;
  bool has_author = false;
  for (const pugi::xml_node c : node.children()) {
    if (c.type() != pugi::node_element) continue;
    const std::string_view local = local_name(c);
    const std::string_view ns = ns_of(c);
    if (is_atom(ns)) {
      if (local == "id") {
        r.id = trimmed_text(c);
      } else if (local == "title") {
        r.title = atom_text(c);
      } else if (local == "published" || local == "issued" || local == "created") {
        if (r.date.empty()) r.date = trimmed_text(c);
      } else if (local == "updated" || local == "modified") {
        if (r.fallback_date.empty()) r.fallback_date = trimmed_text(c);
      } else if (local == "author" && !has_author) {
        read_atom_author(c, r.author);
        has_author = true;
      } else if (local == "summary") {
        summary = atom_text(c);
      } else if (local == "content") {
        content = atom_text(c);
        const std::string_view type = c.attribute("type").value();
        if (type == "html" || type == "text/html") r.html_content = c;
      } else if (local == "category") {
        std::string_view label = trim(c.attribute("label").value());
        if (label.empty()) label = trim(c.attribute("term").value());
        if (!label.empty()) r.categories.emplace_back(label);
      }
    } else if (ns == kYtNs) {
      if (local == "videoId") r.video_id = trimmed_text(c);
      if (local == "channelId") r.channel_id = trimmed_text(c);
    } else if (ns == kMediaNs && local == "group") {
      read_media_group(c, r, media_title, media_text);
    } else if (ns == kDcNs && local == "creator" && !has_author) {
      r.author.name = collapse_whitespace(deep_text(c));
      has_author = true;
    }
  }
  if (!has_author) r.author = feed_author;
  if (r.title.empty()) r.title = std::move(media_title);
  r.text = !content.empty()   ? std::move(content)
           : !summary.empty() ? std::move(summary)
                              : std::move(media_text);
  finish_item(std::move(r), in, feed_lang, out);
}

// ---- the document ----

// Where the XML starts: servers prepend PHP warnings, blank lines or a stray BOM to otherwise good feeds.
// The XML declaration is skipped too: the text is UTF-8 by now, so the declaration has nothing left to say,
// and pugixml rejects the whole document over a malformed one.
std::string_view skip_prolog_junk(std::string_view doc) {
  size_t start = npos;
  for (std::string_view marker : {"<?xml", "<rss", "<feed", "<rdf:RDF", "<RDF"}) {
    start = std::min(start, doc.find(marker));
  }
  if (start == npos) start = doc.find('<');
  if (start == npos) return doc;
  doc.remove_prefix(start);
  if (doc.starts_with("<?xml")) {
    const size_t next_tag = doc.find('<', 1);
    const size_t end = doc.find("?>");
    doc.remove_prefix(end != npos && end < next_tag ? end + 2 : std::min(next_tag, doc.size()));
  }
  return doc;
}

// XML defines only five entities; pugixml would leave "&eacute;" as is, and in an attribute or a link that is
// wrong. Rewriting them as numeric references keeps the meaning everywhere (inside CDATA too, where the HTML
// converter decodes them). Returns false when there was nothing to rewrite.
bool rewrite_html_entities(std::string_view doc, std::string& out) {
  bool changed = false;
  size_t copied = 0;
  for (size_t amp = doc.find('&'); amp != npos; amp = doc.find('&', amp + 1)) {
    size_t e = amp + 1;
    while (e < doc.size() && e - amp <= 9 && (is_alpha(doc[e]) || (e > amp + 1 && is_digit(doc[e]))))
      ++e;
    if (e == amp + 1 || e >= doc.size() || doc[e] != ';') continue;
    const std::string_view name = doc.substr(amp + 1, e - amp - 1);
    if (name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos") continue;
    const auto cp = html_entity_codepoint(name);
    if (!cp) continue;
    if (!changed) {
      out.clear();
      out.reserve(doc.size() + 64);
      changed = true;
    }
    out.append(doc.substr(copied, amp - copied));
    out += "&#";
    out += std::to_string(static_cast<std::uint32_t>(*cp));
    out += ';';
    copied = e + 1;
  }
  if (changed) out.append(doc.substr(copied));
  return changed;
}

// The end of the last complete </item> or </entry> (any prefix) at or before `limit`, or npos.
size_t last_item_end(std::string_view doc, size_t limit) {
  size_t best = npos;
  for (std::string_view needle : {"item>", "entry>"}) {
    size_t from = std::min(limit, doc.size());
    while (true) {
      const size_t f = doc.rfind(needle, from);
      if (f == npos) break;
      size_t s = f;
      if (s > 0 && doc[s - 1] == ':') {
        --s;
        while (s > 0 &&
               (is_alpha(doc[s - 1]) || is_digit(doc[s - 1]) || doc[s - 1] == '_' || doc[s - 1] == '-'))
          --s;
      }
      if (s >= 2 && doc[s - 2] == '<' && doc[s - 1] == '/') {
        const size_t end = f + needle.size();
        if (end <= limit && (best == npos || end > best)) best = end;
        if (end <= limit) break;
      }
      if (f == 0) break;
      from = f - 1;
    }
  }
  return best;
}

}  // namespace

Result<ParsedFeed> parse_feed(std::string_view body, const FeedParseInput& in) {
  ParsedFeed feed;
  auto utf8 = to_utf8(body, charset_from_content_type(in.content_type));
  if (!utf8) {
    // A misspelt charset loses at most a few accented letters read as UTF-8; refusing loses the whole feed.
    feed.damage = utf8.error().message + "; read as UTF-8";
    utf8 = to_utf8(body, "utf-8");
    if (!utf8) return utf8.error();
  }
  std::string_view doc = skip_prolog_junk(*utf8);
  std::string rewritten;
  if (rewrite_html_entities(doc, rewritten)) doc = rewritten;
  if (trim(doc).empty()) return error("feed is empty");

  constexpr unsigned kOptions = pugi::parse_default;
  pugi::xml_document xml;
  bool items_usable = true;
  // to_utf8 left the XML declaration in place; telling pugixml the encoding keeps it from trusting it.
  if (const auto r = xml.load_buffer(doc.data(), doc.size(), kOptions, pugi::encoding_utf8); !r) {
    feed.truncated = true;
    if (!feed.damage.empty()) feed.damage += "; ";
    feed.damage += std::string(r.description()) + " at byte " + std::to_string(r.offset);
    // pugixml keeps the tree built before the error, but the element open at that point is incomplete. Parse
    // again up to the end of the last complete item: its ancestors stay unclosed, which pugixml accepts.
    const size_t cut = last_item_end(doc, static_cast<size_t>(r.offset));
    if (cut != npos) {
      xml.reset();
      (void)xml.load_buffer(doc.data(), cut, kOptions, pugi::encoding_utf8);
    } else {
      items_usable = false;
    }
    if (!xml.document_element())
      return error("not XML: " + std::string(r.description()) + " at byte " + std::to_string(r.offset));
  }

  const pugi::xml_node root = xml.document_element();
  const std::string_view root_name = local_name(root);
  const std::string_view root_ns = ns_of(root);
  if (root_name == "rss" && root_ns == kCoreNs) {
    feed.format = "rss";
  } else if (root_name == "RDF") {
    feed.format = "rdf";
  } else if (root_name == "feed" && is_atom(root_ns)) {
    feed.format = "atom";
  } else {
    return error("not an RSS or Atom feed: the root element is <" + std::string(qname(root)) + ">");
  }

  if (feed.format == "atom") {
    std::string lang = lang_of(root);
    Author feed_author;
    for (const pugi::xml_node c : root.children()) {
      if (c.type() != pugi::node_element || !is_atom(ns_of(c))) continue;
      if (local_name(c) == "title" && feed.title.empty()) feed.title = repair_utf8(atom_text(c));
      if (local_name(c) == "author" && feed_author.name.empty()) read_atom_author(c, feed_author);
    }
    feed.link = atom_alternate_link(root, in.feed_url);
    if (items_usable) {
      for (const pugi::xml_node c : root.children()) {
        if (c.type() == pugi::node_element && local_name(c) == "entry" && is_atom(ns_of(c)))
          read_atom_entry(c, in, feed_author, lang, feed);
      }
    }
    return feed;
  }

  // RSS 2.0 nests items in <channel>; RSS 1.0 and 0.90 make them the channel's siblings.
  pugi::xml_node channel;
  for (const pugi::xml_node c : root.children()) {
    if (c.type() == pugi::node_element && local_name(c) == "channel" && ns_of(c) == kCoreNs) {
      channel = c;
      break;
    }
  }
  std::string lang;
  if (channel) {
    for (const pugi::xml_node c : channel.children()) {
      if (c.type() != pugi::node_element) continue;
      const std::string_view local = local_name(c);
      const std::string_view ns = ns_of(c);
      if (ns == kCoreNs && local == "title" && feed.title.empty())
        feed.title = repair_utf8(html_to_text(markup(c)));
      if (ns == kCoreNs && local == "link" && feed.link.empty())
        feed.link = resolve_link(base_of(c, in.feed_url), trimmed_text(c));
      if ((ns == kCoreNs || ns == kDcNs) && local == "language" && lang.empty()) lang = trimmed_text(c);
    }
  }
  if (lang.empty()) lang = lang_of(root);
  if (!items_usable) return feed;
  for (const pugi::xml_node parent : {channel, root}) {
    if (!parent) continue;
    for (const pugi::xml_node c : parent.children()) {
      if (c.type() == pugi::node_element && local_name(c) == "item" && ns_of(c) == kCoreNs)
        read_rss_item(c, in, lang, feed);
    }
  }
  return feed;
}

}  // namespace vigie::ingest
