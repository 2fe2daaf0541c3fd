// Test support: a raw reader of a server-sent event stream on 127.0.0.1, as a browser's fetch() sees it:
// one blocking TCP connection, a GET with the headers given, the response head, then frames parsed from the
// bytes as they come (SSE's field rules: "id:", "event:", "data:" lines, ": comment" lines, a blank line ends a
// frame). It reads only when asked, so a test can make it a reader that stops reading; `receive_buffer` makes
// its socket's receive buffer small (set before connecting, so the window stays small).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vigie::testing {

struct SseFrame {
  std::string id;       // "" when the frame has no id field
  std::string event;    // "" for a frame without an event field (retry, heartbeat)
  std::string data;     // data lines joined with "\n"
  std::string comment;  // the text of ": ..." lines, joined with "\n"
  std::string retry;
};

class SseReader {
 public:
  SseReader(std::uint16_t port, const std::string& target,
            const std::vector<std::pair<std::string, std::string>>& headers = {}, int receive_buffer = 0);
  ~SseReader();
  SseReader(const SseReader&) = delete;
  SseReader& operator=(const SseReader&) = delete;

  // The response's status (0: no response) and head, read by the constructor.
  unsigned status() const { return status_; }
  const std::string& head() const { return head_; }
  // For a response that is not a stream: the rest of what the server sent, until it closed.
  std::string rest(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // The next frame, or nullopt when the connection closed or `timeout` passed first (closed() tells which).
  std::optional<SseFrame> next(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // The next frame with an event field (skipping retry and heartbeat frames).
  std::optional<SseFrame> next_event(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  bool closed() const { return closed_; }

  // Closes the connection now (a reader that goes away).
  void close();

 private:
  // Reads what is available into buffer_, waiting up to `timeout`; false on timeout or close.
  bool fill(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  unsigned status_ = 0;
  std::string head_;
  std::string buffer_;
  bool closed_ = false;
};

}  // namespace vigie::testing
