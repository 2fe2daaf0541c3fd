#include "storage/codec/key_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>
#include <vector>

namespace vigie::storage {
namespace {

constexpr Micros kMin = std::numeric_limits<Micros>::min();
constexpr Micros kMax = std::numeric_limits<Micros>::max();

const std::vector<Micros> kEdgeTimes = {
    kMin, kMin + 1,         -kMicrosPerMinute - 1,           -kMicrosPerMinute, -1,  0,
    1,    kMicrosPerMinute, 1795356300LL * kMicrosPerSecond, kMax - 1,          kMax};

TEST(KeyCodec, PostTimeKeyRoundTrips) {
  for (Micros t : kEdgeTimes) {
    const std::string k = post_time_key(t, "mastodon:123");
    const auto d = decode_post_time_key(k);
    ASSERT_TRUE(d) << t;
    EXPECT_EQ(d->time, t);
    EXPECT_EQ(d->uid, "mastodon:123");
    EXPECT_EQ(time_of_post_time_key(k), t);
  }
  EXPECT_FALSE(decode_post_time_key("short"));
}

TEST(KeyCodec, ByteOrderEqualsTimeOrder) {
  std::vector<Micros> times = kEdgeTimes;
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<Micros> any(kMin, kMax);
  for (int i = 0; i < 2000; ++i)
    times.push_back(any(rng));
  std::vector<std::string> keys;
  for (Micros t : times)
    keys.push_back(mention_key("acme", t, "u"));
  std::vector<std::size_t> by_time(times.size()), by_bytes(times.size());
  for (std::size_t i = 0; i < times.size(); ++i)
    by_time[i] = by_bytes[i] = i;
  std::stable_sort(by_time.begin(), by_time.end(), [&](auto a, auto b) { return times[a] < times[b]; });
  std::stable_sort(by_bytes.begin(), by_bytes.end(), [&](auto a, auto b) { return keys[a] < keys[b]; });
  for (std::size_t i = 0; i < times.size(); ++i)
    EXPECT_EQ(times[by_time[i]], times[by_bytes[i]]);
  // Adjacent pairs straddling zero and the extremes, explicitly.
  EXPECT_LT(post_time_bound(-1), post_time_bound(0));
  EXPECT_LT(post_time_bound(kMin), post_time_bound(kMin + 1));
  EXPECT_LT(post_time_bound(kMax - 1), post_time_bound(kMax));
  // The uid orders posts of the same instant, after the time.
  EXPECT_LT(post_time_key(5, "b"), post_time_key(6, "a"));
  EXPECT_LT(post_time_key(5, "a"), post_time_key(5, "b"));
}

TEST(KeyCodec, BrandIdsNeverCollide) {
  // Without the length prefix "acme" + time could be a prefix of "acme2" + time.
  const std::string a = mention_key("acme", 0, "u");
  const std::string a2 = mention_key("acme2", 0, "u");
  EXPECT_FALSE(a2.starts_with(brand_prefix("acme")));
  EXPECT_FALSE(a.starts_with(brand_prefix("acme2")));
  // Brand ids may hold any byte, separators included.
  const std::string weird("a\0b\xff", 4);
  const std::string key = mention_key(weird, -5, "x:1");  // decoded views point into it
  const auto d = decode_mention_key(key);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->brand, weird);
  EXPECT_EQ(d->time, -5);
  EXPECT_EQ(d->uid, "x:1");
  // Every key of a brand sorts within its prefix, whatever the time.
  for (Micros t : kEdgeTimes)
    EXPECT_TRUE(mention_key("acme", t, "u").starts_with(brand_prefix("acme")));
  EXPECT_TRUE(valid_brand_id(std::string(kMaxBrandIdBytes, 'b')));
  EXPECT_FALSE(valid_brand_id(std::string(kMaxBrandIdBytes + 1, 'b')));
  EXPECT_FALSE(valid_brand_id(""));
}

TEST(KeyCodec, SeriesKeysAndMinutes) {
  EXPECT_EQ(minute_start(0), 0);
  EXPECT_EQ(minute_start(kMicrosPerMinute - 1), 0);
  EXPECT_EQ(minute_start(-1), -kMicrosPerMinute);
  EXPECT_EQ(minute_start(-kMicrosPerMinute), -kMicrosPerMinute);
  EXPECT_EQ(floor_to(kMin, kMicrosPerMinute), kMin);  // saturates instead of overflowing
  EXPECT_EQ(floor_to(7 * 3600 * kMicrosPerSecond + 5, 3600 * kMicrosPerSecond), 7 * 3600 * kMicrosPerSecond);
  for (Micros t : kEdgeTimes) {
    const std::string key = series_key("acme", t);
    const auto d = decode_series_key(key);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->brand, "acme");
    EXPECT_EQ(d->time, t);
    EXPECT_EQ(time_of_brand_time_key(series_key("acme", t)), t);
  }
  EXPECT_FALSE(decode_series_key(mention_key("acme", 0, "trailing uid")));
  EXPECT_FALSE(time_of_brand_time_key(std::string(1, '\x09') + "short"));
}

TEST(KeyCodec, CrisisKeys) {
  const std::string key = incident_event_key(42, -3, 7);
  const auto e = decode_incident_event_key(key);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->incident_id, 42u);
  EXPECT_EQ(e->time, -3);
  EXPECT_EQ(e->seq, 7u);
  EXPECT_FALSE(decode_incident_event_key(key.substr(1)));
  EXPECT_LT(incident_event_key(1, 1, 9), incident_event_key(1, 2, 0));
  EXPECT_LT(incident_event_key(1, 1, 1), incident_event_key(1, 1, 2));
  EXPECT_LT(incident_event_key(1, 900, 0), incident_event_key(2, -900, 0));
  EXPECT_TRUE(incident_event_key(7, 1, 1).starts_with(id_key(7)));
  EXPECT_LT(id_key(255), id_key(256));
  EXPECT_EQ(decode_id_key(id_key(0x0102030405060708ULL)), 0x0102030405060708ULL);
  EXPECT_FALSE(decode_id_key("short"));
}

}  // namespace
}  // namespace vigie::storage
