#include "daemon/crisis/incident.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "ingest/base/json_fields.h"

namespace vigie::daemon {
namespace json = boost::json;

namespace {

constexpr std::string_view kStatusNames[] = {"open", "escalated", "acknowledged", "resolved"};

json::value time_or_null(Micros t) {
  return t == 0 ? json::value(nullptr) : json::value(format_rfc3339(t));
}

json::object tallies_json(const Incident& i) {
  json::object o;
  for (const auto& [k, t] : i.by_detector)
    o[rules::to_string(k)] = json::object{{"findings", t.findings}, {"in_timeline", t.in_timeline}};
  return o;
}

}  // namespace

std::string_view to_string(IncidentStatus s) {
  return kStatusNames[static_cast<std::size_t>(s)];
}

std::optional<IncidentStatus> parse_incident_status(std::string_view s) {
  for (std::size_t i = 0; i < std::size(kStatusNames); ++i) {
    if (kStatusNames[i] == s) return static_cast<IncidentStatus>(i);
  }
  return std::nullopt;
}

bool Incident::has_detector(rules::DetectorKind k) const {
  for (auto d : detectors) {
    if (d == k) return true;
  }
  return false;
}

TriggerUids::TriggerUids(std::vector<std::string> uids) {
  if (uids.size() > kMax) uids.erase(uids.begin(), uids.end() - static_cast<std::ptrdiff_t>(kMax));
  if (!uids.empty()) uids_ = std::make_shared<std::vector<std::string>>(std::move(uids));
}

bool TriggerUids::contains(std::string_view uid) const {
  return uids_ && std::find(uids_->begin(), uids_->end(), uid) != uids_->end();
}

void TriggerUids::add(std::string uid) {
  if (!uids_) {
    uids_ = std::make_shared<std::vector<std::string>>();
  } else if (uids_.use_count() > 1) {
    uids_ = std::make_shared<std::vector<std::string>>(*uids_);  // the others keep theirs
  }
  uids_->push_back(std::move(uid));
  if (uids_->size() > kMax) uids_->erase(uids_->begin());
}

const std::vector<std::string>& TriggerUids::list() const {
  static const std::vector<std::string> none;
  return uids_ ? *uids_ : none;
}

// Stored with raw microseconds: exact, and cheap to decode at start-up for every active incident.
std::string encode_incident(const Incident& i) {
  json::array detectors;
  for (auto d : i.detectors)
    detectors.emplace_back(rules::to_string(d));
  json::array uids;
  for (const auto& u : i.trigger_uids.list())
    uids.emplace_back(u);
  const json::object o{{"v", Incident::kFormatVersion},
                       {"brand", i.brand},
                       {"status", to_string(i.status)},
                       {"severity", rules::to_string(i.severity)},
                       {"detectors", std::move(detectors)},
                       {"summary", i.summary},
                       {"last_summary", i.last_summary},
                       {"first_mention_at", i.first_mention_at},
                       {"opened_at", i.opened_at},
                       {"last_fired_at", i.last_fired_at},
                       {"quiet_since", i.quiet_since},
                       {"last_notified_at", i.last_notified_at},
                       {"acknowledged_at", i.acknowledged_at},
                       {"acknowledged_by", i.acknowledged_by},
                       {"resolved_at", i.resolved_at},
                       {"resolved_by", i.resolved_by},
                       {"silenced", i.silenced},
                       {"findings", i.findings},
                       {"by_detector", tallies_json(i)},
                       {"trigger_uids", std::move(uids)},
                       {"next_event_seq", i.next_event_seq}};
  return json::serialize(o);
}

Result<Incident> decode_incident(std::uint64_t id, std::string_view bytes) {
  const auto bad = [id](std::string_view why) {
    return error("incident " + std::to_string(id) + ": stored value " + std::string(why));
  };
  boost::system::error_code ec;
  const json::value v = json::parse(bytes, ec);
  if (ec || !v.is_object()) return bad("is not a JSON object");
  const json::object& o = v.as_object();
  const std::int64_t version = ingest::int64_or(o, "v");
  if (version != Incident::kFormatVersion) {
    return bad("has format version " + std::to_string(version) + ", this build reads " +
               std::to_string(Incident::kFormatVersion) + "; upgrade vigie");
  }
  Incident i;
  i.id = id;
  i.brand = ingest::string_or(o, "brand");
  const auto status = parse_incident_status(ingest::string_or(o, "status"));
  const auto severity = rules::parse_severity(ingest::string_or(o, "severity"));
  if (!status || !severity || i.brand.empty()) return bad("lacks a brand, status or severity");
  i.status = *status;
  i.severity = *severity;
  if (const auto* d = o.if_contains("detectors"); d && d->is_array()) {
    for (const auto& k : d->as_array()) {
      if (!k.is_string()) continue;
      if (const auto kind = rules::parse_detector_kind(k.as_string())) i.detectors.push_back(*kind);
    }
  }
  i.summary = ingest::string_or(o, "summary");
  i.last_summary = ingest::string_or(o, "last_summary");
  i.first_mention_at = ingest::int64_or(o, "first_mention_at");
  i.opened_at = ingest::int64_or(o, "opened_at");
  i.last_fired_at = ingest::int64_or(o, "last_fired_at");
  i.quiet_since = ingest::int64_or(o, "quiet_since");
  i.last_notified_at = ingest::int64_or(o, "last_notified_at");
  i.acknowledged_at = ingest::int64_or(o, "acknowledged_at");
  i.acknowledged_by = ingest::string_or(o, "acknowledged_by");
  i.resolved_at = ingest::int64_or(o, "resolved_at");
  i.resolved_by = ingest::string_or(o, "resolved_by");
  if (const auto* s = o.if_contains("silenced"); s && s->is_bool()) i.silenced = s->as_bool();
  i.findings = ingest::int64_or(o, "findings");
  if (const auto* b = o.if_contains("by_detector"); b && b->is_object()) {
    for (const auto& kv : b->as_object()) {
      const auto kind = rules::parse_detector_kind(kv.key());
      if (!kind || !kv.value().is_object()) continue;
      DetectorTally& t = i.by_detector[*kind];
      t.findings = ingest::int64_or(kv.value().as_object(), "findings");
      t.in_timeline = ingest::int64_or(kv.value().as_object(), "in_timeline");
    }
  }
  if (const auto* u = o.if_contains("trigger_uids"); u && u->is_array()) {
    std::vector<std::string> uids;
    for (const auto& x : u->as_array()) {
      if (x.is_string()) uids.emplace_back(x.as_string());
    }
    i.trigger_uids = TriggerUids(std::move(uids));
  }
  i.next_event_seq = static_cast<std::uint64_t>(ingest::int64_or(o, "next_event_seq"));
  return i;
}

json::object incident_to_json(const Incident& i) {
  json::array detectors;
  for (auto d : i.detectors)
    detectors.emplace_back(rules::to_string(d));
  json::object o{{"id", std::to_string(i.id)},
                 {"brand", i.brand},
                 {"status", to_string(i.status)},
                 {"severity", rules::to_string(i.severity)},
                 {"detectors", std::move(detectors)},
                 {"summary", i.summary},
                 {"last_summary", i.last_summary},
                 {"first_mention_at", time_or_null(i.first_mention_at)},
                 {"opened_at", time_or_null(i.opened_at)},
                 {"last_fired_at", time_or_null(i.last_fired_at)},
                 {"findings", i.findings},
                 {"findings_by_detector", tallies_json(i)},
                 {"silenced", i.silenced}};
  o["acknowledged_at"] = time_or_null(i.acknowledged_at);
  o["acknowledged_by"] = i.acknowledged_by.empty() ? json::value(nullptr) : json::value(i.acknowledged_by);
  o["resolved_at"] = time_or_null(i.resolved_at);
  o["resolved_by"] = i.resolved_by.empty() ? json::value(nullptr) : json::value(i.resolved_by);
  return o;
}

std::string encode_timeline_entry(const json::object& fields) {
  json::object o = fields;
  o["v"] = 1;
  return json::serialize(o);
}

Result<json::object> decode_timeline_entry(std::string_view bytes) {
  boost::system::error_code ec;
  json::value v = json::parse(bytes, ec);
  if (ec || !v.is_object()) return error("incident timeline entry is not a JSON object");
  json::object o = std::move(v.as_object());
  o.erase("v");
  return o;
}

}  // namespace vigie::daemon
