// A response body written over time (server-sent events): what a route gets when it answers with a head and
// then streams. The server sends the head (no Content-Length, "Connection: close": the body ends when the
// connection closes), then runs the route's StreamBody on the connection's own I/O thread until it returns.
//
// The stream ends (write() and wait() return false, and the body should return) when:
//   - the peer goes away: the server reads the socket meanwhile, so a closed connection is seen at once, not at
//     the next write;
//   - a write does not complete within the write timeout (a reader that stopped reading): the socket is closed;
//   - the server drains (shutdown): streams are closed at once, never waited for;
//   - anyone calls close().
//
// Thread-safety: write(), wait(), set_write_timeout(), is_open() and timed_out() on the connection's I/O
// thread only (inside the StreamBody); wake() and close() from any thread, cheap and never blocking.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace vigie::daemon {

namespace net = boost::asio;

class ResponseStream : public std::enable_shared_from_this<ResponseStream> {
 public:
  // `owner` keeps `stream` alive while handlers posted by wake() and close() are pending.
  ResponseStream(boost::beast::tcp_stream& stream, std::shared_ptr<void> owner,
                 std::chrono::milliseconds write_timeout);
  ResponseStream(const ResponseStream&) = delete;
  ResponseStream& operator=(const ResponseStream&) = delete;

  // Sends the bytes whole. False when the stream is over (then nothing more can be sent).
  net::awaitable<bool> write(std::string_view bytes);
  net::awaitable<bool> write(const std::vector<net::const_buffer>& buffers);
  // Until wake() is called (a wake-up before the wait counts), `timeout` passes, or the stream ends. False
  // when the stream is over.
  net::awaitable<bool> wait(std::chrono::milliseconds timeout);

  void set_write_timeout(std::chrono::milliseconds t) { write_timeout_ = t; }
  bool is_open() const { return !closed_; }
  // Whether the stream ended because a write timed out (a stalled reader).
  bool timed_out() const { return timed_out_; }

  // Any thread: ends a wait() early. Calls that come while one wake-up is pending are folded into it.
  void wake();
  // Any thread: ends the stream; a write or wait in progress returns false.
  void close();

 private:
  void close_now();  // on the connection's thread

  boost::beast::tcp_stream& stream_;
  std::shared_ptr<void> owner_;
  net::steady_timer timer_;
  std::chrono::milliseconds write_timeout_;
  // Touched on the connection's thread only.
  bool woken_ = false;
  bool closed_ = false;
  bool timed_out_ = false;
  std::atomic<bool> wake_posted_{false};
};

// A streaming body: runs on the connection's I/O thread once the head is sent; the connection closes when it
// returns.
using StreamBody = std::function<net::awaitable<void>(ResponseStream&)>;

}  // namespace vigie::daemon
