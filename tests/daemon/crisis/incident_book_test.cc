// The incident book's lifecycle on a real RocksDB: grouping, escalation, quiet-period resolution, reminders,
// acknowledgement, notes, manual resolution and silences, each committed with its notifications.
#include "daemon/crisis/incident_book.h"

#include <gtest/gtest.h>

#include "tests/storage/storage_test_support.h"

namespace vigie::daemon {
namespace {

using storage::testing::kHour;
using storage::testing::kMinute;
using storage::testing::kT0;
using storage::testing::TempDir;

constexpr Micros kBucket = 5 * kMinute;

// The test is the book's host: it names brands, records notices and sets the wall clock.
class BookTest : public ::testing::Test, public IncidentHost {
 protected:
  void SetUp() override {
    db_ = storage::testing::open_db(dir_.path());
    open_book();
  }

  BrandCrisisSettings settings(const std::string& b) const override {
    BrandCrisisSettings out{"Brand " + b};
    out.configured = b != removed_;
    return out;
  }
  std::vector<std::string> render(const IncidentNotice& n) override {
    notices_.push_back(n);
    return std::vector<std::string>{std::string(to_string(n.type))};
  }
  Micros wall_now() const override { return wall_; }
  void changed(const Incident& inc, std::string_view change, Micros at,
               const boost::json::object& entry) override {
    changes_.push_back({inc, std::string(change), at, entry});
  }

  void open_book(bool group_by_detector = false) {
    auto book = IncidentBook::open(
        db_->crisis(), *this,
        group_by_detector ? IncidentGrouping::by_brand_and_detector : IncidentGrouping::by_brand);
    ASSERT_TRUE(book) << book.error().message;
    book_ = std::move(*book);
  }

  static CrisisSignal finding(std::string brand, rules::DetectorKind k, rules::Severity s, Micros at,
                              bool onset = true) {
    rules::Finding f;
    f.brand = brand;
    f.detector = k;
    f.severity = s;
    f.at = at;
    f.window_start = at - 30 * kMinute;
    f.onset = onset;
    f.summary = std::string(rules::to_string(k)) + " at " + format_rfc3339(at);
    return {CrisisSignal::Kind::finding, brand, at, 0, f};
  }
  static CrisisSignal quiet(std::string brand, Micros end, bool is_quiet = true) {
    return {is_quiet ? CrisisSignal::Kind::quiet : CrisisSignal::Kind::busy, brand, end, kBucket, {}};
  }
  void apply(std::vector<CrisisSignal> signals, Micros now) {
    const auto r = book_->apply({std::move(signals), now, {}});
    ASSERT_TRUE(r) << r.error().message;
  }
  std::vector<std::string> notice_types() const {
    std::vector<std::string> out;
    for (const auto& n : notices_)
      out.emplace_back(to_string(n.type));
    return out;
  }

