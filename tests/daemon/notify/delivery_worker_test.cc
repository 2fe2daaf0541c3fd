// The delivery worker against real receivers on loopback and a real RocksDB in a scratch directory.
// The worker's poll interval is long here, so that every delivery is driven by wake(), a timed retry or the
// start-up scan, as in production; backoff and max_age are shrunk to keep each test well under a second.
#include "daemon/notify/delivery_worker.h"

#include <gtest/gtest.h>

#include <functional>
#include <mutex>
#include <thread>

#include "daemon/notify/outbox_entry.h"
#include "daemon/notify/webhook_signature.h"
#include "tests/support/loopback_server.h"
#include "tests/support/source_harness.h"

namespace vigie::daemon {
namespace {

using namespace std::chrono_literals;
using vigie::testing::Exchange;
using vigie::testing::LoopbackServer;
using Clock = std::chrono::steady_clock;

const std::string kSecretA = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const std::string kSecretB = "whsec_" + base64_encode(std::string(32, 'b'));

struct Received {
  std::string id;
  std::string timestamp;
  std::string signature;
  std::string content_type;
  std::string body;
  unsigned answered = 0;
  Clock::time_point at;
};

// A webhook receiver that answers the i-th request (0-based) with script(i), adding `fail_headers` to
// answers that are not 2xx.
class Receiver {
 public:
  using Script = std::function<unsigned(int)>;
  explicit Receiver(Script script, Exchange::Headers fail_headers = {})
      : script_(std::move(script)),
        fail_headers_(std::move(fail_headers)),
        server_([this](Exchange& ex) { return handle(ex); }) {}

  std::string url() const { return server_.url("/hook"); }
  // Every answer waits this long after the request is recorded (a slow receiver).
  void hold(std::chrono::milliseconds d) { hold_ = d; }
  std::vector<Received> got() const {
    std::lock_guard lock(mu_);
    return got_;
  }
  std::size_t count() const { return got().size(); }
  // Requests answered 2xx.
  std::vector<Received> delivered() const {
    std::vector<Received> out;
    for (auto& r : got())
      if (r.answered >= 200 && r.answered < 300) out.push_back(r);
    return out;
  }

 private:
  boost::asio::awaitable<void> handle(Exchange& ex) {
    Received r;
    r.id = ex.header("webhook-id");
    r.timestamp = ex.header("webhook-timestamp");
    r.signature = ex.header("webhook-signature");
    r.content_type = ex.header("Content-Type");
    r.body = ex.request().body();
    r.at = Clock::now();
    {
      std::lock_guard lock(mu_);
      r.answered = script_(static_cast<int>(got_.size()));
      got_.push_back(r);
    }
    const std::chrono::milliseconds hold = hold_;
    if (hold > 0ms) co_await ex.sleep(hold);
    const unsigned status = r.answered;
    const bool ok = status >= 200 && status < 300;
    const Exchange::Headers& headers = ok ? Exchange::kNoHeaders : fail_headers_;
    const std::string body = ok ? "" : "receiver says no";
    co_await ex.respond(status, body, "text/plain", headers);
  }

