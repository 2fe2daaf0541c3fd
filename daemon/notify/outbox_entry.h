// A notification waiting in the outbox (storage/crisis/outbox.h), or given up on in the dead
// letters: the rendered request for one notifier plus its delivery state.
//
// Stored as a version byte (1) followed by a JSON object, so that the dead letters can be shown by the API
// as they are and a later version can add fields:
//   {"notifier":"ops","webhook_id":"msg_42_9f0c...","type":"incident.opened","incident":"42",
//    "content_type":"application/json","body":"...","created_at":1767000000000000,"attempts":2,
//    "next_attempt_at":1767000001500000,"last_status":503,"last_error":"HTTP 503: ...","dead_at":0,
//    "updated_at":1767000000500000}
// Times are microseconds since the epoch, wall clock (they must survive a restart). updated_at (the last
// attempt, or the give-up) was added later: entries without it read as 0.
//
// The same encoding, without the body, is the delivery record of a delivered notification (delivery_record),
// kept under its incident once the entry leaves the outbox (storage/crisis/outbox.h).
//
// Pure functions: thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/crisis/incident_notice.h"
#include "daemon/notify/notifier.h"
#include "ingest/base/result.h"

namespace vigie::daemon {

struct Notification {
  std::string notifier;    // NotifierConfig::id
  std::string webhook_id;  // "msg_<incident>_<random>": the same on every attempt (receivers deduplicate)
  NoticeType type = NoticeType::opened;
  std::uint64_t incident_id = 0;
  std::string content_type;
  std::string body;            // exactly what is POSTed
  Micros created_at = 0;       // when the notice was made; max_age counts from here
  std::uint32_t attempts = 0;  // attempts made so far
  Micros next_attempt_at = 0;  // not before; 0: at once
  unsigned last_status = 0;    // HTTP status of the last attempt; 0: none, or no response (network error)
  std::string last_error;      // why the last attempt failed, or why the notification was given up
  Micros dead_at = 0;          // dead letters: when it was given up
  Micros updated_at = 0;       // the last attempt or the give-up; 0: none yet
};

std::string encode_notification(const Notification& n);
// What is kept of a delivered notification: the entry without its body (which may hold credentials, and is
// what the receiver already has).
std::string delivery_record(const Notification& n);
// Fails on an unknown version, malformed JSON or a missing field: "outbox entry: ...".
Result<Notification> decode_notification(std::string_view value);

// A fresh webhook id for one notice: "msg_<incident>_<16 hex random>".
std::string make_webhook_id(std::uint64_t incident_id);

// The outbox values for `notice`, one for each notifier whose route accepts it, in the notifiers' order;
// they share one webhook id (the same event). The incident book puts them in CrisisChanges::notifications,
// so that they are committed with the change that causes them.
std::vector<std::string> notifications_for(const IncidentNotice& notice, std::span<const Notifier> notifiers);

}  // namespace vigie::daemon
