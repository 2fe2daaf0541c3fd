#include "daemon/config/config.h"

#include <charconv>
#include <filesystem>
#include <set>

#include "ingest/base/yaml_reader.h"

namespace vigie::daemon {
namespace {

namespace fs = std::filesystem;

void read_http(YamlMap m, HttpConfig& h) {
  h.threads = static_cast<int>(m.get_int("threads", h.threads, 1, 64));
  h.read_timeout = m.get_duration("read_timeout", h.read_timeout);
  h.idle_timeout = m.get_duration("idle_timeout", h.idle_timeout);
  h.max_header_bytes = m.get_bytes("max_header_bytes", h.max_header_bytes);
  h.max_body_bytes = m.get_bytes("max_body_bytes", h.max_body_bytes);
  h.open_health = m.get_bool("open_health", h.open_health);
  h.open_metrics = m.get_bool("open_metrics", h.open_metrics);
  m.finish();
}

void read_log(YamlMap m, LogConfig& l) {
  l.level = m.get_enum("level", l.level, {"trace", "debug", "info", "warn", "error"});
  l.format = m.get_enum("format", l.format, {"text", "json"});
  m.finish();
}

void read_storage(YamlMap m, StorageConfig& s) {
  s.sync = m.get_enum("sync", s.sync, {"every_batch", "interval", "none"});
  if (auto r = m.take("retention_days")) {
    YamlMap rd(*r, m.file(), "storage.retention_days");
    s.posts_retention_days = static_cast<int>(rd.get_int("posts", s.posts_retention_days, 0, 36500));
    s.mentions_retention_days = static_cast<int>(rd.get_int("mentions", s.mentions_retention_days, 0, 36500));
    s.series_retention_days = static_cast<int>(rd.get_int("series", s.series_retention_days, 0, 36500));
    rd.finish();
  }
  m.finish();
}

void read_pipeline(YamlMap m, PipelineConfig& p) {
  p.queue_capacity = static_cast<int>(m.get_int("queue_capacity", p.queue_capacity, 16, 1 << 22));
  p.batch_size = static_cast<int>(m.get_int("batch_size", p.batch_size, 1, 65536));
  p.max_group_posts = static_cast<int>(m.get_int("max_group_posts", p.max_group_posts, 1, 65536));
  m.finish();
}

void read_stream(YamlMap m, StreamConfig& s) {
  s.heartbeat = m.get_duration("heartbeat", s.heartbeat);
  s.replay_events = static_cast<int>(m.get_int("replay_events", s.replay_events, 1, 100'000));
  s.client_queue = static_cast<int>(m.get_int("client_queue", s.client_queue, 1, 1'000'000));
  s.write_timeout = m.get_duration("write_timeout", s.write_timeout);
  s.max_clients = static_cast<int>(m.get_int("max_clients", s.max_clients, 1, 100'000));
  // Zero would make a stream spin on heartbeats, or drop every reader at its first write.
  for (const auto& [key, d] :
       {std::pair{"heartbeat", s.heartbeat}, std::pair{"write_timeout", s.write_timeout}})
    if (d.count() <= 0)
      fail_at(m.file(), m.node()[key], std::string("'") + key + "' in stream: must be more than 0");
  m.finish();
}

void read_crisis(YamlMap m, CrisisConfig& c) {
  c.enabled = m.get_bool("enabled", c.enabled);
  c.allowed_lateness = m.get_duration("allowed_lateness");
  c.idle_timeout = m.get_duration("idle_timeout");
  c.max_trigger_age = m.get_duration("max_trigger_age");
  c.public_url = m.get_string("public_url", c.public_url);
  if (auto g = m.take("group_by")) {
    std::vector<std::string> keys;
    if (g->IsSequence()) {
      for (const auto& k : *g)
        keys.push_back(k.IsScalar() ? k.Scalar() : "");
    }
    const bool valid = (keys == std::vector<std::string>{"brand"}) ||
                       (keys == std::vector<std::string>{"brand", "detector"}) ||
                       (keys == std::vector<std::string>{"detector", "brand"});
    if (!valid) fail_at(m.file(), *g, "'group_by' in crisis: expected [brand] or [brand, detector]");
    c.group_by = keys;
  }
  while (!c.public_url.empty() && c.public_url.back() == '/')
    c.public_url.pop_back();
  m.finish();
}

std::vector<TokenConfig> read_tokens(const YAML::Node& list, const std::string& file) {
  std::vector<TokenConfig> out;
  if (!list.IsSequence()) fail_at(file, list, "'tokens' in auth: expected a list");
  for (const auto& item : list) {
    YamlMap m(item, file, "auth token");
    TokenConfig t;
    t.name = m.require_string("name");
    t.token = m.require_string("token");
    if (t.token.size() < 16)
      fail_at(file, item["token"], "token '" + t.name + "': secret must be at least 16 characters");
    auto roles = m.require("roles");
    if (!roles.IsSequence() || roles.size() == 0)
      fail_at(file, roles, "token '" + t.name + "': 'roles' must be a non-empty list");
    for (const auto& r : roles) {
      const std::string s = r.IsScalar() ? r.Scalar() : "";
      if (s == "read")
        t.roles.push_back(Role::read);
      else if (s == "ingest")
        t.roles.push_back(Role::ingest);
      else if (s == "admin")
        t.roles.push_back(Role::admin);
      else
        fail_at(file, r, "token '" + t.name + "': unknown role '" + s + "' (known: read, ingest, admin)");
    }
    m.finish();
    for (const auto& other : out)
      if (other.name == t.name) fail_at(file, item, "duplicate token name '" + t.name + "'");
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<ComponentConfig> read_components(const YAML::Node& list, const std::string& file,
                                             const std::string& what) {
  std::vector<ComponentConfig> out;
  if (!list.IsSequence()) fail_at(file, list, "'" + what + "s': expected a list");
  std::set<std::string> ids;
  for (const auto& item : list) {
    if (!item.IsMap()) fail_at(file, item, what + ": expected a mapping with 'id' and 'type'");
    ComponentConfig c;
    c.file = file;
    c.node = static_cast<const YAML::Node&>(item);
    for (const char* key : {"id", "type"}) {
      const YAML::Node v = item[key];
      if (!v || !v.IsScalar() || v.Scalar().empty())
        fail_at(file, item, what + ": missing required key '" + key + "'");
    }
    c.id = item["id"].Scalar();
    c.type = item["type"].Scalar();
    if (!ids.insert(c.id).second) fail_at(file, item["id"], "duplicate " + what + " id '" + c.id + "'");
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

std::string resolve_config_path(const std::string& config_file, const std::string& p) {
  if (p.empty() || fs::path(p).is_absolute()) return p;
  return (fs::path(config_file).parent_path() / p).lexically_normal().string();
}

Result<ListenAddress> parse_listen(const std::string& s) {
  const auto colon = s.rfind(':');
  if (colon == std::string::npos) return error("listen address '" + s + "': expected ADDR:PORT");
  ListenAddress a;
  a.host = s.substr(0, colon);
  if (a.host.size() >= 2 && a.host.front() == '[' && a.host.back() == ']')
    a.host = a.host.substr(1, a.host.size() - 2);
  if (a.host.empty()) a.host = "0.0.0.0";
  const std::string port = s.substr(colon + 1);
  unsigned value = 0;
  const auto r = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || r.ec != std::errc() || r.ptr != port.data() + port.size() || value > 65535)
    return error("listen address '" + s + "': bad port '" + port + "'");
  a.port = static_cast<std::uint16_t>(value);
  return a;
}

Result<Config> load_config(const std::string& path) {
  try {
    const YAML::Node root = load_yaml_file(path);
    Config c;
    c.path = path;
    YamlMap m(root, path, "config");
    c.http.listen = m.get_string("listen", c.http.listen);
    if (auto l = parse_listen(c.http.listen); !l) fail_at(path, root["listen"], l.error().message);
    c.data_dir = resolve_config_path(path, m.get_string("data_dir", c.data_dir));
    c.rules_file = resolve_config_path(path, m.get_string("rules", ""));
    if (auto n = m.take("http")) read_http(YamlMap(*n, path, "http"), c.http);
    if (auto n = m.take("log")) read_log(YamlMap(*n, path, "log"), c.log);
    if (auto n = m.take("storage")) read_storage(YamlMap(*n, path, "storage"), c.storage);
    if (auto n = m.take("pipeline")) read_pipeline(YamlMap(*n, path, "pipeline"), c.pipeline);
    if (auto n = m.take("crisis")) read_crisis(YamlMap(*n, path, "crisis"), c.crisis);
    if (auto n = m.take("stream")) read_stream(YamlMap(*n, path, "stream"), c.stream);
    if (auto n = m.take("auth")) {
      YamlMap a(*n, path, "auth");
      if (auto t = a.take("tokens")) c.tokens = read_tokens(*t, path);
      a.finish();
    }
    if (auto n = m.take("sources")) c.sources = read_components(*n, path, "source");
    if (auto n = m.take("notifiers")) c.notifiers = read_components(*n, path, "notifier");
    m.finish();
    return c;
  } catch (const ConfigError& e) {
    return error(e.what());
  } catch (const YAML::Exception& e) {
    return error(path + ": " + e.what());
  }
}

}  // namespace vigie::daemon
