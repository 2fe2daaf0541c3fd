// One test per rule of the French engine: negation, elision, boosters, contrast, informal spellings,
// accent-less writing, idioms, emoji, elongation, vows ("plus jamais"), "jamais aussi", service formulas.
#include <gtest/gtest.h>

#include <cmath>

#include "rules/sentiment/sentiment_analyzer.h"

namespace vigie::rules {
namespace {

class FrenchRules : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { analyzer_ = SentimentAnalyzer::create({}).value(); }
  static float compound(std::string_view text) { return analyzer_->score(text, "fr").compound; }
  static Label label(std::string_view text) { return analyzer_->score(text, "fr").label; }
  static inline std::shared_ptr<const SentimentAnalyzer> analyzer_;
};

TEST_F(FrenchRules, NegationBeforeTheWord) {
  EXPECT_GT(compound("c'est bon"), 0);
  EXPECT_LT(compound("ce n'est pas bon"), 0);
  EXPECT_LT(compound("c'est pas bon"), 0);
  EXPECT_LT(compound("jamais satisfait"), 0);
  EXPECT_LT(compound("rien de bon"), 0);
  EXPECT_LT(compound("sans intérêt"), 0);
  EXPECT_GT(compound("aucun problème"), 0);
  EXPECT_GT(compound("sans souci"), 0);
  EXPECT_LT(compound("personne n'est content"), 0);
}

TEST_F(FrenchRules, NeAndPasFlipOnlyOnce) {
  // "ne … pas" is one negation: the same score as the spoken "c'est pas bon".
  EXPECT_NEAR(compound("ce n'est pas bon"), compound("c'est pas bon"), 1e-6);
  EXPECT_NEAR(compound("je ne suis pas content"), compound("je suis pas content"), 1e-6);
}

TEST_F(FrenchRules, NegationAfterTheVerb) {
  EXPECT_GT(compound("j'aime ce produit"), 0);
  EXPECT_LT(compound("j'aime pas ce produit"), 0);
  EXPECT_LT(compound("je n'aime pas ce produit"), 0);
  EXPECT_LT(compound("j'aime vraiment pas"), 0);
  EXPECT_LT(compound("je ne l'aime plus"), 0);
  EXPECT_LT(compound("je kiffe pas du tout"), 0);
}

TEST_F(FrenchRules, PlusNegatesOnlyAfterNe) {
  EXPECT_GT(compound("plus beau que jamais"), compound("beau"));  // a booster
  EXPECT_LT(compound("je ne suis plus satisfait"), 0);
}

TEST_F(FrenchRules, NegationStopsAtClausePunctuation) {
  EXPECT_LT(compound("j'aime pas, c'est nul"), 0);  // "pas" is spent on "aime" and stops at the comma
  EXPECT_GT(compound("pas du tout. c'est génial"), 0);
}

TEST_F(FrenchRules, WordsThatNegationDoesNotFlip) {
  SentimentOptions options;
  options.extra = {{"sérieux", -1.0f}};
  const auto a = SentimentAnalyzer::create(options).value();
  // no_negate.txt: "c'est pas sérieux" stays as negative as "sérieux".
  EXPECT_NEAR(a->score("c'est pas sérieux", "fr").compound, a->score("c'est sérieux", "fr").compound, 1e-6);
}

TEST_F(FrenchRules, Elision) {
  EXPECT_GT(compound("j'adore"), 0);
  EXPECT_NEAR(compound("J’adore"), compound("j'adore"), 1e-6);  // curly apostrophe
  EXPECT_LT(compound("l'horreur"), 0);
  EXPECT_LT(compound("c'est nul"), 0);
  EXPECT_LT(compound("C’est nul"), 0);
  EXPECT_GT(compound("qu'est-ce qu'il est beau"), 0);
  EXPECT_LT(compound("n'importe quoi"), 0);
}

TEST_F(FrenchRules, AccentsAndCaseDoNotMatter) {
  EXPECT_NEAR(compound("decu"), compound("déçu"), 1e-6);
  EXPECT_NEAR(compound("DÉÇU"), compound("déçu"), 1e-6);  // all capitals: no emphasis
  EXPECT_NEAR(compound("tres decu"), compound("très déçu"), 1e-6);
  EXPECT_NEAR(compound("genial"), compound("génial"), 1e-6);
  EXPECT_NEAR(compound("coup de coeur"), compound("coup de cœur"), 1e-6);
  EXPECT_LT(compound("le service est NUL"), compound("le service est nul"));  // capitals emphasise
}

TEST_F(FrenchRules, Boosters) {
  for (std::string_view booster : {"très", "trop", "vraiment", "tellement", "super", "hyper", "grave"}) {
    const std::string text = std::string(booster) + " content";
    EXPECT_GT(compound(text), compound("content")) << text;
  }
  EXPECT_LT(compound("trop cher"), compound("cher"));
  EXPECT_GT(compound("un peu déçu"), compound("déçu"));  // a dampener
}

TEST_F(FrenchRules, BoosterThatIsAlsoAValenceWord) {
  EXPECT_GT(compound("c'est super"), 0);  // on its own: its valence
  EXPECT_LT(compound("c'est grave"), 0);
  EXPECT_GT(compound("grave bien"), compound("bien"));  // before a valence word: a booster
}

TEST_F(FrenchRules, Contrast) {
  EXPECT_LT(compound("joli mais nul"), 0);
  EXPECT_GT(compound("nul mais joli"), 0);
  EXPECT_GT(compound("l'attente était longue, pourtant le repas était délicieux"), 0);
}

TEST_F(FrenchRules, InformalSpellingsAndAbbreviations) {
  EXPECT_GT(compound("mdr"), 0);
  EXPECT_GT(compound("ptdr"), 0);
  EXPECT_GT(compound("c'est ouf"), 0);
  EXPECT_LT(compound("bof"), 0);
  EXPECT_LT(compound("nul"), 0);
  EXPECT_LT(compound("nuuuul"), compound("nul"));  // elongation: found squeezed, and emphasised
  EXPECT_GT(compound("mdrrrr"), 0);
  EXPECT_LT(compound("c'est pas ouf"), 0);
}

TEST_F(FrenchRules, Idioms) {
  EXPECT_GT(compound("pas mal"), 0);
  EXPECT_LT(compound("pas terrible"), 0);
  EXPECT_LT(compound("ce n'est pas terrible"), 0);  // the idiom carries its own negation
  EXPECT_EQ(label("pas mal de monde ce matin"), Label::neutral);
  EXPECT_LT(compound("merci pour rien"), 0);  // sarcasm marker
  EXPECT_LT(compound("ça ne marche pas"), 0);
  EXPECT_LT(compound("toujours pas de réponse"), 0);
  EXPECT_GT(compound("rien à redire"), 0);
  EXPECT_EQ(label("bien sûr"), Label::neutral);
}

TEST_F(FrenchRules, Emoji) {
  EXPECT_GT(compound("😍"), 0);
  EXPECT_LT(compound("😡"), 0);
  EXPECT_LT(compound("💔"), 0);
  EXPECT_GT(compound("merci 👍"), compound("merci"));
}

TEST_F(FrenchRules, NoisyMachineTranslatedEntriesAreNeutral) {
  // vader_FR and AFINN-fr rate these from an English homograph ("dire", "prix" = prize, "plus").
  for (std::string_view text : {"il faut le dire", "le prix du billet", "le train de 8h", "une question"}) {
    EXPECT_EQ(label(text), Label::neutral) << text;
  }
}

TEST_F(FrenchRules, ElongationIsFoundAndEmphasises) {
  EXPECT_LT(compound("nuuuul"), compound("nul"));
  EXPECT_GT(compound("géniaaaal"), compound("génial"));
  EXPECT_GT(compound("trooop bien"), compound("bien"));  // the squeezed booster still boosts
  EXPECT_LT(compound("c'est abusééé"), 0);               // accented letters squeeze after folding
  EXPECT_EQ(label("allôôô"), Label::neutral);            // a word that is not in the lexicon stays neutral
}

TEST_F(FrenchRules, VowsNegateWhatFollowsOrAreNegative) {
  EXPECT_LT(compound("plus jamais je commande chez eux"), 0);
  EXPECT_LT(compound("jamais plus, merci"), compound("merci"));
  EXPECT_LT(compound("toujours rien"), 0);
  EXPECT_LT(compound("toujours pas reçu mon colis"), 0);
  EXPECT_LT(compound("ça ne marche toujours pas"), 0);  // the "ne" belongs to the vow: no double flip
  EXPECT_LT(compound("c'est toujours pas bon"), 0);     // a valence word follows: the vow negates it
  EXPECT_GT(compound("plus jamais de problème depuis"), 0);
  EXPECT_LT(compound("je l'aime toujours pas"), 0);  // the vow after the verb negates it
}

TEST_F(FrenchRules, NeverSoEmphasises) {
  EXPECT_GT(compound("jamais aussi bon"), compound("bon"));
  EXPECT_GT(compound("ma peau n'a jamais été aussi douce"), 0);
  EXPECT_LT(compound("jamais bon"), 0);               // without "aussi", "jamais" still negates
  EXPECT_LT(compound("pas aussi bon que prévu"), 0);  // only "jamais": "pas aussi" is "not as"
}

TEST_F(FrenchRules, MoreContrastWords) {
  EXPECT_LT(compound("l'accueil était sympa, par contre la chambre était sale"), 0);
  EXPECT_LT(compound("bon dessert, en revanche le plat était immangeable"), 0);
  EXPECT_LT(compound("beau magasin sauf que personne ne sait vous renseigner"), 0);
}

TEST_F(FrenchRules, SlangAndComplaintVocabulary) {
  for (std::string_view text : {"une tuerie ce burger", "trop mims", "cimer", "génialissime", "wahou"}) {
    EXPECT_GT(compound(text), 0) << text;
  }
  for (std::string_view text : {"ptn", "c'est immangeable", "appli inutilisable", "injouable", "hors de prix",
                                "trop long", "temps d'attente interminable", "lait périmé", "jamais reçu",
                                "c'est une blague ?", "je pars chez la concurrence", "c'est du vol"}) {
    EXPECT_LT(compound(text), 0) << text;
  }
}

TEST_F(FrenchRules, ServiceFormulasAndAnnouncementsAreNeutral) {
  for (std::string_view text :
       {"Pas de souci, je repasse demain", "merci d'avance", "Cher client, votre commande est expédiée",
        "La livraison est gratuite dès 50 €", "j'ai un rendez-vous pour le prêt", "les frais de port",
        "on se voit plus tard", "j'hésite entre le bleu et le vert", "la nouvelle console sort en mai",
        "ouverture exceptionnelle dimanche", "je suis sur liste d'attente", "le festival revient en juillet",
        "sans engagement", "le film dure 2h"}) {
    EXPECT_EQ(label(text), Label::neutral) << text;
  }
}

TEST_F(FrenchRules, OpenerAloneIsADiscourseMarker) {
  EXPECT_EQ(label("Bon, je vais me coucher"), Label::neutral);
  EXPECT_EQ(label("Bref. Demain réveil à 6h"), Label::neutral);
  EXPECT_EQ(label("Je rentre. Bon, on verra demain"), Label::neutral);
  // Inside a clause, "bon" is still praise.
  EXPECT_GT(compound("c'est bon, merci"), 0);
  EXPECT_GT(compound("un bon film"), 0);
  EXPECT_GT(compound("Bon film, bonne soirée"), 0);
}

TEST_F(FrenchRules, NewsAndSportWordsReportRatherThanJudge) {
  for (std::string_view text :
       {"Le PSG affronte Marseille dimanche", "Nouveau record battu à Perpignan",
        "Le prix du gaz reste stable", "Le prix Goncourt sera décerné mardi",
        "La grève est reconduite jusqu'à vendredi", "l'examen est reporté à la semaine prochaine",
        "Le procès s'ouvre lundi", "Le maire a démissionné", "L'assemblée rejette la motion de censure",
        "Vague de chaleur attendue jeudi", "La réforme au cœur du débat",
        "Premier jour de stage demain, on verra bien", "j'ai l'impression qu'il va pleuvoir"}) {
    EXPECT_EQ(label(text), Label::neutral) << text;
  }
}

TEST_F(FrenchRules, EverydayColloquialNegatives) {
  for (std::string_view text : {"j'en peux plus de ces cours",
                                "je n'en peux plus",
                                "ça va pas du tout",
                                "j'ai pas envie d'y aller",
                                "deux heures au téléphone pour rien",
                                "j'ai plus un rond",
                                "ce pays part en vrille",
                                "ils nous prennent pour des pigeons",
                                "ça me fout les boules",
                                "je me sens seule",
                                "j'ai le seum",
                                "t'es un bouffon",
                                "j'ai raté mon bus",
                                "la fin est bâclée",
                                "la rentrée me déprime",
                                "ça me gonfle",
                                "j'ai pas dormi de la nuit",
                                "mon téléphone ne s'allume plus",
                                "ça fait mal au cœur",
                                "c'était mieux avant",
                                "impossible de dormir",
                                "vdm"}) {
    EXPECT_EQ(label(text), Label::negative) << text;
  }
}

TEST_F(FrenchRules, EverydayColloquialPositives) {
  for (std::string_view text : {"je me suis régalé", "le spectacle était magique", "un concert inoubliable",
                                "on s'est trop marrés", "ce mec est un génie", "trop chou", "je suis pliée",
                                "ma grand-mère pète la forme", "elle est trop forte", "un week-end de fou",
                                "je valide ce resto", "ça valait le coup", "cette série est une pépite"}) {
    EXPECT_EQ(label(text), Label::positive) << text;
  }
  // "pour rien au monde" is not a complaint.
  EXPECT_NE(label("je ne raterais ça pour rien au monde"), Label::negative);
}

}  // namespace
}  // namespace vigie::rules