  Script script_;
  Exchange::Headers fail_headers_;
  std::atomic<std::chrono::milliseconds> hold_{0ms};
  mutable std::mutex mu_;
  std::vector<Received> got_;
  LoopbackServer server_;  // last: its thread calls handle(), which uses the members above
};

bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return done();
}

IncidentNotice notice(NoticeType type, std::uint64_t incident = 42) {
  IncidentNotice n;
  n.type = type;
  n.incident_id = incident;
  n.brand = "acme";
  n.brand_name = "Acme";
  n.severity = rules::Severity::critical;
  n.status = "open";
  n.summary = "a spike";
  n.opened_at = n.at = n.sent_at = now_micros();
  return n;
}

Notifier webhook(const std::string& id, const std::string& url) {
  NotifierConfig c;
  c.id = id;
  c.type = NotifierType::webhook;
  c.url = url;
  c.secrets = {parse_webhook_secret(kSecretA).value(), parse_webhook_secret(kSecretB).value()};
  c.timeout = 2s;
  return Notifier(std::move(c));
}

class DeliveryWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }

  void open() {
    storage::DatabaseOptions o;
    o.path = dir_.path + "/db";
    o.block_cache_bytes = 8 << 20;
    db_ = storage::Database::open(o).value();
  }

  DeliveryOptions fast() {
    DeliveryOptions o;
    o.initial_backoff = 20ms;
    o.max_backoff = 80ms;
    o.max_age = 1h;
    o.poll_interval = 1h;  // every delivery below is caused by start(), wake() or a scheduled retry
    return o;
  }

  // Commits the notifications of `n` for `notifiers`, as the incident book does.
  void enqueue(const IncidentNotice& n, const std::vector<Notifier>& notifiers) {
    storage::CrisisChanges changes;
    for (std::string& v : notifications_for(n, notifiers))
      changes.notifications.push_back({std::move(v), n.incident_id});
    ASSERT_FALSE(changes.notifications.empty());
    ASSERT_TRUE(db_->crisis().commit(changes));
  }

  std::size_t outbox_size() { return db_->outbox().entries(0, 1000).value().size(); }
  std::vector<Notification> dead() {
    std::vector<Notification> out;
    for (const auto& e : db_->outbox().dead_letters(0, 1000).value())
      out.push_back(decode_notification(e.value).value());
    return out;
  }
  double value(prometheus::Counter* c) { return c->Value(); }

  vigie::testing::ScratchDir dir_;
  std::unique_ptr<storage::Database> db_;
  prometheus::Registry registry_;
  DeliveryMetrics metrics_{registry_};
};

TEST_F(DeliveryWorkerTest, DeliversSignedWebhooks) {
  Receiver rx([](int) { return 200u; });
  const std::vector<Notifier> notifiers{webhook("ops", rx.url())};
  enqueue(notice(NoticeType::opened), notifiers);  // pending before the worker starts
  DeliveryWorker worker(db_->outbox(), notifiers, metrics_, fast());
  ASSERT_TRUE(worker.start());
  ASSERT_TRUE(wait_for([&] { return rx.count() == 1 && outbox_size() == 0; }));

  enqueue(notice(NoticeType::escalated), notifiers);
  worker.wake();
  ASSERT_TRUE(wait_for([&] {
    return rx.count() == 2 && outbox_size() == 0 && value(metrics_.notifier("ops").delivered) == 2;
  }));

  const std::int64_t now = now_micros() / kMicrosPerSecond;
  for (const Received& r : rx.got()) {
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(r.id.rfind("msg_42_", 0), 0u);
    // Either secret alone verifies: receivers may rotate.
    for (const auto& s : {kSecretA, kSecretB}) {
      const std::vector<WebhookSecret> one{parse_webhook_secret(s).value()};
      EXPECT_TRUE(verify_webhook(r.id, r.timestamp, r.body, r.signature, one, now)) << r.signature;
    }
  }
  EXPECT_NE(rx.got()[0].body.find("\"type\":\"incident.opened\""), std::string::npos);
  EXPECT_NE(rx.got()[1].body.find("\"type\":\"incident.escalated\""), std::string::npos);
  EXPECT_EQ(value(metrics_.notifier("ops").delivered), 2);
  EXPECT_EQ(metrics_.notifier("ops").duration->Collect().histogram.sample_count, 2u);
  EXPECT_TRUE(wait_for([&] { return metrics_.outbox_pending().Value() == 0; }));
}

