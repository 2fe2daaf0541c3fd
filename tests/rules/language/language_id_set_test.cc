// The hand-written language-identification set (tests/rules/data/language_id.tsv): short social posts in
// French, English, 17 other languages and none ("und"), each with the language a careful reader would give
// it. It measures LanguageDetector with no platform hint, and the lexicon each post ends up scored with; the
// floors sit a little under today's figures (the detector it replaced is quoted beside them), and every miss
// is printed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "rules/language/language_detector.h"
#include "rules/post_scorer.h"
#include "tests/rules/data_rows.h"

namespace vigie::rules {
namespace {

using testing::read_rows;
using testing::Row;

constexpr std::size_t kMinRows = 1000;

bool scored(const std::string& lang) {
  return lang == "fr" || lang == "en";
}

struct Tally {
  int rows = 0;
  int hits = 0;
  int predicted = 0;  // rows of any language detected as this one
  double accuracy() const { return rows > 0 ? static_cast<double>(hits) / rows : 0; }
  double precision() const { return predicted > 0 ? static_cast<double>(hits) / predicted : 0; }
};

TEST(LanguageIdSet, ShortPostsWithoutHint) {
  std::vector<Row> rows;
  ASSERT_NO_FATAL_FAILURE(read_rows("language_id.tsv", kMinRows, rows));
  const LanguageDetector detector;
  std::map<std::string, Tally> by_lang;
  std::vector<std::string> order;  // languages in the order of the file
  int hits = 0;
  int lost = 0;      // French or English posts detected as another language: scored with no lexicon
  int unsure = 0;    // French or English posts left undetermined: scored with both lexicons (PostScorer)
  int swapped = 0;   // French posts detected as English and the reverse: scored with the wrong lexicon
  int intruded = 0;  // posts in another language or none detected as French or English: wrongly scored
  for (const Row& row : rows) {
    const std::string got(detector.detect(row.text, ""));
    if (std::find(order.begin(), order.end(), row.key) == order.end()) order.push_back(row.key);
    Tally& t = by_lang[row.key];
    ++t.rows;
    ++by_lang[got].predicted;
    if (got == row.key) {
      ++t.hits;
      ++hits;
      continue;
    }
    std::cout << "  want " << row.key << " got " << got << ": " << row.text << "\n";
    if (scored(row.key)) {
      if (scored(got)) {
        ++swapped;
      } else {
        got == "und" ? ++unsure : ++lost;
      }
    } else if (scored(got)) {
      ++intruded;
    }
  }

  const double accuracy = static_cast<double>(hits) / static_cast<double>(rows.size());
  std::cout << "Language-id set: " << rows.size() << " posts, accuracy " << accuracy << "\n";
  for (const std::string& lang : order) {
    const Tally& t = by_lang[lang];
    std::cout << "  " << lang << ": " << t.hits << "/" << t.rows << " = " << t.accuracy() << "\n";
  }
  const Tally& fr = by_lang["fr"];
  const Tally& en = by_lang["en"];
  std::cout << "  fr precision " << fr.precision() << " recall " << fr.accuracy() << "; en precision "
            << en.precision() << " recall " << en.accuracy() << "\n"
            << "  fr/en posts lost to another language: " << lost << ", undetermined: " << unsure
            << ", swapped between fr and en: " << swapped << "; other posts detected as fr/en: " << intruded
            << "\n";
  RecordProperty("rows", static_cast<int>(rows.size()));
  RecordProperty("accuracy", std::to_string(accuracy));
  RecordProperty("fr_precision", std::to_string(fr.precision()));
  RecordProperty("fr_recall", std::to_string(fr.accuracy()));
  RecordProperty("en_precision", std::to_string(en.precision()));
  RecordProperty("en_recall", std::to_string(en.accuracy()));
  RecordProperty("fr_en_lost", lost);
  RecordProperty("fr_en_undetermined", unsure);
  RecordProperty("fr_en_swapped", swapped);
  RecordProperty("other_as_fr_en", intruded);

  // Floors, a few posts under the figures of the three-way detector (accuracy 0.931; fr precision 0.997,
  // recall 0.940; en precision 0.98, recall 0.894; 1 lost, 56 undetermined, 1 swapped, 5 intruded). The
  // CLD2 + function-word detector it replaced: accuracy 0.911; fr 0.963/0.952, en 0.953/0.920; 42 lost (14
  // fr, 28 en: those were unscored), 3 swapped, 26 intruded. Recall is lower by design: a word or two of
  // English or French is now undetermined ("und") and scored with both lexicons, where it used to be lost or
  // guessed; EachPostGetsTheRightLexicon measures what that gives.
  EXPECT_GE(accuracy, 0.92);
  EXPECT_GE(fr.precision(), 0.985);
  EXPECT_GE(fr.accuracy(), 0.93);
  EXPECT_GE(en.precision(), 0.965);
  EXPECT_GE(en.accuracy(), 0.88);
  EXPECT_LE(lost, 4);
  EXPECT_LE(swapped, 4);
  EXPECT_LE(intruded, 10);
}

// What the language decision is for: the lexicon each post is scored with (PostScorer, no rules, default
// options). A French or English post should get its own lexicon, directly or through the undetermined path
// (both lexicons, the one that explains more); a post in another language should get none.
TEST(LanguageIdSet, EachPostGetsTheRightLexicon) {
  std::vector<Row> rows;
  ASSERT_NO_FATAL_FAILURE(read_rows("language_id.tsv", kMinRows, rows));
  const auto scorer = PostScorer::load("").value();
  int fr_en = 0, right = 0, wrong = 0, unscored = 0, undetermined = 0;
  int other = 0, other_scored = 0;
  for (const Row& row : rows) {
    if (row.key == "und") continue;
    ingest::Post post;
    post.text = row.text;
    const ScoredPost sp = scorer->score(post);
    if (scored(row.key)) {
      ++fr_en;
      undetermined += sp.lang == "und";
      if (!sp.sentiment.scored) {
        ++unscored;
        std::cout << "  " << row.key << " post unscored (" << sp.lang << "): " << row.text << "\n";
      } else if (sp.sentiment.lexicon == row.key) {
        ++right;
      } else {
        ++wrong;
        std::cout << "  " << row.key << " post scored in " << sp.sentiment.lexicon << " (" << sp.lang
                  << "): " << row.text << "\n";
      }
    } else {
      ++other;
      if (sp.sentiment.scored) {
        ++other_scored;
        std::cout << "  " << row.key << " post scored in " << sp.sentiment.lexicon << " (" << sp.lang
                  << "): " << row.text << "\n";
      }
    }
  }
  const double right_share = static_cast<double>(right) / fr_en;
  std::cout << "Lexicons: " << fr_en << " French and English posts: " << right << " own lexicon ("
            << right_share << "), " << wrong << " the other, " << unscored << " none; " << undetermined
            << " of them undetermined. " << other << " posts in other languages: " << other_scored
            << " scored\n";
  RecordProperty("fr_en_own_lexicon", std::to_string(right_share));
  RecordProperty("fr_en_unscored", unscored);
  RecordProperty("fr_en_other_lexicon", wrong);
  RecordProperty("other_scored", other_scored);
  // Today: 694 of 701 (0.990) own lexicon, 6 the other, 1 none; 23 of 714 other-language posts scored. The
  // CLD2 + function-word detector: 656 (0.936) own lexicon, 3 the other, 42 none; 26 scored.
  EXPECT_GE(right_share, 0.98);
  EXPECT_LE(unscored, 4);
  EXPECT_LE(wrong, 12);
  EXPECT_LE(other_scored, 30);
}

}  // namespace
}  // namespace vigie::rules
