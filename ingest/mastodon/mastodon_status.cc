#include "ingest/mastodon/mastodon_status.h"

#include "ingest/base/json_fields.h"
#include "ingest/text/html_text.h"

namespace vigie::ingest {
namespace json = boost::json;
namespace {

// Reads an optional string member; null counts as absent, any other type is an error naming the field.
Result<void> read_string(const json::object& o, std::string_view key, std::string_view prefix,
                         std::string& out) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return ok();
  if (!v->is_string())
    return error("field '" + std::string(prefix) + std::string(key) + "': expected a string or null");
  out.assign(v->get_string().data(), v->get_string().size());
  return ok();
}

// Fills what a boost takes from the boosted status: title, text, author, url, lang. `prefix` names the
// status in error messages ("" or "reblog.").
Result<void> read_content(const json::object& s, std::string_view host, std::string_view prefix, Post& p) {
  const auto field_error = [&](std::string_view key, std::string_view expected) {
    return error("field '" + std::string(prefix) + std::string(key) + "': expected " + std::string(expected));
  };
  const json::string* content = string_at(s, "content");
  if (!content) return field_error("content", "a string");
  p.text = html_to_text(*content);
  if (auto r = read_string(s, "spoiler_text", prefix, p.title); !r) return r;
  if (auto r = read_string(s, "language", prefix, p.lang_hint); !r) return r;
  if (auto r = read_string(s, "url", prefix, p.url); !r) return r;
  if (p.url.empty()) {
    if (auto r = read_string(s, "uri", prefix, p.url); !r) return r;
  }

  const json::value* account = s.if_contains("account");
  if (!account || !account->is_object()) return field_error("account", "an object");
  const json::object& a = account->get_object();
  const json::string* acct = string_at(a, "acct");
  if (!acct || acct->empty() || *acct == "@") return field_error("account.acct", "a non-empty string");
  std::string_view handle = *acct;
  if (handle.front() == '@') handle.remove_prefix(1);
  p.author.handle.reserve(handle.size() + 1 + host.size());
  p.author.handle.assign(handle);
  if (handle.find('@') == std::string_view::npos) p.author.handle.append("@").append(host);
  if (const json::string* name = string_at(a, "display_name"))
    p.author.name.assign(name->data(), name->size());
  if (const json::value* f = a.if_contains("followers_count")) {
    // Some servers hide the count of some accounts and send -1 or null: that stays -1, "not said".
    if (f->is_int64() && f->get_int64() >= 0) p.author.followers = f->get_int64();
    if (f->is_uint64()) p.author.followers = static_cast<std::int64_t>(f->get_uint64());
  }
  return ok();
}

// The id a `delete` event names: the bare id, or a JSON string holding it.
std::optional<std::string_view> deleted_id(std::string_view data) {
  while (!data.empty() &&
         (data.front() == ' ' || data.front() == '\n' || data.front() == '\r' || data.front() == '\t'))
    data.remove_prefix(1);
  while (!data.empty() &&
         (data.back() == ' ' || data.back() == '\n' || data.back() == '\r' || data.back() == '\t'))
    data.remove_suffix(1);
  if (data.size() >= 2 && data.front() == '"' && data.back() == '"') data = data.substr(1, data.size() - 2);
  // Ids are digits on Mastodon and letters and digits on other servers of the same API; anything that could
  // not be part of an id (a quote, an escape, a separator) means the data is something else.
  if (data.empty()) return std::nullopt;
  for (char c : data) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_'))
      return std::nullopt;
  }
  return data;
}

}  // namespace

std::string mastodon_uid(std::string_view instance_host, std::string_view id) {
  std::string uid;
  uid.reserve(9 + instance_host.size() + 1 + id.size());
  uid.append("mastodon:").append(instance_host).append("/").append(id);
  return uid;
}

Result<Post> mastodon_status_to_post(const json::value& status, std::string_view host, Micros received_at) {
  const json::object* s = status.if_object();
  if (!s) return error("mastodon status on " + std::string(host) + ": expected a JSON object");
  const json::string* id = string_at(*s, "id");
  if (!id || id->empty())
    return error("mastodon status on " + std::string(host) + ": field 'id': expected a non-empty string");
  const auto where = [&] {
    return "mastodon status " + std::string(*id) + " on " + std::string(host) + ": ";
  };

  Post p;
  p.platform = "mastodon";
  p.uid = mastodon_uid(host, *id);
  p.received_at = received_at;

  const json::string* created = string_at(*s, "created_at");
  const auto t = created ? parse_rfc3339(*created) : std::nullopt;
  if (!t) return error(where() + "field 'created_at': expected an RFC 3339 date-time");
  p.created_at = *t;

  const json::value* reblog = s->if_contains("reblog");
  if (reblog && !reblog->is_null()) {
    if (!reblog->is_object()) return error(where() + "field 'reblog': expected a status or null");
    const json::string* boosted = string_at(reblog->get_object(), "id");
    if (!boosted || boosted->empty())
      return error(where() + "field 'reblog.id': expected a non-empty string");
    p.kind = Kind::repost;
    p.parent_uid = mastodon_uid(host, *boosted);
    if (auto r = read_content(reblog->get_object(), host, "reblog.", p); !r)
      return error(where() + r.error().message);
    return p;
  }

  if (auto r = read_string(*s, "in_reply_to_id", "", p.parent_uid); !r)
    return error(where() + r.error().message);
  if (!p.parent_uid.empty()) {
    p.kind = Kind::comment;
    p.parent_uid = mastodon_uid(host, p.parent_uid);
  }
  if (auto r = read_content(*s, host, "", p); !r) return error(where() + r.error().message);
  return p;
}

Result<std::optional<Post>> mastodon_event_to_post(std::string_view event, std::string_view data,
                                                   std::string_view instance_host, Micros received_at) {
  if (event == "delete") {
    const auto id = deleted_id(data);
    if (!id)
      return error("mastodon event 'delete' on " + std::string(instance_host) +
                   ": expected a status id, got '" + std::string(data.substr(0, 64)) + "'");
    Post p;
    p.platform = "mastodon";
    p.kind = Kind::del;
    p.uid = mastodon_uid(instance_host, *id);
    p.created_at = received_at;
    p.received_at = received_at;
    return std::optional<Post>(std::move(p));
  }
  if (event != "update" && event != "status.update") return std::optional<Post>();

  EventJson json;
  auto status = json.parse(data);
  if (!status)
    return error("mastodon event '" + std::string(event) + "' on " + std::string(instance_host) + ": " +
                 status.error().message);
  auto post = mastodon_status_to_post(*status, instance_host, received_at);
  if (!post) return post.error();
  if (event == "status.update") post->kind = Kind::edit;
  return std::optional<Post>(std::move(*post));
}

std::optional<std::string> mastodon_status_id(const json::value& status) {
  const json::object* s = status.if_object();
  const json::string* id = s ? string_at(*s, "id") : nullptr;
  if (!id || id->empty()) return std::nullopt;
  return std::string(*id);
}

bool mastodon_id_less(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

}  // namespace vigie::ingest
