// The one normalized record every source produces, whatever the platform.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ingest/base/timestamp.h"

namespace vigie::ingest {

// What a record is. An `edit` upserts the post it names; a `del` tombstones it.
enum class Kind : std::uint8_t { post, comment, repost, edit, del };

std::string_view to_string(Kind k);
// Accepts the names of to_string ("delete" for del). Returns nullopt on anything else.
std::optional<Kind> parse_kind(std::string_view s);

struct Author {
  std::string handle;           // platform handle, without a leading '@'
  std::string name;             // display name
  std::int64_t followers = -1;  // -1 when the platform did not say
};

struct Post {
  std::string uid;       // "platform:native_id", unique across Vigie
  std::string platform;  // "mastodon", "bluesky", "rss", "x", ...
  Kind kind = Kind::post;
  Author author;
  std::string title;  // feeds and videos have one; social posts usually not
  std::string text;   // plain text: HTML stripped, entities decoded, whitespace collapsed
  std::string url;
  std::string lang_hint;   // what the platform declared; a hint only
  Micros created_at = 0;   // event time, UTC
  Micros received_at = 0;  // when Vigie got it
  std::string parent_uid;  // the post this one answers, if any
  std::string root_uid;    // the thread's first post, if any
  std::string source;      // id of the configured source that produced it
};

}  // namespace vigie::ingest
