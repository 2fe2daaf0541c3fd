#include "daemon/api/api_params.h"

#include <charconv>

namespace vigie::daemon {

Result<ApiParams> ApiParams::read(const boost::urls::params_view& query, std::vector<std::string> known) {
  ApiParams p;
  for (const auto& param : query) {
    const std::string key(param.key);
    bool ok = false;
    for (const auto& k : known)
      ok = ok || k == key;
    if (!ok) {
      std::string list;
      for (const auto& k : known)
        list += (list.empty() ? "" : ", ") + k;
      return error("unknown parameter '" + key + "' (known: " + list + ")");
    }
    for (const auto& [k, v] : p.values_)
      if (k == key) return error("parameter '" + key + "' given twice");
    p.values_.emplace_back(key, std::string(param.value));
  }
  return p;
}

std::optional<std::string> ApiParams::get(std::string_view name) const {
  for (const auto& [k, v] : values_)
    if (k == name) return v;
  return std::nullopt;
}

Result<Micros> ApiParams::time(std::string_view name, Micros fallback, Micros now) const {
  auto v = get(name);
  if (!v) return fallback;
  auto t = parse_time(*v, now);
  if (!t) {
    return error("parameter '" + std::string(name) +
                 "': expected RFC 3339 (2026-11-22T14:00:00Z), 'now', or " + "relative like -24h, got '" +
                 *v + "'");
  }
  return *t;
}

Result<std::int64_t> ApiParams::integer(std::string_view name, std::int64_t fallback, std::int64_t min,
                                        std::int64_t max) const {
  auto v = get(name);
  if (!v) return fallback;
  std::int64_t n = 0;
  const auto r = std::from_chars(v->data(), v->data() + v->size(), n);
  if (v->empty() || r.ec != std::errc() || r.ptr != v->data() + v->size() || n < min || n > max) {
    return error("parameter '" + std::string(name) + "': expected an integer from " + std::to_string(min) +
                 " to " + std::to_string(max) + ", got '" + *v + "'");
  }
  return n;
}

}  // namespace vigie::daemon
