// The page's files (daemon/web/: index.html, app.css, the JS modules, vendored uPlot), compiled into the binary at
// build time by daemon/web/embed_web_assets.cmake, so that Vigie serves its page with no data path and no network.
//
// Thread-safety: the data is immutable static storage; every function is safe to call concurrently.
#pragma once

#include <span>
#include <string_view>

namespace vigie::daemon {

struct WebAsset {
  std::string_view path;          // relative to daemon/web/, e.g. "js/app.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view data;          // the file's bytes (index.html with its asset paths filled in)
  std::string_view etag;          // a strong ETag from the bytes' SHA-256, quotes included
};

// Every embedded file, in the order the build listed them.
std::span<const WebAsset> web_assets();

// The asset set's version (16 hex digits of a SHA-256 over every file but index.html): the page loads its assets
// from /assets/<version>/..., so a new build never meets a browser's cached copy of an older file.
std::string_view web_assets_version();

// The file at `path` (relative to daemon/web/), or nullptr.
const WebAsset* find_web_asset(std::string_view path);

}  // namespace vigie::daemon
