#include "daemon/api/incident_api.h"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>

#include "daemon/api/api_params.h"
#include "daemon/api/incident_detail.h"
#include "daemon/notify/outbox_entry.h"

namespace vigie::daemon {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxNoteBytes = 16 * 1024;
// Of a person's name given with an action: room for "Firstname Lastname (role, team)".
constexpr std::size_t kMaxNameBytes = 200;

std::optional<std::uint64_t> parse_id(const std::string& s) {
  std::uint64_t v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size() || v == 0) return std::nullopt;
  return v;
}

// A dead letter's body as the API shows it: a PagerDuty routing key is a credential, never echoed.
std::string redacted(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("routing_key")) return body;
  v.as_object()["routing_key"] = "(redacted)";
  return json::serialize(v);
}

// The `cursor` of a list walked back by id: the last id seen; 0 (from the newest) when absent.
Result<std::uint64_t> id_cursor(const ApiParams& p) {
  const auto c = p.get("cursor");
  if (!c) return std::uint64_t{0};
  const auto id = parse_id(*c);
  if (!id) return error("parameter 'cursor': not a cursor of this list");
  return *id;
}

HttpResponse unknown_incident(const std::string& id) {
  return json_error(http::status::not_found, "unknown incident '" + id + "'");
}

HttpResponse action_response(const IncidentBook::ActionResult& r) {
  switch (r.error) {
    case IncidentBook::ActionError::none:
      return json_response(http::status::ok, incident_to_json(r.incident));
    case IncidentBook::ActionError::not_found:
      return json_error(http::status::not_found, r.message);
    case IncidentBook::ActionError::conflict:
      return json_error(http::status::conflict, r.message);
    case IncidentBook::ActionError::invalid:
      return json_error(http::status::bad_request, r.message);
    case IncidentBook::ActionError::storage:
      break;
  }
  return json_error(http::status::internal_server_error, "storage: " + r.message);
}

std::string actor_of(const RequestContext& ctx) {
  return ctx.token ? ctx.token->name : "anonymous";
}

// The request body as a JSON object; an empty body is an empty object.
Result<json::object> body_object(const RequestContext& ctx) {
  const std::string& body = ctx.request.body();
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return json::object();
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return error("request body: invalid JSON: " + ec.message());
  if (!v.is_object()) return error("request body: expected a JSON object");
  return std::move(v.as_object());
}

// The person named by `field` of an action's body ("by" of ack and resolve, "author" of notes): a non-empty
// string of at most kMaxNameBytes bytes, without control characters; the token's name when absent.
Result<std::string> person_of(const json::object& body, std::string_view field, const RequestContext& ctx) {
  const auto* v = body.if_contains(field);
  // in_place: Error is constructible from a string too.
  if (!v || v->is_null()) return Result<std::string>(boost::system::in_place_value, actor_of(ctx));
  const std::string where = "request body: '" + std::string(field) + "'";
  if (!v->is_string()) return error(where + ": expected a string (the person's name)");
  const std::string_view name = v->as_string();
  if (name.find_first_not_of(" \t") == std::string_view::npos)
    return error(where + ": must not be empty (omit it to use the token's name)");
  if (name.size() > kMaxNameBytes)
    return error(where + ": longer than " + std::to_string(kMaxNameBytes) + " bytes");
  for (const char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return error(where + ": must not hold control characters (line breaks, tabs)");
  }
  return Result<std::string>(boost::system::in_place_value, name);
}

}  // namespace

