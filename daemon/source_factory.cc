#include "daemon/source_factory.h"

#include <filesystem>

#include "ingest/replay_source.h"
#include "ingest/yaml_reader.h"

namespace vigie::daemon {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<ingest::Source> build_replay(const Config& config, const ComponentConfig& c,
                                             prometheus::Registry& registry) {
  YamlMap m(c.node, c.file, "source \"" + c.id + "\"");
  m.take("id");
  m.take("type");
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
  o.batch_size = static_cast<std::size_t>(config.pipeline.batch_size);
  m.finish();
  if (!fs::exists(o.path)) fail_at(c.file, c.node["path"], "source \"" + c.id + "\": no such file " + o.path);
  return std::make_unique<ingest::ReplaySource>(
      std::move(o), std::make_shared<ingest::SourceMetrics>(registry, c.id, c.type));
}

}  // namespace

Result<BuiltSources> build_sources(const Config& config, prometheus::Registry& registry) {
  BuiltSources out;
  try {
    for (const ComponentConfig& c : config.sources) {
      if (c.type == "replay") {
        out.active.push_back(build_replay(config, c, registry));
      } else if (c.type == "http_push") {
        YamlMap m(c.node, c.file, "source \"" + c.id + "\"");
        m.take("id");
        m.take("type");
        m.finish();
        out.push.push_back(PushSource{c.id, std::make_shared<ingest::SourceMetrics>(registry, c.id, c.type)});
      } else {
        fail_at(c.file, c.node["type"],
                "source \"" + c.id + "\": unknown type '" + c.type + "' (known: http_push, replay)");
      }
    }
  } catch (const ConfigError& e) {
    return error(e.what());
  }
  return out;
}

}  // namespace vigie::daemon
