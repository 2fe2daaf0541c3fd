#include "storage/codec/page_cursor.h"

#include <array>

namespace vigie::storage {
namespace {

constexpr std::uint8_t kCursorVersion = 1;
constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<std::int8_t, 256> make_reverse() {
  std::array<std::int8_t, 256> r{};
  for (auto& v : r)
    v = -1;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i)
    r[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  return r;
}
constexpr auto kReverse = make_reverse();

}  // namespace

std::string base64url_encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const std::uint32_t v = (static_cast<unsigned char>(in[i]) << 16) |
                            (static_cast<unsigned char>(in[i + 1]) << 8) |
                            static_cast<unsigned char>(in[i + 2]);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  const std::size_t rest = in.size() - i;
  if (rest == 1) {
    const std::uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
  } else if (rest == 2) {
    const std::uint32_t v =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
  }
  return out;
}

bool base64url_decode(std::string_view text, std::string& out) {
  out.clear();
  if (text.size() % 4 == 1) return false;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = kReverse[static_cast<unsigned char>(c)];
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  // Canonical encodings leave the unused low bits zero; refusing others keeps one text per cursor.
  return (acc & ((1u << bits) - 1)) == 0;
}

std::string encode_page_cursor(CursorKind kind, std::string_view position) {
  std::string raw;
  raw.reserve(2 + position.size());
  raw.push_back(static_cast<char>(kCursorVersion));
  raw.push_back(static_cast<char>(kind));
  raw.append(position);
  return base64url_encode(raw);
}

Result<std::string> decode_page_cursor(CursorKind kind, std::string_view cursor) {
  std::string raw;
  if (!base64url_decode(cursor, raw) || raw.size() < 2 ||
      static_cast<std::uint8_t>(raw[0]) != kCursorVersion ||
      static_cast<std::uint8_t>(raw[1]) != static_cast<std::uint8_t>(kind)) {
    return error("storage: invalid cursor");
  }
  // in_place_value: a std::string would also construct an Error (an aggregate of one string).
  return Result<std::string>(boost::system::in_place_value, raw.substr(2));
}

}  // namespace vigie::storage
