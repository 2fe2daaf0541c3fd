#include "daemon/notify/outbox_entry.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace vigie::daemon {
namespace {

Notification sample() {
  Notification n;
  n.notifier = "ops";
  n.webhook_id = "msg_42_0123456789abcdef";
  n.type = NoticeType::escalated;
  n.incident_id = 18'000'000'000'000'000'042ull;
  n.content_type = "application/json";
  n.body = "{\"type\":\"incident.escalated\",\"x\":\"\xC3\xA9\\n\"}";
  n.created_at = 1'767'000'000'123'456;
  n.attempts = 3;
  n.next_attempt_at = 1'767'000'004'000'000;
  n.last_status = 503;
  n.last_error = "HTTP 503: busy";
  n.dead_at = 0;
  return n;
}

TEST(OutboxEntry, RoundTrips) {
  const Notification n = sample();
  const std::string value = encode_notification(n);
  EXPECT_EQ(value[0], '\x01');
  auto back = decode_notification(value);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->notifier, n.notifier);
  EXPECT_EQ(back->webhook_id, n.webhook_id);
  EXPECT_EQ(back->type, n.type);
  EXPECT_EQ(back->incident_id, n.incident_id);
  EXPECT_EQ(back->content_type, n.content_type);
  EXPECT_EQ(back->body, n.body);
  EXPECT_EQ(back->created_at, n.created_at);
  EXPECT_EQ(back->attempts, n.attempts);
  EXPECT_EQ(back->next_attempt_at, n.next_attempt_at);
  EXPECT_EQ(back->last_status, n.last_status);
  EXPECT_EQ(back->last_error, n.last_error);
  EXPECT_EQ(back->dead_at, n.dead_at);
}

TEST(OutboxEntry, DecodeErrorsSayWhat) {
  EXPECT_EQ(decode_notification("").error().message, "outbox entry: empty value");
  EXPECT_EQ(decode_notification("\x02{}").error().message,
            "outbox entry: unknown version 2 (this build reads 1)");
  EXPECT_EQ(decode_notification("\x01{").error().message.rfind("outbox entry: malformed JSON", 0), 0u);
  EXPECT_EQ(decode_notification("\x01[]").error().message, "outbox entry: not a JSON object");
  EXPECT_EQ(decode_notification("\x01{}").error().message, "outbox entry: missing 'notifier'");

  boost::json::object o = boost::json::parse(encode_notification(sample()).substr(1)).as_object();
  o["type"] = "incident.closed";
  EXPECT_EQ(decode_notification("\x01" + boost::json::serialize(o)).error().message,
            "outbox entry: unknown type 'incident.closed'");
  o["type"] = "incident.opened";
  o["attempts"] = -1;
  EXPECT_EQ(decode_notification("\x01" + boost::json::serialize(o)).error().message,
            "outbox entry: 'attempts' is not a number in range");
  o["attempts"] = 1;
  o["incident"] = "12x";
  EXPECT_EQ(decode_notification("\x01" + boost::json::serialize(o)).error().message,
            "outbox entry: 'incident' is not an id");
}

TEST(OutboxEntry, NotificationsForRoutesAndSharesOneWebhookId) {
  NotifierConfig a;
  a.id = "all";
  a.type = NotifierType::slack;
  NotifierConfig crit;
  crit.id = "critical-only";
  crit.min_severity = rules::Severity::critical;
  NotifierConfig hook;
  hook.id = "hook";
  hook.type = NotifierType::webhook;
  const std::vector<Notifier> notifiers{Notifier(a), Notifier(crit), Notifier(hook)};

  IncidentNotice notice;
  notice.incident_id = 7;
  notice.brand = "acme";
  notice.severity = rules::Severity::warning;
  notice.sent_at = 1'767'000'000'000'000;
  const auto values = notifications_for(notice, notifiers);
  ASSERT_EQ(values.size(), 2u);
  const Notification first = decode_notification(values[0]).value();
  const Notification second = decode_notification(values[1]).value();
  EXPECT_EQ(first.notifier, "all");
  EXPECT_EQ(second.notifier, "hook");
  EXPECT_EQ(first.webhook_id, second.webhook_id);
  EXPECT_EQ(first.webhook_id.rfind("msg_7_", 0), 0u);
  EXPECT_EQ(first.webhook_id.size(), 6u + 16u);
  EXPECT_EQ(first.created_at, notice.sent_at);
  EXPECT_EQ(first.attempts, 0u);
  EXPECT_EQ(first.incident_id, 7u);
  EXPECT_EQ(first.body, notifiers[0].render(notice).body);
  EXPECT_NE(make_webhook_id(7), make_webhook_id(7));
}

}  // namespace
}  // namespace vigie::daemon
