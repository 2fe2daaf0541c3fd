#include "rules/text/text_fold.h"

#include <gtest/gtest.h>

namespace vigie::rules {
namespace {

TEST(TextFold, CaseAndAccents) {
  EXPECT_EQ(fold_text("DÉÇU"), "decu");
  EXPECT_EQ(fold_text("déçu"), "decu");
  EXPECT_EQ(fold_text("Deçu"), "decu");
  EXPECT_EQ(fold_text("Ça coûte très cher, ÉNORME"), "ca coute tres cher, enorme");
  EXPECT_EQ(fold_text("Straße"), "strasse");
  EXPECT_EQ(fold_text("cœur"), "cœur");  // a ligature letter, not a compatibility form: kept
}

TEST(TextFold, CompatibilityFormsAndPunctuation) {
  EXPECT_EQ(fold_text("ＡＣＭＥ"), "acme");
  EXPECT_EQ(fold_text("ﬁn"), "fin");
  EXPECT_EQ(fold_text("j’adore"), "j'adore");
  EXPECT_EQ(fold_text("e\xCC\x81t\xC3\xA9"),
            "ete");  // combining acute on the first e, precomposed on the second
}

TEST(TextFold, EmojiKeptIgnorablesDropped) {
  EXPECT_EQ(fold_text("top 😡"), "top 😡");
  EXPECT_EQ(fold_text("❤\xEF\xB8\x8F"), "❤");  // VS16 dropped
}

TEST(TextFold, InvalidUtf8SplitsWords) {
  EXPECT_EQ(fold_text("ab\xFF"
                      "cd"),
            "ab cd");
  EXPECT_EQ(fold_text("x\xC3"), "x ");
}

TEST(TextFold, OffsetsPointAtSourceCodePoints) {
  std::string out;
  std::vector<std::uint32_t> offsets;
  fold_text("É a", out, &offsets);
  ASSERT_EQ(out, "e a");
  EXPECT_EQ(offsets, (std::vector<std::uint32_t>{0, 2, 3}));
}

}  // namespace
}  // namespace vigie::rules
