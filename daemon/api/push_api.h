// `http_push` sources: POST /api/v1/posts (role `ingest`).
//
// Body: NDJSON (Content-Type application/x-ndjson: one post per line, blank lines ignored), or one JSON object,
// or a JSON array of objects; each post as in ingest/post_json.h. Valid posts are stored even when others are
// rejected. The answer is sent only once the accepted posts are durable (per storage.sync):
//   202 {"accepted": N, "duplicates": M, "rejected": [{"line": 3, "error": "..."}]}
// accepted: stored now (new, edits, deletes); duplicates: already stored, nothing changed; rejected: invalid,
// with their line (NDJSON) or "index" (0-based, JSON array). accepted + duplicates + rejected = posts sent.
// 400 when no post is valid, 413 past http.max_body_bytes, 503 + Retry-After when the queue is full, storage
// is failing, or Vigie is stopping: the client retries, and a retried post is recognised by its uid.
//
// With several http_push sources, ?source=ID picks one (default: the first configured).
#pragma once

#include <string>
#include <vector>

#include "daemon/http/http_router.h"
#include "daemon/pipeline.h"
#include "ingest/source_metrics.h"

namespace vigie::daemon {

struct PushSource {
  std::string id;
  std::shared_ptr<ingest::SourceMetrics> metrics;
};

void add_push_routes(Router& router, Pipeline& pipeline, std::vector<PushSource> sources);

}  // namespace vigie::daemon
