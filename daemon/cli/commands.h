// The `vigie` subcommands. Each returns the process exit code: 0 success, 1 runtime failure, 2 bad usage, bad
// config or bad rules.
#pragma once

#include <optional>
#include <string>

namespace vigie::daemon {

struct RunOptions {
  std::string config;
  std::optional<std::string> listen;    // overrides the config's listen
  std::optional<std::string> data_dir;  // overrides the config's data_dir
};
int run_command(const RunOptions& options);

int check_command(const std::string& config_path);

int version_command();

struct ScoreOptions {
  std::string rules_file;  // empty: sentiment and language only
  bool text = false;       // input lines are raw text, not NDJSON posts
};
// Scores stdin to stdout, one JSON object per input line; bad lines are reported on stderr (exit 1).
int score_command(const ScoreOptions& options);

struct ParseOptions {
  std::string format;    // rss, atom, feed, mastodon-sse, mastodon-status, jetstream, ndjson-stream
  std::string file;      // "-" for stdin
  std::string instance;  // Mastodon instance host the capture came from; empty: from each status's uri
  std::string url;       // the feed's URL, to resolve relative links; may be empty
};
// Prints the Posts found in a captured payload as NDJSON; unreadable items go to stderr (exit 1).
int parse_command(const ParseOptions& options);

struct ReplayOptions {
  std::string config;      // for the crisis settings and, without --rules, the rule file
  std::string rules_file;  // overrides the config's
  std::string file;        // NDJSON posts, or - for stdin
  std::string from, to;    // optional event-time bounds (RFC 3339)
  bool json = false;       // one JSON object per incident event instead of a table
  unsigned threads = 0;    // threads that parse and score; 0: one per core; 1: all on the main thread
};
// Scores and runs crisis detection over historical posts in event time; prints every incident event that
// would have been raised (nothing is notified). Exit 1 on unreadable lines (reported on stderr).
int replay_command(const ReplayOptions& options);

// Writes a consistent checkpoint of the database to `to` (a new directory): through the running daemon's admin
// API when it runs, else directly. Restore: stop Vigie and use the directory as data_dir/db.
int backup_command(const std::string& config_path, const std::string& to);

}  // namespace vigie::daemon
