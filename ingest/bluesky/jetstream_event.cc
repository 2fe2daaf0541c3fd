#include "ingest/bluesky/jetstream_event.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "ingest/base/json_fields.h"

namespace vigie::ingest {
namespace json = boost::json;
namespace {

constexpr std::string_view kPostCollection = "app.bsky.feed.post";
constexpr Micros kMaxClockSkew = 10 * 60 * kMicrosPerSecond;

std::optional<std::int64_t> integer(const json::value* v) {
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() &&
      v->get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    return static_cast<std::int64_t>(v->get_uint64());
  return std::nullopt;
}

bool is_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (prefix.size() > s.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char a = s[i], b = prefix[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
    if (a != b) return false;
  }
  return true;
}

// True when `shown` is what a client displays for `uri` in place of the whole: the URI itself without its
// scheme (and perhaps without "www."), cut short and usually ended by "..." or "…". The Bluesky app shows
// host + the first 13 characters of a long path + "...". Link text that is anything else ("our report") is
// the author's words and stays.
bool is_shortened_form(std::string_view shown, std::string_view uri) {
  if (shown.ends_with("...")) {
    shown.remove_suffix(3);
  } else if (shown.ends_with("\xE2\x80\xA6")) {  // U+2026 HORIZONTAL ELLIPSIS
    shown.remove_suffix(3);
  }
  if (shown.empty()) return false;
  std::string_view bare = uri;
  for (std::string_view scheme : {"https://", "http://"}) {
    if (starts_with_nocase(bare, scheme)) {
      bare.remove_prefix(scheme.size());
      break;
    }
  }
  if (starts_with_nocase(bare, shown) || starts_with_nocase(uri, shown)) return true;
  return starts_with_nocase(bare, "www.") && starts_with_nocase(bare.substr(4), shown);
}

struct LinkFacet {
  std::size_t start;
  std::size_t end;
  std::string_view uri;
};

// The link a facet carries, or an empty view.
std::string_view facet_link(const json::object& facet) {
  const json::value* features = facet.if_contains("features");
  if (!features || !features->is_array()) return {};
  for (const json::value& f : features->get_array()) {
    const json::object* fo = f.if_object();
    if (!fo) continue;
    const json::string* type = string_at(*fo, "$type");
    const json::string* uri = string_at(*fo, "uri");
    if (type && uri && *type == "app.bsky.richtext.facet#link") return *uri;
  }
  return {};
}

// The post's external link card: embed.external, or the media half of a record-with-media embed.
const json::object* external_card(const json::object& record) {
  const json::object* embed = object_at(record, "embed");
  if (!embed) return nullptr;
  if (const json::object* ext = object_at(*embed, "external")) return ext;
  if (const json::object* media = object_at(*embed, "media")) return object_at(*media, "external");
  return nullptr;
}

Result<Post> post_from_commit(std::string_view did, std::string_view rkey, std::string_view operation,
                              const json::object& commit, Micros time_us, Micros received_at,
                              const HandleLookup& handles) {
  const auto where = [&] {
    return "jetstream commit " + std::string(did) + "/" + std::string(kPostCollection) + "/" +
           std::string(rkey);
  };
  Post p;
  p.platform = "bluesky";
  p.uid.reserve(8 + did.size() + 1 + rkey.size());
  p.uid.append("bluesky:").append(did).append("/").append(rkey);
  p.url.append("https://bsky.app/profile/").append(did).append("/post/").append(rkey);
  p.received_at = received_at;
  p.created_at = time_us;
  std::optional<std::string> handle;
  if (handles) handle = handles(did);
  p.author.handle = handle ? std::move(*handle) : std::string(did);

  if (operation == "delete") {
    p.kind = Kind::del;
    return p;
  }
  if (operation != "create" && operation != "update")
    return error(where() + ": unknown operation '" + std::string(operation) + "'");
  p.kind = operation == "update" ? Kind::edit : Kind::post;

  const json::object* record = object_at(commit, "record");
  if (!record) return error(where() + ": missing 'commit.record' for a " + std::string(operation));
  const json::value* text = record->if_contains("text");
  if (!text || !text->is_string()) return error(where() + ": field 'record.text': expected a string");
  const json::value* facets = record->if_contains("facets");
  if (facets && facets->is_array()) {
    p.text = bluesky_expand_links(text->get_string(), facets->get_array());
  } else {
    p.text.assign(text->get_string().data(), text->get_string().size());
  }

  if (const json::string* created = string_at(*record, "createdAt")) {
    if (auto t = parse_rfc3339(*created); t && *t <= time_us + kMaxClockSkew) p.created_at = *t;
  }
  if (const json::value* langs = record->if_contains("langs"); langs && langs->is_array()) {
    const json::array& a = langs->get_array();
    if (!a.empty() && a.front().is_string())
      p.lang_hint.assign(a.front().get_string().data(), a.front().get_string().size());
  }
  // A reply whose references do not parse still is a reply: it stays a comment with what could be read.
  if (const json::object* reply = object_at(*record, "reply")) {
    if (p.kind == Kind::post) p.kind = Kind::comment;
    for (auto [key, out] :
         {std::pair<std::string_view, std::string*>{"parent", &p.parent_uid}, {"root", &p.root_uid}}) {
      if (const json::object* ref = object_at(*reply, key)) {
        if (const json::string* uri = string_at(*ref, "uri")) {
          if (auto uid = bluesky_post_uid(*uri)) *out = std::move(*uid);
        }
      }
    }
  }
  if (const json::object* card = external_card(*record)) {
    const json::string* uri = string_at(*card, "uri");
    if (uri && !uri->empty() && p.text.find(std::string_view(*uri)) == std::string::npos) {
      if (!p.text.empty()) p.text.push_back('\n');
      p.text.append(uri->data(), uri->size());
    }
    if (const json::string* title = string_at(*card, "title")) p.title.assign(title->data(), title->size());
  }
  return p;
}

}  // namespace

std::string bluesky_expand_links(std::string_view text, const json::array& facets) {
  std::vector<LinkFacet> links;
  for (const json::value& f : facets) {
    const json::object* fo = f.if_object();
    if (!fo) continue;
    const json::object* index = object_at(*fo, "index");
    if (!index) continue;
    const auto start = integer(index->if_contains("byteStart"));
    const auto end = integer(index->if_contains("byteEnd"));
    if (!start || !end || *start < 0 || *end <= *start || static_cast<std::uint64_t>(*end) > text.size())
      continue;
    const auto s = static_cast<std::size_t>(*start), e = static_cast<std::size_t>(*end);
    if (is_continuation(text[s]) || (e < text.size() && is_continuation(text[e]))) continue;
    const std::string_view uri = facet_link(*fo);
    if (uri.empty()) continue;
    const std::string_view shown = text.substr(s, e - s);
    if (shown != uri && is_shortened_form(shown, uri)) links.push_back({s, e, uri});
  }
  if (links.empty()) return std::string(text);

  std::sort(links.begin(), links.end(),
            [](const LinkFacet& a, const LinkFacet& b) { return a.start < b.start; });
  std::size_t grown = text.size();
  for (const LinkFacet& l : links)
    grown += l.uri.size();
  std::string out;
  out.reserve(grown);
  std::size_t pos = 0;
  for (const LinkFacet& l : links) {
    if (l.start < pos) continue;  // overlaps the previous link
    out.append(text.substr(pos, l.start - pos));
    out.append(l.uri);
    pos = l.end;
  }
  out.append(text.substr(pos));
  return out;
}

std::optional<std::string> bluesky_post_uid(std::string_view at_uri) {
  constexpr std::string_view kScheme = "at://";
  if (!at_uri.starts_with(kScheme)) return std::nullopt;
  at_uri.remove_prefix(kScheme.size());
  const std::size_t slash1 = at_uri.find('/');
  if (slash1 == std::string_view::npos || slash1 == 0) return std::nullopt;
  const std::string_view authority = at_uri.substr(0, slash1);
  std::string_view rest = at_uri.substr(slash1 + 1);
  if (!rest.starts_with(kPostCollection) || rest.size() <= kPostCollection.size() + 1 ||
      rest[kPostCollection.size()] != '/')
    return std::nullopt;
  const std::string_view rkey = rest.substr(kPostCollection.size() + 1);
  if (rkey.find('/') != std::string_view::npos) return std::nullopt;
  std::string uid;
  uid.reserve(8 + authority.size() + 1 + rkey.size());
  uid.append("bluesky:").append(authority).append("/").append(rkey);
  return uid;
}

Result<JetstreamEvent> jetstream_event_from_json(const json::value& event, Micros received_at,
                                                 const HandleLookup& handles) {
  const json::object* o = event.if_object();
  if (!o) return error("jetstream event: expected a JSON object");
  const json::string* did = string_at(*o, "did");
  if (!did || did->empty()) return error("jetstream event: field 'did': expected a non-empty string");
  const auto time_us = integer(o->if_contains("time_us"));
  if (!time_us || *time_us <= 0)
    return error("jetstream event from " + std::string(*did) +
                 ": field 'time_us': expected a positive integer");
  const json::string* kind = string_at(*o, "kind");
  if (!kind) return error("jetstream event from " + std::string(*did) + ": field 'kind': expected a string");

  JetstreamEvent out;
  out.time_us = *time_us;
  if (*kind == "identity") {
    const json::object* identity = object_at(*o, "identity");
    if (!identity)
      return error("jetstream identity event for " + std::string(*did) +
                   ": field 'identity': expected an object");
    out.identity.emplace();
    out.identity->did.assign(did->data(), did->size());
    if (const json::string* handle = string_at(*identity, "handle"))
      out.identity->handle.assign(handle->data(), handle->size());
    return out;
  }
  if (*kind != "commit") return out;  // "account", and kinds added after this code

  const json::object* commit = object_at(*o, "commit");
  if (!commit)
    return error("jetstream commit event from " + std::string(*did) + ": field 'commit': expected an object");
  const json::string* collection = string_at(*commit, "collection");
  const json::string* operation = string_at(*commit, "operation");
  const json::string* rkey = string_at(*commit, "rkey");
  for (auto [name, field] : {std::pair<std::string_view, const json::string*>{"collection", collection},
                             {"operation", operation},
                             {"rkey", rkey}}) {
    if (!field || field->empty())
      return error("jetstream commit event from " + std::string(*did) + ": field 'commit." +
                   std::string(name) + "': expected a non-empty string");
  }
  if (*collection != kPostCollection) return out;
  auto post = post_from_commit(*did, *rkey, *operation, *commit, *time_us, received_at, handles);
  if (!post) return post.error();
  out.post = std::move(*post);
  return out;
}

Result<JetstreamEvent> parse_jetstream_event(std::string_view message, Micros received_at,
                                             const HandleLookup& handles) {
  EventJson json;
  auto value = json.parse(message);
  if (!value) return error("jetstream message: " + value.error().message);
  return jetstream_event_from_json(*value, received_at, handles);
}

}  // namespace vigie::ingest
