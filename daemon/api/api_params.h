// Reading API query parameters. Every failure names the parameter and why, for a 400 response:
// "parameter 'from': expected RFC 3339 (2026-11-22T14:00:00Z), 'now', or relative like -24h".
#pragma once

#include <boost/url/params_view.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/base/result.h"
#include "ingest/base/timestamp.h"

namespace vigie::daemon {

class ApiParams {
 public:
  // Rejects parameters not in `known` ("unknown parameter 'form' (known: from, to, ...)") and repeated ones.
  static Result<ApiParams> read(const boost::urls::params_view& query, std::vector<std::string> known);

  std::optional<std::string> get(std::string_view name) const;
  // RFC 3339, "now", or relative to `now` ("-24h", "-30m", "-7d", "+1h").
  Result<Micros> time(std::string_view name, Micros fallback, Micros now) const;
  Result<std::int64_t> integer(std::string_view name, std::int64_t fallback, std::int64_t min,
                               std::int64_t max) const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

}  // namespace vigie::daemon
