// Rows of the crisis tables as Database returns them. The values are opaque to storage: the crisis module
// owns their format (and should start each with a version byte, like every other value).
#pragma once

#include <cstdint>
#include <string>

#include "ingest/timestamp.h"

namespace vigie::storage {

struct IncidentRow {
  std::string id;
  std::string value;
};

struct IncidentEventRow {
  std::string incident_id;
  Micros time = 0;
  std::uint64_t seq = 0;
  std::string value;
};

struct OutboxEntry {
  std::uint64_t seq = 0;
  std::string value;
};

}  // namespace vigie::storage
