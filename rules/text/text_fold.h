// Text folding for matching and lexicon look-up: one canonical form so that "DÉÇU", "Déçu", "deçu" and "decu"
// are the same word, "ﬁ" is "fi", fullwidth "ＡＣＭＥ" is "acme", and "j’adore" is "j'adore".
//
// The fold is Unicode NFKC compatibility mapping + case folding + removal of combining marks (accents) +
// utf8proc's "lump" of look-alike punctuation (curly quotes, dashes) to ASCII + removal of default-ignorable
// code points (zero-width joiners, variation selectors). Emoji stay as they are.
//
// Speed: ASCII bytes go through a 128-entry table; every code point of the Basic Multilingual Plane has its
// fold precomputed once at start-up (a few ms); only astral code points (mostly emoji) call utf8proc. No
// allocation happens beyond the growth of the caller's buffers, which callers reuse across posts.
//
// Thread-safety: all functions are safe to call concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigie::rules {

// Appends the folded form of UTF-8 `in` to `out`. Invalid UTF-8 bytes become a space, so they split words.
// When `offsets` is given, appends one entry per output byte: the offset in `in` of the code point it came
// from, so that a match in folded text maps back to the original for highlighting.
void fold_text(std::string_view in, std::string& out, std::vector<std::uint32_t>* offsets = nullptr);

// Convenience for tests and start-up code (allocates).
std::string fold_text(std::string_view in);

// Decodes one UTF-8 code point at `pos`, advancing it. Returns -1 (and advances by one byte) when invalid.
std::int32_t decode_utf8(std::string_view s, std::size_t& pos);

// Appends code point `cp` as UTF-8.
void append_utf8(std::string& out, std::int32_t cp);

}  // namespace vigie::rules
