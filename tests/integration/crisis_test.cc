// Crisis detection on the real daemon: the bundled demo (three days of quiet history, then an Acme Bank
// outage) replayed through `vigie run` opens one incident, whose notifications reach a loopback webhook
// receiver signed per Standard Webhooks, once per webhook-id and in order, through 503s and a SIGKILL; the
// incident API shows it; `vigie replay` on the same file reports the incidents the live run raised.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "tests/support/daemon_process.h"
#include "tests/support/loopback_server.h"
#include "tests/support/wait_until.h"

namespace vigie::testing {
namespace {

namespace json = boost::json;

constexpr const char* kToken = "crisis-test-token-0123456789";
// whsec_ + base64("vigie-crisis-test-secret-32bytes")
constexpr const char* kSecret = "whsec_dmlnaWUtY3Jpc2lzLXRlc3Qtc2VjcmV0LTMyYnl0ZXM=";
constexpr const char* kSecretBytes = "vigie-crisis-test-secret-32bytes";

std::string demo(const std::string& name) {
  return std::string(VIGIE_SOURCE_DIR) + "/deploy/demo/" + name;
}

std::string base64(const unsigned char* data, std::size_t n) {
  std::string out(4 * ((n + 2) / 3), '\0');
  const int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(n));
  out.resize(static_cast<std::size_t>(len));
  return out;
}

// The Standard Webhooks signature, computed here with OpenSSL independently of Vigie's code.
std::string expected_signature(const std::string& id, const std::string& timestamp, const std::string& body) {
  const std::string signed_content = id + "." + timestamp + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), kSecretBytes, static_cast<int>(std::strlen(kSecretBytes)),
       reinterpret_cast<const unsigned char*>(signed_content.data()), signed_content.size(), mac, &mac_len);
  return "v1," + base64(mac, mac_len);
}

struct Delivery {
  std::string id;
  std::string type;
  unsigned status;  // what the receiver answered
  bool signature_ok;
  json::object data;
};

// A webhook receiver on loopback that records every request and answers 200 or 503 as told.
class Receiver {
 public:
  Receiver()
      : server_([this](Exchange& ex) -> net::awaitable<void> {
          const std::string body = ex.request().body();
          const std::string id = ex.header("webhook-id");
          const std::string ts = ex.header("webhook-timestamp");
          const std::string sig = ex.header("webhook-signature");
          Delivery d;
          d.id = id;
          d.signature_ok = !id.empty() && sig.find(expected_signature(id, ts, body)) != std::string::npos;
          boost::system::error_code ec;
          const json::value v = json::parse(body, ec);
          if (!ec && v.is_object()) {
            if (const auto* t = v.as_object().if_contains("type"); t && t->is_string())
              d.type = t->as_string();
            if (const auto* x = v.as_object().if_contains("data"); x && x->is_object())
              d.data = x->as_object();
          }
          unsigned status = 200;
          {
            std::lock_guard lock(mu_);
            status = failing_ ? 503 : 200;
            // After the first success, the receiver goes down: the next notices must be retried.
            if (status == 200 && fail_after_first_ && deliveries_.empty()) failing_ = true;
            d.status = status;
            all_.push_back(d);
            if (status == 200) deliveries_.push_back(d);
          }
          co_await ex.respond(status, status == 200 ? "ok" : "down");
        }) {}

  std::string url() const { return server_.url("/hooks/vigie"); }
  void fail_after_first() {
    std::lock_guard lock(mu_);
    fail_after_first_ = true;
  }
  void recover() {
    std::lock_guard lock(mu_);
    failing_ = false;
  }
  std::vector<Delivery> deliveries() const {
    std::lock_guard lock(mu_);
    return deliveries_;
  }
  std::vector<Delivery> attempts() const {
    std::lock_guard lock(mu_);
    return all_;
  }

 private:
  mutable std::mutex mu_;
  bool failing_ = false;
  bool fail_after_first_ = false;
  std::vector<Delivery> deliveries_;  // 2xx answers
  std::vector<Delivery> all_;
  LoopbackServer server_;
};

