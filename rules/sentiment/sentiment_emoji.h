// Emoji → what the scorer reads for them: the words that describe them ("🚗" → "automobile"), as VADER does,
// or, for an emoji with a valence of its own (emoji_valence.tsv), one token with that valence ("😡", "👍🏽" →
// "👍"). Tokens carry their entry here, so they cost the word table neither a slot nor a look-up. Sequences
// (skin tones, "❤️" with its variation selector) match longest first; a skin tone or a ZWJ + gender sign that
// follows a matched emoji belongs to it and is swallowed.
//
// Thread-safety: immutable once built; match() is safe to call concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rules/sentiment/sentiment_lexicon.h"

namespace vigie::rules {

// What an emoji is read as.
struct EmojiReading {
  std::string text;    // the description's words, space-separated; for a token, the emoji's base form
  bool token = false;  // one token (emoji_valence.tsv) rather than the words of a description
  LexiconEntry entry;  // the token's valence; flags == 0 when it has none (a neutral token)
};

class EmojiDescriptions {
 public:
  // Adds `emoji` (UTF-8, one or more code points; variation selectors are ignored) described by `description`.
  // The first reading of an emoji wins.
  void add(std::string_view emoji, std::string_view description);

  // Adds `emoji`, read as one token `base` with `valence` (0: a token without valence). The entry is flagged
  // lex::kNoFlip: an emoji is the writer's mood, not a word that negation flips.
  void add_token(std::string_view emoji, std::string_view base, float valence);

  // True when code point `cp` begins at least one emoji: the cheap test the tokenizer runs on every
  // non-ASCII code point.
  bool may_start(std::int32_t cp) const {
    return cp >= 0 && static_cast<std::uint32_t>(cp) < kBits && (starts_[cp >> 6] >> (cp & 63) & 1u);
  }

  // When an emoji begins at byte `pos` of `text`, returns its reading and sets `length` to the bytes it spans
  // (trailing modifiers included); otherwise returns nullptr. `key` is scratch space.
  const EmojiReading* match(std::string_view text, std::size_t pos, std::size_t& length,
                            std::string& key) const;

  std::size_t size() const { return by_utf8_.size(); }

  // `emoji` without variation selectors, skin-tone modifiers (U+1F3FB..U+1F3FF after the first code point)
  // and ZWJ + gender sign (U+200D U+2640/U+2642): "🤦🏽‍♀️" → "🤦", "❤️" → "❤", "❤️‍🔥" → "❤‍🔥".
  static std::string base_form(std::string_view emoji);

 private:
  static constexpr std::uint32_t kBits = 0x20000;  // emoji live below U+20000
  static constexpr int kMaxCodePoints = 8;
  std::vector<std::uint64_t> starts_ = std::vector<std::uint64_t>(kBits / 64);
  void insert(std::string_view emoji, EmojiReading reading);

  std::unordered_map<std::string, EmojiReading> by_utf8_;
  int max_code_points_ = 1;
};

}  // namespace vigie::rules
