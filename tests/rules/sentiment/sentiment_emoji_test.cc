// Emoji with a valence of their own (rules/sentiment/lexicons/emoji_valence.tsv): the replies brands get most
// often ("😡😡😡", "👎", "❤️❤️❤️"), their written forms (variation selectors, skin tones, gender signs), runs
// without spaces, and the table itself. Emoticons, shared by both languages, are checked here too.
#include "rules/sentiment/sentiment_emoji.h"

#include <gtest/gtest.h>

#include <charconv>
#include <set>
#include <string>
#include <vector>

#include "rules/sentiment/sentiment_analyzer.h"
#include "rules/sentiment/sentiment_embedded_lexicons.h"
#include "rules/sentiment/sentiment_tokenizer.h"
#include "rules/text/text_fold.h"
#include "tests/rules/sentiment/token_words.h"

namespace vigie::rules {
namespace {

constexpr const char* kLanguages[] = {"en", "fr"};

class EmojiValence : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { analyzer_ = SentimentAnalyzer::create({}).value(); }
  static float compound(std::string_view text, std::string_view lang) {
    return analyzer_->score(text, lang).compound;
  }
  static Label label(std::string_view text, std::string_view lang) {
    return analyzer_->score(text, lang).label;
  }
  static std::vector<std::string> words(std::string_view text, std::string_view lang) {
    return testing::token_words(text, *analyzer_->language(lang));
  }
  static inline std::shared_ptr<const SentimentAnalyzer> analyzer_;
};

TEST_F(EmojiValence, EmojiOnlyRepliesHaveTheirSign) {
  for (const char* lang : kLanguages) {
    for (std::string_view text : {"😡😡😡", "🤬", "👎👎", "🤮", "🤡", "🙄"}) {
      EXPECT_EQ(label(text, lang), Label::negative) << text << " (" << lang << ")";
    }
    for (std::string_view text : {"❤️❤️❤️", "😍😍", "👍", "super cool 😊", "🔥🔥", "🙏", "😂"}) {
      EXPECT_EQ(label(text, lang), Label::positive) << text << " (" << lang << ")";
    }
  }
}

TEST_F(EmojiValence, SameValenceInEveryLanguage) {
  for (std::string_view text : {"😡", "🤬", "👎", "😍", "❤️", "👍", "😊", "💩", "🥲"}) {
    EXPECT_FLOAT_EQ(compound(text, "en"), compound(text, "fr")) << text;
  }
}

TEST_F(EmojiValence, RepeatedEmojiCountOnceEach) {
  for (const char* lang : kLanguages) {
    // A run without spaces is split into one token per emoji, as the spaced run is.
    EXPECT_EQ(words("😡😡😡", lang), (std::vector<std::string>{"😡", "😡", "😡"})) << lang;
    EXPECT_FLOAT_EQ(compound("😡😡😡", lang), compound("😡 😡 😡", lang)) << lang;
    EXPECT_LT(compound("😡😡😡", lang), compound("😡", lang)) << lang;
    EXPECT_GT(compound("😍😍", lang), compound("😍", lang)) << lang;
    EXPECT_GT(compound("❤️❤️❤️", lang), compound("❤️", lang)) << lang;
    EXPECT_EQ(words("top👍👍", lang), (std::vector<std::string>{"top", "👍", "👍"})) << lang;
  }
}

TEST_F(EmojiValence, FormsScoreAsThePlainEmoji) {
  for (const char* lang : kLanguages) {
    const float thumbs = compound("👍", lang);
    for (std::string_view form : {"👍🏻", "👍🏽", "👍🏿", "👍️"}) {
      EXPECT_FLOAT_EQ(compound(form, lang), thumbs) << form << " (" << lang << ")";
      EXPECT_EQ(words(form, lang), (std::vector<std::string>{"👍"})) << form << " (" << lang << ")";
    }
    EXPECT_FLOAT_EQ(compound("👎🏾👎🏾", lang), compound("👎👎", lang)) << lang;
    EXPECT_FLOAT_EQ(compound("❤", lang), compound("❤️", lang)) << lang;
    EXPECT_FLOAT_EQ(compound("☺", lang), compound("☺️", lang)) << lang;
    // ZWJ sequences with a gender sign, with or without a skin tone, fold to the person.
    const float facepalm = compound("🤦", lang);
    EXPECT_LT(facepalm, 0) << lang;
    for (std::string_view form :
         {"🤦‍♀️", "🤦‍♂️", "🤦🏽‍♀️", "🤦🏻‍♂", "🤷‍♀️"}) {
      EXPECT_EQ(words(form, lang).size(), 1u) << form << " (" << lang << ")";
    }
    EXPECT_FLOAT_EQ(compound("🤦‍♀️", lang), facepalm) << lang;
    EXPECT_FLOAT_EQ(compound("🤦🏽‍♀️", lang), facepalm) << lang;
    // An emoji newer than the description files, with a skin tone they do not list either.
    EXPECT_GT(compound("🫶", lang), 0) << lang;
    EXPECT_FLOAT_EQ(compound("🫶🏽", lang), compound("🫶", lang)) << lang;
    // ZWJ sequences of their own.
    EXPECT_GT(compound("❤️‍🔥", lang), 0) << lang;
    EXPECT_FLOAT_EQ(compound("❤‍🔥", lang), compound("❤️‍🔥", lang)) << lang;
    EXPECT_LT(compound("😮‍💨", lang), 0) << lang;
    // Keycaps start with an ASCII digit, which is never read as an emoji: neutral.
    EXPECT_EQ(label("1️⃣", lang), Label::neutral) << lang;
  }
}

TEST_F(EmojiValence, FrenchSentencesKeepTheirSign) {
  EXPECT_GT(compound("trop bien 😍", "fr"), 0);
  EXPECT_GT(compound("trop bien 😍", "fr"), compound("trop bien", "fr"));
  EXPECT_LT(compound("service nul 😡", "fr"), 0);
  EXPECT_LT(compound("service nul 😡", "fr"), compound("service nul", "fr"));
  EXPECT_GT(compound("merci 🙏", "fr"), compound("merci", "fr"));
}

TEST_F(EmojiValence, NegationDoesNotFlipAnEmoji) {
  // The emoji is the writer's mood, not a word of the negated clause.
  EXPECT_LT(compound("toujours pas de réponse 😡", "fr"), compound("toujours pas de réponse", "fr"));
  EXPECT_LT(compound("pas de réponse 😡😡", "fr"), 0);
  EXPECT_LT(compound("not happy 😡", "en"), compound("not happy", "en"));
  EXPECT_LT(compound("no answer yet 👎", "en"), 0);
  EXPECT_GT(compound("never had a problem 😊", "en"), 0);
}

TEST_F(EmojiValence, NeutralEmojiLeaveAPostNeutral) {
  for (const char* lang : kLanguages) {
    for (std::string_view text : {"🚗", "📦", "👀", "🇫🇷", "🐶", "🇺🇸", "💳"}) {
      EXPECT_EQ(label(text, lang), Label::neutral) << text << " (" << lang << ")";
    }
  }
  EXPECT_EQ(label("the parcel 📦", "en"), Label::neutral);
  EXPECT_EQ(label("la voiture 🚗", "fr"), Label::neutral);
}

TEST_F(EmojiValence, EmoticonsScoreInBothLanguages) {
  for (const char* lang : kLanguages) {
    for (std::string_view text : {":)", ":D", "<3", "xD", ":-)", ";)", "o:)", "\\o/"}) {
      EXPECT_EQ(label(text, lang), Label::positive) << text << " (" << lang << ")";
    }
    for (std::string_view text : {":(", ":'(", ":-(", ">:("}) {
      EXPECT_EQ(label(text, lang), Label::negative) << text << " (" << lang << ")";
    }
  }
  // French shares VADER's values rather than vader_FR's partial copy (which halves ":(").
  EXPECT_FLOAT_EQ(compound(":(", "fr"), compound(":(", "en"));
  EXPECT_GT(compound("c'est top :)", "fr"), compound("c'est top", "fr"));
  EXPECT_LT(compound("encore en retard :(", "fr"), compound("encore en retard", "fr"));
}

TEST(EmojiValenceTable, EveryEntryParsesAndIsDistinct) {
  const std::string_view data = embedded_lexicon("emoji_valence.tsv");
  ASSERT_FALSE(data.empty());
  const auto analyzer = SentimentAnalyzer::create({}).value();
  std::set<std::string> bases;
  int rows = 0;
  int number = 0;
  std::size_t pos = 0;
  while (pos < data.size()) {
    std::size_t end = data.find('\n', pos);
    if (end == std::string_view::npos) end = data.size();
    const std::string_view line = data.substr(pos, end - pos);
    pos = end + 1;
    ++number;
    if (line.empty() || line.front() == '#') continue;
    ++rows;
    const std::size_t t1 = line.find('\t');
    ASSERT_NE(t1, std::string_view::npos) << "line " << number;
    const std::size_t t2 = line.find('\t', t1 + 1);
    ASSERT_NE(t2, std::string_view::npos) << "line " << number << ": no name";
    EXPECT_GT(line.size(), t2 + 1) << "line " << number << ": empty name";
    const std::string_view emoji = line.substr(0, t1);
    const std::string_view value = line.substr(t1 + 1, t2 - t1 - 1);
    float v = 99;
    const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    EXPECT_TRUE(ec == std::errc() && ptr == value.data() + value.size())
        << "line " << number << ": " << value;
    EXPECT_GE(v, -4.0f) << "line " << number;
    EXPECT_LE(v, 4.0f) << "line " << number;
    const std::string base = EmojiDescriptions::base_form(emoji);
    ASSERT_FALSE(base.empty()) << "line " << number;
    EXPECT_TRUE(bases.insert(base).second) << "line " << number << ": " << emoji << " listed twice";
    std::size_t p = 0;
    const std::int32_t first = decode_utf8(emoji, p);
    for (const char* lang : kLanguages) {
      EXPECT_TRUE(analyzer->language(lang)->emoji.may_start(first))
          << "line " << number << " (" << lang << ")";
      // Scored as one token, whatever the language.
      TokenizedText tt;
      tokenize(emoji, *analyzer->language(lang), tt);
      ASSERT_EQ(tt.tokens.size(), 1u) << "line " << number << ": " << emoji << " (" << lang << ")";
      EXPECT_EQ(tt.token_text(tt.tokens[0]), base) << "line " << number;
      const LexiconEntry* e = tt.tokens[0].entry;
      if (v == 0) {
        EXPECT_EQ(e, nullptr) << "line " << number;
      } else {
        ASSERT_NE(e, nullptr) << "line " << number;
        EXPECT_FLOAT_EQ(e->valence, v) << "line " << number;
      }
    }
  }
  EXPECT_GE(rows, 300);
}

TEST(EmojiValenceTable, BaseFormFoldsSelectorsSkinTonesAndGender) {
  EXPECT_EQ(EmojiDescriptions::base_form("❤️"), "❤");
  EXPECT_EQ(EmojiDescriptions::base_form("👍🏽"), "👍");
  EXPECT_EQ(EmojiDescriptions::base_form("🤦🏽‍♀️"), "🤦");
  EXPECT_EQ(EmojiDescriptions::base_form("🤷‍♂"), "🤷");
  EXPECT_EQ(EmojiDescriptions::base_form("❤️‍🔥"), "❤\u200D🔥");
  EXPECT_EQ(EmojiDescriptions::base_form("🏽"), "🏽");  // a lone modifier is its own emoji
  EXPECT_EQ(EmojiDescriptions::base_form("👨‍👩‍👧"), "👨‍👩‍👧");
}

}  // namespace
}  // namespace vigie::rules
