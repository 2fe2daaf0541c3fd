#include "daemon/cli/progress.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iterator>

namespace vigie::daemon {
namespace {

// 1234567 -> "1,234,567".
std::string grouped(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// 1288490188 -> "1.2 GiB".
std::string bytes_text(double n) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  std::size_t u = 0;
  for (; n >= 1024 && u + 1 < std::size(kUnits); ++u)
    n /= 1024;
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 || n >= 100 ? "%.0f %s" : "%.1f %s", n, kUnits[u]);
  return buf;
}

std::string clock_text(double seconds) {
  const auto s = static_cast<long long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  return buf;
}

}  // namespace

Progress::Progress(std::string command, std::istream* input, std::uint64_t total_bytes, bool enabled,
                   Unit unit)
    : command_(std::move(command)),
      input_(input),
      total_bytes_(total_bytes),
      enabled_(enabled),
      unit_(unit),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() {
  finish();
}

bool Progress::stderr_is_terminal() {
  return ::isatty(STDERR_FILENO) == 1;
}

std::uint64_t Progress::size_of_fd(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  return static_cast<std::uint64_t>(st.st_size);
}

void Progress::maybe_draw() {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(250)) return;
  last_draw_ = now;
  draw(false);
}

void Progress::draw(bool final) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(items_) / elapsed : 0;
  const bool bytes = unit_ == Unit::bytes;
  std::string line = "\r" + command_ + ": ";
  if (bytes) {
    line += bytes_text(static_cast<double>(items_));
    if (!final && total_bytes_ > 0) line += " of " + bytes_text(static_cast<double>(total_bytes_));
    if (!note_.empty()) line += ", " + note_;
  } else {
    line += grouped(items_) + " posts";
  }
  const std::string rate_text =
      bytes ? bytes_text(rate) + "/s" : grouped(static_cast<std::uint64_t>(rate)) + " posts/s";
  if (final) {
    char buf[64];
    std::snprintf(buf, sizeof buf, " in %.1f s, ", elapsed);
    line += buf + rate_text + "\n";
  } else {
    line += "  " + rate_text;
    // How far into the input: what is done of a known size (bytes), or the input's read position, when it has
    // one (a file; not a pipe).
    std::streamoff pos = -1;
    if (bytes)
      pos = static_cast<std::streamoff>(items_);
    else if (position_)
      pos = static_cast<std::streamoff>(*position_);
    else if (input_ && total_bytes_ > 0 && input_->good())
      pos = input_->tellg();
    if (pos > 0 && total_bytes_ > 0) {
      const double done = std::min(1.0, static_cast<double>(pos) / static_cast<double>(total_bytes_));
      char buf[32];
      std::snprintf(buf, sizeof buf, "  %.0f%%", done * 100);
      line += buf;
      if (done > 0.01) line += "  " + clock_text(elapsed * (1 - done) / done) + " left";
    }
    line += "   ";  // over what a longer previous line left
  }
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  if (enabled_) draw(true);
}

}  // namespace vigie::daemon
