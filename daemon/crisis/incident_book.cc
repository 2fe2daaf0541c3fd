#include "daemon/crisis/incident_book.h"

#include <boost/json/array.hpp>
#include <set>

namespace vigie::daemon {
namespace json = boost::json;

namespace {

json::object finding_fields(std::string_view kind, const rules::Finding& f) {
  json::object o{{"kind", kind},
                 {"detector", rules::to_string(f.detector)},
                 {"severity", rules::to_string(f.severity)},
                 {"summary", f.summary}};
  if (!f.post_uid.empty()) o["post"] = f.post_uid;
  return o;
}

json::array posts_json(const std::vector<NoticePost>& posts) {
  json::array a;
  for (const NoticePost& p : posts) {
    a.push_back(json::object{
        {"uid", p.uid}, {"url", p.url}, {"author", p.author}, {"followers", p.followers}, {"text", p.text}});
  }
  return a;
}

}  // namespace

std::string IncidentBook::group_key(const std::string& brand, rules::DetectorKind detector) const {
  if (grouping_ == IncidentGrouping::by_brand) return brand;
  return brand + '\x1f' + std::string(rules::to_string(detector));
}

std::string IncidentBook::group_key(const Incident& inc) const {
  return group_key(inc.brand, inc.detectors.empty() ? rules::DetectorKind::volume : inc.detectors.front());
}

namespace {

// `inc` as the observers get it (IncidentHost::observed, changed), who never read trigger_uids: without them.
// A step holds one copy per event, and a step of thousands of findings (a restart rechecking a burst of
// recent posts) with up to 256 uids a copy came to gigabytes.
// (A copy would share the list only until the incident's next finding adds to it.)
Incident for_observers(const Incident& inc) {
  Incident copy = inc;
  copy.trigger_uids = TriggerUids();
  return copy;
}

}  // namespace

struct IncidentBook::Draft {
  std::map<std::string, Incident> active;  // the book's active incidents as this transaction changes them, by
                                           // group key
  std::map<std::uint64_t, Incident> touched;  // every incident written by this transaction, by id
  std::map<std::uint64_t, std::vector<NoticePost>> top_posts;  // of incidents opened by it
  std::uint64_t last_incident_id = 0;
  Micros now = 0;  // the step's event-time clock, or the wall clock for people's actions
  storage::CrisisChanges changes;
  struct Observed {
    Incident incident;  // as it was right after the event
    std::string event;
    std::optional<rules::Finding> finding;
  };
  std::vector<Observed> observed;
  struct Changed {
    Incident incident;  // as it was right after the entry
    std::string change;
    Micros at = 0;
    json::object entry;
  };
  std::vector<Changed> changed;

