// Mastodon statuses → Posts: the Status entity (https://docs.joinmastodon.org/entities/Status/) that the REST
// API returns and the streaming API sends.
//
// Status ids are local to the instance that serves them (a remote post has a different id on each instance
// that knows it), and the streaming `delete` event names a status by that id alone; so a Mastodon uid is
// "mastodon:<instance_host>/<id>", where instance_host is the instance Vigie is connected to, and parent_uid
// follows the same scheme (in_reply_to_id is local too).
//
// A status becomes:
// - kind post; comment when in_reply_to_id is set (parent_uid); repost when `reblog` holds a status: then
//   title, text, author, url and lang come from the boosted status, and parent_uid names it, while uid and
//   created_at are the boost's own;
// - author.handle = account.acct, with "@<instance_host>" appended for a local account (whose acct has no
//   domain), so a handle means one account whichever instance reported it; name = display_name;
//   followers = followers_count;
// - title = spoiler_text (the content warning, often the gist of the post); text = html_to_text(content).
//   A media-only status has empty text and is still a post;
// - url = url, or uri when url is null; lang_hint = language (null: no hint); created_at = created_at.
// A missing or mistyped required field (id, created_at, account.acct, content) is an error naming the
// status, the instance and the field. All functions are pure and thread-safe.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "ingest/base/result.h"
#include "ingest/post.h"

namespace vigie::ingest {

// Converts a status from the REST API or a streaming `update`. `received_at` stamps the post.
Result<Post> mastodon_status_to_post(const boost::json::value& status, std::string_view instance_host,
                                     Micros received_at);

// Converts a streaming event (the SSE `event:` name and `data:`, or a WebSocket message's event and payload):
// - "update": data is a status, converted as above;
// - "status.update": data is an edited status, converted as above with kind edit;
// - "delete": data is the bare id of the deleted status (JSON-quoted by some servers); yields kind delete
//   with the uid only, created_at = received_at;
// - any other event (notification, filters_changed, conversation, announcement*, encrypted_message, and
//   events added later): nullopt.
// Invalid JSON in data is an error with its byte offset.
Result<std::optional<Post>> mastodon_event_to_post(std::string_view event, std::string_view data,
                                                   std::string_view instance_host, Micros received_at);

// "mastodon:<instance_host>/<id>".
std::string mastodon_uid(std::string_view instance_host, std::string_view id);

// A status's own id (for a boost, the boost's id: the one timelines page by), or nullopt when the value is
// not a status with a non-empty string id. The REST catch-up keeps the greatest as the next `min_id`.
std::optional<std::string> mastodon_status_id(const boost::json::value& status);

// Orders status ids by age. Mastodon ids are decimal strings of a 64-bit snowflake, which no JSON number
// would carry exactly: the shorter is the smaller, and equal lengths compare as text.
bool mastodon_id_less(std::string_view a, std::string_view b);

}  // namespace vigie::ingest
