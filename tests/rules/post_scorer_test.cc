// The whole scoring of a post as the daemon runs it (PostScorer): the language decision chooses the lexicon,
// short and emoji-only posts are scored, other languages are not, and the tie rules of an undetermined post.
#include "rules/post_scorer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace vigie::rules {
namespace {

ScoredPost score(const PostScorer& scorer, const std::string& text, const std::string& hint = "") {
  ingest::Post p;
  p.uid = "t:1";
  p.text = text;
  p.lang_hint = hint;
  return scorer.score(p);
}

std::shared_ptr<const PostScorer> scorer_with(const std::string& rules_yaml) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("vigie_post_scorer_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "rules.yaml";
  std::ofstream(path) << rules_yaml;
  auto s = PostScorer::load(path.string());
  std::filesystem::remove_all(dir);
  EXPECT_TRUE(s) << (s ? "" : s.error().message);
  return s ? *s : nullptr;
}

const PostScorer& plain() {
  static const std::shared_ptr<const PostScorer> s = PostScorer::load("").value();
  return *s;
}

// The commonest replies under a brand's post, as a reader would score them. None says its language: each is
// "und" and scored.
TEST(PostScorer, ShortAndEmojiOnlyPostsAreScored) {
  struct Case {
    std::string text;
    Label label;
  };
  for (const Case& c : std::vector<Case>{{"😡😡😡", Label::negative},
                                         {"🤬", Label::negative},
                                         {"👎👎", Label::negative},
                                         {":( :(", Label::negative},
                                         {"STUPID app!!!", Label::negative},
                                         {"angry 😡", Label::negative},
                                         {"#fail 😡", Label::negative},
                                         {"❤️❤️❤️", Label::positive},
                                         {"😍😍", Label::positive},
                                         {"yay!!!", Label::positive},
                                         {":) :)", Label::positive},
                                         {"👍", Label::positive},
                                         {"👍🏽", Label::positive},
                                         {"super cool 😊", Label::positive},
                                         {"#acme #launch", Label::neutral},
                                         {"📦", Label::neutral}}) {
    const ScoredPost sp = score(plain(), c.text);
    EXPECT_EQ(sp.lang, "und") << c.text;
    EXPECT_TRUE(sp.sentiment.scored) << c.text;
    EXPECT_EQ(sp.sentiment.label, c.label) << c.text << ": compound " << sp.sentiment.compound;
    EXPECT_FALSE(sp.sentiment.lexicon.empty()) << c.text;
  }
  // Repeats weigh more, as repeated words do.
  EXPECT_LT(score(plain(), "😡😡😡").sentiment.compound, score(plain(), "😡").sentiment.compound);
}

// "angry 😡" was read as Norwegian and left unscored; the English lexicon explains "angry".
TEST(PostScorer, TheNorwegianMisfireIsScoredInEnglish) {
  const ScoredPost sp = score(plain(), "angry 😡");
  EXPECT_EQ(sp.lang, "und");
  EXPECT_EQ(sp.sentiment.lexicon, "en");
  EXPECT_EQ(sp.sentiment.label, Label::negative);
}

// A word or two is scored by the lexicon that knows them.
TEST(PostScorer, UndeterminedPostsTakeTheLexiconThatExplainsMore) {
  EXPECT_EQ(score(plain(), "disappointing").sentiment.lexicon, "en");
  EXPECT_EQ(score(plain(), "quel bonheur").sentiment.lexicon, "fr");
  EXPECT_EQ(score(plain(), "quelle horreur 😡").sentiment.lexicon, "fr");
  EXPECT_EQ(score(plain(), "quelle horreur 😡").sentiment.label, Label::negative);
}

TEST(PostScorer, FrenchAndEnglishPostsUseTheirOwnLexicon) {
  const ScoredPost fr = score(plain(), "le live était top, franchement trop bien 😍", "en");
  EXPECT_EQ(fr.lang, "fr");
  EXPECT_EQ(fr.sentiment.lexicon, "fr");
  EXPECT_EQ(fr.sentiment.label, Label::positive);
  // English words in a French post (code-switching) keep it French.
  const ScoredPost mixed = score(plain(), "c'est full bug depuis la mise à jour, so annoying");
  EXPECT_EQ(mixed.lang, "fr");
  EXPECT_EQ(mixed.sentiment.label, Label::negative);
  const ScoredPost en = score(plain(), "the new update is really good, well done", "fr");
  EXPECT_EQ(en.lang, "en");
  EXPECT_EQ(en.sentiment.lexicon, "en");
  EXPECT_EQ(en.sentiment.label, Label::positive);
}

// A post detected in a language with no lexicon gets no sentiment, emoji or not: a wrong-language score
// would be worse than none.
TEST(PostScorer, OtherLanguagesStayUnscored) {
  for (const std::string text : {"Der Kundendienst ist eine Katastrophe 😡", "el servicio es muy malo",
                                 "ужасный сервис 😡", "最悪のサービス", "Endlich Feierabend"}) {
    const ScoredPost sp = score(plain(), text, "en");
    EXPECT_FALSE(sp.sentiment.scored) << text << " (" << sp.lang << ")";
    EXPECT_TRUE(sp.sentiment.lexicon.empty()) << text;
    EXPECT_NE(sp.lang, "und") << text;
  }
}

// When both lexicons explain as much (emoji only, a brand name), the lexicon is, in order: the platform's
// declared language, the languages of the brands the post matched, the rule file's default_language, English.
TEST(PostScorer, TieRules) {
  EXPECT_EQ(score(plain(), "😡").sentiment.lexicon, "en");
  EXPECT_EQ(score(plain(), "😡", "fr-FR").sentiment.lexicon, "fr");
  EXPECT_EQ(score(plain(), "😡", "de").sentiment.lexicon, "en");  // a declaration with no lexicon is skipped

  const auto brands = scorer_with(
      "brands:\n"
      "  - id: acme_fr\n    query: acme\n    languages: [fr]\n"
      "  - id: other\n    query: qwx\n");
  const ScoredPost sp = score(*brands, "Acme 😡");
  ASSERT_EQ(sp.lang, "und");
  ASSERT_EQ(sp.matches.size(), 1u);  // an undetermined post passes a brand's language filter
  EXPECT_EQ(sp.sentiment.lexicon, "fr");
  EXPECT_EQ(score(*brands, "Acme 😡", "en").sentiment.lexicon, "en");  // the declaration comes first
  EXPECT_EQ(score(*brands, "qwx 😡").sentiment.lexicon, "en");         // a brand without languages

  const auto french_default =
      scorer_with("brands:\n  - id: other\n    query: qwx\nsentiment:\n  default_language: fr\n");
  EXPECT_EQ(score(*french_default, "qwx 😡").sentiment.lexicon, "fr");
  EXPECT_EQ(score(*french_default, "qwx 😡", "en").sentiment.lexicon, "en");
  // Not a tie: the English lexicon knows "angry", whatever the default.
  EXPECT_EQ(score(*french_default, "angry 😡").sentiment.lexicon, "en");
}

// A post detected in another language does not pass a brand restricted to French; an undetermined one does.
TEST(PostScorer, BrandLanguagesFilterDetectedLanguagesOnly) {
  const auto brands = scorer_with("brands:\n  - id: acme_fr\n    query: acme\n    languages: [fr]\n");
  EXPECT_TRUE(score(*brands, "Acme ist eine Katastrophe, nie wieder").matches.empty());
  EXPECT_TRUE(score(*brands, "Acme is the worst, never again").matches.empty());
  EXPECT_EQ(score(*brands, "Acme c'est nul, plus jamais").matches.size(), 1u);
  EXPECT_EQ(score(*brands, "Acme 👎").matches.size(), 1u);
}

}  // namespace
}  // namespace vigie::rules