  // `change` names an entry people follow live (IncidentHost::changed); empty for the others.
  void event(Incident& inc, Micros at, json::object fields, std::string_view change = {}) {
    changes.events.push_back({inc.id, at, inc.next_event_seq++, encode_timeline_entry(fields)});
    if (!change.empty()) changed.push_back({for_observers(inc), std::string(change), at, std::move(fields)});
  }
  void touch(const Incident& inc) { touched[inc.id] = inc; }
};

IncidentBook::IncidentBook(storage::CrisisStore& db, IncidentHost& host, IncidentGrouping grouping)
    : db_(db), host_(host), grouping_(grouping) {}

Result<std::unique_ptr<IncidentBook>> IncidentBook::open(storage::CrisisStore& db, IncidentHost& host,
                                                         IncidentGrouping grouping) {
  std::unique_ptr<IncidentBook> book(new IncidentBook(db, host, grouping));
  auto last = db.last_incident_id();
  if (!last) return last.error();
  book->last_incident_id_ = *last;
  // Every incident is read (they are few: a handful a week) to find the active ones. Rows come newest first,
  // so when two active incidents share a group key (the grouping was changed from [brand, detector] to
  // [brand]), the newest keeps it and the older one is resolved as superseded.
  storage::CrisisChanges superseded;
  std::uint64_t before = 0;
  for (;;) {
    auto rows = db.incidents(before, 500);
    if (!rows) return rows.error();
    for (const auto& r : *rows) {
      auto inc = decode_incident(r.id, r.value);
      if (!inc) return inc.error();
      if (!inc->active()) continue;
      const std::string key = book->group_key(*inc);
      if (const auto it = book->active_.find(key); it != book->active_.end()) {
        inc->status = IncidentStatus::resolved;
        inc->resolved_at = inc->last_fired_at;
        inc->resolved_by = "superseded by incident " + std::to_string(it->second.id);
        superseded.incidents.push_back({inc->id, encode_incident(*inc)});
        continue;
      }
      book->active_.emplace(key, std::move(*inc));
    }
    if (rows->size() < 500) break;
    before = rows->back().id;
  }
  if (auto r = db.commit(superseded); !r) return r.error();
  auto silences = db.silences();
  if (!silences) return silences.error();
  for (const auto& r : *silences) {
    auto s = decode_silence(r.id, r.value);
    if (!s) return s.error();
    book->last_silence_id_ = std::max(book->last_silence_id_, s->id);
    book->silences_[s->id] = std::move(*s);
  }
  return book;
}

bool IncidentBook::silenced(const std::string& brand, rules::DetectorKind k, Micros t) const {
  for (const auto& [id, s] : silences_) {
    if (s.matches(brand, k, t)) return true;
  }
  return false;
}

bool IncidentBook::muted(const Incident& inc, Micros t) const {
  if (inc.detectors.empty()) return false;
  for (const rules::DetectorKind k : inc.detectors) {
    if (!silenced(inc.brand, k, t)) return false;
  }
  return true;
}

void IncidentBook::notify(Draft& d, Incident& inc, NoticeType type, Micros at, const std::string& actor) {
  // The reminder clock runs from the later of the change and the step: an incident opened from an old post
  // is not reminded of in the same breath.
  inc.last_notified_at = std::max({inc.last_notified_at, at, d.now});
  if (type == NoticeType::opened) inc.silenced = muted(inc, std::max(at, d.now));
  // Receivers never heard of an incident whose opening was muted: nothing about it until it is announced.
  if (inc.silenced) return;
  if (type != NoticeType::opened && type != NoticeType::resolved && muted(inc, std::max(at, d.now))) return;
  IncidentNotice n;
  n.type = type;
  n.incident_id = inc.id;
  n.brand = inc.brand;
  n.brand_name = host_.settings(inc.brand).name;
  n.severity = inc.severity;
  n.status = std::string(to_string(inc.status));
  n.detectors = inc.detectors;
  n.summary = inc.last_summary.empty() ? inc.summary : inc.last_summary;
  n.opened_at = inc.opened_at;
  n.at = at;
  n.sent_at = host_.wall_now();
  n.actor = actor;
  if (const auto it = d.top_posts.find(inc.id); it != d.top_posts.end()) n.top_posts = it->second;
  for (std::string& v : host_.render(n))
    d.changes.notifications.push_back({std::move(v), inc.id});
}

void IncidentBook::on_finding(Draft& d, const rules::Finding& f) {
  const std::string key = group_key(f.brand, f.detector);
  auto it = d.active.find(key);
  if (it == d.active.end()) {
    Incident inc;
    inc.id = ++d.last_incident_id;
    inc.brand = f.brand;
    inc.severity = f.severity;
    inc.detectors = {f.detector};
    inc.summary = f.summary;
    inc.last_summary = f.summary;
    inc.first_mention_at = f.window_start != 0 ? f.window_start : f.at;
    inc.opened_at = f.at;
    inc.last_fired_at = f.at;
    inc.findings = 1;
    inc.by_detector[f.detector] = {1, 1};
    if (!f.post_uid.empty()) inc.trigger_uids.add(f.post_uid);
    d.event(inc, inc.first_mention_at, json::object{{"kind", "first_mention"}});
    d.event(inc, f.at, finding_fields("fired", f), "opened");
    auto posts = host_.top_posts(f.brand, inc.first_mention_at, f.at + 1);
    if (!posts.empty()) d.event(inc, f.at, json::object{{"kind", "top_posts"}, {"posts", posts_json(posts)}});
    d.top_posts[inc.id] = std::move(posts);
    notify(d, inc, NoticeType::opened, f.at, "");
    d.observed.push_back({for_observers(inc), "opened", f});
    d.touch(inc);
    d.active.emplace(key, std::move(inc));
    return;
  }
  Incident& inc = it->second;
  if (!f.post_uid.empty()) {
    if (inc.trigger_uids.contains(f.post_uid)) return;
    inc.trigger_uids.add(f.post_uid);
  }
  ++inc.findings;
  DetectorTally& tally = inc.by_detector[f.detector];
  ++tally.findings;
  inc.last_fired_at = std::max(inc.last_fired_at, f.at);
  inc.last_summary = f.summary;
  inc.quiet_since = 0;
  const bool new_detector = !inc.has_detector(f.detector);
  if (new_detector) inc.detectors.push_back(f.detector);
  // Window detectors report every bucket while they fire; only the start of an episode goes in the timeline.
  // The tally says how many findings the timeline shows, so that `findings` can be reconciled with it.
  bool shown = false;
  if (f.onset || new_detector) {
    d.event(inc, f.at, finding_fields("fired", f), "fired");
    shown = true;
  }
  if (f.severity > inc.severity) {
    inc.severity = f.severity;
    inc.status = IncidentStatus::escalated;
    d.event(inc, f.at, finding_fields("escalated", f), "escalated");
    notify(d, inc, NoticeType::escalated, f.at, "");
    d.observed.push_back({for_observers(inc), "escalated", f});
    shown = true;
  }
  if (shown) ++tally.in_timeline;
  d.touch(inc);
}

void IncidentBook::close(Draft& d, Incident& inc, Micros at, const std::string& by, const std::string& actor,
                         const std::string& token) {
  inc.status = IncidentStatus::resolved;
  inc.resolved_at = at;
  inc.resolved_by = by;
  json::object entry{{"kind", "resolved"}, {"by", by}};
  if (!token.empty() && token != by) entry["token"] = token;
  d.event(inc, at, std::move(entry), "resolved");
  notify(d, inc, NoticeType::resolved, at, actor);
  d.observed.push_back({for_observers(inc), "resolved", std::nullopt});
  d.touch(inc);
}

void IncidentBook::on_quiet(Draft& d, const CrisisSignal& s) {
  for (auto it = d.active.begin(); it != d.active.end();) {
    Incident& inc = it->second;
    if (inc.brand != s.brand) {
      ++it;
      continue;
    }
    if (s.kind == CrisisSignal::Kind::busy) {
      if (inc.quiet_since != 0) {
        inc.quiet_since = 0;
        d.touch(inc);
      }
      ++it;
      continue;
    }
    const Micros bucket_start = s.at - s.bucket;
    // Buckets before the incident's last finding cannot count as quiet.
    if (bucket_start < inc.last_fired_at) {
      ++it;
      continue;
    }
    if (inc.quiet_since == 0) inc.quiet_since = bucket_start;
    const Micros quiet_period = host_.settings(s.brand).quiet_period;
    if (s.at - inc.quiet_since < quiet_period) {
      d.touch(inc);
      ++it;
      continue;
    }
    close(d, inc, s.at, "quiet period", "");
    it = d.active.erase(it);
  }
}

Result<void> IncidentBook::apply(const CrisisStep& step) {
  std::lock_guard lock(mu_);
  Draft d;
  d.active = active_;
  d.last_incident_id = last_incident_id_;
  d.now = step.now;
  for (const CrisisSignal& s : step.signals) {
    if (s.kind == CrisisSignal::Kind::finding) {
      on_finding(d, s.finding);
    } else {
      on_quiet(d, s);
    }
  }
  for (auto it = d.active.begin(); it != d.active.end();) {
    Incident& inc = it->second;
    if (!host_.settings(inc.brand).configured) {
      // Its detectors no longer run: nothing would ever resolve it, and reminders would go on forever.
      close(d, inc, step.now, "brand removed from the rules", "");
      it = d.active.erase(it);
      continue;
    }
    ++it;
  }
  for (auto& [key, inc] : d.active) {
    if (inc.silenced && !muted(inc, step.now)) {
      // The silence is over (or the incident now has a detector it does not cover): announce it now.
      notify(d, inc, NoticeType::opened, step.now, "");
      d.touch(inc);
      continue;
    }
    if (inc.status == IncidentStatus::acknowledged || inc.silenced || muted(inc, step.now)) continue;
    const Micros repeat = host_.settings(inc.brand).repeat_interval;
    if (repeat <= 0 || step.now - inc.last_notified_at < repeat) continue;
    inc.last_notified_at = step.now;
    d.event(inc, step.now, json::object{{"kind", "reminder"}}, "reminder");
    notify(d, inc, NoticeType::reminder, step.now, "");
    d.touch(inc);
  }
  d.changes.detector_states = step.detector_states;
  d.changes.expectations = step.expectations;
  if (auto r = commit(d); !r) return r;
  active_ = std::move(d.active);
  last_incident_id_ = d.last_incident_id;
  return ok();
}

Result<void> IncidentBook::commit(Draft& d) {
  for (const auto& [id, inc] : d.touched)
    d.changes.incidents.push_back({id, encode_incident(inc)});
  auto seqs = db_.commit(d.changes);
  if (!seqs) return seqs.error();
  if (!seqs->empty()) host_.notified();
  for (const auto& o : d.observed)
    host_.observed(o.incident, o.event, o.finding ? &*o.finding : nullptr);
  for (const auto& c : d.changed)
    host_.changed(c.incident, c.change, c.at, c.entry);
  return ok();
}

IncidentBook::ActionResult IncidentBook::act(std::uint64_t id,
                                             const std::function<ActionResult(Draft&, Incident&)>& change) {
  std::lock_guard lock(mu_);
  Draft d;
  d.active = active_;
  d.last_incident_id = last_incident_id_;
  d.now = host_.wall_now();
  Incident inc;
  auto found =
      std::find_if(d.active.begin(), d.active.end(), [id](const auto& kv) { return kv.second.id == id; });
  if (found != d.active.end()) {
    inc = found->second;
  } else {
    auto stored = db_.incident(id);
    if (!stored) return {ActionError::storage, stored.error().message, {}};
    if (!stored->has_value()) return {ActionError::not_found, "unknown incident " + std::to_string(id), {}};
    auto decoded = decode_incident(id, **stored);
    if (!decoded) return {ActionError::storage, decoded.error().message, {}};
    inc = std::move(*decoded);
  }
  ActionResult r = change(d, inc);
  if (r.error != ActionError::none) return r;
  d.touch(inc);
  // Only the incident acted upon leaves or updates the active set: a note on a resolved incident must not
  // touch the brand's current one.
  const auto current = d.active.find(group_key(inc));
  const bool is_current = current != d.active.end() && current->second.id == inc.id;
  if (is_current && inc.active()) {
    current->second = inc;
  } else if (is_current) {
    d.active.erase(current);
  }
  if (auto c = commit(d); !c) return {ActionError::storage, c.error().message, {}};
  active_ = std::move(d.active);
  r.incident = inc;
  return r;
}

IncidentBook::ActionResult IncidentBook::acknowledge(std::uint64_t id, const std::string& actor,
                                                     const std::string& token) {
  return act(id, [&](Draft& d, Incident& inc) -> ActionResult {
    if (!inc.active()) return {ActionError::conflict, "incident " + std::to_string(id) + " is resolved", {}};
    if (inc.status == IncidentStatus::acknowledged) return {};  // idempotent
    const Micros now = host_.wall_now();
    inc.status = IncidentStatus::acknowledged;
    inc.acknowledged_at = now;
    inc.acknowledged_by = actor;
    json::object entry{{"kind", "acknowledged"}, {"by", actor}};
    if (!token.empty() && token != actor) entry["token"] = token;
    d.event(inc, now, std::move(entry), "acknowledged");
    notify(d, inc, NoticeType::acknowledged, now, actor);
    d.observed.push_back({for_observers(inc), "acknowledged", std::nullopt});
    return {};
  });
}

IncidentBook::ActionResult IncidentBook::resolve(std::uint64_t id, const std::string& actor,
                                                 const std::string& token) {
  return act(id, [&](Draft& d, Incident& inc) -> ActionResult {
    if (!inc.active())
      return {ActionError::conflict, "incident " + std::to_string(id) + " is already resolved", {}};
    close(d, inc, host_.wall_now(), actor, actor, token);
    return {};
  });
}

IncidentBook::ActionResult IncidentBook::add_note(std::uint64_t id, const std::string& author,
                                                  const std::string& text, const std::string& by) {
  return act(id, [&](Draft& d, Incident& inc) -> ActionResult {
    json::object note{{"kind", "note"}, {"author", author}, {"text", text}};
    if (!by.empty() && by != author) note["by"] = by;
    d.event(inc, host_.wall_now(), std::move(note), "note");
    return {};
  });
}

Result<Silence> IncidentBook::add_silence(Silence s) {
  std::lock_guard lock(mu_);
  // Ids grow with the clock as well, so that the id of a deleted silence is never given again, even after a
  // restart that no longer sees it.
  s.id = std::max<std::uint64_t>(last_silence_id_ + 1, static_cast<std::uint64_t>(host_.wall_now()));
  storage::CrisisChanges c;
  c.silences.push_back({s.id, encode_silence(s)});
  if (auto r = db_.commit(c); !r) return r.error();
  last_silence_id_ = s.id;
  silences_[s.id] = s;
  return s;
}

Result<bool> IncidentBook::remove_silence(std::uint64_t id) {
  std::lock_guard lock(mu_);
  if (!silences_.contains(id)) return false;
  storage::CrisisChanges c;
  c.silences_removed.push_back(id);
  if (auto r = db_.commit(c); !r) return r.error();
  silences_.erase(id);
  return true;
}

std::vector<Silence> IncidentBook::silences() const {
  std::lock_guard lock(mu_);
  std::vector<Silence> out;
  for (const auto& [id, s] : silences_)
    out.push_back(s);
  return out;
}

std::optional<Incident> IncidentBook::active_incident(const std::string& brand) const {
  std::lock_guard lock(mu_);
  for (const auto& [key, inc] : active_) {
    if (inc.brand == brand) return inc;
  }
  return std::nullopt;
}

std::size_t IncidentBook::active_count() const {
  std::lock_guard lock(mu_);
  return active_.size();
}

std::vector<Incident> IncidentBook::active_incidents() const {
  std::lock_guard lock(mu_);
  std::vector<Incident> out;
  out.reserve(active_.size());
  for (const auto& [key, inc] : active_)
    out.push_back(inc);
  return out;
}

}  // namespace vigie::daemon
