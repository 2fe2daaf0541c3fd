// An incremental parser for Server-Sent Events (text/event-stream), as the WHATWG HTML standard specifies
// ("Parsing an event stream"). Mastodon's streaming API speaks it.
//
// Bytes are fed in whatever chunks the socket returns; the parser finds lines ending in CRLF, LF or CR (a CR
// ending one chunk and a LF starting the next are one line end), and reports through a Handler:
// - each dispatched event: type ("message" when no `event:` field), data (the `data:` lines joined with
//   '\n'), and the last event id (which, per the standard, persists across events until an `id:` changes it);
// - each comment line (`:thump`) as a heartbeat, so the caller's watchdog can tell a quiet stream from a
//   dead one;
// - each valid `retry:` field, in milliseconds;
// - each limit hit, as an Error. The offending event is then dropped whole (never dispatched truncated) and
//   parsing resumes at the next blank line; the caller counts it, and may reconnect.
// A UTF-8 byte order mark at the start of the stream is skipped. Bytes are passed through as they are: the
// parser does not check or repair UTF-8 (the payload's own parser does).
//
// Ownership: the views a Handler receives point into the parser's buffers or the fed chunk and are valid
// only during the call. Buffers keep their capacity between events, so a steady stream stops allocating.
// Thread-safety: none; one parser per connection. A Handler must not call back into the parser.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ingest/base/result.h"

namespace vigie::ingest {

struct SseLimits {
  // Longest line, terminator excluded. A longer line is an error, and its event is dropped.
  std::size_t max_line_bytes = 1 << 20;
  // Largest data of one event (the joined `data:` lines). A larger event is an error, and is dropped.
  std::size_t max_event_bytes = 1 << 20;
};

struct SseEvent {
  std::string_view type;  // "message" unless an `event:` field said otherwise
  std::string_view data;
  std::string_view id;  // the last event id seen on this stream so far, possibly from an earlier event
};

class SseParser {
 public:
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void on_event(const SseEvent& event) = 0;
    // A comment line, without its ':' and one following space: Mastodon's heartbeat is "thump".
    virtual void on_comment(std::string_view text) = 0;
    // A limit was hit; `error.message` says which, and at which byte of the stream.
    virtual void on_error(const Error& error) = 0;
    // The server asked for this reconnection delay. Also kept in retry().
    virtual void on_retry(std::chrono::milliseconds) {}
  };

  // `handler` must outlive the parser.
  explicit SseParser(Handler& handler, SseLimits limits = {});

  // Parses `chunk`, calling the handler for everything it completes, in stream order.
  void feed(std::string_view chunk);

  // Ends the stream. An unterminated line or an event with no blank line after it is dropped, as the
  // standard says; returns true iff something was dropped. The parser is then ready for a new connection
  // (the BOM check is re-armed); last_event_id() and retry() are kept for the reconnect.
  bool finish();

  // Value for a reconnect's Last-Event-ID header: the last event id buffer at the last dispatch.
  const std::string& last_event_id() const { return last_event_id_; }
  std::optional<std::chrono::milliseconds> retry() const { return retry_; }
  // Bytes fed since construction, across finish() calls: error messages quote offsets in this count.
  std::uint64_t bytes_fed() const { return offset_; }

 private:
  void feed_lines(std::string_view bytes);
  void process_line(std::string_view line, std::uint64_t at);
  void dispatch();
  void drop_event(std::string why);

  Handler& handler_;
  SseLimits limits_;

  std::string line_;  // a line begun in an earlier chunk
  std::string data_;  // the event's data so far, each `data:` value followed by '\n'
  std::string type_;
  std::string id_buffer_;      // the standard's "last event ID buffer"
  std::string last_event_id_;  // its value at the last dispatch
  std::optional<std::chrono::milliseconds> retry_;

  std::uint64_t offset_ = 0;      // stream bytes consumed, for error messages
  std::uint64_t line_start_ = 0;  // stream offset of the line begun in line_
  std::uint8_t bom_matched_ = 0;  // bytes of a leading BOM matched so far
  bool bom_checked_ = false;      // the stream's first bytes were checked for a BOM
  bool after_cr_ = false;         // the last byte was a CR: a LF now ends nothing
  bool skipping_line_ = false;    // discarding the rest of an overlong line
  bool dropping_event_ = false;   // discarding fields until the next blank line
};

}  // namespace vigie::ingest
