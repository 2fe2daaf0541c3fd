// The `vigie` command line as a user meets it: exit codes, usage, located config errors.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "tests/support/daemon_process.h"

namespace vigie::testing {
namespace {

TEST(Cli, Version) {
  auto r = run_vigie({"version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("vigie 0.", 0), 0u) << r.out;
}

TEST(Cli, UnknownCommandsAndFlagsPrintUsageAndExit2) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{},
                                             {"frobnicate"},
                                             {"run"},
                                             {"run", "--config", "x.yaml", "--bogus"},
                                             {"check"},
                                             {"version", "extra"}}) {
    auto r = run_vigie(args);
    std::string joined;
    for (const auto& a : args)
      joined += a + " ";
    EXPECT_EQ(r.exit_code, 2) << joined << "\n" << r.err;
    EXPECT_NE(r.err.find("Usage:"), std::string::npos) << joined << "\n" << r.err;
  }
}

TEST(Cli, HelpForEachCommand) {
  for (const std::string cmd : {"run", "check", "version", "score", "backup"}) {
    auto r = run_vigie({cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find("Usage:"), std::string::npos) << cmd << r.out;
  }
  auto run = run_vigie({"run", "--help"});
  EXPECT_NE(run.out.find("--listen"), std::string::npos);
  EXPECT_NE(run.out.find("--data-dir"), std::string::npos);
  auto top = run_vigie({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_NE(top.out.find("check"), std::string::npos);
}

TEST(Cli, CheckReportsLocatedErrors) {
  TempDir dir;
  const std::string unknown = dir.write("unknown.yaml", "listen: 127.0.0.1:8080\nhttp:\n  treads: 2\n");
  auto r = run_vigie({"check", "--config", unknown});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind(unknown + ":3:3: unknown key 'treads' in http", 0), 0u) << r.err;

  const std::string type = dir.write("type.yaml", "http:\n  max_body_bytes: huge\n");
  r = run_vigie({"check", "--config", type});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, type + ":2:19: 'max_body_bytes' in http: expected a size such as 16384, 64KiB, 16MiB\n");

  const std::string yaml = dir.write("bad.yaml", "listen: 127.0.0.1:8080\nhttp: [1, 2\n");
  r = run_vigie({"check", "--config", yaml});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind(yaml + ":", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("invalid YAML"), std::string::npos) << r.err;

  // run refuses the same file before starting anything.
  r = run_vigie({"run", "--config", unknown});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind(unknown + ":3:3: unknown key 'treads' in http", 0), 0u) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "var"));
}

