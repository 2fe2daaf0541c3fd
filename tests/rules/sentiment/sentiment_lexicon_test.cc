// The building blocks of the sentiment engine: the flat word table, the embedded lexicons, emoji matching,
// phrase normalization and the tokenizer.
#include "rules/sentiment/sentiment_lexicon.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rules/sentiment/sentiment_analyzer.h"
#include "rules/sentiment/sentiment_embedded_lexicons.h"
#include "rules/sentiment/sentiment_emoji.h"
#include "rules/sentiment/sentiment_tokenizer.h"
#include "tests/rules/sentiment/token_words.h"

namespace vigie::rules {
namespace {

TEST(SentimentLexicon, FindsWhatWasAddedAndNothingElse) {
  SentimentLexicon::Builder b;
  for (int i = 0; i < 5000; ++i)
    b.at("word" + std::to_string(i)).valence = static_cast<float>(i);
  b.at("ok").flags = lex::kValence;
  const SentimentLexicon lex = b.freeze();
  EXPECT_EQ(lex.size(), 5001u);
  for (int i = 0; i < 5000; i += 7) {
    const LexiconEntry* e = lex.find("word" + std::to_string(i));
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->valence, static_cast<float>(i));
  }
  EXPECT_EQ(lex.find("word5000"), nullptr);
  EXPECT_EQ(lex.find(""), nullptr);
  EXPECT_EQ(lex.find("o"), nullptr);
  EXPECT_EQ(SentimentLexicon().find("ok"), nullptr);  // an empty table answers too
}

TEST(SentimentLexicon, EmbeddedFilesArePresent) {
  for (std::string_view path :
       {"en/vader_lexicon.txt", "en/emoji_utf8_lexicon.txt", "en/vader_modifiers.tsv", "fr/fr_lexicon.txt",
        "fr/AFINN-fr-165.txt", "fr/emojis_fr.txt", "fr/no_negate.txt", "fr/vigie_valence.tsv",
        "fr/vigie_modifiers.tsv", "emoji_valence.tsv"}) {
    EXPECT_GT(embedded_lexicon(path).size(), 10u) << path;
  }
  EXPECT_TRUE(embedded_lexicon("fr/missing.txt").empty());
  EXPECT_EQ(embedded_lexicons().size(), 10u);
}

TEST(SentimentLexicon, LanguagesLoadTheirResources) {
  const auto a = SentimentAnalyzer::create({}).value();
  const SentimentLanguage* en = a->language("en");
  const SentimentLanguage* fr = a->language("fr");
  ASSERT_NE(en, nullptr);
  ASSERT_NE(fr, nullptr);
  EXPECT_EQ(a->language("de"), nullptr);
  EXPECT_GT(en->words.size(), 7000u);
  EXPECT_GT(fr->words.size(), 7000u);
  EXPECT_GT(en->emoji.size(), 2500u);  // "❤" and "❤️" are one emoji
  EXPECT_GT(fr->emoji.size(), 2500u);
  // French keys are folded: one entry answers "déçu", "decu" and "DÉÇU" once folded.
  const LexiconEntry* decu = fr->words.find("decu");
  ASSERT_NE(decu, nullptr);
  EXPECT_TRUE(decu->flags & lex::kValence);
  EXPECT_LT(decu->valence, -1.5f);
  // Grammar words are not valence words, whatever the source lexicons say ("plus" is +3 in AFINN-fr).
  const LexiconEntry* plus = fr->words.find("plus");
  ASSERT_NE(plus, nullptr);
  EXPECT_FALSE(plus->flags & lex::kValence);
  EXPECT_TRUE(plus->flags & lex::kNegatorAfterNe);
  EXPECT_TRUE(fr->words.find("j'")->flags & lex::kElision);
  EXPECT_TRUE(en->words.find("not")->flags & lex::kNegator);
  EXPECT_EQ(en->words.find("very")->scalar, 0.293f);
  EXPECT_NE(en->phrases.find("kind of"), nullptr);
  EXPECT_NE(fr->phrases.find("n' importe quoi"), nullptr);
}

TEST(SentimentLexicon, NormalizePhraseSplitsElisions) {
  SentimentLexicon::Builder b;
  b.at("j'").flags = lex::kElision;
  b.at("n'").flags = lex::kElision;
  EXPECT_EQ(normalize_phrase("j'en ai  marre", b), "j' en ai marre");
  EXPECT_EQ(normalize_phrase("n'importe quoi", b), "n' importe quoi");
  EXPECT_EQ(normalize_phrase("aujourd'hui", b), "aujourd'hui");
}

TEST(EmojiDescriptions, MatchesLongestAndIgnoresVariationSelectors) {
  EmojiDescriptions e;
  e.add("👍", "thumbs up");
  e.add("👍🏽", "thumbs up: medium skin tone");
  e.add("❤️", "red heart");
  std::string key;
  std::size_t len = 0;
  const std::string text = "ok 👍🏽 and ❤ and ❤️!";
  EXPECT_TRUE(e.may_start(0x1F44D));
  EXPECT_FALSE(e.may_start('o'));
  EXPECT_EQ(e.match(text, 3, len, key)->text, "thumbs up: medium skin tone");
  EXPECT_EQ(len, std::string("👍🏽").size());
  const std::size_t plain = text.find("❤");
  EXPECT_EQ(e.match(text, plain, len, key)->text, "red heart");
  EXPECT_EQ(len, std::string("❤").size());
  const std::size_t with_selector = text.find("❤", plain + 1);
  EXPECT_EQ(e.match(text, with_selector, len, key)->text, "red heart");
  EXPECT_EQ(len, std::string("❤️").size());
  EXPECT_EQ(e.match(text, 0, len, key), nullptr);
}

class Tokenizer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { analyzer_ = SentimentAnalyzer::create({}).value(); }
  static std::vector<std::string> words(std::string_view text, std::string_view lang) {
    return testing::token_words(text, *analyzer_->language(lang));
  }
  static inline std::shared_ptr<const SentimentAnalyzer> analyzer_;
};

