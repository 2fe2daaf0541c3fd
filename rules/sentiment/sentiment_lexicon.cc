#include "rules/sentiment/sentiment_lexicon.h"

#include <algorithm>
#include <bit>

namespace vigie::rules {

LexiconEntry& SentimentLexicon::Builder::at(std::string_view folded_key) {
  return entries_[std::string(folded_key)];
}

const LexiconEntry* SentimentLexicon::Builder::find(std::string_view folded_key) const {
  auto it = entries_.find(std::string(folded_key));
  return it == entries_.end() ? nullptr : &it->second;
}

SentimentLexicon SentimentLexicon::Builder::freeze() const {
  SentimentLexicon lex;
  // Load factor at most 1/2: most look-ups are misses, and a miss ends at the first empty slot.
  const std::size_t capacity = std::bit_ceil(std::max<std::size_t>(16, entries_.size() * 2));
  lex.slots_.assign(capacity, Slot{});
  lex.mask_ = capacity - 1;
  lex.items_.reserve(entries_.size());
  std::size_t pool_size = 0;
  for (const auto& [key, entry] : entries_)
    pool_size += key.size();
  lex.pool_.reserve(pool_size);
  for (const auto& [key, entry] : entries_) {
    const std::uint64_t h = hash(key);
    std::size_t i = h & lex.mask_;
    while (lex.slots_[i].item != kEmpty)
      i = (i + 1) & lex.mask_;
    lex.slots_[i] = Slot{static_cast<std::uint32_t>(h >> 32), static_cast<std::uint32_t>(lex.items_.size())};
    lex.items_.push_back(
        Item{entry, static_cast<std::uint32_t>(lex.pool_.size()), static_cast<std::uint32_t>(key.size())});
    lex.pool_ += key;
  }
  return lex;
}

}  // namespace vigie::rules