  TempDir dir_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<IncidentBook> book_;
  std::vector<IncidentNotice> notices_;
  struct Change {
    Incident incident;
    std::string change;
    Micros at;
    boost::json::object entry;
  };
  std::vector<Change> changes_;  // what the event stream publishes
  std::vector<std::string> change_names() const {
    std::vector<std::string> out;
    for (const auto& c : changes_)
      out.push_back(c.change);
    return out;
  }
  Micros wall_ = kT0 + 100 * kHour;
  std::string removed_;  // a brand the settings say is no longer configured
};

TEST_F(BookTest, FindingsOfABrandJoinOneIncidentAndEscalateOnlyUpwards) {
  using K = rules::DetectorKind;
  using S = rules::Severity;
  apply({finding("acme", K::negative_volume, S::warning, kT0), finding("acme", K::volume, S::warning, kT0),
         finding("other", K::volume, S::warning, kT0)},
        kT0);
  apply({finding("acme", K::sentiment_drop, S::critical, kT0 + kBucket)}, kT0 + kBucket);
  apply({finding("acme", K::influencer, S::warning, kT0 + 2 * kBucket)}, kT0 + 2 * kBucket);
  const auto acme = book_->active_incident("acme");
  ASSERT_TRUE(acme);
  EXPECT_EQ(acme->status, IncidentStatus::escalated);
  EXPECT_EQ(acme->severity, S::critical);
  EXPECT_EQ(acme->findings, 4);
  EXPECT_EQ(acme->detectors.size(), 4u);
  EXPECT_EQ(book_->active_count(), 2u);
  EXPECT_EQ(notice_types(),
            (std::vector<std::string>{"incident.opened", "incident.opened", "incident.escalated"}));
  EXPECT_EQ(notices_[0].brand_name, "Brand acme");
  // Everything notified is in the outbox, in order.
  const auto box = db_->outbox().entries(0, 10);
  ASSERT_EQ(box->size(), 3u);
  EXPECT_EQ((*box)[2].value, "incident.escalated");
}

TEST_F(BookTest, QuietPeriodResolvesAndABusyBucketRestartsIt) {
  apply({finding("acme", rules::DetectorKind::volume, rules::Severity::warning, kT0)}, kT0);
  std::vector<CrisisSignal> s;
  // 25 quiet minutes, one busy bucket, then 30 quiet minutes.
  Micros t = kT0;
  for (int i = 0; i < 5; ++i)
    s.push_back(quiet("acme", t += kBucket));
  s.push_back(quiet("acme", t += kBucket, false));
  apply(s, t);
  EXPECT_TRUE(book_->active_incident("acme"));
  s.clear();
  for (int i = 0; i < 5; ++i)
    s.push_back(quiet("acme", t += kBucket));
  apply(s, t);
  EXPECT_TRUE(book_->active_incident("acme"));
  apply({quiet("acme", t += kBucket)}, t);
  EXPECT_FALSE(book_->active_incident("acme"));
  EXPECT_EQ(notice_types().back(), "incident.resolved");

  // A later finding opens a new incident.
  apply({finding("acme", rules::DetectorKind::volume, rules::Severity::warning, t + kHour)}, t + kHour);
  const auto again = book_->active_incident("acme");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, 2u);
}

TEST_F(BookTest, RemindersUntilAcknowledgedThenNone) {
  apply({finding("acme", rules::DetectorKind::volume, rules::Severity::warning, kT0)}, kT0);
  apply({}, kT0 + 3 * kHour);
  EXPECT_EQ(notices_.size(), 1u);
  apply({}, kT0 + 4 * kHour);
  apply({}, kT0 + 5 * kHour);  // not yet 4 h after the reminder
  EXPECT_EQ(notice_types(), (std::vector<std::string>{"incident.opened", "incident.reminder"}));
  const auto id = book_->active_incident("acme")->id;
  const auto ack = book_->acknowledge(id, "alice");
  ASSERT_EQ(ack.error, IncidentBook::ActionError::none) << ack.message;
  EXPECT_EQ(ack.incident.status, IncidentStatus::acknowledged);
  EXPECT_EQ(notices_.back().actor, "alice");
  apply({}, kT0 + 20 * kHour);
  EXPECT_EQ(notice_types().back(), "incident.acknowledged");
}

TEST_F(BookTest, ActionsAreStoredAndCheckTheState) {
  apply({finding("acme", rules::DetectorKind::volume, rules::Severity::warning, kT0)}, kT0);
  const auto id = book_->active_incident("acme")->id;
  ASSERT_EQ(book_->add_note(id, "bob", "press statement at 15h").error, IncidentBook::ActionError::none);
  ASSERT_EQ(book_->resolve(id, "carol").error, IncidentBook::ActionError::none);
  EXPECT_EQ(book_->resolve(id, "carol").error, IncidentBook::ActionError::conflict);
  EXPECT_EQ(book_->acknowledge(id, "carol").error, IncidentBook::ActionError::conflict);
  EXPECT_EQ(book_->acknowledge(999, "carol").error, IncidentBook::ActionError::not_found);
  // Notes may still be added to a resolved incident (post-mortems).
  EXPECT_EQ(book_->add_note(id, "bob", "closed").error, IncidentBook::ActionError::none);

  // Everything survives a reopen.
  book_.reset();
  open_book();
  EXPECT_FALSE(book_->active_incident("acme"));
  const auto stored = db_->crisis().incident(id);
  ASSERT_TRUE(stored && *stored);
  const auto inc = decode_incident(id, **stored);
  ASSERT_TRUE(inc);
  EXPECT_EQ(inc->status, IncidentStatus::resolved);
  EXPECT_EQ(inc->resolved_by, "carol");
  const auto events = db_->crisis().incident_events(id, 100);
  std::vector<std::string> notes;
  for (const auto& e : *events) {
    const auto o = decode_timeline_entry(e.value);
    if (o->at("kind").as_string() == "note") notes.emplace_back(o->at("text").as_string());
  }
  EXPECT_EQ(notes, (std::vector<std::string>{"press statement at 15h", "closed"}));
}

// The event stream follows every timeline entry people read, machine's and people's alike, each once
// committed, with the incident as it was right after it.
TEST_F(BookTest, EveryFollowedTimelineEntryIsReportedAsAChange) {
  using K = rules::DetectorKind;
  using S = rules::Severity;
  apply({finding("acme", K::volume, S::warning, kT0)}, kT0);
  apply({finding("acme", K::volume, S::warning, kT0 + kBucket, false)}, kT0 + kBucket);  // same episode
  apply({finding("acme", K::influencer, S::warning, kT0 + 2 * kBucket)}, kT0 + 2 * kBucket);
  apply({finding("acme", K::sentiment_drop, S::critical, kT0 + 3 * kBucket)}, kT0 + 3 * kBucket);
  apply({}, kT0 + 5 * kHour);  // a reminder
  const auto id = book_->active_incident("acme")->id;
  wall_ = kT0 + 6 * kHour;
  ASSERT_EQ(book_->acknowledge(id, "alice").error, IncidentBook::ActionError::none);
  ASSERT_EQ(book_->add_note(id, "bob", "statement at 15h", "admin").error, IncidentBook::ActionError::none);
  ASSERT_EQ(book_->resolve(id, "carol").error, IncidentBook::ActionError::none);
  EXPECT_EQ(change_names(), (std::vector<std::string>{"opened", "fired", "fired", "escalated", "reminder",
                                                      "acknowledged", "note", "resolved"}));
  // opened comes with its finding's entry
  EXPECT_EQ(changes_[0].entry.at("kind").as_string(), "fired");
  EXPECT_EQ(changes_[0].entry.at("detector").as_string(), "volume");
  EXPECT_EQ(changes_[0].incident.status, IncidentStatus::open);
  EXPECT_EQ(changes_[0].at, kT0);
  // the sentiment drop fired, and escalated the incident, both at its time
  EXPECT_EQ(changes_[2].entry.at("detector").as_string(), "sentiment_drop");
  EXPECT_EQ(changes_[3].entry.at("kind").as_string(), "escalated");
  EXPECT_EQ(changes_[3].incident.severity, S::critical);
  EXPECT_EQ(changes_[5].entry.at("by").as_string(), "alice");
  EXPECT_EQ(changes_[5].incident.status, IncidentStatus::acknowledged);
  EXPECT_EQ(changes_[5].at, wall_);
  EXPECT_EQ(changes_[6].entry.at("text").as_string(), "statement at 15h");
  EXPECT_EQ(changes_[6].entry.at("author").as_string(), "bob");
  EXPECT_EQ(changes_[7].incident.status, IncidentStatus::resolved);
  EXPECT_EQ(changes_[7].incident.resolved_by, "carol");
  // The same entries as stored, in the same order.
  const auto events = db_->crisis().incident_events(id, 100);
  std::vector<std::string> kinds;
  for (const auto& e : *events) {
    const auto k = decode_timeline_entry(e.value)->at("kind").as_string();
    if (k != "first_mention" && k != "top_posts") kinds.emplace_back(k);
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"fired", "fired", "fired", "escalated", "reminder",
                                             "acknowledged", "note", "resolved"}));
}

