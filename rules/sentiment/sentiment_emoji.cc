#include "rules/sentiment/sentiment_emoji.h"

#include <algorithm>

#include "rules/text/text_fold.h"

namespace vigie::rules {
namespace {

// Variation selectors only choose text or emoji presentation: ignored when keys are built and skipped when
// matching, so "❤" and "❤️" are the same emoji.
bool is_variation_selector(std::int32_t cp) {
  return cp == 0xFE0E || cp == 0xFE0F;
}

bool is_skin_tone(std::int32_t cp) {
  return cp >= 0x1F3FB && cp <= 0x1F3FF;
}

constexpr std::int32_t kZwj = 0x200D;

bool is_gender_sign(std::int32_t cp) {
  return cp == 0x2640 || cp == 0x2642;
}

// Bytes of the modifiers that start at `pos`: variation selectors, skin tones, ZWJ + gender sign.
std::size_t modifiers_at(std::string_view text, std::size_t pos) {
  std::size_t q = pos;
  while (q < text.size()) {
    std::size_t r = q;
    const std::int32_t cp = decode_utf8(text, r);
    if (cp == kZwj) {
      if (r >= text.size()) break;
      const std::int32_t next = decode_utf8(text, r);
      if (!is_gender_sign(next)) break;
    } else if (!is_variation_selector(cp) && !is_skin_tone(cp)) {
      break;
    }
    q = r;
  }
  return q - pos;
}

}  // namespace

std::string EmojiDescriptions::base_form(std::string_view emoji) {
  std::string out;
  for (std::size_t pos = 0; pos < emoji.size();) {
    const std::int32_t cp = decode_utf8(emoji, pos);
    if (cp < 0 || is_variation_selector(cp)) continue;
    if (!out.empty()) {
      if (is_skin_tone(cp)) continue;
      if (cp == kZwj && pos < emoji.size()) {
        std::size_t next = pos;
        if (is_gender_sign(decode_utf8(emoji, next))) {
          pos = next;
          continue;
        }
      }
    }
    append_utf8(out, cp);
  }
  return out;
}

void EmojiDescriptions::add(std::string_view emoji, std::string_view description) {
  EmojiReading reading;
  reading.text = description;
  insert(emoji, std::move(reading));
}

void EmojiDescriptions::add_token(std::string_view emoji, std::string_view base, float valence) {
  EmojiReading reading;
  reading.text = base;
  reading.token = true;
  if (valence != 0) {
    reading.entry.valence = valence;
    reading.entry.flags = lex::kValence | lex::kNoFlip;
  }
  insert(emoji, std::move(reading));
}

void EmojiDescriptions::insert(std::string_view emoji, EmojiReading reading) {
  std::string key;
  int count = 0;
  std::int32_t first = -1;
  for (std::size_t pos = 0; pos < emoji.size();) {
    const std::int32_t cp = decode_utf8(emoji, pos);
    if (cp < 0 || is_variation_selector(cp)) continue;
    if (first < 0) first = cp;
    append_utf8(key, cp);
    ++count;
  }
  if (first < 0 || count > kMaxCodePoints || static_cast<std::uint32_t>(first) >= kBits) return;
  starts_[first >> 6] |= 1ull << (first & 63);
  max_code_points_ = std::max(max_code_points_, count);
  // The first reading wins: the valence table comes first, and the files list the plain emoji before its
  // variants.
  by_utf8_.emplace(std::move(key), std::move(reading));
}

const EmojiReading* EmojiDescriptions::match(std::string_view text, std::size_t pos, std::size_t& length,
                                             std::string& key) const {
  // Gather up to max_code_points_ code points, remembering where each ends, then try the longest first.
  std::size_t key_end[kMaxCodePoints];
  std::size_t text_end[kMaxCodePoints];
  int n = 0;
  key.clear();
  std::size_t p = pos;
  while (p < text.size() && n < max_code_points_) {
    const std::size_t before = p;
    const std::int32_t cp = decode_utf8(text, p);
    if (cp < 0) {
      p = before;
      break;
    }
    if (is_variation_selector(cp)) {
      if (n > 0) text_end[n - 1] = p;
      continue;
    }
    if (cp < 0x80) {
      p = before;
      break;
    }
    append_utf8(key, cp);
    key_end[n] = key.size();
    text_end[n] = p;
    ++n;
  }
  for (int k = n; k > 0; --k) {
    key.resize(key_end[k - 1]);
    auto it = by_utf8_.find(key);
    if (it != by_utf8_.end()) {
      length = text_end[k - 1] - pos;
      // Swallow what modifies the matched emoji: variation selectors, and a skin tone or gender sign the
      // files do not list for it ("🫶🏽"), which would otherwise score as words of their own.
      length += modifiers_at(text, pos + length);
      return &it->second;
    }
  }
  length = 0;
  return nullptr;
}

}  // namespace vigie::rules
