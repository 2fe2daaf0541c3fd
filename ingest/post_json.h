// The JSON form of a Post: what `POST /api/v1/posts`, replay files and `vigie score` read, and what the API
// and `vigie parse` write.
//
//   {"uid": "mastodon:109", "platform": "mastodon", "kind": "post",
//    "author": {"handle": "ana", "name": "Ana", "followers": 1200},
//    "title": "", "text": "Panne chez Acme ?", "url": "https://...", "lang": "fr",
//    "created_at": "2026-11-22T14:05:00Z", "parent_uid": "", "root_uid": ""}
//
// Reading is forgiving where real producers differ and strict where a mistake would corrupt data:
// - `uid` may be omitted when `platform` and `id` are given (uid = platform + ":" + id);
// - `author` may be a plain handle string; a leading '@' is dropped;
// - `created_at` is RFC 3339 or a number of seconds since the epoch; when absent, the receive time is used;
// - `lang_hint` is accepted for `lang`; unknown fields are ignored;
// - `text` or `title` must be present unless kind is "delete"; wrong types are errors naming the field.
//
// Two ways in, one set of rules: post_from_json reads a parsed boost::json::value; PostJsonReader reads JSON
// text straight into a Post without building a value (no tree, no allocation once its buffers have grown),
// for the paths that read posts by the hundred thousand (`vigie score`, NDJSON bodies and files). Both find
// the fields (PostJsonFields) and hand them to post_from_fields, so they accept and refuse the same posts
// with the same messages; for duplicate keys the last one counts, as in a boost::json::object.
#pragma once

#include <array>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ingest/base/result.h"
#include "ingest/post.h"

namespace vigie::ingest {

// `received_at` stamps the post and stands in for a missing `created_at`.
Result<Post> post_from_json(const boost::json::value& v, Micros received_at);

// One field of a JSON object as post_from_fields needs it: its type and, for a string or a number, its value.
struct JsonField {
  enum class Type : std::uint8_t { absent, null, string, int64, uint64, double_, object, other };
  Type type = Type::absent;
  std::string_view string;  // Type::string; a view into the parsed text or value
  std::int64_t int64 = 0;
  std::uint64_t uint64 = 0;
  double double_ = 0;

  bool present() const { return type != Type::absent; }
  bool is_number() const { return type == Type::int64 || type == Type::uint64 || type == Type::double_; }
};

// The fields of a Post's JSON form that post_from_fields reads, by name; every other key is ignored. The
// author's fields are read when "author" is an object.
struct PostJsonFields {
  enum Name : std::uint8_t {
    uid,
    platform,
    title,
    text,
    url,
    parent_uid,
    root_uid,
    source,
    lang,
    lang_hint,
    id,
    kind,
    author,
    created_at,
    author_handle,
    author_name,
    author_followers,
    count
  };
  std::array<JsonField, count> field;
  bool is_object = false;  // the JSON text is an object; false: nothing else here was read

  JsonField& operator[](Name n) { return field[n]; }
  const JsonField& operator[](Name n) const { return field[n]; }
  // The field of the top-level key `key` (author_handle... for the keys of an author object when `in_author`),
  // or -1 for a key post_from_fields does not read.
  static int find(std::string_view key, bool in_author);
};

// Fills `out` (every field, whatever it held: a reused Post keeps its strings' capacity) from `f`; the errors
// of post_from_json.
Result<void> post_from_fields(const PostJsonFields& f, Micros received_at, Post& out);

// Reads JSON text into PostJsonFields with Boost.JSON's parser and no DOM. One reader per thread; reusing it
// (and the Post it fills) makes reading allocation-free in steady state.
class PostJsonReader {
 public:
  PostJsonReader();
  ~PostJsonReader();
  PostJsonReader(const PostJsonReader&) = delete;
  PostJsonReader& operator=(const PostJsonReader&) = delete;

  // Parses one JSON text; "invalid JSON: <why>" (Boost.JSON's message, as for a parsed value) when it is
  // not. The fields (views into `text` or into the reader) stay valid until the next parse and while `text`
  // lives.
  Result<void> parse(std::string_view text);
  const PostJsonFields& fields() const;
  PostJsonFields& fields();

  // parse(), then post_from_fields().
  Result<void> read(std::string_view text, Micros received_at, Post& out);

 private:
  struct Parser;
  std::unique_ptr<Parser> parser_;
};

boost::json::object post_to_json(const Post& p);

}  // namespace vigie::ingest
