// Delivers the notifications of the outbox (storage/crisis/outbox.h) to their notifiers, at least
// once and in order.
//
// The outbox is the queue: an entry is written in the same batch as the incident change that causes it, and
// leaves only when delivered (Outbox::remove) or given up (Outbox::dead_letter). A restart, or a crash, thus
// resumes every pending delivery; an attempt cut by a stop is made again with the same webhook-id, which
// receivers deduplicate on.
//
// Each notifier is a FIFO lane: only its oldest entry (smallest seq) is attempted, so a receiver that is down
// holds back its own later notices, never another notifier's, and every receiver sees an incident's notices
// in the order they were made. Lanes are delivered concurrently.
//
// One attempt: POST of the stored body with the notifier's headers, plus webhook-id / webhook-timestamp /
// webhook-signature for webhook notifiers (timestamp and signature fresh on each attempt). Within the
// notifier's timeout for the connection, then again for sending and the response headers. Then:
//   2xx                        delivered: removed from the outbox, and its record (the entry without its
//                              body) kept under its incident in the same write, for the incident's page
//   408, 429, 5xx, no answer   retried after initial_backoff doubling per attempt up to max_backoff, drawn in
//                              [delay/2, delay] (jitter); a longer Retry-After (seconds or HTTP date) wins.
//                              Once the entry is max_age old, a failure gives it up.
//   other status (3xx, 4xx)    given up at once: the receiver refused it, a retry would not change that
// An entry of a notifier that is no longer configured, or that cannot be decoded, is given up too. What is
// given up moves to the dead letters with the reason in last_error.
//
// Metrics (daemon/notify/delivery_metrics.h): vigie_notifications_total, vigie_notification_delivery_seconds,
// vigie_outbox_pending, vigie_outbox_oldest_age_seconds, vigie_dead_letters.
//
// Thread-safety: start, wake and stop may be called from any thread; the worker runs on its own thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "daemon/notify/delivery_metrics.h"
#include "daemon/notify/notifier.h"
#include "daemon/notify/outbox_entry.h"
#include "storage/database.h"

namespace vigie::daemon {

struct DeliveryOptions {
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{std::chrono::minutes(5)};
  std::chrono::milliseconds max_age{std::chrono::hours(24)};  // retried for this long after created_at
  // The outbox is read again this often even without wake(): due retries are timed precisely anyway, this
  // refreshes the age gauge and picks up entries of a commit whose wake() was missed.
  std::chrono::milliseconds poll_interval{std::chrono::seconds(5)};
  std::size_t max_error_body_bytes = 64 * 1024;  // of a failed response, read for last_error (first 200 kept)
  std::shared_ptr<boost::asio::ssl::context> tls;  // trust store for https receivers; null: the system store
};

class DeliveryWorker {
 public:
  // `db` and `metrics` must outlive the worker.
  DeliveryWorker(storage::Outbox& db, std::vector<Notifier> notifiers, DeliveryMetrics& metrics,
                 DeliveryOptions options = {});
  ~DeliveryWorker();  // stop()
  DeliveryWorker(const DeliveryWorker&) = delete;
  DeliveryWorker& operator=(const DeliveryWorker&) = delete;

  // Starts the worker thread, which delivers what the outbox holds at once. Fails when the TLS context
  // cannot be made.
  Result<void> start();
  // Reads the outbox now: call after a commit that added notifications.
  void wake();
  // Stops promptly: an attempt in flight is abandoned, its entry stays in the outbox. Idempotent.
  void stop();

 private:
  struct Lane {
    bool busy = false;      // an attempt is in flight
    Micros hold_until = 0;  // after a storage failure: do not retry the head before this
  };
  struct Attempt;

  boost::asio::awaitable<void> run();
  // Launches the due lane heads; returns the earliest time a waiting head becomes due (0: none).
  Micros scan();
  boost::asio::awaitable<void> deliver(std::uint64_t seq, Notification n, const Notifier* notifier);
  void finish(std::uint64_t seq, Notification& n, const Attempt& a);
  void give_up(std::uint64_t seq, Notification& n, const std::string& reason);
  std::chrono::milliseconds backoff(std::uint32_t attempts);
  void count_dead_letters();

  storage::Outbox& db_;
  std::vector<Notifier> notifiers_;
  DeliveryMetrics& metrics_;
  DeliveryOptions options_;
  // Pending coroutine frames are destroyed with the context; what they hold refers only to members above.
  boost::asio::io_context ctx_;
  boost::asio::steady_timer timer_{ctx_};
  std::thread thread_;
  // Owned by the worker thread:
  std::map<std::string, const Notifier*> by_id_;
  std::map<std::string, Lane> lanes_;
  // Where the next scan starts: the lowest sequence still in the outbox at the last scan (or past the highest
  // one seen, when it was empty). Sequences only grow and delivered entries are removed, so nothing below it
  // can appear again; starting there skips the deletion markers of everything delivered since the outbox
  // was last compacted, which a scan from 0 would step over on every wake.
  std::uint64_t scan_from_ = 0;
  bool dirty_ = false;  // something changed since the last scan: scan again before sleeping
  std::minstd_rand rng_;
};

}  // namespace vigie::daemon
