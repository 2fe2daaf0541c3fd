// The word table of one sentiment language: every folded token the scorer cares about (valence words,
// negators, boosters, contrast words, heads of multi-word phrases) in one flat open-addressing hash table, so a
// token costs one probe whatever its role.
//
// Keys are folded with rules::fold_text (case, accents, compatibility forms), so "DÉÇU", "déçu" and "decu"
// find the same entry. A table is built once (SentimentLexicon::Builder), then frozen and only read.
//
// Thread-safety: a frozen SentimentLexicon is immutable; find() is safe to call concurrently.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vigie::rules {

// What a token does in the VADER method. A token may have several roles (French "super" is both a valence
// word and a booster; the scorer decides from its neighbour which one applies).
namespace lex {
inline constexpr std::uint32_t kValence = 1u << 0;  // in the valence lexicon ("in lexicon" for VADER)
inline constexpr std::uint32_t kNegator = 1u << 1;  // flips valence words up to three tokens after it
inline constexpr std::uint32_t kPostNegator = 1u
                                              << 2;    // French "pas", "jamais": also negates the verb before
inline constexpr std::uint32_t kNeParticle = 1u << 3;  // French "ne"/"n'": licenses kNegatorAfterNe words
inline constexpr std::uint32_t kNegatorAfterNe = 1u << 4;  // French "plus", "personne": negator after "ne"
inline constexpr std::uint32_t kBooster = 1u << 5;   // adds `scalar` (B_INCR or B_DECR) to the next valence
inline constexpr std::uint32_t kContrast = 1u << 6;  // "but", "mais": halves what precedes, 1.5x what follows
inline constexpr std::uint32_t kNoFlip = 1u << 7;    // a valence word negation does not flip (emoji too)
inline constexpr std::uint32_t kPhraseHead = 1u << 8;  // first word of a multi-word phrase: try the phrases
// Words that VADER's English rules name individually.
inline constexpr std::uint32_t kNo = 1u << 9;           // "no": negates the next one or two valence words
inline constexpr std::uint32_t kLeast = 1u << 10;       // "least": negates, except in "at least"/"very least"
inline constexpr std::uint32_t kAtOrVery = 1u << 11;    // "at", "very" before "least"
inline constexpr std::uint32_t kNever = 1u << 12;       // "never": "never so good" emphasises, not negates
inline constexpr std::uint32_t kSoOrThis = 1u << 13;    // "so", "this"
inline constexpr std::uint32_t kWithout = 1u << 14;     // "without": "without doubt" does not negate
inline constexpr std::uint32_t kDoubt = 1u << 15;       // "doubt"
inline constexpr std::uint32_t kOrNor = 1u << 16;       // "or", "nor" in "no X or Y"
inline constexpr std::uint32_t kFiller = 1u << 17;      // French clitics/adverbs between a verb and "pas"
inline constexpr std::uint32_t kElision = 1u << 18;     // French elided prefix ("j'", "l'", "qu'"): split off
inline constexpr std::uint32_t kPhraseNext = 1u << 19;  // second or later word of a phrase (cheap pre-check)
// French "plus jamais", "toujours pas": negates a valence word that follows in its clause, and otherwise
// carries its own valence ("plus jamais je commande chez eux"). Set with kValence and kNegator.
inline constexpr std::uint32_t kVow = 1u << 20;
// French "bon", "bref": a valence word that, standing as a clause of its own at the start of a sentence ("Bon,
// je vais me coucher"), is a discourse marker and carries no valence there.
inline constexpr std::uint32_t kOpener = 1u << 21;
}  // namespace lex

struct LexiconEntry {
  float valence = 0;  // mean valence on VADER's -4..+4 scale, meaningful when flags has lex::kValence
  float scalar = 0;   // booster increment (+0.293 boosts, -0.293 dampens), meaningful with lex::kBooster
  std::uint32_t flags = 0;
};

