#include "daemon/config/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "daemon/crisis_service.h"
#include "ingest/base/yaml_reader.h"

namespace vigie::daemon {
namespace {

namespace fs = std::filesystem;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vigie_config_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& text) {
    const std::string path = (dir_ / "vigie.yaml").string();
    std::ofstream(path) << text;
    return path;
  }
  // The error message with the temporary path replaced by "vigie.yaml".
  std::string error_of(const std::string& text) {
    const std::string path = write(text);
    auto c = load_config(path);
    if (c) return "no error";
    std::string m = c.error().message;
    if (m.rfind(path, 0) == 0) m = "vigie.yaml" + m.substr(path.size());
    return m;
  }

  fs::path dir_;
};

TEST_F(ConfigTest, DefaultsWhenEmpty) {
  auto c = load_config(write("{}\n"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->http.listen, "127.0.0.1:8080");
  EXPECT_EQ(c->http.threads, 2);
  EXPECT_EQ(c->http.max_body_bytes, 16u * 1024 * 1024);
  EXPECT_EQ(c->log.format, "text");
  EXPECT_EQ(c->storage.sync, "every_batch");
  EXPECT_EQ(c->storage.posts_retention_days, 90);
  EXPECT_EQ(fs::path(c->data_dir), dir_ / "var");  // relative to the config file
}

TEST_F(ConfigTest, ReadsEverySection) {
  ::setenv("VIGIE_TEST_TOKEN", "s3cret-token-0123456789", 1);
  auto c = load_config(write(R"(listen: 0.0.0.0:9000
data_dir: /srv/vigie
rules: rules/acme.yaml
http:
  threads: 4
  read_timeout: 5s
  idle_timeout: 2m
  max_header_bytes: 8KiB
  max_body_bytes: 1MiB
  open_metrics: false
log: {level: debug, format: json}
storage:
  sync: none
  retention_days: {posts: 30, series: 400}
pipeline: {queue_capacity: 1024, batch_size: 64}
auth:
  tokens:
    - {name: ops, token: "${VIGIE_TEST_TOKEN}", roles: [admin]}
    - {name: grafana, token: "${MISSING_VAR:-default-token-0123456789}", roles: [read]}
sources:
  - {id: demo, type: replay, path: feed.ndjson}
notifiers:
  - {id: slack, type: slack, url: "https://hooks.example/x"}
)"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->http.listen, "0.0.0.0:9000");
  EXPECT_EQ(c->data_dir, "/srv/vigie");
  EXPECT_EQ(fs::path(c->rules_file), dir_ / "rules/acme.yaml");
  EXPECT_EQ(c->http.threads, 4);
  EXPECT_EQ(c->http.read_timeout, std::chrono::seconds(5));
  EXPECT_EQ(c->http.idle_timeout, std::chrono::minutes(2));
  EXPECT_EQ(c->http.max_header_bytes, 8192u);
  EXPECT_EQ(c->http.max_body_bytes, 1048576u);
  EXPECT_FALSE(c->http.open_metrics);
  EXPECT_EQ(c->log.level, "debug");
  EXPECT_EQ(c->log.format, "json");
  EXPECT_EQ(c->storage.sync, "none");
  EXPECT_EQ(c->storage.posts_retention_days, 30);
  EXPECT_EQ(c->storage.mentions_retention_days, 365);
  EXPECT_EQ(c->storage.series_retention_days, 400);
  EXPECT_EQ(c->pipeline.batch_size, 64);
  ASSERT_EQ(c->tokens.size(), 2u);
  EXPECT_EQ(c->tokens[0].token, "s3cret-token-0123456789");
  EXPECT_EQ(c->tokens[1].token, "default-token-0123456789");
  ASSERT_EQ(c->sources.size(), 1u);
  EXPECT_EQ(c->sources[0].type, "replay");
  ASSERT_EQ(c->notifiers.size(), 1u);
}

TEST_F(ConfigTest, UnknownKeyIsLocated) {
  EXPECT_EQ(error_of("listen: 127.0.0.1:1\nhttp:\n  threads: 2\n  read_timout: 5s\n"),
            "vigie.yaml:4:3: unknown key 'read_timout' in http (known: threads, read_timeout, idle_timeout, "
            "max_header_bytes, max_body_bytes, open_health, open_metrics)");
  EXPECT_EQ(
      error_of("lisen: 127.0.0.1:1\n"),
      "vigie.yaml:1:1: unknown key 'lisen' in config (known: listen, data_dir, rules, http, log, storage, "
      "pipeline, crisis, stream, auth, sources, notifiers)");
}

TEST_F(ConfigTest, WrongTypesAreLocated) {
  EXPECT_EQ(error_of("http:\n  threads: many\n"), "vigie.yaml:2:12: 'threads' in http: expected an integer");
  EXPECT_EQ(error_of("http:\n  threads: 500\n"),
            "vigie.yaml:2:12: 'threads' in http: 500 is out of range [1, 64]");
  EXPECT_EQ(error_of("http:\n  read_timeout: soon\n"),
            "vigie.yaml:2:17: 'read_timeout' in http: expected a duration such as 500ms, 30s, 5m, 1h");
  EXPECT_EQ(error_of("http:\n  open_metrics: maybe\n"),
            "vigie.yaml:2:17: 'open_metrics' in http: expected true or false");
  EXPECT_EQ(error_of("log:\n  format: xml\n"),
            "vigie.yaml:2:11: 'format' in log: 'xml' is not one of text, json");
  EXPECT_EQ(error_of("http: 5\n"), "vigie.yaml:1:7: http: expected a mapping");
  EXPECT_EQ(error_of("listen: [a, b]\n"), "vigie.yaml:1:9: 'listen' in config: expected a string");
  EXPECT_EQ(error_of("listen: localhost\n"),
            "vigie.yaml:1:9: listen address 'localhost': expected ADDR:PORT");
}

TEST_F(ConfigTest, BadYamlIsLocated) {
  EXPECT_EQ(error_of("listen: 127.0.0.1:1\nhttp:\n  threads: [1, 2\n"),
            "vigie.yaml:4:1: invalid YAML: end of sequence flow not found");
  EXPECT_EQ(error_of("a: b: c\n"), "vigie.yaml:1:5: invalid YAML: illegal map value");
}

TEST_F(ConfigTest, MissingRequiredValuesAreLocated) {
  EXPECT_EQ(error_of("auth:\n  tokens:\n    - {name: x, roles: [read]}\n"),
            "vigie.yaml:3:7: auth token: missing required key 'token'");
  EXPECT_EQ(error_of("sources:\n  - {type: replay}\n"), "vigie.yaml:2:5: source: missing required key 'id'");
  EXPECT_EQ(error_of("auth:\n  tokens:\n    - {name: x, token: 0123456789abcdef, roles: [root]}\n"),
            "vigie.yaml:3:50: token 'x': unknown role 'root' (known: read, ingest, admin)");
  EXPECT_EQ(error_of("auth:\n  tokens:\n    - {name: x, token: short, roles: [read]}\n"),
            "vigie.yaml:3:24: token 'x': secret must be at least 16 characters");
  EXPECT_EQ(error_of("sources:\n  - {id: a, type: replay}\n  - {id: a, type: replay}\n"),
            "vigie.yaml:3:10: duplicate source id 'a'");
}

TEST_F(ConfigTest, UnsetEnvironmentVariableIsLocated) {
  ::unsetenv("VIGIE_TEST_UNSET");
  EXPECT_EQ(
      error_of("auth:\n  tokens:\n    - name: x\n      token: ${VIGIE_TEST_UNSET}\n      roles: [read]\n"),
      "vigie.yaml:4:14: environment variable VIGIE_TEST_UNSET is not set");
}

TEST_F(ConfigTest, StreamSection) {
  const auto defaults = load_config(write("listen: 127.0.0.1:1\n"));
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults->stream.heartbeat, std::chrono::seconds(15));
  EXPECT_EQ(defaults->stream.replay_events, 10'000);
  EXPECT_EQ(defaults->stream.client_queue, 1024);
  const auto c = load_config(write(
      "stream: {heartbeat: 2s, replay_events: 50, client_queue: 8, write_timeout: 500ms, max_clients: 3}\n"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->stream.heartbeat, std::chrono::seconds(2));
  EXPECT_EQ(c->stream.replay_events, 50);
  EXPECT_EQ(c->stream.client_queue, 8);
  EXPECT_EQ(c->stream.write_timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(c->stream.max_clients, 3);
  EXPECT_EQ(error_of("stream: {heartbeat: 0s}\n"),
            "vigie.yaml:1:21: 'heartbeat' in stream: must be more than 0");
  EXPECT_EQ(error_of("stream: {client_queue: 0}\n").rfind("vigie.yaml:1:24: 'client_queue' in stream", 0), 0u)
      << error_of("stream: {client_queue: 0}\n");
}

TEST_F(ConfigTest, CrisisSection) {
  const auto c =
      load_config(write("crisis: {allowed_lateness: 5m, idle_timeout: 30s, group_by: [brand, detector], "
                        "public_url: 'https://vigie.example.com/'}\n"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->crisis.allowed_lateness, std::chrono::minutes(5));
  EXPECT_EQ(c->crisis.idle_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c->crisis.group_by.size(), 2u);
  EXPECT_EQ(c->crisis.public_url, "https://vigie.example.com");
  EXPECT_TRUE(c->crisis.enabled);
  EXPECT_EQ(error_of("crisis: {group_by: [detector]}\n"),
            "vigie.yaml:1:20: 'group_by' in crisis: expected [brand] or [brand, detector]");
  EXPECT_EQ(error_of("crisis: {allowed_latenes: 1m}\n")
                .rfind("vigie.yaml:1:10: unknown key 'allowed_latenes' in crisis", 0),
            0u);
}

// `vigie run` and `vigie replay` read the crisis section through crisis_options(); what the section leaves out
// keeps the engine's own defaults, the one place they are set.
TEST_F(ConfigTest, CrisisSectionMapsToEngineOptions) {
  const auto c =
      load_config(write("crisis: {allowed_lateness: 5m, idle_timeout: 1.5s, group_by: [brand, detector], "
                        "public_url: 'https://vigie.example.com/'}\n"));
  ASSERT_TRUE(c) << c.error().message;
  const CrisisServiceOptions o = crisis_options(c->crisis);
  EXPECT_EQ(o.engine.allowed_lateness, 5 * 60 * kMicrosPerSecond);
  EXPECT_EQ(o.engine.idle_timeout, 1'500'000);
  EXPECT_EQ(o.engine.max_trigger_age, CrisisEngineOptions{}.max_trigger_age);
  EXPECT_TRUE(o.group_by_detector);
  EXPECT_EQ(o.public_url, "https://vigie.example.com");

  const auto d = load_config(write("crisis: {enabled: true}\n"));
  ASSERT_TRUE(d) << d.error().message;
  const CrisisServiceOptions defaults = crisis_options(d->crisis);
  EXPECT_EQ(defaults.engine.allowed_lateness, 2 * 60 * kMicrosPerSecond);
  EXPECT_EQ(defaults.engine.idle_timeout, 5 * 60 * kMicrosPerSecond);
  EXPECT_EQ(defaults.engine.max_trigger_age, 6 * 3600 * kMicrosPerSecond);
  EXPECT_FALSE(defaults.group_by_detector);
  EXPECT_TRUE(defaults.public_url.empty());
}

TEST_F(ConfigTest, MissingFile) {
  auto c = load_config((dir_ / "absent.yaml").string());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, (dir_ / "absent.yaml").string() + ": cannot read file");
}

TEST(ParseListen, Forms) {
  auto a = parse_listen("127.0.0.1:8080");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  EXPECT_EQ(parse_listen("[::1]:0")->host, "::1");
  EXPECT_EQ(parse_listen(":9")->host, "0.0.0.0");
  EXPECT_FALSE(parse_listen("127.0.0.1:99999"));
  EXPECT_FALSE(parse_listen("127.0.0.1:http"));
}

TEST(ParseValues, DurationsAndSizes) {
  EXPECT_EQ(parse_duration("250ms"), std::chrono::milliseconds(250));
  EXPECT_EQ(parse_duration("1.5s"), std::chrono::milliseconds(1500));
  EXPECT_EQ(parse_duration("2d"), std::chrono::hours(48));
  EXPECT_FALSE(parse_duration("5"));
  EXPECT_FALSE(parse_duration("s"));
  EXPECT_EQ(parse_bytes("64KiB"), 65536u);
  EXPECT_EQ(parse_bytes("2MB"), 2000000u);
  EXPECT_EQ(parse_bytes("100"), 100u);
  EXPECT_FALSE(parse_bytes("lots"));
}

}  // namespace
}  // namespace vigie::daemon
