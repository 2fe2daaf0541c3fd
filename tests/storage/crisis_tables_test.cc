// The crisis tables on a real RocksDB: atomic crisis commits, outbox order and sequence numbers across
// reopens, dead letters, incident listing and timelines, detector state and silences.
#include <gtest/gtest.h>

#include <thread>

#include "storage/database.h"
#include "tests/storage/storage_test_support.h"

namespace vigie::storage {
namespace {

using testing::TempDir;

class CrisisTablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::open_db(dir_.path());
    ASSERT_TRUE(db_);
  }
  void reopen() {
    db_.reset();
    db_ = testing::open_db(dir_.path());
    ASSERT_TRUE(db_);
  }

  TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(CrisisTablesTest, OneCommitHoldsIncidentTimelineNotificationsAndState) {
  CrisisChanges c;
  c.incidents.push_back({1, "incident one"});
  c.events.push_back({1, 500, 1, "fired"});
  c.events.push_back({1, 100, 0, "first mention"});
  c.notifications = {"opened to slack", "opened to webhook"};
  c.detector_states.push_back({"acme/volume", "state"});
  c.silences.push_back({3, "silence three"});
  const auto seqs = db_->crisis().commit(c);
  ASSERT_TRUE(seqs) << seqs.error().message;
  ASSERT_EQ(seqs->size(), 2u);
  EXPECT_EQ((*seqs)[1], (*seqs)[0] + 1);

  reopen();
  EXPECT_EQ(db_->crisis().incident(1)->value_or(""), "incident one");
  EXPECT_FALSE(db_->crisis().incident(2)->has_value());
  const auto ev = db_->crisis().incident_events(1, 10);
  ASSERT_TRUE(ev);
  ASSERT_EQ(ev->size(), 2u);
  EXPECT_EQ((*ev)[0].value, "first mention");  // time order, not insertion order
  EXPECT_EQ((*ev)[0].time, 100);
  EXPECT_EQ((*ev)[1].value, "fired");
  const auto box = db_->outbox().entries(0, 10);
  ASSERT_TRUE(box);
  ASSERT_EQ(box->size(), 2u);
  EXPECT_EQ((*box)[0].value, "opened to slack");
  EXPECT_EQ((*box)[0].seq, (*seqs)[0]);
  const auto states = db_->crisis().detector_states();
  ASSERT_EQ(states->size(), 1u);
  EXPECT_EQ((*states)[0].name, "acme/volume");
  EXPECT_EQ((*states)[0].value, "state");
  ASSERT_EQ(db_->crisis().silences()->size(), 1u);
  EXPECT_EQ(db_->crisis().silences()->front().id, 3u);

  CrisisChanges removal;
  removal.silences_removed = {3};
  ASSERT_TRUE(db_->crisis().commit(removal));
  EXPECT_TRUE(db_->crisis().silences()->empty());
  // An empty change writes nothing and succeeds.
  EXPECT_TRUE(db_->crisis().commit({}));
}

TEST_F(CrisisTablesTest, IncidentsListNewestFirstWithKeysetPages) {
  CrisisChanges c;
  for (std::uint64_t id : {2, 10, 1, 300})
    c.incidents.push_back({id, "v" + std::to_string(id)});
  c.events.push_back({10, 0, 0, "event of 10"});
  ASSERT_TRUE(db_->crisis().commit(c));
  EXPECT_EQ(*db_->crisis().last_incident_id(), 300u);
  const auto first = db_->crisis().incidents(0, 2);
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].id, 300u);
  EXPECT_EQ((*first)[1].id, 10u);
  const auto next = db_->crisis().incidents(10, 10);
  ASSERT_EQ(next->size(), 2u);
  EXPECT_EQ((*next)[0].id, 2u);
  EXPECT_EQ((*next)[1].id, 1u);
  EXPECT_TRUE(db_->crisis().incident_events(2, 10)->empty());  // 10's events are not 2's, nor 1's
  EXPECT_TRUE(db_->crisis().incident_events(1, 10)->empty());
  EXPECT_EQ(db_->crisis().incident_events(10, 10)->size(), 1u);
}

TEST_F(CrisisTablesTest, OutboxSequenceSurvivesDeliveryDeadLettersAndReopen) {
  CrisisChanges c;
  c.notifications = {"a", "b", "c"};
  const auto seqs = *db_->crisis().commit(c);
  ASSERT_TRUE(db_->outbox().update(seqs[1], "b retried once"));
  ASSERT_TRUE(db_->outbox().remove(seqs[0]));
  ASSERT_TRUE(db_->outbox().dead_letter(seqs[2], "c gave up"));
  const auto box = db_->outbox().entries(0, 10);
  ASSERT_EQ(box->size(), 1u);
  EXPECT_EQ((*box)[0].value, "b retried once");
  const auto dead = db_->outbox().dead_letters(0, 10);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].seq, seqs[2]);
  EXPECT_EQ((*dead)[0].value, "c gave up");

  // The last outbox entry is now a dead letter: its number must still not be given again.
  ASSERT_TRUE(db_->outbox().remove(seqs[1]));
  reopen();
  CrisisChanges more;
  more.notifications = {"d"};
  EXPECT_GT(db_->crisis().commit(more)->front(), seqs[2]);
}

