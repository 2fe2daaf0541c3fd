// Language of a post, for choosing its sentiment lexicon: "en", "fr", another ISO 639-1 code, or "und".
//
// The decision has three outcomes, because a wrong guess costs more than no guess: a post read with the
// wrong lexicon gets nothing, while an undetermined one can still be scored with both (PostScorer).
//  - determined French or English: the text says so;
//  - determined other language (de, ja...): the text says so, and it gets no sentiment;
//  - undetermined: too little text to tell (emoji, emoticons, hashtags, one or two words), or only an
//    unreliable guess: "und". The platform's declared language is reported beside, as a hint for choosing a
//    lexicon; it never decides the language (platforms often get it wrong).
//
// How, cheapest first, on the post with URLs, @mentions and #hashtags removed:
//  1. no letters: undetermined;
//  2. fast path: two French (or English) function words or elisions, none of English (French) or of another
//     language, Latin letters only: French (English), without CLD2. Most posts stop here;
//  3. otherwise Google's CLD2 (Debian's libcld2), checked against the function words: on a short text CLD2
//     confuses close languages and defaults to English, so a short verdict of French or English must agree
//     with the function words, and a short verdict of another Latin-script language needs its reliability
//     flag and either that language's function words or enough letters (the "angry 😡" read as Norwegian).
//     A text mostly in another script (Cyrillic, CJK, Arabic...) is never French or English.
//
// Thread-safety: decide() and detect() are const and safe to call concurrently (CLD2 is thread-safe; scratch
// buffers are per thread). Returned views point to static storage.
#pragma once

#include <string_view>

namespace vigie::rules {

struct LanguageGuess {
  std::string_view lang = "und";  // ISO 639-1, or "und" when undetermined or in a script of many languages
  bool determined = false;        // the text settles it; false: "und", too little text to tell
  std::string_view declared = "und";  // the platform's declared language as ISO 639-1, or "und"
  bool used_cld2 = false;             // for benchmarks and diagnostics: the fast path did not decide
};

class LanguageDetector {
 public:
  // `hint`: the platform's declared language ("fr", "en-US", "" when unknown).
  LanguageGuess decide(std::string_view text, std::string_view hint) const;

  std::string_view detect(std::string_view text, std::string_view hint) const {
    return decide(text, hint).lang;
  }
};

}  // namespace vigie::rules
