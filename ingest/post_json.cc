#include "ingest/post_json.h"

#include <boost/json/basic_parser_impl.hpp>
#include <cmath>

namespace vigie::ingest {
namespace json = boost::json;
namespace {

using Field = JsonField;
using F = PostJsonFields;

// Reads an optional string field; a present field of another type is an error.
Result<void> read_string(const Field& f, std::string_view key, std::string& out) {
  if (f.type == Field::Type::absent || f.type == Field::Type::null) return ok();
  if (f.type != Field::Type::string) return error("field '" + std::string(key) + "': expected a string");
  out.assign(f.string.data(), f.string.size());
  return ok();
}

Result<std::int64_t> read_count(const Field& f, std::string_view key) {
  if (f.type == Field::Type::int64 && f.int64 >= 0) return f.int64;
  if (f.type == Field::Type::uint64) return static_cast<std::int64_t>(f.uint64);
  if (f.type == Field::Type::double_ && f.double_ >= 0 && f.double_ < 9e18)
    return static_cast<std::int64_t>(f.double_);
  return error("field '" + std::string(key) + "': expected a non-negative number");
}

double number_of(const Field& f) {
  switch (f.type) {
    case Field::Type::int64:
      return static_cast<double>(f.int64);
    case Field::Type::uint64:
      return static_cast<double>(f.uint64);
    default:
      return f.double_;
  }
}

void set_from_value(Field& f, const json::value& v) {
  f = Field{};
  switch (v.kind()) {
    case json::kind::null:
      f.type = Field::Type::null;
      break;
    case json::kind::string:
      f.type = Field::Type::string;
      f.string = v.get_string();
      break;
    case json::kind::int64:
      f.type = Field::Type::int64;
      f.int64 = v.get_int64();
      break;
    case json::kind::uint64:
      f.type = Field::Type::uint64;
      f.uint64 = v.get_uint64();
      break;
    case json::kind::double_:
      f.type = Field::Type::double_;
      f.double_ = v.get_double();
      break;
    case json::kind::object:
      f.type = Field::Type::object;
      break;
    default:
      f.type = Field::Type::other;
  }
}

void clear(Post& p) {
  p.uid.clear();
  p.platform.clear();
  p.kind = Kind::post;
  p.author.handle.clear();
  p.author.name.clear();
  p.author.followers = -1;
  p.title.clear();
  p.text.clear();
  p.url.clear();
  p.lang_hint.clear();
  p.created_at = 0;
  p.received_at = 0;
  p.parent_uid.clear();
  p.root_uid.clear();
  p.source.clear();
}

}  // namespace

int PostJsonFields::find(std::string_view key, bool in_author) {
  if (in_author) {
    if (key == "handle") return author_handle;
    if (key == "name") return author_name;
    if (key == "followers") return author_followers;
    return -1;
  }
  static constexpr std::pair<std::string_view, Name> kKeys[] = {{"uid", uid},
                                                                {"platform", platform},
                                                                {"title", title},
                                                                {"text", text},
                                                                {"url", url},
                                                                {"parent_uid", parent_uid},
                                                                {"root_uid", root_uid},
                                                                {"source", source},
                                                                {"lang", lang},
                                                                {"lang_hint", lang_hint},
                                                                {"id", id},
                                                                {"kind", kind},
                                                                {"author", author},
                                                                {"created_at", created_at}};
  for (const auto& [name, n] : kKeys) {
    if (name == key) return n;
  }
  return -1;
}

Result<void> post_from_fields(const PostJsonFields& f, Micros received_at, Post& p) {
  clear(p);
  if (!f.is_object) return error("expected a JSON object");
  p.received_at = received_at;

  for (auto [key, name, field] : {std::tuple<std::string_view, F::Name, std::string*>{"uid", F::uid, &p.uid},
                                  {"platform", F::platform, &p.platform},
                                  {"title", F::title, &p.title},
                                  {"text", F::text, &p.text},
                                  {"url", F::url, &p.url},
                                  {"parent_uid", F::parent_uid, &p.parent_uid},
                                  {"root_uid", F::root_uid, &p.root_uid},
                                  {"source", F::source, &p.source}}) {
    if (auto r = read_string(f[name], key, *field); !r) return r.error();
  }
  if (f[F::lang].present()) {
    if (auto r = read_string(f[F::lang], "lang", p.lang_hint); !r) return r.error();
  } else if (auto r = read_string(f[F::lang_hint], "lang_hint", p.lang_hint); !r) {
    return r.error();
  }

  if (p.uid.empty()) {
    std::string id;
    if (const Field& idf = f[F::id]; idf.type == Field::Type::int64) {
      id = std::to_string(idf.int64);
    } else if (auto r = read_string(idf, "id", id); !r) {
      return r.error();
    }
    if (id.empty() || p.platform.empty()) return error("missing 'uid' (or 'platform' and 'id')");
    p.uid.reserve(p.platform.size() + 1 + id.size());
    p.uid.append(p.platform).append(1, ':').append(id);
  } else if (p.platform.empty()) {
    const auto colon = p.uid.find(':');
    if (colon == std::string::npos || colon == 0) return error("field 'uid': expected \"platform:id\"");
    p.platform.assign(p.uid, 0, colon);
  }

  if (const Field& k = f[F::kind]; k.type == Field::Type::string && !k.string.empty()) {
    auto parsed = parse_kind(k.string);
    if (!parsed) {
      return error("field 'kind': expected post, comment, repost, edit or delete, got '" +
                   std::string(k.string) + "'");
    }
    p.kind = *parsed;
  } else if (k.type != Field::Type::string && k.type != Field::Type::absent && k.type != Field::Type::null) {
    return error("field 'kind': expected a string");
  }

  if (const Field& a = f[F::author]; a.present() && a.type != Field::Type::null) {
    if (a.type == Field::Type::string) {
      p.author.handle.assign(a.string.data(), a.string.size());
    } else if (a.type == Field::Type::object) {
      if (auto r = read_string(f[F::author_handle], "handle", p.author.handle); !r)
        return error("author." + r.error().message);
      if (auto r = read_string(f[F::author_name], "name", p.author.name); !r)
        return error("author." + r.error().message);
      if (const Field& fo = f[F::author_followers]; fo.present() && fo.type != Field::Type::null) {
        auto n = read_count(fo, "author.followers");
        if (!n) return n.error();
        p.author.followers = *n;
      }
    } else {
      return error("field 'author': expected an object or a handle string");
    }
    if (!p.author.handle.empty() && p.author.handle.front() == '@') p.author.handle.erase(0, 1);
  }

  if (const Field& c = f[F::created_at]; c.present() && c.type != Field::Type::null) {
    if (c.type == Field::Type::string) {
      auto t = parse_rfc3339(c.string);
      if (!t) return error("field 'created_at': not an RFC 3339 date-time: '" + std::string(c.string) + "'");
      p.created_at = *t;
    } else if (c.is_number()) {
      const double secs = number_of(c);
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
  return ok();
}

Result<Post> post_from_json(const json::value& v, Micros received_at) {
  PostJsonFields f;
  if (const json::object* o = v.if_object()) {
    f.is_object = true;
    for (const auto& kv : *o) {
      const int n = PostJsonFields::find(kv.key(), false);
      if (n < 0) continue;
      set_from_value(f.field[static_cast<std::size_t>(n)], kv.value());
      if (n == F::author && kv.value().is_object()) {
        for (const auto& akv : kv.value().get_object()) {
          const int an = PostJsonFields::find(akv.key(), true);
          if (an >= 0) set_from_value(f.field[static_cast<std::size_t>(an)], akv.value());
        }
      }
    }
  }
  Post p;
  if (auto r = post_from_fields(f, received_at, p); !r) return r.error();
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

// The handler of Boost.JSON's SAX parser: records the fields post_from_fields reads, skips everything else.
// Depth 1 is the top-level object; the author object's keys are read at depth 2.
struct PostJsonReader::Parser {
  struct Handler {
    static constexpr std::size_t max_object_size = json::object::max_size();
    static constexpr std::size_t max_array_size = json::array::max_size();
    static constexpr std::size_t max_key_size = json::string::max_size();
    static constexpr std::size_t max_string_size = json::string::max_size();

    PostJsonFields fields;
    // Strings that are not one piece of the input (escaped, or cut by the parser) are copied here, one buffer
    // per field.
    std::array<std::string, F::count> owned;
    std::string key;  // a key that came in parts
    std::string_view input;
    int depth = 0;
    int target = -1;         // the field the next value belongs to, or -1
    bool in_author = false;  // inside the author object (depth 2)

    void reset(std::string_view text) {
      fields = PostJsonFields{};
      input = text;
      depth = 0;
      target = -1;
      in_author = false;
      key.clear();
    }
    Field* take() {
      if (target < 0) return nullptr;
      Field* f = &fields.field[static_cast<std::size_t>(target)];
      *f = Field{};
      return f;
    }
    void scalar(Field::Type type) {
      if (Field* f = take()) f->type = type;
      target = -1;
    }

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }
    bool on_array_begin(json::error_code&) {
      scalar(Field::Type::other);
      ++depth;
      return true;
    }
    bool on_array_end(std::size_t, json::error_code&) {
      --depth;
      return true;
    }
    bool on_object_begin(json::error_code&) {
      if (depth == 0) {
        fields.is_object = true;
      } else if (target == F::author && depth == 1) {
        take()->type = Field::Type::object;
        // A later "author" replaces an earlier one whole, as in a boost::json::object.
        for (const F::Name n : {F::author_handle, F::author_name, F::author_followers})
          fields[n] = Field{};
        in_author = true;
      } else {
        scalar(Field::Type::other);
      }
      target = -1;
      ++depth;
      return true;
    }
    bool on_object_end(std::size_t, json::error_code&) {
      --depth;
      if (depth == 1) in_author = false;
      return true;
    }
    bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
      key.append(s.data(), s.size());
      return true;
    }
    bool on_key(json::string_view s, std::size_t, json::error_code&) {
      std::string_view k(s.data(), s.size());
      if (!key.empty()) {
        key.append(k);
        k = key;
      }
      if (depth == 1)
        target = PostJsonFields::find(k, false);
      else if (depth == 2 && in_author)
        target = PostJsonFields::find(k, true);
      else
        target = -1;
      key.clear();
      return true;
    }
    bool on_string_part(json::string_view s, std::size_t n, json::error_code&) {
      if (target < 0) return true;
      std::string& own = owned[static_cast<std::size_t>(target)];
      if (n == s.size()) own.clear();  // the first part
      own.append(s.data(), s.size());
      return true;
    }
    bool on_string(json::string_view s, std::size_t n, json::error_code&) {
      const int t = target;
      Field* f = take();
      target = -1;
      if (!f) return true;
      f->type = Field::Type::string;
      if (n == s.size() && s.data() >= input.data() && s.data() + s.size() <= input.data() + input.size()) {
        f->string = std::string_view(s.data(), s.size());  // in one piece, in the input: no copy
        return true;
      }
      std::string& own = owned[static_cast<std::size_t>(t)];
      if (n == s.size()) own.clear();
      own.append(s.data(), s.size());
      f->string = own;
      return true;
    }
    bool on_number_part(json::string_view, json::error_code&) { return true; }
    bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
      if (Field* f = take()) {
        f->type = Field::Type::int64;
        f->int64 = i;
      }
      target = -1;
      return true;
    }
    bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
      if (Field* f = take()) {
        f->type = Field::Type::uint64;
        f->uint64 = u;
      }
      target = -1;
      return true;
    }
    bool on_double(double d, json::string_view, json::error_code&) {
      if (Field* f = take()) {
        f->type = Field::Type::double_;
        f->double_ = d;
      }
      target = -1;
      return true;
    }
    bool on_bool(bool, json::error_code&) {
      scalar(Field::Type::other);
      return true;
    }
    bool on_null(json::error_code&) {
      scalar(Field::Type::null);
      return true;
    }
    bool on_comment_part(json::string_view, json::error_code&) { return true; }
    bool on_comment(json::string_view, json::error_code&) { return true; }
  };

  json::basic_parser<Handler> parser{json::parse_options{}};
};

PostJsonReader::PostJsonReader() : parser_(std::make_unique<Parser>()) {}
PostJsonReader::~PostJsonReader() = default;

const PostJsonFields& PostJsonReader::fields() const {
  return parser_->parser.handler().fields;
}

PostJsonFields& PostJsonReader::fields() {
  return parser_->parser.handler().fields;
}

Result<void> PostJsonReader::parse(std::string_view text) {
  auto& p = parser_->parser;
  p.reset();
  p.handler().reset(text);
  json::error_code ec;
  const std::size_t n = p.write_some(false, text.data(), text.size(), ec);
  // As boost::json::parser::write: a complete text followed by more is an error.
  if (!ec && n < text.size()) ec = json::error::extra_data;
  if (ec) {
    p.handler().fields = PostJsonFields{};
    return error("invalid JSON: " + ec.message());
  }
  return ok();
}

Result<void> PostJsonReader::read(std::string_view text, Micros received_at, Post& out) {
  if (auto r = parse(text); !r) return r;
  return post_from_fields(fields(), received_at, out);
}

}  // namespace vigie::ingest
