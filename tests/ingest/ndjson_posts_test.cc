#include "ingest/ndjson_posts.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace vigie::ingest {
namespace {

// What a reader made of its input, line by line: "N@BEGIN-END uid" or "N@BEGIN-END error: message".
std::vector<std::string> read_all(NdjsonPosts& reader) {
  std::vector<std::string> out;
  while (const auto line = reader.next()) {
    std::string s = std::to_string(line->number) + "@" + std::to_string(line->begin) + "-" +
                    std::to_string(line->end) + " ";
    auto post = reader.post(7);
    if (post) {
      EXPECT_EQ(post->received_at, 7);
      s += post->uid;
    } else {
      s += "error: " + post.error().message;
    }
    out.push_back(s);
  }
  return out;
}

// The same input read from memory and from a stream must give the same lines.
std::vector<std::string> read_both(std::string_view input) {
  NdjsonPosts from_memory(input);
  const auto memory = read_all(from_memory);
  EXPECT_EQ(from_memory.offset(), input.size());
  std::istringstream in{std::string(input)};
  NdjsonPosts from_stream(in);
  const auto stream = read_all(from_stream);
  EXPECT_EQ(from_stream.offset(), input.size());
  EXPECT_EQ(memory, stream) << "memory and stream readers differ";
  return memory;
}

TEST(NdjsonPosts, ReadsOnePostPerLine) {
  EXPECT_EQ(read_both("{\"uid\":\"x:1\",\"text\":\"a\"}\n{\"uid\":\"x:2\",\"text\":\"b\"}\n"),
            (std::vector<std::string>{"1@0-25 x:1", "2@25-50 x:2"}));
}

TEST(NdjsonPosts, ReadsALastLineWithoutNewline) {
  EXPECT_EQ(read_both("{\"uid\":\"x:1\",\"text\":\"a\"}\n{\"uid\":\"x:2\",\"text\":\"b\"}"),
            (std::vector<std::string>{"1@0-25 x:1", "2@25-49 x:2"}));
}

TEST(NdjsonPosts, StripsCrLf) {
  NdjsonPosts reader("{\"uid\":\"x:1\",\"text\":\"a\"}\r\n{\"uid\":\"x:2\",\"text\":\"b\"}\r\n");
  auto line = reader.next();
  ASSERT_TRUE(line);
  EXPECT_EQ(line->text, "{\"uid\":\"x:1\",\"text\":\"a\"}");
  EXPECT_EQ(line->end, 26u);
  line = reader.next();
  ASSERT_TRUE(line);
  EXPECT_EQ(line->text, "{\"uid\":\"x:2\",\"text\":\"b\"}");
  EXPECT_EQ(line->end, 52u);
  EXPECT_FALSE(reader.next());
}

TEST(NdjsonPosts, SkipsBlankLinesButCountsThem) {
  // Blank lines: empty, spaces and tabs, a lone CR. Each still has a number, and the next line begins after it.
  EXPECT_EQ(
      read_both("\n  \t\n{\"uid\":\"x:1\",\"text\":\"a\"}\n\r\n\n{\"uid\":\"x:2\",\"text\":\"b\"}\n \n"),
      (std::vector<std::string>{"3@5-30 x:1", "6@33-58 x:2"}));
}

TEST(NdjsonPosts, EmptyAndBlankInputsHaveNoLine) {
  EXPECT_TRUE(read_both("").empty());
  EXPECT_TRUE(read_both("\n\r\n \t ").empty());
}

TEST(NdjsonPosts, ReportsBadLinesAndGoesOn) {
  const auto lines = read_both(
      "{\"uid\":\"x:1\",\"text\":\"a\"}\n"
      "{\"uid\":\"x:2\",\"text\":\n"
      "[1,2]\n"
      "{\"uid\":\"x:3\",\"text\":7}\n"
      "\r \n"
      "{\"uid\":\"x:4\",\"text\":\"d\"}\n");
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0], "1@0-25 x:1");
  EXPECT_EQ(lines[1].rfind("2@25-46 error: invalid JSON: ", 0), 0u) << lines[1];
  EXPECT_EQ(lines[2], "3@46-52 error: expected a JSON object");
  EXPECT_EQ(lines[3], "4@52-75 error: field 'text': expected a string");
  // "\r \n" is not blank: the CR is not at the end of the line.
  EXPECT_EQ(lines[4].rfind("5@75-78 error: invalid JSON: ", 0), 0u) << lines[4];
  EXPECT_EQ(lines[5], "6@78-103 x:4");
}

TEST(NdjsonPosts, GivesTheJsonValueOfALine) {
  NdjsonPosts reader("{\"text\":\"no uid\",\"id\":4}\nnot json\n");
  ASSERT_TRUE(reader.next());
  auto v = reader.value();
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->at("id").as_int64(), 4);
  EXPECT_FALSE(reader.post(0));  // no uid: a post needs one
  ASSERT_TRUE(reader.next());
  auto bad = reader.value();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.rfind("invalid JSON: ", 0), 0u) << bad.error().message;
}

TEST(NdjsonPosts, LinesOverMemoryAreViewsOfTheInput) {
  const std::string body = "{\"uid\":\"x:1\",\"text\":\"a\"}\n";
  NdjsonPosts reader(body);
  const auto line = reader.next();
  ASSERT_TRUE(line);
  EXPECT_EQ(line->text.data(), body.data());
}

TEST(NdjsonPosts, StreamReadsFromItsCurrentPosition) {
  std::istringstream in("{\"uid\":\"x:1\",\"text\":\"a\"}\n\n{\"uid\":\"x:2\",\"text\":\"b\"}\n");
  in.seekg(25);
  NdjsonPosts reader(in);
  EXPECT_EQ(read_all(reader), (std::vector<std::string>{"2@1-26 x:2"}));
}

}  // namespace
}  // namespace vigie::ingest
