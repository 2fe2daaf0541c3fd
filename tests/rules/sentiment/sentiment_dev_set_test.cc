// The hand-written development sets (tests/rules/data/sentiment_{en,fr}.tsv): one sentence or more per rule
// of the method, with the writer's rating or label; and sentiment_fr_social.tsv, French posts written like
// replies to brands. They guard against regressions; the quality targets of issues 5 and 14 are checked on
// held-out human-labelled sets that are not in the repository.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "rules/language/language_detector.h"
#include "rules/post_scorer.h"
#include "rules/sentiment/sentiment_analyzer.h"
#include "tests/rules/data_rows.h"

namespace vigie::rules {
namespace {

using testing::read_rows;
using testing::Row;

// Sizes of the sets today, minus a margin for edits: below them, the figures below mean little.
constexpr std::size_t kMinEnglishRows = 50;
constexpr std::size_t kMinFrenchRows = 100;
constexpr std::size_t kMinFrenchSocialRows = 550;
constexpr std::size_t kMinFrenchTweetRows = 430;

Label label_of_rating(double rating) {
  if (rating >= 0.5) return Label::positive;
  if (rating <= -0.5) return Label::negative;
  return Label::neutral;
}

Label parse_label(const std::string& s) {
  if (s == "pos") return Label::positive;
  if (s == "neg") return Label::negative;
  return Label::neutral;
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    mx += x[i] / n;
    my += y[i] / n;
  }
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

double macro_f1(const std::vector<Label>& truth, const std::vector<Label>& predicted) {
  double sum = 0;
  for (Label c : {Label::negative, Label::neutral, Label::positive}) {
    double tp = 0, fp = 0, fn = 0;
    for (std::size_t i = 0; i < truth.size(); ++i) {
      tp += truth[i] == c && predicted[i] == c;
      fp += truth[i] != c && predicted[i] == c;
      fn += truth[i] == c && predicted[i] != c;
    }
    const double p = tp + fp > 0 ? tp / (tp + fp) : 0;
    const double r = tp + fn > 0 ? tp / (tp + fn) : 0;
    sum += p + r > 0 ? 2 * p * r / (p + r) : 0;
  }
  return sum / 3;
}

// Precision, recall and F1 of each class, and their macro average.
struct ClassScores {
  double precision[3] = {};
  double recall[3] = {};
  double f1[3] = {};
  double macro_f1 = 0;
};

ClassScores class_scores(const std::vector<Label>& truth, const std::vector<Label>& predicted,
                         std::size_t from, std::size_t to) {
  ClassScores out;
  int index = 0;
  for (Label c : {Label::negative, Label::neutral, Label::positive}) {
    double tp = 0, fp = 0, fn = 0;
    for (std::size_t i = from; i < to; ++i) {
      tp += truth[i] == c && predicted[i] == c;
      fp += truth[i] != c && predicted[i] == c;
      fn += truth[i] == c && predicted[i] != c;
    }
    const double p = tp + fp > 0 ? tp / (tp + fp) : 0;
    const double r = tp + fn > 0 ? tp / (tp + fn) : 0;
    out.precision[index] = p;
    out.recall[index] = r;
    out.f1[index] = p + r > 0 ? 2 * p * r / (p + r) : 0;
    out.macro_f1 += out.f1[index] / 3;
    ++index;
  }
  return out;
}

void print_scores(const char* name, std::size_t rows, const ClassScores& s) {
  static constexpr const char* kNames[] = {"neg", "neu", "pos"};
  std::cout << name << ": " << rows << " posts, macro-F1 = " << s.macro_f1;
  for (int c = 0; c < 3; ++c) {
    std::cout << "; " << kNames[c] << " P " << s.precision[c] << " R " << s.recall[c] << " F1 " << s.f1[c];
  }
  std::cout << "\n";
}

struct SplitScores {
  ClassScores all, tuning, check;  // the whole set, its first two thirds (tuned on), its last third
};

// Scores a French set with the French lexicon, prints its misses and figures, records its macro-F1.
void score_french_set(const std::string& file, std::size_t min_rows, const std::string& title,
                      SplitScores& out) {
  std::vector<Row> rows;
  ASSERT_NO_FATAL_FAILURE(read_rows(file, min_rows, rows));
  static const auto analyzer = SentimentAnalyzer::create({}).value();
  std::vector<Label> truth, predicted;
  for (const Row& row : rows) {
    const Sentiment s = analyzer->score(row.text, "fr");
    truth.push_back(parse_label(row.key));
    predicted.push_back(s.label);
    if (truth.back() != predicted.back()) {
      std::cout << "  " << file << " miss (row " << truth.size() << "): " << row.key << " scored "
                << s.compound << ": " << row.text << "\n";
    }
  }
  const std::size_t split = rows.size() * 2 / 3;
  out.all = class_scores(truth, predicted, 0, rows.size());
  out.tuning = class_scores(truth, predicted, 0, split);
  out.check = class_scores(truth, predicted, split, rows.size());
  print_scores(title.c_str(), rows.size(), out.all);
  print_scores("  tuning part (first 2/3)", split, out.tuning);
  print_scores("  check part (last 1/3)", rows.size() - split, out.check);
  ::testing::Test::RecordProperty("macro_f1", std::to_string(out.all.macro_f1));
}

class DevSet : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { analyzer_ = SentimentAnalyzer::create({}).value(); }
  static inline std::shared_ptr<const SentimentAnalyzer> analyzer_;
};

TEST_F(DevSet, EnglishCompoundFollowsRatings) {
  std::vector<Row> rows;
  ASSERT_NO_FATAL_FAILURE(read_rows("sentiment_en.tsv", kMinEnglishRows, rows));
  std::vector<double> ratings, compounds;
  int label_hits = 0;
  for (const Row& row : rows) {
    const double rating = std::stod(row.key);
    const Sentiment s = analyzer_->score(row.text, "en");
    ratings.push_back(rating);
    compounds.push_back(s.compound);
    if (s.label == label_of_rating(rating)) {
      ++label_hits;
    } else {
      std::cout << "  en miss: rated " << rating << ", compound " << s.compound << ": " << row.text << "\n";
    }
  }
  const double r = pearson(ratings, compounds);
  const double accuracy = static_cast<double>(label_hits) / static_cast<double>(rows.size());
  std::cout << "English dev set: " << rows.size() << " sentences, Pearson r = " << r
            << ", label accuracy = " << accuracy << "\n";
  RecordProperty("pearson_r", std::to_string(r));
  EXPECT_GE(r, 0.85);
  EXPECT_GE(accuracy, 0.85);
}

TEST_F(DevSet, FrenchLabelsMacroF1) {
  std::vector<Row> rows;
  ASSERT_NO_FATAL_FAILURE(read_rows("sentiment_fr.tsv", kMinFrenchRows, rows));
  std::vector<Label> truth, predicted;
  for (const Row& row : rows) {
    const Sentiment s = analyzer_->score(row.text, "fr");
    truth.push_back(parse_label(row.key));
    predicted.push_back(s.label);
    if (truth.back() != predicted.back()) {
      std::cout << "  fr miss: " << row.key << " scored " << s.compound << ": " << row.text << "\n";
    }
  }
  const double f1 = macro_f1(truth, predicted);
  std::cout << "French dev set: " << rows.size() << " sentences, macro-F1 = " << f1 << "\n";
  RecordProperty("macro_f1", std::to_string(f1));
  EXPECT_GE(f1, 0.85);
}

// French posts written like replies to brands (slang, SMS spelling, emoji, irony read by its meaning). The
// first two thirds were used to tune the French resources; the last third is reported apart, as a check that
// the tuning generalises. The floor sits a little below today's figure, so that a regression fails.
TEST_F(DevSet, FrenchSocialMacroF1) {
  SplitScores f;
  ASSERT_NO_FATAL_FAILURE(
      score_french_set("sentiment_fr_social.tsv", kMinFrenchSocialRows, "French social set", f));
  EXPECT_GE(f.all.macro_f1, 0.90);    // 0.920 when written; 0.796 before the issue-14 rules and vocabulary
  EXPECT_GE(f.check.macro_f1, 0.87);  // 0.899 when written; 0.792 before
}

// General French tweets (everyday life, news, sport, TV; 40% neutral, many of them headlines with loaded-looking
// words), harder than the brand replies above and closer to the held-out sets. Tuned on the first two thirds
// only; the last third is the check.
TEST_F(DevSet, FrenchTweetsMacroF1) {
  SplitScores f;
  ASSERT_NO_FATAL_FAILURE(
      score_french_set("sentiment_fr_tweets.tsv", kMinFrenchTweetRows, "French tweets set", f));
  EXPECT_GE(f.all.macro_f1, 0.86);    // 0.888 when written; 0.771 before (tuning 0.805, check 0.703)
  EXPECT_GE(f.check.macro_f1, 0.79);  // 0.818 when written
}

// The same sets as the daemon scores them: no platform hint, the language decided from the text (PostScorer),
// so that a post lost to another language or scored with the wrong lexicon counts as a miss.
TEST_F(DevSet, SetsThroughTheWholeScorer) {
  const auto scorer = PostScorer::load("").value();
  auto score = [&](const std::string& text) {
    ingest::Post p;
    p.text = text;
    return scorer->score(p);
  };
  std::vector<Row> rows;
  ASSERT_NO_FATAL_FAILURE(read_rows("sentiment_fr_social.tsv", kMinFrenchSocialRows, rows));
  std::vector<Label> truth, predicted;
  int not_french = 0;
  for (const Row& row : rows) {
    const ScoredPost sp = score(row.text);
    truth.push_back(parse_label(row.key));
    predicted.push_back(sp.sentiment.label);
    if (sp.sentiment.lexicon != "fr") {
      ++not_french;
      std::cout << "  fr social post scored with '" << sp.sentiment.lexicon << "' (" << sp.lang
                << "): " << row.text << "\n";
    }
  }
  const ClassScores all = class_scores(truth, predicted, 0, rows.size());
  print_scores("French social set through PostScorer", rows.size(), all);
  std::cout << "  not scored with the French lexicon: " << not_french << "\n";
  RecordProperty("scorer_fr_macro_f1", std::to_string(all.macro_f1));
  EXPECT_GE(all.macro_f1, 0.90);
  EXPECT_LE(not_french, 12);

  rows.clear();
  ASSERT_NO_FATAL_FAILURE(read_rows("sentiment_en.tsv", kMinEnglishRows, rows));
  std::vector<double> ratings, compounds;
  for (const Row& row : rows) {
    ratings.push_back(std::stod(row.key));
    compounds.push_back(score(row.text).sentiment.compound);
  }
  const double r = pearson(ratings, compounds);
  std::cout << "English dev set through PostScorer: Pearson r = " << r << "\n";
  EXPECT_GE(r, 0.85);
}

// Every French sentence of the set is detected as French, whatever the platform claims, so none is ever
// scored with the English lexicon.
TEST_F(DevSet, FrenchSentencesAreDetectedAsFrench) {
  std::vector<Row> rows;
  ASSERT_NO_FATAL_FAILURE(read_rows("sentiment_fr.tsv", kMinFrenchRows, rows));
  const LanguageDetector detector;
  int wrong = 0;
  for (const Row& row : rows) {
    const std::string_view lang = detector.detect(row.text, "en");
    if (lang != "fr") {
      ++wrong;
      std::cout << "  detected " << lang << ": " << row.text << "\n";
    }
    if (row.key == "neg") {
      EXPECT_NE(lang, "en") << row.text;
    }
  }
  EXPECT_LE(wrong, 3);
}

TEST_F(DevSet, EnglishSentencesAreDetectedAsEnglish) {
  std::vector<Row> rows;
  ASSERT_NO_FATAL_FAILURE(read_rows("sentiment_en.tsv", kMinEnglishRows, rows));
  const LanguageDetector detector;
  int wrong = 0;
  for (const Row& row : rows) {
    const std::string_view lang = detector.detect(row.text, "fr");
    if (lang != "en") {
      ++wrong;
      std::cout << "  detected " << lang << ": " << row.text << "\n";
    }
  }
  EXPECT_LE(wrong, 3);
}

}  // namespace
}  // namespace vigie::rules
