// The event stream of the real daemon (`vigie run`), read raw over loopback: a pushed post mentioning a brand
// arrives as a `mention` event (the mention as the mentions API lists it), the critical-keyword incident it
// opens as an `incident` event, and people's actions through the API (acknowledge, note, resolve) as more
// `incident` events; a reader that reconnects with Last-Event-ID gets what it missed; SIGTERM ends the streams
// at once.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json/parse.hpp>

#include "tests/support/daemon_process.h"
#include "tests/support/sse_reader.h"

namespace vigie::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kAdmin = "stream-admin-token-0123456789";
constexpr const char* kReader = "stream-read-token-0123456789";

std::pair<std::string, std::string> bearer(const char* token) {
  return {"Authorization", std::string("Bearer ") + token};
}

constexpr const char* kRules = R"(brands:
  - {id: acme, name: Acme Bank, query: '"acme bank"'}
  - {id: volta, query: volta}
topics:
  - {id: data-breach, query: '"data breach"', severity: critical, brands: [acme]}
)";

std::string config(const TempDir& dir) {
  dir.write("rules.yaml", kRules);
  return dir.write("vigie.yaml", std::string("data_dir: data\nrules: rules.yaml\n") +
                                     "sources:\n  - {id: push, type: http_push}\n" +
                                     "auth:\n  tokens:\n    - {name: ops, token: " + kAdmin +
                                     ", roles: [admin]}\n    - {name: page, token: " + kReader +
                                     ", roles: [read]}\n");
}

json::object data_of(const SseFrame& f) {
  return json::parse(f.data).as_object();
}