TEST_F(BookTest, SilencesMuteNotificationsNotIncidents) {
  Silence s;
  s.brand = "acme";
  s.detector = rules::DetectorKind::volume;
  s.starts_at = kT0 - kHour;
  s.ends_at = kT0 + kHour;
  const auto added = book_->add_silence(s);
  ASSERT_TRUE(added);
  apply({finding("acme", rules::DetectorKind::volume, rules::Severity::warning, kT0)}, kT0);
  ASSERT_TRUE(book_->active_incident("acme"));
  EXPECT_TRUE(book_->active_incident("acme")->silenced);
  EXPECT_TRUE(notices_.empty());
  // Another detector is not silenced: the team hears of the incident now, once, at its current severity.
  apply({finding("acme", rules::DetectorKind::critical_keyword, rules::Severity::critical, kT0 + kBucket)},
        kT0 + kBucket);
  EXPECT_EQ(notice_types(), (std::vector<std::string>{"incident.opened"}));
  EXPECT_EQ(notices_.back().severity, rules::Severity::critical);

  // Silences persist and can be removed.
  book_.reset();
  open_book();
  ASSERT_EQ(book_->silences().size(), 1u);
  EXPECT_TRUE(*book_->remove_silence(added->id));
  EXPECT_FALSE(*book_->remove_silence(added->id));
  EXPECT_TRUE(book_->silences().empty());
}

