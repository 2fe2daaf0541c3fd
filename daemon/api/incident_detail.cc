#include "daemon/api/incident_detail.h"

#include <boost/json/array.hpp>
#include <cmath>
#include <map>

#include "daemon/api/mention_json.h"
#include "daemon/notify/outbox_entry.h"

namespace vigie::daemon {
namespace {

namespace json = boost::json;

constexpr Micros kFiveMinutes = 5 * 60 * kMicrosPerSecond;
// The sentiment chart of an incident starts this long before its first mention, and shows at most this many
// 5-minute buckets (a week) after.
constexpr Micros kChartLead = 30 * 60 * kMicrosPerSecond;
constexpr Micros kChartSpan = 7 * 24 * 3600 * kMicrosPerSecond;
// Timeline entries and notifications shown at most: an incident has tens, a storm of a week a few thousand.
constexpr std::size_t kMaxTimeline = 10'000;
constexpr std::size_t kMaxNotifications = 1'000;
constexpr std::size_t kTopLimit = 10;

json::value time_or_null(Micros t) {
  return t == 0 ? json::value(nullptr) : json::value(format_rfc3339(t));
}

json::value number_or_null(const std::optional<double>& v) {
  if (!v || !std::isfinite(*v)) return nullptr;
  return std::round(*v * 100.0) / 100.0;
}

Result<json::array> timeline_json(const storage::CrisisStore& crisis, const Incident& inc) {
  auto rows = crisis.incident_events(inc.id, kMaxTimeline);
  if (!rows) return rows.error();
  json::array timeline;
  for (const auto& r : *rows) {
    auto fields = decode_timeline_entry(r.value);
    if (!fields) continue;  // one unreadable entry does not hide the rest
    json::object e{{"at", format_rfc3339(r.time)}};
    for (auto& kv : *fields)
      e[kv.key()] = std::move(kv.value());
    timeline.push_back(std::move(e));
  }
  return timeline;
}

Result<json::array> sentiment_json(const storage::PostQueries& queries, const storage::CrisisStore& crisis,
                                   const Incident& inc, Micros now) {
  storage::SeriesQuery q;
  q.brand = inc.brand;
  q.step = storage::SeriesStep::five_minutes;
  q.from = inc.first_mention_at - kChartLead;
  const Micros end = inc.resolved_at != 0 ? inc.resolved_at + kChartLead : now;
  q.to = std::min(end, q.from + kChartSpan) + kFiveMinutes;
  json::array sentiment;
  auto series = queries.series(q);
  if (!series) return sentiment;  // a span the series cannot give (absurd times): an empty chart
  // The series starts at the 5-minute boundary at or before q.from: so do its expectations.
  const Micros first_bucket = q.from - ((q.from % kFiveMinutes) + kFiveMinutes) % kFiveMinutes;
  auto expected = crisis.expectations(inc.brand, first_bucket, q.to);
  if (!expected) return expected.error();
  std::map<Micros, storage::BucketExpectation> by_bucket;
  for (auto& e : *expected)
    by_bucket.emplace(e.bucket, e.expected);
  for (const auto& b : *series) {
    const auto it = by_bucket.find(b.t);
    const storage::BucketExpectation none;
    const storage::BucketExpectation& e = it == by_bucket.end() ? none : it->second;
    sentiment.push_back(json::object{{"t", format_rfc3339(b.t)},
                                     {"count", b.count},
                                     {"negative", b.negative},
                                     {"mean_compound", std::round(b.mean_compound * 10000.0) / 10000.0},
                                     {"expected", number_or_null(e.mentions)},
                                     {"expected_negative", number_or_null(e.negative)}});
  }
  return sentiment;
}

std::string_view status_of(const storage::IncidentNotificationRow& row, const Notification& n) {
  using Place = storage::IncidentNotificationRow::Place;
  switch (row.place) {
    case Place::outbox:
      return n.attempts == 0 ? "queued" : "retrying";
    case Place::dead_letter:
      return "dead";
    case Place::delivered:
      return "delivered";
    case Place::unknown:
      break;
  }
  return "unknown";
}

}  // namespace

json::object incident_notification_json(const storage::IncidentNotificationRow& row) {
  json::object o{{"seq", std::to_string(row.seq)}};
  if (row.place == storage::IncidentNotificationRow::Place::unknown) {
    o["status"] = "unknown";
    return o;
  }
  auto n = decode_notification(row.value);
  if (!n) {
    o["status"] = "unknown";
    o["error"] = n.error().message;
    return o;
  }
  const std::string_view status = status_of(row, *n);
  o["notifier"] = n->notifier;
  o["webhook_id"] = n->webhook_id;
  o["type"] = to_string(n->type);
  o["status"] = status;
  o["attempts"] = n->attempts;
  o["created_at"] = format_rfc3339(n->created_at);
  const Micros updated = n->updated_at != 0 ? n->updated_at : n->dead_at != 0 ? n->dead_at : n->created_at;
  o["updated_at"] = format_rfc3339(updated);
  o["next_attempt_at"] = status == "retrying" ? time_or_null(n->next_attempt_at) : json::value(nullptr);
  o["last_status"] = n->last_status != 0 ? json::value(n->last_status) : json::value(nullptr);
  o["last_error"] = n->last_error.empty() ? json::value(nullptr) : json::value(n->last_error);
  return o;
}

Result<json::object> incident_detail(const storage::PostQueries& queries, const storage::CrisisStore& crisis,
                                     const rules::RuleSet* rules, const Incident& inc, Micros now) {
  json::object out = incident_to_json(inc);
  auto timeline = timeline_json(crisis, inc);
  if (!timeline) return timeline.error();
  out["timeline"] = std::move(*timeline);
  auto sentiment = sentiment_json(queries, crisis, inc, now);
  if (!sentiment) return sentiment.error();
  out["sentiment"] = std::move(*sentiment);

  const Micros span_from = inc.first_mention_at;
  const Micros span_to = (inc.resolved_at != 0 ? inc.resolved_at : std::max(now, inc.last_fired_at)) + 1;
  auto first = queries.first_mention(inc.brand, span_from, span_to);
  if (!first) return first.error();
  out["first_post"] = *first ? json::value(mention_to_json(**first)) : json::value(nullptr);

  storage::TopQuery q;
  q.brand = inc.brand;
  q.from = span_from;
  q.to = span_to;
  q.limit = kTopLimit;
  auto top = queries.top(q);
  if (!top) return top.error();
  out["top_posts"] = top_posts_json(*top);
  out["top_authors"] = top_authors_json(*top);
  out["top_topics"] = top_topics_json(*top, rules);
  out["top_window"] = json::object{{"from", format_rfc3339(span_from)},
                                   {"to", format_rfc3339(span_to)},
                                   {"examined", top->examined},
                                   {"truncated", top->truncated},
                                   {"examined_from", time_or_null(top->examined_from)}};

  auto notes = crisis.notifications_of(inc.id, kMaxNotifications);
  if (!notes) return notes.error();
  json::array notifications;
  for (const auto& row : *notes)
    notifications.push_back(incident_notification_json(row));
  out["notifications"] = std::move(notifications);
  return out;
}

}  // namespace vigie::daemon
