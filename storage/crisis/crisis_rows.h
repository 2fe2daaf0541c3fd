// Rows of the crisis tables as CrisisStore and Outbox store and return them. The values are opaque to storage: the crisis
// code owns their format and versions each one (a version byte, or a "v" member of a JSON object).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ingest/base/timestamp.h"

namespace vigie::storage {

struct IncidentRow {
  std::uint64_t id = 0;
  std::string value;
};

struct IncidentEventRow {
  std::uint64_t incident_id = 0;
  Micros time = 0;        // event time of the timeline entry
  std::uint64_t seq = 0;  // orders entries of one incident at the same time
  std::string value;
};

// An outbox or dead-letter entry: seq is the entry's place in the outbox, kept when it moves to dead letters.
struct OutboxEntry {
  std::uint64_t seq = 0;
  std::string value;
};

struct NamedValue {
  std::string name;
  std::string value;
};

struct SilenceRow {
  std::uint64_t id = 0;
  std::string value;
};

// A notification to append to the outbox. With an incident id, it is also listed under its incident in the
// deliveries table (CrisisStore::notifications_of), in the same write.
struct QueuedNotification {
  // Implicit from a value alone (not listed under an incident), as tests write them.
  QueuedNotification(std::string v, std::uint64_t incident = 0)
      : value(std::move(v)), incident_id(incident) {}
  QueuedNotification(const char* v) : value(v) {}

  std::string value;
  std::uint64_t incident_id = 0;  // 0: not listed under an incident
};

// What the volume detectors expected of one bucket of a brand, when they tested it: the baseline's mean for
// all mentions and for negative mentions. Absent when the detector is off or still warming up.
struct BucketExpectation {
  std::optional<double> mentions;
  std::optional<double> negative;
};

struct ExpectationRow {
  std::string brand;
  Micros bucket = 0;  // start of the bucket
  BucketExpectation expected;
};

// A notification of an incident, where it is now (CrisisStore::notifications_of).
struct IncidentNotificationRow {
  enum class Place : std::uint8_t {
    outbox,       // waiting or retrying: value is the outbox entry
    dead_letter,  // given up: value is the dead letter
    delivered,    // delivered and removed from the outbox: value is the record Outbox::remove was given
    unknown,      // in neither table and no record: left by a build that did not record outcomes
  };
  std::uint64_t seq = 0;
  Place place = Place::unknown;
  std::string value;
};

// Everything one step of crisis handling changes, committed in one atomic write: the incident change, its
// timeline entries, the notifications it causes and the detector state it leaves. A crash therefore never
// leaves an incident without its notification, nor a notification of a change that was not stored.
struct CrisisChanges {
  std::vector<IncidentRow> incidents;             // put
  std::vector<IncidentEventRow> events;           // put
  std::vector<QueuedNotification> notifications;  // appended to the outbox, in this order
  std::vector<NamedValue> detector_states;        // put
  std::vector<ExpectationRow> expectations;       // put
  std::vector<SilenceRow> silences;               // put
  std::vector<std::uint64_t> silences_removed;

  bool empty() const {
    return incidents.empty() && events.empty() && notifications.empty() && detector_states.empty() &&
           expectations.empty() && silences.empty() && silences_removed.empty();
  }
};

}  // namespace vigie::storage