TEST_F(BookTest, GroupedByDetectorEachDetectorHasItsIncidentAndQuietResolvesThemAll) {
  book_.reset();
  open_book(/*group_by_detector=*/true);
  using K = rules::DetectorKind;
  apply({finding("acme", K::volume, rules::Severity::warning, kT0),
         finding("acme", K::negative_volume, rules::Severity::warning, kT0),
         finding("acme", K::volume, rules::Severity::critical, kT0 + kBucket, false)},
        kT0 + kBucket);
  EXPECT_EQ(book_->active_count(), 2u);
  EXPECT_EQ(notice_types(),
            (std::vector<std::string>{"incident.opened", "incident.opened", "incident.escalated"}));
  // The grouping survives a reopen: a new negative_volume finding joins its incident.
  book_.reset();
  open_book(true);
  apply({finding("acme", K::negative_volume, rules::Severity::warning, kT0 + 2 * kBucket, false)},
        kT0 + 2 * kBucket);
  EXPECT_EQ(book_->active_count(), 2u);
  std::vector<CrisisSignal> s;
  Micros t = kT0 + 2 * kBucket;
  for (int i = 0; i < 6; ++i)
    s.push_back(quiet("acme", t += kBucket));
  apply(s, t);
  EXPECT_EQ(book_->active_count(), 0u);
}

TEST_F(BookTest, ASilenceCreatedDuringAnIncidentMutesItAndItsEndAnnouncesIt) {
  apply({finding("acme", rules::DetectorKind::volume, rules::Severity::warning, kT0)}, kT0);
  ASSERT_EQ(notices_.size(), 1u);
  Silence s;
  s.brand = "acme";
  s.starts_at = kT0;
  s.ends_at = kT0 + 6 * kHour;
  ASSERT_TRUE(book_->add_silence(s));
  // Escalations and reminders are muted while it lasts.
  apply({finding("acme", rules::DetectorKind::negative_volume, rules::Severity::critical, kT0 + kBucket)},
        kT0 + kBucket);
  apply({}, kT0 + 5 * kHour);
  EXPECT_EQ(notices_.size(), 1u);
  // Once it is over, reminders resume.
  apply({}, kT0 + 10 * kHour);
  EXPECT_EQ(notice_types().back(), "incident.reminder");
}

