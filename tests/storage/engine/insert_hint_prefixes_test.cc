#include "storage/engine/insert_hint_prefixes.h"

#include <gtest/gtest.h>
#include <rocksdb/slice_transform.h>

#include "storage/codec/key_codec.h"

namespace vigie::storage {
namespace {

TEST(InsertHintPrefixes, BrandPrefixIsTheLengthPrefixedBrand) {
  const auto t = make_brand_prefix_transform();
  const std::string key = mention_key("acme", 5, "x:1");
  ASSERT_TRUE(t->InDomain(key));
  EXPECT_EQ(t->Transform(key).ToString(), brand_prefix("acme"));
  EXPECT_FALSE(t->InDomain(rocksdb::Slice()));
  EXPECT_FALSE(t->InDomain(std::string(1, '\x09') + "abc"));  // shorter than its length byte says
}

TEST(InsertHintPrefixes, UidPlatformIsUpToTheFirstColon) {
  const auto t = make_uid_platform_transform();
  ASSERT_TRUE(t->InDomain("bluesky:at://did:plc:x/app.bsky.feed.post/3k"));
  EXPECT_EQ(t->Transform("bluesky:at://did:plc:x").ToString(), "bluesky:");
  EXPECT_EQ(t->Transform(":x").ToString(), ":");
  EXPECT_FALSE(t->InDomain("no-colon"));
}

}  // namespace
}  // namespace vigie::storage
