#include "daemon/notify/notifier.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "ingest/base/yaml_reader.h"

namespace vigie::daemon {
namespace {

namespace json = boost::json;

constexpr std::string_view kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

// The first notifier of `yaml` (a `notifiers:` list), as config.cc hands it over.
Result<Notifier> read(const std::string& yaml) {
  YAML::Node root = load_yaml_string(yaml, "vigie.yaml");
  const YAML::Node item = root[0];
  ComponentConfig c;
  c.id = item["id"].Scalar();
  c.type = item["type"].Scalar();
  c.node = item;
  c.file = "vigie.yaml";
  return Notifier::read(c);
}

std::string error_of(const std::string& yaml) {
  auto n = read(yaml);
  return n ? "no error" : n.error().message;
}

IncidentNotice notice(NoticeType type = NoticeType::opened) {
  IncidentNotice n;
  n.type = type;
  n.incident_id = 42;
  n.brand = "acme";
  n.brand_name = "Acme <Corp> & Co";
  n.severity = rules::Severity::critical;
  n.status = "open";
  n.detectors = {rules::DetectorKind::negative_volume, rules::DetectorKind::influencer};
  n.summary = "42 negative mentions in 30 min vs 9.5 expected (4.4x)";
  n.opened_at = 1'767'000'000'000'000;
  n.at = n.opened_at + 60'000'000;
  n.sent_at = n.at + 1'500'000;
  n.link = "https://vigie.example/api/v1/incidents/42";
  n.top_posts.push_back({"masto:1", "https://m.example/@bob/1", "bob", 12000, "Acme lost my data"});
  n.top_posts.push_back({"bsky:2", "", "carol", -1, "never again"});
  return n;
}

json::object parse(const std::string& body) {
  return json::parse(body).as_object();
}

TEST(NotifierConfig, ReadsEveryOption) {
  auto n = read(R"(
- id: ops
  type: webhook
  url: https://hooks.example/vigie
  secrets: [whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw]
  headers: {X-Team: comms}
  brands: [acme]
  min_severity: critical
  events: [opened, incident.resolved]
  timeout: 3s
)");
  ASSERT_TRUE(n) << n.error().message;
  const NotifierConfig& c = n->config();
  EXPECT_EQ(c.id, "ops");
  EXPECT_EQ(c.type, NotifierType::webhook);
  EXPECT_EQ(c.url, "https://hooks.example/vigie");
  EXPECT_EQ(c.secrets.size(), 2u);
  ASSERT_EQ(c.headers.size(), 1u);
  EXPECT_EQ(c.headers[0].first, "X-Team");
  EXPECT_EQ(c.brands, std::vector<std::string>{"acme"});
  EXPECT_EQ(c.min_severity, rules::Severity::critical);
  EXPECT_EQ(c.events, (std::vector<NoticeType>{NoticeType::opened, NoticeType::resolved}));
  EXPECT_EQ(c.timeout, std::chrono::seconds(3));
}

TEST(NotifierConfig, Defaults) {
  auto n = read("- {id: pd, type: pagerduty, routing_key: R0UT1NG}\n");
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(n->config().url, kPagerDutyEventsUrl);
  EXPECT_EQ(n->config().min_severity, rules::Severity::warning);
  EXPECT_EQ(n->config().timeout, std::chrono::seconds(10));
  EXPECT_TRUE(n->config().events.empty());
  EXPECT_TRUE(read("- {id: s, type: slack, url: 'https://hooks.slack.com/services/T/B/X'}\n"));
}

TEST(NotifierConfig, ErrorsAreLocated) {
  EXPECT_EQ(
      error_of("- {id: x, type: email, url: 'http://a'}\n"),
      "vigie.yaml:1:17: notifier \"x\": unknown type 'email' (known: webhook, slack, teams, pagerduty)");
  EXPECT_EQ(error_of("- {id: x, type: slack}\n"),
            "vigie.yaml:1:3: notifier \"x\": missing required key 'url'");
  EXPECT_EQ(
      error_of("- {id: x, type: webhook, url: 'http://a'}\n"),
      "vigie.yaml:1:3: notifier \"x\": a webhook needs 'secrets', a list of at least one whsec_... secret");
  EXPECT_EQ(error_of("- id: x\n  type: webhook\n  url: http://a\n  secrets: [nope]\n"),
            "vigie.yaml:4:13: notifier \"x\": webhook secret: expected 'whsec_' followed by a base64 key (as "
            "Standard Webhooks prints it)");
  EXPECT_EQ(error_of("- {id: x, type: pagerduty}\n"),
            "vigie.yaml:1:3: notifier \"x\": missing required key 'routing_key'");
  EXPECT_EQ(
      error_of("- {id: x, type: slack, url: 'ftp://a'}\n").rfind("vigie.yaml:1:29: notifier \"x\": ", 0), 0u);
  EXPECT_EQ(error_of("- {id: x, type: slack, url: 'http://a', routing_key: k}\n"),
            "vigie.yaml:1:54: notifier \"x\": 'routing_key' is for pagerduty notifiers only");
  EXPECT_EQ(error_of("- {id: x, type: slack, url: 'http://a', events: [closed]}\n"),
            "vigie.yaml:1:50: 'events' in notifier \"x\": unknown event 'closed' (known: opened, escalated, "
            "reminder, acknowledged, resolved)");
  EXPECT_EQ(error_of("- {id: x, type: slack, url: 'http://a', min_severity: info}\n"),
            "vigie.yaml:1:55: 'min_severity' in notifier \"x\": 'info' is not one of warning, critical");
  EXPECT_EQ(error_of("- {id: x, type: slack, url: 'http://a', timout: 5s}\n").rfind("vigie.yaml:1:", 0), 0u);
  EXPECT_NE(error_of("- {id: x, type: slack, url: 'http://a', timout: 5s}\n").find("unknown key 'timout'"),
            std::string::npos);
}

TEST(NotifierConfig, ReadNotifiersStopsAtTheFirstError) {
  YAML::Node root =
      load_yaml_string("- {id: a, type: slack, url: 'http://a'}\n- {id: b, type: slack}\n", "v.yaml");
  std::vector<ComponentConfig> sections;
  for (const auto& item : root)
    sections.push_back({item["id"].Scalar(), item["type"].Scalar(), item, "v.yaml"});
  auto all = read_notifiers(sections);
  ASSERT_FALSE(all);
  EXPECT_EQ(all.error().message, "v.yaml:2:3: notifier \"b\": missing required key 'url'");
  sections.pop_back();
  EXPECT_EQ(read_notifiers(sections)->size(), 1u);
}

TEST(NotifierRoute, FiltersByBrandSeverityAndEvent) {
  NotifierConfig c;
  c.id = "r";
  const Notifier all(c);
  IncidentNotice n = notice();
  EXPECT_TRUE(all.accepts(n));
  n.severity = rules::Severity::warning;
  EXPECT_TRUE(all.accepts(n));
  n.severity = rules::Severity::info;
  EXPECT_FALSE(all.accepts(n));

  c.min_severity = rules::Severity::critical;
  c.brands = {"globex", "acme"};
  c.events = {NoticeType::opened, NoticeType::escalated};
  const Notifier picky(c);
  n = notice();
  EXPECT_TRUE(picky.accepts(n));
  n.severity = rules::Severity::warning;
  EXPECT_FALSE(picky.accepts(n));
  n = notice();
  n.brand = "initech";
  EXPECT_FALSE(picky.accepts(n));
  EXPECT_FALSE(picky.accepts(notice(NoticeType::resolved)));
  EXPECT_TRUE(picky.accepts(notice(NoticeType::escalated)));
}

TEST(NotifierRender, Webhook) {
  NotifierConfig c;
  c.type = NotifierType::webhook;
  IncidentNotice in = notice(NoticeType::acknowledged);
  in.actor = "alice";
  const RenderedNotice r = Notifier(c).render(in);
  EXPECT_EQ(r.content_type, "application/json");
  json::object o = parse(r.body);
  EXPECT_EQ(o.size(), 3u);
  EXPECT_EQ(o["type"], "incident.acknowledged");
  EXPECT_EQ(o["timestamp"], "2025-12-29T09:21:01.500Z");
  json::object& d = o["data"].as_object();
  EXPECT_EQ(d["id"], "42");
  EXPECT_EQ(d["brand"], "acme");
  EXPECT_EQ(d["brand_name"], "Acme <Corp> & Co");
  EXPECT_EQ(d["severity"], "critical");
  EXPECT_EQ(d["status"], "open");
  EXPECT_EQ(d["detectors"], (json::array{"negative_volume", "influencer"}));
  EXPECT_EQ(d["summary"].as_string(), in.summary);
  EXPECT_EQ(d["opened_at"], "2025-12-29T09:20:00Z");
  EXPECT_EQ(d["at"], "2025-12-29T09:21:00Z");
  EXPECT_EQ(d["actor"], "alice");
  EXPECT_EQ(d["link"].as_string(), in.link);
  json::array& posts = d["top_posts"].as_array();
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].at("followers"), 12000);
  EXPECT_EQ(posts[0].at("url"), "https://m.example/@bob/1");
  EXPECT_TRUE(posts[1].at("followers").is_null());
  EXPECT_TRUE(posts[1].at("url").is_null());
  EXPECT_TRUE(parse(Notifier(c).render(notice()).body)["data"].at("actor").is_null());
}

