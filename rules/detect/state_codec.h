// Little-endian fixed-width fields for the persisted state of crisis detectors: the byte string is the same
// on every platform, and a reader that runs past the end turns !ok() instead of reading garbage, so that
// decoders check once, after the fields they read.
#pragma once

#include <bit>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigie::rules {

// Appends the low `n` bytes of `v`, least significant first.
inline void put_le(std::string& out, std::uint64_t v, int n) {
  for (int i = 0; i < n; ++i)
    out.push_back(static_cast<char>(v >> (8 * i)));
}

inline void put_double(std::string& out, double d) {
  put_le(out, std::bit_cast<std::uint64_t>(d), 8);
}

class StateWriter {
 public:
  void u8(std::uint8_t v) { put_le(out_, v, 1); }
  void u32(std::uint32_t v) { put_le(out_, v, 4); }
  void u64(std::uint64_t v) { put_le(out_, v, 8); }
  void i64(std::int64_t v) { put_le(out_, static_cast<std::uint64_t>(v), 8); }
  void f64(double v) { put_double(out_, v); }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class StateReader {
 public:
  explicit StateReader(std::string_view in) : in_(in) {}

  bool ok() const { return ok_; }
  bool at_end() const { return in_.empty(); }
  std::string_view rest() const { return in_; }

  // The next `n` bytes as a little-endian number; 0 (and !ok()) past the end.
  std::uint64_t get(int n) {
    if (!ok_ || in_.size() < static_cast<std::size_t>(n)) {
      ok_ = false;
      return 0;
    }
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i)
      v |= std::uint64_t{static_cast<unsigned char>(in_[i])} << (8 * i);
    in_.remove_prefix(static_cast<std::size_t>(n));
    return v;
  }
  std::uint64_t bytes(int n) { return get(n); }
  double get_double() { return std::bit_cast<double>(get(8)); }
  std::uint8_t u8() { return static_cast<std::uint8_t>(get(1)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(get(4)); }
  std::uint64_t u64() { return get(8); }
  std::int64_t i64() { return static_cast<std::int64_t>(get(8)); }
  double f64() { return get_double(); }
  // `n` raw bytes; empty (and !ok()) past the end.
  std::string_view take(std::size_t n) {
    if (!ok_ || in_.size() < n) {
      ok_ = false;
      return {};
    }
    const std::string_view out = in_.substr(0, n);
    in_.remove_prefix(n);
    return out;
  }

 private:
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace vigie::rules
