// The query API: pagination of posts and mentions, filters, series buckets and brand counts.
#include <gtest/gtest.h>

#include <set>

#include "storage/database.h"
#include "tests/storage/storage_test_support.h"

namespace vigie::storage {
namespace {

using rules::Label;
using testing::kDay;
using testing::kHour;
using testing::kMinute;
using testing::kT0;
using testing::make_post;
using testing::TempDir;

class QueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::open_db(dir_.path(), {.max_scan_per_page = 200});
    ASSERT_TRUE(db_);
  }

  // n posts, one per 10 s going back from kT0, three at each instant every so often (same time, uid decides).
  void fill(int n) {
    std::vector<rules::ScoredPost> batch;
    for (int i = 0; i < n; ++i) {
      const Micros t = kT0 - (i / 3) * 10 * kMicrosPerSecond;
      batch.push_back(make_post({.uid = "p" + std::to_string(i),
                                 .created_at = t,
                                 .brands = {"acme"},
                                 .label = static_cast<Label>(i % 3),
                                 .followers = i,
                                 .platform = i % 5 == 0 ? "bluesky" : "mastodon",
                                 .source = i % 50 == 0 ? "rare" : "common",
                                 .lang = i % 2 ? "fr" : "en"}));
      if (batch.size() == 256) {
        ASSERT_TRUE(db_->posts().write(batch, {}));
        batch.clear();
      }
    }
    ASSERT_TRUE(db_->posts().write(batch, {}));
  }

  // Walks every page; checks newest-first order within and across pages.
  std::vector<std::string> walk_posts(PostQuery q, int* pages = nullptr) {
    std::vector<std::string> uids;
    std::pair<Micros, std::string> prev{std::numeric_limits<Micros>::max(), ""};
    for (int page = 0; page < 10'000; ++page) {
      auto r = db_->queries().posts(q);
      EXPECT_TRUE(r) << r.error().message;
      if (!r) break;
      EXPECT_LE(r->items.size(), q.limit);
      for (const auto& p : r->items) {
        const std::pair<Micros, std::string> cur{p.post.created_at, p.post.uid};
        EXPECT_LT(cur, prev) << "order broken at " << p.post.uid;
        prev = cur;
        uids.push_back(p.post.uid);
      }
      if (pages) *pages = page + 1;
      if (r->next_cursor.empty()) break;
      q.cursor = r->next_cursor;
    }
    return uids;
  }

  TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(QueryTest, PostPagesCoverEverythingOnce) {
  fill(1000);
  int pages = 0;
  const auto uids = walk_posts({.from = kT0 - kDay, .to = kT0 + 1, .limit = 70}, &pages);
  EXPECT_EQ(uids.size(), 1000u);
  EXPECT_EQ(std::set<std::string>(uids.begin(), uids.end()).size(), 1000u);
  EXPECT_EQ(pages, 15);  // 14 full pages + 20; the last page knows it is the last
  // The time range is half-open.
  const auto newest = db_->queries().posts({.from = kT0, .to = kT0 + 1, .limit = 10});
  EXPECT_EQ(newest->items.size(), 3u);
  EXPECT_TRUE(newest->next_cursor.empty());
  EXPECT_TRUE(db_->queries().posts({.from = kT0 + 1, .to = kT0 + kDay})->items.empty());
}

TEST_F(QueryTest, CursorIsStableUnderNewWrites) {
  fill(300);
  PostQuery q{.from = kT0 - kDay, .to = kT0 + kDay, .limit = 50};
  auto first = db_->queries().posts(q);
  ASSERT_TRUE(first);
  // Newer posts arrive (and one in the middle of the already-read range); the walk continues where it was.
  std::vector<rules::ScoredPost> fresh;
  for (int i = 0; i < 20; ++i)
    fresh.push_back(make_post({.uid = "new" + std::to_string(i), .created_at = kT0 + i + 1}));
  ASSERT_TRUE(db_->posts().write(fresh, {}));
  q.cursor = first->next_cursor;
  auto rest = walk_posts(q);
  std::set<std::string> seen;
  for (const auto& p : first->items)
    seen.insert(p.post.uid);
  for (const auto& u : rest)
    EXPECT_TRUE(seen.insert(u).second) << "repeated " << u;
  EXPECT_EQ(seen.size(), 300u);
  for (const auto& u : seen)
    EXPECT_EQ(u.rfind("new", 0), std::string::npos);
  // The same cursor twice gives the same page.
  q.limit = 10;
  EXPECT_EQ(db_->queries().posts(q)->next_cursor, db_->queries().posts(q)->next_cursor);
}

TEST_F(QueryTest, PostFiltersAndScanBudget) {
  fill(1000);
  auto bluesky = walk_posts({.from = kT0 - kDay, .to = kT0 + 1, .platform = "bluesky", .limit = 30});
  EXPECT_EQ(bluesky.size(), 200u);
  // "rare" matches 1 row in 50: pages stop after 200 examined rows, some are short or empty, the walk
  // completes.
  int pages = 0;
  auto rare = walk_posts({.from = kT0 - kDay, .to = kT0 + 1, .source = "rare", .limit = 100}, &pages);
  EXPECT_EQ(rare.size(), 20u);
  EXPECT_EQ(pages, 5);
  auto both = walk_posts({.from = kT0 - kDay, .to = kT0 + 1, .platform = "bluesky", .source = "rare"});
  EXPECT_EQ(both.size(), 20u);  // every 50th is also a 5th
}

TEST_F(QueryTest, MentionPagesAndFilters) {
  fill(1000);
  const auto walk = [this](MentionQuery q) {
    std::vector<Mention> all;
    for (;;) {
      auto r = db_->queries().mentions(q);
      EXPECT_TRUE(r) << r.error().message;
      if (!r) break;
      for (auto& m : r->items)
        all.push_back(std::move(m));
      if (r->next_cursor.empty()) break;
      q.cursor = r->next_cursor;
    }
    return all;
  };
  const auto all = walk({.brand = "acme", .from = kT0 - kDay, .to = kT0 + 1, .limit = 64});
  ASSERT_EQ(all.size(), 1000u);
  std::set<std::string> uids;
  for (std::size_t i = 0; i < all.size(); ++i) {
    uids.insert(all[i].uid);
    EXPECT_EQ(all[i].brand, "acme");
    if (i > 0) {
      EXPECT_GE(all[i - 1].created_at, all[i].created_at);
    }
  }
  EXPECT_EQ(uids.size(), 1000u);
  EXPECT_EQ(all[0].author_handle, "user_" + all[0].uid);

  const auto neg_fr = walk({.brand = "acme",
                            .from = kT0 - kDay,
                            .to = kT0 + 1,
                            .sentiment = Label::negative,
                            .lang = "fr",
                            .limit = 100});
  for (const auto& m : neg_fr) {
    EXPECT_EQ(m.label, Label::negative);
    EXPECT_EQ(m.lang, "fr");
  }
  EXPECT_EQ(neg_fr.size(), 167u);  // i % 3 == 0 and i odd: i % 6 == 3
  const auto big = walk(
      {.brand = "acme", .from = kT0 - kDay, .to = kT0 + 1, .min_followers = 990, .platform = "mastodon"});
  EXPECT_EQ(big.size(), 8u);  // 990..999 without 990 and 995
  EXPECT_TRUE(walk({.brand = "globex", .from = kT0 - kDay, .to = kT0 + 1}).empty());
}

TEST_F(QueryTest, BadParametersAreErrors) {
  EXPECT_FALSE(db_->queries().posts({.from = 0, .to = 1, .limit = 0}));
  EXPECT_FALSE(db_->queries().posts({.from = 0, .to = 1, .limit = kMaxPageLimit + 1}));
  const auto bad_cursor = db_->queries().posts({.from = 0, .to = 1, .cursor = "%%%"});
  ASSERT_FALSE(bad_cursor);
  EXPECT_EQ(bad_cursor.error().message, "storage: invalid cursor");
  fill(300);
  // A posts cursor is no mentions cursor.
  const auto p = db_->queries().posts({.from = kT0 - kDay, .to = kT0 + 1, .limit = 10});
  EXPECT_FALSE(db_->queries().mentions({.brand = "acme", .from = 0, .to = kT0, .cursor = p->next_cursor}));
  EXPECT_FALSE(db_->queries().mentions({.brand = "", .from = 0, .to = 1}));
  const auto huge =
      db_->queries().series({.brand = "acme", .from = 0, .to = kT0, .step = SeriesStep::minute});
  ASSERT_FALSE(huge);
  EXPECT_NE(huge.error().message.find("buckets of 1m; at most 100000"), std::string::npos)
      << huge.error().message;
}

TEST_F(QueryTest, SeriesIncludesEmptyBuckets) {
  // 09:00 day D: 2 posts (one positive 0.5, one negative -0.3); 09:07: 1 neutral; 11:59: 1 positive.
  const Micros day = testing::kT0 - testing::kT0 % kDay;
  const Micros h9 = day + 9 * kHour;
  ASSERT_TRUE(db_->posts().write(
      std::vector{
          make_post({.uid = "a",
                     .created_at = h9 + 5,
                     .brands = {"acme"},
                     .label = Label::positive,
                     .compound = 0.5f,
                     .followers = 10}),
          make_post({.uid = "b",
                     .created_at = h9 + 59 * kMicrosPerSecond,
                     .brands = {"acme"},
                     .label = Label::negative,
                     .compound = -0.3f,
                     .followers = -1}),
          make_post({.uid = "c", .created_at = h9 + 7 * kMinute, .brands = {"acme"}}),
          make_post({.uid = "d",
                     .created_at = day + 11 * kHour + 59 * kMinute,
                     .brands = {"acme"},
                     .label = Label::positive,
                     .compound = 1}),
          make_post({.uid = "other", .created_at = h9, .brands = {"acme2"}}),
      },
      {}));
  // 1h step from 08:30 to 12:00: buckets 08, 09, 10, 11.
  auto hourly = db_->queries().series({.brand = "acme",
                                       .from = day + 8 * kHour + 30 * kMinute,
                                       .to = day + 12 * kHour,
                                       .step = SeriesStep::hour});
  ASSERT_TRUE(hourly) << hourly.error().message;
  ASSERT_EQ(hourly->size(), 4u);
  EXPECT_EQ((*hourly)[0].t, day + 8 * kHour);
  EXPECT_EQ((*hourly)[0].count, 0);
  EXPECT_EQ((*hourly)[0].mean_compound, 0);
  EXPECT_EQ((*hourly)[1].count, 3);
  EXPECT_EQ((*hourly)[1].positive, 1);
  EXPECT_EQ((*hourly)[1].negative, 1);
  EXPECT_EQ((*hourly)[1].neutral, 1);
  EXPECT_NEAR((*hourly)[1].mean_compound, 0.2 / 3, 1e-9);
  EXPECT_EQ((*hourly)[1].reach, 110);  // a: 10, b: 0 (followers unknown), c: 100
  EXPECT_EQ((*hourly)[2].count, 0);
  EXPECT_EQ((*hourly)[3].count, 1);
  EXPECT_EQ((*hourly)[3].t, day + 11 * kHour);

  // 5m step over 09:00-09:15: 3 buckets, the middle one (09:05) holds c.
  auto five = db_->queries().series(
      {.brand = "acme", .from = h9, .to = h9 + 15 * kMinute, .step = SeriesStep::five_minutes});
  ASSERT_EQ(five->size(), 3u);
  EXPECT_EQ((*five)[0].count, 2);
  EXPECT_EQ((*five)[1].count, 1);
  EXPECT_EQ((*five)[2].count, 0);
  // 1m: 15 buckets, 13 empty. 1d: one bucket with all four.
  auto minutes = db_->queries().series(
      {.brand = "acme", .from = h9, .to = h9 + 15 * kMinute, .step = SeriesStep::minute});
  ASSERT_EQ(minutes->size(), 15u);
  int empty = 0;
  for (const auto& b : *minutes)
    empty += b.count == 0;
  EXPECT_EQ(empty, 13);
  auto daily =
      db_->queries().series({.brand = "acme", .from = day, .to = day + kDay, .step = SeriesStep::day});
  ASSERT_EQ(daily->size(), 1u);
  EXPECT_EQ((*daily)[0].count, 4);
  // Brand counts over 24 h; "acme2" shares a prefix in text but not in keys.
  const std::vector<std::string> brands = {"acme", "acme2", "none"};
  auto counts = db_->queries().brand_counts(brands, day + 12 * kHour);
  ASSERT_TRUE(counts);
  ASSERT_EQ(counts->size(), 3u);
  EXPECT_EQ((*counts)[0].count, 4);
  EXPECT_EQ((*counts)[1].count, 1);
  EXPECT_EQ((*counts)[2].count, 0);
  EXPECT_EQ(parse_series_step("5m"), SeriesStep::five_minutes);
  EXPECT_FALSE(parse_series_step("2h"));
}

}  // namespace
}  // namespace vigie::storage
