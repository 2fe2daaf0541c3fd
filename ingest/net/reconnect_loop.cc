#include "ingest/net/reconnect_loop.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace vigie::ingest {

namespace net = boost::asio;

net::awaitable<void> run_sessions(std::string source_id, SourceMetrics& metrics, SessionControl& control,
                                  Session session) {
  net::steady_timer timer(co_await net::this_coro::executor);
  for (bool first = true;; first = false) {
    if (!first) metrics.reconnects.Increment();
    Result<SessionEnd> end = co_await session(control);
    metrics.up.Set(0);
    if (end && *end == SessionEnd::stop) {
      spdlog::info("source {}: stopped", source_id);
      co_return;
    }
    std::chrono::milliseconds wait = control.backoff.failed();
    if (control.retry_after) wait = std::max(wait, *control.retry_after);
    control.retry_after.reset();
    if (end) {
      spdlog::info("source {}: the server ended the stream; reconnecting in {:.1f} s", source_id,
                   static_cast<double>(wait.count()) / 1000);
    } else {
      metrics.network.Increment();
      spdlog::warn("source {}: {}; reconnecting in {:.1f} s (attempt {})", source_id, end.error().message,
                   static_cast<double>(wait.count()) / 1000, control.backoff.attempts());
    }
    timer.expires_after(wait);
    auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    if (ec) co_return;
  }
}

}  // namespace vigie::ingest