using Words = std::vector<std::string>;

TEST_F(Tokenizer, EnglishFollowsVadersSplitting) {
  EXPECT_EQ(words("VADER is smart, handsome!", "en"), (Words{"vader", "is", "smart", "handsome"}));
  // Two characters or fewer once stripped: kept as written (emoticons, and VADER's "ok!").
  EXPECT_EQ(words(":) :D ok! :-(", "en"), (Words{":)", ":d", "ok!", ":-("}));
  EXPECT_EQ(words("isn't #fail @acme", "en"), (Words{"isn't", "fail", "acme"}));
}

TEST_F(Tokenizer, FrenchSplitsElisionsAndStripsPunctuation) {
  EXPECT_EQ(words("J'adore, c'est top!", "fr"), (Words{"j'", "adore", "c'", "est", "top"}));
  EXPECT_EQ(words("Qu’il est beau", "fr"), (Words{"qu'", "il", "est", "beau"}));
  EXPECT_EQ(words("aujourd'hui ok!", "fr"), (Words{"aujourd'hui", "ok"}));
  EXPECT_EQ(words("«génial» :) “top”…", "fr"), (Words{"genial", ":)", "top"}));
}

TEST_F(Tokenizer, SpacesEmojiAndCounts) {
  TokenizedText tt;
  tokenize("Très\u00A0BIEN\u202F!! vraiment😍 ??", *analyzer_->language("fr"), tt);
  std::vector<std::string> got;
  for (const SentimentToken& t : tt.tokens)
    got.emplace_back(tt.token_text(t));
  ASSERT_GE(got.size(), 4u);
  EXPECT_EQ(got[0], "tres");
  EXPECT_EQ(got[1], "bien");
  EXPECT_EQ(got[2], "!!");
  EXPECT_EQ(got[3], "vraiment");
  EXPECT_TRUE(tt.tokens[1].upper);
  EXPECT_FALSE(tt.tokens[0].upper);
  EXPECT_EQ(tt.exclamations, 2);
  EXPECT_EQ(tt.questions, 2);
  // 😍 has a valence of its own (emoji_valence.tsv): one token after "vraiment", not its description's words.
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(got[4], "😍");
  EXPECT_EQ(got[5], "??");
}

TEST_F(Tokenizer, InvalidUtf8SplitsWords) {
  EXPECT_EQ(words("bon\xFFnul", "fr"), (Words{"bon", "nul"}));
}

}  // namespace
}  // namespace vigie::rules
