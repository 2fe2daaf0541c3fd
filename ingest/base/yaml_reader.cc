#include "ingest/base/yaml_reader.h"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "ingest/base/ascii.h"

namespace vigie {
namespace {

std::string quoted(std::string_view s) {
  return "'" + std::string(s) + "'";
}

std::string format_mark(const std::string& file, const YAML::Mark& m) {
  // yaml-cpp marks are 0-based; a null mark (-1) means "somewhere in the file".
  if (m.line < 0) return file + ": ";
  return file + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": ";
}

}  // namespace

std::string location(const std::string& file, const YAML::Node& node) {
  return format_mark(file, node.Mark());
}

void fail_at(const std::string& file, const YAML::Node& node, const std::string& message) {
  throw ConfigError(location(file, node) + message);
}

YAML::Node load_yaml_string(std::string_view text, const std::string& name) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    throw ConfigError(format_mark(name, e.mark) + "invalid YAML: " + e.msg);
  }
}

YAML::Node load_yaml_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot read file");
  std::ostringstream text;
  text << in.rdbuf();
  return load_yaml_string(text.str(), path);
}

std::string expand_env(const std::string& text, const std::string& file, const YAML::Node& node) {
  if (text.find('$') == std::string::npos) return text;
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 >= text.size()) {
      out.push_back(text[i]);
    } else if (text[i + 1] == '$') {
      out.push_back('$');
      ++i;
    } else if (text[i + 1] == '{') {
      const size_t close = text.find('}', i + 2);
      if (close == std::string::npos) fail_at(file, node, "unterminated ${ in " + quoted(text));
      std::string inner = text.substr(i + 2, close - i - 2);
      std::optional<std::string> fallback;
      if (const size_t dash = inner.find(":-"); dash != std::string::npos) {
        fallback = inner.substr(dash + 2);
        inner.resize(dash);
      }
      if (inner.empty()) fail_at(file, node, "empty variable name in " + quoted(text));
      const char* value = std::getenv(inner.c_str());
      if (value && *value) {
        out += value;
      } else if (fallback) {
        out += *fallback;
      } else {
        fail_at(file, node, "environment variable " + inner + " is not set");
      }
      i = close;
    } else {
      out.push_back('$');
    }
  }
  return out;
}

std::optional<std::uint64_t> parse_bytes(std::string_view s) {
  double v;
  std::string_view unit;
  if (!ingest::ascii::split_number(s, v, unit)) return std::nullopt;
  double mult;
  if (unit.empty() || unit == "B")
    mult = 1;
  else if (unit == "KiB")
    mult = 1024.0;
  else if (unit == "MiB")
    mult = 1024.0 * 1024;
  else if (unit == "GiB")
    mult = 1024.0 * 1024 * 1024;
  else if (unit == "KB" || unit == "kB")
    mult = 1e3;
  else if (unit == "MB")
    mult = 1e6;
  else if (unit == "GB")
    mult = 1e9;
  else
    return std::nullopt;
  if (v * mult > 1e18) return std::nullopt;
  return static_cast<std::uint64_t>(v * mult);
}

YamlMap::YamlMap(YAML::Node node, std::string file, std::string what)
    : node_(std::move(node)), file_(std::move(file)), what_(std::move(what)) {
  if (node_ && !node_.IsNull() && !node_.IsMap()) fail_at(file_, node_, what_ + ": expected a mapping");
}

std::optional<YAML::Node> YamlMap::take(std::string_view key) {
  known_.emplace_back(key);
  if (!node_ || !node_.IsMap()) return std::nullopt;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) {
      if (it->second.IsNull()) return std::nullopt;
      return it->second;
    }
  }
  return std::nullopt;
}

YAML::Node YamlMap::require(std::string_view key) {
  auto v = take(key);
  if (!v) fail_at(file_, node_, what_ + ": missing required key " + quoted(key));
  return *v;
}

std::string YamlMap::as_string(const YAML::Node& v, std::string_view key) const {
  if (!v.IsScalar()) fail_at(file_, v, quoted(key) + " in " + what_ + ": expected a string");
  return expand_env(v.Scalar(), file_, v);
}

