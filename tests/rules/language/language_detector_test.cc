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

TEST(LanguageDetector, InconclusiveTextFallsBackOnTheHint) {
  EXPECT_EQ(detector.detect("😡😡😡", "fr"), "fr");
  EXPECT_EQ(detector.detect("😍 https://t.co/x #acme", "en-US"), "en");
  EXPECT_EQ(detector.detect("!!!", "FR_fr"), "fr");
  EXPECT_EQ(detector.detect("😡", ""), "und");
  EXPECT_EQ(detector.detect("", ""), "und");
  EXPECT_EQ(detector.detect("👍", "xx"), "und");       // not a language code
  EXPECT_EQ(detector.detect("👍", "english"), "und");  // not a code at all
}

TEST(LanguageDetector, SurvivesHostileInput) {
  EXPECT_FALSE(detector.detect("c'est \xFF\xFE nul \xC3", "").empty());
  EXPECT_FALSE(detector.detect(std::string(100000, 'a'), "").empty());
  EXPECT_FALSE(detector.detect(std::string("a\0b", 3), "").empty());
}

}  // namespace
}  // namespace vigie::rules
