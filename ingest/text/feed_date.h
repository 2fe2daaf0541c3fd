// Dates as feeds write them (RSS pubDate, Atom published/updated, Dublin Core dc:date), which are often
// neither the RFC 822 nor the RFC 3339 they claim to be.
#pragma once

#include <optional>
#include <string_view>

#include "ingest/base/timestamp.h"

namespace vigie::ingest {

// Reads the dates feeds actually carry, returning microseconds since the epoch, UTC:
// - RFC 822/2822: "Sun, 22 Nov 2026 14:05:00 GMT", with or without the weekday, 2-digit years (< 50 is
//   20xx), missing seconds, numeric offsets ("+0100", "-05:00"), the US zone names (EST, EDT, CST, CDT, MST,
//   MDT, PST, PDT), GMT, UT, UTC, Z and a few European ones (CET, CEST, BST, EET, EEST, WET, WEST); an unknown
//   zone or none means UTC;
// - RFC 3339 / ISO 8601: "2026-11-22T14:05:00Z", with or without seconds, fraction or zone (none means UTC),
//   a space for the "T" ("2026-11-22 14:05:00"), or a date alone.
// Returns nullopt on anything else.
std::optional<Micros> parse_feed_date(std::string_view s);

}  // namespace vigie::ingest
