#include "daemon/source_factory.h"

#include <filesystem>

#include "ingest/base/yaml_reader.h"
#include "ingest/bluesky/jetstream_source.h"
#include "ingest/feed/feed_source.h"
#include "ingest/mastodon/mastodon_source.h"
#include "ingest/ndjson/ndjson_stream_source.h"
#include "ingest/net/client_stream.h"
#include "ingest/net/endpoint.h"
#include "ingest/replay/replay_source.h"

namespace vigie::daemon {
namespace {

namespace fs = std::filesystem;

// The source's own options: every key but id and type, which config.cc has read.
YamlMap options_of(const ComponentConfig& c) {
  YamlMap m(c.node, c.file, "source \"" + c.id + "\"");
  m.take("id");
  m.take("type");
  return m;
}

std::shared_ptr<ingest::SourceMetrics> metrics_for(prometheus::Registry& registry, const ComponentConfig& c) {
  return std::make_shared<ingest::SourceMetrics>(registry, c.id, c.type);
}

std::unique_ptr<ingest::Source> build_replay(const Config& config, const ComponentConfig& c,
                                             prometheus::Registry& registry) {
  YamlMap m = options_of(c);
  ingest::ReplayOptions o;
  o.id = c.id;
  o.path = resolve_config_path(c.file, m.require_string("path"));
  if (auto v = m.take("speed")) {
    const std::string s = m.as_string(*v, "speed");
    auto speed = ingest::parse_speed(s);
    if (!speed)
      fail_at(c.file, *v, "'speed' in source \"" + c.id + "\": expected 1x, 60x, max, got '" + s + "'");
    o.speed = *speed;
  }
  o.rebase_time = m.get_bool("rebase_time", false);
  o.paced_last = std::chrono::duration_cast<std::chrono::microseconds>(
                     m.get_duration("paced_last", std::chrono::milliseconds(0)))
                     .count();
  o.batch_size = static_cast<std::size_t>(config.pipeline.batch_size);
  m.finish();
  if (!fs::exists(o.path)) fail_at(c.file, c.node["path"], "source \"" + c.id + "\": no such file " + o.path);
  return std::make_unique<ingest::ReplaySource>(std::move(o), metrics_for(registry, c));
}

// A required http(s) URL, checked now so that a typo fails at start-up with its location.
std::string read_url(YamlMap& m, const ComponentConfig& c, std::string_view key, bool websocket = false) {
  const std::string url = m.require_string(key);
  auto e = ingest::parse_endpoint(url);
  if (!e) fail_at(c.file, c.node[std::string(key)], "source \"" + c.id + "\": " + e.error().message);
  if (e->websocket != websocket)
    fail_at(c.file, c.node[std::string(key)],
            "source \"" + c.id + "\": '" + std::string(key) + "' must be " +
                (websocket ? "a ws:// or wss://" : "an http:// or https://") + " URL");
  return url;
}

// `headers: {Name: value}`: extra request headers, values with ${ENV} expanded (tokens live there).
std::vector<std::pair<std::string, std::string>> read_headers(YamlMap& m, const ComponentConfig& c) {
  std::vector<std::pair<std::string, std::string>> out;
  auto h = m.take("headers");
  if (!h) return out;
  if (!h->IsMap()) fail_at(c.file, *h, "'headers' in source \"" + c.id + "\": expected a mapping");
  for (const auto& kv : *h) {
    if (!kv.second.IsScalar())
      fail_at(c.file, kv.second, "header '" + kv.first.as<std::string>() + "': expected a string");
    out.emplace_back(kv.first.as<std::string>(), expand_env(kv.second.as<std::string>(), c.file, kv.second));
  }
  return out;
}

std::shared_ptr<boost::asio::ssl::context> read_tls(YamlMap& m, const ComponentConfig& c) {
  ingest::TlsOptions tls;
  if (auto ca = m.take("tls_ca_file")) {
    tls.ca_file = resolve_config_path(c.file, m.as_string(*ca, "tls_ca_file"));
  }
  auto ctx = ingest::make_tls_context(tls);
  if (!ctx) fail_at(c.file, c.node, "source \"" + c.id + "\": " + ctx.error().message);
  return *ctx;
}

std::unique_ptr<ingest::Source> build_ndjson_stream(const Config& config, const ComponentConfig& c,
                                                    prometheus::Registry& registry) {
  YamlMap m = options_of(c);
  ingest::NdjsonStreamOptions o;
  o.id = c.id;
  o.url = read_url(m, c, "url");
  o.headers = read_headers(m, c);
  o.read_timeout = m.get_duration("read_timeout", o.read_timeout);
  o.connect_timeout = m.get_duration("connect_timeout", o.connect_timeout);
  o.resume_field = m.get_string("resume_field", "");
  o.resume_param = m.get_string("resume_param", "");
  if (!o.resume_field.empty() && o.resume_field.front() != '/')
    fail_at(c.file, c.node["resume_field"],
            "'resume_field' in source \"" + c.id + "\": expected a JSON pointer such as /data/id");
  o.batch_size = static_cast<std::size_t>(config.pipeline.batch_size);
  auto tls = read_tls(m, c);
  m.finish();
  return std::make_unique<ingest::NdjsonStreamSource>(std::move(o), std::move(tls), metrics_for(registry, c));
}

std::unique_ptr<ingest::Source> build_mastodon(const Config& config, const ComponentConfig& c,
                                               prometheus::Registry& registry) {
  YamlMap m = options_of(c);
  ingest::MastodonOptions o;
  o.id = c.id;
  o.instance = read_url(m, c, "instance");
  const std::string stream =
      m.get_enum("stream", "public", {"public", "public:local", "hashtag", "list", "user"});
  o.stream = *ingest::parse_mastodon_stream(stream);
  o.tag = m.get_string("tag", "");
  o.list = m.get_string("list", "");
  o.access_token = m.get_string("access_token", "");
  o.streaming_url = m.get_string("streaming_url", "");
  o.heartbeat_timeout = m.get_duration("heartbeat_timeout", o.heartbeat_timeout);
  o.catch_up = m.get_bool("catch_up", o.catch_up);
  o.catch_up_max = static_cast<std::size_t>(m.get_int("catch_up_max", 2000, 1, 1'000'000));
  o.connect_timeout = m.get_duration("connect_timeout", o.connect_timeout);
  o.batch_size = static_cast<std::size_t>(config.pipeline.batch_size);
  auto tls = read_tls(m, c);
  m.finish();
  if (auto v = ingest::validate_mastodon_options(o); !v)
    fail_at(c.file, c.node, "source \"" + c.id + "\": " + v.error().message);
  return std::make_unique<ingest::MastodonSource>(std::move(o), std::move(tls), metrics_for(registry, c));
}

std::unique_ptr<ingest::Source> build_jetstream(const Config& config, const ComponentConfig& c,
                                                prometheus::Registry& registry) {
  YamlMap m = options_of(c);
  ingest::JetstreamOptions o;
  o.id = c.id;
  o.url = read_url(m, c, "url", /*websocket=*/true);
  if (c.node["collections"]) o.collections = m.get_string_list("collections");
  o.dids = m.get_string_list("dids");
  o.rewind = m.get_duration("rewind", o.rewind);
  o.replay_window = m.get_duration("replay_window", o.replay_window);
  o.read_timeout = m.get_duration("read_timeout", o.read_timeout);
  o.connect_timeout = m.get_duration("connect_timeout", o.connect_timeout);
  o.cursor_interval = m.get_duration("cursor_interval", o.cursor_interval);
  o.max_handles = static_cast<std::size_t>(m.get_int("max_handles", 100'000, 0, 100'000'000));
  o.batch_size = static_cast<std::size_t>(config.pipeline.batch_size);
  auto tls = read_tls(m, c);
  m.finish();
  if (o.collections.empty())
    fail_at(c.file, c.node["collections"], "source \"" + c.id + "\": 'collections' must not be empty");
  return std::make_unique<ingest::JetstreamSource>(std::move(o), std::move(tls), metrics_for(registry, c));
}

// One FeedSource per feed URL, sharing the source's metrics; each keeps its own cursor.
std::vector<std::unique_ptr<ingest::Source>> build_feeds(const Config& config, const ComponentConfig& c,
                                                         prometheus::Registry& registry) {
  YamlMap m = options_of(c);
  ingest::FeedOptions base;
  base.source_id = c.id;
  base.interval = m.get_duration("interval", base.interval);
  base.timeout = m.get_duration("timeout", base.timeout);
  base.max_bytes = static_cast<std::size_t>(m.get_bytes("max_bytes", base.max_bytes));
  base.headers = read_headers(m, c);
  base.seen_max = static_cast<std::size_t>(m.get_int("seen_max", 1000, 1, 1'000'000));
  base.batch_size = static_cast<std::size_t>(config.pipeline.batch_size);
  auto tls = read_tls(m, c);
  const auto check_interval = [&](std::chrono::milliseconds v, const YAML::Node& at) {
    if (v < std::chrono::seconds(1))
      fail_at(c.file, at, "source \"" + c.id + "\": a feed interval must be at least 1s");
  };
  check_interval(base.interval, c.node["interval"]);

  std::vector<ingest::FeedOptions> feeds;
  if (c.node["url"]) {
    ingest::FeedOptions o = base;
    o.url = read_url(m, c, "url");
    feeds.push_back(std::move(o));
  }
  if (auto list = m.take("feeds")) {
    if (!list->IsSequence()) fail_at(c.file, *list, "'feeds' in source \"" + c.id + "\": expected a list");
    for (const auto& entry : *list) {
      YamlMap f(entry, c.file, "a feed of source \"" + c.id + "\"");
      ingest::FeedOptions o = base;
      o.url = f.require_string("url");
      if (auto e = ingest::parse_endpoint(o.url); !e || e->websocket)
        fail_at(
            c.file, entry["url"],
            "source \"" + c.id + "\": " + (e ? "a feed URL must be http:// or https://" : e.error().message));
      o.interval = f.get_duration("interval", base.interval);
      check_interval(o.interval, entry["interval"] ? entry["interval"] : entry);
      f.finish();
      feeds.push_back(std::move(o));
    }
  }
  m.finish();
  if (feeds.empty()) fail_at(c.file, c.node, "source \"" + c.id + "\": give 'url' or 'feeds'");
  auto metrics = metrics_for(registry, c);
  std::vector<std::unique_ptr<ingest::Source>> out;
  for (auto& o : feeds)
    out.push_back(std::make_unique<ingest::FeedSource>(std::move(o), tls, metrics));
  return out;
}

}  // namespace

Result<BuiltSources> build_sources(const Config& config, prometheus::Registry& registry) {
  BuiltSources out;
  try {
    for (const ComponentConfig& c : config.sources) {
      if (c.type == "replay") {
        out.active.push_back(build_replay(config, c, registry));
      } else if (c.type == "mastodon") {
        out.active.push_back(build_mastodon(config, c, registry));
      } else if (c.type == "jetstream") {
        out.active.push_back(build_jetstream(config, c, registry));
      } else if (c.type == "feed") {
        for (auto& f : build_feeds(config, c, registry))
          out.active.push_back(std::move(f));
      } else if (c.type == "ndjson_stream") {
        out.active.push_back(build_ndjson_stream(config, c, registry));
      } else if (c.type == "http_push") {
        YamlMap m = options_of(c);
        m.finish();
        out.push.push_back(PushSource{c.id, metrics_for(registry, c)});
      } else {
        fail_at(c.file, c.node["type"],
                "source \"" + c.id + "\": unknown type '" + c.type +
                    "' (known: feed, http_push, jetstream, mastodon, ndjson_stream, replay)");
      }
    }
  } catch (const ConfigError& e) {
    return error(e.what());
  }
  return out;
}

}  // namespace vigie::daemon
