// The opaque cursors of paginated queries: a position (the key of the last row a page examined) wrapped in
// URL-safe base64 without padding, so it can travel in a query string as is.
//
// Encoded bytes: format version (1) | query kind (1) | position. The kind stops a cursor of one listing from
// being replayed against another. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/base/result.h"

namespace vigie::storage {

enum class CursorKind : std::uint8_t { posts = 1, mentions = 2 };

std::string encode_page_cursor(CursorKind kind, std::string_view position);
// The position, or an error "storage: invalid cursor" on anything encode_page_cursor did not produce for
// kind.
Result<std::string> decode_page_cursor(CursorKind kind, std::string_view cursor);

// URL-safe base64 (RFC 4648 section 5) without padding.
std::string base64url_encode(std::string_view bytes);
// Returns false on text that is not canonical unpadded base64url.
bool base64url_decode(std::string_view text, std::string& out);

}  // namespace vigie::storage
