#include "tests/support/sse_reader.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

namespace vigie::testing {

SseReader::SseReader(std::uint16_t port, const std::string& target,
                     const std::vector<std::pair<std::string, std::string>>& headers, int receive_buffer) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return;
  if (receive_buffer > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close();
    return;
  }
  // "Connection: close", so that an error response ends with the connection, as a stream does.
  std::string req =
      "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers)
    req += k + ": " + v + "\r\n";
  req += "\r\n";
  if (::send(fd_, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
    close();
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill(deadline)) return;
  }
  head_ = buffer_.substr(0, end + 2);
  buffer_.erase(0, end + 4);
  // "HTTP/1.1 200 OK"
  if (head_.size() > 12) status_ = static_cast<unsigned>(std::atoi(head_.c_str() + 9));
}

SseReader::~SseReader() {
  close();
}

void SseReader::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  closed_ = true;
}

bool SseReader::fill(std::chrono::steady_clock::time_point deadline) {
  if (fd_ < 0) return false;
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char buf[16384];
  const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
  if (n <= 0) {
    ::close(fd_);
    fd_ = -1;
    closed_ = true;
    return false;
  }
  buffer_.append(buf, static_cast<std::size_t>(n));
  return true;
}

std::string SseReader::rest(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (fill(deadline)) {
  }
  return std::exchange(buffer_, {});
}

std::optional<SseFrame> SseReader::next(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const std::size_t end = buffer_.find("\n\n");
    if (end != std::string::npos) {
      const std::string block = buffer_.substr(0, end + 1);
      buffer_.erase(0, end + 2);
      SseFrame f;
      bool has_data = false, has_comment = false;
      for (std::size_t pos = 0; pos < block.size();) {
        const std::size_t nl = block.find('\n', pos);
        const std::string line = block.substr(pos, nl - pos);
        pos = nl + 1;
        const std::size_t colon = line.find(':');
        const std::string field = line.substr(0, colon);
        std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
        if (!value.empty() && value[0] == ' ') value.erase(0, 1);
        if (field.empty()) {
          f.comment += (has_comment ? "\n" : "") + value;
          has_comment = true;
        } else if (field == "id") {
          f.id = value;
        } else if (field == "event") {
          f.event = value;
        } else if (field == "data") {
          f.data += (has_data ? "\n" : "") + value;
          has_data = true;
        } else if (field == "retry") {
          f.retry = value;
        }
      }
      return f;
    }
    if (!fill(deadline)) return std::nullopt;
  }
}

std::optional<SseFrame> SseReader::next_event(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto f = next(left);
    if (!f || !f->event.empty()) return f;
  }
}

}  // namespace vigie::testing
