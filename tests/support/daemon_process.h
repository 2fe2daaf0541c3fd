// Test support: runs the real `vigie` binary as a child process on a loopback port, with its stderr in a
// file, and a small blocking HTTP client (Boost.Beast) to talk to it.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vigie::testing {

namespace http = boost::beast::http;

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // Writes `text` to `name` inside the directory and returns its path.
  std::string write(const std::string& name, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

// The result of running a command to completion.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs build/vigie with `args` (no shell), waits, and captures stdout and stderr.
CommandResult run_vigie(const std::vector<std::string>& args, const std::string& stdin_text = "");

// Path of the vigie binary under test: build/vigie, or $VIGIE_BINARY when set.
std::string vigie_binary();

class DaemonProcess {
 public:
  // Starts `vigie run --config CONFIG --listen 127.0.0.1:0 [extra...]` and waits until it logs its port.
  // Fails the current test (and returns a process with port()==0) when it does not come up in time.
  explicit DaemonProcess(const std::string& config, const std::vector<std::string>& extra = {},
                         std::chrono::milliseconds timeout = std::chrono::seconds(20));
  ~DaemonProcess();

  std::uint16_t port() const { return port_; }
  int pid() const { return pid_; }
  std::string log() const;  // what it wrote to stderr so far

  void signal(int sig) const;
  // Waits for exit; returns the exit code, or nullopt on timeout (the process is then killed).
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // SIGKILL and reap.
  void kill();

 private:
  int pid_ = -1;
  std::uint16_t port_ = 0;
  std::string log_path_;
  bool reaped_ = false;
};

struct HttpResult {
  unsigned status = 0;  // 0 when the connection failed
  std::string body;
  http::fields headers;
  std::string error;
};

// One request on a fresh connection to 127.0.0.1:port.
HttpResult http_request(std::uint16_t port, http::verb method, const std::string& target,
                        const std::string& body = "",
                        const std::vector<std::pair<std::string, std::string>>& headers = {});
inline HttpResult http_get(std::uint16_t port, const std::string& target,
                           const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  return http_request(port, http::verb::get, target, "", headers);
}

// Every stored post's uid with the number of times GET /api/v1/posts lists it (pages through all of them).
// Fails the current test on an HTTP error or a pagination that does not advance.
std::map<std::string, int> stored_posts(std::uint16_t port, const std::string& token);

// Sends raw bytes on a fresh connection and returns whatever comes back until the peer closes (or timeout).
std::string raw_exchange(std::uint16_t port, const std::string& bytes,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace vigie::testing
