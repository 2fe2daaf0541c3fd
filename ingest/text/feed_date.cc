#include "ingest/text/feed_date.h"

#include <charconv>
#include <chrono>
#include <string>

#include "ingest/base/ascii.h"

namespace vigie::ingest {
namespace {

using ascii::iequals;
using ascii::is_alpha;
using ascii::is_digit;
using ascii::is_space;
using ascii::trim;

constexpr auto npos = std::string_view::npos;

std::optional<int> read_int(std::string_view s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  int v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// "+0100", "-05:00", "+01": seconds east of UTC.
std::optional<int> read_offset(std::string_view s) {
  if (s.size() < 3 || (s[0] != '+' && s[0] != '-')) return std::nullopt;
  const int sign = s[0] == '+' ? 1 : -1;
  s.remove_prefix(1);
  std::optional<int> h, m = 0;
  if (s.size() == 2) {
    h = read_int(s);
  } else if (s.size() == 4) {
    h = read_int(s.substr(0, 2));
    m = read_int(s.substr(2));
  } else if (s.size() == 5 && s[2] == ':') {
    h = read_int(s.substr(0, 2));
    m = read_int(s.substr(3));
  } else {
    return std::nullopt;
  }
  if (!h || !m || *h > 23 || *m > 59) return std::nullopt;
  return sign * (*h * 3600 + *m * 60);
}

struct NamedZone {
  std::string_view name;
  int hours;
};

// RFC 822's North American zones, plus the European names feeds written in Europe use anyway.
constexpr NamedZone kZones[] = {{"GMT", 0},  {"UT", 0},   {"UTC", 0},  {"Z", 0},    {"EST", -5}, {"EDT", -4},
                                {"CST", -6}, {"CDT", -5}, {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7},
                                {"CET", 1},  {"CEST", 2}, {"MET", 1},  {"MEST", 2}, {"BST", 1},  {"EET", 2},
                                {"EEST", 3}, {"WET", 0},  {"WEST", 1}};

std::optional<int> zone_offset(std::string_view z) {
  if (auto off = read_offset(z)) return off;
  for (std::string_view base : {"GMT", "UTC"}) {
    if (z.size() > base.size() && iequals(z.substr(0, base.size()), base))
      return read_offset(z.substr(base.size()));
  }
  for (const auto& nz : kZones) {
    if (iequals(z, nz.name)) return nz.hours * 3600;
  }
  return std::nullopt;
}

std::optional<unsigned> month_number(std::string_view s) {
  while (!s.empty() && s.back() == '.')
    s.remove_suffix(1);
  if (s.size() < 3 || !std::all_of(s.begin(), s.end(), is_alpha)) return std::nullopt;
  static constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  for (unsigned i = 0; i < 12; ++i) {
    if (iequals(s.substr(0, 3), kMonths[i])) return i + 1;
  }
  return std::nullopt;
}

std::optional<Micros> make_time(int y, unsigned mo, unsigned d, int h, int mi, int s, int offset_seconds) {
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{mo}, day{d}};
  if (!ymd.ok() || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return std::nullopt;
  const Micros days_us = duration_cast<microseconds>(sys_days{ymd}.time_since_epoch()).count();
  return days_us + (static_cast<Micros>(h) * 3600 + mi * 60 + s - offset_seconds) * kMicrosPerSecond;
}

std::optional<Micros> parse_rfc822(std::string_view s) {
  std::string_view tok[8];
  size_t n = 0;
  for (size_t i = 0; i < s.size() && n < std::size(tok);) {
    while (i < s.size() && (is_space(s[i]) || s[i] == ','))
      ++i;
    const size_t start = i;
    while (i < s.size() && !is_space(s[i]) && s[i] != ',')
      ++i;
    if (i > start) tok[n++] = s.substr(start, i - start);
  }
  size_t t = 0;
  // A weekday, abbreviated or not, tells nothing the date does not.
  if (t < n && !tok[t].empty() && is_alpha(tok[t][0]) && !month_number(tok[t])) ++t;
  if (n - t < 3) return std::nullopt;
  std::optional<int> day;
  std::optional<unsigned> mon;
  if ((mon = month_number(tok[t]))) {  // "Nov 22 2026", seen from some US generators
    day = read_int(tok[t + 1]);
  } else {
    day = read_int(tok[t]);
    mon = month_number(tok[t + 1]);
  }
  std::optional<int> yr = read_int(tok[t + 2]);
  if (!day || !mon || !yr || *day < 1 || tok[t + 2].size() < 2 || tok[t + 2].size() > 4) return std::nullopt;
  // RFC 2822 section 4.3: two-digit years below 50 are 20xx, others 19xx; three-digit years add 1900.
  if (tok[t + 2].size() == 2) *yr += *yr < 50 ? 2000 : 1900;
  if (tok[t + 2].size() == 3) *yr += 1900;
  t += 3;

  int h = 0, mi = 0, sec = 0, offset = 0;
  if (t < n && tok[t].find(':') != npos) {
    std::string_view tm = tok[t++];
    // A zone glued to the time ("14:05:00Z", "14:05:00+0100").
    const size_t z = tm.find_first_of("Zz+-");
    std::string_view glued;
    if (z != npos) {
      glued = tm.substr(z);
      tm = tm.substr(0, z);
    }
    const size_t c1 = tm.find(':');
    const size_t c2 = tm.find(':', c1 + 1);
    const auto hh = read_int(tm.substr(0, c1));
    const auto mm = read_int(tm.substr(c1 + 1, c2 == npos ? npos : c2 - c1 - 1));
    std::optional<int> ss = 0;
    if (c2 != npos) ss = read_int(tm.substr(c2 + 1, tm.find('.') == npos ? npos : tm.find('.') - c2 - 1));
    if (!hh || !mm || !ss) return std::nullopt;
    h = *hh;
    mi = *mm;
    sec = *ss;
    if (!glued.empty()) {
      if (const auto off = zone_offset(glued)) offset = *off;
    }
  }
  // RFC 2822 reads an unknown zone as UTC, and so do we.
  if (t < n) {
    if (const auto off = zone_offset(tok[t])) offset = *off;
  }
  return make_time(*yr, *mon, static_cast<unsigned>(*day), h, mi, sec, offset);
}

// ISO 8601 as feeds write it, normalized to what parse_rfc3339 accepts.
std::optional<Micros> parse_iso(std::string_view s) {
  if (const auto t = parse_rfc3339(s)) return t;
  if (s.size() < 16 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':') return std::nullopt;
  std::string norm(s.substr(0, 10));
  norm += 'T';
  norm += s.substr(11, 5);
  size_t p = 16;
  if (p + 3 <= s.size() && s[p] == ':' && is_digit(s[p + 1]) && is_digit(s[p + 2])) {
    norm += s.substr(p, 3);
    p += 3;
  } else {
    norm += ":00";
  }
  if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
    norm += '.';
    ++p;
    while (p < s.size() && is_digit(s[p]))
      norm += s[p++];
  }
  const std::string_view zone = trim(s.substr(p));
  if (zone.empty() || iequals(zone, "UTC") || iequals(zone, "GMT")) {
    norm += 'Z';
  } else if (zone.size() == 3 && (zone[0] == '+' || zone[0] == '-')) {
    norm += zone;
    norm += ":00";
  } else {
    norm += zone;
  }
  return parse_rfc3339(norm);
}

}  // namespace

std::optional<Micros> parse_feed_date(std::string_view s) {
  s = trim(s);
  if (s.size() >= 10 && is_digit(s[0]) && s[4] == '-') return parse_iso(s);
  return parse_rfc822(s);
}

}  // namespace vigie::ingest
