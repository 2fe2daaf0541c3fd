// Crisis detection end to end below the daemon: posts stored in a real RocksDB, the crisis engine reading
// their series in event time, and the incident book turning findings into incidents, timelines and
// notifications.
#include "daemon/crisis/crisis_engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "daemon/crisis/incident_book.h"
#include "rules/rule_set.h"
#include "tests/daemon/crisis/acme_rules.h"
#include "tests/storage/storage_test_support.h"

namespace vigie::daemon {
namespace {

using storage::testing::kDay;
using storage::testing::kHour;
using storage::testing::kMinute;
using storage::testing::TempDir;

// Monday 2026-11-16T00:00:00Z.
constexpr Micros kMonday = 1794787200LL * kMicrosPerSecond;

constexpr std::string_view kRules = testing::kAcmeRules;

struct Observed {
  std::uint64_t id;
  std::string event;
  std::string detector;
  Micros at;
  std::string summary;
};

// The harness is the book's host: it names brands, records notices and timeline events, reads top posts.
class Crisis : public IncidentHost {
 public:
  explicit Crisis(const std::string& path, CrisisEngineOptions options = {}) {
    options.live = false;
    db_ = storage::testing::open_db(path, {.sync = storage::SyncPolicy::none, .retention_days = {0, 0, 0}});
    auto rules = rules::RuleSet::load_string(kRules, "rules.yaml");
    if (!rules) ADD_FAILURE() << rules.error().message;
    rules_ = *rules;
    auto book = IncidentBook::open(db_->crisis(), *this);
    if (!book) ADD_FAILURE() << book.error().message;
    book_ = std::move(*book);
    auto engine = CrisisEngine::open(db_->queries(), db_->crisis(), *book_, options, rules_, 0);
    if (!engine) ADD_FAILURE() << engine.error().message;
    engine_ = std::move(*engine);
  }

  void feed(const std::vector<rules::ScoredPost>& posts, std::size_t batch = 200) {
    for (std::size_t i = 0; i < posts.size(); i += batch) {
      const std::span<const rules::ScoredPost> chunk(posts.data() + i, std::min(batch, posts.size() - i));
      ASSERT_TRUE(db_->posts().write(chunk, {}));
      const auto r = engine_->observe(chunk, 0);
      ASSERT_TRUE(r) << r.error().message;
    }
  }

  std::vector<Observed> opened() const {
    std::vector<Observed> out;
    for (const auto& e : events)
      if (e.event == "opened") out.push_back(e);
    return out;
  }

  BrandCrisisSettings settings(const std::string& b) const override {
    return BrandCrisisSettings{b == "acme" ? "Acme Bank" : b};
  }
  std::vector<std::string> render(const IncidentNotice& n) override {
    notices.push_back(n);
    return std::vector<std::string>{std::string(to_string(n.type)) + " " + std::to_string(n.incident_id)};
  }
  std::vector<NoticePost> top_posts(const std::string& brand, Micros from, Micros to) const override {
    return daemon::top_posts(db_->queries(), brand, from, to);
  }
  Micros wall_now() const override { return kMonday + 30 * kDay; }
  void observed(const Incident& i, std::string_view event, const rules::Finding* f) override {
    events.push_back({i.id, std::string(event), f ? std::string(rules::to_string(f->detector)) : "",
                      f ? f->at : i.resolved_at, f ? f->summary : ""});
  }

  storage::Database& db() { return *db_; }
  IncidentBook& book() { return *book_; }
  CrisisEngine& engine() { return *engine_; }

  std::vector<Observed> events;
  std::vector<IncidentNotice> notices;

