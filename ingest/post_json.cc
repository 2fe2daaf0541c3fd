#include "ingest/post_json.h"

#include <cmath>

namespace vigie::ingest {
namespace json = boost::json;
namespace {

// Reads an optional string field; a present field of another type is an error.
Result<void> read_string(const json::object& o, std::string_view key, std::string& out) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return ok();
  if (!v->is_string()) return error("field '" + std::string(key) + "': expected a string");
  out.assign(v->get_string().data(), v->get_string().size());
  return ok();
}

Result<std::int64_t> read_count(const json::value& v, std::string_view key) {
  if (v.is_int64() && v.get_int64() >= 0) return v.get_int64();
  if (v.is_uint64()) return static_cast<std::int64_t>(v.get_uint64());
  if (v.is_double() && v.get_double() >= 0 && v.get_double() < 9e18)
    return static_cast<std::int64_t>(v.get_double());
  return error("field '" + std::string(key) + "': expected a non-negative number");
}

}  // namespace

Result<Post> post_from_json(const json::value& v, Micros received_at) {
  if (!v.is_object()) return error("expected a JSON object");
  const json::object& o = v.get_object();
  Post p;
  p.received_at = received_at;

  for (auto [key, field] : {std::pair<std::string_view, std::string*>{"uid", &p.uid},
                            {"platform", &p.platform},
                            {"title", &p.title},
                            {"text", &p.text},
                            {"url", &p.url},
                            {"parent_uid", &p.parent_uid},
                            {"root_uid", &p.root_uid},
                            {"source", &p.source}}) {
    if (auto r = read_string(o, key, *field); !r) return r.error();
  }
  if (auto r = read_string(o, o.contains("lang") ? "lang" : "lang_hint", p.lang_hint); !r) return r.error();

  if (p.uid.empty()) {
    std::string id;
    if (const json::value* idv = o.if_contains("id"); idv && idv->is_int64()) {
      id = std::to_string(idv->get_int64());
    } else if (auto r = read_string(o, "id", id); !r) {
      return r.error();
    }
    if (id.empty() || p.platform.empty()) return error("missing 'uid' (or 'platform' and 'id')");
    p.uid = p.platform + ":" + id;
  } else if (p.platform.empty()) {
    const auto colon = p.uid.find(':');
    if (colon == std::string::npos || colon == 0) return error("field 'uid': expected \"platform:id\"");
    p.platform = p.uid.substr(0, colon);
  }

  std::string kind;
  if (auto r = read_string(o, "kind", kind); !r) return r.error();
  if (!kind.empty()) {
    auto k = parse_kind(kind);
    if (!k) return error("field 'kind': expected post, comment, repost, edit or delete, got '" + kind + "'");
    p.kind = *k;
  }

  if (const json::value* a = o.if_contains("author"); a && !a->is_null()) {
    if (a->is_string()) {
      p.author.handle.assign(a->get_string().data(), a->get_string().size());
    } else if (a->is_object()) {
      const json::object& ao = a->get_object();
      if (auto r = read_string(ao, "handle", p.author.handle); !r)
        return error("author." + r.error().message);
      if (auto r = read_string(ao, "name", p.author.name); !r) return error("author." + r.error().message);
      if (const json::value* f = ao.if_contains("followers"); f && !f->is_null()) {
        auto n = read_count(*f, "author.followers");
        if (!n) return n.error();
        p.author.followers = *n;
      }
    } else {
      return error("field 'author': expected an object or a handle string");
    }
    if (!p.author.handle.empty() && p.author.handle.front() == '@') p.author.handle.erase(0, 1);
  }

  if (const json::value* c = o.if_contains("created_at"); c && !c->is_null()) {
    if (c->is_string()) {
      auto t = parse_rfc3339(c->get_string());
      if (!t)
        return error("field 'created_at': not an RFC 3339 date-time: '" + std::string(c->get_string()) + "'");
      p.created_at = *t;
    } else if (c->is_number()) {
      const double secs = c->to_number<double>();
      if (!std::isfinite(secs) || secs < 0 || secs > 4e9)
        return error("field 'created_at': epoch seconds out of range");
      p.created_at = static_cast<Micros>(secs * kMicrosPerSecond);
    } else {
      return error("field 'created_at': expected an RFC 3339 string or epoch seconds");
    }
  } else {
    p.created_at = received_at;
  }

  if (p.kind != Kind::del && p.text.empty() && p.title.empty()) return error("missing 'text'");
  return p;
}

json::object post_to_json(const Post& p) {
  json::object o;
  o["uid"] = p.uid;
  o["platform"] = p.platform;
  o["kind"] = to_string(p.kind);
  json::object a;
  a["handle"] = p.author.handle;
  a["name"] = p.author.name;
  if (p.author.followers >= 0) a["followers"] = p.author.followers;
  o["author"] = std::move(a);
  if (!p.title.empty()) o["title"] = p.title;
  o["text"] = p.text;
  if (!p.url.empty()) o["url"] = p.url;
  if (!p.lang_hint.empty()) o["lang"] = p.lang_hint;
  o["created_at"] = format_rfc3339(p.created_at);
  o["received_at"] = format_rfc3339(p.received_at);
  if (!p.parent_uid.empty()) o["parent_uid"] = p.parent_uid;
  if (!p.root_uid.empty()) o["root_uid"] = p.root_uid;
  if (!p.source.empty()) o["source"] = p.source;
  return o;
}

}  // namespace vigie::ingest