TEST_F(CrisisTablesTest, ConcurrentCommitsAppearInSequenceOrder) {
  constexpr int kPerThread = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        CrisisChanges c;
        c.notifications = {std::to_string(t) + ":" + std::to_string(i)};
        ASSERT_TRUE(db_->crisis().commit(c));
      }
    });
  }
  // A reader walking forward never finds an entry below one it has already seen.
  std::uint64_t next = 0;
  std::size_t seen = 0;
  while (seen < 2 * kPerThread) {
    const auto box = db_->outbox().entries(next, 1000);
    ASSERT_TRUE(box);
    for (const auto& e : *box) {
      ASSERT_GE(e.seq, next);
      next = e.seq + 1;
      ++seen;
    }
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(db_->outbox().entries(0, 1000)->size(), std::size_t{2 * kPerThread});
}

}  // namespace
}  // namespace vigie::storage

namespace vigie::storage {
namespace {

using Place = IncidentNotificationRow::Place;

// Each notification of an incident is found wherever it is: in the outbox (also after a retry updates it),
// in the dead letters, or, once delivered and gone from the outbox, as the record written with its removal.
TEST_F(CrisisTablesTest, NotificationsOfAnIncidentKeepTheirOutcome) {
  CrisisChanges c;
  c.notifications = {{"opened to slack", 7}, {"opened to hook", 7}, {"other incident", 8}, "no incident"};
  const auto seqs = *db_->crisis().commit(c);
  auto rows = db_->crisis().notifications_of(7, 10);
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].seq, seqs[0]);
  EXPECT_EQ((*rows)[0].place, Place::outbox);
  EXPECT_EQ((*rows)[0].value, "opened to slack");

  ASSERT_TRUE(db_->outbox().update(seqs[0], "slack retried"));
  ASSERT_TRUE(db_->outbox().remove(seqs[1], 7, "hook delivered"));
  rows = db_->crisis().notifications_of(7, 10);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].place, Place::outbox);
  EXPECT_EQ((*rows)[0].value, "slack retried");
  EXPECT_EQ((*rows)[1].place, Place::delivered);
  EXPECT_EQ((*rows)[1].value, "hook delivered");

  ASSERT_TRUE(db_->outbox().dead_letter(seqs[0], "slack gave up"));
  reopen();
  rows = db_->crisis().notifications_of(7, 10);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].place, Place::dead_letter);
  EXPECT_EQ((*rows)[0].value, "slack gave up");
  EXPECT_EQ((*rows)[1].place, Place::delivered);
  EXPECT_EQ(db_->crisis().notifications_of(7, 1)->size(), 1u);
  ASSERT_EQ(db_->crisis().notifications_of(8, 10)->size(), 1u);
  EXPECT_TRUE(db_->crisis().notifications_of(9, 10)->empty());
  // Removed without an incident (an entry queued before outcomes were recorded): nothing is listed for it.
  ASSERT_TRUE(db_->outbox().remove(seqs[3]));
  EXPECT_TRUE(db_->crisis().notifications_of(0, 10)->empty());
}

TEST_F(CrisisTablesTest, ExpectationsAreReadBackByBrandAndTime) {
  CrisisChanges c;
  c.expectations.push_back({"acme", 600, {2.5, 0.5}});
  c.expectations.push_back({"acme", 300, {2.0, std::nullopt}});
  c.expectations.push_back({"acme2", 300, {9.0, 9.0}});
  c.expectations.push_back({"acme", 900, {std::nullopt, 1.0}});
  ASSERT_TRUE(db_->crisis().commit(c));
  reopen();
  const auto rows = db_->crisis().expectations("acme", 300, 900);
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);  // 900 is the end, excluded; acme2 is another brand
  EXPECT_EQ((*rows)[0].bucket, 300);
  EXPECT_DOUBLE_EQ((*rows)[0].expected.mentions.value(), 2.0);
  EXPECT_FALSE((*rows)[0].expected.negative);
  EXPECT_EQ((*rows)[1].bucket, 600);
  EXPECT_DOUBLE_EQ((*rows)[1].expected.negative.value(), 0.5);
  EXPECT_TRUE(db_->crisis().expectations("acme", 900, 900)->empty());
  EXPECT_FALSE(db_->crisis().expectations("", 0, 900));
}

}  // namespace
}  // namespace vigie::storage
