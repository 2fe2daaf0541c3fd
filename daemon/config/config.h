// The daemon's configuration: one YAML file. Every option is documented here, where it is declared, and shown
// with its default in deploy/vigie.example.yaml.
//
// Relative paths in the file (data_dir, rules, source files) are resolved against the directory of the config
// file, so a config and its rules travel together; command-line overrides are relative to the working
// directory.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ingest/base/result.h"
#include "ingest/base/yaml_reader.h"

namespace vigie::daemon {

enum class Role : std::uint8_t { read, ingest, admin };

struct TokenConfig {
  std::string name;         // shown in logs, never the secret
  std::string token;        // the bearer secret; use ${ENV} to keep it out of the file
  std::vector<Role> roles;  // admin implies read and ingest
};

struct HttpConfig {
  std::string listen = "127.0.0.1:8080";            // ADDR:PORT; port 0 picks a free port (logged)
  int threads = 2;                                  // I/O threads, one io_context each
  std::chrono::milliseconds read_timeout{30'000};   // to receive a whole request once it started
  std::chrono::milliseconds idle_timeout{60'000};   // keep-alive connection with no request
  std::uint64_t max_header_bytes = 16 * 1024;       // larger headers get 431
  std::uint64_t max_body_bytes = 16 * 1024 * 1024;  // larger bodies get 413
  bool open_health = true;                          // /healthz and /readyz need no token
  bool open_metrics = true;  // /metrics needs no token (else: a token with the read role)
};

struct LogConfig {
  std::string level = "info";   // trace, debug, info, warn, error
  std::string format = "text";  // text, or json (one object per line)
};

struct StorageConfig {
  std::string sync = "every_batch";  // every_batch, interval, none (see storage/database.h for the trade-off)
  int posts_retention_days = 90;     // 0 keeps forever
  int mentions_retention_days = 365;
  int series_retention_days = 0;
};

struct PipelineConfig {
  int queue_capacity = 8192;  // posts waiting to be scored and stored; a full queue slows sources down
  int batch_size = 256;       // posts per storage write batch
  // Durable pushes waiting together (from any connections) are committed in one write, one fsync, up to
  // this many posts: group commit.
  int max_group_posts = 4096;
};

// The event stream, GET /api/v1/stream (daemon/events/stream_api.h).
struct StreamConfig {
  std::chrono::milliseconds heartbeat{15'000};  // a comment line after this much silence keeps proxies open
  int replay_events = 10'000;                   // latest events kept in memory for readers that resume
  int client_queue = 1024;                      // events a reader may lag behind before it is dropped
  std::chrono::milliseconds write_timeout{30'000};  // a write to a reader that takes longer drops it
  int max_clients = 100;                            // readers at a time; more get 503
};

// Crisis detection (daemon/crisis/crisis_engine.h); detector thresholds are per brand, in the rule file.
struct CrisisConfig {
  bool enabled = true;
  // Unset: the crisis engine's defaults (CrisisEngineOptions in daemon/crisis/crisis_engine.h), the one place
  // they are set. crisis_options() in daemon/crisis_service.h maps this section onto the engine.
  // Posts may arrive this late (by their created_at) and still count in their own 5-minute bucket; buckets
  // are evaluated this much after they end.
  std::optional<std::chrono::milliseconds> allowed_lateness;
  // With no post for this long, event time follows the wall clock, so quiet periods and reminders elapse.
  std::optional<std::chrono::milliseconds> idle_timeout;
  // Posts older than this (before the latest event time) open no critical-keyword or influencer incident.
  std::optional<std::chrono::milliseconds> max_trigger_age;
  // What makes findings one incident: [brand] (one incident per brand at a time), or [brand, detector].
  std::vector<std::string> group_by{"brand"};
  // Base URL of this Vigie as people reach it ("https://vigie.example.com"): notices then link to the
  // incident. Empty: no link.
  std::string public_url;
};

struct Config {
  std::string path;              // the file this was read from
  std::string data_dir = "var";  // RocksDB lives in data_dir/db
  std::string rules_file;        // the rule file (brands, topics, sentiment); optional
  HttpConfig http;
  LogConfig log;
  StorageConfig storage;
  PipelineConfig pipeline;
  CrisisConfig crisis;
  StreamConfig stream;
  std::vector<TokenConfig> tokens;
  std::vector<ComponentConfig> sources;
  std::vector<ComponentConfig> notifiers;
};

// Reads and validates `path`. Errors are "FILE:LINE:COL: message".
Result<Config> load_config(const std::string& path);

// `p` as written in `config_file`: absolute paths and "" unchanged, relative ones resolved against the config
// file's directory.
std::string resolve_config_path(const std::string& config_file, const std::string& p);

// Parses "ADDR:PORT" ("127.0.0.1:8080", "[::1]:0", ":8080" meaning all interfaces).
struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};
Result<ListenAddress> parse_listen(const std::string& s);

}  // namespace vigie::daemon
