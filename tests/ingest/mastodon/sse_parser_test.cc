#include "ingest/mastodon/sse_parser.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace vigie::ingest {
namespace {

using namespace std::literals;
using Items = std::vector<std::string>;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
  return s;
}

// Records everything the parser reports, in order, one string per item.
class Recorder : public SseParser::Handler {
 public:
  void on_event(const SseEvent& e) override {
    items.push_back("event type=" + std::string(e.type) + " id=" + std::string(e.id) +
                    " data=" + std::string(e.data));
  }
  void on_comment(std::string_view text) override { items.push_back("comment " + std::string(text)); }
  void on_error(const Error& e) override { items.push_back("error " + e.message); }
  void on_retry(std::chrono::milliseconds ms) override {
    items.push_back("retry " + std::to_string(ms.count()));
  }

  Items items;
};

Items parse(std::string_view stream, SseLimits limits = {}) {
  Recorder r;
  SseParser p(r, limits);
  p.feed(stream);
  return r.items;
}

// Feeds `stream` as two chunks split at every position, and one byte at a time; each must report exactly
// what one whole chunk does.
void expect_same_at_every_split(std::string_view stream, SseLimits limits = {}) {
  const Items whole = parse(stream, limits);
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    Recorder r;
    SseParser p(r, limits);
    p.feed(stream.substr(0, cut));
    p.feed(stream.substr(cut));
    ASSERT_EQ(r.items, whole) << "split at byte " << cut;
  }
  Recorder r;
  SseParser p(r, limits);
  for (char c : stream)
    p.feed(std::string_view(&c, 1));
  EXPECT_EQ(r.items, whole) << "byte by byte";
}

TEST(SseParser, JoinsDataLinesWithNewlines) {
  EXPECT_EQ(parse("data: YHOO\ndata: +2\ndata: 10\n\n"), Items{"event type=message id= data=YHOO\n+2\n10"});
}

TEST(SseParser, FollowsTheStandardsIdAndSpaceRules) {
  // The standard's example: `id` without a value empties the id; only one leading space is stripped.
  EXPECT_EQ(
      parse(": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n"),
      (Items{"comment test stream", "event type=message id=1 data=first event",
             "event type=message id= data=second event", "event type=message id= data= third event"}));
}

TEST(SseParser, DispatchesEmptyDataButNeverAnEventWithoutData) {
  // "data" alone is a data field with an empty value; an event without its blank line is never dispatched.
  EXPECT_EQ(parse("data\n\ndata\ndata\n\ndata:"),
            (Items{"event type=message id= data=", "event type=message id= data=\n"}));
  // Only a type or an id dispatches nothing, and the type does not leak into the next event.
  EXPECT_EQ(parse("event: update\n\nid: 4\n\ndata: x\n\n"), Items{"event type=message id=4 data=x"});
}

TEST(SseParser, EventTypeAppliesToOneEvent) {
  EXPECT_EQ(parse("event: update\ndata: {}\n\ndata: plain\n\n"),
            (Items{"event type=update id= data={}", "event type=message id= data=plain"}));
}

TEST(SseParser, IdPersistsAcrossEventsAndIgnoresValuesWithNul) {
  Recorder r;
  SseParser p(r);
  p.feed("id: 7\ndata: a\n\ndata: b\n\nid: 8\0x\ndata: c\n\n"sv);
  EXPECT_EQ(r.items, (Items{"event type=message id=7 data=a", "event type=message id=7 data=b",
                            "event type=message id=7 data=c"}));
  EXPECT_EQ(p.last_event_id(), "7");
}

TEST(SseParser, IgnoresUnknownFieldsAndFieldNamesAreExact) {
  EXPECT_EQ(parse("foo: bar\nData: no\ndata : no\ndata: yes\n\n"), Items{"event type=message id= data=yes"});
}

TEST(SseParser, ReportsCommentsAsHeartbeatsWithoutBreakingTheEvent) {
  EXPECT_EQ(parse(":)\ndata: a\n:thump\ndata: b\n\n: spaced\n:\n"),
            (Items{"comment )", "comment thump", "event type=message id= data=a\nb", "comment spaced",
                   "comment "}));
}

