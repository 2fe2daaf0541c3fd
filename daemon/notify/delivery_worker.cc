#include "daemon/notify/delivery_worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>

#include "daemon/notify/webhook_signature.h"
#include "ingest/base/thread_name.h"
#include "ingest/net/http_client.h"

namespace vigie::daemon {

namespace net = boost::asio;
namespace http = boost::beast::http;

namespace {

constexpr std::size_t kPage = 512;
constexpr std::size_t kErrorTextBytes = 200;

Micros to_micros(std::chrono::milliseconds d) {
  return static_cast<Micros>(d.count()) * 1000;
}

std::string duration_text(Micros d) {
  const Micros s = d / kMicrosPerSecond;
  if (s >= 3600) return std::to_string(s / 3600) + " h";
  if (s >= 60) return std::to_string(s / 60) + " min";
  if (s >= 1) return std::to_string(s) + " s";
  return std::to_string(d / 1000) + " ms";
}

bool retryable(unsigned status) {
  return status == 0 || status == 408 || status == 429 || status >= 500;
}

}  // namespace

struct DeliveryWorker::Attempt {
  unsigned status = 0;  // 0: no response
  std::string error;    // no response: why; else the start of the response body
  std::optional<std::chrono::seconds> retry_after;
};

DeliveryWorker::DeliveryWorker(storage::Outbox& db, std::vector<Notifier> notifiers, DeliveryMetrics& metrics,
                               DeliveryOptions options)
    : db_(db),
      notifiers_(std::move(notifiers)),
      metrics_(metrics),
      options_(std::move(options)),
      rng_(std::random_device{}()) {
  for (const auto& n : notifiers_)
    by_id_[n.id()] = &n;
}

DeliveryWorker::~DeliveryWorker() {
  stop();
}

Result<void> DeliveryWorker::start() {
  if (thread_.joinable()) return ok();
  if (!options_.tls) {
    auto tls = ingest::make_tls_context({});
    if (!tls) return tls.error();
    options_.tls = *tls;
  }
  count_dead_letters();
  net::co_spawn(ctx_, run(), net::detached);
  thread_ = std::thread([this] {
    set_thread_name("vigie-deliver");
    ctx_.run();
  });
  return ok();
}

void DeliveryWorker::wake() {
  net::post(ctx_, [this] {
    dirty_ = true;
    timer_.cancel();
  });
}

void DeliveryWorker::stop() {
  if (!thread_.joinable()) return;
  // Abandons the attempts in flight: their entries are untouched, so they are made again after a restart.
  ctx_.stop();
  thread_.join();
}

void DeliveryWorker::count_dead_letters() {
  std::size_t count = 0;
  std::uint64_t before = 0;
  for (;;) {
    auto page = db_.dead_letters(before, kPage);
    if (!page) {
      spdlog::error("notifications: {}", page.error().message);
      return;
    }
    count += page->size();
    if (page->size() < kPage || page->back().seq == 0) break;
    before = page->back().seq;
  }
  metrics_.dead_letters().Set(static_cast<double>(count));
}

net::awaitable<void> DeliveryWorker::run() {
  for (;;) {
    dirty_ = false;
    const Micros next = scan();
    if (dirty_) continue;
    auto wait = options_.poll_interval;
    if (next != 0) {
      const auto until = std::chrono::milliseconds((std::max<Micros>(next - now_micros(), 0) + 999) / 1000);
      wait = std::min(wait, until);
    }
    timer_.expires_after(wait);
    auto [ec] = co_await timer_.async_wait(net::as_tuple(net::use_awaitable));
    (void)ec;  // expiry or cancellation by wake(): either way, scan again
  }
}

Micros DeliveryWorker::scan() {
  const Micros now = now_micros();
  Micros next_due = 0;
  std::size_t pending = 0;
  Micros oldest = 0;
  std::map<std::string, bool> headed;  // lanes whose head this scan has seen
  std::uint64_t from = scan_from_;
  std::optional<std::uint64_t> lowest;  // in the outbox at this scan
  for (;;) {
    auto page = db_.entries(from, kPage);
    if (!page) {
      spdlog::error("notifications: {}", page.error().message);
      break;
    }
    for (const auto& e : *page) {
      from = e.seq + 1;
      if (!lowest) lowest = e.seq;
      auto n = decode_notification(e.value);
      if (!n) {
        spdlog::error("notifications: outbox entry {}: {}; moved to the dead letters", e.seq,
                      n.error().message);
        if (db_.dead_letter(e.seq, e.value)) {
          metrics_.notifier("unknown").dead->Increment();
          metrics_.dead_letters().Increment();
        }
        continue;
      }
      auto notifier = by_id_.find(n->notifier);
      if (notifier == by_id_.end()) {
        give_up(e.seq, *n, "no notifier '" + n->notifier + "' is configured");
        continue;
      }
      ++pending;
      if (oldest == 0 || n->created_at < oldest) oldest = n->created_at;
      if (headed[n->notifier]) continue;  // not the lane's head: waits for it
      headed[n->notifier] = true;
      Lane& lane = lanes_[n->notifier];
      if (lane.busy) continue;
      const Micros due = std::max(n->next_attempt_at, lane.hold_until);
      if (due > now) {
        if (next_due == 0 || due < next_due) next_due = due;
        continue;
      }
      lane.busy = true;
      net::co_spawn(ctx_, deliver(e.seq, std::move(*n), notifier->second), net::detached);
    }
    if (page->size() < kPage) break;
  }
  scan_from_ = lowest ? *lowest : from;
  metrics_.outbox_pending().Set(static_cast<double>(pending));
  metrics_.outbox_oldest_age().Set(oldest == 0 ? 0.0 : static_cast<double>(now - oldest) / kMicrosPerSecond);
  return next_due;
}

net::awaitable<void> DeliveryWorker::deliver(std::uint64_t seq, Notification n, const Notifier* notifier) {
  const NotifierConfig& config = notifier->config();
  ingest::HttpRequest request;
  request.url = config.url;
  request.method = http::verb::post;
  request.body = n.body;
  request.content_type = n.content_type;
  request.headers = config.headers;
  request.connect_timeout = config.timeout;
  request.header_timeout = config.timeout;
  if (config.type == NotifierType::webhook) {
    const std::int64_t ts = now_micros() / kMicrosPerSecond;
    request.headers.emplace_back("webhook-id", n.webhook_id);
    request.headers.emplace_back("webhook-timestamp", std::to_string(ts));
    request.headers.emplace_back("webhook-signature", sign_webhook(n.webhook_id, ts, n.body, config.secrets));
  }

  const auto started = std::chrono::steady_clock::now();
  Attempt a;
  auto opened = co_await ingest::HttpResponse::open(request, *options_.tls);
  if (!opened) {
    a.error = opened.error().message;
  } else {
    ingest::HttpResponse& r = **opened;
    a.status = r.status();
    a.retry_after = ingest::retry_after(r);
    if (a.status < 200 || a.status >= 300) {
      // The receiver's explanation, for the dead letters; best effort within the timeout.
      const std::chrono::milliseconds timeout = config.timeout;
      auto body = co_await r.read_all(options_.max_error_body_bytes, timeout);
      if (body) a.error = body->substr(0, kErrorTextBytes);
    }
    r.close();
  }
  DeliveryMetrics::NotifierInstruments& m = metrics_.notifier(config.id);
  m.duration->Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());

