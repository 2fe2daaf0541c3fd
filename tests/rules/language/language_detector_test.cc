// Language detection of short social posts: CLD2 plus function-word evidence, the platform's declaration as
// a hint only.
#include "rules/language/language_detector.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigie::rules {
namespace {

const LanguageDetector detector;

TEST(LanguageDetector, Sentences) {
  EXPECT_EQ(
      detector.detect("The delivery was late again and nobody from customer service answered my emails.", ""),
      "en");
  EXPECT_EQ(
      detector.detect("La livraison était encore en retard et personne du service client n'a répondu.", ""),
      "fr");
  EXPECT_EQ(
      detector.detect("Die Lieferung kam wieder zu spät und niemand vom Kundendienst hat geantwortet.", ""),
      "de");
  EXPECT_EQ(detector.detect("La entrega llegó tarde otra vez y nadie del servicio al cliente respondió.", ""),
            "es");
}

// A French negative post must never be scored as English, even when the platform declares English.
TEST(LanguageDetector, ShortFrenchNegativePostsAreFrenchWhateverTheHint) {
  const std::vector<std::string> posts = {
      "je suis vraiment très déçu",
      "c'est nul ce service",
      "ça marche pas du tout",
      "j'aime pas ce nouveau logo",
      "service client nul, fuyez",
      "quelle arnaque cette boutique",
      "encore une panne ce matin",
      "pas terrible ce resto",
      "jamais plus chez eux",
      "le colis est arrivé cassé",
      "bof, sans plus franchement",
      "c’est vraiment la honte",
      "Service NUL !!!",
      "trop déçu de la livraison",
      "L'horreur ce trajet",
  };
  for (const std::string& post : posts) {
    EXPECT_EQ(detector.detect(post, "en"), "fr") << post;
    EXPECT_EQ(detector.detect(post, ""), "fr") << post;
  }
}

TEST(LanguageDetector, ShortEnglishPostsAreEnglishWhateverTheHint) {
  const std::vector<std::string> posts = {
      "this is the worst service",  "I love this new update",   "not bad at all honestly",
      "they never answer my calls", "can't log in again today", "what a great idea guys",
  };
  for (const std::string& post : posts)
    EXPECT_EQ(detector.detect(post, "fr"), "en") << post;
}

TEST(LanguageDetector, HashtagsMentionsAndLinksAreIgnored) {
  EXPECT_EQ(detector.detect("@AcmeSupport #CustomerService #Fail https://t.co/abc c'est vraiment nul", "en"),
            "fr");
  EXPECT_EQ(detector.detect("#JamaisPlus @acme_fr https://acme.fr the worst support ever", "fr"), "en");
}

// Text that does not say its language is undetermined; the platform's declaration is reported beside it as
// a hint for the lexicon, never as the language.
TEST(LanguageDetector, InconclusiveTextIsUndeterminedWithTheHintBeside) {
  struct Case {
    std::string text, hint, declared;
  };
  for (const Case& c : std::vector<Case>{{"😡😡😡", "fr", "fr"},
                                         {"😍 https://t.co/x #acme", "en-US", "en"},
                                         {"!!!", "FR_fr", "fr"},
                                         {"😡", "", "und"},
                                         {"", "", "und"},
                                         {"👍", "xx", "und"},       // not a language code
                                         {"👍", "english", "und"},  // not a code at all
                                         {"#fail @acme", "de", "de"}}) {
    const LanguageGuess g = detector.decide(c.text, c.hint);
    EXPECT_EQ(g.lang, "und") << c.text;
    EXPECT_FALSE(g.determined) << c.text;
    EXPECT_EQ(g.declared, c.declared) << c.text << " hint " << c.hint;
  }
}

// A few Latin-script words CLD2 reads as another language are not enough to call the post that language:
// "angry 😡" is not Norwegian. Nor is a lone word or two French or English on CLD2's say-so.
TEST(LanguageDetector, ShortLatinTextWithoutEvidenceIsUndetermined) {
  for (const std::string text :
       {"angry 😡", "STUPID app!!!", "yay!!!", "super cool 😊", "Acme", "lol", "top", "merci", "bravo Acme"}) {
    const LanguageGuess g = detector.decide(text, "");
    EXPECT_FALSE(g.determined && g.lang != "fr" && g.lang != "en") << text << " read as " << g.lang;
  }
  EXPECT_FALSE(detector.decide("angry 😡", "").determined);
  EXPECT_FALSE(detector.decide("STUPID app!!!", "").determined);
}

// Other languages stay other languages, short or long, in any script: they get no sentiment.
TEST(LanguageDetector, OtherLanguagesAreDetermined) {
  struct Case {
    std::string text, lang;
  };
  for (const Case& c : std::vector<Case>{
           {"Der Kundendienst ist eine Katastrophe", "de"},
           {"das ist nicht gut", "de"},
           {"el servicio es muy malo", "es"},
           {"il servizio è pessimo, non funziona niente", "it"},
           {"o atendimento é muito ruim", "pt"},
           {"де мій посилка?", "uk"},
           {"ужасный сервис", "ru"},
           {"最悪のサービス", "ja"},
           {"服务太差了", "zh"},
           {"서비스 최악", "ko"},
           {"خدمة سيئة جدا", "ar"},
           {"Η εξυπηρέτηση είναι απαίσια", "el"},
       }) {
    const LanguageGuess g = detector.decide(c.text, "en");
    EXPECT_TRUE(g.determined) << c.text;
    EXPECT_NE(g.lang, "en") << c.text;
    EXPECT_NE(g.lang, "fr") << c.text;
    if (c.lang != "uk" && c.lang != "ru") {
      EXPECT_EQ(g.lang, c.lang) << c.text;
    }
  }
}

// The fast path decides clear French and English posts without CLD2; anything else goes to CLD2.
TEST(LanguageDetector, FastPathSparesCld2OnClearPosts) {
  EXPECT_FALSE(detector.decide("je suis vraiment très déçu de la livraison", "").used_cld2);
  EXPECT_FALSE(detector.decide("this is the worst service I have ever had", "").used_cld2);
  EXPECT_TRUE(detector.decide("il servizio è pessimo", "").used_cld2);  // Italian "il" is not French
  EXPECT_TRUE(detector.decide("das ist nicht gut", "").used_cld2);
  EXPECT_TRUE(detector.decide("ужасный сервис", "").used_cld2);
}

TEST(LanguageDetector, SurvivesHostileInput) {
  EXPECT_FALSE(detector.detect("c'est \xFF\xFE nul \xC3", "").empty());
  EXPECT_FALSE(detector.detect(std::string(100000, 'a'), "").empty());
  EXPECT_FALSE(detector.detect(std::string("a\0b", 3), "").empty());
}

}  // namespace
}  // namespace vigie::rules
