// The event stream: GET /api/v1/stream (read role), server-sent events of new mentions and incident changes,
// so that a page follows them live (daemon/events/stream_events.h says what each event holds).
//
//   GET /api/v1/stream?brand=ID&last_event_id=ID
//     Authorization: Bearer <token>   (a token with the read role; EventSource cannot send this header, so
//                                      the page reads the stream with fetch() and a ReadableStream)
//     Last-Event-ID: <id>             (or the last_event_id parameter) resume after that event
//   200, Content-Type: text/event-stream, Cache-Control: no-store; the body lasts as long as the connection.
//   Frames, each ended by a blank line:
//     retry: 3000 (with "id: <latest>" when no id was given)   first; the id lets a reader that reconnects
//                                                              before any event resume without a gap
//     id: <boot>-<seq> / event: mention / data: <mention JSON>
//     id: <boot>-<seq> / event: incident / data: {"event","incident","entry"}
//     id: <boot>-<latest> / event: reset / data: {"reason": "..."}
//                                      the id given cannot be resumed from (Vigie restarted, the id fell out
//                                      of the replay window, malformed): reload state, then go on live
//     : heartbeat                      after `stream.heartbeat` (15 s) without a frame, for proxies
//   A reader more than stream.client_queue events behind, or whose socket takes more than
//   stream.write_timeout to accept a write, is dropped (the connection closes; vigie_stream_dropped_total);
//   it reconnects with its Last-Event-ID. ?brand=ID keeps one brand's events (unknown brand: 404). Over
//   stream.max_clients readers: 503 with Retry-After.
#pragma once

#include <functional>
#include <string>

#include "daemon/config/config.h"
#include "daemon/events/event_hub.h"
#include "daemon/http/http_router.h"

namespace vigie::daemon {

// `is_brand` says whether a brand id is configured now. `hub` must outlive the server's streams.
void add_stream_route(Router& router, EventHub& hub, const StreamConfig& config,
                      std::function<bool(const std::string&)> is_brand);

// The hub options of a stream config.
EventHubOptions event_hub_options(const StreamConfig& config);

}  // namespace vigie::daemon
