// Test support: wait for something a test observes (a count a loopback server keeps, a row in a database)
// instead of sleeping for a guessed time.
//
//   ASSERT_TRUE(wait_until([&] { return server.connections() >= 2; }, 5s)) << "no reconnection";
//
// Polls `done` every `poll` until it returns true or `timeout` has passed; returns its last answer, so a
// predicate that turns true just at the deadline still counts. The predicate runs on the calling thread and
// must be safe to call while other threads change what it reads (atomics, locked accessors).
#pragma once

#include <chrono>
#include <thread>

namespace vigie::testing {

template <class Predicate>
bool wait_until(Predicate&& done, std::chrono::milliseconds timeout,
                std::chrono::milliseconds poll = std::chrono::milliseconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return done();
    std::this_thread::sleep_for(poll);
  }
  return true;
}

}  // namespace vigie::testing