  finish(seq, n, a);
  lanes_[config.id].busy = false;
  dirty_ = true;
  timer_.cancel();
}

void DeliveryWorker::finish(std::uint64_t seq, Notification& n, const Attempt& a) {
  DeliveryMetrics::NotifierInstruments& m = metrics_.notifier(n.notifier);
  Lane& lane = lanes_[n.notifier];
  const Micros now = now_micros();
  ++n.attempts;
  n.last_status = a.status;
  n.updated_at = now;
  if (a.status >= 200 && a.status < 300) {
    n.last_error.clear();
    // The outcome stays readable under the incident (GET /api/v1/incidents/{id}) once the entry is gone.
    auto removed = db_.remove(seq, n.incident_id, delivery_record(n));
    if (!removed) {
      // Delivered but still in the outbox: it will be sent again (same webhook-id), later rather than now.
      spdlog::error("notifications: {}", removed.error().message);
      lane.hold_until = now + to_micros(options_.initial_backoff);
    }
    m.delivered->Increment();
    return;
  }
  n.last_error =
      a.status == 0 ? a.error : "HTTP " + std::to_string(a.status) + (a.error.empty() ? "" : ": " + a.error);
  if (!retryable(a.status)) {
    give_up(seq, n, "not retried: " + n.last_error);
    return;
  }
  if (now - n.created_at >= to_micros(options_.max_age)) {
    give_up(seq, n,
            "gave up after " + std::to_string(n.attempts) + " attempts over " +
                duration_text(now - n.created_at) + ": " + n.last_error);
    return;
  }
  std::chrono::milliseconds delay = backoff(n.attempts);
  if (a.retry_after && *a.retry_after > delay) delay = *a.retry_after;
  n.next_attempt_at = now + to_micros(delay);
  spdlog::warn("notifications: {} to notifier '{}' failed (attempt {}): {}; retry in {}", n.webhook_id,
               n.notifier, n.attempts, n.last_error, duration_text(to_micros(delay)));
  auto updated = db_.update(seq, encode_notification(n));
  if (!updated) {
    spdlog::error("notifications: {}", updated.error().message);
    lane.hold_until = n.next_attempt_at;
  }
  m.retried->Increment();
}

void DeliveryWorker::give_up(std::uint64_t seq, Notification& n, const std::string& reason) {
  const Micros now = now_micros();
  n.last_error = reason;
  n.dead_at = now;
  n.updated_at = now;
  spdlog::error("notifications: {} to notifier '{}' moved to the dead letters: {}", n.webhook_id, n.notifier,
                reason);
  auto moved = db_.dead_letter(seq, encode_notification(n));
  if (!moved) {
    spdlog::error("notifications: {}", moved.error().message);
    lanes_[n.notifier].hold_until = now + to_micros(options_.initial_backoff);
    return;
  }
  metrics_.notifier(n.notifier).dead->Increment();
  metrics_.dead_letters().Increment();
}

std::chrono::milliseconds DeliveryWorker::backoff(std::uint32_t attempts) {
  const int shift = static_cast<int>(std::min<std::uint32_t>(attempts > 0 ? attempts - 1 : 0, 30));
  const std::int64_t ceiling = std::min<std::int64_t>(
      options_.max_backoff.count(), static_cast<std::int64_t>(options_.initial_backoff.count()) << shift);
  // Drawn in [ceiling/2, ceiling]: receivers that came back are not hit by every Vigie at once.
  std::uniform_int_distribution<std::int64_t> d(ceiling / 2, ceiling);
  return std::chrono::milliseconds(d(rng_));
}

}  // namespace vigie::daemon
