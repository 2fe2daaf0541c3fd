#include "ingest/mastodon/sse_parser.h"

#include <algorithm>

namespace vigie::ingest {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// Index of the first CR or LF at or after `from`, or npos. A plain loop: both bytes are searched at once,
// where two memchr calls would each scan past the first line end.
std::size_t find_line_end(std::string_view s, std::size_t from) {
  for (std::size_t i = from; i < s.size(); ++i)
    if (s[i] == '\n' || s[i] == '\r') return i;
  return std::string_view::npos;
}

// The standard only says "an integer in base ten"; a value past what any server means is saturated rather
// than wrapped, so it cannot turn into a tiny delay.
std::chrono::milliseconds parse_retry(std::string_view digits) {
  constexpr std::int64_t kMax = 1'000'000'000'000;  // about 31 years
  std::int64_t v = 0;
  for (char c : digits) {
    v = v * 10 + (c - '0');
    if (v > kMax) return std::chrono::milliseconds{kMax};
  }
  return std::chrono::milliseconds{v};
}

}  // namespace

SseParser::SseParser(Handler& handler, SseLimits limits) : handler_(handler), limits_(limits) {}

void SseParser::feed(std::string_view chunk) {
  if (!bom_checked_) {
    while (!chunk.empty() && bom_matched_ < kBom.size() && chunk.front() == kBom[bom_matched_]) {
      ++bom_matched_;
      chunk.remove_prefix(1);
    }
    if (bom_matched_ == kBom.size()) {
      offset_ += kBom.size();
      bom_checked_ = true;
    } else if (chunk.empty()) {
      return;  // so far a prefix of the BOM: the next chunk decides
    } else {
      // The bytes that looked like the start of a BOM were data after all.
      bom_checked_ = true;
      feed_lines(kBom.substr(0, bom_matched_));
    }
  }
  feed_lines(chunk);
}

void SseParser::feed_lines(std::string_view bytes) {
  const std::uint64_t base = offset_;
  std::size_t i = 0;
  while (i < bytes.size()) {
    if (after_cr_) {
      after_cr_ = false;
      if (bytes[i] == '\n') {
        ++i;
        continue;
      }
    }
    const std::size_t end = find_line_end(bytes, i);
    if (end == std::string_view::npos) {
      const std::string_view rest = bytes.substr(i);
      if (skipping_line_) break;
      if (line_.empty()) line_start_ = base + i;
      if (line_.size() + rest.size() > limits_.max_line_bytes) {
        skipping_line_ = true;
        line_.clear();
        drop_event("line at byte " + std::to_string(line_start_) + " is longer than the " +
                   std::to_string(limits_.max_line_bytes) + "-byte limit");
      } else {
        line_.append(rest);
      }
      break;
    }

    const std::string_view piece = bytes.substr(i, end - i);
    after_cr_ = bytes[end] == '\r';
    i = end + 1;
    if (skipping_line_) {  // the end of a line already reported as too long
      skipping_line_ = false;
      continue;
    }
    // A line wholly inside the chunk is parsed in place; only one begun in an earlier chunk is copied.
    std::string_view line = piece;
    std::uint64_t at = base + (end - piece.size());
    bool too_long = piece.size() > limits_.max_line_bytes;
    if (!line_.empty()) {
      at = line_start_;
      too_long = line_.size() + piece.size() > limits_.max_line_bytes;
      if (!too_long) line_.append(piece);
      line = line_;
    }
    if (too_long) {
      drop_event("line at byte " + std::to_string(at) + " is longer than the " +
                 std::to_string(limits_.max_line_bytes) + "-byte limit");
    } else {
      process_line(line, at);
    }
    line_.clear();
  }
  offset_ = base + bytes.size();
}

void SseParser::process_line(std::string_view line, std::uint64_t at) {
  if (line.empty()) {
    if (dropping_event_) {
      dropping_event_ = false;
      data_.clear();
      type_.clear();
      return;
    }
    dispatch();
    return;
  }
  if (line.front() == ':') {
    line.remove_prefix(1);
    if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    handler_.on_comment(line);
    return;
  }
  if (dropping_event_) return;

  const std::size_t colon = line.find(':');
  const std::string_view field = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }

  if (field == "data") {
    // data_ already holds a '\n' after each earlier line, and the last one is removed at dispatch: this is
    // the size the event's data would reach.
    if (data_.size() + value.size() > limits_.max_event_bytes) {
      drop_event("event data exceeds the " + std::to_string(limits_.max_event_bytes) +
                 "-byte limit at the line at byte " + std::to_string(at));
      return;
    }
    data_.append(value);
    data_.push_back('\n');
  } else if (field == "event") {
    type_.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) id_buffer_.assign(value);
  } else if (field == "retry") {
    if (!value.empty() &&
        std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      retry_ = parse_retry(value);
      handler_.on_retry(*retry_);
    }
  }
  // Any other field is ignored, as the standard says.
}

void SseParser::dispatch() {
  last_event_id_ = id_buffer_;
  if (data_.empty()) {
    type_.clear();
    return;
  }
  data_.pop_back();  // the '\n' after the last line
  const SseEvent event{type_.empty() ? std::string_view("message") : std::string_view(type_), data_,
                       last_event_id_};
  handler_.on_event(event);
  data_.clear();
  type_.clear();
}

void SseParser::drop_event(std::string why) {
  dropping_event_ = true;
  data_.clear();
  type_.clear();
  handler_.on_error(error("SSE stream: " + why + "; the event is dropped"));
}

bool SseParser::finish() {
  const bool dropped = (!line_.empty() && !skipping_line_) ||
                       (!dropping_event_ && (!data_.empty() || !type_.empty())) ||
                       (!bom_checked_ && bom_matched_ > 0);  // bytes held back as a possible BOM
  line_.clear();
  data_.clear();
  type_.clear();
  // Browsers carry the last event id into the new connection, so an event without an `id:` after a
  // reconnect still reports the position to resume from.
  id_buffer_ = last_event_id_;
  bom_matched_ = 0;
  bom_checked_ = false;
  after_cr_ = false;
  skipping_line_ = false;
  dropping_event_ = false;
  return dropped;
}

}  // namespace vigie::ingest
