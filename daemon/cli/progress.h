// Progress of a long command (replay, score, parse, backup) on stderr: posts (or bytes) done, their rate, and,
// when the input's size is known, how much of it is done and the time left. Only when stderr is a terminal: in
// a pipe, a log or a test, the command stays silent but for its own messages.
//
//   vigie replay: 1,234,567 posts  86,210 posts/s  62%  0:09 left
//   vigie backup: 1.2 GiB of 3.4 GiB, 12 files  118 MiB/s  35%  0:18 left
//
// Redrawn in place at most 4 times a second; the clock is read once every 1,024 posts, so a tick costs a
// counter increment.
#pragma once

#include <chrono>
#include <cstdint>
#include <istream>
#include <optional>
#include <string>

namespace vigie::daemon {

class Progress {
 public:
  enum class Unit { posts, bytes };

  // `input` is what the command reads (its position says how far it is; may be null when advance() says it);
  // `total_bytes` its size, 0 if unknown.
  // In Unit::bytes, the count is of bytes (set()), out of `total_bytes`.
  Progress(std::string command, std::istream* input, std::uint64_t total_bytes, bool enabled,
           Unit unit = Unit::posts);
  ~Progress();

  // Whether stderr is a terminal (progress is shown only then).
  static bool stderr_is_terminal();
  // The size of a regular file open on `fd` (0 for a pipe or a terminal).
  static std::uint64_t size_of_fd(int fd);

  void tick() {
    ++items_;
    if (enabled_ && (items_ & 1023) == 0) maybe_draw();
  }
  // `items` more done, and the input is consumed up to byte `position`: for a command that reads ahead of
  // what it has done (replay), whose input's own position would run ahead of the work.
  void advance(std::uint64_t items, std::uint64_t position) {
    const std::uint64_t before = items_;
    items_ += items;
    position_ = position;
    if (enabled_ && (before >> 10) != (items_ >> 10)) maybe_draw();
  }
  // Unit::bytes: `done` bytes so far, and what to say after them ("12 files"). Redraws if it is time.
  void set(std::uint64_t done, std::string note) {
    items_ = done;
    note_ = std::move(note);
    if (enabled_) maybe_draw();
  }
  // The final line ("vigie replay: 1,234,567 posts in 14.2 s, 86,941 posts/s"), once.
  void finish();

  std::uint64_t items() const { return items_; }

 private:
  void maybe_draw();
  void draw(bool final);

  std::string command_;
  std::istream* input_;
  std::uint64_t total_bytes_;
  bool enabled_;
  Unit unit_;
  bool finished_ = false;
  std::string note_;
  std::uint64_t items_ = 0;
  std::optional<std::uint64_t> position_;  // set by advance(); else the input's read position
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace vigie::daemon
