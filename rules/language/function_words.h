// Function words (articles, pronouns, auxiliaries, negations, the commonest adverbs and replies) of the
// languages Vigie meets most, as evidence of a post's language.
//
// French and English words decide a post on their own when nothing else contradicts them: that is the fast
// path that spares CLD2 most posts. The other languages' words never decide anything by themselves; they
// veto the fast path (an Italian "il" is not French) and confirm CLD2 when it names their language on a text
// too short for CLD2 alone. Words shared by two languages carry both bits; words that are also common French
// or English words ("no", "men", "die" stays: German's article outweighs the English verb) are left out of the
// other lists, so they do not send an ordinary English post to CLD2.
//
// Thread-safety: the table is built once, on first use, and read-only afterwards.
#pragma once

#include <cstdint>
#include <string_view>

namespace vigie::rules::lang_words {

enum Bits : std::uint16_t {
  kFrench = 1u << 0,
  kEnglish = 1u << 1,
  kGerman = 1u << 2,
  kSpanish = 1u << 3,
  kItalian = 1u << 4,
  kPortuguese = 1u << 5,
  kDutch = 1u << 6,
  kScandinavian = 1u << 7,  // Swedish, Norwegian, Danish: CLD2 tells them apart, the lists need not
  kPolish = 1u << 8,
  kTurkish = 1u << 9,
  kIndonesian = 1u << 10,  // and Malay
  kOther = static_cast<std::uint16_t>(~(kFrench | kEnglish)),
};

// The languages whose function word `word` is (lower case, accents kept, apostrophes as '), 0 when none.
std::uint16_t languages_of(std::string_view word);

// The bit of an ISO 639-1 code as the detector reports it ("de", "nb"...), 0 when no list covers it.
std::uint16_t bit_of_code(std::string_view iso);

}  // namespace vigie::rules::lang_words
