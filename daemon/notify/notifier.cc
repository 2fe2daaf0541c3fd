#include "daemon/notify/notifier.h"

#include <algorithm>

#include "daemon/notify/formats/notice_fields.h"
#include "ingest/base/yaml_reader.h"
#include "ingest/net/endpoint.h"

namespace vigie::daemon {
namespace {

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

std::shared_ptr<const NoticeFormat> format_of(const NotifierConfig& c) {
  switch (c.type) {
    case NotifierType::slack:
      return formats::slack();
    case NotifierType::teams:
      return formats::teams();
    case NotifierType::pagerduty:
      return formats::pagerduty(c.routing_key);
    case NotifierType::webhook:
      break;
  }
  return formats::webhook();
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
    if (formats::verb(t) == s) return t;
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

Notifier::Notifier(NotifierConfig config) : config_(std::move(config)), format_(format_of(config_)) {}

RenderedNotice Notifier::render(const IncidentNotice& n) const {
  return {format_->render(n), std::string(format_->content_type())};
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
