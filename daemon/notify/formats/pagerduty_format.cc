#include <boost/json.hpp>

#include "daemon/notify/formats/notice_fields.h"
#include "daemon/notify/formats/notice_format.h"
#include "ingest/base/json_text.h"

namespace vigie::daemon::formats {
namespace {

namespace json = boost::json;

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

std::string render_pagerduty(const std::string& routing_key, const IncidentNotice& n) {
  json::object o;
  o["routing_key"] = routing_key;
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

class PagerDutyFormat final : public NoticeFormat {
 public:
  explicit PagerDutyFormat(std::string routing_key) : routing_key_(std::move(routing_key)) {}
  std::string render(const IncidentNotice& n) const override { return render_pagerduty(routing_key_, n); }

 private:
  std::string routing_key_;
};

}  // namespace

std::unique_ptr<const NoticeFormat> pagerduty(std::string routing_key) {
  return std::make_unique<PagerDutyFormat>(std::move(routing_key));
}

}  // namespace vigie::daemon::formats
