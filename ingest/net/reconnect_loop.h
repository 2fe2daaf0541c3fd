// The life of a network source: connect, read until the connection ends, wait, reconnect, until Vigie stops.
//
// A session is one connection. It sets metrics.up to 1 and calls control.backoff.healthy() once data flows,
// and returns how it ended: `stop` when the pipeline refuses posts (shutdown) or the source is finished, an
// error for anything that calls for a reconnect (its message is logged as is), or `reconnect` for a clean end
// (the server closed the stream). Every state change gets one log line; failures count in
// vigie_source_errors_total{kind="network"} and each new attempt in vigie_source_reconnects_total.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "ingest/base/result.h"
#include "ingest/net/backoff.h"
#include "ingest/source_metrics.h"

namespace vigie::ingest {

enum class SessionEnd { reconnect, stop };

struct SessionControl {
  Backoff backoff;
  // Set by a session that was told when to come back (HTTP 429 Retry-After): the next wait is at least this.
  std::optional<std::chrono::milliseconds> retry_after;
};

using Session = std::function<boost::asio::awaitable<Result<SessionEnd>>(SessionControl&)>;

boost::asio::awaitable<void> run_sessions(std::string source_id, SourceMetrics& metrics,
                                          SessionControl& control, Session session);

}  // namespace vigie::ingest
