#include "daemon/notify/notifier.h"

#include <algorithm>
#include <boost/json.hpp>

#include "ingest/base/json_text.h"
#include "ingest/base/yaml_reader.h"
#include "ingest/net/endpoint.h"

namespace vigie::daemon {
namespace {

namespace json = boost::json;

constexpr std::string_view kJson = "application/json";

// At most `max` bytes of `s`, cut on a character boundary, with "…" when cut (receivers reject or clip
// longer fields: PagerDuty summary 1024, Slack header 150, Slack text 3000).
std::string clip(std::string_view s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  constexpr std::string_view kEllipsis = "\xE2\x80\xA6";
  std::size_t n = max >= kEllipsis.size() ? max - kEllipsis.size() : 0;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
    --n;  // do not split a UTF-8 sequence
  std::string out(s.substr(0, n));
  if (max >= kEllipsis.size()) out += kEllipsis;
  return out;
}

std::string detectors_text(const IncidentNotice& n) {
  std::string out;
  for (auto d : n.detectors) {
    if (!out.empty()) out += ", ";
    out += rules::to_string(d);
  }
  return out;
}

// "opened", "escalated", ... : the notice type without its "incident." prefix.
std::string_view verb(NoticeType t) {
  return to_string(t).substr(9);
}

std::string title(const IncidentNotice& n) {
  const std::string name = n.brand_name.empty() ? n.brand : n.brand_name;
  return "Incident #" + std::to_string(n.incident_id) + " " + std::string(verb(n.type)) + ": " + name + " (" +
         std::string(rules::to_string(n.severity)) + ")";
}

std::string followers_text(std::int64_t f) {
  return f < 0 ? std::string() : " (" + std::to_string(f) + " followers)";
}

json::value or_null(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

json::object incident_data(const IncidentNotice& n) {
  json::array detectors;
  for (auto d : n.detectors)
    detectors.emplace_back(rules::to_string(d));
  json::array posts;
  for (const auto& p : n.top_posts) {
    json::object o;
    o["uid"] = p.uid;
    o["url"] = or_null(p.url);
    o["author"] = p.author;
    o["followers"] = p.followers < 0 ? json::value(nullptr) : json::value(p.followers);
    o["text"] = p.text;
    posts.emplace_back(std::move(o));
  }
  json::object d;
  d["id"] = std::to_string(n.incident_id);  // a string: JSON numbers lose 64-bit ids in JavaScript
  d["brand"] = n.brand;
  d["brand_name"] = n.brand_name;
  d["severity"] = rules::to_string(n.severity);
  d["status"] = n.status;
  d["detectors"] = std::move(detectors);
  d["summary"] = n.summary;
  d["opened_at"] = format_rfc3339(n.opened_at);
  d["at"] = format_rfc3339(n.at);
  d["actor"] = or_null(n.actor);
  d["link"] = or_null(n.link);
  d["top_posts"] = std::move(posts);
  return d;
}

std::string render_webhook(const IncidentNotice& n) {
  json::object o;
  o["type"] = to_string(n.type);
  o["timestamp"] = format_rfc3339(n.sent_at);
  o["data"] = incident_data(n);
  return ingest::json_text(o);
}

// Slack mrkdwn treats &, < and > as control characters.
std::string slack_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
  return out;
}

json::object slack_text(std::string_view type, std::string text) {
  return {{"type", type}, {"text", std::move(text)}};
}

std::string render_slack(const IncidentNotice& n) {
  json::array fields;
  auto field = [&](std::string_view name, std::string_view value) {
    if (!value.empty())
      fields.emplace_back(
          slack_text("mrkdwn", clip("*" + std::string(name) + "*\n" + slack_escape(value), 2000)));
  };
  field("Brand", n.brand_name.empty() ? n.brand : n.brand_name);
  field("Severity", rules::to_string(n.severity));
  field("Status", n.status);
  field("Detectors", detectors_text(n));
  field("Opened", format_rfc3339(n.opened_at));
  if (n.type == NoticeType::acknowledged) field("Acknowledged by", n.actor);
  if (n.type == NoticeType::resolved) field("Resolved by", n.actor);

  json::array blocks;
  blocks.emplace_back(
      json::object{{"type", "header"}, {"text", slack_text("plain_text", clip(title(n), 150))}});
  json::object section{{"type", "section"}, {"fields", std::move(fields)}};
  if (!n.summary.empty()) section["text"] = slack_text("mrkdwn", clip(slack_escape(n.summary), 3000));
  blocks.emplace_back(std::move(section));
  if (!n.top_posts.empty()) {
    std::string posts = "*Top posts*";
    for (const auto& p : n.top_posts) {
      std::string who = "@" + slack_escape(p.author);
      if (!p.url.empty()) who = "<" + slack_escape(p.url) + "|" + who + ">";
      posts += "\n\xE2\x80\xA2 " + who + followers_text(p.followers) + ": " + slack_escape(clip(p.text, 280));
    }
    blocks.emplace_back(json::object{{"type", "section"}, {"text", slack_text("mrkdwn", clip(posts, 3000))}});
  }
  std::string context =
      "Vigie \xC2\xB7 incident " + std::to_string(n.incident_id) + " \xC2\xB7 " + format_rfc3339(n.at);
  if (!n.link.empty()) context += " \xC2\xB7 <" + slack_escape(n.link) + "|open in Vigie>";
  blocks.emplace_back(
      json::object{{"type", "context"}, {"elements", json::array{slack_text("mrkdwn", context)}}});

  json::object o;
  // The text is what notifications and clients without blocks show.
  o["text"] = clip(title(n) + (n.summary.empty() ? "" : ": " + n.summary), 3000);
  o["blocks"] = std::move(blocks);
  return ingest::json_text(o);
}

std::string_view teams_color(const IncidentNotice& n) {
  if (n.type == NoticeType::resolved) return "Good";
  return n.severity == rules::Severity::critical ? "Attention" : "Warning";
}

std::string render_teams(const IncidentNotice& n) {
  json::array facts;
  auto fact = [&](std::string_view name, std::string_view value) {
    if (!value.empty()) facts.emplace_back(json::object{{"title", name}, {"value", value}});
  };
  fact("Brand", n.brand_name.empty() ? n.brand : n.brand_name);
  fact("Severity", rules::to_string(n.severity));
  fact("Status", n.status);
  fact("Detectors", detectors_text(n));
  fact("Opened", format_rfc3339(n.opened_at));
  if (n.type == NoticeType::acknowledged) fact("Acknowledged by", n.actor);
  if (n.type == NoticeType::resolved) fact("Resolved by", n.actor);

  json::array body;
  body.emplace_back(json::object{{"type", "TextBlock"},
                                 {"text", title(n)},
                                 {"size", "Large"},
                                 {"weight", "Bolder"},
                                 {"color", teams_color(n)},
                                 {"wrap", true}});
  if (!n.summary.empty())
    body.emplace_back(json::object{{"type", "TextBlock"}, {"text", n.summary}, {"wrap", true}});
  body.emplace_back(json::object{{"type", "FactSet"}, {"facts", std::move(facts)}});
  if (!n.top_posts.empty()) {
    body.emplace_back(json::object{
        {"type", "TextBlock"}, {"text", "Top posts"}, {"weight", "Bolder"}, {"separator", true}});
    for (const auto& p : n.top_posts) {
      std::string who = "@" + p.author;
      if (!p.url.empty()) who = "[" + who + "](" + p.url + ")";
      body.emplace_back(json::object{{"type", "TextBlock"},
                                     {"text", who + followers_text(p.followers) + ": " + clip(p.text, 280)},
                                     {"wrap", true}});
    }
  }
  json::object card{{"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
                    {"type", "AdaptiveCard"},
                    {"version", "1.4"},
                    {"body", std::move(body)}};
  if (!n.link.empty())
    card["actions"] =
        json::array{json::object{{"type", "Action.OpenUrl"}, {"title", "Open in Vigie"}, {"url", n.link}}};

  json::object attachment{{"contentType", "application/vnd.microsoft.card.adaptive"},
                          {"contentUrl", nullptr},
                          {"content", std::move(card)}};
  json::object o{{"type", "message"}, {"attachments", json::array{std::move(attachment)}}};
  return ingest::json_text(o);
}

std::string_view pagerduty_action(NoticeType t) {
  switch (t) {
    case NoticeType::acknowledged:
      return "acknowledge";
    case NoticeType::resolved:
      return "resolve";
    default:
      return "trigger";
  }
}

std::string render_pagerduty(const NotifierConfig& c, const IncidentNotice& n) {
  json::object o;
  o["routing_key"] = c.routing_key;
  o["event_action"] = pagerduty_action(n.type);
  o["dedup_key"] = "vigie-incident-" + std::to_string(n.incident_id);
  if (pagerduty_action(n.type) == "trigger") {
    // Acknowledge and resolve carry only the key: PagerDuty ignores a payload there.
    const std::string name = n.brand_name.empty() ? n.brand : n.brand_name;
    json::object details = incident_data(n);
    details["notice"] = to_string(n.type);
    json::object payload;
    payload["summary"] = clip("[" + name + "] " + (n.summary.empty() ? title(n) : n.summary), 1024);
    payload["source"] = "vigie";
    payload["severity"] = rules::to_string(n.severity);  // info, warning, critical: PagerDuty's own words
    payload["timestamp"] = format_rfc3339(n.at);
    payload["component"] = n.brand;
    payload["group"] = "e-reputation";
    payload["class"] = detectors_text(n);
    payload["custom_details"] = std::move(details);
    o["payload"] = std::move(payload);
    o["client"] = "Vigie";
    if (!n.link.empty()) {
      o["client_url"] = n.link;
      o["links"] = json::array{json::object{{"href", n.link}, {"text", "Incident in Vigie"}}};
    }
  }
  return ingest::json_text(o);
}

// ---- config ----

NotifierConfig read_config(const ComponentConfig& c) {
  const std::string what = "notifier \"" + c.id + "\"";
  YamlMap m(c.node, c.file, what);
  m.take("id");
  m.take("type");
  NotifierConfig o;
  o.id = c.id;
  const auto type = parse_notifier_type(c.type);
  if (!type)
    fail_at(c.file, c.node["type"],
            what + ": unknown type '" + c.type + "' (known: webhook, slack, teams, pagerduty)");
  o.type = *type;

  if (auto v = m.take("url")) {
    o.url = m.as_string(*v, "url");
    auto e = ingest::parse_endpoint(o.url);
    if (!e) fail_at(c.file, *v, what + ": " + e.error().message);
    if (e->websocket) fail_at(c.file, *v, what + ": 'url' must be an http:// or https:// URL");
  } else if (o.type == NotifierType::pagerduty) {
    o.url = std::string(kPagerDutyEventsUrl);
  } else {
    fail_at(c.file, c.node, what + ": missing required key 'url'");
  }

  if (auto v = m.take("secrets")) {
    if (o.type != NotifierType::webhook)
      fail_at(c.file, *v, what + ": 'secrets' is for webhook notifiers only");
    if (!v->IsSequence()) fail_at(c.file, *v, what + ": 'secrets' expected a list of whsec_... secrets");
    for (const auto& item : *v) {
      auto s = parse_webhook_secret(m.as_string(item, "secrets"));
      if (!s) fail_at(c.file, item, what + ": " + s.error().message);
      o.secrets.push_back(std::move(*s));
    }
  }
  if (o.type == NotifierType::webhook && o.secrets.empty())
    fail_at(c.file, c.node, what + ": a webhook needs 'secrets', a list of at least one whsec_... secret");

  if (auto v = m.take("routing_key")) {
    if (o.type != NotifierType::pagerduty)
      fail_at(c.file, *v, what + ": 'routing_key' is for pagerduty notifiers only");
    o.routing_key = m.as_string(*v, "routing_key");
    if (o.routing_key.empty()) fail_at(c.file, *v, what + ": 'routing_key' is empty");
  } else if (o.type == NotifierType::pagerduty) {
    fail_at(c.file, c.node, what + ": missing required key 'routing_key'");
  }

  if (auto h = m.take("headers")) {
    if (!h->IsMap()) fail_at(c.file, *h, "'headers' in " + what + ": expected a mapping");
    for (const auto& kv : *h) {
      const std::string name = kv.first.as<std::string>();
      if (!kv.second.IsScalar()) fail_at(c.file, kv.second, "header '" + name + "': expected a string");
      o.headers.emplace_back(name, expand_env(kv.second.Scalar(), c.file, kv.second));
    }
  }
  o.brands = m.get_string_list("brands");
  o.min_severity = m.get_enum("min_severity", "warning", {"warning", "critical"}) == "critical"
                       ? rules::Severity::critical
                       : rules::Severity::warning;
  if (auto v = m.take("events")) {
    if (!v->IsSequence()) fail_at(c.file, *v, "'events' in " + what + ": expected a list");
    for (const auto& item : *v) {
      const std::string s = m.as_string(item, "events");
      auto t = parse_notice_type(s);
      if (!t)
        fail_at(c.file, item,
                "'events' in " + what + ": unknown event '" + s +
                    "' (known: opened, escalated, reminder, acknowledged, resolved)");
      o.events.push_back(*t);
    }
  }
  o.timeout = m.get_duration("timeout", o.timeout);
  if (o.timeout.count() <= 0)
    fail_at(c.file, c.node["timeout"], "'timeout' in " + what + ": must be positive");
  m.finish();
  return o;
}

}  // namespace

std::string_view to_string(NotifierType t) {
  switch (t) {
    case NotifierType::webhook:
      return "webhook";
    case NotifierType::slack:
      return "slack";
    case NotifierType::teams:
      return "teams";
    case NotifierType::pagerduty:
      return "pagerduty";
  }
  return "webhook";
}

std::optional<NotifierType> parse_notifier_type(std::string_view s) {
  for (auto t : {NotifierType::webhook, NotifierType::slack, NotifierType::teams, NotifierType::pagerduty})
    if (to_string(t) == s) return t;
  return std::nullopt;
}

std::optional<NoticeType> parse_notice_type(std::string_view s) {
  if (s.starts_with("incident.")) s.remove_prefix(9);
  for (auto t : {NoticeType::opened, NoticeType::escalated, NoticeType::reminder, NoticeType::acknowledged,
                 NoticeType::resolved})
    if (verb(t) == s) return t;
  return std::nullopt;
}

Result<Notifier> Notifier::read(const ComponentConfig& c) {
  try {
    return Notifier(read_config(c));
  } catch (const ConfigError& e) {
    return error(e.what());
  }
}

bool Notifier::accepts(const IncidentNotice& n) const {
  if (n.severity < config_.min_severity) return false;
  if (!config_.brands.empty() &&
      std::find(config_.brands.begin(), config_.brands.end(), n.brand) == config_.brands.end())
    return false;
  if (!config_.events.empty() &&
      std::find(config_.events.begin(), config_.events.end(), n.type) == config_.events.end())
    return false;
  return true;
}

RenderedNotice Notifier::render(const IncidentNotice& n) const {
  switch (config_.type) {
    case NotifierType::webhook:
      return {render_webhook(n), std::string(kJson)};
    case NotifierType::slack:
      return {render_slack(n), std::string(kJson)};
    case NotifierType::teams:
      return {render_teams(n), std::string(kJson)};
    case NotifierType::pagerduty:
      return {render_pagerduty(config_, n), std::string(kJson)};
  }
  return {render_webhook(n), std::string(kJson)};
}

Result<std::vector<Notifier>> read_notifiers(const std::vector<ComponentConfig>& sections) {
  std::vector<Notifier> out;
  for (const auto& c : sections) {
    auto n = Notifier::read(c);
    if (!n) return n.error();
    out.push_back(std::move(*n));
  }
  return out;
}

}  // namespace vigie::daemon
