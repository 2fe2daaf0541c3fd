// Splits a post into the tokens VADER's rules walk over, looking each one up in the language's word table.
//
// Tokens are white-space separated (Unicode spaces included), stripped of surrounding ASCII punctuation,
// folded (case, accents, compatibility forms; "œ" → "oe") and, in French, split after elided prefixes
// ("j'adore" → "j'", "adore"). An emoji with a valence of its own (lexicons/emoji_valence.tsv) becomes one
// token, its base form ("👍🏽" → "👍"); any other emoji becomes the words of its description. A word not in
// the table is looked up again with letter runs squeezed ("cooool" → "cool", "nuuul" → "nul"); such a
// token is marked `elongated`.
//
// Speed: ASCII words are lower-cased and hashed in the copy that stores them, and words of Latin-1 letters
// (French) fold through a table precomputed from fold_text; only other scripts and emoji call the Unicode
// folder. The output buffers are reused across posts, so tokenizing allocates nothing once they have grown.
//
// Thread-safety: tokenize() is reentrant; each thread passes its own TokenizedText.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rules/sentiment/sentiment_language.h"

namespace vigie::rules {

struct SentimentToken {
  const LexiconEntry* entry = nullptr;  // nullptr: the word plays no role
  std::uint32_t offset = 0;             // folded text in TokenizedText::text
  std::uint32_t length = 0;
  bool upper = false;         // written in capitals (at least one cased letter, none lower-case)
  bool clause_end = false;    // followed by , . ; : ! or ? in the original
  bool self_negated = false;  // the last token of a phrase that contains its own negation ("pas terrible")
  bool emoji = false;         // an emoji, or a word of an emoji's description: not the writer's own words
  bool elongated = false;     // found only once its letter runs were squeezed ("géniaaal" → "genial")
  bool in_phrase = false;     // a word of a phrase other than its last, whose entry the phrase took over
};

struct TokenizedText {
  // Folded tokens back to back in text[0, used). The string keeps its largest size across posts so that
  // appending never zero-fills; only `used` bytes are meaningful.
  std::string text;
  std::size_t used = 0;
  std::vector<SentimentToken> tokens;
  int exclamations = 0;   // '!' in the whole post
  int questions = 0;      // '?' in the whole post
  int upper_tokens = 0;   // tokens with `upper`
  std::string scratch;    // internal
  std::string emoji_key;  // internal

  std::string_view token_text(const SentimentToken& t) const { return {text.data() + t.offset, t.length}; }
};

// Replaces `out`'s content with the tokens of `text` (UTF-8; invalid bytes split words).
void tokenize(std::string_view text, const SentimentLanguage& lang, TokenizedText& out);

}  // namespace vigie::rules
