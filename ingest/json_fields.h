// Typed access to optional members of a JSON object: the member, or nullptr when it is absent or of another
// type. Platform payloads omit and null fields freely; callers decide what a missing one means.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <string_view>

namespace vigie::ingest {

inline const boost::json::string* string_at(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v ? v->if_string() : nullptr;
}

inline const boost::json::object* object_at(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v ? v->if_object() : nullptr;
}

inline const boost::json::array* array_at(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v ? v->if_array() : nullptr;
}

}  // namespace vigie::ingest
