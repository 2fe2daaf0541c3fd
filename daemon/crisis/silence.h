// A silence: a time range during which incidents of a brand (or of every brand), optionally from one detector
// only, send no notifications. Incidents are still opened and kept: the team sees them in the API, it just is
// not paged. Created and removed through the API; stored in the silences table.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ingest/base/result.h"
#include "ingest/base/timestamp.h"
#include "rules/detect/crisis_finding.h"

namespace vigie::daemon {

struct Silence {
  std::uint64_t id = 0;
  std::string brand;                            // empty: every brand
  std::optional<rules::DetectorKind> detector;  // nullopt: every detector
  Micros starts_at = 0;
  Micros ends_at = 0;  // exclusive
  std::string comment;
  std::string created_by;  // token name

  bool matches(std::string_view b, rules::DetectorKind d, Micros t) const {
    return (brand.empty() || brand == b) && (!detector || *detector == d) && starts_at <= t && t < ends_at;
  }
};

std::string encode_silence(const Silence& s);
Result<Silence> decode_silence(std::uint64_t id, std::string_view bytes);
boost::json::object silence_to_json(const Silence& s);
// Reads an API request body: {"brand":"acme","detector":"volume","starts_at":"...","ends_at":"...",
// "comment":"..."}; starts_at defaults to `now`; ends_at is required, later than starts_at. Times are RFC
// 3339 or relative to now ("+2h").
Result<Silence> silence_from_json(const boost::json::object& o, Micros now);

}  // namespace vigie::daemon
