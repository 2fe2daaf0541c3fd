// One incident as GET /api/v1/incidents/{id} shows it: incident_to_json plus what the incident's page draws.
//
//   "timeline":      [{"at", "kind", ...}] every stored entry (at most 10,000), in time order
//                    (daemon/crisis/incident.h)
//   "sentiment":     [{"t","count","negative","mean_compound","expected","expected_negative"}] per 5 minutes,
//                    from 30 minutes before the first mention to 30 minutes after the resolution (or now), at
//                    most a week; expected / expected_negative: what the volume / negative_volume detector
//                    expected of that bucket in the last test whose window held it (recorded then: see
//                    crisis_engine.h), null where it had none (warm-up, detector off, bucket not tested yet or
//                    before recording)
//   "first_post":    the oldest mention of the brand in the incident's span, or null
//   "top_posts":     up to 10 mentions of the span by reach, highest first
//   "top_authors":   up to 10 authors of the span by summed reach (daemon/api/mention_json.h)
//   "top_topics":    up to 10 topics of the span by mentions
//   "top_window":    {"from","to","examined","truncated","examined_from"}: the span the three lists cover;
//                    past 50,000 mentions only the newest 50,000 are examined (truncated: true)
//   "notifications": [{"seq","notifier","webhook_id","type","status","attempts","created_at","updated_at",
//                      "next_attempt_at","last_status","last_error"}] every notification queued for the
//                    incident (at most 1,000), in the order queued; status: queued (not tried yet), retrying (failed, will be
//                    tried again at next_attempt_at), delivered, dead (given up: see last_error)
// The span is [first_mention_at, resolved_at] (resolved) or [first_mention_at, now] (active).
//
// Thread-safety: a pure function of the stores, which may be read from any thread.
#pragma once

#include <boost/json/object.hpp>

#include "daemon/crisis/incident.h"
#include "ingest/base/result.h"
#include "rules/rule_set.h"
#include "storage/crisis/crisis_store.h"
#include "storage/posts/post_queries.h"

namespace vigie::daemon {

// `rules`: the rules in force (topics' severities), may be null. `now`: the wall clock.
Result<boost::json::object> incident_detail(const storage::PostQueries& queries,
                                            const storage::CrisisStore& crisis, const rules::RuleSet* rules,
                                            const Incident& inc, Micros now);

// A notification of an incident as "notifications" lists it.
boost::json::object incident_notification_json(const storage::IncidentNotificationRow& row);

}  // namespace vigie::daemon
