#include "daemon/api/query_api.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "daemon/api/api_params.h"
#include "daemon/api/mention_json.h"
#include "rules/scored_post_json.h"

namespace vigie::daemon {
namespace {

namespace json = boost::json;

// Mentions a GET /api/v1/brands/{id}/top examines at most (newest first): about 60 ms for the whole request here; a wider
// window on a busy brand is answered over its newest part, with "truncated": true.
constexpr std::size_t kMaxTopScan = 50'000;

HttpResponse bad_request(const Error& e) {
  return json_error(http::status::bad_request, e.message);
}

HttpResponse storage_failure(const Error& e) {
  return json_error(http::status::internal_server_error, "storage: " + e.message);
}

// A Result whose error becomes a 400.
#define VIGIE_PARAM(var, expr) \
  auto var = (expr);           \
  if (!var) co_return bad_request(var.error())

// from, to, limit and cursor, shared by every paginated list: all time up to now by default.
struct PageWindow {
  Micros from = 0;
  Micros to = 0;
  std::size_t limit = 0;
  std::string cursor;
};

Result<PageWindow> page_window(const ApiParams& p) {
  const Micros now = now_micros();
  auto from = p.time("from", 0, now);
  if (!from) return from.error();
  auto to = p.time("to", now + 1, now);
  if (!to) return to.error();
  auto limit = p.integer("limit", 100, 1, storage::kMaxPageLimit);
  if (!limit) return limit.error();
  return PageWindow{*from, *to, static_cast<std::size_t>(*limit), p.get("cursor").value_or("")};
}

json::object page_json(json::array items, const std::string& next_cursor) {
  json::object o{{"items", std::move(items)}};
  o["next_cursor"] = next_cursor.empty() ? json::value(nullptr) : json::value(next_cursor);
  return o;
}

Result<std::optional<rules::Label>> sentiment_param(const ApiParams& p) {
  const auto s = p.get("sentiment");
  if (!s) return std::optional<rules::Label>();
  if (*s == "positive") return std::optional<rules::Label>(rules::Label::positive);
  if (*s == "neutral") return std::optional<rules::Label>(rules::Label::neutral);
  if (*s == "negative") return std::optional<rules::Label>(rules::Label::negative);
  return error("parameter 'sentiment': expected positive, neutral or negative, got '" + *s + "'");
}

// The strongest role of a token, as GET /api/v1/token names it: admin, else read, else ingest.
std::string_view main_role(const TokenConfig& t) {
  bool read = false;
  for (Role r : t.roles) {
    if (r == Role::admin) return "admin";
    read = read || r == Role::read;
  }
  return read ? "read" : "ingest";
}

std::string_view role_name(Role r) {
  switch (r) {
    case Role::read:
      return "read";
    case Role::ingest:
      return "ingest";
    case Role::admin:
      return "admin";
  }
  return "read";
}

// The brand named in the path, or nullptr.
const rules::Brand* find_brand(const rules::PostScorer& scorer, const std::string& id) {
  if (!scorer.rules()) return nullptr;
  for (const auto& b : scorer.rules()->brands())
    if (b.id == id) return &b;
  return nullptr;
}

}  // namespace

void add_query_routes(Router& router, const storage::PostQueries& db, CurrentScorer current) {
  router.add(
      http::verb::get, "/api/v1/posts", Access::read,
      [&db](RequestContext& ctx) -> net::awaitable<HttpResponse> {
        VIGIE_PARAM(p, ApiParams::read(ctx.query, {"from", "to", "platform", "source", "limit", "cursor"}));
        VIGIE_PARAM(w, page_window(*p));
        storage::PostQuery q{w->from, w->to, p->get("platform"), p->get("source"), w->limit, w->cursor};
        auto page = db.posts(q);
        if (!page) co_return bad_request(page.error());  // storage rejects only bad cursors here
        json::array items;
        for (const auto& sp : page->items)
          items.push_back(rules::scored_post_to_json(sp));
        co_return json_response(http::status::ok, page_json(std::move(items), page->next_cursor));
      });

  router.add(http::verb::get, "/api/v1/brands", Access::read,
             [&db, current](RequestContext& ctx) -> net::awaitable<HttpResponse> {
               VIGIE_PARAM(p, ApiParams::read(ctx.query, {}));
               const auto scorer = current();
               std::vector<std::string> ids;
               if (scorer->rules())
                 for (const auto& b : scorer->rules()->brands())
                   ids.push_back(b.id);
               auto counts = db.brand_counts(ids, now_micros());
               if (!counts) co_return storage_failure(counts.error());
               json::array items;
               for (std::size_t i = 0; i < ids.size(); ++i) {
                 const auto& c = (*counts)[i];
                 items.push_back(json::object{{"id", ids[i]},
                                              {"name", scorer->rules()->brands()[i].name},
                                              {"last_24h",
                                               {{"count", c.count},
                                                {"positive", c.positive},
                                                {"neutral", c.neutral},
                                                {"negative", c.negative},
                                                {"reach", c.reach}}}});
               }
               co_return json_response(http::status::ok, json::object{{"items", std::move(items)}});
             });

  router.add(http::verb::get, "/api/v1/brands/{id}/mentions", Access::read,
             [&db, current](RequestContext& ctx) -> net::awaitable<HttpResponse> {
               const auto scorer = current();
               if (!find_brand(*scorer, ctx.path_params[0]))
                 co_return json_error(http::status::not_found, "unknown brand '" + ctx.path_params[0] + "'");
               VIGIE_PARAM(p, ApiParams::read(ctx.query, {"from", "to", "sentiment", "min_followers", "lang",
                                                          "platform", "limit", "cursor"}));
               VIGIE_PARAM(w, page_window(*p));
               storage::MentionQuery q;
               q.brand = ctx.path_params[0];
               q.from = w->from;
               q.to = w->to;
               q.limit = w->limit;
               q.cursor = w->cursor;
               VIGIE_PARAM(sentiment, sentiment_param(*p));
               q.sentiment = *sentiment;
               if (p->get("min_followers")) {
                 VIGIE_PARAM(mf, p->integer("min_followers", 0, 0, INT64_MAX));
                 q.min_followers = *mf;
               }
               q.lang = p->get("lang");
               q.platform = p->get("platform");
               auto page = db.mentions(q);
               if (!page) co_return bad_request(page.error());
               json::array items;
               for (const auto& m : page->items)
                 items.push_back(mention_to_json(m));
               co_return json_response(http::status::ok, page_json(std::move(items), page->next_cursor));
             });

  router.add(http::verb::get, "/api/v1/brands/{id}/top", Access::read,
             [&db, current](RequestContext& ctx) -> net::awaitable<HttpResponse> {
               const auto scorer = current();
               if (!find_brand(*scorer, ctx.path_params[0]))
                 co_return json_error(http::status::not_found, "unknown brand '" + ctx.path_params[0] + "'");
               VIGIE_PARAM(p, ApiParams::read(ctx.query, {"from", "to", "sentiment", "limit"}));
               const Micros now = now_micros();
               storage::TopQuery q;
               q.brand = ctx.path_params[0];
               VIGIE_PARAM(to, p->time("to", now + 1, now));
               VIGIE_PARAM(from, p->time("from", *to - 24 * 3600 * kMicrosPerSecond, now));
               q.from = *from;
               q.to = *to;
               if (q.from >= q.to)
                 co_return json_error(http::status::bad_request, "parameter 'from': must be before 'to'");
               VIGIE_PARAM(sentiment, sentiment_param(*p));
               q.sentiment = *sentiment;
               VIGIE_PARAM(limit, p->integer("limit", 10, 1, 100));
               q.limit = static_cast<std::size_t>(*limit);
               q.max_scan = kMaxTopScan;
               auto top = db.top(q);
               if (!top) co_return storage_failure(top.error());
               json::object out{{"brand", q.brand},
                                {"from", format_rfc3339(q.from)},
                                {"to", format_rfc3339(q.to)},
                                {"authors", top_authors_json(*top)},
                                {"topics", top_topics_json(*top, scorer->rules())},
                                {"posts", top_posts_json(*top)},
                                {"examined", top->examined},
                                {"truncated", top->truncated}};
               out["examined_from"] = top->examined_from != 0
                                          ? json::value(format_rfc3339(top->examined_from))
                                          : json::value(nullptr);
               co_return json_response(http::status::ok, out);
             });

  router.add(http::verb::get, "/api/v1/token", Access::token,
             [](RequestContext& ctx) -> net::awaitable<HttpResponse> {
               VIGIE_PARAM(p, ApiParams::read(ctx.query, {}));
               json::array roles;
               for (Role r : ctx.token->roles)
                 roles.emplace_back(role_name(r));
               co_return json_response(http::status::ok, json::object{{"name", ctx.token->name},
                                                                      {"role", main_role(*ctx.token)},
                                                                      {"roles", std::move(roles)}});
             });

  router.add(
      http::verb::get, "/api/v1/brands/{id}/series", Access::read,
      [&db, current](RequestContext& ctx) -> net::awaitable<HttpResponse> {
        const auto scorer = current();
        if (!find_brand(*scorer, ctx.path_params[0]))
          co_return json_error(http::status::not_found, "unknown brand '" + ctx.path_params[0] + "'");
        VIGIE_PARAM(p, ApiParams::read(ctx.query, {"from", "to", "step"}));
        const Micros now = now_micros();
        storage::SeriesQuery q;
        q.brand = ctx.path_params[0];
        VIGIE_PARAM(to, p->time("to", now, now));
        VIGIE_PARAM(from, p->time("from", *to - 24 * 3600 * kMicrosPerSecond, now));
        q.from = *from;
        q.to = *to;
        if (q.from >= q.to)
          co_return json_error(http::status::bad_request, "parameter 'from': must be before 'to'");
        const std::string step = p->get("step").value_or("1h");
        auto parsed = storage::parse_series_step(step);
        if (!parsed)
          co_return json_error(http::status::bad_request,
                               "parameter 'step': expected 1m, 5m, 1h or 1d, got '" + step + "'");
        q.step = *parsed;
        auto series = db.series(q);
        if (!series) co_return bad_request(series.error());  // too many buckets
        json::array buckets;
        for (const auto& b : *series) {
          buckets.push_back(json::object{{"t", format_rfc3339(b.t)},
                                         {"count", b.count},
                                         {"positive", b.positive},
                                         {"neutral", b.neutral},
                                         {"negative", b.negative},
                                         {"mean_compound", std::round(b.mean_compound * 10000.0) / 10000.0},
                                         {"reach", b.reach}});
        }
        co_return json_response(http::status::ok, json::object{{"brand", q.brand},
                                                               {"step", step},
                                                               {"from", format_rfc3339(q.from)},
                                                               {"to", format_rfc3339(q.to)},
                                                               {"buckets", std::move(buckets)}});
      });
}

}  // namespace vigie::daemon