TEST(NotifierRender, Slack) {
  NotifierConfig c;
  c.type = NotifierType::slack;
  json::object o = parse(Notifier(c).render(notice()).body);
  const std::string text(o["text"].as_string());
  EXPECT_EQ(text.rfind("Incident #42 opened: Acme <Corp> & Co (critical): 42 negative", 0), 0u) << text;
  json::array& blocks = o["blocks"].as_array();
  ASSERT_EQ(blocks.size(), 4u);
  EXPECT_EQ(blocks[0].at("type"), "header");
  EXPECT_EQ(blocks[0].at("text").at("type"), "plain_text");
  EXPECT_EQ(blocks[1].at("type"), "section");
  const json::array& fields = blocks[1].at("fields").as_array();
  EXPECT_EQ(fields[0].at("text"), "*Brand*\nAcme &lt;Corp&gt; &amp; Co");  // mrkdwn escaped
  EXPECT_EQ(fields[0].at("type"), "mrkdwn");
  EXPECT_LE(fields.size(), 10u);
  const std::string posts(blocks[2].at("text").at("text").as_string());
  EXPECT_NE(posts.find("<https://m.example/@bob/1|@bob> (12000 followers): Acme lost my data"),
            std::string::npos);
  EXPECT_NE(posts.find("@carol: never again"), std::string::npos);
  EXPECT_EQ(blocks[3].at("type"), "context");
  const std::string context(blocks[3].at("elements").at(0).at("text").as_string());
  EXPECT_NE(context.find("<https://vigie.example/api/v1/incidents/42|open in Vigie>"), std::string::npos);

  IncidentNotice longer = notice();
  longer.brand_name = std::string(300, 'x');
  json::object o2 = parse(Notifier(c).render(longer).body);
  EXPECT_LE(o2["blocks"].at(0).at("text").at("text").as_string().size(), 150u);
}

