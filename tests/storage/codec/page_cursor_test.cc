#include "storage/codec/page_cursor.h"

#include <gtest/gtest.h>

namespace vigie::storage {
namespace {

TEST(PageCursor, Base64UrlRoundTripsEveryLength) {
  std::string bytes;
  for (int n = 0; n < 40; ++n) {
    std::string text = base64url_encode(bytes);
    EXPECT_EQ(text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
    std::string back;
    ASSERT_TRUE(base64url_decode(text, back)) << n;
    EXPECT_EQ(back, bytes);
    bytes.push_back(static_cast<char>(n * 37 + 200));
  }
  std::string out;
  EXPECT_FALSE(base64url_decode("ab+c", out));
  EXPECT_FALSE(base64url_decode("abcde", out));  // length 1 mod 4
  EXPECT_FALSE(base64url_decode("AB", out));     // non-zero trailing bits
  EXPECT_TRUE(base64url_decode("AA", out));
}

TEST(PageCursor, KindAndVersionAreChecked) {
  const std::string c = encode_page_cursor(CursorKind::posts, std::string("\x80\0\0\0\0\0\0\1uid", 11));
  const auto pos = decode_page_cursor(CursorKind::posts, c);
  ASSERT_TRUE(pos);
  EXPECT_EQ(*pos, std::string("\x80\0\0\0\0\0\0\1uid", 11));
  const auto wrong = decode_page_cursor(CursorKind::mentions, c);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().message, "storage: invalid cursor");
  EXPECT_FALSE(decode_page_cursor(CursorKind::posts, "not a cursor!"));
  EXPECT_FALSE(decode_page_cursor(CursorKind::posts, ""));
}

}  // namespace
}  // namespace vigie::storage
