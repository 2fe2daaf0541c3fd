#include "ingest/base/timestamp.h"

#include <chrono>
#include <cstdio>

#include "ingest/base/ascii.h"

namespace vigie {
namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

}  // namespace

Micros now_micros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::optional<Micros> parse_rfc3339(std::string_view s) {
  using namespace std::chrono;
  int y, mo, d;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d))
    return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  Micros t = duration_cast<microseconds>(sys_days{ymd}.time_since_epoch()).count();
  if (s.size() == 10) return t;

  int h, mi, sec;
  if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) || s.size() < 19 ||
      s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec))
    return std::nullopt;
  if (h > 23 || mi > 59 || sec > 60) return std::nullopt;  // 60: a leap second, folded into the next minute
  t += (static_cast<Micros>(h) * 3600 + mi * 60 + sec) * kMicrosPerSecond;

  size_t pos = 19;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    Micros frac = 0;
    int n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 6) frac = frac * 10 + (s[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0) return std::nullopt;
    for (int i = n; i < 6; ++i)
      frac *= 10;
    t += frac;
  }
  if (pos == s.size()) return std::nullopt;  // RFC 3339 requires an offset
  if (s[pos] == 'Z' || s[pos] == 'z') return pos + 1 == s.size() ? std::optional<Micros>(t) : std::nullopt;
  if (s[pos] != '+' && s[pos] != '-') return std::nullopt;
  const int sign = s[pos] == '+' ? 1 : -1;
  int oh, om;
  if (!digits(s, pos + 1, 2, oh)) return std::nullopt;
  size_t mpos = pos + 3;
  if (mpos < s.size() && s[mpos] == ':') ++mpos;
  if (!digits(s, mpos, 2, om) || mpos + 2 != s.size() || oh > 23 || om > 59) return std::nullopt;
  return t - sign * (static_cast<Micros>(oh) * 3600 + om * 60) * kMicrosPerSecond;
}

std::string format_rfc3339(Micros t) {
  using namespace std::chrono;
  const sys_time<microseconds> tp{microseconds{t}};
  const auto day_start = floor<days>(tp);
  const year_month_day ymd{day_start};
  const hh_mm_ss hms{tp - day_start};
  char buf[40];
  const long long frac = hms.subseconds().count();
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                        static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                        static_cast<int>(hms.seconds().count()));
  // Milliseconds when that is exact (what platforms send), microseconds otherwise: the shortest exact form.
  if (frac % 1000 == 0 && frac != 0) {
    n += std::snprintf(buf + n, sizeof buf - n, ".%03lld", frac / 1000);
  } else if (frac != 0) {
    n += std::snprintf(buf + n, sizeof buf - n, ".%06lld", frac);
  }
  buf[n++] = 'Z';
  return std::string(buf, n);
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view s) {
  double v = 0;
  std::string_view unit;
  if (!ingest::ascii::split_number(s, v, unit)) return std::nullopt;
  double ms_per_unit = 0;
  if (unit == "ms")
    ms_per_unit = 1;
  else if (unit == "s")
    ms_per_unit = 1e3;
  else if (unit == "m")
    ms_per_unit = 60e3;
  else if (unit == "h")
    ms_per_unit = 3600e3;
  else if (unit == "d")
    ms_per_unit = 86400e3;
  else
    return std::nullopt;
  const double ms = v * ms_per_unit;
  if (ms > 1e15) return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

std::optional<Micros> parse_time(std::string_view s, Micros now) {
  if (s == "now") return now;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    const auto d = parse_duration(s.substr(1));
    if (!d) return std::nullopt;
    const Micros delta = std::chrono::duration_cast<std::chrono::microseconds>(*d).count();
    return s.front() == '-' ? now - delta : now + delta;
  }
  return parse_rfc3339(s);
}

}  // namespace vigie
