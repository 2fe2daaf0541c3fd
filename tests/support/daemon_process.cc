#include "tests/support/daemon_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <cstdlib>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

extern char** environ;

namespace vigie::testing {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// posix_spawn with stdout/stderr redirected to files and stdin from a file; returns the pid.
int spawn(const std::vector<std::string>& argv, const std::string& in_path, const std::string& out_path,
          const std::string& err_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

std::optional<int> wait_pid(int pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

TempDir::TempDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() /
          ("vigie-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& name, const std::string& text) const {
  const std::string p = file(name);
  std::filesystem::create_directories(std::filesystem::path(p).parent_path());
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

std::string vigie_binary() {
  // VIGIE_BINARY runs another build (a load test comparing two builds in one run).
  if (const char* other = std::getenv("VIGIE_BINARY"); other && *other) return other;
  return std::string(VIGIE_BINARY_DIR) + "/vigie";
}

CommandResult run_vigie(const std::vector<std::string>& args, const std::string& stdin_text) {
  TempDir dir;
  const std::string in = dir.write("stdin", stdin_text);
  std::vector<std::string> argv{vigie_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandResult r;
  const int pid = spawn(argv, in, dir.file("stdout"), dir.file("stderr"));
  if (pid < 0) return r;
  r.exit_code = wait_pid(pid, std::chrono::minutes(5)).value_or(-1);
  r.out = slurp(dir.file("stdout"));
  r.err = slurp(dir.file("stderr"));
  return r;
}

DaemonProcess::DaemonProcess(const std::string& config, const std::vector<std::string>& extra,
                             std::chrono::milliseconds timeout) {
  log_path_ = config + ".daemon.log";
  std::vector<std::string> argv{vigie_binary(), "run", "--config", config, "--listen", "127.0.0.1:0"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  pid_ = spawn(argv, "/dev/null", "/dev/null", log_path_);
  if (pid_ < 0) {
    ADD_FAILURE() << "cannot spawn " << vigie_binary();
    return;
  }
  // The daemon logs "http: listening on HOST:PORT" once its socket is bound.
  static const std::regex kListening(R"(listening on [^ ]*:(\d+))");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    const std::string text = log();
    if (std::regex_search(text, m, kListening)) {
      port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
      // Wait for readiness too, so tests start against a fully started daemon.
      while (std::chrono::steady_clock::now() < deadline) {
        if (http_get(port_, "/readyz").status == 200) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      break;
    }
    if (wait_pid(pid_, std::chrono::milliseconds(0))) {
      reaped_ = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "daemon did not become ready; log:\n" << log();
}

DaemonProcess::~DaemonProcess() {
  if (!reaped_ && pid_ > 0) kill();
}

std::string DaemonProcess::log() const {
  return slurp(log_path_);
}

void DaemonProcess::signal(int sig) const {
  if (pid_ > 0 && !reaped_) ::kill(pid_, sig);
}

std::optional<int> DaemonProcess::wait(std::chrono::milliseconds timeout) {
  if (reaped_ || pid_ <= 0) return std::nullopt;
  auto code = wait_pid(pid_, timeout);
  if (code) {
    reaped_ = true;
    return code;
  }
  kill();
  return std::nullopt;
}

void DaemonProcess::kill() {
  if (reaped_ || pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  wait_pid(pid_, std::chrono::seconds(10));
  reaped_ = true;
}

HttpResult http_request(std::uint16_t port, http::verb method, const std::string& target,
                        const std::string& body,
                        const std::vector<std::pair<std::string, std::string>>& headers) {
  HttpResult result;
  try {
    net::io_context ctx;
    beast::tcp_stream stream(ctx);
    stream.expires_after(std::chrono::seconds(30));
    stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers)
      req.set(k, v);
    if (!body.empty() || method == http::verb::post) {
      req.body() = body;
      req.prepare_payload();
    }
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1ull << 30);
    http::read(stream, buffer, parser);
    auto res = parser.release();
    result.status = res.result_int();
    result.body = res.body();
    result.headers = res.base();
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  } catch (const std::exception& e) {
    result.error = e.what();
  }
  return result;
}

std::string raw_exchange(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout) {
  std::string out;
  try {
    net::io_context ctx;
    beast::tcp_stream stream(ctx);
    stream.expires_after(timeout);
    stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    net::write(stream, net::buffer(bytes));
    char buf[4096];
    for (;;) {
      boost::system::error_code ec;
      const size_t n = stream.read_some(net::buffer(buf), ec);
      out.append(buf, n);
      if (ec) break;
    }
  } catch (const std::exception&) {
  }
  return out;
}

std::map<std::string, int> stored_posts(std::uint16_t port, const std::string& token) {
  namespace json = boost::json;
  std::map<std::string, int> stored;
  std::string cursor;
  for (int page = 0; page < 10000; ++page) {
    auto r = http_get(port, "/api/v1/posts?limit=1000" + (cursor.empty() ? "" : "&cursor=" + cursor),
                      {{"Authorization", "Bearer " + token}});
    if (r.status != 200u) {
      ADD_FAILURE() << "GET /api/v1/posts: " << r.status << " " << r.body;
      break;
    }
    const json::value v = json::parse(r.body);
    for (const auto& p : v.at("items").as_array())
      ++stored[std::string(p.at("uid").as_string())];
    if (v.at("next_cursor").is_null()) break;
    const std::string next(v.at("next_cursor").as_string());
    if (next == cursor) {
      ADD_FAILURE() << "pagination did not advance";
      break;
    }
    cursor = next;
  }
  return stored;
}

}  // namespace vigie::testing
