#include "daemon/cli/cli.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "daemon/cli/commands.h"

namespace vigie::daemon {

int run_cli(int argc, char** argv) {
  CLI::App app{"Vigie: real-time e-reputation monitoring daemon", "vigie"};
  app.require_subcommand(1, 1);
  app.set_help_all_flag("--help-all", "Print help for every command");
  app.footer("Run 'vigie <command> --help' for a command's options.");

  RunOptions run;
  std::string listen, data_dir;
  CLI::App* run_cmd =
      app.add_subcommand("run", "Run the daemon until SIGTERM or SIGINT (SIGHUP reloads rules)");
  run_cmd->add_option("--config", run.config, "Configuration file (YAML)")->required();
  run_cmd->add_option("--listen", listen, "Override the listen address, ADDR:PORT");
  run_cmd->add_option("--data-dir", data_dir, "Override the data directory");

  std::string check_config;
  CLI::App* check_cmd = app.add_subcommand(
      "check", "Validate the configuration and its rules without starting; exit 2 on error");
  check_cmd->add_option("--config", check_config, "Configuration file (YAML)")->required();

  CLI::App* version_cmd = app.add_subcommand("version", "Print the version and build");

  ScoreOptions score;
  CLI::App* score_cmd = app.add_subcommand(
      "score", "Score posts read on stdin (NDJSON, or raw text with --text); one JSON object per line out");
  score_cmd
      ->add_option("--rules", score.rules_file, "Rule file (YAML); without it only language and sentiment")
      ->check(CLI::ExistingFile);
  score_cmd->add_flag("--text", score.text, "Read raw text lines instead of NDJSON posts");

  ParseOptions parse;
  CLI::App* parse_cmd = app.add_subcommand(
      "parse", "Print the Posts Vigie finds in a captured payload (a feed, a stream capture) as NDJSON");
  parse_cmd->add_option("--format", parse.format, "Payload format")
      ->required()
      ->check(CLI::IsMember(
          {"rss", "atom", "feed", "mastodon-sse", "mastodon-status", "jetstream", "ndjson-stream"}));
  parse_cmd->add_option("file", parse.file, "Captured payload, or - for stdin")->required();
  parse_cmd->add_option("--instance", parse.instance,
                        "Mastodon instance the capture came from (default: the host of each status's uri)");
  parse_cmd->add_option("--url", parse.url, "URL the feed was fetched from (resolves relative links)");

  std::string backup_config, backup_to;
  CLI::App* backup_cmd = app.add_subcommand(
      "backup",
      "Write a consistent copy of the database to a new directory (asks the running daemon if any)");
  backup_cmd->add_option("--config", backup_config, "Configuration file (YAML)")->required();
  backup_cmd->add_option("--to", backup_to, "Directory to create for the backup")->required();

  ReplayOptions replay;
  CLI::App* replay_cmd = app.add_subcommand(
      "replay", "Run scoring and crisis detection over past posts (NDJSON) and print the incidents raised");
  replay_cmd->add_option("--config", replay.config, "Configuration file (YAML)")->required();
  replay_cmd->add_option("--rules", replay.rules_file, "Rule file (default: the config's)")
      ->check(CLI::ExistingFile);
  replay_cmd->add_option("file", replay.file, "Posts as NDJSON, or - for stdin")->required();
  replay_cmd->add_option("--from", replay.from, "Only posts created at or after this time (RFC 3339)");
  replay_cmd->add_option("--to", replay.to, "Only posts created before this time (RFC 3339)");
  replay_cmd
      ->add_option("--threads", replay.threads,
                   "Threads that parse and score (default: one per core; the report is the same)")
      ->check(CLI::Range(1u, 256u));
  std::string replay_format = "table";
  replay_cmd->add_option("--format", replay_format, "Output: table (default) or json (one object per line)")
      ->check(CLI::IsMember({"table", "json"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "vigie: " << e.what() << "\n\n";
    // Usage of the subcommand that was being parsed, else of vigie itself.
    const auto parsed = app.get_subcommands();
    std::cerr << (parsed.empty() ? app.help() : parsed.front()->help());
    return 2;
  }

  if (run_cmd->parsed()) {
    if (!listen.empty()) run.listen = listen;
    if (!data_dir.empty()) run.data_dir = data_dir;
    return run_command(run);
  }
  if (check_cmd->parsed()) return check_command(check_config);
  if (version_cmd->parsed()) return version_command();
  if (score_cmd->parsed()) return score_command(score);
  if (parse_cmd->parsed()) return parse_command(parse);
  if (backup_cmd->parsed()) return backup_command(backup_config, backup_to);
  if (replay_cmd->parsed()) {
    replay.json = replay_format == "json";
    return replay_command(replay);
  }
  return 2;
}

}  // namespace vigie::daemon
