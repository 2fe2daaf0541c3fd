// The pieces every notice format shares: a notice's title, its detectors and followers as text, clipping to a
// receiver's field limits, and the incident as JSON (the webhook's "data", PagerDuty's custom_details).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/crisis/incident_notice.h"

namespace vigie::daemon::formats {

inline constexpr std::string_view kJson = "application/json";

// At most `max` bytes of `s`, cut on a character boundary, with "…" when cut (receivers reject or clip
// longer fields: PagerDuty summary 1024, Slack header 150, Slack text 3000).
std::string clip(std::string_view s, std::size_t max);
// "volume, sentiment_drop".
std::string detectors_text(const IncidentNotice& n);
// "opened", "escalated", ... : the notice type without its "incident." prefix.
std::string_view verb(NoticeType t);
// "Incident #12 opened: Acme Bank (critical)".
std::string title(const IncidentNotice& n);
// " (1200 followers)", or nothing when unknown.
std::string followers_text(std::int64_t f);
// The incident of a notice: id (as a string), brand, severity, status, detectors, summary, times, actor,
// link and top posts.
boost::json::object incident_data(const IncidentNotice& n);

}  // namespace vigie::daemon::formats
