// The API the incident page stands on, on the real daemon fed the bundled demo (three quiet days, then the
// Acme Bank outage): an incident's detail with the volume detector's baseline per bucket, its first post, top
// posts, authors and topics, and every notification with its delivery outcome (delivered, retrying, queued,
// dead) from loopback receivers told what to answer; actions naming a person; GET /api/v1/token; the brand
// top; mentions with the whole sentiment.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <mutex>

#include "tests/support/daemon_process.h"
#include "tests/support/loopback_server.h"
#include "tests/support/wait_until.h"

namespace vigie::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kAdmin = "page-test-admin-token-0123456789";
constexpr const char* kViewer = "page-test-viewer-token-0123456789";
constexpr const char* kPusher = "page-test-pusher-token-0123456789";

std::string demo(const std::string& name) {
  return std::string(VIGIE_SOURCE_DIR) + "/deploy/demo/" + name;
}

// A webhook receiver answering every request with the status it is told, counting requests.
class Receiver {
 public:
  explicit Receiver(unsigned status)
      : status_(status), server_([this](Exchange& ex) -> net::awaitable<void> {
          ++requests_;
          const unsigned s = status_;
          co_await ex.respond(s, s == 200 ? "ok" : "no");
        }) {}
  std::string url() const { return server_.url("/hook"); }
  void answer(unsigned status) { status_ = status; }
  int requests() const { return requests_; }

 private:
  std::atomic<unsigned> status_;
  std::atomic<int> requests_{0};
  LoopbackServer server_;
};

std::string config(const TempDir& dir, const std::string& idle, const std::string& notifiers) {
  std::filesystem::copy_file(demo("rules.yaml"), dir.file("rules.yaml"));
  return dir.write("vigie.yaml",
                   "data_dir: data\nrules: rules.yaml\nsources:\n  - {id: demo, type: replay, path: " +
                       demo("feed.ndjson") + ", speed: max}\ncrisis: {idle_timeout: " + idle + "}\n" +
                       notifiers + "auth:\n  tokens:\n    - {name: comms, token: " + kAdmin +
                       ", roles: [admin]}\n    - {name: viewer, token: " + kViewer +
                       ", roles: [read]}\n    - {name: pusher, token: " + kPusher + ", roles: [ingest]}\n");
}

std::vector<std::pair<std::string, std::string>> bearer(const char* token) {
  return {{"Authorization", std::string("Bearer ") + token}};
}

json::value get_json(std::uint16_t port, const std::string& target, const char* token = kAdmin) {
  const HttpResult r = http_get(port, target, bearer(token));
  EXPECT_EQ(r.status, 200u) << target << ": " << r.body;
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  EXPECT_FALSE(ec) << r.body;
  return v;
}

double num(const json::value& v) {
  return v.is_double() ? v.as_double() : static_cast<double>(v.as_int64());
}

void expect_whole_sentiment(const json::value& mention) {
  const json::object& s = mention.at("sentiment").as_object();
  for (const char* k : {"compound", "pos", "neu", "neg"})
    EXPECT_TRUE(s.at(k).is_number()) << k << " in " << json::serialize(mention);
  EXPECT_TRUE(s.at("label").is_string());
  EXPECT_TRUE(s.at("scored").is_bool());
  EXPECT_TRUE(s.at("lexicon").is_string());
}

// The status of each of the incident's notifications, by notifier, in the order queued.
std::vector<std::pair<std::string, std::string>> outcomes(const json::value& detail) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& n : detail.at("notifications").as_array())
    out.emplace_back(n.at("notifier").as_string(), n.at("status").as_string());
  return out;
}

