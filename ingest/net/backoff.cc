#include "ingest/net/backoff.h"

#include <algorithm>

namespace vigie::ingest {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
                 std::chrono::milliseconds healthy_after)
    : initial_(initial), max_(max), healthy_after_(healthy_after), rng_(std::random_device{}()) {}

void Backoff::healthy(Clock::time_point now) {
  if (!healthy_since_) healthy_since_ = now;
}

std::chrono::milliseconds Backoff::failed(Clock::time_point now) {
  if (healthy_since_ && now - *healthy_since_ >= healthy_after_) attempts_ = 0;
  healthy_since_.reset();
  // Ceiling doubles per attempt; the delay is drawn in [ceiling/2, ceiling] ("equal jitter"): never
  // shorter than half the schedule, so a dead server is not hammered, and spread enough to break lockstep.
  const int shift = std::min(attempts_, 30);
  const auto ceiling = std::min<std::int64_t>(max_.count(), initial_.count() << shift);
  ++attempts_;
  std::uniform_int_distribution<std::int64_t> d(ceiling / 2, ceiling);
  return std::chrono::milliseconds(d(rng_));
}

}  // namespace vigie::ingest
