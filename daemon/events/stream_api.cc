#include "daemon/events/stream_api.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <mutex>

#include "daemon/api/api_params.h"
#include "ingest/base/json_text.h"

namespace vigie::daemon {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// Frames per write while replaying: few system calls, bounded buffer lists.
constexpr std::size_t kFramesPerWrite = 256;

// Between the subscription, made by the handler (so that a refused reader still gets a status), and the
// body, which runs once the head is sent: the hub's callbacks reach the stream through it.
struct Link {
  std::mutex mu;
  std::shared_ptr<ResponseStream> out;
  bool dropped = false;

  void wake() {
    std::lock_guard lock(mu);
    if (out) out->wake();
  }
  void drop() {
    std::lock_guard lock(mu);
    dropped = true;
    if (out) out->close();
  }
  void attach(ResponseStream& s) {
    std::lock_guard lock(mu);
    out = s.shared_from_this();
    if (dropped) out->close();
  }
};

net::awaitable<bool> send(ResponseStream& out, const std::vector<StreamEventPtr>& events) {
  std::vector<net::const_buffer> buffers;
  for (std::size_t i = 0; i < events.size();) {
    buffers.clear();
    for (; i < events.size() && buffers.size() < 3 * kFramesPerWrite; ++i) {
      buffers.push_back(net::buffer(StreamEvent::kIdField));
      buffers.push_back(net::buffer(events[i]->id));
      buffers.push_back(net::buffer(events[i]->body()));
    }
    if (!co_await out.write(buffers)) co_return false;
  }
  co_return true;
}

}  // namespace

EventHubOptions event_hub_options(const StreamConfig& config) {
  EventHubOptions o;
  o.replay = static_cast<std::size_t>(config.replay_events);
  o.client_queue = static_cast<std::size_t>(config.client_queue);
  o.max_clients = static_cast<std::size_t>(config.max_clients);
  return o;
}

void add_stream_route(Router& router, EventHub& hub, const StreamConfig& config,
                      std::function<bool(const std::string&)> is_brand) {
  router.add(
      http::verb::get, "/api/v1/stream", Access::read,
      [&hub, config, is_brand = std::move(is_brand)](RequestContext& ctx) -> net::awaitable<HttpResponse> {
        auto params = ApiParams::read(ctx.query, {"brand", "last_event_id"});
        if (!params) co_return json_error(http::status::bad_request, params.error().message);
        const std::string brand = params->get("brand").value_or("");
        if (params->get("brand") && !is_brand(brand))
          co_return json_error(http::status::not_found, "unknown brand '" + brand + "'");
        std::string last_id(ctx.request["Last-Event-ID"]);
        if (last_id.empty()) last_id = params->get("last_event_id").value_or("");

        auto link = std::make_shared<Link>();
        auto resume = std::make_shared<EventHub::Resume>();
        std::shared_ptr<EventHub::Subscription> sub = hub.subscribe(
            last_id, brand, [link] { link->wake(); }, [link] { link->drop(); }, *resume);
        if (!sub) {
          HttpResponse busy = json_error(http::status::service_unavailable,
                                         "too many stream readers (stream.max_clients); retry later");
          busy.set(http::field::retry_after, "5");
          co_return busy;
        }
        const std::string who = ctx.token ? ctx.token->name : "";
        ctx.stream = [&hub, config, link, sub, resume, who,
                      fresh = last_id.empty()](ResponseStream& out) -> net::awaitable<void> {
          link->attach(out);
          out.set_write_timeout(config.write_timeout);
          std::string first = "retry: 3000\n";
          if (fresh) first += "id: " + hub.event_id(resume->last) + "\n";
          first += "\n";
          if (!resume->reset.empty()) {
            first += "id: " + hub.event_id(resume->last) +
                     "\nevent: reset\ndata: " + ingest::json_text(json::object{{"reason", resume->reset}}) +
                     "\n\n";
          }
          bool open = co_await out.write(first);
          if (open) open = co_await send(out, resume->replay);
          // Resumed: the reader has now seen everything it follows up to the latest event at subscription,
          // whatever brand the replay's last event was of (a frame with an id and no data only sets the id).
          if (open && !fresh && resume->reset.empty()) {
            open = co_await out.write("id: " + hub.event_id(resume->last) + "\n\n");
          }
          resume->replay.clear();
          auto last_write = Clock::now();
          std::vector<StreamEventPtr> batch;
          std::uint64_t seen_through = resume->last;
          while (open) {
            if (!sub->take(batch, &seen_through)) {
              spdlog::warn("stream: reader '{}' dropped: more than {} events behind", who,
                           config.client_queue);
              break;
            }
            if (!batch.empty()) {
              open = co_await send(out, batch);
              batch.clear();
              last_write = Clock::now();
              continue;
            }
            const auto idle =
                std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - last_write);
            if (idle >= config.heartbeat) {
              // With the latest id: a reader of a quiet brand keeps an id that can be resumed from.
              open = co_await out.write(": heartbeat\nid: " + hub.event_id(seen_through) + "\n\n");
              last_write = Clock::now();
              continue;
            }
            open = co_await out.wait(config.heartbeat - idle);
          }
          if (out.timed_out()) {
            hub.count_timeout();
            spdlog::warn("stream: reader '{}' dropped: a write took more than {} ms", who,
                         config.write_timeout.count());
          }
        };
        HttpResponse head = text_response(http::status::ok, "", "text/event-stream");
        // Proxies that buffer responses (nginx) would hold events back.
        head.set("X-Accel-Buffering", "no");
        co_return head;
      });
}

}  // namespace vigie::daemon
