// An incident: one crisis of one brand (its group key), opened by a detector finding and joined by every
// later finding while it is not resolved. Stored as a versioned JSON value in the incidents table; its
// timeline entries live in incident_events (see TimelineEntry).
//
// Lifecycle: open -> escalated (a finding of higher severity) -> acknowledged (by a person, through the API)
// -> resolved (after a quiet period, or by a person). Findings keep joining an acknowledged incident; a
// higher severity then escalates it again.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/base/result.h"
#include "ingest/base/timestamp.h"
#include "rules/detect/crisis_finding.h"
#include "rules/scored_post.h"

namespace vigie::daemon {

enum class IncidentStatus : std::uint8_t { open, escalated, acknowledged, resolved };
std::string_view to_string(IncidentStatus s);
std::optional<IncidentStatus> parse_incident_status(std::string_view s);

// One detector's share of an incident: its findings, and how many of them its timeline shows (a "fired" or
// "escalated" entry). Per-post detectors show every finding; window detectors report every 5-minute window
// while they fire, and only the first window of each episode (and an escalation) is shown.
struct DetectorTally {
  std::int64_t findings = 0;
  std::int64_t in_timeline = 0;
};

// The posts whose per-post findings already joined an incident (a restart re-reads recent posts; they must
// not count twice), oldest first, at most kMax. Shared by copies until one of them adds a post: the incident
// book copies every active incident once per detection step (to roll back a failed commit), and this list is
// most of an incident's size. A copy is read or changed under the owner's lock, like the incident itself.
class TriggerUids {
 public:
  static constexpr std::size_t kMax = 256;

  TriggerUids() = default;
  explicit TriggerUids(std::vector<std::string> uids);

  bool contains(std::string_view uid) const;
  void add(std::string uid);  // the oldest goes beyond kMax
  const std::vector<std::string>& list() const;

 private:
  std::shared_ptr<std::vector<std::string>> uids_;
};

struct Incident {
  static constexpr int kFormatVersion = 1;

  std::uint64_t id = 0;
  std::string brand;  // the group key, with the opening detector when grouped by detector
  IncidentStatus status = IncidentStatus::open;
  rules::Severity severity = rules::Severity::warning;
  std::vector<rules::DetectorKind> detectors;  // every detector that fired, in first-firing order
  std::string summary;                         // the finding that opened it
  std::string last_summary;                    // the latest finding
  Micros first_mention_at = 0;                 // start of the window (or the post) of the opening finding
  Micros opened_at = 0;                        // event time of the opening finding
  Micros last_fired_at = 0;                    // event time of the latest finding
  Micros quiet_since = 0;                      // start of the current quiet stretch; 0 while not quiet
  Micros last_notified_at = 0;                 // event time of the last notice (for reminders)
  Micros acknowledged_at = 0;
  std::string acknowledged_by;
  Micros resolved_at = 0;
  std::string resolved_by;  // token name, or "quiet period"
  bool silenced = false;    // a silence matched its opening: no notices while it lasts
  std::int64_t findings = 0;
  // Per detector; empty for incidents stored before it was kept.
  std::map<rules::DetectorKind, DetectorTally> by_detector;
  TriggerUids trigger_uids;
  std::uint64_t next_event_seq = 0;

  bool active() const { return status != IncidentStatus::resolved; }
  bool has_detector(rules::DetectorKind k) const;
};

std::string encode_incident(const Incident& i);
Result<Incident> decode_incident(std::uint64_t id, std::string_view bytes);
// The incident as the API shows it (without the timeline).
boost::json::object incident_to_json(const Incident& i);

// An incident's timeline entries are JSON objects stored in incident_events under the event time they
// describe: {"v":1,"kind":"fired","detector":"volume","severity":"warning","summary":"..."}. Kinds:
// first_mention, fired, escalated, top_posts ("posts"), reminder, acknowledged ("by": the person, "token":
// the token's name when it differs), note ("author", "text", "by": the token's name when it differs),
// resolved ("by", "token" as acknowledged; "by" is "quiet period" when automatic).
std::string encode_timeline_entry(const boost::json::object& fields);
Result<boost::json::object> decode_timeline_entry(std::string_view bytes);

}  // namespace vigie::daemon
