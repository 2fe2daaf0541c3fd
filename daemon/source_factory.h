// Builds the configured sources by type, reading each one's own options. `vigie check` calls it too, so a
// source's config errors are found before anything starts.
#pragma once

#include <prometheus/registry.h>

#include <memory>
#include <vector>

#include "daemon/api/push_api.h"
#include "daemon/config/config.h"
#include "ingest/source.h"

namespace vigie::daemon {

struct BuiltSources {
  std::vector<std::unique_ptr<ingest::Source>> active;  // sources that run: replay, streams, feeds
  std::vector<PushSource> push;                         // http_push: fed by POST /api/v1/posts
};

// Errors are "FILE:LINE:COL: message" pointing into the source's section.
Result<BuiltSources> build_sources(const Config& config, prometheus::Registry& registry);

}  // namespace vigie::daemon
