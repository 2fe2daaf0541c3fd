#include <boost/json.hpp>

#include "daemon/notify/formats/notice_fields.h"
#include "daemon/notify/formats/notice_format.h"
#include "ingest/base/json_text.h"

namespace vigie::daemon::formats {
namespace {

namespace json = boost::json;

std::string render_webhook(const IncidentNotice& n) {
  json::object o;
  o["type"] = to_string(n.type);
  o["timestamp"] = format_rfc3339(n.sent_at);
  o["data"] = incident_data(n);
  return ingest::json_text(o);
}

class WebhookFormat final : public NoticeFormat {
 public:
  std::string render(const IncidentNotice& n) const override { return render_webhook(n); }
};

}  // namespace

std::unique_ptr<const NoticeFormat> webhook() {
  return std::make_unique<WebhookFormat>();
}

}  // namespace vigie::daemon::formats
