// vigie backup: a consistent RocksDB checkpoint of Vigie's database.
//
// A running daemon holds the database lock, so the live path asks it, over POST /api/v1/admin/backup with the
// config's first admin token, to checkpoint itself. When nothing listens, the database is opened directly.
//
// On a terminal, stderr shows how far the copy is: the bytes and files in the backup directory so far, out of
// the database's size, their rate and the time left. RocksDB hard-links the database's files where it can (the
// same file system: instant) and copies them otherwise (another disk: the long case).
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <iostream>

#include "daemon/cli/commands.h"
#include "daemon/cli/progress.h"
#include "daemon/config/config.h"
#include "storage/database.h"

namespace vigie::daemon {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

struct Reply {
  bool connected = false;
  unsigned status = 0;
  std::string body;
};

// The bytes and files under `dir`, which files may enter or leave meanwhile.
struct Tally {
  std::uint64_t bytes = 0;
  std::uint64_t files = 0;
};
void add_tally(const std::string& dir, Tally& t) {
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code size_error;
    const auto size = it->is_regular_file(size_error) ? it->file_size(size_error) : 0;
    if (size_error) continue;
    t.bytes += size;
    ++t.files;
  }
}

// Runs `work` (which writes the backup to `dir`) on another thread while this one shows its progress, when
// stderr is a terminal; else simply runs it.
template <class Work>
auto with_progress(const std::string& dir, const std::string& db_path, Work work) -> decltype(work()) {
  if (!Progress::stderr_is_terminal()) return work();
  Tally total;
  add_tally(db_path, total);
  Progress progress("vigie backup", nullptr, total.bytes, true, Progress::Unit::bytes);
  // RocksDB writes a checkpoint into DIR.tmp and renames it DIR once complete.
  const auto show = [&] {
    Tally t;
    add_tally(dir + ".tmp", t);
    add_tally(dir, t);
    progress.set(t.bytes, std::to_string(t.files) + (t.files == 1 ? " file" : " files"));
  };
  auto done = std::async(std::launch::async, std::move(work));
  while (done.wait_for(std::chrono::milliseconds(200)) != std::future_status::ready)
    show();
  auto result = done.get();
  show();
  progress.finish();
  return result;
}

// `db_path`: the database's directory, for its size (the progress's total).
Reply ask_daemon(const ListenAddress& at, const std::string& token, const std::string& dir,
                 const std::string& db_path) {
  Reply reply;
  net::io_context ctx;
  beast::tcp_stream stream(ctx);
  stream.expires_after(std::chrono::minutes(10));  // a checkpoint of a large database takes a while
  boost::system::error_code ec;
  // A daemon listening on every interface is reached on loopback.
  const std::string host = at.host == "0.0.0.0" ? "127.0.0.1" : at.host == "::" ? "::1" : at.host;
  const auto address = net::ip::make_address(host, ec);
  if (ec) return reply;
  stream.connect(tcp::endpoint(address, at.port), ec);
  if (ec) return reply;
  reply.connected = true;
  return with_progress(dir, db_path, [&] {
    http::request<http::string_body> req{http::verb::post, "/api/v1/admin/backup", 11};
    req.set(http::field::host, host);
    req.set(http::field::authorization, "Bearer " + token);
    req.set(http::field::content_type, "application/json");
    req.body() = boost::json::serialize(boost::json::object{{"to", dir}});
    req.prepare_payload();
    http::write(stream, req, ec);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    if (!ec) http::read(stream, buffer, res, ec);
    if (ec) {
      reply.body = "{\"error\":\"" + ec.message() + "\"}";
      return reply;
    }
    reply.status = res.result_int();
    reply.body = res.body();
    return reply;
  });
}

std::string error_of(const std::string& body) {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (!ec && v.is_object() && v.as_object().contains("error") && v.as_object().at("error").is_string())
    return std::string(v.as_object().at("error").get_string());
  return body;
}

}  // namespace

int backup_command(const std::string& config_path, const std::string& to) {
  auto config = load_config(config_path);
  if (!config) {
    std::cerr << config.error().message << "\n";
    return 2;
  }
  const std::string dir = std::filesystem::absolute(to).lexically_normal().string();
  if (std::filesystem::exists(dir)) {
    std::cerr << "vigie backup: " << dir << " already exists; choose a new directory\n";
    return 2;
  }

  const TokenConfig* admin = nullptr;
  for (const auto& t : config->tokens)
    for (Role r : t.roles)
      if (r == Role::admin && !admin) admin = &t;
  auto listen = parse_listen(config->http.listen);
  if (listen && admin) {
    const Reply reply = ask_daemon(*listen, admin->token, dir, config->data_dir + "/db");
    if (reply.connected) {
      if (reply.status == 200) {
        std::cout << "backup written to " << dir << " (by the running daemon)\n";
        return 0;
      }
      std::cerr << "vigie backup: the running daemon refused (" << reply.status
                << "): " << error_of(reply.body) << "\n";
      return 1;
    }
  }

  storage::DatabaseOptions options;
  options.path = config->data_dir + "/db";
  if (!std::filesystem::exists(options.path)) {
    std::cerr << "vigie backup: no database at " << options.path << "\n";
    return 1;
  }
  auto db = storage::Database::open(options);
  if (!db) {
    std::cerr << "vigie backup: " << db.error().message
              << (admin
                      ? ""
                      : "\n(a running daemon can take the backup itself when the config has an admin token)")
              << "\n";
    return 1;
  }
  if (auto r = with_progress(dir, options.path, [&] { return (*db)->checkpoint(dir); }); !r) {
    std::cerr << "vigie backup: " << r.error().message << "\n";
    return 1;
  }
  std::cout << "backup written to " << dir << "\n";
  return 0;
}

}  // namespace vigie::daemon
