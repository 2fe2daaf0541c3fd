// Time on the wire and at rest: microseconds since the Unix epoch, UTC, as a plain int64.
// One representation everywhere keeps keys, JSON and arithmetic free of conversions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigie {

using Micros = std::int64_t;

constexpr Micros kMicrosPerSecond = 1'000'000;

// Wall-clock now.
Micros now_micros();

// Parses RFC 3339 / ISO 8601 date-times: "2026-11-22T14:05:00Z", with optional fraction (up to 9 digits,
// truncated to microseconds) and "Z", "+hh:mm", "-hhmm" offsets; a space may replace the "T".
// A date alone ("2026-11-22") means midnight UTC. Returns nullopt on anything else.
std::optional<Micros> parse_rfc3339(std::string_view s);

// Formats as "2026-11-22T14:05:00Z", with ".123" or ".123456" when the value has a sub-second part (the
// shorter when exact).
std::string format_rfc3339(Micros t);

// The one duration grammar of the config, the rule file and the API: a decimal number and a unit, "250ms",
// "1.5s", "30s", "5m", "1h", "2d" -> milliseconds (truncated); nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view s);

// A time as the API and the silence requests write it: RFC 3339, "now", or a duration before or after `now`
// ("-24h", "+2h"). nullopt when malformed.
std::optional<Micros> parse_time(std::string_view s, Micros now);

}  // namespace vigie