class SentimentLexicon {
 public:
  // Hash of a folded key, eight bytes at a time (little-endian words, the last one zero-padded): most tokens
  // fit in one word, so a look-up costs a couple of multiplications rather than one per byte.
  static std::uint64_t hash(std::string_view folded) {
    std::uint64_t h = seed(folded.size());
    std::size_t i = 0;
    for (; i + 8 <= folded.size(); i += 8)
      h = mix(h, load(folded.data() + i, 8));
    if (i < folded.size()) h = mix(h, load(folded.data() + i, folded.size() - i));
    return finish(h);
  }

  // The same hash, for a key followed by at least 8 readable bytes (the tokenizer's padded buffer): whole
  // words are loaded and masked instead of assembled byte by byte.
  static std::uint64_t hash_padded(const char* data, std::size_t n) {
    std::uint64_t h = seed(n);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8)
      h = mix(h, load(data + i, 8));
    if (i < n) {
      std::uint64_t w;
      std::memcpy(&w, data + i, 8);
      h = mix(h, w & (~0ull >> (64 - 8 * (n - i))));
    }
    return finish(h);
  }

  // Collects entries (keys already folded), then freezes them into the flat table.
  class Builder {
   public:
    // The entry for `folded_key`, created empty when absent.
    LexiconEntry& at(std::string_view folded_key);
    const LexiconEntry* find(std::string_view folded_key) const;
    void erase(std::string_view folded_key) { entries_.erase(std::string(folded_key)); }
    std::size_t size() const { return entries_.size(); }
    SentimentLexicon freeze() const;

   private:
    std::unordered_map<std::string, LexiconEntry> entries_;
  };

  SentimentLexicon() = default;

  // The entry for a folded token whose hash() is `h`, or nullptr.
  const LexiconEntry* find(std::string_view folded, std::uint64_t h) const {
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot s = slots_[i];
      if (s.item == kEmpty) return nullptr;
      if (s.tag != tag) continue;
      const Item& item = items_[s.item];
      if (item.key_len == folded.size() &&
          same_bytes(pool_.data() + item.key_off, folded.data(), folded.size())) {
        return &item.entry;
      }
    }
  }
  const LexiconEntry* find(std::string_view folded) const { return find(folded, hash(folded)); }

  std::size_t size() const { return items_.size(); }

 private:
  static constexpr std::uint32_t kEmpty = 0xFFFFFFFF;
  static std::uint64_t seed(std::size_t n) { return 0x9E3779B97F4A7C15ull ^ (n * 0xFF51AFD7ED558CCDull); }
  static std::uint64_t mix(std::uint64_t h, std::uint64_t w) {
    h = (h ^ w) * 0xC4CEB9FE1A85EC53ull;
    return h ^ (h >> 29);
  }
  static std::uint64_t finish(std::uint64_t h) {
    h *= 0xFF51AFD7ED558CCDull;
    return h ^ (h >> 32);
  }
  // Little-endian word of n <= 8 bytes, zero-padded.
  static std::uint64_t load(const char* p, std::size_t n) {
    std::uint64_t w = 0;
    for (std::size_t i = 0; i < n; ++i)
      w |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    return w;
  }
  // Keys are a few bytes long: a plain loop beats a call to memcmp.
  static bool same_bytes(const char* a, const char* b, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
      if (a[i] != b[i]) return false;
    return true;
  }
  // 8-byte slots (hash tag + item index) keep the probed array small enough for the L2 cache (128 KiB for
  // English, 256 KiB for French); only a tag match touches the item and its key.
  struct Slot {
    std::uint32_t tag = 0;
    std::uint32_t item = kEmpty;
  };
  struct Item {
    LexiconEntry entry;
    std::uint32_t key_off = 0;
    std::uint32_t key_len = 0;
  };
  std::vector<Slot> slots_ = std::vector<Slot>(1);
  std::vector<Item> items_;
  std::string pool_;
  std::size_t mask_ = 0;
};

}  // namespace vigie::rules
