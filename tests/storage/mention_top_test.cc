// PostQueries::top and first_mention on a real RocksDB: posts by reach, authors by summed reach, topics by
// mentions, the sentiment filter, the window's bounds, and the scan cap reported as truncated.
#include <gtest/gtest.h>

#include "storage/database.h"
#include "tests/storage/storage_test_support.h"

namespace vigie::storage {
namespace {

using rules::Label;
using testing::kMinute;
using testing::kT0;
using testing::make_post;
using testing::TempDir;

class MentionTopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::open_db(dir_.path());
    ASSERT_TRUE(db_);
    std::vector<rules::ScoredPost> batch;
    // Minute i: author a<i%3>, reach 100*i, negative when i is even, topic "outage" for every post and
    // "fees" for every third. Plus one post of another brand with a huge reach.
    for (int i = 0; i < 12; ++i) {
      rules::ScoredPost p = make_post({.uid = "p" + std::to_string(i),
                                       .created_at = kT0 + i * kMinute,
                                       .brands = {"acme"},
                                       .topics = i % 3 == 0 ? std::vector<std::string>{"outage", "fees"}
                                                            : std::vector<std::string>{"outage"},
                                       .label = i % 2 == 0 ? Label::negative : Label::positive,
                                       .followers = 100 * i});
      p.post.author.handle = "a" + std::to_string(i % 3);
      p.post.author.name = "Author " + std::to_string(i);  // the newest name wins
      batch.push_back(std::move(p));
    }
    batch.push_back(
        make_post({.uid = "other", .created_at = kT0, .brands = {"acme2"}, .followers = 1000000}));
    ASSERT_TRUE(db_->posts().write(batch, {}));
  }

  TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(MentionTopTest, RanksPostsAuthorsAndTopicsOfTheWindow) {
  auto top = db_->queries().top({.brand = "acme", .from = kT0, .to = kT0 + 12 * kMinute, .limit = 3});
  ASSERT_TRUE(top) << top.error().message;
  EXPECT_EQ(top->examined, 12);
  EXPECT_FALSE(top->truncated);
  EXPECT_EQ(top->examined_from, kT0);
  ASSERT_EQ(top->posts.size(), 3u);
  EXPECT_EQ(top->posts[0].uid, "p11");
  EXPECT_EQ(top->posts[1].uid, "p10");
  EXPECT_EQ(top->posts[2].uid, "p9");
  EXPECT_EQ(top->posts[0].brand, "acme");
  // a2: minutes 2, 5, 8, 11 -> reach 2600; a1: 1, 4, 7, 10 -> 2200; a0: 0, 3, 6, 9 -> 1800.
  ASSERT_EQ(top->authors.size(), 3u);
  EXPECT_EQ(top->authors[0].handle, "a2");
  EXPECT_EQ(top->authors[0].reach, 2600);
  EXPECT_EQ(top->authors[0].mentions, 4);
  EXPECT_EQ(top->authors[0].negative, 2);  // minutes 2 and 8
  EXPECT_EQ(top->authors[0].name, "Author 11");
  EXPECT_EQ(top->authors[0].followers, 1100);
  EXPECT_EQ(top->authors[2].handle, "a0");
  ASSERT_EQ(top->topics.size(), 2u);
  EXPECT_EQ(top->topics[0].id, "outage");
  EXPECT_EQ(top->topics[0].mentions, 12);
  EXPECT_EQ(top->topics[0].negative, 6);
  EXPECT_EQ(top->topics[1].id, "fees");
  EXPECT_EQ(top->topics[1].mentions, 4);

  // The window is half-open, and the sentiment filter applies to all three lists.
  top = db_->queries().top(
      {.brand = "acme", .from = kT0 + kMinute, .to = kT0 + 11 * kMinute, .sentiment = Label::negative});
  ASSERT_TRUE(top);
  ASSERT_EQ(top->posts.size(), 5u);  // minutes 2, 4, 6, 8, 10
  EXPECT_EQ(top->posts.front().uid, "p10");
  EXPECT_EQ(top->posts.back().uid, "p2");
  for (const auto& a : top->authors)
    EXPECT_EQ(a.negative, a.mentions);
  EXPECT_EQ(top->topics[0].mentions, 5);
  EXPECT_FALSE(db_->queries().top({.brand = "acme", .from = kT0, .to = kT0 + kMinute, .limit = 0}));
}

TEST_F(MentionTopTest, AWindowPastTheScanCapIsMarkedTruncated) {
  auto top = db_->queries().top({.brand = "acme", .from = kT0, .to = kT0 + 12 * kMinute, .max_scan = 5});
  ASSERT_TRUE(top);
  EXPECT_EQ(top->examined, 5);
  EXPECT_TRUE(top->truncated);
  // Newest first: minutes 7 to 11 were examined.
  EXPECT_EQ(top->examined_from, kT0 + 7 * kMinute);
  ASSERT_EQ(top->posts.size(), 5u);
  EXPECT_EQ(top->posts.back().uid, "p7");
  top = db_->queries().top({.brand = "acme", .from = kT0, .to = kT0 + 12 * kMinute, .max_scan = 12});
  EXPECT_FALSE(top->truncated);
}

TEST_F(MentionTopTest, FirstMentionIsTheOldestOfTheWindow) {
  auto first = db_->queries().first_mention("acme", kT0 + 3 * kMinute - 1, kT0 + 12 * kMinute);
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->uid, "p3");
  EXPECT_EQ((*first)->created_at, kT0 + 3 * kMinute);
  EXPECT_EQ((*first)->brand, "acme");
  EXPECT_FALSE(db_->queries().first_mention("acme", kT0 + 12 * kMinute, kT0 + 20 * kMinute)->has_value());
  EXPECT_FALSE(db_->queries().first_mention("acme2", kT0 + 1, kT0 + 20 * kMinute)->has_value());
}

}  // namespace
}  // namespace vigie::storage
