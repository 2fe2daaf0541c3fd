// The incident API: incidents with their timelines, people's actions on them, and silences. JSON in and out.
//
//   GET    /api/v1/incidents?status&brand&limit&cursor   read   newest first; status: open, escalated,
//                                                               acknowledged, resolved, or active (not resolved)
//   GET    /api/v1/incidents/{id}                        read   the incident, its timeline, its sentiment and
//                                                               expected volume per 5 minutes, first post, top
//                                                               posts, authors and topics, notifications with
//                                                               their outcome (fields: incident_detail.h)
//   POST   /api/v1/incidents/{id}/ack                    admin  acknowledge (stops reminders); {"by": "..."}
//   POST   /api/v1/incidents/{id}/resolve                admin  resolve by hand; {"by": "..."}
//   POST   /api/v1/incidents/{id}/notes                  admin  {"text": "...", "author": "..."}
//
// `by` and `author` name the person acting and default to the token's name, which is kept too (a timeline
// entry's "token", a note's "by", when it differs); they must be non-empty strings of at most 200 bytes
// without control characters. Actions return incident_to_json: ... "findings", "findings_by_detector"
// ({"volume": {"findings": 11, "in_timeline": 1}, ...}: why the timeline shows fewer findings than counted,
// daemon/crisis/incident.h).
//   GET    /api/v1/silences                              read
//   POST   /api/v1/silences                              admin  {"brand","detector","starts_at","ends_at",
//                                                               "comment"}
//   DELETE /api/v1/silences/{id}                         admin
//   GET    /api/v1/notifications/dead?limit&cursor       read   notifications given up, latest queued first
//
// Unknown incident or silence: 404; acting on a resolved incident: 409; bad parameters or bodies: 400 naming
// what is wrong.
#pragma once

#include <functional>
#include <string>

#include "daemon/api/query_api.h"
#include "daemon/crisis/incident_book.h"
#include "daemon/http/http_router.h"
#include "storage/crisis/crisis_store.h"
#include "storage/crisis/outbox.h"
#include "storage/posts/post_queries.h"

namespace vigie::daemon {

// Whether a brand id is configured now (silences of unknown brands are refused).
using BrandCheck = std::function<bool(const std::string&)>;

// Incidents and their timelines (`crisis`), their sentiment charts and top lists (`queries`), the dead
// letters (`outbox`); `current` gives the rules in force (topics' severities), may be empty.
void add_incident_routes(Router& router, const storage::PostQueries& queries,
                         const storage::CrisisStore& crisis, const storage::Outbox& outbox,
                         IncidentBook& book, BrandCheck is_brand, CurrentScorer current = {});

}  // namespace vigie::daemon
