// The spokesperson's page, served by Vigie itself from the files embedded in the binary (web_assets.h).
//
//   GET /                   the app (index.html): overview of open incidents and brands
//   GET /incidents/{id}     the app: an incident's timeline
//   GET /brands/{id}        the app: a brand's volume, sentiment, topics, authors and incidents
//   GET /assets/<version>/<path>   the page's CSS, JS modules, icon and vendored uPlot
//
// All open: the page holds no data, it asks for a token and calls the API (/api/v1/...) with it. The app's
// routes all answer index.html, which routes in the browser.
//
// Caching: index.html is `Cache-Control: no-cache` with an ETag (revalidated on every load, 304 when unchanged);
// assets under the current version are `public, max-age=31536000, immutable` (the version changes with their
// content); under another version (a page loaded before an upgrade) they are served, but `no-cache`.
//
// Headers on the page and its assets: Content-Security-Policy (kContentSecurityPolicy: scripts, styles and
// connections to this origin only, no inline script or style, no framing, no forms posting elsewhere),
// X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer.
#pragma once

#include <string_view>

#include "daemon/http/http_router.h"

namespace vigie::daemon {

inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

void add_web_routes(Router& router);

}  // namespace vigie::daemon
