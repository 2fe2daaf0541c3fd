#include "rules/scored_post.h"

namespace vigie::rules {

std::string_view to_string(Label l) {
  switch (l) {
    case Label::negative:
      return "negative";
    case Label::neutral:
      return "neutral";
    case Label::positive:
      return "positive";
  }
  return "neutral";
}

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::info:
      return "info";
    case Severity::warning:
      return "warning";
    case Severity::critical:
      return "critical";
  }
  return "info";
}

std::string_view to_string(RuleKind k) {
  return k == RuleKind::brand ? "brand" : "topic";
}

}  // namespace vigie::rules
