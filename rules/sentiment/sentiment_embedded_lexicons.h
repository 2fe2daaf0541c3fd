// The sentiment lexicons of rules/sentiment/lexicons/, compiled into the library at build time (see
// rules/sentiment/lexicons/embed_lexicons.cmake) so that the daemon needs no data path at run time.
//
// Thread-safety: the data is immutable static storage; every function is safe to call concurrently.
#pragma once

#include <span>
#include <string_view>

namespace vigie::rules {

struct EmbeddedLexicon {
  std::string_view path;  // relative to rules/sentiment/lexicons/, e.g. "en/vader_lexicon.txt"
  std::string_view data;  // the file's bytes
};

// Every embedded file, in the order the build listed them.
std::span<const EmbeddedLexicon> embedded_lexicons();

// The bytes of the file at `path` (relative to rules/sentiment/lexicons/), or an empty view when it was not embedded.
std::string_view embedded_lexicon(std::string_view path);

}  // namespace vigie::rules