TEST(NotifierRender, TeamsAdaptiveCard) {
  NotifierConfig c;
  c.type = NotifierType::teams;
  json::object o = parse(Notifier(c).render(notice(NoticeType::resolved)).body);
  EXPECT_EQ(o["type"], "message");
  json::array& attachments = o["attachments"].as_array();
  ASSERT_EQ(attachments.size(), 1u);
  EXPECT_EQ(attachments[0].at("contentType"), "application/vnd.microsoft.card.adaptive");
  const json::object& card = attachments[0].at("content").as_object();
  EXPECT_EQ(card.at("type"), "AdaptiveCard");
  EXPECT_EQ(card.at("version"), "1.4");
  const json::array& body = card.at("body").as_array();
  EXPECT_EQ(body[0].at("type"), "TextBlock");
  EXPECT_EQ(body[0].at("text"), "Incident #42 resolved: Acme <Corp> & Co (critical)");
  EXPECT_EQ(body[0].at("color"), "Good");
  EXPECT_EQ(body[2].at("type"), "FactSet");
  EXPECT_EQ(card.at("actions").at(0).at("type"), "Action.OpenUrl");
  EXPECT_EQ(card.at("actions").at(0).at("url"), "https://vigie.example/api/v1/incidents/42");
}

TEST(NotifierRender, PagerDutyEventsV2) {
  NotifierConfig c;
  c.type = NotifierType::pagerduty;
  c.routing_key = "R0UT1NG";
  const Notifier pd(c);
  for (auto t : {NoticeType::opened, NoticeType::escalated, NoticeType::reminder}) {
    json::object o = parse(pd.render(notice(t)).body);
    EXPECT_EQ(o["routing_key"], "R0UT1NG");
    EXPECT_EQ(o["event_action"], "trigger");
    EXPECT_EQ(o["dedup_key"], "vigie-incident-42");
    const json::object& p = o["payload"].as_object();
    EXPECT_EQ(p.at("summary"), "[Acme <Corp> & Co] 42 negative mentions in 30 min vs 9.5 expected (4.4x)");
    EXPECT_EQ(p.at("source"), "vigie");
    EXPECT_EQ(p.at("severity"), "critical");
    EXPECT_EQ(p.at("timestamp"), "2025-12-29T09:21:00Z");
    EXPECT_EQ(p.at("component"), "acme");
    EXPECT_EQ(p.at("class"), "negative_volume, influencer");
    EXPECT_EQ(p.at("custom_details").at("id"), "42");
    EXPECT_EQ(o["links"].at(0).at("href"), "https://vigie.example/api/v1/incidents/42");
  }
  IncidentNotice warn = notice();
  warn.severity = rules::Severity::warning;
  warn.summary = std::string(2000, 'y');
  json::object w = parse(pd.render(warn).body);
  EXPECT_EQ(w["payload"].at("severity"), "warning");
  EXPECT_LE(w["payload"].at("summary").as_string().size(), 1024u);

  json::object ack = parse(pd.render(notice(NoticeType::acknowledged)).body);
  EXPECT_EQ(ack["event_action"], "acknowledge");
  EXPECT_EQ(ack["dedup_key"], "vigie-incident-42");
  EXPECT_FALSE(ack.contains("payload"));
  EXPECT_EQ(parse(pd.render(notice(NoticeType::resolved)).body)["event_action"], "resolve");
}

TEST(NoticeType, NamesRoundTrip) {
  for (auto t : {NoticeType::opened, NoticeType::escalated, NoticeType::reminder, NoticeType::acknowledged,
                 NoticeType::resolved}) {
    EXPECT_EQ(parse_notice_type(to_string(t)), t);
    EXPECT_EQ(parse_notice_type(to_string(t).substr(9)), t);
  }
  EXPECT_EQ(to_string(NoticeType::escalated), "incident.escalated");
  EXPECT_FALSE(parse_notice_type("incident."));
  EXPECT_FALSE(parse_notice_type("closed"));
}

}  // namespace
}  // namespace vigie::daemon
