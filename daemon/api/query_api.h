// The read API over storage (role `read`), JSON in and out; bad parameters get 400 naming the parameter,
// an unknown brand 404.
//
//   GET /api/v1/posts?from&to&platform&source&limit&cursor         stored posts, newest first
//   GET /api/v1/brands                                              configured brands with last-24h counts
//   GET /api/v1/brands/{id}/mentions?from&to&sentiment&min_followers&lang&platform&limit&cursor
//   GET /api/v1/brands/{id}/series?from&to&step=1m|5m|1h|1d         buckets, empty ones included
//   GET /api/v1/brands/{id}/top?from&to&sentiment&limit              top authors, topics and posts by reach
//   GET /api/v1/token                                               (any valid token) who the token is
//
// Times are RFC 3339, "now", or relative to now ("-24h", "-7d"). Lists default to all time up to now and
// return {"items": [...], "next_cursor": "..." | null}; series default to the last 24 hours at 1h steps.
//
// top: over [from, to), default the last 24 hours; limit (default 10, at most 100) per list; sentiment
// (positive, neutral, negative) keeps only mentions of that label. ->
//   {"brand","from","to","authors":[author],"topics":[topic],"posts":[mention],"examined","truncated",
//    "examined_from"}   (shapes in mention_json.h; authors by summed reach, topics by mentions, posts by reach)
// At most 50,000 mentions are examined, newest first: past that, the lists cover the newest ones only,
// "truncated" is true and "examined_from" says from when.
//
// token: {"name","role","roles"}: role is the strongest (admin, else read, else ingest), roles all of them;
// 401 without a valid token.
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