std::string config(const TempDir& dir, const std::string& receiver_url) {
  std::filesystem::copy_file(demo("rules.yaml"), dir.file("rules.yaml"));
  return dir.write("vigie.yaml", std::string("data_dir: data\nrules: rules.yaml\n") +
                                     "sources:\n  - {id: demo, type: replay, path: " + demo("feed.ndjson") +
                                     ", speed: max}\n" +
                                     "crisis: {idle_timeout: 2s}\n"
                                     "notifiers:\n  - {id: hook, type: webhook, url: '" +
                                     receiver_url + "', secrets: [" + kSecret + "]}\n" +
                                     "auth:\n  tokens:\n    - {name: comms, token: " + kToken +
                                     ", roles: [admin]}\n");
}

const std::vector<std::pair<std::string, std::string>>& auth() {
  static const std::vector<std::pair<std::string, std::string>> h{
      {"Authorization", std::string("Bearer ") + kToken}};
  return h;
}

json::value get_json(std::uint16_t port, const std::string& target) {
  const HttpResult r = http_get(port, target, auth());
  EXPECT_EQ(r.status, 200u) << target << ": " << r.body;
  boost::system::error_code ec;
  return json::parse(r.body, ec);
}

TEST(Crisis, OneIncidentNotifiedOncePerWebhookIdInOrderThrough503AndSigkill) {
  Receiver receiver;
  receiver.fail_after_first();
  TempDir dir;
  const std::string cfg = config(dir, receiver.url());
  {
    DaemonProcess d(cfg);
    ASSERT_NE(d.port(), 0) << d.log();
    // The outage opens the incident; its incident.opened notice is delivered (and the receiver then fails).
    ASSERT_TRUE(wait_until([&] { return !receiver.deliveries().empty(); }, std::chrono::seconds(60)))
        << d.log();
    // With the file replayed, event time follows the wall clock after 2 idle seconds: the incident resolves,
    // and its incident.escalated and incident.resolved notices meet 503s until the daemon is killed.
    ASSERT_TRUE(wait_until([&] { return receiver.attempts().size() >= 3; }, std::chrono::seconds(60)))
        << d.log();
    d.kill();
  }
  receiver.recover();
  DaemonProcess d(cfg);
  ASSERT_NE(d.port(), 0) << d.log();
  ASSERT_TRUE(wait_until([&] { return receiver.deliveries().size() >= 3; }, std::chrono::seconds(60)))
      << d.log();
  std::this_thread::sleep_for(std::chrono::seconds(1));  // nothing else may follow

  // The demo's incident opens as a warning (the sentiment drop), escalates (the volume spike), then resolves.
  const auto delivered = receiver.deliveries();
  ASSERT_EQ(delivered.size(), 3u);
  EXPECT_EQ(delivered[0].type, "incident.opened");
  EXPECT_EQ(delivered[1].type, "incident.escalated");
  EXPECT_EQ(delivered[2].type, "incident.resolved");
  EXPECT_NE(delivered[0].id, delivered[1].id);
  EXPECT_NE(delivered[1].id, delivered[2].id);
  for (const auto& a : receiver.attempts()) {
    EXPECT_TRUE(a.signature_ok) << a.id;
    // Every attempt at a notice carried the same webhook-id, before and after the kill.
    for (const auto& n : delivered) {
      if (a.type == n.type) {
        EXPECT_EQ(a.id, n.id) << a.type;
      }
    }
  }
  EXPECT_EQ(delivered[0].data.at("brand").as_string(), "acme");
  EXPECT_EQ(delivered[0].data.at("id"), delivered[1].data.at("id"));
  EXPECT_EQ(delivered[0].data.at("id"), delivered[2].data.at("id"));

  // The API shows exactly one incident, resolved, with its timeline.
  const json::value list = get_json(d.port(), "/api/v1/incidents");
  ASSERT_EQ(list.at("items").as_array().size(), 1u) << json::serialize(list);
  const json::object& inc = list.at("items").as_array()[0].as_object();
  EXPECT_EQ(inc.at("status").as_string(), "resolved");
  EXPECT_EQ(inc.at("brand").as_string(), "acme");
  const std::string id(inc.at("id").as_string());
  const json::value detail = get_json(d.port(), "/api/v1/incidents/" + id);
  std::vector<std::string> kinds;
  for (const auto& e : detail.at("timeline").as_array())
    kinds.emplace_back(e.at("kind").as_string());
  ASSERT_FALSE(kinds.empty());
  EXPECT_EQ(kinds.front(), "first_mention");
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "top_posts"), kinds.end());
  EXPECT_EQ(kinds.back(), "resolved");
  EXPECT_FALSE(detail.at("sentiment").as_array().empty());
}

