// `vigie parse`: what Vigie makes of a captured payload. Reads a file (or stdin with "-") in one of the
// formats the sources speak and prints the normalized Posts as NDJSON, in the order found. Items that cannot
// be read go to stderr as {"item":N,"error":"..."} and parsing goes on; the exit code is 1 when any failed.
#include <boost/json/parser.hpp>
#include <boost/url/parse.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "daemon/cli/commands.h"
#include "daemon/cli/progress.h"
#include "ingest/base/json_text.h"
#include "ingest/bluesky/bluesky_handles.h"
#include "ingest/bluesky/jetstream_event.h"
#include "ingest/feed/feed_parser.h"
#include "ingest/mastodon/mastodon_status.h"
#include "ingest/mastodon/sse_parser.h"
#include "ingest/ndjson/ndjson_stream.h"
#include "ingest/net/endpoint.h"
#include "ingest/post_json.h"

namespace vigie::daemon {
namespace {

namespace json = boost::json;
using ingest::Post;

class Printer {
 public:
  // The whole input is read before parsing: progress counts posts, without a share of the input.
  Printer() : progress_("vigie parse", nullptr, 0, Progress::stderr_is_terminal()) {}
  void post(const Post& p) {
    ingest::append_json_text(out_, ingest::post_to_json(p)), out_ += '\n';
    progress_.tick();
  }
  void fail(std::uint64_t item, const std::string& why) {
    ++failed_;
    ingest::append_json_text(err_, json::object{{"item", item}, {"error", why}});
    err_ += '\n';
  }
  int finish() {
    progress_.finish();
    std::cout << out_ << std::flush;
    std::cerr << err_;
    return failed_ ? 1 : 0;
  }

 private:
  Progress progress_;
  std::string out_, err_;
  std::uint64_t failed_ = 0;
};

// Calls f(line number, line) for each line of `body` that is not blank.
template <class F>
void for_each_line(const std::string& body, F&& f) {
  std::istringstream lines(body);
  std::string line;
  for (std::uint64_t n = 1; std::getline(lines, line); ++n) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) f(n, line);
  }
}

// The instance a status was fetched from, when the user did not say: the host of its `uri` (or of the
// boosted status's). Mastodon uids are scoped to an instance (mastodon_status.h).
std::string instance_of(const json::value& status, const std::string& given) {
  if (!given.empty()) return given;
  if (const json::object* o = status.if_object()) {
    if (const json::value* uri = o->if_contains("uri");
        uri && uri->is_string() && ingest::is_url_text(uri->get_string())) {
      if (auto u = boost::urls::parse_uri(uri->get_string())) return std::string(u->host());
    }
  }
  return "unknown";
}

void parse_feed_payload(const std::string& body, const ParseOptions& o, Printer& print) {
  ingest::FeedParseInput in;
  in.feed_url = o.url;
  in.received_at = now_micros();
  auto feed = ingest::parse_feed(body, in);
  if (!feed) return print.fail(1, feed.error().message);
  if ((o.format == "rss" && feed->format == "atom") || (o.format == "atom" && feed->format != "atom"))
    std::cerr << "vigie parse: note: the document is " << feed->format << ", read as such\n";
  if (feed->truncated) print.fail(feed->items.size() + 1, "document damaged: " + feed->damage);
  for (const auto& item : feed->items)
    print.post(item.post);
}

void parse_mastodon_statuses(const std::string& body, const ParseOptions& o, Printer& print) {
  // A REST timeline answer (an array), one status object, or NDJSON of statuses.
  json::parser parser;
  boost::system::error_code ec;
  parser.write(body, ec);
  std::vector<json::value> statuses;
  if (!ec) {
    json::value v = parser.release();
    if (v.is_array()) {
      for (auto& s : v.get_array())
        statuses.push_back(std::move(s));
    } else {
      statuses.push_back(std::move(v));
    }
  } else {
    for_each_line(body, [&](std::uint64_t n, const std::string& line) {
      parser.reset();
      parser.write(line, ec);
      if (ec) return print.fail(n, "line " + std::to_string(n) + ": invalid JSON: " + ec.message());
      statuses.push_back(parser.release());
    });
  }
  std::uint64_t item = 0;
  for (const auto& s : statuses) {
    ++item;
    auto post = ingest::mastodon_status_to_post(s, instance_of(s, o.instance), now_micros());
    if (!post) {
      print.fail(item, post.error().message);
      continue;
    }
    print.post(*post);
  }
}

