// What a "word" is for the query language, and the marked text that lets RE2 respect word boundaries.
//
// A word character is a letter, digit or combining mark of any script (Unicode L*, N*, M*) or '_'. RE2's `\b`
// is ASCII-only, so instead of asking RE2 for boundaries the text is rewritten once per post: a marker byte
// kWordMark (0x01) is inserted before and after every maximal run of word characters. "L'Acme 😡!" folds to
// "l'acme 😡!" and is marked as "\1l\1'\1acme\1 😡!". A query term goes through the same marking ("acme" ->
// "\1acme\1", "#acme" -> "#\1acme\1"), so a plain byte-literal search for the marked term in the marked text
// finds exactly the occurrences that sit on word boundaries, for every script, and for terms that start or
// end with
// '#', '@' or an emoji (no boundary is required on a side whose character is not a word character).
//
// Control characters (< 0x20, 0x7F) and invalid UTF-8 bytes are written as a space, so kWordMark only ever
// appears as a marker.
//
// Tokens (for NEAR distances) are the word runs plus every single "symbol" code point (Unicode S*, Co, Cn:
// emoji, currency, math), so "acme 😡" is two tokens; punctuation and spaces are not tokens.
//
// Thread-safety: all functions are pure and safe to call concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigie::rules {

inline constexpr char kWordMark = '\x01';

bool is_word_char(std::int32_t cp);
// A code point that forms a token on its own: not a word character, not punctuation, space or control.
bool is_symbol_char(std::int32_t cp);

// Replaces `out` with the marked form of UTF-8 `in` (see above). Allocates only when `out` must grow.
void mark_words(std::string_view in, std::string& out);

// Replaces `out` with mark_words(fold_text(in)), in one pass and without the intermediate string. The fold of
// each code point is taken from fold_text itself (cached per code point at first use: the Basic Multilingual
// Plane and the emoji blocks, a few ms), so the two can never disagree; rarer code points call fold_text
// directly. This is the per-post hot path: about 1 ns per ASCII byte.
void fold_and_mark(std::string_view in, std::string& out);

// A token of marked text: byte range [begin, end) without the markers.
struct Token {
  std::uint32_t begin;
  std::uint32_t end;
};

// Replaces `out` with the tokens of marked text `marked`, in order.
void tokenize_marked(std::string_view marked, std::vector<Token>& out);

}  // namespace vigie::rules
