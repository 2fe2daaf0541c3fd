#include "daemon/notify/formats/notice_fields.h"

#include <boost/json/array.hpp>

namespace vigie::daemon::formats {
namespace {

namespace json = boost::json;

json::value or_null(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

}  // namespace

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

}  // namespace vigie::daemon::formats