TEST(Cli, CheckAcceptsTheExampleConfig) {
  ::setenv("VIGIE_TOKEN", "example-admin-token-0123456789", 1);
  auto r = run_vigie({"check", "--config", std::string(VIGIE_SOURCE_DIR) + "/deploy/vigie.example.yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("ok: ", 0), 0u) << r.out;
}

TEST(Cli, ExampleConfigNeedsItsToken) {
  ::unsetenv("VIGIE_TOKEN");
  auto r = run_vigie({"check", "--config", std::string(VIGIE_SOURCE_DIR) + "/deploy/vigie.example.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("environment variable VIGIE_TOKEN is not set"), std::string::npos) << r.err;
}

// The commented notifier examples of the example config, uncommented, are valid; a bad secret is located.
TEST(Cli, CheckAcceptsTheExampleNotifiers) {
  std::ifstream in(std::string(VIGIE_SOURCE_DIR) + "/deploy/vigie.example.yaml");
  std::string line, notifiers = "notifiers:\n";
  bool inside = false;
  while (std::getline(in, line)) {
    if (line == "notifiers: []") {
      inside = true;
      continue;
    }
    if (!inside) continue;
    if (line.rfind("  # ", 0) != 0) break;
    notifiers += "  " + line.substr(4) + "\n";
  }
  ::setenv("VIGIE_WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 1);
  ::setenv("SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T000/B000/XXXX", 1);
  ::setenv("TEAMS_WORKFLOW_URL", "https://example.webhook.office.com/workflows/abc", 1);
  ::setenv("PAGERDUTY_ROUTING_KEY", "R0123456789abcdef0123456789abcdef", 1);
  TempDir dir;
  auto r = run_vigie({"check", "--config", dir.write("c.yaml", notifiers)});
  EXPECT_EQ(r.exit_code, 0) << r.err << "\n" << notifiers;
  EXPECT_NE(r.out.find("4 notifiers"), std::string::npos) << r.out;

  ::setenv("VIGIE_WEBHOOK_SECRET", "not-a-secret", 1);
  r = run_vigie({"check", "--config", dir.write("c.yaml", notifiers)});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(dir.file("c.yaml") + ":"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("whsec_"), std::string::npos) << r.err;
}

TEST(Cli, RunRejectsBadListenOverride) {
  TempDir dir;
  auto r = run_vigie({"run", "--config", dir.write("c.yaml", "{}\n"), "--listen", "nowhere"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "--listen: listen address 'nowhere': expected ADDR:PORT\n");
}

// Runs vigie with stdin from `input`, stdout to /dev/null and stderr on a pseudo-terminal, as a person at a
// terminal runs it with the output redirected; returns what the terminal showed.
std::string run_on_terminal(const std::vector<std::string>& args, const std::string& input) {
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid == 0) {
    const int in = open(input.c_str(), O_RDONLY);
    const int out = open("/dev/null", O_WRONLY);
    if (in < 0 || out < 0) _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    std::vector<std::string> all{vigie_binary()};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  std::string seen;
  if (pid < 0) return seen;
  char buf[4096];
  for (ssize_t n; (n = read(master, buf, sizeof buf)) > 0;)  // EIO once the child is gone
    seen.append(buf, static_cast<std::size_t>(n));
  int status = 0;
  waitpid(pid, &status, 0);
  close(master);
  return seen;
}

// Long commands say how far they are on a terminal, and nothing of it in a pipe or a file.
TEST(Cli, ProgressOnATerminalOnly) {
  TempDir dir;
  std::string posts;
  for (int i = 0; i < 3000; ++i)
    posts += R"({"uid":"t:)" + std::to_string(i) +
             R"(","text":"Acme Bank en panne","created_at":"2026-11-20T10:00:00Z"})" + "\n";
  const std::string input = dir.write("posts.ndjson", posts);
  const std::string rules = std::string(VIGIE_SOURCE_DIR) + "/deploy/demo/rules.yaml";
  const std::string config = dir.write("vigie.yaml", "rules: " + rules + "\n");

  const std::string score = run_on_terminal({"score", "--rules", rules}, input);
  EXPECT_NE(score.find("vigie score: 3,000 posts in "), std::string::npos) << score;
  EXPECT_NE(score.find(" posts/s"), std::string::npos) << score;
  const std::string replay = run_on_terminal({"replay", "--config", config, input}, input);
  EXPECT_NE(replay.find("vigie replay: 3,000 posts in "), std::string::npos) << replay;

  // Not a terminal: stderr holds no progress (run_vigie sends it to a file).
  const CommandResult piped = run_vigie({"score", "--rules", rules}, posts);
  EXPECT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.err.find("posts/s"), std::string::npos) << piped.err;
  const CommandResult replayed = run_vigie({"replay", "--config", config, input});
  EXPECT_EQ(replayed.exit_code, 0) << replayed.err;
  EXPECT_EQ(replayed.err.find("posts/s"), std::string::npos) << replayed.err;
}

// vigie backup says how far the copy is on a terminal (bytes and files, their rate), through the running daemon
// and on a stopped database alike, and nothing of it in a pipe or a file.
TEST(Cli, BackupProgressOnATerminalOnly) {
  TempDir dir;
  const std::string token = "cli-backup-admin-token-0123456789";
  const std::string tokens = "auth:\n  tokens:\n    - {name: t, token: " + token + ", roles: [admin]}\n";
  const std::string cfg =
      dir.write("vigie.yaml", "data_dir: data\nsources:\n  - {id: push, type: http_push}\n" + tokens);
  std::string posts;
  for (int i = 0; i < 2000; ++i)
    posts += R"({"uid":"t:)" + std::to_string(i) +
             R"(","text":"Acme Bank en panne depuis ce matin","created_at":"2026-11-20T10:00:00Z"})" + "\n";
  const auto looks_like_progress = [](const std::string& shown) {
    return shown.find("vigie backup: ") != std::string::npos &&
           shown.find(" files in ") != std::string::npos && shown.find("/s") != std::string::npos;
  };
  {
    DaemonProcess d(cfg);
    ASSERT_NE(d.port(), 0) << d.log();
    ASSERT_EQ(http_request(d.port(), http::verb::post, "/api/v1/posts", posts,
                           {{"Authorization", "Bearer " + token}, {"Content-Type", "application/x-ndjson"}})
                  .status,
              202u);
    // The config's listen address is where the daemon runs: backup asks it.
    const std::string live = dir.write(
        "live.yaml", "listen: 127.0.0.1:" + std::to_string(d.port()) + "\ndata_dir: data\n" + tokens);
    const std::string shown =
        run_on_terminal({"backup", "--config", live, "--to", dir.file("live")}, "/dev/null");
    EXPECT_TRUE(looks_like_progress(shown)) << shown;
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "live" / "CURRENT")) << shown;
    d.signal(SIGTERM);
    ASSERT_EQ(d.wait(std::chrono::seconds(10)), 0);
  }
  // Stopped (and no admin token, so nothing is asked over HTTP): backup opens the database itself.
  const std::string stopped = dir.write("stopped.yaml", "data_dir: data\n");
  const std::string shown =
      run_on_terminal({"backup", "--config", stopped, "--to", dir.file("copy")}, "/dev/null");
  EXPECT_TRUE(looks_like_progress(shown)) << shown;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "copy" / "CURRENT")) << shown;

  const CommandResult piped = run_vigie({"backup", "--config", stopped, "--to", dir.file("piped")});
  EXPECT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.err, "");
  EXPECT_NE(piped.out.find("backup written to"), std::string::npos) << piped.out;
}

}  // namespace
}  // namespace vigie::testing
