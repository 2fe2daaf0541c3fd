#include "ingest/base/timestamp.h"

#include <gtest/gtest.h>

namespace vigie {
namespace {

TEST(Timestamp, ParsesUtcAndOffsets) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339("2026-11-22T14:05:00Z"), 1795356300LL * kMicrosPerSecond);
  EXPECT_EQ(parse_rfc3339("2026-11-22T15:05:00+01:00"), 1795356300LL * kMicrosPerSecond);
  EXPECT_EQ(parse_rfc3339("2026-11-22T09:05:00-0500"), 1795356300LL * kMicrosPerSecond);
  EXPECT_EQ(parse_rfc3339("2026-11-22 14:05:00.25Z"), 1795356300LL * kMicrosPerSecond + 250000);
  EXPECT_EQ(parse_rfc3339("2026-11-22T14:05:00.123456789Z"), 1795356300LL * kMicrosPerSecond + 123456);
  EXPECT_EQ(parse_rfc3339("2026-11-22"), 1795305600LL * kMicrosPerSecond);
}

TEST(Timestamp, RejectsMalformed) {
  for (const char* bad :
       {"", "2026", "2026-13-01T00:00:00Z", "2026-02-30", "2026-11-22T25:00:00Z", "2026-11-22T14:05:00",
        "2026-11-22T14:05:00Zjunk", "2026-11-22T14:05:00.Z", "2026-11-22T14:05:00+1:00", "yesterday"}) {
    EXPECT_FALSE(parse_rfc3339(bad).has_value()) << bad;
  }
}

TEST(Timestamp, FormatsAndRoundTrips) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(1795356300LL * kMicrosPerSecond + 42), "2026-11-22T14:05:00.000042Z");
  for (Micros t : {Micros{951782400} * kMicrosPerSecond, Micros{4102444799} * kMicrosPerSecond + 999999}) {
    EXPECT_EQ(parse_rfc3339(format_rfc3339(t)), t);
  }
}

}  // namespace
}  // namespace vigie
