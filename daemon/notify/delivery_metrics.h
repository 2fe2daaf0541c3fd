// The delivery worker's instruments, registered into the process's registry by whoever owns it (the
// daemon's Metrics, or a test's own registry), so that notify/ needs nothing from the rest of daemon/.
//
//   vigie_notifications_total{notifier,outcome=delivered|retried|dead}
//   vigie_notification_delivery_seconds{notifier}   one attempt, connect to response (or failure)
//   vigie_outbox_pending, vigie_outbox_oldest_age_seconds, vigie_dead_letters
//
// Thread-safety: every method is safe to call from any thread.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace vigie::daemon {

class DeliveryMetrics {
 public:
  // `registry` must outlive this.
  explicit DeliveryMetrics(prometheus::Registry& registry);

  struct NotifierInstruments {
    prometheus::Counter* delivered;
    prometheus::Counter* retried;
    prometheus::Counter* dead;
    prometheus::Histogram* duration;
  };
  // The instruments of `notifier`, created once; the reference stays valid for this object's life.
  NotifierInstruments& notifier(const std::string& notifier);

  prometheus::Gauge& outbox_pending() { return outbox_pending_; }
  prometheus::Gauge& outbox_oldest_age() { return outbox_oldest_age_; }
  prometheus::Gauge& dead_letters() { return dead_letters_; }

 private:
  prometheus::Family<prometheus::Counter>& notifications_;
  prometheus::Family<prometheus::Histogram>& duration_;
  prometheus::Gauge& outbox_pending_;
  prometheus::Gauge& outbox_oldest_age_;
  prometheus::Gauge& dead_letters_;
  std::mutex mu_;
  std::vector<std::pair<std::string, std::unique_ptr<NotifierInstruments>>> notifiers_;
};

}  // namespace vigie::daemon
