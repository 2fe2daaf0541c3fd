// Process-wide logging through spdlog's default logger, on stderr: human-readable text, or JSON lines
// ({"ts":...,"level":...,"msg":...}) for log shippers.
#pragma once

#include "daemon/config/config.h"

namespace vigie::daemon {

void setup_logging(const LogConfig& config);

}  // namespace vigie::daemon