 private:
  std::unique_ptr<storage::Database> db_;
  std::shared_ptr<const rules::RuleSet> rules_;
  std::unique_ptr<IncidentBook> book_;
  std::unique_ptr<CrisisEngine> engine_;
};

rules::ScoredPost mention(std::string uid, Micros t, rules::Label label, std::int64_t followers = 50) {
  const float compound = label == rules::Label::negative   ? -0.6f
                         : label == rules::Label::positive ? 0.5f
                                                           : 0.f;
  rules::ScoredPost p = storage::testing::make_post({.uid = std::move(uid),
                                                     .created_at = t,
                                                     .brands = {"acme"},
                                                     .label = label,
                                                     .compound = compound,
                                                     .followers = followers,
                                                     .text = "acme again"});
  return p;
}

// Mentions of acme from `from` to `to`: a Poisson number per 5 minutes around `rate` (twice as many by day as
// by night), 15% of them negative; plus `extra_negative` more negative ones per 5 minutes.
std::vector<rules::ScoredPost> traffic(std::mt19937& rng, Micros from, Micros to, double rate,
                                       double extra_negative, const std::string& tag) {
  std::vector<rules::ScoredPost> out;
  std::uniform_real_distribution<double> u(0, 1);
  std::uniform_int_distribution<Micros> offset(0, 5 * kMinute - 1);
  int n = 0;
  for (Micros b = from; b < to; b += 5 * kMinute) {
    const int hour = static_cast<int>((b / kHour) % 24);
    const double day_factor = hour >= 8 && hour < 22 ? 1.3 : 0.55;
    std::poisson_distribution<int> count(rate * day_factor);
    std::poisson_distribution<int> surge(extra_negative);
    const int k = count(rng);
    for (int i = 0; i < k; ++i) {
      const double x = u(rng);
      const auto label = x < 0.15  ? rules::Label::negative
                         : x < 0.6 ? rules::Label::neutral
                                   : rules::Label::positive;
      out.push_back(mention(tag + std::to_string(n++), b + offset(rng), label));
    }
    const int s = extra_negative > 0 ? surge(rng) : 0;
    for (int i = 0; i < s; ++i)
      out.push_back(mention(tag + "s" + std::to_string(n++), b + offset(rng), rules::Label::negative));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.post.created_at < b.post.created_at; });
  return out;
}

TEST(CrisisEngine, StationaryTrafficOverThirtyDaysOpensNoIncident) {
  TempDir dir;
  Crisis c(dir.path());
  std::mt19937 rng(7);
  c.feed(traffic(rng, kMonday, kMonday + 30 * kDay, 4, 0, "q"), 1000);
  ASSERT_TRUE(c.engine().finish());
  for (const auto& e : c.opened())
    ADD_FAILURE() << "false alarm at " << format_rfc3339(e.at) << ": " << e.summary;
}

class SurgeTest : public ::testing::Test {
 protected:
  static constexpr Micros kSurge = kMonday + 4 * kDay + 14 * kHour;  // Friday 14:00