TEST_F(BookTest, OpenedMutedThenAnnouncedWhenTheSilenceEnds) {
  Silence s;
  s.brand = "acme";
  s.starts_at = kT0 - kHour;
  s.ends_at = kT0 + kHour;
  ASSERT_TRUE(book_->add_silence(s));
  apply({finding("acme", rules::DetectorKind::volume, rules::Severity::warning, kT0)}, kT0);
  EXPECT_TRUE(notices_.empty());
  apply({}, kT0 + 2 * kHour);
  EXPECT_EQ(notice_types(), (std::vector<std::string>{"incident.opened"}));
}

TEST_F(BookTest, ANoteOnAResolvedIncidentLeavesTheCurrentOneAlone) {
  apply({finding("acme", rules::DetectorKind::volume, rules::Severity::warning, kT0)}, kT0);
  const auto first = book_->active_incident("acme")->id;
  ASSERT_EQ(book_->resolve(first, "carol").error, IncidentBook::ActionError::none);
  apply({finding("acme", rules::DetectorKind::volume, rules::Severity::warning, kT0 + kHour)}, kT0 + kHour);
  const auto second = book_->active_incident("acme")->id;
  ASSERT_NE(first, second);
  ASSERT_EQ(book_->add_note(first, "bob", "post-mortem").error, IncidentBook::ActionError::none);
  ASSERT_TRUE(book_->active_incident("acme"));
  EXPECT_EQ(book_->active_incident("acme")->id, second);
  // A new finding joins the current incident: no second page.
  const auto before = notices_.size();
  apply({finding("acme", rules::DetectorKind::volume, rules::Severity::warning, kT0 + 2 * kHour, false)},
        kT0 + 2 * kHour);
  EXPECT_EQ(notices_.size(), before);
  EXPECT_EQ(book_->active_count(), 1u);
}

TEST_F(BookTest, IncidentsOfABrandLeavingTheRulesAreResolved) {
  apply({finding("gone", rules::DetectorKind::volume, rules::Severity::warning, kT0)}, kT0);
  ASSERT_TRUE(book_->active_incident("gone"));
  removed_ = "gone";
  apply({}, kT0 + kBucket);
  EXPECT_FALSE(book_->active_incident("gone"));
  EXPECT_EQ(notice_types().back(), "incident.resolved");
}

// Window detectors report every bucket while they fire and the timeline shows the start of each episode:
// the tallies say, per detector, how many findings there were and how many the timeline shows.
TEST_F(BookTest, TalliesSayWhichFindingsTheTimelineShows) {
  using K = rules::DetectorKind;
  using S = rules::Severity;
  apply({finding("acme", K::volume, S::warning, kT0)}, kT0);
  apply({finding("acme", K::volume, S::warning, kT0 + kBucket, false),
         finding("acme", K::volume, S::warning, kT0 + 2 * kBucket, false)},
        kT0 + 2 * kBucket);
  CrisisSignal post = finding("acme", K::critical_keyword, S::critical, kT0 + 2 * kBucket + kMinute);
  post.finding.post_uid = "x:1";
  apply({post}, kT0 + 2 * kBucket + kMinute);
  apply({post}, kT0 + 2 * kBucket + kMinute);  // the same post again: not a finding
  apply({finding("acme", K::volume, S::warning, kT0 + 3 * kBucket, false)}, kT0 + 3 * kBucket);

  const auto inc = book_->active_incident("acme");
  ASSERT_TRUE(inc);
  EXPECT_EQ(inc->findings, 5);
  ASSERT_EQ(inc->by_detector.size(), 2u);
  EXPECT_EQ(inc->by_detector.at(K::volume).findings, 4);
  EXPECT_EQ(inc->by_detector.at(K::volume).in_timeline, 1);
  // The post both fired and escalated: two entries, one finding shown.
  EXPECT_EQ(inc->by_detector.at(K::critical_keyword).findings, 1);
  EXPECT_EQ(inc->by_detector.at(K::critical_keyword).in_timeline, 1);
  int fired = 0, escalated = 0;
  for (const auto& r : *db_->crisis().incident_events(inc->id, 100)) {
    const auto e = decode_timeline_entry(r.value);
    ASSERT_TRUE(e);
    fired += e->at("kind").as_string() == "fired";
    escalated += e->at("kind").as_string() == "escalated";
  }
  EXPECT_EQ(fired, 2);
  EXPECT_EQ(escalated, 1);

  // Stored with the incident, and shown by the API.
  const auto stored = decode_incident(inc->id, db_->crisis().incident(inc->id)->value());
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->by_detector.at(K::volume).findings, 4);
  const auto json = incident_to_json(*stored);
  EXPECT_EQ(json.at("findings_by_detector").at("volume").at("findings").as_int64(), 4);
  EXPECT_EQ(json.at("findings_by_detector").at("volume").at("in_timeline").as_int64(), 1);
  EXPECT_EQ(json.at("findings_by_detector").at("critical_keyword").at("findings").as_int64(), 1);
}

