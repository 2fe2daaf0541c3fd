// Rows of the crisis tables as CrisisStore and Outbox store and return them. The values are opaque to storage: the crisis
// code owns their format and versions each one (a version byte, or a "v" member of a JSON object).
#pragma once

#include <cstdint>
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

// Everything one step of crisis handling changes, committed in one atomic write: the incident change, its
// timeline entries, the notifications it causes and the detector state it leaves. A crash therefore never
// leaves an incident without its notification, nor a notification of a change that was not stored.
struct CrisisChanges {
  std::vector<IncidentRow> incidents;       // put
  std::vector<IncidentEventRow> events;     // put
  std::vector<std::string> notifications;   // appended to the outbox, in this order
  std::vector<NamedValue> detector_states;  // put
  std::vector<SilenceRow> silences;         // put
  std::vector<std::uint64_t> silences_removed;

  bool empty() const {
    return incidents.empty() && events.empty() && notifications.empty() && detector_states.empty() &&
           silences.empty() && silences_removed.empty();
  }
};

}  // namespace vigie::storage
