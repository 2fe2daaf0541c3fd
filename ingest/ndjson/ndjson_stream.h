// One JSON object per line over a long-lived HTTP body: the framing of X's v2 filtered stream
// (GET /2/tweets/search/stream), of replay files and of most "streaming JSON" APIs.
//
// NdjsonFramer cuts the body, fed in whatever chunks the socket returns, into lines ending in LF or CRLF.
// Blank lines (X sends "\r\n" every 20 seconds to keep the connection open) are keep-alives: counted and
// reported separately, never passed on as lines. A line longer than the cap is an error; it is dropped and
// framing resumes after it, so one bad line never stalls or balloons the stream.
//
// stream_object_to_post converts one parsed line. An X-shaped object,
//   {"data": {"id", "text", "author_id", "created_at", "lang", "conversation_id", "edit_history_tweet_ids",
//             "referenced_tweets": [{"type": "replied_to|quoted|retweeted", "id"}],
//             "entities": {"urls": [{"url", "expanded_url"}]}, "note_tweet": {"text", "entities"}},
//    "includes": {"users": [{"id", "username", "name", "public_metrics": {"followers_count"}}],
//                 "tweets": [...]},
//    "matching_rules": [...]}
// becomes a Post:
// - platform "x", uid "x:<id>", url "https://x.com/<username>/status/<id>" (".../i/web/status/<id>" when
//   the author is not in includes.users); author handle = username, else author_id; name; followers;
// - text = note_tweet.text (a long post's full text) when present, else data.text, with each t.co link
//   replaced by its expanded_url and the &amp; &lt; &gt; escapes X applies decoded;
// - kind comment with parent_uid for replied_to, root_uid "x:<conversation_id>" when that is another post;
//   kind repost with parent_uid for retweeted: data.text is then a truncated "RT @user: ...", so text, url
//   and author come from the retweeted post when includes.tweets holds it (as for Mastodon boosts);
// - an edited post (edit_history_tweet_ids longer than one) is kind edit with the uid of the first id, so it
//   replaces the post Vigie already holds; its url names the current version;
// - created_at from data.created_at, else received_at (the field is only sent when asked for);
//   lang "und" (undetermined) gives no hint.
// An object with "errors" and no "data" (X's operational disconnect notices, rule errors) is an error
// quoting the first error's title and detail; the caller counts it. Any other object is read as a Vigie Post
// (post_from_json). Thread-safety: the framer is one per connection; the function is pure.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/base/result.h"
#include "ingest/post.h"

namespace vigie::ingest {

class NdjsonFramer {
 public:
  class Handler {
   public:
    virtual ~Handler() = default;
    // A complete line, without its terminator. The view is valid only during the call.
    virtual void on_line(std::string_view line) = 0;
    // A line exceeded the cap and was dropped; the message gives its stream offset.
    virtual void on_error(const Error& error) = 0;
    // A blank line: the server's keep-alive, for the caller's watchdog. Also counted in keepalives().
    virtual void on_keepalive() {}
  };

  static constexpr std::size_t kDefaultMaxLineBytes = 1 << 20;

  // `handler` must outlive the framer.
  explicit NdjsonFramer(Handler& handler, std::size_t max_line_bytes = kDefaultMaxLineBytes);

  // Frames `chunk`, calling the handler for each line it completes, in order. Lines wholly inside the
  // chunk are passed without a copy; only a line begun in an earlier chunk is buffered.
  void feed(std::string_view chunk);

  // Ends the stream. Returns true iff an unterminated last line was pending: the connection was cut
  // mid-line, and that line is dropped (the caller counts it). The framer is then ready for a new stream.
  bool finish();

  std::uint64_t lines() const { return lines_; }
  std::uint64_t keepalives() const { return keepalives_; }
  std::uint64_t oversized() const { return oversized_; }

 private:
  void complete(std::string_view line, std::uint64_t at);
  void report_oversized(std::uint64_t at);

  Handler& handler_;
  std::size_t max_line_bytes_;
  std::string partial_;  // a line begun in an earlier chunk
  std::uint64_t partial_start_ = 0;
  std::uint64_t offset_ = 0;  // stream bytes consumed, for error messages
  bool skipping_ = false;     // discarding the rest of an overlong line
  std::uint64_t lines_ = 0;
  std::uint64_t keepalives_ = 0;
  std::uint64_t oversized_ = 0;
};

// Converts one stream object as described above. `received_at` stamps the post.
Result<Post> stream_object_to_post(const boost::json::value& object, Micros received_at);

}  // namespace vigie::ingest
