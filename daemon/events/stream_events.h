// The events of the stream (GET /api/v1/stream), as the parts of the process that make them publish them:
//   mention   one per brand a newly stored post mentions; data: the mention (daemon/api/mention_json.h), as
//             GET /api/v1/brands/{id}/mentions lists it
//   incident  one per timeline entry people follow (IncidentHost::changed); data: {"event": opened,
//             escalated, fired, reminder, acknowledged, note or resolved, "incident": the incident as the
//             incident API shows it, "entry": the timeline entry, with its "at", as in the incident's timeline}
//
// Thread-safety: as EventHub::publish, from any thread.
#pragma once

#include <boost/json/object.hpp>
#include <span>
#include <string_view>

#include "daemon/crisis/incident.h"
#include "daemon/events/event_hub.h"
#include "rules/scored_post.h"
#include "storage/posts/write_types.h"

namespace vigie::daemon {

// A durable batch with storage's verdict on each post: only posts stored for the first time (inserted) make
// mention events, as they are the ones the brand counters count; duplicates, edits and deletes make none.
// Each mention is copied into its event; its JSON is made by the first reader that sends it.
void publish_mentions(EventHub& hub, std::span<const rules::ScoredPost> posts,
                      std::span<const storage::PostOutcome> outcomes);

void publish_incident_change(EventHub& hub, const Incident& incident, std::string_view change, Micros at,
                             const boost::json::object& entry);

}  // namespace vigie::daemon
