#include "daemon/api/push_api.h"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include "daemon/api/api_params.h"
#include "ingest/ndjson_posts.h"
#include "ingest/post_json.h"

namespace vigie::daemon {
namespace {

namespace json = boost::json;

struct Parsed {
  std::vector<ingest::Post> posts;
  json::array rejected;
  std::size_t total = 0;
};

json::object rejection(const char* where, std::size_t n, const std::string& message) {
  return json::object{{where, n}, {"error", message}};
}

void parse_ndjson(std::string_view body, Micros now, Parsed& out) {
  ingest::NdjsonPosts reader(body);
  while (const auto line = reader.next()) {
    ++out.total;
    auto post = reader.post(now);
    if (!post) {
      out.rejected.push_back(rejection("line", line->number, post.error().message));
      continue;
    }
    out.posts.push_back(std::move(*post));
  }
}

Result<void> parse_json(std::string_view body, Micros now, Parsed& out) {
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec);
  if (ec) return error("invalid JSON: " + ec.message());
  if (doc.is_array()) {
    const json::array& items = doc.get_array();
    for (std::size_t i = 0; i < items.size(); ++i) {
      ++out.total;
      auto post = ingest::post_from_json(items[i], now);
      if (!post)
        out.rejected.push_back(rejection("index", i, post.error().message));
      else
        out.posts.push_back(std::move(*post));
    }
    return ok();
  }
  ++out.total;
  auto post = ingest::post_from_json(doc, now);
  if (!post)
    out.rejected.push_back(rejection("index", 0, post.error().message));
  else
    out.posts.push_back(std::move(*post));
  return ok();
}

HttpResponse retry_later(std::string_view message, int seconds) {
  HttpResponse res = json_error(http::status::service_unavailable, message);
  res.set(http::field::retry_after, std::to_string(seconds));
  return res;
}

}  // namespace

void add_push_routes(Router& router, Pipeline& pipeline, std::vector<PushSource> sources) {
  router.add(
      http::verb::post, "/api/v1/posts", Access::ingest,
      [&pipeline, sources = std::move(sources)](RequestContext& ctx) -> net::awaitable<HttpResponse> {
        if (sources.empty())
          co_return json_error(http::status::not_found, "no http_push source is configured");
        auto params = ApiParams::read(ctx.query, {"source"});
        if (!params) co_return json_error(http::status::bad_request, params.error().message);
        const PushSource* source = &sources.front();
        if (auto id = params->get("source")) {
          source = nullptr;
          for (const auto& s : sources)
            if (s.id == *id) source = &s;
          if (!source)
            co_return json_error(http::status::bad_request,
                                 "parameter 'source': no http_push source '" + *id + "'");
        }

        const Micros now = now_micros();
        Parsed parsed;
        const std::string_view type = ctx.request[http::field::content_type];
        const std::string& body = ctx.request.body();
        if (type.find("ndjson") != std::string_view::npos || type.find("jsonl") != std::string_view::npos) {
          parse_ndjson(body, now, parsed);
        } else if (auto r = parse_json(body, now, parsed); !r) {
          co_return json_error(http::status::bad_request, r.error().message);
        }
        source->metrics->malformed.Increment(static_cast<double>(parsed.rejected.size()));
        if (parsed.posts.empty()) {
          json::object o{{"error", parsed.total == 0 ? "no post in the body" : "no valid post in the body"},
                         {"rejected", std::move(parsed.rejected)}};
          co_return json_response(http::status::bad_request, o);
        }
        for (auto& p : parsed.posts)
          p.source = source->id;
        const double n = static_cast<double>(parsed.posts.size());
        // A named batch, not a temporary inside the co_await expression: g++ 12 mishandles class-type
        // temporaries there (destroys them twice).
        ingest::SourceBatch batch{source->id, std::move(parsed.posts), {}};
        const DurablePushResult r = co_await pipeline.try_push_durable(std::move(batch));
        switch (r.refusal) {
          case PushRefusal::saturated:
            co_return retry_later("ingest queue is full, retry later", 1);
          case PushRefusal::stopping:
            co_return retry_later("vigie is shutting down, retry later", 5);
          case PushRefusal::storage:
            co_return retry_later("storage is failing: " + r.message, 5);
          case PushRefusal::none:
            break;
        }
        source->metrics->posts.Increment(n);
        const std::size_t accepted = r.summary.inserted + r.summary.edited + r.summary.deleted;
        co_return json_response(http::status::accepted,
                                json::object{{"accepted", accepted},
                                             {"duplicates", r.summary.duplicates},
                                             {"rejected", std::move(parsed.rejected)}});
      });
}

}  // namespace vigie::daemon
