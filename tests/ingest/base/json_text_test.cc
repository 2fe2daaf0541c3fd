#include "ingest/base/json_text.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace vigie::ingest {
namespace {

namespace json = boost::json;

TEST(JsonText, DoublesAreShortestDecimalNotExponent) {
  EXPECT_EQ(json_text(json::value(-0.7841)), "-0.7841");
  EXPECT_EQ(json_text(json::value(0.5)), "0.5");
  EXPECT_EQ(json_text(json::value(1e-7)), "1e-07");
  EXPECT_EQ(json_text(json::value(-0.0)), "0");
  EXPECT_EQ(json_text(json::value(std::numeric_limits<double>::infinity())), "null");
}

TEST(JsonText, StringsAreEscapedAndUtf8PassesThrough) {
  EXPECT_EQ(json_text(json::value("a\"b\\c\nd\x01 déçu 😡")), "\"a\\\"b\\\\c\\nd\\u0001 déçu 😡\"");
}

TEST(JsonText, RoundTripsThroughBoostJson) {
  const json::value v = json::parse(
      R"({"id":"x:1","n":-3,"u":18446744073709551615,"f":0.25,"ok":true,"none":null,"a":[1,"two",{"k":[]}],"e":{}})");
  const std::string text = json_text(v);
  EXPECT_EQ(json::parse(text), v);
  EXPECT_EQ(
      text,
      R"({"id":"x:1","n":-3,"u":18446744073709551615,"f":0.25,"ok":true,"none":null,"a":[1,"two",{"k":[]}],"e":{}})");
}

}  // namespace
}  // namespace vigie::ingest
