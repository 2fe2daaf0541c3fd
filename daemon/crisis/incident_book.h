// The incident book: turns detector findings into incidents, their timelines and notifications, and applies
// what people do through the API (acknowledge, resolve, notes, silences).
//
// Grouping: incidents are grouped by brand (the default), or by brand and detector (IncidentGrouping). While
// a group has an active (unresolved) incident, every finding of the group joins it, escalating its severity
// when higher: one crisis, one incident, one page. Grouped by detector, an incident is named by the detector
// that opened it.
//
// Time: detector signals carry event time (the watermark of the crisis engine), which is also the clock of
// quiet periods and reminders, so a replay of past data behaves as the live run did. People's actions are
// stamped with the wall clock.
//
// Durability: each apply() or action commits its incident changes, timeline entries, outbox notifications and
// the detector state it was given in one atomic RocksDB write (CrisisStore::commit). The in-memory view
// (active incidents, silences) changes only once that write succeeded, so a failed write can be retried with
// the same input.
//
// Thread-safety: every public method may be called from any thread; one mutex serializes them.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "daemon/crisis/incident.h"
#include "daemon/crisis/incident_host.h"
#include "daemon/crisis/incident_notice.h"
#include "daemon/crisis/silence.h"
#include "ingest/base/result.h"
#include "rules/detect/crisis_finding.h"
#include "storage/database.h"

namespace vigie::daemon {

// One signal of the crisis engine, in event-time order.
struct CrisisSignal {
  enum class Kind : std::uint8_t { finding, quiet, busy } kind = Kind::finding;
  std::string brand;
  Micros at = 0;           // finding: its time; quiet/busy: end of the bucket
  Micros bucket = 0;       // quiet/busy: width of the bucket
  rules::Finding finding;  // kind == finding
};

struct CrisisStep {
  std::vector<CrisisSignal> signals;
  Micros now = 0;  // event-time clock after the step: reminders due by then are sent
  std::vector<storage::NamedValue> detector_states;   // committed with the step
  std::vector<storage::ExpectationRow> expectations;  // committed with the step
};

class IncidentBook {
 public:
  // Loads the active incidents and the silences. `host` must outlive the book.
  static Result<std::unique_ptr<IncidentBook>> open(storage::CrisisStore& db, IncidentHost& host,
                                                    IncidentGrouping grouping = IncidentGrouping::by_brand);

  Result<void> apply(const CrisisStep& step);

  // People's actions. Errors: unknown incident (not_found), already resolved (conflict), bad input (invalid).
  enum class ActionError : std::uint8_t { none, not_found, conflict, invalid, storage };
  struct ActionResult {
    ActionError error = ActionError::none;
    std::string message;
    Incident incident;  // after the action
  };
  // `actor`: the person (recorded as acknowledged_by / resolved_by and in the timeline's "by"); `token`: the
  // name of the token that called, kept in the timeline entry ("token") when it differs.
  ActionResult acknowledge(std::uint64_t id, const std::string& actor, const std::string& token = "");
  ActionResult resolve(std::uint64_t id, const std::string& actor, const std::string& token = "");
  // `by`: who called (the token's name), kept beside the author the note names.
  ActionResult add_note(std::uint64_t id, const std::string& author, const std::string& text,
                        const std::string& by = "");

  Result<Silence> add_silence(Silence s);
  Result<bool> remove_silence(std::uint64_t id);  // false: unknown id
  std::vector<Silence> silences() const;

  // An active incident of the brand (grouped by detector, the first in group-key order).
  std::optional<Incident> active_incident(const std::string& brand) const;
  std::size_t active_count() const;
  // Every active incident, in group-key order (the vigie_incidents_open gauge, read at scrape time).
  std::vector<Incident> active_incidents() const;

 private:
  struct Draft;  // one transaction being built (incident_book.cc)

  IncidentBook(storage::CrisisStore& db, IncidentHost& host, IncidentGrouping grouping);
  void on_finding(Draft& d, const rules::Finding& f);
  void on_quiet(Draft& d, const CrisisSignal& s);
  // Resolves `inc` at `at`: status, timeline, notice. `by` says why or who; `actor` is the person, if any.
  void close(Draft& d, Incident& inc, Micros at, const std::string& by, const std::string& actor,
             const std::string& token = "");
  void notify(Draft& d, Incident& inc, NoticeType type, Micros at, const std::string& actor);
  ActionResult act(std::uint64_t id, const std::function<ActionResult(Draft&, Incident&)>& change);
  Result<void> commit(Draft& d);
  bool silenced(const std::string& brand, rules::DetectorKind k, Micros t) const;
  // True when silences cover every detector of the incident at `t`.
  bool muted(const Incident& inc, Micros t) const;
  std::string group_key(const std::string& brand, rules::DetectorKind detector) const;
  std::string group_key(const Incident& inc) const;

  storage::CrisisStore& db_;
  IncidentHost& host_;
  IncidentGrouping grouping_;
  mutable std::mutex mu_;
  std::map<std::string, Incident> active_;  // by group key
  std::map<std::uint64_t, Silence> silences_;
  std::uint64_t last_incident_id_ = 0;
  std::uint64_t last_silence_id_ = 0;
};

}  // namespace vigie::daemon
