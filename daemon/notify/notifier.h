// A configured receiver of incident notices: where it lives, which notices it wants (its route) and how a
// notice looks in its format. Rendering happens when the notice is made, so that the outbox holds exactly
// the bytes to send (daemon/notify/outbox_entry.h); the delivery worker only adds transport headers
// (daemon/notify/delivery_worker.h).
//
// Each type has its format in daemon/notify/formats/ (webhook, slack, teams, pagerduty).
//
// Notifier is an immutable value: thread-safe to share once built.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/crisis/incident_notice.h"
#include "daemon/notify/formats/notice_format.h"
#include "daemon/notify/webhook_signature.h"
#include "ingest/base/result.h"
#include "ingest/base/yaml_reader.h"

namespace vigie::daemon {

enum class NotifierType : std::uint8_t { webhook, slack, teams, pagerduty };
// "webhook", "slack", "teams", "pagerduty".
std::string_view to_string(NotifierType t);
std::optional<NotifierType> parse_notifier_type(std::string_view s);

// "incident.opened" or "opened" (and so on for every NoticeType).
std::optional<NoticeType> parse_notice_type(std::string_view s);

inline constexpr std::string_view kPagerDutyEventsUrl = "https://events.pagerduty.com/v2/enqueue";

// One `notifiers:` entry of the config file. Options:
//   id            unique name; a label of the delivery metrics and the key of the outbox lane
//   type          webhook | slack | teams | pagerduty
//   url           http(s) URL to POST to; required except for pagerduty (default kPagerDutyEventsUrl)
//   secrets       webhook only, required: list of "whsec_<base64>" signing secrets (${ENV} expanded); every
//                 one signs, so that a new secret can be added before the receiver switches to it
//   routing_key   pagerduty only, required: the integration key of an Events API v2 integration
//   headers       {Name: value} extra request headers (${ENV} expanded), e.g. Authorization
//   brands        only incidents of these brand ids (default: every brand)
//   min_severity  warning (default) | critical: incidents whose current severity is below are not sent
//   events        only these notice types, "opened" or "incident.opened" (default: all five)
//   timeout       of one delivery attempt: connect, then send and read the response (default 10s)
struct NotifierConfig {
  std::string id;
  NotifierType type = NotifierType::webhook;
  std::string url;
  std::vector<WebhookSecret> secrets;
  std::string routing_key;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::string> brands;
  rules::Severity min_severity = rules::Severity::warning;
  std::vector<NoticeType> events;
  std::chrono::milliseconds timeout{10'000};
};

// A rendered notice: the request body and its Content-Type.
struct RenderedNotice {
  std::string body;
  std::string content_type;
};

class Notifier {
 public:
  explicit Notifier(NotifierConfig config);

  // Reads and validates one `notifiers:` section. Errors are "FILE:LINE:COL: message" pointing at the key.
  static Result<Notifier> read(const ComponentConfig& c);

  const NotifierConfig& config() const { return config_; }
  const std::string& id() const { return config_.id; }

  // The route: true when this notifier wants `n` (brand, severity and event filters all pass).
  bool accepts(const IncidentNotice& n) const;
  // `n` in this notifier's format.
  RenderedNotice render(const IncidentNotice& n) const;

 private:
  NotifierConfig config_;
  std::shared_ptr<const NoticeFormat> format_;  // of config_.type, shared by copies
};

// Every notifier of the config, in order; the first error stops.
Result<std::vector<Notifier>> read_notifiers(const std::vector<ComponentConfig>& sections);

}  // namespace vigie::daemon
