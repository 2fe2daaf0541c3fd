// Building HTTP responses: JSON documents and JSON errors ({"error": "..."}), the only error shape the API
// uses.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace vigie::daemon {

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

HttpResponse json_response(http::status status, const boost::json::value& body);
HttpResponse json_error(http::status status, std::string_view message);
HttpResponse text_response(http::status status, std::string body, std::string_view content_type);

}  // namespace vigie::daemon
