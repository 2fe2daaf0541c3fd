#include "daemon/events/stream_events.h"

#include <vector>

#include "daemon/api/mention_json.h"
#include "ingest/base/json_text.h"
#include "storage/codec/value_codec.h"

namespace vigie::daemon {

namespace json = boost::json;

void publish_mentions(EventHub& hub, std::span<const rules::ScoredPost> posts,
                      std::span<const storage::PostOutcome> outcomes) {
  const std::size_t n = std::min(posts.size(), outcomes.size());
  std::vector<std::string_view> brands;
  EventHub::Batch batch(hub);  // the readers are woken once, at the end
  for (std::size_t i = 0; i < n; ++i) {
    if (outcomes[i] != storage::PostOutcome::inserted) continue;
    rules::matched_brands(posts[i], brands);
    for (const std::string_view brand : brands)
      // The mention is copied here, its JSON made by the first reader that sends it (none: never).
      batch.publish("mention", brand,
                    std::function<std::string()>([m = storage::mention_of(posts[i], brand)] {
                      return ingest::json_text(mention_to_json(m));
                    }));
  }
}

void publish_incident_change(EventHub& hub, const Incident& incident, std::string_view change, Micros at,
                             const json::object& entry) {
  // The entry as GET /api/v1/incidents/{id} shows it in the timeline: its time first, then its fields.
  json::object e{{"at", format_rfc3339(at)}};
  for (const auto& kv : entry)
    e[kv.key()] = kv.value();
  const json::object data{
      {"event", change}, {"incident", incident_to_json(incident)}, {"entry", std::move(e)}};
  hub.publish("incident", incident.brand, ingest::json_text(data));
}

}  // namespace vigie::daemon
