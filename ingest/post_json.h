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
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "ingest/base/result.h"
#include "ingest/post.h"

namespace vigie::ingest {

// `received_at` stamps the post and stands in for a missing `created_at`.
Result<Post> post_from_json(const boost::json::value& v, Micros received_at);

boost::json::object post_to_json(const Post& p);

}  // namespace vigie::ingest
