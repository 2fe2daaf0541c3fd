// Posts as NDJSON, one Post a line (post_json.h): the form of `POST /api/v1/posts` bodies, of replay files and
// of `vigie score`'s and `vigie replay`'s input. Every reader of such input reads it here.
//
// NdjsonPosts cuts its input into lines ending in LF or CRLF; a last line without a newline is a line too.
// Blank lines (nothing but spaces and tabs) are skipped, never returned, but they count: line numbers count
// every line from 1, and offsets every byte, from where the reader started (so a replay resumed at a byte
// offset numbers its lines from the resume point). There is no size limit here: bodies are bounded by
// http.max_body_bytes, files by what the caller reads.
//
// A line that is not JSON, or not a valid Post, is an error for that line only, and reading goes on:
// "invalid JSON: <why>", or post_from_json's message naming the field. Callers report it with the line's
// number, as {"line": N, "error": "..."} or in a log.
//
// Over memory (a request body) lines are views into the caller's buffer: nothing is copied before the JSON
// parser. Over a stream, one line buffer is reused. One JSON parser is reused for every line; posts are read
// without building a JSON value.
// Not thread-safe: one reader per input, used by one thread.
#pragma once

#include <boost/json/parser.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "ingest/base/result.h"
#include "ingest/post.h"
#include "ingest/post_json.h"

namespace vigie::ingest {

class NdjsonPosts {
 public:
  struct Line {
    std::uint64_t number = 0;  // 1 for the first line read, blank lines included
    std::uint64_t begin = 0;   // byte offset of the line's start, past any blank lines skipped before it
    std::uint64_t end = 0;     // byte offset just past the line's newline (or the end of input)
    std::string_view text;     // without LF or CR LF; valid until the next call to next()
  };

  // Reads `input`, which must outlive the reader.
  explicit NdjsonPosts(std::string_view input) : rest_(input) {}
  // Reads `in` from its current position, up to its end or a read error (the caller checks in.bad()).
  explicit NdjsonPosts(std::istream& in) : in_(&in) {}

  // The next non-blank line, or nullopt at the end of the input.
  std::optional<Line> next();
  // Bytes read so far, blank lines included: after the last next(), the offset of the end of the input.
  std::uint64_t offset() const { return offset_; }

  // The JSON value of the line next() returned last; "invalid JSON: <why>" when it is not JSON.
  Result<boost::json::value> value();
  // That line as a Post (post_from_json's rules, read without a DOM by PostJsonReader), stamped `received_at`.
  Result<Post> post(Micros received_at);
  // The same into `out`, reused: its strings keep their capacity from post to post.
  Result<void> post(Micros received_at, Post& out);
  // The fields of the line, without making a Post of them (for callers that fill in or check fields first,
  // then call post_from_fields). Valid until the next call to next().
  Result<PostJsonFields*> fields();

 private:
  // The next line of any kind into `line`, false at the end of input.
  bool read_line(std::string_view& line);

  std::string_view rest_;
  std::istream* in_ = nullptr;
  std::string buffer_;  // the current line when reading a stream
  std::uint64_t number_ = 0;
  std::uint64_t offset_ = 0;
  std::string_view current_;
  boost::json::parser parser_;
  PostJsonReader reader_;
};

}  // namespace vigie::ingest