TEST(IncidentPageApi, DetailShowsBaselineFirstPostTopsAndEveryNotificationOutcome) {
  Receiver press(200);
  Receiver ops(503);
  TempDir dir;
  DaemonProcess d(config(dir, "2s",
                         "notifiers:\n  - {id: press, type: webhook, url: '" + press.url() +
                             "', secrets: [whsec_dmlnaWUtY3Jpc2lzLXRlc3Qtc2VjcmV0LTMyYnl0ZXM=]}\n" +
                             "  - {id: ops, type: webhook, url: '" + ops.url() +
                             "', secrets: [whsec_dmlnaWUtY3Jpc2lzLXRlc3Qtc2VjcmV0LTMyYnl0ZXM=]}\n"));
  ASSERT_NE(d.port(), 0) << d.log();
  // Opened (the sentiment drop), escalated (the volume spike), then resolved once event time follows the
  // clock: three notices to each receiver; press takes them all, ops answers 503 to its first and holds the
  // others behind it.
  ASSERT_TRUE(wait_until([&] { return press.requests() >= 3 && ops.requests() >= 2; }, 60s)) << d.log();
  const std::string target = "/api/v1/incidents/1";
  ASSERT_TRUE(wait_until(
      [&] {
        return outcomes(get_json(d.port(), target)) ==
               std::vector<std::pair<std::string, std::string>>{{"press", "delivered"}, {"ops", "retrying"},
                                                                {"press", "delivered"}, {"ops", "queued"},
                                                                {"press", "delivered"}, {"ops", "queued"}};
      },
      30s))
      << json::serialize(get_json(d.port(), target).at("notifications"));

  const json::value detail = get_json(d.port(), target);
  const json::object& inc = detail.as_object();
  EXPECT_EQ(inc.at("status").as_string(), "resolved");
  const auto& notes = inc.at("notifications").as_array();
  EXPECT_EQ(notes[0].at("type").as_string(), "incident.opened");
  EXPECT_EQ(notes[0].at("attempts").as_int64(), 1);
  EXPECT_EQ(notes[0].at("last_status").as_int64(), 200);
  EXPECT_TRUE(notes[0].at("last_error").is_null());
  EXPECT_EQ(notes[2].at("type").as_string(), "incident.escalated");
  EXPECT_EQ(notes[4].at("type").as_string(), "incident.resolved");
  EXPECT_GE(notes[1].at("attempts").as_int64(), 1);
  EXPECT_EQ(notes[1].at("last_status").as_int64(), 503);
  EXPECT_TRUE(notes[1].at("next_attempt_at").is_string());
  EXPECT_EQ(notes[3].at("attempts").as_int64(), 0);
  EXPECT_EQ(notes[1].at("webhook_id"), notes[0].at("webhook_id"));  // one event, two receivers

  // Counts agree: findings are the sum per detector, and each detector's timeline share is what the
  // timeline holds of it.
  std::int64_t sum = 0;
  for (const auto& [detector, tally] : inc.at("findings_by_detector").as_object()) {
    sum += tally.at("findings").as_int64();
    std::int64_t fired = 0, shown = 0;
    for (const auto& e : inc.at("timeline").as_array()) {
      if (!e.as_object().contains("detector") || e.at("detector").as_string() != detector) continue;
      fired += e.at("kind").as_string() == "fired";
      shown += e.at("kind").as_string() == "fired" || e.at("kind").as_string() == "escalated";
    }
    const std::int64_t in_timeline = tally.at("in_timeline").as_int64();
    EXPECT_LE(fired, in_timeline) << detector;
    EXPECT_LE(in_timeline, shown) << detector;
    EXPECT_LE(in_timeline, tally.at("findings").as_int64()) << detector;
  }
  EXPECT_EQ(sum, inc.at("findings").as_int64());
  EXPECT_EQ(inc.at("findings_by_detector").at("critical_keyword").at("findings"),
            inc.at("findings_by_detector").at("critical_keyword").at("in_timeline"));

  // The chart: counts against what the volume detector expected; the outage stands far above it.
  bool surge = false;
  int expected = 0;
  for (const auto& b : inc.at("sentiment").as_array()) {
    if (b.at("expected").is_null()) continue;
    ++expected;
    EXPECT_GE(num(b.at("expected")), 0);
    EXPECT_FALSE(b.at("expected_negative").is_null());
    surge = surge || b.at("count").as_int64() > 5 * num(b.at("expected"));
  }
  EXPECT_GE(expected, 12);
  EXPECT_TRUE(surge) << json::serialize(inc.at("sentiment"));

  // The first post, the most-read posts of the span, its loudest authors and topics.
  ASSERT_TRUE(inc.at("first_post").is_object());
  const std::string first_at(inc.at("first_post").at("created_at").as_string());
  EXPECT_GE(first_at, inc.at("first_mention_at").as_string());
  expect_whole_sentiment(inc.at("first_post"));
  const auto& posts = inc.at("top_posts").as_array();
  ASSERT_FALSE(posts.empty());
  EXPECT_LE(posts.size(), 10u);
  for (std::size_t i = 0; i < posts.size(); ++i) {
    expect_whole_sentiment(posts[i]);
    EXPECT_GE(posts[i].at("created_at").as_string(), first_at);  // the first post is the oldest
    EXPECT_LE(posts[i].at("created_at").as_string(), inc.at("resolved_at").as_string());
    if (i > 0) {
      EXPECT_LE(posts[i].at("reach").as_int64(), posts[i - 1].at("reach").as_int64());
    }
  }
  const auto& authors = inc.at("top_authors").as_array();
  ASSERT_FALSE(authors.empty());
  EXPECT_LE(authors.size(), 10u);
  for (std::size_t i = 1; i < authors.size(); ++i)
    EXPECT_LE(authors[i].at("reach").as_int64(), authors[i - 1].at("reach").as_int64());
  EXPECT_GE(authors[0].at("mentions").as_int64(), 1);
  bool breach = false;
  for (const auto& t : inc.at("top_topics").as_array())
    breach =
        breach || (t.at("id").as_string() == "data-breach" && t.at("severity").as_string() == "critical");
  EXPECT_TRUE(breach) << json::serialize(inc.at("top_topics"));
  EXPECT_FALSE(inc.at("top_window").at("truncated").as_bool());
  EXPECT_GT(inc.at("top_window").at("examined").as_int64(), 0);

  // ops now refuses: its notices are given up, and shown as dead with the reason.
  ops.answer(410);
  ASSERT_TRUE(wait_until([&] { return outcomes(get_json(d.port(), target))[1].second == "dead"; }, 60s))
      << json::serialize(get_json(d.port(), target).at("notifications"));
  const json::value after = get_json(d.port(), target);
  EXPECT_NE(std::string(after.at("notifications").as_array()[1].at("last_error").as_string()).find("410"),
            std::string::npos);
}