TEST(SseParser, ParsesRetryOnlyWhenAllDigits) {
  Recorder r;
  SseParser p(r);
  EXPECT_FALSE(p.retry());
  p.feed("retry: 5s\nretry:\nretry: -1\nretry: 2500\nretry: 99999999999999999999\n");
  EXPECT_EQ(r.items, (Items{"retry 2500", "retry 1000000000000"}));
  EXPECT_EQ(p.retry(), std::chrono::milliseconds(1'000'000'000'000));
}

TEST(SseParser, AcceptsEveryLineEnding) {
  const Items expected{"event type=update id= data=a\nb", "event type=message id= data=c"};
  EXPECT_EQ(parse("event: update\ndata: a\ndata: b\n\ndata: c\n\n"), expected);
  EXPECT_EQ(parse("event: update\r\ndata: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n"), expected);
  EXPECT_EQ(parse("event: update\rdata: a\rdata: b\r\rdata: c\r\r"), expected);
  EXPECT_EQ(parse("event: update\r\ndata: a\rdata: b\n\r\ndata: c\n\r"), expected);
}

TEST(SseParser, CrAtChunkEndAndLfInNextAreOneLineEnd) {
  Recorder r;
  SseParser p(r);
  p.feed("data: a\r");
  p.feed("\ndata: b\r");
  p.feed("\n\r");
  EXPECT_EQ(r.items, Items{"event type=message id= data=a\nb"});
  // The LF after a CR is swallowed only once: a second LF is a blank line.
  p.feed("\n\ndata: c\r");
  p.feed("\n");
  p.feed("\n");
  EXPECT_EQ(r.items, (Items{"event type=message id= data=a\nb", "event type=message id= data=c"}));
}

TEST(SseParser, SkipsOneByteOrderMarkAtStreamStart) {
  EXPECT_EQ(parse("\xEF\xBB\xBF"
                  "data: x\n\n"),
            Items{"event type=message id= data=x"});
  // A second BOM is part of the first field's name, which is then unknown.
  EXPECT_EQ(parse("\xEF\xBB\xBF\xEF\xBB\xBF"
                  "data: x\n\ndata: y\n\n"),
            Items{"event type=message id= data=y"});
  // A BOM later in the stream is data.
  EXPECT_EQ(parse("data: \xEF\xBB\xBFx\n\n"), Items{"event type=message id= data=\xEF\xBB\xBFx"});
  // Bytes that only start like a BOM are not dropped.
  EXPECT_EQ(parse("\xEF\xBB"
                  "data: x\n\n:c\n"),
            Items{"comment c"});
  expect_same_at_every_split(
      "\xEF\xBB\xBF"
      "data: x\n\n");
  expect_same_at_every_split(
      "\xEF\xBB"
      ":c\n");
}

TEST(SseParser, OverlongLineIsAnErrorAndItsEventIsDropped) {
  const SseLimits limits{.max_line_bytes = 16, .max_event_bytes = 1024};
  const std::string stream = "data: a\ndata: 0123456789abcdef\ndata: b\n\n:after\ndata: ok\n\n";
  EXPECT_EQ(parse(stream, limits),
            (Items{"error SSE stream: line at byte 8 is longer than the 16-byte limit; the event is dropped",
                   "comment after", "event type=message id= data=ok"}));
  // Exactly at the limit is fine.
  EXPECT_EQ(parse("data: 0123456789\n\n", limits), Items{"event type=message id= data=0123456789"});
  expect_same_at_every_split(stream, limits);
  expect_same_at_every_split(replace_all(stream, "\n", "\r\n"), limits);
}

TEST(SseParser, OverlongEventIsAnErrorAndIsDropped) {
  const SseLimits limits{.max_line_bytes = 64, .max_event_bytes = 10};
  // "12345\n6789" is exactly 10 bytes; "123456\n78901" is 12.
  const std::string stream =
      "data: 12345\ndata: 6789\n\ndata: 123456\ndata: 78901\ndata: more\n\ndata: next\n\n";
  EXPECT_EQ(parse(stream, limits), (Items{"event type=message id= data=12345\n6789",
                                          "error SSE stream: event data exceeds the 10-byte limit at the "
                                          "line at byte 37; the event is dropped",
                                          "event type=message id= data=next"}));
  expect_same_at_every_split(stream, limits);
}

