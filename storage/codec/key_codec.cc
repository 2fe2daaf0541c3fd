#include "storage/codec/key_codec.h"

#include <limits>

namespace vigie::storage {
namespace {

// Flipping the sign bit maps int64 onto uint64 monotonically: INT64_MIN -> 0, -1 -> 0x7fff..., 0 -> 0x8000...
constexpr std::uint64_t kSignBit = std::uint64_t{1} << 63;

}  // namespace

void put_big_endian64(std::string& out, std::uint64_t v) {
  char b[8];
  for (int i = 7; i >= 0; --i) {
    b[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out.append(b, 8);
}

std::uint64_t get_big_endian64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

void put_ordered_time(std::string& out, Micros t) {
  put_big_endian64(out, static_cast<std::uint64_t>(t) ^ kSignBit);
}

void put_ordered_time(char* p, Micros t) {
  std::uint64_t v = static_cast<std::uint64_t>(t) ^ kSignBit;
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
}

Micros get_ordered_time(const char* p) {
  return static_cast<Micros>(get_big_endian64(p) ^ kSignBit);
}

std::string post_time_key(Micros created_at, std::string_view uid) {
  std::string k;
  post_time_key(created_at, uid, k);
  return k;
}

void post_time_key(Micros created_at, std::string_view uid, std::string& out) {
  out.clear();
  out.reserve(kTimeBytes + uid.size());
  put_ordered_time(out, created_at);
  out.append(uid);
}

std::string post_time_bound(Micros t) {
  std::string k;
  put_ordered_time(k, t);
  return k;
}

std::optional<TimeUid> decode_post_time_key(std::string_view key) {
  if (key.size() < kTimeBytes) return std::nullopt;
  return TimeUid{get_ordered_time(key.data()), key.substr(kTimeBytes)};
}

bool valid_brand_id(std::string_view brand) {
  return !brand.empty() && brand.size() <= kMaxBrandIdBytes;
}

std::string brand_prefix(std::string_view brand) {
  std::string k;
  k.reserve(1 + brand.size());
  k.push_back(static_cast<char>(brand.size()));
  k.append(brand);
  return k;
}

std::string mention_key(std::string_view brand, Micros created_at, std::string_view uid) {
  std::string k;
  mention_key(brand, created_at, uid, k);
  return k;
}

void mention_key(std::string_view brand, Micros created_at, std::string_view uid, std::string& out) {
  out.clear();
  out.reserve(1 + brand.size() + kTimeBytes + uid.size());
  out.push_back(static_cast<char>(brand.size()));
  out.append(brand);
  put_ordered_time(out, created_at);
  out.append(uid);
}

std::string mention_bound(std::string_view brand, Micros t) {
  std::string k = brand_prefix(brand);
  put_ordered_time(k, t);
  return k;
}

namespace {

// Splits `len, brand, time` off the front of key; nullopt when the key is shorter than its length byte says.
std::optional<BrandTime> split_brand_time(std::string_view key, std::string_view* rest) {
  if (key.empty()) return std::nullopt;
  const std::size_t n = static_cast<unsigned char>(key[0]);
  if (key.size() < 1 + n + kTimeBytes) return std::nullopt;
  BrandTime out{key.substr(1, n), get_ordered_time(key.data() + 1 + n)};
  if (rest) *rest = key.substr(1 + n + kTimeBytes);
  return out;
}

}  // namespace

std::optional<BrandTimeUid> decode_mention_key(std::string_view key) {
  std::string_view rest;
  const auto bt = split_brand_time(key, &rest);
  if (!bt) return std::nullopt;
  return BrandTimeUid{bt->brand, bt->time, rest};
}

Micros floor_to(Micros t, Micros step) {
  Micros q = t / step;
  if (t % step != 0 && t < 0) --q;  // C++ division truncates toward zero
  // Near INT64_MIN the floor is not representable; saturate instead of overflowing.
  const __int128 f = static_cast<__int128>(q) * step;
  return f < std::numeric_limits<Micros>::min() ? std::numeric_limits<Micros>::min() : static_cast<Micros>(f);
}

Micros minute_start(Micros t) {
  return floor_to(t, kMicrosPerMinute);
}

std::string series_key(std::string_view brand, Micros minute) {
  return mention_bound(brand, minute);
}

void series_key(std::string_view brand, Micros minute, std::string& out) {
  mention_key(brand, minute, {}, out);
}

std::optional<BrandTime> decode_series_key(std::string_view key) {
  std::string_view rest;
  const auto bt = split_brand_time(key, &rest);
  if (!bt || !rest.empty()) return std::nullopt;
  return bt;
}

std::optional<Micros> time_of_post_time_key(std::string_view key) {
  if (key.size() < kTimeBytes) return std::nullopt;
  return get_ordered_time(key.data());
}

std::optional<Micros> time_of_brand_time_key(std::string_view key) {
  const auto bt = split_brand_time(key, nullptr);
  if (!bt) return std::nullopt;
  return bt->time;
}

std::string incident_event_key(std::uint64_t incident_id, Micros t, std::uint64_t seq) {
  std::string k;
  k.reserve(8 + kTimeBytes + 8);
  put_big_endian64(k, incident_id);
  put_ordered_time(k, t);
  put_big_endian64(k, seq);
  return k;
}

std::optional<IncidentEventKey> decode_incident_event_key(std::string_view key) {
  if (key.size() != 8 + kTimeBytes + 8) return std::nullopt;
  return IncidentEventKey{get_big_endian64(key.data()), get_ordered_time(key.data() + 8),
                          get_big_endian64(key.data() + 8 + kTimeBytes)};
}

std::string delivery_key(std::uint64_t incident_id, std::uint64_t seq) {
  std::string k;
  k.reserve(16);
  put_big_endian64(k, incident_id);
  put_big_endian64(k, seq);
  return k;
}

std::optional<DeliveryKey> decode_delivery_key(std::string_view key) {
  if (key.size() != 16) return std::nullopt;
  return DeliveryKey{get_big_endian64(key.data()), get_big_endian64(key.data() + 8)};
}

std::string id_key(std::uint64_t id) {
  std::string k;
  put_big_endian64(k, id);
  return k;
}

std::optional<std::uint64_t> decode_id_key(std::string_view key) {
  if (key.size() != 8) return std::nullopt;
  return get_big_endian64(key.data());
}

}  // namespace vigie::storage
