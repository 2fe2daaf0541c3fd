// Emoji → words, so that emoji are scored through the words that describe them ("😡" → "pouting face"),
// as VADER does. Sequences (skin tones, "❤️" with its variation selector) match longest first.
//
// Thread-safety: immutable once built; match() is safe to call concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vigie::rules {

class EmojiDescriptions {
 public:
  // Adds `emoji` (UTF-8, one or more code points; variation selectors are ignored) described by `description`.
  void add(std::string_view emoji, std::string_view description);

  // True when code point `cp` begins at least one emoji: the cheap test the tokenizer runs on every
  // non-ASCII code point.
  bool may_start(std::int32_t cp) const {
    return cp >= 0 && static_cast<std::uint32_t>(cp) < kBits && (starts_[cp >> 6] >> (cp & 63) & 1u);
  }

  // When an emoji begins at byte `pos` of `text`, returns its description and sets `length` to the bytes it
  // spans (trailing variation selectors included); otherwise returns an empty view. `key` is scratch space.
  std::string_view match(std::string_view text, std::size_t pos, std::size_t& length, std::string& key) const;

  std::size_t size() const { return by_utf8_.size(); }

 private:
  static constexpr std::uint32_t kBits = 0x20000;  // emoji live below U+20000
  static constexpr int kMaxCodePoints = 8;
  std::vector<std::uint64_t> starts_ = std::vector<std::uint64_t>(kBits / 64);
  std::unordered_map<std::string, std::string> by_utf8_;
  int max_code_points_ = 1;
};

}  // namespace vigie::rules
