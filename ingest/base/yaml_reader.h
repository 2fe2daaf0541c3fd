// Strict, located reading of YAML configuration: every error names FILE:LINE:COL and says why.
//
// A YamlMap wraps one mapping node. Each `take`/`get_*` marks a key as known; `finish()` then reports the
// first key nobody asked for ("unknown key 'listn' in http (known: listen, threads, ...)"), so typos never
// pass silently. Scalars may reference environment variables as ${NAME} or ${NAME:-default}; "$$" is a
// literal '$'.
//
// Used only while loading configuration (start-up and reload), so failures are thrown as ConfigError and
// turned into a Result at the loader's boundary.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/base/timestamp.h"

namespace vigie {

// A configuration error, already formatted as "FILE:LINE:COL: message".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "FILE:LINE:COL: " for a node (1-based line and column).
std::string location(const std::string& file, const YAML::Node& node);
[[noreturn]] void fail_at(const std::string& file, const YAML::Node& node, const std::string& message);

// Parses a whole file; a syntax error becomes ConfigError with its location.
YAML::Node load_yaml_file(const std::string& path);
YAML::Node load_yaml_string(std::string_view text, const std::string& name);

// A section of a component the config lists by type (a source, a notifier), kept as YAML until its
// type's own reader validates it: the config knows the list, each component knows its keys.
struct ComponentConfig {
  std::string id;
  std::string type;
  YAML::Node node;
  std::string file;  // for the locations in its messages
};

class YamlMap {
 public:
  // `what` names the section in messages ("http", "source \"demo\""). A null node reads as an empty map.
  YamlMap(YAML::Node node, std::string file, std::string what);

  // The value node of `key`, or nullopt when absent or null. Marks the key as known.
  std::optional<YAML::Node> take(std::string_view key);
  YAML::Node require(std::string_view key);  // fails with "missing required key" when absent

  std::string get_string(std::string_view key, std::string fallback);
  std::string require_string(std::string_view key);
  std::int64_t get_int(std::string_view key, std::int64_t fallback, std::int64_t min, std::int64_t max);
  double get_double(std::string_view key, double fallback);
  bool get_bool(std::string_view key, bool fallback);
  std::chrono::milliseconds get_duration(std::string_view key, std::chrono::milliseconds fallback);
  std::optional<std::chrono::milliseconds> get_duration(std::string_view key);  // nullopt when absent
  std::uint64_t get_bytes(std::string_view key, std::uint64_t fallback);
  std::vector<std::string> get_string_list(std::string_view key);
  // One of `allowed`, else an error listing them.
  std::string get_enum(std::string_view key, std::string fallback, const std::vector<std::string>& allowed);

  // Fails on the first key that no take/get asked for.
  void finish() const;

  const YAML::Node& node() const { return node_; }
  const std::string& file() const { return file_; }

  // Typed reads of a value node, with the same messages as the getters above.
  std::string as_string(const YAML::Node& v, std::string_view key) const;
  std::int64_t as_int(const YAML::Node& v, std::string_view key, std::int64_t min, std::int64_t max) const;
  double as_double(const YAML::Node& v, std::string_view key) const;

 private:
  YAML::Node node_;
  std::string file_;
  std::string what_;
  std::vector<std::string> known_;
};

// Expands ${NAME} and ${NAME:-default} in `text`; throws ConfigError (at `node`) when a variable is unset.
std::string expand_env(const std::string& text, const std::string& file, const YAML::Node& node);

// "512", "64KiB", "16MiB", "1GiB" (also KB/MB/GB as powers of 1000) -> bytes; nullopt when malformed.
std::optional<std::uint64_t> parse_bytes(std::string_view s);

}  // namespace vigie
