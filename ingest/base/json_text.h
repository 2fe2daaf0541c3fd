// JSON text for output that people read: Boost.JSON 1.81 prints every double in exponent form ("-7.841E-1"),
// which is valid but hostile to anyone reading an API answer or piping `vigie score` into jq or a
// spreadsheet. This writer prints the shortest round-trip decimal ("-0.7841") and is otherwise the same.
//
// Non-finite doubles (which JSON cannot carry) are written as null.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace vigie::ingest {

void append_json_text(std::string& out, const boost::json::value& v);
std::string json_text(const boost::json::value& v);

// The same text for one string or one double, without building a value: for writers of many small objects
// (`vigie score` writes one a post) that would otherwise spend more time building values than printing them.
void append_json_string(std::string& out, std::string_view s);
void append_json_double(std::string& out, double d);

}  // namespace vigie::ingest
