// Bluesky Jetstream events (https://github.com/bluesky-social/jetstream) → Posts.
//
// Jetstream sends one JSON object per WebSocket message:
//   {"did": "did:plc:…", "time_us": 1725911162329308, "kind": "commit",
//    "commit": {"rev": "…", "operation": "create", "collection": "app.bsky.feed.post",
//               "rkey": "3l3qo2vutsw2b", "cid": "…",
//               "record": {"$type": "app.bsky.feed.post", "text": "…", "createdAt": "…", …}}}
// and, with kind "identity" ({"identity": {"did", "handle", "seq", "time"}}) or "account"
// ({"account": {"active", "status", …}}), changes to an account.
//
// Every event carries `time_us`, the cursor to resume from, whether or not it yields a post. A post commit
// (collection app.bsky.feed.post) yields a Post:
// - uid "bluesky:<did>/<rkey>", url "https://bsky.app/profile/<did>/post/<rkey>", platform "bluesky";
// - kind post, or comment when the record has a `reply` (parent_uid and root_uid from its at:// URIs, in the
//   same uid scheme); an `update` operation is an edit, a `delete` a delete (uid only, no record);
// - created_at: the record's `createdAt` unless it does not parse or lies more than 10 minutes after
//   time_us (client clocks are wrong, and a post must not sort into the future); then time_us;
// - text: the record's text, with each link facet whose displayed text is a shortened form of its target
//   (the Bluesky app shows "example.com/articles/20..." for a long URL) replaced by the full URI, so rules on
//   domains and paths see it. Facet offsets are UTF-8 byte offsets; a facet that is out of range, splits a
//   UTF-8 sequence or overlaps an earlier one is ignored, never an error;
// - an external link card (embed.external, also inside a recordWithMedia embed): its URI is appended to the
//   text on a line of its own unless the text already holds it, and its title becomes the post's title. The
//   card is what readers see of a shared article: the URI carries the domain a brand rule may match, and
//   keeping the headline in `title` rather than `text` keeps the author's own words apart from the page's;
// - lang_hint: the record's first `langs` entry; author.handle: the handle `handles` knows for the DID, else
//   the DID itself; author.followers -1 (Jetstream does not say).
// Commits of other collections (likes, reposts, follows...), account events and kinds this code does not
// know yield no post. An identity event yields {did, handle}; an empty handle means the handle is unknown
// or invalid, and a cached one should be forgotten.
//
// A malformed event (not an object, a missing or mistyped required field, an unknown operation) is an
// error naming the event and the field. An error carries no time_us: the caller keeps its cursor.
// Functions are pure and thread-safe (as far as `handles` is).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "ingest/base/result.h"
#include "ingest/post.h"

namespace vigie::ingest {

struct JetstreamIdentity {
  std::string did;
  std::string handle;  // empty: unknown or invalid
};

struct JetstreamEvent {
  Micros time_us = 0;  // the event's position: resume with ?cursor= this value
  std::optional<Post> post;
  std::optional<JetstreamIdentity> identity;
};

// Returns the handle known for a DID, or nullopt.
using HandleLookup = std::function<std::optional<std::string>(std::string_view did)>;

// `received_at` stamps the post; `handles` may be empty.
Result<JetstreamEvent> jetstream_event_from_json(const boost::json::value& event, Micros received_at,
                                                 const HandleLookup& handles = {});

// Parses one Jetstream message, then converts it as above. Invalid JSON is an error with its byte offset.
Result<JetstreamEvent> parse_jetstream_event(std::string_view message, Micros received_at,
                                             const HandleLookup& handles = {});

// The text of a post record with shortened link facets expanded, as described above.
std::string bluesky_expand_links(std::string_view text, const boost::json::array& facets);

// "at://<did>/app.bsky.feed.post/<rkey>" → "bluesky:<did>/<rkey>"; nullopt for anything else.
std::optional<std::string> bluesky_post_uid(std::string_view at_uri);

}  // namespace vigie::ingest
