#include "daemon/http/http_response.h"

#include <boost/json/string.hpp>

#include "ingest/base/json_text.h"

namespace vigie::daemon {

HttpResponse text_response(http::status status, std::string body, std::string_view content_type) {
  HttpResponse res{status, 11};
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, "no-store");
  // A JSON answer is data, never a page: no browser may sniff it into HTML, nor send its URL on.
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

HttpResponse json_response(http::status status, const boost::json::value& body) {
  return text_response(status, ingest::json_text(body) + "\n", "application/json");
}

HttpResponse json_error(http::status status, std::string_view message) {
  return text_response(status, "{\"error\":" + ingest::json_text(boost::json::string(message)) + "}\n",
                       "application/json");
}

}  // namespace vigie::daemon