TEST(Crisis, IncidentApiActsAndRefusesWithClearErrors) {
  Receiver receiver;
  TempDir dir;
  DaemonProcess d(config(dir, receiver.url()));
  ASSERT_NE(d.port(), 0) << d.log();
  ASSERT_TRUE(wait_until([&] { return receiver.deliveries().size() >= 3; }, std::chrono::seconds(60)))
      << d.log();
  const json::value list = get_json(d.port(), "/api/v1/incidents?status=resolved&brand=acme");
  ASSERT_EQ(list.at("items").as_array().size(), 1u);
  const std::string id(list.at("items").as_array()[0].at("id").as_string());

  const auto post = [&](const std::string& target, const std::string& body) {
    return http_request(d.port(), http::verb::post, target, body, auth());
  };
  EXPECT_EQ(post("/api/v1/incidents/" + id + "/notes", R"({"text":"statement sent to the press"})").status,
            200u);
  EXPECT_EQ(post("/api/v1/incidents/" + id + "/notes", R"({"txt":"typo"})").status, 400u);
  EXPECT_EQ(post("/api/v1/incidents/" + id + "/ack", "").status, 409u);  // already resolved
  EXPECT_EQ(post("/api/v1/incidents/999/ack", "").status, 404u);
  EXPECT_EQ(http_get(d.port(), "/api/v1/incidents?status=closed", auth()).status, 400u);
  EXPECT_EQ(http_get(d.port(), "/api/v1/incidents/" + id).status, 401u);  // no token
  const json::value detail = get_json(d.port(), "/api/v1/incidents/" + id);
  bool noted = false;
  for (const auto& e : detail.at("timeline").as_array())
    noted = noted || (e.at("kind").as_string() == "note" && e.at("author").as_string() == "comms");
  EXPECT_TRUE(noted) << json::serialize(detail);

  const HttpResult created = post(
      "/api/v1/silences", R"({"brand":"acme","detector":"volume","ends_at":"+2h","comment":"known outage"})");
  ASSERT_EQ(created.status, 201u) << created.body;
  EXPECT_EQ(post("/api/v1/silences", R"({"brand":"acme","detector":"volumes","ends_at":"+2h"})").status,
            400u);
  EXPECT_EQ(post("/api/v1/silences", R"({"brand":"acme"})").status, 400u);  // no end
  EXPECT_EQ(post("/api/v1/silences", R"({"brand":"acme-typo","ends_at":"+2h"})").status, 400u);
  const json::value silences = get_json(d.port(), "/api/v1/silences");
  ASSERT_EQ(silences.at("items").as_array().size(), 1u);
  const std::string sid(silences.at("items").as_array()[0].at("id").as_string());
  EXPECT_EQ(http_request(d.port(), http::verb::delete_, "/api/v1/silences/" + sid, "", auth()).status, 200u);
  EXPECT_EQ(http_request(d.port(), http::verb::delete_, "/api/v1/silences/" + sid, "", auth()).status, 404u);
  EXPECT_TRUE(get_json(d.port(), "/api/v1/notifications/dead").at("items").as_array().empty());
}