  // Four quiet days, a one-hour surge of negative mentions (about three times the usual volume), two quiet
  // hours after it.
  static std::vector<rules::ScoredPost> stream() {
    std::mt19937 rng(11);
    auto posts = traffic(rng, kMonday, kSurge, 4, 0, "a");
    auto surge = traffic(rng, kSurge, kSurge + kHour, 4, 10, "b");
    auto after = traffic(rng, kSurge + kHour, kSurge + 3 * kHour, 4, 0, "c");
    posts.insert(posts.end(), surge.begin(), surge.end());
    posts.insert(posts.end(), after.begin(), after.end());
    return posts;
  }
};

TEST_F(SurgeTest, OneIncidentOpensWithinTwentyFiveMinutesAndResolvesWhenQuiet) {
  TempDir dir;
  Crisis c(dir.path());
  c.feed(stream());
  ASSERT_TRUE(c.engine().finish());
  const auto opened = c.opened();
  ASSERT_EQ(opened.size(), 1u);
  EXPECT_GE(opened[0].at, kSurge);
  EXPECT_LE(opened[0].at, kSurge + 25 * kMinute) << opened[0].summary;
  EXPECT_TRUE(opened[0].detector == "negative_volume" || opened[0].detector == "volume")
      << opened[0].detector;
  EXPECT_NE(opened[0].summary.find("in 30 min vs"), std::string::npos) << opened[0].summary;

  const auto resolved =
      std::find_if(c.events.begin(), c.events.end(), [](auto& e) { return e.event == "resolved"; });
  ASSERT_NE(resolved, c.events.end());
  EXPECT_GE(resolved->at, kSurge + kHour + 30 * kMinute);  // 30 quiet minutes after the surge, at least

  // One notice per change: opened then resolved (no escalation expected to be missing or doubled).
  ASSERT_GE(c.notices.size(), 2u);
  EXPECT_EQ(c.notices.front().type, NoticeType::opened);
  EXPECT_EQ(c.notices.front().brand_name, "Acme Bank");
  EXPECT_FALSE(c.notices.front().top_posts.empty());
  EXPECT_EQ(c.notices.back().type, NoticeType::resolved);
  const auto box = c.db().outbox().entries(0, 100);
  ASSERT_TRUE(box);
  EXPECT_EQ(box->size(), c.notices.size());

  // The timeline holds the first mention, the firing and the top posts, then the resolution.
  const auto timeline = c.db().crisis().incident_events(opened[0].id, 100);
  ASSERT_TRUE(timeline);
  std::vector<std::string> kinds;
  for (const auto& r : *timeline)
    kinds.push_back(std::string(decode_timeline_entry(r.value)->at("kind").as_string()));
  ASSERT_GE(kinds.size(), 4u);
  EXPECT_EQ(kinds.front(), "first_mention");
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "fired"), kinds.end());
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "top_posts"), kinds.end());
  EXPECT_EQ(kinds.back(), "resolved");
}

// The expectation recorded for each bucket is what the volume detectors' tests compared its count with (the
// last test whose window held it): detectors fed the stored counts here, independently of the engine, expect
// exactly the same of every bucket; during the warm-up nothing is recorded, and a bucket tested only once the
// warm-up ended (the first windows) still gets the expectation of that test.
TEST_F(SurgeTest, EachBucketRecordsWhatTheVolumeDetectorsExpectedOfIt) {
  TempDir dir;
  Crisis c(dir.path());
  const auto posts = stream();
  c.feed(posts);
  ASSERT_TRUE(c.engine().finish());
  const Micros first = posts.front().post.created_at - posts.front().post.created_at % (5 * kMinute);
  const Micros end = posts.back().post.created_at;  // finish() processes the buckets ended by the last post
  const auto rows = c.db().crisis().expectations("acme", first - kDay, end + kDay);
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_FALSE(rows->empty());
  std::map<Micros, storage::BucketExpectation> recorded;
  for (const auto& r : *rows)
    recorded[r.bucket] = r.expected;

  const rules::DetectionOptions o;
  auto volume = rules::VolumeSpikeDetector::create(o.volume);
  auto negative = rules::VolumeSpikeDetector::create(o.negative_volume);
  ASSERT_TRUE(volume && negative);
  std::map<Micros, storage::BucketExpectation> expected;
  Micros first_tested = 0;
  for (Micros b = first; b + 5 * kMinute <= end; b += 5 * kMinute) {
    const auto totals = c.db().queries().totals("acme", b, b + 5 * kMinute);
    ASSERT_TRUE(totals);
    ASSERT_TRUE(volume->on_bucket(b, totals->count));
    ASSERT_TRUE(negative->on_bucket(b, totals->negative));
    for (const auto& [bucket, e] : volume->window_expected())
      expected[bucket].mentions = e;
    for (const auto& [bucket, e] : negative->window_expected())
      expected[bucket].negative = e;
    if (first_tested == 0 && !volume->window_expected().empty()) first_tested = b;
  }
  ASSERT_NE(first_tested, 0);
  // The first test's window reaches back before the end of the warm-up.
  EXPECT_EQ(expected.begin()->first, first_tested - 5 * 5 * kMinute);
  ASSERT_EQ(recorded.size(), expected.size());
  int surge_above = 0;
  for (const auto& [b, e] : expected) {
    const auto it = recorded.find(b);
    ASSERT_NE(it, recorded.end()) << "nothing recorded for " << format_rfc3339(b);
    ASSERT_TRUE(it->second.mentions && it->second.negative) << format_rfc3339(b);
    EXPECT_DOUBLE_EQ(*it->second.mentions, *e.mentions) << format_rfc3339(b);
    EXPECT_DOUBLE_EQ(*it->second.negative, *e.negative) << format_rfc3339(b);
    if (b >= kSurge && b < kSurge + kHour) {
      const auto totals = c.db().queries().totals("acme", b, b + 5 * kMinute);
      surge_above += totals->negative > 3 * *e.negative;
    }
  }
  EXPECT_GT(recorded.size(), 12u * 24);  // the fourth day and the surge
  EXPECT_GE(surge_above, 8);             // the surge stands out against what was expected
}

