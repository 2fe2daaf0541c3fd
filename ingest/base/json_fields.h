// Typed access to optional members of a JSON object: the member, or nullptr when it is absent or of another
// type. Platform payloads omit and null fields freely; callers decide what a missing one means.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/string.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/base/result.h"

namespace vigie::ingest {

inline const boost::json::string* string_at(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v ? v->if_string() : nullptr;
}

// A string member's value, or `fallback` when absent or of another type.
inline std::string string_or(const boost::json::object& o, std::string_view key,
                             std::string_view fallback = {}) {
  const boost::json::string* s = string_at(o, key);
  return std::string(s ? std::string_view(*s) : fallback);
}

// An integer member's value (JSON numbers that fit int64), or `fallback`.
inline std::int64_t int64_or(const boost::json::object& o, std::string_view key, std::int64_t fallback = 0) {
  const boost::json::value* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : fallback;
}

inline const boost::json::object* object_at(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v ? v->if_object() : nullptr;
}

inline const boost::json::array* array_at(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v ? v->if_array() : nullptr;
}

// Parses one platform event (a few kilobytes of JSON) into a tree that lives in this object: a stack buffer,
// spilling to the heap only for unusually large events. Declare it where the event is handled; the value
// parse() returns is valid while the object lives. Not reusable: one event per object.
class EventJson {
 public:
  EventJson() : mr_(tree_, sizeof tree_), parser_(boost::json::storage_ptr(), {}, scratch_, sizeof scratch_) {
    parser_.reset(&mr_);
  }
  EventJson(const EventJson&) = delete;
  EventJson& operator=(const EventJson&) = delete;

  // The value, or "invalid JSON at byte N of M: why".
  Result<boost::json::value> parse(std::string_view text) {
    boost::system::error_code ec;
    const std::size_t used = parser_.write(text.data(), text.size(), ec);
    if (ec)
      return error("invalid JSON at byte " + std::to_string(used) + " of " + std::to_string(text.size()) +
                   ": " + ec.message());
    return parser_.release();
  }

 private:
  unsigned char tree_[16384];
  unsigned char scratch_[2048];
  boost::json::monotonic_resource mr_;
  boost::json::parser parser_;
};

}  // namespace vigie::ingest
