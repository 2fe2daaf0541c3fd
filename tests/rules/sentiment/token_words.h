// Test support: the folded tokens the sentiment tokenizer makes of a text, as strings.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rules/sentiment/sentiment_tokenizer.h"

namespace vigie::rules::testing {

inline std::vector<std::string> token_words(std::string_view text, const SentimentLanguage& lang) {
  TokenizedText tt;
  tokenize(text, lang, tt);
  std::vector<std::string> out;
  for (const SentimentToken& t : tt.tokens)
    out.emplace_back(tt.token_text(t));
  return out;
}

}  // namespace vigie::rules::testing