TEST_F(DeliveryWorkerTest, RetriesServerErrorsKeepingOrderAndId) {
  Receiver rx([](int i) { return i < 3 ? 503u : 200u; });
  const std::vector<Notifier> notifiers{webhook("ops", rx.url())};
  enqueue(notice(NoticeType::opened), notifiers);
  enqueue(notice(NoticeType::escalated), notifiers);
  enqueue(notice(NoticeType::resolved), notifiers);
  DeliveryWorker worker(db_->outbox(), notifiers, metrics_, fast());
  ASSERT_TRUE(worker.start());
  ASSERT_TRUE(wait_for([&] {
    return rx.delivered().size() == 3 && outbox_size() == 0 && value(metrics_.notifier("ops").delivered) == 3;
  }));

  const auto got = rx.got();
  ASSERT_EQ(got.size(), 6u);  // 3 failures of the first, then one success each: later ones waited
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(got[i].id, got[0].id) << "the same webhook-id on every retry";
  const auto delivered = rx.delivered();
  EXPECT_NE(delivered[0].body.find("incident.opened"), std::string::npos);
  EXPECT_NE(delivered[1].body.find("incident.escalated"), std::string::npos);
  EXPECT_NE(delivered[2].body.find("incident.resolved"), std::string::npos);
  EXPECT_NE(delivered[0].id, delivered[1].id);
  EXPECT_NE(delivered[1].id, delivered[2].id);
  // Backoff between retries grows: at least half of 20, 40, 80 ms.
  EXPECT_GE(got[1].at - got[0].at, 10ms);
  EXPECT_GE(got[3].at - got[2].at, 40ms);
  EXPECT_EQ(value(metrics_.notifier("ops").retried), 3);
  EXPECT_EQ(value(metrics_.notifier("ops").delivered), 3);
  EXPECT_TRUE(dead().empty());
}

TEST_F(DeliveryWorkerTest, ClientErrorGoesToDeadLettersAtOnce) {
  Receiver rx([](int i) { return i == 0 ? 400u : 200u; });
  const std::vector<Notifier> notifiers{webhook("ops", rx.url())};
  enqueue(notice(NoticeType::opened), notifiers);
  enqueue(notice(NoticeType::resolved), notifiers);
  DeliveryWorker worker(db_->outbox(), notifiers, metrics_, fast());
  ASSERT_TRUE(worker.start());
  ASSERT_TRUE(wait_for(
      [&] { return rx.count() == 2 && outbox_size() == 0 && metrics_.dead_letters().Value() == 1; }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(rx.count(), 2u) << "a 400 is not retried";

  const auto letters = dead();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].type, NoticeType::opened);
  EXPECT_EQ(letters[0].attempts, 1u);
  EXPECT_EQ(letters[0].last_status, 400u);
  EXPECT_EQ(letters[0].last_error, "not retried: HTTP 400: receiver says no");
  EXPECT_GT(letters[0].dead_at, 0);
  EXPECT_NE(rx.delivered().at(0).body.find("incident.resolved"), std::string::npos) << "the lane moved on";
  EXPECT_EQ(value(metrics_.notifier("ops").dead), 1);
  EXPECT_EQ(metrics_.dead_letters().Value(), 1);
}

// What the incident page lists: every notification of the incident with its outcome, the delivered ones
// included although they left the outbox (their record, without the body, is kept under the incident).
TEST_F(DeliveryWorkerTest, OutcomesStayListedUnderTheIncident) {
  using Place = storage::IncidentNotificationRow::Place;
  Receiver a([](int i) { return i == 0 ? 400u : 200u; });
  Receiver b([](int) { return 503u; });
  const std::vector<Notifier> both{webhook("a", a.url()), webhook("b", b.url())};
  enqueue(notice(NoticeType::opened), both);
  enqueue(notice(NoticeType::resolved), {both[0]});
  enqueue(notice(NoticeType::opened, 7), {both[0]});  // another incident
  const Micros started = now_micros();
  DeliveryWorker worker(db_->outbox(), both, metrics_, fast());
  ASSERT_TRUE(worker.start());
  ASSERT_TRUE(wait_for([&] { return a.count() == 3 && b.count() >= 2 && outbox_size() == 1; }));

  const auto rows = db_->crisis().notifications_of(42, 10);
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 3u);
  const auto decoded = [](const storage::IncidentNotificationRow& r) {
    return decode_notification(r.value).value();
  };
  ASSERT_EQ((*rows)[0].place, Place::dead_letter);  // opened, to a: refused with a 400
  const Notification refused = decoded((*rows)[0]);
  EXPECT_EQ(refused.notifier, "a");
  EXPECT_EQ(refused.last_status, 400u);
  EXPECT_GE(refused.updated_at, started);
  ASSERT_EQ((*rows)[1].place, Place::outbox);  // opened, to b: still retrying
  const Notification retrying = decode_notification(db_->outbox().entries(0, 10).value().at(0).value).value();
  EXPECT_EQ(retrying.notifier, "b");
  EXPECT_GE(retrying.attempts, 1u);
  EXPECT_EQ(retrying.last_status, 503u);
  ASSERT_EQ((*rows)[2].place, Place::delivered);  // resolved, to a
  const Notification delivered = decoded((*rows)[2]);
  EXPECT_EQ(delivered.type, NoticeType::resolved);
  EXPECT_EQ(delivered.attempts, 1u);
  EXPECT_EQ(delivered.last_status, 200u);
  EXPECT_EQ(delivered.last_error, "");
  EXPECT_EQ(delivered.body, "") << "the record keeps no body";
  EXPECT_GE(delivered.updated_at, started);
  const auto other = db_->crisis().notifications_of(7, 10);
  ASSERT_EQ(other->size(), 1u);
  EXPECT_EQ((*other)[0].place, Place::delivered);
}

