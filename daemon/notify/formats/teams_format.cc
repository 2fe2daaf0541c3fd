#include <boost/json.hpp>

#include "daemon/notify/formats/notice_fields.h"
#include "daemon/notify/formats/notice_format.h"
#include "ingest/base/json_text.h"

namespace vigie::daemon::formats {
namespace {

namespace json = boost::json;

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

class TeamsFormat final : public NoticeFormat {
 public:
  std::string render(const IncidentNotice& n) const override { return render_teams(n); }
};

}  // namespace

std::unique_ptr<const NoticeFormat> teams() {
  return std::make_unique<TeamsFormat>();
}

}  // namespace vigie::daemon::formats