TEST_F(SurgeTest, PostsLateWithinTheAllowedLatenessCountAsInOrder) {
  auto posts = stream();
  // Each post arrives up to 90 s after the posts created after it (allowed lateness: 2 min).
  std::mt19937 rng(3);
  std::vector<std::pair<Micros, std::size_t>> arrival;
  std::uniform_int_distribution<Micros> delay(0, 90 * kMicrosPerSecond);
  for (std::size_t i = 0; i < posts.size(); ++i)
    arrival.emplace_back(posts[i].post.created_at + delay(rng), i);
  std::sort(arrival.begin(), arrival.end());
  std::vector<rules::ScoredPost> shuffled;
  for (const auto& [t, i] : arrival)
    shuffled.push_back(posts[i]);
  ASSERT_NE(shuffled.front().post.uid, "");

  TempDir in_order_dir, late_dir;
  // One post per write, as they would trickle in: the watermark moves with each.
  Crisis in_order(in_order_dir.path());
  in_order.feed(posts, 1);
  ASSERT_TRUE(in_order.engine().finish());
  Crisis late(late_dir.path());
  late.feed(shuffled, 1);
  ASSERT_TRUE(late.engine().finish());
  ASSERT_EQ(in_order.opened().size(), 1u);
  ASSERT_EQ(late.opened().size(), 1u);
  EXPECT_EQ(late.opened()[0].at, in_order.opened()[0].at);
  EXPECT_EQ(late.opened()[0].summary, in_order.opened()[0].summary);  // the same counts
}

TEST_F(SurgeTest, ARestartMidStreamChangesNothing) {
  const auto posts = stream();
  TempDir once_dir, twice_dir;
  Crisis once(once_dir.path());
  once.feed(posts);
  ASSERT_TRUE(once.engine().finish());

  const std::size_t half = posts.size() * 9 / 10;  // inside the surge's baseline, before it
  std::vector<Observed> events;
  {
    Crisis first(twice_dir.path());
    first.feed(std::vector<rules::ScoredPost>(posts.begin(), posts.begin() + half));
    events = first.events;
  }
  Crisis second(twice_dir.path());
  second.feed(std::vector<rules::ScoredPost>(posts.begin() + half, posts.end()));
  ASSERT_TRUE(second.engine().finish());
  events.insert(events.end(), second.events.begin(), second.events.end());

  ASSERT_EQ(events.size(), once.events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].event, once.events[i].event);
    EXPECT_EQ(events[i].at, once.events[i].at);
    EXPECT_EQ(events[i].summary, once.events[i].summary);
  }
}