TEST_F(DeliveryWorkerTest, HonoursRetryAfter) {
  Receiver rx([](int i) { return i == 0 ? 429u : 200u; }, {{"Retry-After", "1"}});
  const std::vector<Notifier> notifiers{webhook("ops", rx.url())};
  enqueue(notice(NoticeType::opened), notifiers);
  DeliveryWorker worker(db_->outbox(), notifiers, metrics_, fast());
  ASSERT_TRUE(worker.start());
  ASSERT_TRUE(wait_for([&] { return rx.delivered().size() == 1; }));
  const auto got = rx.got();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_GE(got[1].at - got[0].at, 950ms) << "backoff alone would retry after 10-20 ms";
  EXPECT_EQ(got[0].id, got[1].id);
}

TEST_F(DeliveryWorkerTest, ResumesPendingDeliveriesAfterRestart) {
  std::atomic<bool> up{false};
  Receiver rx([&](int) { return up ? 200u : 503u; });
  const std::vector<Notifier> notifiers{webhook("ops", rx.url())};
  enqueue(notice(NoticeType::opened), notifiers);
  {
    DeliveryOptions slow = fast();
    slow.initial_backoff = 10s;  // one attempt, then a retry far away: the restart must not lose it
    slow.max_backoff = 10s;
    DeliveryWorker worker(db_->outbox(), notifiers, metrics_, slow);
    ASSERT_TRUE(worker.start());
    ASSERT_TRUE(wait_for([&] { return value(metrics_.notifier("ops").retried) == 1; }));
  }
  const auto pending = db_->outbox().entries(0, 10).value();
  ASSERT_EQ(pending.size(), 1u);
  const Notification stored = decode_notification(pending[0].value).value();
  EXPECT_EQ(stored.attempts, 1u);
  EXPECT_EQ(stored.last_status, 503u);
  EXPECT_GT(stored.next_attempt_at, now_micros() + 4 * kMicrosPerSecond);

  // Reopen, as a restarted daemon does; make the retry due now rather than in 10 s.
  db_.reset();
  open();
  Notification due = stored;
  due.next_attempt_at = 0;
  ASSERT_TRUE(db_->outbox().update(pending[0].seq, encode_notification(due)));
  up = true;
  DeliveryWorker worker(db_->outbox(), notifiers, metrics_, fast());
  ASSERT_TRUE(worker.start());
  ASSERT_TRUE(wait_for([&] { return rx.delivered().size() == 1 && outbox_size() == 0; }));
  EXPECT_EQ(rx.delivered()[0].id, stored.webhook_id);
  EXPECT_EQ(rx.count(), 2u);
}