TEST(EventStreamDaemon, MentionsAndIncidentChangesArriveLive) {
  TempDir dir;
  DaemonProcess d(config(dir));
  ASSERT_NE(d.port(), 0) << d.log();
  SseReader live(d.port(), "/api/v1/stream", {bearer(kReader)});
  ASSERT_EQ(live.status(), 200u) << live.head();
  ASSERT_TRUE(live.next());  // retry and the latest id

  const HttpResult pushed = http_request(
      d.port(), http::verb::post, "/api/v1/posts",
      R"({"uid":"mastodon:77","author":{"handle":"ana","name":"Ana","followers":1200},"text":"Acme Bank data breach: I can see other people's accounts","lang":"en","url":"https://example.social/@ana/77"})",
      {bearer(kAdmin)});
  ASSERT_EQ(pushed.status, 202u) << pushed.body;

  const auto mention = live.next_event();
  ASSERT_TRUE(mention) << d.log();
  EXPECT_EQ(mention->event, "mention");
  const json::object m = data_of(*mention);
  EXPECT_EQ(m.at("uid").as_string(), "mastodon:77");
  EXPECT_EQ(m.at("brand").as_string(), "acme");
  EXPECT_EQ(m.at("author").at("handle").as_string(), "ana");
  EXPECT_EQ(m.at("reach").as_int64(), 1200);
  EXPECT_EQ(m.at("topics").as_array().size(), 1u);
  // The very object the mentions API lists for it.
  const HttpResult listed = http_get(d.port(), "/api/v1/brands/acme/mentions", {bearer(kReader)});
  ASSERT_EQ(listed.status, 200u) << listed.body;
  EXPECT_EQ(json::parse(listed.body).at("items").at(0), json::value(m));

  const auto opened = live.next_event();
  ASSERT_TRUE(opened) << d.log();
  EXPECT_EQ(opened->event, "incident");
  const json::object o = data_of(*opened);
  EXPECT_EQ(o.at("event").as_string(), "opened");
  EXPECT_EQ(o.at("incident").at("brand").as_string(), "acme");
  EXPECT_EQ(o.at("incident").at("severity").as_string(), "critical");
  EXPECT_EQ(o.at("entry").at("kind").as_string(), "fired");
  EXPECT_EQ(o.at("entry").at("detector").as_string(), "critical_keyword");
  EXPECT_TRUE(o.at("entry").at("at").is_string());
  const std::string id(o.at("incident").at("id").as_string());

  const std::string base = "/api/v1/incidents/" + id;
  ASSERT_EQ(http_request(d.port(), http::verb::post, base + "/ack", "", {bearer(kAdmin)}).status, 200u);
  ASSERT_EQ(http_request(d.port(), http::verb::post, base + "/notes",
                         R"({"text":"statement at 15h","author":"Claire"})", {bearer(kAdmin)})
                .status,
            200u);
  ASSERT_EQ(http_request(d.port(), http::verb::post, base + "/resolve", "", {bearer(kAdmin)}).status, 200u);
  std::vector<std::string> ids{mention->id, opened->id};
  for (const char* expected : {"acknowledged", "note", "resolved"}) {
    const auto f = live.next_event();
    ASSERT_TRUE(f) << "no " << expected << " event\n" << d.log();
    EXPECT_EQ(f->event, "incident");
    const json::object e = data_of(*f);
    EXPECT_EQ(e.at("event").as_string(), expected);
    EXPECT_EQ(e.at("incident").at("id").as_string(), id);
    ids.push_back(f->id);
    if (std::string_view(expected) == "acknowledged") {
      EXPECT_EQ(e.at("incident").at("status").as_string(), "acknowledged");
      EXPECT_EQ(e.at("entry").at("by").as_string(), "ops");
    }
    if (std::string_view(expected) == "note") {
      EXPECT_EQ(e.at("entry").at("text").as_string(), "statement at 15h");
      EXPECT_EQ(e.at("entry").at("author").as_string(), "Claire");
    }
    if (std::string_view(expected) == "resolved") {
      EXPECT_EQ(e.at("incident").at("status").as_string(), "resolved");
    }
  }
  // Ids follow each other: <boot>-1 .. <boot>-5.
  const std::string boot = ids[0].substr(0, ids[0].rfind('-'));
  for (std::size_t i = 0; i < ids.size(); ++i)
    EXPECT_EQ(ids[i], boot + "-" + std::to_string(i + 1));

  // A page that lost its connection after the mention gets the rest, in order, and only that.
  SseReader resumed(d.port(), "/api/v1/stream?brand=acme", {bearer(kReader), {"Last-Event-ID", ids[0]}});
  for (std::size_t i = 1; i < ids.size(); ++i) {
    const auto f = resumed.next_event();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->id, ids[i]);
  }
  // One from before the restart below cannot be resumed from.
  const std::string old_id = ids.back();

  const HttpResult metrics = http_get(d.port(), "/metrics");
  EXPECT_NE(metrics.body.find("vigie_stream_events_total{event=\"mention\"} 1"), std::string::npos);
  EXPECT_NE(metrics.body.find("vigie_stream_events_total{event=\"incident\"} 4"), std::string::npos);
  EXPECT_NE(metrics.body.find("vigie_stream_clients 2"), std::string::npos);

  // SIGTERM with two streams open: they end at once, and the daemon with them.
  d.signal(SIGTERM);
  const auto code = d.wait(20s);
  ASSERT_TRUE(code) << d.log();
  EXPECT_EQ(*code, 0) << d.log();
  while (live.next(5s)) {
  }
  EXPECT_TRUE(live.closed());

  DaemonProcess again(config(dir));
  ASSERT_NE(again.port(), 0) << again.log();
  SseReader after(again.port(), "/api/v1/stream", {bearer(kReader), {"Last-Event-ID", old_id}});
  const auto reset = after.next_event();
  ASSERT_TRUE(reset);
  EXPECT_EQ(reset->event, "reset");
  EXPECT_NE(reset->id.rfind(boot, 0), 0u) << "a new run, a new boot id";
}

TEST(EventStreamDaemon, Auth) {
  TempDir dir;
  DaemonProcess d(config(dir));
  ASSERT_NE(d.port(), 0) << d.log();
  EXPECT_EQ(SseReader(d.port(), "/api/v1/stream").status(), 401u);
  EXPECT_EQ(
      SseReader(d.port(), "/api/v1/stream", {{"Authorization", "Bearer not-a-token-at-all-0123"}}).status(),
      401u);
  EXPECT_EQ(SseReader(d.port(), "/api/v1/stream", {bearer(kReader)}).status(), 200u);
  EXPECT_EQ(SseReader(d.port(), "/api/v1/stream?brand=nobody", {bearer(kReader)}).status(), 404u);
}

}  // namespace
}  // namespace vigie::testing