class SseToPosts final : public ingest::SseParser::Handler {
 public:
  SseToPosts(const ParseOptions& o, Printer& print) : o_(o), print_(print) {}
  void on_event(const ingest::SseEvent& e) override {
    ++item_;
    std::string instance = o_.instance.empty() ? last_instance_ : o_.instance;
    if (o_.instance.empty() && e.type != "delete") {
      json::parser p;
      boost::system::error_code ec;
      p.write(e.data, ec);
      if (!ec) instance = last_instance_ = instance_of(p.release(), "");
    }
    auto post = ingest::mastodon_event_to_post(e.type, e.data, instance, now_micros());
    if (!post) return print_.fail(item_, "event " + std::string(e.type) + ": " + post.error().message);
    if (*post) print_.post(**post);
  }
  void on_comment(std::string_view) override {}
  void on_error(const Error& e) override { print_.fail(item_ + 1, e.message); }

 private:
  const ParseOptions& o_;
  Printer& print_;
  std::uint64_t item_ = 0;
  std::string last_instance_ = "unknown";
};

void parse_jetstream(const std::string& body, Printer& print) {
  ingest::BlueskyHandles handles(100'000);
  const ingest::HandleLookup lookup = handles.lookup();
  for_each_line(body, [&](std::uint64_t n, const std::string& line) {
    auto e = ingest::parse_jetstream_event(line, now_micros(), lookup);
    if (!e) return print.fail(n, e.error().message);
    if (e->identity) handles.apply(*e->identity);
    if (e->post) print.post(*e->post);
  });
}

class StreamToPosts final : public ingest::NdjsonFramer::Handler {
 public:
  explicit StreamToPosts(Printer& print) : print_(print) {}
  void on_line(std::string_view line) override {
    ++item_;
    json::parser p;
    boost::system::error_code ec;
    p.write(line, ec);
    if (ec) return print_.fail(item_, "invalid JSON: " + ec.message());
    auto post = ingest::stream_object_to_post(p.release(), now_micros());
    if (!post) return print_.fail(item_, post.error().message);
    print_.post(*post);
  }
  void on_error(const Error& e) override { print_.fail(++item_, e.message); }

 private:
  Printer& print_;
  std::uint64_t item_ = 0;
};

}  // namespace

int parse_command(const ParseOptions& o) {
  std::string body;
  if (o.file == "-") {
    body.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    std::ifstream in(o.file, std::ios::binary);
    if (!in) {
      std::cerr << "vigie parse: cannot open " << o.file << "\n";
      return 2;
    }
    body.assign(std::istreambuf_iterator<char>(in), {});
  }
  Printer print;
  if (o.format == "rss" || o.format == "atom" || o.format == "feed") {
    parse_feed_payload(body, o, print);
  } else if (o.format == "mastodon-status") {
    parse_mastodon_statuses(body, o, print);
  } else if (o.format == "mastodon-sse") {
    SseToPosts handler(o, print);
    ingest::SseParser sse(handler);
    sse.feed(body);
    sse.feed("\n\n");  // a capture may stop after the last event's data, before its blank line
    sse.finish();
  } else if (o.format == "jetstream") {
    parse_jetstream(body, print);
  } else if (o.format == "ndjson-stream") {
    StreamToPosts handler(print);
    ingest::NdjsonFramer framer(handler);
    framer.feed(body);
    if (!body.empty() && body.back() != '\n') framer.feed("\n");  // a saved capture's last line is whole
    framer.finish();
  } else {
    std::cerr << "vigie parse: unknown format " << o.format << "\n";
    return 2;
  }
  return print.finish();
}

}  // namespace vigie::daemon
