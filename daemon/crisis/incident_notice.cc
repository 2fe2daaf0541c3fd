#include "daemon/crisis/incident_notice.h"

namespace vigie::daemon {

std::string_view to_string(NoticeType t) {
  switch (t) {
    case NoticeType::opened:
      return "incident.opened";
    case NoticeType::escalated:
      return "incident.escalated";
    case NoticeType::reminder:
      return "incident.reminder";
    case NoticeType::acknowledged:
      return "incident.acknowledged";
    case NoticeType::resolved:
      return "incident.resolved";
  }
  return "incident.opened";
}

}  // namespace vigie::daemon
