#include <boost/json.hpp>

#include "daemon/notify/formats/notice_fields.h"
#include "daemon/notify/formats/notice_format.h"
#include "ingest/base/json_text.h"

namespace vigie::daemon::formats {
namespace {

namespace json = boost::json;

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

class SlackFormat final : public NoticeFormat {
 public:
  std::string render(const IncidentNotice& n) const override { return render_slack(n); }
};

}  // namespace

std::unique_ptr<const NoticeFormat> slack() {
  return std::make_unique<SlackFormat>();
}

}  // namespace vigie::daemon::formats