TEST(IncidentPageApi, ActionsNameThePersonTokenSaysWhoAndBrandTopRanks) {
  TempDir dir;
  DaemonProcess d(config(dir, "1h", ""));  // event time stays with the feed: the incident stays open
  ASSERT_NE(d.port(), 0) << d.log();
  ASSERT_TRUE(wait_until(
      [&] { return !get_json(d.port(), "/api/v1/incidents").at("items").as_array().empty(); }, 60s))
      << d.log();
  const auto post = [&](const std::string& target, const std::string& body) {
    return http_request(d.port(), http::verb::post, target, body, bearer(kAdmin));
  };
  const std::string too_long = "{\"by\":\"" + std::string(201, 'x') + "\"}";
  for (const std::string& bad : {std::string(R"({"by":""})"), std::string(R"({"by":"   "})"),
                                 std::string(R"({"by":5})"), std::string(R"({"by":"a\nb"})"), too_long}) {
    const HttpResult r = post("/api/v1/incidents/1/ack", bad);
    EXPECT_EQ(r.status, 400u) << bad << ": " << r.body;
    EXPECT_NE(r.body.find("'by'"), std::string::npos) << r.body;
  }
  EXPECT_EQ(post("/api/v1/incidents/1/notes", R"({"text":"x","author":7})").status, 400u);
  const HttpResult ack = post("/api/v1/incidents/1/ack", R"({"by":"Marie Curie"})");
  ASSERT_EQ(ack.status, 200u) << ack.body;
  EXPECT_EQ(json::parse(ack.body).at("acknowledged_by").as_string(), "Marie Curie");
  const HttpResult resolved = post("/api/v1/incidents/1/resolve", "");
  ASSERT_EQ(resolved.status, 200u) << resolved.body;
  EXPECT_EQ(json::parse(resolved.body).at("resolved_by").as_string(), "comms");  // the token's name
  bool acked = false;
  const json::value detail = get_json(d.port(), "/api/v1/incidents/1");
  for (const auto& e : detail.at("timeline").as_array()) {
    if (e.at("kind").as_string() != "acknowledged") continue;
    acked = true;
    EXPECT_EQ(e.at("by").as_string(), "Marie Curie");
    EXPECT_EQ(e.at("token").as_string(), "comms");
  }
  EXPECT_TRUE(acked);

  // Who a token is, for any valid token.
  const json::value admin = get_json(d.port(), "/api/v1/token");
  EXPECT_EQ(admin.at("name").as_string(), "comms");
  EXPECT_EQ(admin.at("role").as_string(), "admin");
  EXPECT_EQ(get_json(d.port(), "/api/v1/token", kViewer).at("role").as_string(), "read");
  EXPECT_EQ(get_json(d.port(), "/api/v1/token", kPusher).at("role").as_string(), "ingest");
  EXPECT_EQ(http_get(d.port(), "/api/v1/incidents", bearer(kPusher)).status, 403u);
  EXPECT_EQ(http_get(d.port(), "/api/v1/token").status, 401u);
  EXPECT_EQ(http_get(d.port(), "/api/v1/token", bearer("nope")).status, 401u);

  // The brand top: the last 24 hours by default (the demo's posts are older), any window on request.
  const json::value day = get_json(d.port(), "/api/v1/brands/acme/top");
  EXPECT_TRUE(day.at("posts").as_array().empty()) << json::serialize(day);
  EXPECT_EQ(day.at("brand").as_string(), "acme");
  EXPECT_TRUE(day.at("from").is_string() && day.at("to").is_string());
  const json::value all =
      get_json(d.port(), "/api/v1/brands/acme/top?from=2026-11-01T00:00:00Z&limit=5", kViewer);
  const auto& posts = all.at("posts").as_array();
  ASSERT_EQ(posts.size(), 5u);
  for (std::size_t i = 1; i < posts.size(); ++i)
    EXPECT_LE(posts[i].at("reach").as_int64(), posts[i - 1].at("reach").as_int64());
  EXPECT_EQ(all.at("authors").as_array().size(), 5u);
  EXPECT_LE(all.at("topics").as_array().size(), 5u);
  EXPECT_FALSE(all.at("truncated").as_bool());
  const json::value negative =
      get_json(d.port(), "/api/v1/brands/acme/top?from=2026-11-01T00:00:00Z&sentiment=negative");
  ASSERT_FALSE(negative.at("posts").as_array().empty());
  for (const auto& p : negative.at("posts").as_array())
    EXPECT_EQ(p.at("sentiment").at("label").as_string(), "negative");
  for (const auto& a : negative.at("authors").as_array())
    EXPECT_EQ(a.at("negative"), a.at("mentions"));
  for (const char* bad : {"limit=0", "limit=101", "sentiment=angry", "from=now&to=-1h", "form=-1h"}) {
    const HttpResult r = http_get(d.port(), std::string("/api/v1/brands/acme/top?") + bad, bearer(kAdmin));
    EXPECT_EQ(r.status, 400u) << bad << ": " << r.body;
  }
  EXPECT_EQ(http_get(d.port(), "/api/v1/brands/nope/top", bearer(kAdmin)).status, 404u);

  // Mentions carry the post's whole sentiment.
  const json::value mentions = get_json(d.port(), "/api/v1/brands/acme/mentions?limit=20");
  ASSERT_EQ(mentions.at("items").as_array().size(), 20u);
  for (const auto& m : mentions.at("items").as_array())
    expect_whole_sentiment(m);
}

}  // namespace
}  // namespace vigie::testing