TEST(CrisisEngine, CriticalKeywordOpensAtOnceAndARestartDoesNotRepeatIt) {
  TempDir dir;
  const Micros t = kMonday + 10 * kHour;
  std::vector<std::uint64_t> ids;
  {
    Crisis c(dir.path());
    c.feed({mention("calm", t, rules::Label::neutral)});
    auto breach = mention("breach", t + kMinute, rules::Label::negative);
    breach.post.text = "acme data breach: my account shows other people's";
    breach.matches.push_back({"breach", rules::RuleKind::topic, rules::Severity::critical});
    c.feed({breach});
    // At once: no bucket had to close.
    const auto opened = c.opened();
    ASSERT_EQ(opened.size(), 1u);
    EXPECT_EQ(opened[0].detector, "critical_keyword");
    EXPECT_EQ(opened[0].at, t + kMinute);
    ASSERT_EQ(c.notices.size(), 1u);
    EXPECT_EQ(c.notices[0].severity, rules::Severity::critical);
    ids.push_back(opened[0].id);
  }
  // The restart re-reads recent mentions: the breach post is known to its incident and not counted again.
  Crisis again(dir.path());
  EXPECT_TRUE(again.events.empty());
  EXPECT_TRUE(again.notices.empty());
  const auto inc = again.book().active_incident("acme");
  ASSERT_TRUE(inc);
  EXPECT_EQ(inc->id, ids[0]);
  EXPECT_EQ(inc->findings, 1);
}

rules::ScoredPost breach_post(std::string uid, Micros t) {
  auto p = mention(std::move(uid), t, rules::Label::negative);
  p.post.text = "acme data breach: my account shows other people's";
  p.matches.push_back({"breach", rules::RuleKind::topic, rules::Severity::critical});
  return p;
}

TEST(CrisisEngine, APostThatTriggeredNeverTriggersAgainEvenAfterItsIncidentResolved) {
  TempDir dir;
  const Micros t = kMonday + 10 * kHour;
  {
    Crisis c(dir.path());
    c.feed({breach_post("breach", t)});
    ASSERT_EQ(c.opened().size(), 1u);
    ASSERT_EQ(c.book().resolve(c.opened()[0].id, "carol").error, IncidentBook::ActionError::none);
    // The same post again (a source repeats it), and an edit of it.
    auto edit = breach_post("breach", t);
    edit.post.kind = ingest::Kind::edit;
    c.feed({breach_post("breach", t), edit});
    EXPECT_EQ(c.opened().size(), 1u);
  }
  Crisis again(dir.path());  // the restart re-reads recent mentions
  EXPECT_TRUE(again.opened().empty());
  EXPECT_FALSE(again.book().active_incident("acme"));
}

TEST(CrisisEngine, APostStoredJustBeforeACrashStillTriggersAfterTheRestart) {
  TempDir dir;
  const Micros t = kMonday + 10 * kHour;
  {
    Crisis c(dir.path());
    c.feed({mention("calm", t, rules::Label::neutral)});
    // Stored, but the process dies before the crisis step that would have seen it.
    const auto breach = breach_post("breach", t + kMinute);
    ASSERT_TRUE(c.db().posts().write(std::span<const rules::ScoredPost>(&breach, 1), {}));
    EXPECT_TRUE(c.opened().empty());
  }
  Crisis again(dir.path());
  const auto opened = again.opened();
  ASSERT_EQ(opened.size(), 1u);
  EXPECT_EQ(opened[0].detector, "critical_keyword");
}

TEST(CrisisEngine, InfluencerNegativePostJoinsTheOpenIncidentAndEscalatesNothingLower) {
  TempDir dir;
  Crisis c(dir.path());
  const Micros t = kMonday + 10 * kHour;
  auto breach = mention("breach", t, rules::Label::negative);
  breach.matches.push_back({"breach", rules::RuleKind::topic, rules::Severity::critical});
  c.feed({breach, mention("star", t + kMinute, rules::Label::negative, 250'000)});
  ASSERT_EQ(c.opened().size(), 1u);
  const auto inc = c.book().active_incident("acme");
  ASSERT_TRUE(inc);
  EXPECT_EQ(inc->findings, 2);
  EXPECT_EQ(inc->severity, rules::Severity::critical);
  EXPECT_TRUE(inc->has_detector(rules::DetectorKind::influencer));
  EXPECT_EQ(c.notices.size(), 1u);  // joining at a lower severity notifies nobody
}

}  // namespace
}  // namespace vigie::daemon
