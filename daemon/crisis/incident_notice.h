// What a notifier is told about an incident: the change that happened and the incident as it stands after it.
// The incident book (daemon/crisis/incident_book.h) makes one notice per change; each notifier whose route accepts
// it renders the notice in its receiver's format (daemon/notify/notifier.h) into the outbox.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/base/timestamp.h"
#include "rules/detect/crisis_finding.h"
#include "rules/scored_post.h"

namespace vigie::daemon {

enum class NoticeType : std::uint8_t { opened, escalated, reminder, acknowledged, resolved };
// "incident.opened", "incident.escalated", "incident.reminder", "incident.acknowledged", "incident.resolved".
std::string_view to_string(NoticeType t);

struct NoticePost {  // a top post of the incident, by reach
  std::string uid;
  std::string url;
  std::string author;  // handle
  std::int64_t followers = -1;
  std::string text;  // first characters
};

struct IncidentNotice {
  NoticeType type = NoticeType::opened;
  std::uint64_t incident_id = 0;
  std::string brand;       // brand id
  std::string brand_name;  // display name
  rules::Severity severity = rules::Severity::warning;
  std::string status;                          // "open", "escalated", "acknowledged", "resolved"
  std::vector<rules::DetectorKind> detectors;  // every detector that fired in this incident so far
  std::string summary;                         // the finding behind this change (or the last one)
  Micros opened_at = 0;                        // event time the incident opened
  Micros at = 0;                               // event time of this change
  Micros sent_at = 0;                          // wall-clock time the notice was made (webhook timestamp)
  std::string actor;                           // acknowledged/resolved by hand: who (token name)
  std::string link;                            // URL of the incident in Vigie's API, when configured
  std::vector<NoticePost> top_posts;
};

}  // namespace vigie::daemon