TEST_F(BookTest, AcknowledgeAndResolveRecordThePersonAndTheToken) {
  apply({finding("acme", rules::DetectorKind::volume, rules::Severity::warning, kT0)}, kT0);
  const std::uint64_t id = book_->active_incident("acme")->id;
  const auto ack = book_->acknowledge(id, "Marie Curie", "comms-token");
  ASSERT_EQ(ack.error, IncidentBook::ActionError::none) << ack.message;
  EXPECT_EQ(ack.incident.acknowledged_by, "Marie Curie");
  EXPECT_EQ(notices_.back().actor, "Marie Curie");
  const auto res = book_->resolve(id, "comms-token", "comms-token");
  ASSERT_EQ(res.error, IncidentBook::ActionError::none) << res.message;
  EXPECT_EQ(res.incident.resolved_by, "comms-token");
  bool acked = false, resolved = false;
  for (const auto& r : *db_->crisis().incident_events(id, 100)) {
    const auto e = decode_timeline_entry(r.value);
    ASSERT_TRUE(e);
    if (e->at("kind").as_string() == "acknowledged") {
      acked = true;
      EXPECT_EQ(e->at("by").as_string(), "Marie Curie");
      EXPECT_EQ(e->at("token").as_string(), "comms-token");
    }
    if (e->at("kind").as_string() == "resolved") {
      resolved = true;
      EXPECT_EQ(e->at("by").as_string(), "comms-token");
      EXPECT_FALSE(e->contains("token"));  // the same name: said once
    }
  }
  EXPECT_TRUE(acked);
  EXPECT_TRUE(resolved);
}

}  // namespace
}  // namespace vigie::daemon

namespace vigie::daemon {
namespace {

// The book copies its incidents at every step to roll back a failed commit: a copy must keep the list it was
// taken with when the original adds to it, and the list stays bounded.
TEST(TriggerUids, ACopyKeepsItsListWhenTheOriginalAddsAndTheListStaysBounded) {
  TriggerUids a;
  a.add("p:1");
  const TriggerUids before = a;
  a.add("p:2");
  EXPECT_TRUE(a.contains("p:2"));
  EXPECT_FALSE(before.contains("p:2"));
  EXPECT_EQ(before.list(), std::vector<std::string>{"p:1"});
  for (std::size_t i = 0; i < 2 * TriggerUids::kMax; ++i)
    a.add("q:" + std::to_string(i));
  EXPECT_EQ(a.list().size(), TriggerUids::kMax);
  EXPECT_FALSE(a.contains("p:1"));  // the oldest went first
  EXPECT_EQ(a.list().back(), "q:" + std::to_string(2 * TriggerUids::kMax - 1));
  EXPECT_EQ(TriggerUids(std::vector<std::string>(TriggerUids::kMax + 3, "x")).list().size(),
            TriggerUids::kMax);
}

}  // namespace
}  // namespace vigie::daemon
