#include "daemon/cli/progress.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

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

Progress::Progress(std::string command, std::istream* input, std::uint64_t total_bytes, bool enabled)
    : command_(std::move(command)),
      input_(input),
      total_bytes_(total_bytes),
      enabled_(enabled),
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
  std::string line = "\r" + command_ + ": " + grouped(items_) + " posts";
  if (final) {
    char buf[64];
    std::snprintf(buf, sizeof buf, " in %.1f s, ", elapsed);
    line += buf + grouped(static_cast<std::uint64_t>(rate)) + " posts/s\n";
  } else {
    line += "  " + grouped(static_cast<std::uint64_t>(rate)) + " posts/s";
    // How far into the input: its read position, when it has one (a file; not a pipe).
    std::streamoff pos = -1;
    if (position_)
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