TEST(Crisis, ReplayReportsTheIncidentsTheLiveRunRaised) {
  Receiver receiver;
  TempDir dir;
  const std::string cfg = config(dir, receiver.url());
  const CommandResult replay =
      run_vigie({"replay", "--config", cfg, "--format", "json", demo("feed.ndjson")});
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  std::vector<json::object> events;
  std::istringstream lines(replay.out);
  for (std::string line; std::getline(lines, line);)
    events.push_back(json::parse(line).as_object());
  ASSERT_FALSE(events.empty()) << replay.out;
  EXPECT_EQ(events[0].at("event").as_string(), "opened");
  EXPECT_EQ(events[0].at("brand").as_string(), "acme");

  DaemonProcess d(cfg);
  ASSERT_NE(d.port(), 0) << d.log();
  ASSERT_TRUE(wait_until([&] { return !receiver.deliveries().empty(); }, std::chrono::seconds(60)))
      << d.log();
  // Every opening and escalation of the replay is in the live incident's timeline, at the same event time and
  // with the same explanation. (The live run resolves the incident later, once event time follows the clock;
  // the replay ends with the file.)
  const json::value list = get_json(d.port(), "/api/v1/incidents");
  for (const json::object& e : events) {
    if (e.at("event").as_string() == "resolved") continue;
    bool found = false;
    for (const auto& inc : list.at("items").as_array()) {
      if (inc.at("id") != e.at("incident")) continue;
      const json::value detail =
          get_json(d.port(), "/api/v1/incidents/" + std::string(inc.at("id").as_string()));
      const std::string kind = e.at("event").as_string() == "opened" ? "fired" : "escalated";
      for (const auto& t : detail.at("timeline").as_array()) {
        found = found || (t.at("kind").as_string() == kind && t.at("at") == e.at("at") &&
                          t.at("summary") == e.at("summary"));
      }
    }
    EXPECT_TRUE(found) << json::serialize(e) << "\nlive: " << json::serialize(list);
  }
}

// Replay parses and scores on several threads and stores and detects on one, in file order: its report, and
// the errors of unreadable lines with their numbers, are the same on one thread as on four. The demo feed
// (its Acme Bank outage) is read in about eight chunks, with blank and bad lines among them.
TEST(Crisis, ReplayReportsTheSameOnOneThreadAsOnFour) {
  TempDir dir;
  std::ifstream in(demo("feed.ndjson"));
  std::string feed, line;
  int lines = 0, bad = 0;
  while (std::getline(in, line)) {
    feed += line + "\n";
    if (++lines % 1000 == 0) {
      feed += "\n{\"uid\": \"bad\n";  // a blank line, then one that is not JSON
      lines += 2;
      ++bad;
    }
  }
  ASSERT_GT(lines, 7000);
  const std::string input = dir.write("feed.ndjson", feed);
  const std::string cfg = dir.write("vigie.yaml", "rules: " + demo("rules.yaml") + "\n");

  const CommandResult one =
      run_vigie({"replay", "--config", cfg, "--format", "json", "--threads", "1", input});
  const CommandResult four =
      run_vigie({"replay", "--config", cfg, "--format", "json", "--threads", "4", input});
  EXPECT_EQ(one.exit_code, 1) << one.err;  // the bad lines
  EXPECT_EQ(four.exit_code, 1) << four.err;
  EXPECT_EQ(one.out.rfind(R"({"incident":"1","brand":"acme",)", 0), 0u) << one.out;
  EXPECT_NE(one.out.find(R"("detector":"volume","event":"escalated")"), std::string::npos) << one.out;
  EXPECT_EQ(four.out, one.out);
  EXPECT_EQ(four.err, one.err);
  // Line 1001 is blank, 1002 the first bad one.
  EXPECT_EQ(one.err.rfind(R"({"line":1002,"error":"invalid JSON)", 0), 0u) << one.err;
  std::size_t errors = 0;
  for (std::size_t at = 0; (at = one.err.find("\"line\":", at)) != std::string::npos; ++at)
    ++errors;
  EXPECT_EQ(errors, static_cast<std::size_t>(bad));
}

}  // namespace
}  // namespace vigie::testing
