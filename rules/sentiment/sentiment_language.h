// Everything the sentiment scorer needs for one language: its word table, multi-word phrases, emoji
// descriptions and the switches that select the language's grammar rules. The engine (sentiment_analyzer.cc)
// is the same for every language; only this data differs.
//
// Built once from the lexicons embedded in the library (rules/sentiment/lexicons/) plus the rule file's domain terms.
// Thread-safety: immutable once built; safe to read concurrently.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ingest/base/result.h"
#include "rules/sentiment/sentiment_emoji.h"
#include "rules/sentiment/sentiment_lexicon.h"

namespace vigie::rules {

struct SentimentLanguage {
  std::string code;  // "en", "fr"
  SentimentLexicon words;
  // Multi-word phrases keyed by their tokens joined with one space ("kind of", "pas terrible",
  // "j' en ai marre"). The entry applies to the phrase's last token; the others are absorbed.
  SentimentLexicon phrases;
  EmojiDescriptions emoji;

  // VADER's English-specific rules: "no", "least", "never so", "without doubt", and words containing "n't"
  // count as negators.
  bool vader_english_rules = false;
  // VADER splits on white space and strips punctuation only when 3+ characters remain ("ok!" stays "ok!").
  // Off: punctuation is stripped unless the token as written is in the lexicon (emoticons such as ":)").
  bool vader_token_stripping = false;
  // French: a valence word is flipped at most once whatever the number of negation words around it ("ne …
  // pas"), negation can also follow the verb ("j'aime pas"), and it stops at clause punctuation.
  bool french_negation = false;
};

// Builds the English resources: VADER's lexicon, emoji descriptions and modifier lists.
Result<SentimentLanguage> load_english_sentiment(const std::vector<std::pair<std::string, float>>& extra);

// Builds the French resources: vader_FR and AFINN-fr lexicons reconciled, the project's hand-checked
// valences, emoji descriptions, negation/booster/elision lists and idioms.
Result<SentimentLanguage> load_french_sentiment(const std::vector<std::pair<std::string, float>>& extra);

// fold_text() plus "œ" → "oe" and "æ" → "ae" (letters of their own for Unicode, but French writes "coeur" as
// often as "cœur"): the form of every lexicon key and every token.
std::string fold_sentiment_key(std::string_view text);

// Rewrites "œ"/"æ" as "oe"/"ae" in s[from..], in place (same byte length).
void expand_ligatures(std::string& s, std::size_t from);

// Splits a folded phrase into the tokens the tokenizer would produce (spaces, then elided prefixes listed in
// `words` with lex::kElision), joined by single spaces. Exposed for tests.
std::string normalize_phrase(std::string_view folded, const SentimentLexicon::Builder& words);

}  // namespace vigie::rules
