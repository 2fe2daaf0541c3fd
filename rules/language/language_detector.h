// Language of a post, for choosing its sentiment lexicon: "en", "fr", another ISO 639-1 code, or "und".
//
// Detection runs Google's CLD2 (Debian's libcld2) on the post with URLs, @mentions and #hashtags removed.
// CLD2 is reliable on sentences but weak on a handful of words, where it often falls back to English; short
// posts are therefore settled by function-word evidence (French "je", "c'est", "pas", elided "j'"/"qu'" vs
// English "the", "is", "n't"), which a 5-word post nearly always carries. The platform's declared language is
// used only when the text itself is inconclusive (no letters, or no evidence either way): platforms often get
// it wrong.
//
// Thread-safety: detect() is const and safe to call concurrently (CLD2 is thread-safe; scratch buffers are
// per thread). The returned view points to static storage.
#pragma once

#include <string_view>

namespace vigie::rules {

class LanguageDetector {
 public:
  // `hint`: the platform's declared language ("fr", "en-US", "" when unknown); a hint only.
  std::string_view detect(std::string_view text, std::string_view hint) const;
};

}  // namespace vigie::rules
