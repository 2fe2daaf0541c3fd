#include "daemon/notify/delivery_metrics.h"

namespace vigie::daemon {

DeliveryMetrics::DeliveryMetrics(prometheus::Registry& registry)
    : notifications_(
          prometheus::BuildCounter()
              .Name("vigie_notifications_total")
              .Help("Notification delivery attempts by notifier and outcome (delivered, retried, dead)")
              .Register(registry)),
      duration_(prometheus::BuildHistogram()
                    .Name("vigie_notification_delivery_seconds")
                    .Help("Time of one delivery attempt, from connecting to the response, by notifier")
                    .Register(registry)),
      outbox_pending_(prometheus::BuildGauge()
                          .Name("vigie_outbox_pending")
                          .Help("Notifications waiting in the outbox")
                          .Register(registry)
                          .Add({})),
      outbox_oldest_age_(prometheus::BuildGauge()
                             .Name("vigie_outbox_oldest_age_seconds")
                             .Help("Age of the oldest notification waiting in the outbox; 0 when empty")
                             .Register(registry)
                             .Add({})),
      dead_letters_(prometheus::BuildGauge()
                        .Name("vigie_dead_letters")
                        .Help("Notifications given up on, kept in the dead letters")
                        .Register(registry)
                        .Add({})) {}

DeliveryMetrics::NotifierInstruments& DeliveryMetrics::notifier(const std::string& notifier) {
  std::lock_guard lock(mu_);
  for (auto& [id, instruments] : notifiers_)
    if (id == notifier) return *instruments;
  auto outcome = [&](const char* o) { return &notifications_.Add({{"notifier", notifier}, {"outcome", o}}); };
  // Receivers answer in tens of milliseconds to seconds; the timeout (10 s by default) bounds the top.
  auto* duration = &duration_.Add(
      {{"notifier", notifier}},
      prometheus::Histogram::BucketBoundaries{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30});
  notifiers_.emplace_back(notifier,
                          std::unique_ptr<NotifierInstruments>(new NotifierInstruments{
                              outcome("delivered"), outcome("retried"), outcome("dead"), duration}));
  return *notifiers_.back().second;
}

}  // namespace vigie::daemon
