// The read API over storage (role `read`), JSON in and out; bad parameters get 400 naming the parameter,
// an unknown brand 404.
//
//   GET /api/v1/posts?from&to&platform&source&limit&cursor         stored posts, newest first
//   GET /api/v1/brands                                              configured brands with last-24h counts
//   GET /api/v1/brands/{id}/mentions?from&to&sentiment&min_followers&lang&platform&limit&cursor
//   GET /api/v1/brands/{id}/series?from&to&step=1m|5m|1h|1d         buckets, empty ones included
//
// Times are RFC 3339, "now", or relative to now ("-24h", "-7d"). Lists default to all time up to now and
// return {"items": [...], "next_cursor": "..." | null}; series default to the last 24 hours at 1h steps.
#pragma once

#include <functional>
#include <memory>

#include "daemon/http/http_router.h"
#include "rules/post_scorer.h"
#include "storage/posts/post_queries.h"

namespace vigie::daemon {

// The scorer in force now (its rule set names the brands); called once per request.
using CurrentScorer = std::function<std::shared_ptr<const rules::PostScorer>()>;

void add_query_routes(Router& router, const storage::PostQueries& db, CurrentScorer current);

}  // namespace vigie::daemon
