#include "ingest/ndjson/ndjson_stream.h"

#include <algorithm>
#include <boost/json/object.hpp>
#include <vector>

#include "ingest/base/json_fields.h"
#include "ingest/post_json.h"

namespace vigie::ingest {
namespace json = boost::json;

NdjsonFramer::NdjsonFramer(Handler& handler, std::size_t max_line_bytes)
    : handler_(handler), max_line_bytes_(max_line_bytes) {}

void NdjsonFramer::feed(std::string_view chunk) {
  const std::uint64_t base = offset_;
  std::size_t i = 0;
  while (i < chunk.size()) {
    const std::size_t lf = chunk.find('\n', i);
    if (lf == std::string_view::npos) {
      const std::string_view rest = chunk.substr(i);
      if (skipping_) break;
      if (partial_.empty()) partial_start_ = base + i;
      // One byte over the cap is allowed while the line is open: it may be the CR of a CRLF.
      if (partial_.size() + rest.size() > max_line_bytes_ + 1) {
        skipping_ = true;
        partial_.clear();
        report_oversized(partial_start_);
      } else {
        partial_.append(rest);
      }
      break;
    }
    const std::string_view piece = chunk.substr(i, lf - i);
    i = lf + 1;
    if (skipping_) {  // the end of a line already reported as too long
      skipping_ = false;
      continue;
    }
    // A line wholly inside the chunk is passed in place; only one begun in an earlier chunk is copied.
    if (partial_.empty()) {
      complete(piece, base + (lf - piece.size()));
    } else if (partial_.size() + piece.size() > max_line_bytes_ + 1) {
      report_oversized(partial_start_);
    } else {
      partial_.append(piece);
      complete(partial_, partial_start_);
    }
    partial_.clear();
  }
  offset_ = base + chunk.size();
}

void NdjsonFramer::complete(std::string_view line, std::uint64_t at) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() > max_line_bytes_) {
    report_oversized(at);
    return;
  }
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
    ++keepalives_;
    handler_.on_keepalive();
    return;
  }
  ++lines_;
  handler_.on_line(line);
}

void NdjsonFramer::report_oversized(std::uint64_t at) {
  ++oversized_;
  handler_.on_error(error("stream line at byte " + std::to_string(at) + " is longer than the " +
                          std::to_string(max_line_bytes_) + "-byte limit; it is dropped"));
}

bool NdjsonFramer::finish() {
  const bool pending = !partial_.empty();
  partial_.clear();
  skipping_ = false;
  return pending;
}