void add_incident_routes(Router& router, const storage::PostQueries& queries,
                         const storage::CrisisStore& crisis, const storage::Outbox& outbox,
                         IncidentBook& book, BrandCheck is_brand, CurrentScorer current) {
  router.add(
      http::verb::get, "/api/v1/incidents", Access::read,
      [&crisis](RequestContext& ctx) -> net::awaitable<HttpResponse> {
        auto p = ApiParams::read(ctx.query, {"status", "brand", "limit", "cursor"});
        if (!p) co_return json_error(http::status::bad_request, p.error().message);
        auto limit = p->integer("limit", 50, 1, 1000);
        if (!limit) co_return json_error(http::status::bad_request, limit.error().message);
        std::optional<IncidentStatus> status;
        bool active_only = false;
        if (auto s = p->get("status")) {
          active_only = *s == "active";
          status = parse_incident_status(*s);
          if (!status && !active_only) {
            co_return json_error(http::status::bad_request,
                                 "parameter 'status': expected open, escalated, acknowledged, resolved or "
                                 "active, got '" +
                                     *s + "'");
          }
        }
        const auto brand = p->get("brand");
        const auto cursor = id_cursor(*p);
        if (!cursor) co_return json_error(http::status::bad_request, cursor.error().message);
        std::uint64_t before = *cursor;
        // Filters are applied while walking back; a page examines at most 5,000 incidents and may then hold
        // fewer than `limit` items with a cursor to go on from: only a null cursor ends the walk.
        json::array items;
        std::uint64_t last = 0;  // id of the last incident examined
        bool more = false;
        for (int pages = 0; pages < 10; ++pages) {
          auto rows = crisis.incidents(before, 500);
          if (!rows)
            co_return json_error(http::status::internal_server_error, "storage: " + rows.error().message);
          for (const auto& r : *rows) {
            if (items.size() == static_cast<std::size_t>(*limit)) break;
            last = r.id;
            auto inc = decode_incident(r.id, r.value);
            if (!inc) continue;
            if (brand && inc->brand != *brand) continue;
            if (status && inc->status != *status) continue;
            if (active_only && !inc->active()) continue;
            items.push_back(incident_to_json(*inc));
          }
          // More may follow unless the walk reached the oldest incident (ids start at 1).
          more = last > 1 && (items.size() == static_cast<std::size_t>(*limit) || rows->size() == 500);
          if (items.size() == static_cast<std::size_t>(*limit) || rows->size() < 500) break;
          before = rows->back().id;
        }
        json::object out{{"items", std::move(items)}};
        out["next_cursor"] = more ? json::value(std::to_string(last)) : json::value(nullptr);
        co_return json_response(http::status::ok, out);
      });

  router.add(
      http::verb::get, "/api/v1/incidents/{id}", Access::read,
      [&queries, &crisis, current](RequestContext& ctx) -> net::awaitable<HttpResponse> {
        const auto id = parse_id(ctx.path_params[0]);
        if (!id) co_return unknown_incident(ctx.path_params[0]);
        auto stored = crisis.incident(*id);
        if (!stored)
          co_return json_error(http::status::internal_server_error, "storage: " + stored.error().message);
        if (!stored->has_value()) co_return unknown_incident(ctx.path_params[0]);
        auto inc = decode_incident(*id, **stored);
        if (!inc) co_return json_error(http::status::internal_server_error, inc.error().message);
        const auto scorer = current ? current() : nullptr;
        auto detail =
            incident_detail(queries, crisis, scorer ? scorer->rules() : nullptr, *inc, now_micros());
        if (!detail)
          co_return json_error(http::status::internal_server_error, "storage: " + detail.error().message);
        co_return json_response(http::status::ok, *detail);
      });

  const auto action =
      [&router, &book](
          const std::string& suffix,
          std::function<IncidentBook::ActionResult(std::uint64_t, RequestContext&, const json::object&)>
              act) {
        router.add(http::verb::post, "/api/v1/incidents/{id}/" + suffix, Access::admin,
                   [act](RequestContext& ctx) -> net::awaitable<HttpResponse> {
                     const auto id = parse_id(ctx.path_params[0]);
                     if (!id) co_return unknown_incident(ctx.path_params[0]);
                     auto body = body_object(ctx);
                     if (!body) co_return json_error(http::status::bad_request, body.error().message);
                     co_return action_response(act(*id, ctx, *body));
                   });
      };
  action("ack", [&book](std::uint64_t id, RequestContext& ctx, const json::object& body) {
    auto by = person_of(body, "by", ctx);
    if (!by) return IncidentBook::ActionResult{IncidentBook::ActionError::invalid, by.error().message, {}};
    return book.acknowledge(id, *by, actor_of(ctx));
  });
  action("resolve", [&book](std::uint64_t id, RequestContext& ctx, const json::object& body) {
    auto by = person_of(body, "by", ctx);
    if (!by) return IncidentBook::ActionResult{IncidentBook::ActionError::invalid, by.error().message, {}};
    return book.resolve(id, *by, actor_of(ctx));
  });
  action("notes", [&book](std::uint64_t id, RequestContext& ctx, const json::object& body) {
    const auto* text = body.if_contains("text");
    if (!text || !text->is_string() || text->as_string().empty()) {
      return IncidentBook::ActionResult{
          IncidentBook::ActionError::invalid, "request body: 'text' is required, a non-empty string", {}};
    }
    if (text->as_string().size() > kMaxNoteBytes) {
      return IncidentBook::ActionResult{
          IncidentBook::ActionError::invalid,
          "request body: 'text' is longer than " + std::to_string(kMaxNoteBytes) + " bytes",
          {}};
    }
    auto author = person_of(body, "author", ctx);
    if (!author)
      return IncidentBook::ActionResult{IncidentBook::ActionError::invalid, author.error().message, {}};
    return book.add_note(id, *author, std::string(text->as_string()), actor_of(ctx));
  });

  router.add(
      http::verb::get, "/api/v1/notifications/dead", Access::read,
      [&outbox](RequestContext& ctx) -> net::awaitable<HttpResponse> {
        auto p = ApiParams::read(ctx.query, {"limit", "cursor"});
        if (!p) co_return json_error(http::status::bad_request, p.error().message);
        auto limit = p->integer("limit", 100, 1, 1000);
        if (!limit) co_return json_error(http::status::bad_request, limit.error().message);
        const auto cursor = id_cursor(*p);
        if (!cursor) co_return json_error(http::status::bad_request, cursor.error().message);
        std::uint64_t before = *cursor;
        auto rows = outbox.dead_letters(before, static_cast<std::size_t>(*limit));
        if (!rows)
          co_return json_error(http::status::internal_server_error, "storage: " + rows.error().message);
        json::array items;
        for (const auto& r : *rows) {
          auto n = decode_notification(r.value);
          if (!n) {
            items.push_back(json::object{{"seq", std::to_string(r.seq)}, {"error", n.error().message}});
            continue;
          }
          items.push_back(json::object{{"seq", std::to_string(r.seq)},
                                       {"notifier", n->notifier},
                                       {"webhook_id", n->webhook_id},
                                       {"type", to_string(n->type)},
                                       {"incident", std::to_string(n->incident_id)},
                                       {"created_at", format_rfc3339(n->created_at)},
                                       {"dead_at", format_rfc3339(n->dead_at)},
                                       {"attempts", n->attempts},
                                       {"last_status", n->last_status},
                                       {"last_error", n->last_error},
                                       {"body", redacted(n->body)}});
        }
        json::object out{{"items", std::move(items)}};
        out["next_cursor"] = rows->size() == static_cast<std::size_t>(*limit) && rows->back().seq > 1
                                 ? json::value(std::to_string(rows->back().seq))
                                 : json::value(nullptr);
        co_return json_response(http::status::ok, out);
      });

  router.add(http::verb::get, "/api/v1/silences", Access::read,
             [&book](RequestContext&) -> net::awaitable<HttpResponse> {
               json::array items;
               for (const Silence& s : book.silences())
                 items.push_back(silence_to_json(s));
               co_return json_response(http::status::ok, json::object{{"items", std::move(items)}});
             });
  router.add(
      http::verb::post, "/api/v1/silences", Access::admin,
      [&book, is_brand](RequestContext& ctx) -> net::awaitable<HttpResponse> {
        auto body = body_object(ctx);
        if (!body) co_return json_error(http::status::bad_request, body.error().message);
        auto s = silence_from_json(*body, now_micros());
        if (!s) co_return json_error(http::status::bad_request, s.error().message);
        if (!s->brand.empty() && !is_brand(s->brand))
          co_return json_error(http::status::bad_request, "field 'brand': unknown brand '" + s->brand + "'");
        s->created_by = actor_of(ctx);
        auto added = book.add_silence(std::move(*s));
        if (!added)
          co_return json_error(http::status::internal_server_error, "storage: " + added.error().message);
        co_return json_response(http::status::created, silence_to_json(*added));
      });
  router.add(
      http::verb::delete_, "/api/v1/silences/{id}", Access::admin,
      [&book](RequestContext& ctx) -> net::awaitable<HttpResponse> {
        const auto id = parse_id(ctx.path_params[0]);
        if (!id)
          co_return json_error(http::status::not_found, "unknown silence '" + ctx.path_params[0] + "'");
        auto removed = book.remove_silence(*id);
        if (!removed)
          co_return json_error(http::status::internal_server_error, "storage: " + removed.error().message);
        if (!*removed)
          co_return json_error(http::status::not_found, "unknown silence '" + ctx.path_params[0] + "'");
        co_return json_response(http::status::ok, json::object{{"removed", ctx.path_params[0]}});
      });
}

}  // namespace vigie::daemon
