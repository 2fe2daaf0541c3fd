// Reconnect delays of a network source: exponential from `initial` to `max` with jitter, so that many
// sources (or many Vigie instances) that lost the same server do not come back in step; reset once a
// connection has stayed healthy for `healthy_after`, so that one blip after a day of service waits 1 s, not
// the last delay reached.
//
// Not thread-safe: one per source loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>

namespace vigie::ingest {

class Backoff {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Backoff(std::chrono::milliseconds initial = std::chrono::seconds(1),
                   std::chrono::milliseconds max = std::chrono::seconds(60),
                   std::chrono::milliseconds healthy_after = std::chrono::seconds(60));

  // Call when a connection is up and working (e.g. its first event arrived).
  void healthy(Clock::time_point now = Clock::now());
  // Call after a failure: how long to wait before the next attempt. Grows with consecutive failures; a
  // failure that ends a connection healthy for `healthy_after` or more counts as the first.
  std::chrono::milliseconds failed(Clock::time_point now = Clock::now());

  int attempts() const { return attempts_; }

 private:
  std::chrono::milliseconds initial_, max_, healthy_after_;
  int attempts_ = 0;
  std::optional<Clock::time_point> healthy_since_;
  std::minstd_rand rng_;
};

}  // namespace vigie::ingest