TEST_F(DeliveryWorkerTest, GivesUpAfterMaxAge) {
  Receiver rx([](int) { return 503u; });
  const std::vector<Notifier> notifiers{webhook("ops", rx.url())};
  enqueue(notice(NoticeType::opened), notifiers);
  DeliveryOptions o = fast();
  o.max_age = 150ms;
  DeliveryWorker worker(db_->outbox(), notifiers, metrics_, o);
  ASSERT_TRUE(worker.start());
  // Rows are visible a moment before they are durable; the worker counts once the move is durable.
  ASSERT_TRUE(wait_for([&] { return dead().size() == 1 && value(metrics_.notifier("ops").dead) == 1; }));
  const Notification letter = dead()[0];
  EXPECT_GE(letter.attempts, 2u);
  EXPECT_EQ(
      letter.last_error.rfind("gave up after " + std::to_string(letter.attempts) + " attempts over ", 0), 0u)
      << letter.last_error;
  EXPECT_NE(letter.last_error.find("HTTP 503: receiver says no"), std::string::npos);
  EXPECT_EQ(outbox_size(), 0u);
  EXPECT_EQ(value(metrics_.notifier("ops").dead), 1);
  EXPECT_EQ(value(metrics_.notifier("ops").retried), letter.attempts - 1);
}

TEST_F(DeliveryWorkerTest, NetworkErrorsAreRetried) {
  std::string url;
  {
    Receiver gone([](int) { return 200u; });
    url = gone.url();
  }  // nothing listens there any more
  const std::vector<Notifier> notifiers{webhook("ops", url)};
  enqueue(notice(NoticeType::opened), notifiers);
  DeliveryWorker worker(db_->outbox(), notifiers, metrics_, fast());
  ASSERT_TRUE(worker.start());
  ASSERT_TRUE(wait_for([&] { return value(metrics_.notifier("ops").retried) >= 2; }));
  const Notification n = decode_notification(db_->outbox().entries(0, 1).value().at(0).value).value();
  EXPECT_EQ(n.last_status, 0u);
  EXPECT_NE(n.last_error.find("Connection refused"), std::string::npos) << n.last_error;
}

TEST_F(DeliveryWorkerTest, ABlockedReceiverHoldsOnlyItsOwnLane) {
  Receiver down([](int) { return 503u; });
  Receiver up([](int) { return 200u; });
  const std::vector<Notifier> notifiers{webhook("down", down.url()), webhook("up", up.url())};
  DeliveryWorker worker(db_->outbox(), notifiers, metrics_, fast());
  ASSERT_TRUE(worker.start());
  enqueue(notice(NoticeType::opened, 1), notifiers);
  enqueue(notice(NoticeType::opened, 2), notifiers);
  worker.wake();
  ASSERT_TRUE(wait_for([&] { return up.delivered().size() == 2 && outbox_size() == 2; }));
  for (const auto& r : down.got())
    EXPECT_NE(r.body.find("\"id\":\"1\""), std::string::npos) << "incident 2 waits behind incident 1";
  worker.wake();  // a scan refreshes the gauge
  EXPECT_TRUE(wait_for([&] { return metrics_.outbox_pending().Value() == 2; }));
}

TEST_F(DeliveryWorkerTest, EntriesOfAnUnknownNotifierAreDeadLettered) {
  Receiver rx([](int) { return 200u; });
  enqueue(notice(NoticeType::opened), {webhook("removed", rx.url())});
  DeliveryWorker worker(db_->outbox(), {webhook("ops", rx.url())}, metrics_, fast());
  ASSERT_TRUE(worker.start());
  ASSERT_TRUE(wait_for([&] { return dead().size() == 1; }));
  EXPECT_EQ(dead()[0].last_error, "no notifier 'removed' is configured");
  EXPECT_EQ(rx.count(), 0u);
}

TEST_F(DeliveryWorkerTest, StopLeavesTheAttemptInFlightInTheOutbox) {
  Receiver slow([](int) { return 200u; });
  slow.hold(2s);  // the answer comes after the worker stopped
  const std::vector<Notifier> notifiers{webhook("ops", slow.url())};
  enqueue(notice(NoticeType::opened), notifiers);
  {
    DeliveryWorker worker(db_->outbox(), notifiers, metrics_, fast());
    ASSERT_TRUE(worker.start());
    ASSERT_TRUE(wait_for([&] { return slow.count() == 1; }));
    worker.stop();
  }
  EXPECT_EQ(outbox_size(), 1u);
  EXPECT_EQ(value(metrics_.notifier("ops").delivered), 0);
}

}  // namespace
}  // namespace vigie::daemon
