#include "daemon/http/response_stream.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>

namespace vigie::daemon {
namespace {

constexpr auto kAwait = net::as_tuple(net::use_awaitable);

}  // namespace

ResponseStream::ResponseStream(boost::beast::tcp_stream& stream, std::shared_ptr<void> owner,
                               std::chrono::milliseconds write_timeout)
    : stream_(stream),
      owner_(std::move(owner)),
      timer_(stream.get_executor()),
      write_timeout_(write_timeout) {}

net::awaitable<bool> ResponseStream::write(std::string_view bytes) {
  // Built by push_back: an initializer list in a coroutine trips GCC ("array used as initializer").
  std::vector<net::const_buffer> buffers;
  buffers.push_back(net::buffer(bytes.data(), bytes.size()));
  co_return co_await write(buffers);
}

net::awaitable<bool> ResponseStream::write(const std::vector<net::const_buffer>& buffers) {
  if (closed_) co_return false;
  // beast::tcp_stream closes the socket when the write outlives its expiry: that is how a reader that stopped
  // reading (its socket buffers full) ends its stream instead of holding a connection forever.
  stream_.expires_after(write_timeout_);
  auto [ec, n] = co_await net::async_write(stream_, buffers, kAwait);
  stream_.expires_never();
  if (ec) {
    if (ec == boost::beast::error::timeout) timed_out_ = true;
    close_now();
    co_return false;
  }
  co_return !closed_;
}

net::awaitable<bool> ResponseStream::wait(std::chrono::milliseconds timeout) {
  if (closed_) co_return false;
  if (!woken_) {
    timer_.expires_after(timeout);
    co_await timer_.async_wait(kAwait);
  }
  woken_ = false;
  co_return !closed_;
}

void ResponseStream::wake() {
  if (wake_posted_.exchange(true)) return;
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    // Cleared first: a wake() from now on posts again, so none is lost while this one runs.
    self->wake_posted_ = false;
    self->woken_ = true;
    self->timer_.cancel();
  });
}

void ResponseStream::close() {
  net::post(stream_.get_executor(), [self = shared_from_this()] { self->close_now(); });
}

void ResponseStream::close_now() {
  if (closed_) return;
  closed_ = true;
  timer_.cancel();
  // Closing the socket aborts a write in progress; what the kernel already holds is still sent, then FIN.
  boost::system::error_code ignored;
  stream_.socket().close(ignored);
}

}  // namespace vigie::daemon