TEST(SseParser, FinishDropsWhatIsIncompleteAndKeepsTheResumePoint) {
  Recorder r;
  SseParser p(r);
  EXPECT_FALSE(p.finish());
  p.feed("id: 42\ndata: a\n\ndata: half");
  EXPECT_TRUE(p.finish());  // an unterminated line
  p.feed("data: b\n");
  EXPECT_TRUE(p.finish());  // an event without its blank line
  p.feed(":thump\n");
  EXPECT_FALSE(p.finish());
  p.feed("\xEF\xBB");  // held back as a possible BOM
  EXPECT_TRUE(p.finish());
  EXPECT_EQ(p.last_event_id(), "42");
  // After finish() a new stream starts: its BOM is skipped again, and the id carries over.
  p.feed(
      "\xEF\xBB\xBF"
      "data: c\n\n");
  EXPECT_EQ(r.items,
            (Items{"event type=message id=42 data=a", "comment thump", "event type=message id=42 data=c"}));
}

TEST(SseParser, CountsBytesForErrorOffsetsAcrossChunks) {
  Recorder r;
  SseParser p(r, SseLimits{.max_line_bytes = 8});
  p.feed(
      "\xEF\xBB\xBF"
      ":hi\n");
  p.feed("data: 0123");
  p.feed("4567\n\n");
  EXPECT_EQ(p.bytes_fed(), 23u);
  EXPECT_EQ(
      r.items,
      (Items{"comment hi",
             "error SSE stream: line at byte 7 is longer than the 8-byte limit; the event is dropped"}));
}

// A capture-shaped Mastodon public stream: heartbeats, updates, a boost, a delete, an edit, a notification.
class MastodonStream : public ::testing::Test {
 protected:
  const std::string stream = read_file(VIGIE_SOURCE_DIR "/tests/ingest/data/mastodon/public_stream.sse");
};

TEST_F(MastodonStream, YieldsEveryEventAndHeartbeat) {
  const Items items = parse(stream);
  ASSERT_EQ(items.size(), 11u);
  std::vector<std::string> shape;
  for (const std::string& item : items)
    shape.push_back(item.substr(0, item.find(" data=")));
  EXPECT_EQ(shape, (Items{"comment )", "event type=update id=", "comment thump", "event type=update id=",
                          "event type=notification id=", "event type=update id=", "comment thump",
                          "event type=delete id=", "event type=status.update id=",
                          "event type=filters_changed id=", "comment thump"}));
  EXPECT_EQ(items[7], "event type=delete id= data=113345690112233445");
  EXPECT_TRUE(items[1].starts_with("event type=update id= data={\"id\":\"113345678901234567\""));
  EXPECT_TRUE(items[1].ends_with("\"poll\":null}"));
}

TEST_F(MastodonStream, SameEventsAtEveryChunkBoundary) {
  expect_same_at_every_split(stream);
}

TEST_F(MastodonStream, SameEventsWithCrlfAndCrLineEnds) {
  const Items lf = parse(stream);
  const std::string crlf = replace_all(stream, "\n", "\r\n");
  const std::string cr = replace_all(stream, "\n", "\r");
  EXPECT_EQ(parse(crlf), lf);
  EXPECT_EQ(parse(cr), lf);
  expect_same_at_every_split(crlf);
  expect_same_at_every_split(cr);
}

TEST_F(MastodonStream, EventLimitDropsOnlyTheLargeEvents) {
  // The boost is the largest event; with a limit just under it, it alone is dropped and reported.
  const Items all = parse(stream);
  std::size_t largest = 0;
  for (const std::string& item : all)
    largest = std::max(largest, item.size() - item.find(" data=") - 6);
  const Items limited = parse(stream, SseLimits{.max_line_bytes = 1 << 20, .max_event_bytes = largest - 1});
  ASSERT_EQ(limited.size(), all.size());
  int errors = 0;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (limited[i].starts_with("error ")) {
      ++errors;
      EXPECT_TRUE(all[i].starts_with("event type=update")) << all[i].substr(0, 40);
    } else {
      EXPECT_EQ(limited[i], all[i]);
    }
  }
  EXPECT_EQ(errors, 1);
}

}  // namespace
}  // namespace vigie::ingest