std::int64_t YamlMap::as_int(const YAML::Node& v, std::string_view key, std::int64_t min,
                             std::int64_t max) const {
  const std::string s = v.IsScalar() ? expand_env(v.Scalar(), file_, v) : std::string();
  std::int64_t out = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  if (!v.IsScalar() || s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size())
    fail_at(file_, v, quoted(key) + " in " + what_ + ": expected an integer");
  if (out < min || out > max)
    fail_at(file_, v,
            quoted(key) + " in " + what_ + ": " + s + " is out of range [" + std::to_string(min) + ", " +
                std::to_string(max) + "]");
  return out;
}

double YamlMap::as_double(const YAML::Node& v, std::string_view key) const {
  const std::string s = v.IsScalar() ? expand_env(v.Scalar(), file_, v) : std::string();
  char* end = nullptr;
  const double out = s.empty() ? 0 : std::strtod(s.c_str(), &end);
  if (!v.IsScalar() || s.empty() || end != s.c_str() + s.size())
    fail_at(file_, v, quoted(key) + " in " + what_ + ": expected a number");
  return out;
}

std::string YamlMap::get_string(std::string_view key, std::string fallback) {
  auto v = take(key);
  return v ? as_string(*v, key) : fallback;
}

std::string YamlMap::require_string(std::string_view key) {
  std::string s = as_string(require(key), key);
  if (s.empty())
    fail_at(file_, node_[std::string(key)], quoted(key) + " in " + what_ + ": must not be empty");
  return s;
}

std::int64_t YamlMap::get_int(std::string_view key, std::int64_t fallback, std::int64_t min,
                              std::int64_t max) {
  auto v = take(key);
  return v ? as_int(*v, key, min, max) : fallback;
}

double YamlMap::get_double(std::string_view key, double fallback) {
  auto v = take(key);
  return v ? as_double(*v, key) : fallback;
}

bool YamlMap::get_bool(std::string_view key, bool fallback) {
  auto v = take(key);
  if (!v) return fallback;
  const std::string s = v->IsScalar() ? expand_env(v->Scalar(), file_, *v) : std::string();
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  fail_at(file_, *v, quoted(key) + " in " + what_ + ": expected true or false");
}

std::chrono::milliseconds YamlMap::get_duration(std::string_view key, std::chrono::milliseconds fallback) {
  return get_duration(key).value_or(fallback);
}

std::optional<std::chrono::milliseconds> YamlMap::get_duration(std::string_view key) {
  auto v = take(key);
  if (!v) return std::nullopt;
  const std::string s = v->IsScalar() ? expand_env(v->Scalar(), file_, *v) : std::string();
  auto d = parse_duration(s);
  if (!d)
    fail_at(file_, *v, quoted(key) + " in " + what_ + ": expected a duration such as 500ms, 30s, 5m, 1h");
  return *d;
}

std::uint64_t YamlMap::get_bytes(std::string_view key, std::uint64_t fallback) {
  auto v = take(key);
  if (!v) return fallback;
  const std::string s = v->IsScalar() ? expand_env(v->Scalar(), file_, *v) : std::string();
  auto b = parse_bytes(s);
  if (!b) fail_at(file_, *v, quoted(key) + " in " + what_ + ": expected a size such as 16384, 64KiB, 16MiB");
  return *b;
}

std::vector<std::string> YamlMap::get_string_list(std::string_view key) {
  std::vector<std::string> out;
  auto v = take(key);
  if (!v) return out;
  if (!v->IsSequence()) fail_at(file_, *v, quoted(key) + " in " + what_ + ": expected a list");
  for (const auto& item : *v)
    out.push_back(as_string(item, key));
  return out;
}

std::string YamlMap::get_enum(std::string_view key, std::string fallback,
                              const std::vector<std::string>& allowed) {
  auto v = take(key);
  if (!v) return fallback;
  std::string s = as_string(*v, key);
  for (const auto& a : allowed)
    if (a == s) return s;
  std::string list;
  for (const auto& a : allowed)
    list += (list.empty() ? "" : ", ") + a;
  fail_at(file_, *v, quoted(key) + " in " + what_ + ": " + quoted(s) + " is not one of " + list);
}

void YamlMap::finish() const {
  if (!node_ || !node_.IsMap()) return;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
    bool found = false;
    for (const auto& k : known_)
      found = found || k == key;
    if (!found) {
      std::string list;
      for (const auto& k : known_)
        list += (list.empty() ? "" : ", ") + k;
      fail_at(file_, it->first, "unknown key " + quoted(key) + " in " + what_ + " (known: " + list + ")");
    }
  }
}

}  // namespace vigie
