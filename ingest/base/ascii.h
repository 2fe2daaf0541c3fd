// ASCII character tests and case folding for protocol text (charset names, XML and HTML names, dates, URLs):
// locale-independent and never touching bytes >= 0x80, unlike <cctype>.
#pragma once

#include <algorithm>
#include <charconv>
#include <string_view>

namespace vigie::ingest::ascii {

inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
inline bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool is_alnum(char c) {
  return is_alpha(c) || is_digit(c);
}
inline char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
inline char upper(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

// A decimal number and what follows it, spaces skipped ("1.5 h" -> 1.5, "h"): the shape of durations and byte
// sizes in the config. Digits and a point only: from_chars alone would also take a sign, an exponent, "inf".
inline bool split_number(std::string_view s, double& value, std::string_view& unit) {
  std::size_t i = 0;
  while (i < s.size() && (is_digit(s[i]) || s[i] == '.'))
    ++i;
  if (i == 0) return false;
  const auto r = std::from_chars(s.data(), s.data() + i, value);
  if (r.ec != std::errc() || r.ptr != s.data() + i) return false;
  unit = s.substr(i);
  while (!unit.empty() && unit.front() == ' ')
    unit.remove_prefix(1);
  return true;
}

}  // namespace vigie::ingest::ascii
