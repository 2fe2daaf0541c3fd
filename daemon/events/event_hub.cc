#include "daemon/events/event_hub.h"

#include <algorithm>
#include <charconv>
#include <random>
#include <utility>

namespace vigie::daemon {
namespace {

// Random, so that a restart (which starts seq again from 1) never gives an old id a new meaning.
std::string new_boot_id() {
  std::random_device rd;
  const std::uint64_t r = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(12, '0');
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = kHex[(r >> (4 * i)) & 0xf];
  return out;
}

// "\nevent: <type>\ndata: <data>\n\n": a frame without its id field.
std::string body_of(std::string_view type, std::string_view data) {
  std::string f;
  f.reserve(type.size() + data.size() + 20);
  f.append("\nevent: ").append(type).append("\n");
  // SSE ends a field at a line break: data holding one (never JSON as Vigie writes it) goes as several lines,
  // which the reader joins back with "\n".
  std::size_t pos = 0;
  for (;;) {
    const std::size_t nl = data.find_first_of("\r\n", pos);
    f.append("data: ").append(data.substr(pos, nl == std::string_view::npos ? nl : nl - pos)).append("\n");
    if (nl == std::string_view::npos) break;
    pos = nl + (data.compare(nl, 2, "\r\n") == 0 ? 2 : 1);
  }
  f.append("\n");
  return f;
}

}  // namespace

EventHub::EventHub(EventHubOptions options, prometheus::Registry* registry)
    : options_(options), boot_(new_boot_id()) {
  ring_.resize(std::max<std::size_t>(options_.replay, 1));
  if (!registry) return;
  clients_ = &prometheus::BuildGauge()
                  .Name("vigie_stream_clients")
                  .Help("Readers of the event stream (GET /api/v1/stream) connected now")
                  .Register(*registry)
                  .Add({});
  events_ = &prometheus::BuildCounter()
                 .Name("vigie_stream_events_total")
                 .Help("Events published to the event stream, by event (mention, incident)")
                 .Register(*registry);
  // Both exist from the start, so that a rate over the first event sees it go from 0 to 1.
  for (const char* type : {"mention", "incident"})
    events_by_type_.emplace(type, &events_->Add({{"event", type}}));
  auto& dropped =
      prometheus::BuildCounter()
          .Name("vigie_stream_dropped_total")
          .Help(
              "Event stream readers dropped for falling behind: queue (more than "
              "stream.client_queue events behind), timeout (a write outlived stream.write_timeout)")
          .Register(*registry);
  dropped_queue_ = &dropped.Add({{"reason", "queue"}});
  dropped_timeout_ = &dropped.Add({{"reason", "timeout"}});
}

prometheus::Counter* EventHub::events_counter(std::string_view type) {
  if (!events_) return nullptr;
  if (const auto it = events_by_type_.find(type); it != events_by_type_.end()) return it->second;
  return events_by_type_.emplace(std::string(type), &events_->Add({{"event", std::string(type)}}))
      .first->second;
}

const std::string& StreamEvent::body() const {
  std::call_once(made_, [this] {
    if (!data_) return;
    body_ = body_of(type, data_());
    data_ = nullptr;  // what it captured (a mention) is no longer needed
  });
  return body_;
}

void EventHub::publish(std::string_view type, std::string_view brand, std::string_view data) {
  // Built before taking the lock: under it, only the id and a pointer per reader.
  auto e = std::make_shared<StreamEvent>();
  e->type = type;
  e->brand = brand;
  e->body_ = body_of(type, data);
  std::vector<std::function<void()>> calls;
  add(std::move(e), calls);
  for (const auto& call : calls)
    call();
}

void EventHub::publish(std::string_view type, std::string_view brand, std::function<std::string()> data) {
  Batch one(*this);
  one.publish(type, brand, std::move(data));
}

void EventHub::Batch::publish(std::string_view type, std::string_view brand,
                              std::function<std::string()> data) {
  auto e = std::make_shared<StreamEvent>();
  e->type = type;
  e->brand = brand;
  e->data_ = std::move(data);
  hub_.add(std::move(e), calls_);
}

EventHub::Batch::~Batch() {
  for (const auto& call : calls_)
    call();
}

void EventHub::add(std::shared_ptr<StreamEvent> made, std::vector<std::function<void()>>& calls) {
  StreamEventPtr evicted;  // the oldest event, freed once the lock is released
  std::vector<StreamEventPtr> dropped_events;
  std::lock_guard lock(mu_);
  const std::uint64_t seq = last_seq_ + 1;
  made->seq = seq;
  made->id = event_id(seq);
  last_seq_ = seq;
  const StreamEventPtr e = std::move(made);
  evicted = std::exchange(ring_[seq % ring_.size()], e);
  if (prometheus::Counter* c = events_counter(e->type)) c->Increment();

  for (std::size_t i = 0; i < subscribers_.size();) {
    Subscription* s = subscribers_[i];
    if (!s->brand_.empty() && s->brand_ != e->brand) {
      ++i;
      continue;
    }
    const auto pushed = s->push(e);
    if (pushed != Subscription::Pushed::full) {
      // Only the first event queued wakes the reader: it takes them all at once.
      if (pushed == Subscription::Pushed::first && s->wake_) calls.push_back(s->wake_);
      ++i;
      continue;
    }
    // Full: this reader is further behind than it may be. Dropping it keeps the others and the publisher
    // going; it resumes with the last id it got when it reconnects.
    s->is_dropped_ = true;
    for (auto& slot : s->queue_)
      if (slot) dropped_events.push_back(std::move(slot));
    s->size_ = 0;
    subscribers_.erase(subscribers_.begin() + static_cast<std::ptrdiff_t>(i));
    ++dropped_;
    if (dropped_queue_) dropped_queue_->Increment();
    if (s->dropped_) calls.push_back(s->dropped_);
  }
}

std::unique_ptr<EventHub::Subscription> EventHub::subscribe(std::string_view last_event_id, std::string brand,
                                                            std::function<void()> wake,
                                                            std::function<void()> dropped, Resume& resume) {
  resume = Resume{};
  std::lock_guard lock(mu_);
  if (subscribers_.size() >= options_.max_clients) return nullptr;
  resume.last = last_seq_;
  if (!last_event_id.empty()) {
    const std::size_t dash = last_event_id.rfind('-');
    std::uint64_t seq = 0;
    const char* end = last_event_id.data() + last_event_id.size();
    const bool parsed = dash != std::string_view::npos && dash + 1 < last_event_id.size() &&
                        std::from_chars(last_event_id.data() + dash + 1, end, seq).ptr == end;
    const std::uint64_t kept = std::min<std::uint64_t>(last_seq_, ring_.size());
    const std::uint64_t oldest = last_seq_ - kept + 1;  // the oldest seq kept
    if (!parsed) {
      resume.reset = "malformed event id (expected <boot>-<seq>)";
    } else if (last_event_id.substr(0, dash) != boot_) {
      resume.reset = "the event id is from an earlier run of Vigie";
    } else if (seq > last_seq_) {
      resume.reset = "unknown event id (no such event yet)";
    } else if (seq + 1 < oldest) {
      resume.reset = "the events after that id are no longer kept";
    } else {
      // At most `replay` pointers copied under the lock (the ring's size bounds it).
      resume.replay.reserve(static_cast<std::size_t>(last_seq_ - seq));
      for (std::uint64_t s = seq + 1; s <= last_seq_; ++s) {
        const StreamEventPtr& e = ring_[s % ring_.size()];
        if (brand.empty() || e->brand == brand) resume.replay.push_back(e);
      }
    }
  }
  std::unique_ptr<Subscription> sub(new Subscription(*this, std::move(brand),
                                                     std::max<std::size_t>(options_.client_queue, 1),
                                                     std::move(wake), std::move(dropped)));
  subscribers_.push_back(sub.get());
  if (clients_) clients_->Increment();
  return sub;
}

void EventHub::leave(Subscription* s) {
  std::lock_guard lock(mu_);
  std::erase(subscribers_, s);
  if (clients_) clients_->Decrement();
}

void EventHub::count_timeout() {
  std::lock_guard lock(mu_);
  ++dropped_;
  if (dropped_timeout_) dropped_timeout_->Increment();
}

std::size_t EventHub::subscribers() const {
  std::lock_guard lock(mu_);
  return subscribers_.size();
}

std::uint64_t EventHub::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

EventHub::Subscription::Subscription(EventHub& hub, std::string brand, std::size_t capacity,
                                     std::function<void()> wake, std::function<void()> dropped)
    : hub_(hub), brand_(std::move(brand)), wake_(std::move(wake)), dropped_(std::move(dropped)) {
  queue_.resize(capacity);
}

EventHub::Subscription::~Subscription() {
  hub_.leave(this);
}

EventHub::Subscription::Pushed EventHub::Subscription::push(const StreamEventPtr& e) {
  if (size_ == queue_.size()) return Pushed::full;
  queue_[(head_ + size_) % queue_.size()] = e;
  ++size_;
  return size_ == 1 ? Pushed::first : Pushed::queued;
}

bool EventHub::Subscription::take(std::vector<StreamEventPtr>& out, std::uint64_t* seen_through) {
  out.clear();
  std::lock_guard lock(hub_.mu_);
  if (is_dropped_) return false;
  if (seen_through) *seen_through = hub_.last_seq_;
  out.reserve(size_);
  for (; size_ > 0; --size_) {
    out.push_back(std::move(queue_[head_]));
    head_ = (head_ + 1) % queue_.size();
  }
  return true;
}

}  // namespace vigie::daemon
