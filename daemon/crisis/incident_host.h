// What the incident book asks of the process that hosts it: the brands' settings, how a notice becomes outbox
// values, the top posts of a new incident, the wall clock, and who to tell after a commit. The daemon's
// CrisisService implements it over the rules in force, the notifiers and the database; tests implement what
// they observe. Every method has a neutral default, so a host overrides only what it provides.
//
// Thread-safety: the book calls its host under its own mutex, from whichever thread called the book.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/crisis/incident.h"
#include "daemon/crisis/incident_notice.h"
#include "ingest/base/timestamp.h"
#include "rules/detect/crisis_finding.h"

namespace vigie::daemon {

// What the book needs to know of a brand.
struct BrandCrisisSettings {
  std::string name;        // display name
  bool configured = true;  // false: the brand left the rules; its active incidents are resolved
  Micros quiet_period = 30 * 60 * kMicrosPerSecond;      // of quiet buckets before auto-resolution
  Micros repeat_interval = 4 * 3600 * kMicrosPerSecond;  // between reminders of an unacknowledged incident
};

// How incidents group findings: one incident per brand (one crisis, one page), or per brand and detector.
enum class IncidentGrouping : std::uint8_t { by_brand, by_brand_and_detector };

class IncidentHost {
 public:
  virtual ~IncidentHost() = default;

  // Default: the brand's id as its name, default periods.
  virtual BrandCrisisSettings settings(const std::string& brand) const { return BrandCrisisSettings{brand}; }
  // The outbox values (one per notifier that accepts it) of a notice; empty when none does (the default).
  virtual std::vector<std::string> render(const IncidentNotice& /*notice*/) { return {}; }
  // The most-read posts of a brand in [from, to), for the timeline and notices of a new incident.
  virtual std::vector<NoticePost> top_posts(const std::string& /*brand*/, Micros /*from*/,
                                            Micros /*to*/) const {
    return {};
  }
  // The clock of people's actions and of notices' sent_at.
  virtual Micros wall_now() const { return now_micros(); }
  // After every commit that queued notifications (the daemon wakes its delivery worker).
  virtual void notified() {}
  // With each timeline change committed, in order (logs and replay reports are built from it).
  virtual void observed(const Incident& /*incident*/, std::string_view /*event*/,
                        const rules::Finding* /*finding*/) {}
  // With each timeline entry people follow live, once committed, in order (the event stream is built from
  // it): `change` is opened (with the entry of the opening finding), escalated, fired (a detector's new
  // episode), reminder, acknowledged, note or resolved; `entry` is the timeline entry's fields, stored at `at`.
  // Comes after the observed() calls of the same commit.
  virtual void changed(const Incident& /*incident*/, std::string_view /*change*/, Micros /*at*/,
                       const boost::json::object& /*entry*/) {}
};

}  // namespace vigie::daemon
