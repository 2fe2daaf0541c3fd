// Fuzzes every parser of outside input that ingest/ holds: feeds (XML, charsets, HTML), server-sent events
// with Mastodon payloads, Jetstream messages and NDJSON streams. The first byte picks the parser, the rest is
// the payload, fed in two chunks split where the second byte says (streams arrive in arbitrary pieces).
// Besides crashes, leaks and undefined behaviour, it checks invariants: parsed posts carry a uid and valid
// UTF-8 text, splitting a stream never changes what it yields, and PostJsonReader reads each NDJSON line as
// post_from_json reads its parsed value.
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/bluesky/jetstream_event.h"
#include "ingest/feed/feed_parser.h"
#include "ingest/mastodon/mastodon_status.h"
#include "ingest/mastodon/sse_parser.h"
#include "ingest/ndjson/ndjson_stream.h"
#include "ingest/post_json.h"
#include "ingest/text/html_text.h"
#include "ingest/text/text_encoding.h"

namespace {

using namespace vigie::ingest;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "ingest_parsers_fuzz: %s\n", what);
    std::abort();
  }
}

void check_post(const Post& p) {
  check(!p.uid.empty(), "a post without a uid");
  check(repair_utf8(p.text) == p.text, "post text is not valid UTF-8");
  check(repair_utf8(p.title) == p.title, "post title is not valid UTF-8");
}

class SseCollector final : public SseParser::Handler {
 public:
  void on_event(const SseEvent& e) override {
    events.push_back(std::string(e.type) + '\n' + std::string(e.data));
    auto post = mastodon_event_to_post(e.type, e.data, "fuzz.example", 1);
    if (post && *post) check_post(**post);
  }
  void on_comment(std::string_view) override { ++comments; }
  void on_error(const vigie::Error&) override { ++errors; }
  std::vector<std::string> events;
  int comments = 0, errors = 0;
};

class LineCollector final : public NdjsonFramer::Handler {
 public:
  void on_line(std::string_view line) override {
    lines.emplace_back(line);
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    // PostJsonReader (no DOM) must read every line as post_from_json reads its parsed value.
    static PostJsonReader reader;
    static Post reused;
    const vigie::Result<void> got = reader.read(line, 1, reused);
    if (ec) {
      check(!got && got.error().message == "invalid JSON: " + ec.message(),
            "PostJsonReader and boost::json disagree on invalid JSON");
      return;
    }
    const vigie::Result<Post> want = post_from_json(v, 1);
    check(got.has_value() == want.has_value(), "PostJsonReader and post_from_json disagree on a line");
    if (want) {
      check(post_to_json(reused) == post_to_json(*want) && reused.author.followers == want->author.followers,
            "PostJsonReader and post_from_json read different posts");
    } else {
      check(got.error().message == want.error().message,
            "PostJsonReader and post_from_json differ in message");
    }
    if (auto post = stream_object_to_post(v, 1)) check_post(*post);
  }
  void on_error(const vigie::Error&) override { ++errors; }
  std::vector<std::string> lines;
  int errors = 0;
};

template <class Collector, class Parser>
Collector run_split(std::string_view payload, std::size_t split) {
  Collector c;
  Parser p(c);
  p.feed(payload.substr(0, split));
  p.feed(payload.substr(split));
  p.finish();
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::string_view payload(reinterpret_cast<const char*>(data) + 2, size - 2);
  const std::size_t split = payload.empty() ? 0 : data[1] % (payload.size() + 1);
  switch (data[0] % 6) {
    case 0: {
      FeedParseInput in{"", "https://feed.example/rss", 1};
      if (auto feed = parse_feed(payload, in)) {
        for (const auto& item : feed->items) {
          check_post(item.post);
          check(!item.seen_key.empty(), "a feed item without a seen key");
        }
      }
      break;
    }
    case 1: {
      auto whole = run_split<SseCollector, SseParser>(payload, payload.size());
      auto parts = run_split<SseCollector, SseParser>(payload, split);
      check(whole.events == parts.events, "SSE events depend on where the stream was split");
      check(whole.comments == parts.comments, "SSE comments depend on where the stream was split");
      break;
    }
    case 2: {
      if (auto e = parse_jetstream_event(payload, 1); e && e->post) check_post(*e->post);
      break;
    }
    case 3: {
      auto whole = run_split<LineCollector, NdjsonFramer>(payload, payload.size());
      auto parts = run_split<LineCollector, NdjsonFramer>(payload, split);
      check(whole.lines == parts.lines, "NDJSON lines depend on where the stream was split");
      break;
    }
    case 4: {
      const std::string text = html_to_text(payload);
      check(text.find('<') == std::string::npos || payload.find("&lt;") != std::string::npos ||
                payload.find("&#") != std::string::npos || payload.find('<') != std::string::npos,
            "html_to_text invented a '<'");
      break;
    }
    case 5: {
      static const char* kCharsets[] = {"", "utf-8", "windows-1252", "iso-8859-15", "euc-kr", "shift_jis"};
      if (auto utf8 = to_utf8(payload, kCharsets[data[1] % 6])) {
        check(repair_utf8(*utf8) == *utf8, "to_utf8 returned invalid UTF-8");
      }
      break;
    }
  }
  return 0;
}
