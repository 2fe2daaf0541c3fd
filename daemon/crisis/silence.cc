#include "daemon/crisis/silence.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "ingest/base/json_fields.h"
#include "ingest/base/timestamp.h"

namespace vigie::daemon {
namespace json = boost::json;

std::string encode_silence(const Silence& s) {
  json::object o{{"v", 1},
                 {"brand", s.brand},
                 {"detector", s.detector ? json::value(rules::to_string(*s.detector)) : json::value(nullptr)},
                 {"starts_at", s.starts_at},
                 {"ends_at", s.ends_at},
                 {"comment", s.comment},
                 {"created_by", s.created_by}};
  return json::serialize(o);
}

Result<Silence> decode_silence(std::uint64_t id, std::string_view bytes) {
  boost::system::error_code ec;
  const json::value v = json::parse(bytes, ec);
  if (ec || !v.is_object() || ingest::int64_or(v.as_object(), "v") != 1) {
    return error("silence " + std::to_string(id) + ": stored value is not a version 1 silence");
  }
  const json::object& o = v.as_object();
  Silence s;
  s.id = id;
  s.brand = ingest::string_or(o, "brand");
  if (const std::string d = ingest::string_or(o, "detector"); !d.empty())
    s.detector = rules::parse_detector_kind(d);
  s.starts_at = ingest::int64_or(o, "starts_at");
  s.ends_at = ingest::int64_or(o, "ends_at");
  s.comment = ingest::string_or(o, "comment");
  s.created_by = ingest::string_or(o, "created_by");
  return s;
}

json::object silence_to_json(const Silence& s) {
  return json::object{
      {"id", std::to_string(s.id)},
      {"brand", s.brand.empty() ? json::value(nullptr) : json::value(s.brand)},
      {"detector", s.detector ? json::value(rules::to_string(*s.detector)) : json::value(nullptr)},
      {"starts_at", format_rfc3339(s.starts_at)},
      {"ends_at", format_rfc3339(s.ends_at)},
      {"comment", s.comment},
      {"created_by", s.created_by}};
}

Result<Silence> silence_from_json(const json::object& o, Micros now) {
  static constexpr std::string_view kKnown[] = {"brand", "detector", "starts_at", "ends_at", "comment"};
  for (const auto& kv : o) {
    if (std::find(std::begin(kKnown), std::end(kKnown), kv.key()) == std::end(kKnown)) {
      return error("unknown field '" + std::string(kv.key()) +
                   "' (known: brand, detector, starts_at, ends_at, comment)");
    }
    if (!kv.value().is_string() && !kv.value().is_null()) {
      return error("field '" + std::string(kv.key()) + "': expected a string");
    }
  }
  Silence s;
  s.brand = ingest::string_or(o, "brand");
  s.comment = ingest::string_or(o, "comment");
  if (const std::string d = ingest::string_or(o, "detector"); !d.empty()) {
    s.detector = rules::parse_detector_kind(d);
    if (!s.detector) {
      return error("field 'detector': unknown detector '" + d +
                   "' (known: volume, negative_volume, sentiment_drop, critical_keyword, influencer)");
    }
  }
  const auto time_field = [&](std::string_view name, std::optional<Micros> fallback) -> Result<Micros> {
    const std::string text = ingest::string_or(o, name);
    if (text.empty()) {
      if (fallback) return *fallback;
      return error("field '" + std::string(name) + "' is required");
    }
    const auto t = parse_time(text, now);
    if (!t) {
      return error("field '" + std::string(name) +
                   "': expected RFC 3339 (2026-11-22T14:00:00Z), 'now', or relative like +2h");
    }
    return *t;
  };
  auto starts = time_field("starts_at", now);
  if (!starts) return starts.error();
  auto ends = time_field("ends_at", std::nullopt);
  if (!ends) return ends.error();
  if (*ends <= *starts) return error("field 'ends_at' must be later than starts_at");
  s.starts_at = *starts;
  s.ends_at = *ends;
  return s;
}

}  // namespace vigie::daemon
