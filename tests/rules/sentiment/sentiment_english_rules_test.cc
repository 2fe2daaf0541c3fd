// One test per rule of the VADER method as the English engine applies it.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <thread>

#include "rules/sentiment/sentiment_analyzer.h"

namespace vigie::rules {
namespace {

// VADER's normalization of a summed valence.
float normalized(float sum) {
  return sum / std::sqrt(sum * sum + 15.0f);
}

class EnglishRules : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { analyzer_ = SentimentAnalyzer::create({}).value(); }
  static float compound(std::string_view text) { return analyzer_->score(text, "en").compound; }
  static inline std::shared_ptr<const SentimentAnalyzer> analyzer_;
};

TEST_F(EnglishRules, OtherLanguagesAreNotScored) {
  for (std::string_view lang : {"es", "de", "und", "", "EN"}) {
    const Sentiment s = analyzer_->score("This is terrible", lang);
    EXPECT_FALSE(s.scored) << lang;
    EXPECT_EQ(s.label, Label::neutral);
    EXPECT_EQ(s.compound, 0.0f);
  }
}

TEST_F(EnglishRules, EmptyAndNeutralText) {
  const Sentiment empty = analyzer_->score("", "en");
  EXPECT_TRUE(empty.scored);
  EXPECT_EQ(empty.label, Label::neutral);
  const Sentiment plain = analyzer_->score("The store opens at nine.", "en");
  EXPECT_EQ(plain.compound, 0.0f);
  EXPECT_FLOAT_EQ(plain.neu, 1.0f);
  EXPECT_EQ(plain.label, Label::neutral);
}

TEST_F(EnglishRules, LexiconValenceIsNormalized) {
  EXPECT_NEAR(compound("good"), normalized(1.9f), 1e-4);
  EXPECT_NEAR(compound("horrible"), normalized(-2.5f), 1e-4);
}

TEST_F(EnglishRules, NegationWithinThreeTokens) {
  EXPECT_NEAR(compound("not good"), normalized(1.9f * -0.74f), 1e-4);
  EXPECT_LT(compound("it is not really good"), 0);
  EXPECT_LT(compound("isn't good"), 0);
  EXPECT_LT(compound("never good"), 0);
  // Any word containing "n't" negates, listed or not.
  EXPECT_LT(compound("shouldn't've been good"), 0);
  // Beyond three tokens the negation no longer reaches.
  EXPECT_GT(compound("not that it was a good one"), 0);
}

TEST_F(EnglishRules, NegationExceptions) {
  EXPECT_GT(compound("never so good"), compound("good"));  // emphasis, not negation
  EXPECT_LT(compound("no good"), 0);                       // "no" before a valence word negates it
  EXPECT_LT(compound("the least funny"), 0);
  EXPECT_GT(compound("at least funny"), 0);
}

TEST_F(EnglishRules, BoostersAndDampeners) {
  EXPECT_NEAR(compound("very good"), normalized(1.9f + 0.293f), 1e-4);
  EXPECT_NEAR(compound("very bad"), normalized(-2.5f - 0.293f), 1e-4);
  EXPECT_NEAR(compound("kind of good"), normalized(1.9f - 0.293f), 1e-4);
  EXPECT_NEAR(compound("slightly bad"), normalized(-2.5f + 0.293f), 1e-4);
  // Two tokens away a booster counts 95%.
  EXPECT_NEAR(compound("very much good"), normalized(1.9f + 0.293f * 0.95f), 1e-4);
}

TEST_F(EnglishRules, CapitalsEmphasiseOnlyInMixedCase) {
  EXPECT_NEAR(compound("the food was GOOD"), normalized(1.9f + 0.733f), 1e-4);
  EXPECT_NEAR(compound("THE FOOD WAS GOOD"), compound("the food was good"), 1e-6);
}

TEST_F(EnglishRules, ExclamationAndQuestionMarks) {
  EXPECT_NEAR(compound("good!"), normalized(1.9f + 0.292f), 1e-4);
  EXPECT_NEAR(compound("good!!!!!!!"), normalized(1.9f + 4 * 0.292f), 1e-4);  // at most four count
  EXPECT_NEAR(compound("good?"), compound("good"), 1e-6);                     // a single '?' does not
  EXPECT_NEAR(compound("good??"), normalized(1.9f + 2 * 0.18f), 1e-4);
  EXPECT_NEAR(compound("good?????"), normalized(1.9f + 0.96f), 1e-4);
  EXPECT_EQ(compound("what time is it!!!"), 0.0f);  // emphasis needs a valence
}

TEST_F(EnglishRules, ButShiftsWeightToTheSecondClause) {
  EXPECT_NEAR(compound("good but bad"), normalized(1.9f * 0.5f - 2.5f * 1.5f), 1e-4);
  EXPECT_GT(compound("bad but good"), 0);
}

TEST_F(EnglishRules, Idioms) {
  EXPECT_LT(compound("yeah right"), 0);
  EXPECT_GT(compound("that phone is the bomb"), 0);
  EXPECT_GT(compound("this cake is to die for"), 0);
  EXPECT_LT(compound("a broken heart"), 0);
}

TEST_F(EnglishRules, EmoticonsAndEmoji) {
  EXPECT_GT(compound("see you :)"), 0);
  EXPECT_LT(compound("see you :("), 0);
  EXPECT_GT(compound("😍"), 0);
  EXPECT_LT(compound("😠"), 0);
  EXPECT_LT(compound("😡"), 0);        // "pouting face", no word of which VADER rates: emoji_valence.tsv does
  EXPECT_GT(compound("dinner😍"), 0);  // glued to a word
  EXPECT_NEAR(compound("❤"), compound("❤️"), 1e-6);  // with or without the variation selector
}

TEST_F(EnglishRules, SlangAndElongation) {
  EXPECT_GT(compound("lol"), 0);
  EXPECT_LT(compound("this sux"), 0);
  EXPECT_NEAR(compound("goooood"), compound("good"), 1e-6);
  EXPECT_GT(compound("sooo good"), compound("good"));  // "sooo" is the booster "so"
}

TEST_F(EnglishRules, LabelsFollowConfiguredThresholds) {
  EXPECT_EQ(analyzer_->score("good", "en").label, Label::positive);
  EXPECT_EQ(analyzer_->score("bad", "en").label, Label::negative);
  SentimentOptions strict;
  strict.positive_threshold = 0.6f;
  strict.negative_threshold = -0.6f;
  const auto a = SentimentAnalyzer::create(strict).value();
  EXPECT_EQ(a->score("good", "en").label, Label::neutral);  // 0.44
  EXPECT_EQ(a->score("very good!!!", "en").label, Label::positive);
}

TEST_F(EnglishRules, DomainLexiconFromTheRuleFile) {
  EXPECT_EQ(compound("another outage today"), 0.0f);
  SentimentOptions options;
  options.extra = {{"outage", -2.5f}, {"Service Down", -2.0f}, {"great", 0.0f}};
  const auto a = SentimentAnalyzer::create(options).value();
  EXPECT_NEAR(a->score("another outage today", "en").compound, normalized(-2.5f), 1e-4);
  EXPECT_NEAR(a->score("service down again", "en").compound, normalized(-2.0f), 1e-4);
  EXPECT_EQ(a->score("great", "en").compound, 0.0f);  // overrides the lexicon
  EXPECT_LT(a->score("panne", "fr").compound, 0);     // French's own lexicon still applies
}

TEST_F(EnglishRules, InvalidDomainTermsAreErrors) {
  for (const auto& extra : std::vector<std::pair<std::string, float>>{
           {"", -1.0f}, {"   ", -1.0f}, {"scam", -5.0f}, {"scam", std::numeric_limits<float>::quiet_NaN()}}) {
    SentimentOptions options;
    options.extra = {extra};
    const auto a = SentimentAnalyzer::create(options);
    ASSERT_FALSE(a) << extra.first;
    EXPECT_NE(a.error().message.find("sentiment.extra"), std::string::npos);
  }
  SentimentOptions inverted;
  inverted.positive_threshold = -0.5f;
  inverted.negative_threshold = 0.5f;
  EXPECT_FALSE(SentimentAnalyzer::create(inverted));
}

TEST_F(EnglishRules, ProportionsSumToOne) {
  for (std::string_view text : {"good", "bad but good!!", "VADER is not smart, handsome, nor funny.", "x"}) {
    const Sentiment s = analyzer_->score(text, "en");
    EXPECT_NEAR(s.pos + s.neu + s.neg, 1.0f, 1e-5) << text;
    EXPECT_GE(s.compound, -1.0f);
    EXPECT_LE(s.compound, 1.0f);
  }
}

TEST_F(EnglishRules, SurvivesHostileInput) {
  const std::string invalid = "good \xFF\xFE bad \xC3 \xE2\x82 ok";
  EXPECT_TRUE(analyzer_->score(invalid, "en").scored);
  std::string long_text;
  for (int i = 0; i < 20000; ++i)
    long_text += "very very good but not bad!!! ";
  const Sentiment s = analyzer_->score(long_text, "en");
  EXPECT_GE(s.compound, -1.0f);
  EXPECT_LE(s.compound, 1.0f);
  EXPECT_TRUE(analyzer_->score(std::string(5000, '!'), "en").scored);
  EXPECT_TRUE(analyzer_->score(std::string("a\0b good", 8), "en").scored);
}

TEST_F(EnglishRules, ConcurrentScoringGivesTheSameResults) {
  const std::vector<std::string> texts = {"The book was good.", "Today SUX!", "not bad at all 😍",
                                          "C'est vraiment nul"};
  std::vector<float> expected;
  for (const auto& t : texts)
    expected.push_back(analyzer_->score(t, "en").compound);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&] {
      for (int round = 0; round < 2000; ++round) {
        for (std::size_t i = 0; i < texts.size(); ++i) {
          if (analyzer_->score(texts[i], "en").compound != expected[i]) ++mismatches;
        }
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace vigie::rules
