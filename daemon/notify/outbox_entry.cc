#include "daemon/notify/outbox_entry.h"

#include <openssl/rand.h>

#include <boost/json.hpp>
#include <random>

#include "ingest/base/json_text.h"

namespace vigie::daemon {
namespace {

namespace json = boost::json;

constexpr char kVersion = 1;

// The field `key` of `o` as `T`, or an error naming it.
template <class T>
Result<T> field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return error("outbox entry: missing '" + std::string(key) + "'");
  if constexpr (std::is_same_v<T, std::string>) {
    if (!v->is_string()) return error("outbox entry: '" + std::string(key) + "' is not a string");
    // in_place: Error is constructible from a string too.
    return Result<std::string>(boost::system::in_place_value, v->get_string());
  } else {
    boost::system::error_code ec;
    const T out = v->to_number<T>(ec);
    if (ec) return error("outbox entry: '" + std::string(key) + "' is not a number in range");
    return out;
  }
}

}  // namespace

std::string encode_notification(const Notification& n) {
  json::object o;
  o["notifier"] = n.notifier;
  o["webhook_id"] = n.webhook_id;
  o["type"] = to_string(n.type);
  o["incident"] = std::to_string(n.incident_id);
  o["content_type"] = n.content_type;
  o["body"] = n.body;
  o["created_at"] = n.created_at;
  o["attempts"] = n.attempts;
  o["next_attempt_at"] = n.next_attempt_at;
  o["last_status"] = n.last_status;
  o["last_error"] = n.last_error;
  o["dead_at"] = n.dead_at;
  o["updated_at"] = n.updated_at;
  std::string out(1, kVersion);
  ingest::append_json_text(out, o);
  return out;
}

std::string delivery_record(const Notification& n) {
  Notification r = n;
  r.body.clear();
  return encode_notification(r);
}

Result<Notification> decode_notification(std::string_view value) {
  if (value.empty()) return error("outbox entry: empty value");
  if (value[0] != kVersion)
    return error("outbox entry: unknown version " + std::to_string(static_cast<unsigned char>(value[0])) +
                 " (this build reads 1)");
  boost::system::error_code ec;
  json::value v = json::parse(value.substr(1), ec);
  if (ec) return error("outbox entry: malformed JSON: " + ec.message());
  if (!v.is_object()) return error("outbox entry: not a JSON object");
  const json::object& o = v.get_object();

  Notification n;
  auto notifier = field<std::string>(o, "notifier");
  if (!notifier) return notifier.error();
  n.notifier = std::move(*notifier);
  auto id = field<std::string>(o, "webhook_id");
  if (!id) return id.error();
  n.webhook_id = std::move(*id);
  auto type = field<std::string>(o, "type");
  if (!type) return type.error();
  auto t = parse_notice_type(*type);
  if (!t) return error("outbox entry: unknown type '" + *type + "'");
  n.type = *t;
  auto incident = field<std::string>(o, "incident");
  if (!incident) return incident.error();
  try {
    std::size_t used = 0;
    n.incident_id = std::stoull(*incident, &used);
    if (used != incident->size()) throw std::invalid_argument("trailing");
  } catch (const std::exception&) {
    return error("outbox entry: 'incident' is not an id");
  }
  auto ct = field<std::string>(o, "content_type");
  if (!ct) return ct.error();
  n.content_type = std::move(*ct);
  auto body = field<std::string>(o, "body");
  if (!body) return body.error();
  n.body = std::move(*body);
  auto created = field<std::int64_t>(o, "created_at");
  if (!created) return created.error();
  n.created_at = *created;
  auto attempts = field<std::uint32_t>(o, "attempts");
  if (!attempts) return attempts.error();
  n.attempts = *attempts;
  auto next = field<std::int64_t>(o, "next_attempt_at");
  if (!next) return next.error();
  n.next_attempt_at = *next;
  auto status = field<unsigned>(o, "last_status");
  if (!status) return status.error();
  n.last_status = *status;
  auto last_error = field<std::string>(o, "last_error");
  if (!last_error) return last_error.error();
  n.last_error = std::move(*last_error);
  auto dead = field<std::int64_t>(o, "dead_at");
  if (!dead) return dead.error();
  n.dead_at = *dead;
  if (o.contains("updated_at")) {  // absent from entries written before it was recorded
    auto updated = field<std::int64_t>(o, "updated_at");
    if (!updated) return updated.error();
    n.updated_at = *updated;
  }
  return n;
}

std::string make_webhook_id(std::uint64_t incident_id) {
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    // Uniqueness, not secrecy, is what matters here.
    std::random_device rd;
    for (auto& b : bytes)
      b = static_cast<unsigned char>(rd());
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "msg_" + std::to_string(incident_id) + "_";
  for (unsigned char b : bytes) {
    id += kHex[b >> 4];
    id += kHex[b & 0xF];
  }
  return id;
}

std::vector<std::string> notifications_for(const IncidentNotice& notice,
                                           std::span<const Notifier> notifiers) {
  std::vector<std::string> out;
  std::string webhook_id;
  for (const auto& notifier : notifiers) {
    if (!notifier.accepts(notice)) continue;
    if (webhook_id.empty()) webhook_id = make_webhook_id(notice.incident_id);
    RenderedNotice r = notifier.render(notice);
    Notification n;
    n.notifier = notifier.id();
    n.webhook_id = webhook_id;
    n.type = notice.type;
    n.incident_id = notice.incident_id;
    n.content_type = std::move(r.content_type);
    n.body = std::move(r.body);
    n.created_at = notice.sent_at != 0 ? notice.sent_at : now_micros();
    out.push_back(encode_notification(n));
  }
  return out;
}

}  // namespace vigie::daemon
