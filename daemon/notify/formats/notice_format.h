// How a notice looks to one kind of receiver. Each format renders a notice into the exact request body the
// outbox keeps (daemon/notify/outbox_entry.h); the delivery worker adds only transport headers.
//
//   webhook    {"type":"incident.opened","timestamp":RFC 3339,"data":{incident}} (webhook_format.cc)
//   slack      incoming webhook message: "text" (notifications, fallback) and Block Kit "blocks"
//   teams      Teams Workflows webhook: a message with one Adaptive Card (1.4) attachment
//   pagerduty  Events API v2: trigger (opened, escalated, reminder), acknowledge, resolve; dedup_key
//              "vigie-incident-<id>", so that every event of an incident lands on one PagerDuty alert
//
// A format is immutable once made: thread-safe to share.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "daemon/crisis/incident_notice.h"

namespace vigie::daemon {

class NoticeFormat {
 public:
  virtual ~NoticeFormat() = default;
  virtual std::string render(const IncidentNotice& n) const = 0;
  virtual std::string_view content_type() const { return "application/json"; }
};

namespace formats {
std::unique_ptr<const NoticeFormat> webhook();
std::unique_ptr<const NoticeFormat> slack();
std::unique_ptr<const NoticeFormat> teams();
// `routing_key`: the integration key of an Events API v2 integration.
std::unique_ptr<const NoticeFormat> pagerduty(std::string routing_key);
}  // namespace formats

}  // namespace vigie::daemon