namespace {

// The element of includes.<list> whose "id" is `id`. Includes hold a handful of entries: a scan is cheaper
// than building an index.
const json::object* find_by_id(const json::object* includes, std::string_view list, std::string_view id) {
  if (!includes || id.empty()) return nullptr;
  const json::array* a = array_at(*includes, list);
  if (!a) return nullptr;
  for (const json::value& v : *a) {
    const json::object* o = v.if_object();
    if (!o) continue;
    const json::string* vid = string_at(*o, "id");
    if (vid && *vid == id) return o;
  }
  return nullptr;
}

// X escapes exactly these three in post text, as HTML would.
void append_unescaped(std::string& out, std::string_view s) {
  std::size_t pos = 0;
  while (true) {
    const std::size_t amp = s.find('&', pos);
    if (amp == std::string_view::npos) break;
    out.append(s.substr(pos, amp - pos));
    const std::string_view rest = s.substr(amp);
    if (rest.starts_with("&amp;")) {
      out.push_back('&');
      pos = amp + 5;
    } else if (rest.starts_with("&lt;")) {
      out.push_back('<');
      pos = amp + 4;
    } else if (rest.starts_with("&gt;")) {
      out.push_back('>');
      pos = amp + 4;
    } else {
      out.push_back('&');
      pos = amp + 1;
    }
  }
  out.append(s.substr(pos));
}

bool is_url_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// The post's text with t.co links replaced by what they stand for. Links are found by their text rather than
// by their start/end, which X counts in code points and which lose their meaning once &amp; is decoded. Each
// entity takes the first whole occurrence of its link that no other entity took, so a link posted twice (two
// entities) is expanded twice, whatever order the entities come in.
std::string expanded_text(std::string_view text, const json::object* entities) {
  struct Replacement {
    std::size_t at;
    std::size_t size;
    std::string_view with;
  };
  std::vector<Replacement> found;
  const json::array* urls = entities ? array_at(*entities, "urls") : nullptr;
  if (urls) {
    for (const json::value& v : *urls) {
      const json::object* u = v.if_object();
      if (!u) continue;
      const json::string* short_url = string_at(*u, "url");
      const json::string* expanded = string_at(*u, "expanded_url");
      if (!short_url || !expanded || short_url->empty() || expanded->empty()) continue;
      const std::string_view s = *short_url;
      const auto taken = [&](std::size_t at) {
        for (const Replacement& r : found)
          if (at < r.at + r.size && r.at < at + s.size()) return true;
        return false;
      };
      std::size_t at = text.find(s);
      // "https://t.co/abc" must not match the start of "https://t.co/abcd".
      while (at != std::string_view::npos &&
             ((at + s.size() < text.size() && is_url_char(text[at + s.size()])) || taken(at)))
        at = text.find(s, at + 1);
      if (at != std::string_view::npos) found.push_back({at, s.size(), *expanded});
    }
  }
  std::sort(found.begin(), found.end(),
            [](const Replacement& a, const Replacement& b) { return a.at < b.at; });

  std::string out;
  out.reserve(text.size() + 128);
  std::size_t pos = 0;
  for (const Replacement& r : found) {
    append_unescaped(out, text.substr(pos, r.at - pos));
    out.append(r.with);
    pos = r.at + r.size;
  }
  append_unescaped(out, text.substr(pos));
  return out;
}

// A long post's full text lives in note_tweet; data.text then holds a truncated copy. nullopt when the post
// has no text at all.
std::optional<std::string> tweet_text(const json::object& tweet) {
  if (const json::object* note = object_at(tweet, "note_tweet")) {
    if (const json::string* t = string_at(*note, "text"))
      return expanded_text(*t, object_at(*note, "entities"));
  }
  const json::string* t = string_at(tweet, "text");
  if (!t) return std::nullopt;
  return expanded_text(*t, object_at(tweet, "entities"));
}

Result<Post> x_post(const json::object& root, const json::object& data, Micros received_at) {
  const json::string* id = string_at(data, "id");
  if (!id || id->empty()) return error("x stream object: field 'data.id': expected a non-empty string");
  const std::string where = "x post " + std::string(*id);
  const json::object* includes = object_at(root, "includes");

  Post p;
  p.platform = "x";
  p.received_at = received_at;
  p.uid.append("x:").append(*id);

  std::string_view retweeted;
  if (const json::array* refs = array_at(data, "referenced_tweets")) {
    for (const json::value& v : *refs) {
      const json::object* ref = v.if_object();
      if (!ref) continue;
      const json::string* type = string_at(*ref, "type");
      const json::string* ref_id = string_at(*ref, "id");
      if (!type || !ref_id || ref_id->empty()) continue;
      if (*type == "replied_to") {
        p.kind = Kind::comment;
        p.parent_uid.assign("x:").append(*ref_id);
      } else if (*type == "retweeted") {
        p.kind = Kind::repost;
        p.parent_uid.assign("x:").append(*ref_id);
        retweeted = *ref_id;
      }
    }
  }

  // Text, author and url describe what readers see: for a retweet, the retweeted post.
  const json::object* shown = &data;
  std::string_view shown_id = *id;
  if (const json::object* original = find_by_id(includes, "tweets", retweeted)) {
    shown = original;
    shown_id = retweeted;
  }
  auto text = tweet_text(*shown);
  if (!text)
    return error(where + ": field '" + (shown == &data ? "data" : "includes.tweets[]") +
                 ".text': expected a string");
  p.text = std::move(*text);

  const json::string* author_id = string_at(*shown, "author_id");
  const json::object* user = author_id ? find_by_id(includes, "users", *author_id) : nullptr;
  const json::string* username = user ? string_at(*user, "username") : nullptr;
  if (username && !username->empty()) {
    p.author.handle.assign(username->data(), username->size());
    p.url.append("https://x.com/").append(*username).append("/status/").append(shown_id);
  } else {
    if (author_id) p.author.handle.assign(author_id->data(), author_id->size());
    p.url.append("https://x.com/i/web/status/").append(shown_id);
  }
  if (user) {
    if (const json::string* name = string_at(*user, "name")) p.author.name.assign(name->data(), name->size());
    if (const json::object* metrics = object_at(*user, "public_metrics")) {
      const json::value* f = metrics->if_contains("followers_count");
      if (f && f->is_int64() && f->get_int64() >= 0) p.author.followers = f->get_int64();
      if (f && f->is_uint64()) p.author.followers = static_cast<std::int64_t>(f->get_uint64());
    }
  }

  // Editing a post gives it a new id; the first id of the history is the post as Vigie first stored it.
  std::string_view first_id = *id;
  if (const json::array* history = array_at(data, "edit_history_tweet_ids"); history && history->size() > 1) {
    const json::string* first = history->front().if_string();
    if (first && !first->empty() && *first != *id) {
      first_id = *first;
      p.kind = Kind::edit;
      p.uid.assign("x:").append(first_id);
    }
  }
  if (const json::string* conversation = string_at(data, "conversation_id");
      conversation && !conversation->empty() && *conversation != *id && *conversation != first_id)
    p.root_uid.assign("x:").append(*conversation);

  if (const json::string* lang = string_at(data, "lang"); lang && *lang != "und")
    p.lang_hint.assign(lang->data(), lang->size());

  p.created_at = received_at;
  if (const json::value* c = data.if_contains("created_at"); c && !c->is_null()) {
    const json::string* s = c->if_string();
    auto t = s ? parse_rfc3339(*s) : std::nullopt;
    if (!t) return error(where + ": field 'data.created_at': expected an RFC 3339 date-time");
    p.created_at = *t;
  }
  return p;
}

}  // namespace

Result<Post> stream_object_to_post(const json::value& object, Micros received_at) {
  const json::object* root = object.if_object();
  if (!root) return error("stream object: expected a JSON object");
  if (const json::value* data = root->if_contains("data")) {
    if (!data->is_object()) return error("x stream object: field 'data': expected an object");
    return x_post(*root, data->get_object(), received_at);
  }
  if (const json::value* errors = root->if_contains("errors")) {
    std::string message = "x stream: error object without data";
    const json::array* list = errors->if_array();
    const json::object* first = list && !list->empty() ? list->front().if_object() : nullptr;
    if (first) {
      for (std::string_view key : {"title", "detail"}) {
        if (const json::string* s = string_at(*first, key)) message.append(": ").append(*s);
      }
    }
    if (list && list->size() > 1) message.append(" (and " + std::to_string(list->size() - 1) + " more)");
    return error(std::move(message));
  }
  return post_from_json(object, received_at);
}

}  // namespace vigie::ingest
