// The live events behind GET /api/v1/stream: a bounded ring of the latest events, for readers that reconnect,
// and the readers subscribed now, each with a bounded queue.
//
// Ids: "<boot>-<seq>". `boot` names this run of the process (random hex, new at every start), `seq` counts
// events from 1. An id of another run, one that fell out of the ring, or a malformed one cannot be resumed
// from: the subscriber is told why (Resume::reset) and goes on with live events.
//
// Publishing never waits for a reader: an event's frame is made once (by publish(), or by its first reader),
// kept in the ring, and each matching subscriber gets a shared pointer to it (no copy, no allocation per
// subscriber). A subscriber whose queue is full (a reader that fell `client_queue` events behind) is dropped:
// its queue is emptied, its `dropped` callback runs, it gets nothing more, and vigie_stream_dropped_total
// counts it. It can reconnect with the last id it saw.
//
// Thread-safety: every method from any thread; one mutex, taken once per event. The subscribers' callbacks
// (`wake`, `dropped`) run on the publisher's thread once it released the lock (after the event, or at the end
// of a Batch), so that waking a reader (a post to its I/O thread) never holds up other readers or the next
// publish. A copy of the callback is called, which may run after its subscriber left: it must hold what it
// needs (a shared pointer), be quick and never block.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace vigie::daemon {

// One event as sent: kIdField + id + body(). The id is given under the hub's lock, the body apart from it, so
// a frame is sent in these three pieces.
class StreamEvent {
 public:
  std::uint64_t seq = 0;
  std::string type;   // the SSE event name: mention, incident
  std::string brand;  // for subscribers that follow one brand
  std::string id;     // "<boot>-<seq>"

  static constexpr std::string_view kIdField = "id: ";
  // "\nevent: ...\ndata: ...\n\n". An event published with a data maker gets its body on first use, once,
  // on the thread of the first reader that sends it (or that reads it in a test). Thread-safe.
  const std::string& body() const;

 private:
  friend class EventHub;
  mutable std::once_flag made_;
  mutable std::string body_;
  mutable std::function<std::string()> data_;  // null once the body is made
};
using StreamEventPtr = std::shared_ptr<const StreamEvent>;

struct EventHubOptions {
  std::size_t replay = 10'000;      // events kept for readers that resume (at least 1)
  std::size_t client_queue = 1024;  // events a reader may lag behind before it is dropped (at least 1)
  std::size_t max_clients = 100;    // subscribers at a time; more are refused
};

class EventHub {
 public:
  // `registry` may be null (no metrics).
  EventHub(EventHubOptions options, prometheus::Registry* registry);
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  const std::string& boot() const { return boot_; }
  std::string event_id(std::uint64_t seq) const { return boot_ + "-" + std::to_string(seq); }

  // `data` is one line of JSON (newlines in it are split into several data: lines, as SSE requires).
  void publish(std::string_view type, std::string_view brand, std::string_view data);
  // The same, with the data made only when a reader first sends the event: the publisher's thread (the
  // pipeline's writer) pays for a copy of what `data` captures, not for its JSON, and nobody pays for it while
  // nobody reads the stream.
  void publish(std::string_view type, std::string_view brand, std::function<std::string()> data);

  // Several events in a row (the mentions of one stored batch), with the readers woken once, when the batch
  // ends, instead of once per event: a reader that keeps up would otherwise be woken (a post to its I/O
  // thread, often a system call) for nearly every mention. Each event is published as publish() does, so the
  // events let go of by the ring are freed one by one as the next ones are made (cheap for the allocator).
  class Batch {
   public:
    explicit Batch(EventHub& hub) : hub_(hub) {}
    ~Batch();  // wakes the readers (and calls the drops) of the batch
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;
    void publish(std::string_view type, std::string_view brand, std::function<std::string()> data);

   private:
    EventHub& hub_;
    std::vector<std::function<void()>> calls_;
  };

  // One reader. Leaves the hub when destroyed; the hub must outlive it.
  class Subscription {
   public:
    ~Subscription();
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;

    // Moves the events queued since the last call into `out` (cleared first), oldest first. False once the
    // hub has dropped this subscriber. `seen_through`, when given, gets the seq of the latest event published
    // at that moment: this reader has then been given every event up to it that it follows (a reader of one
    // brand can send it as its last id, so that a quiet brand's reader does not fall out of the ring).
    bool take(std::vector<StreamEventPtr>& out, std::uint64_t* seen_through = nullptr);

   private:
    friend class EventHub;
    Subscription(EventHub& hub, std::string brand, std::size_t capacity, std::function<void()> wake,
                 std::function<void()> dropped);
    enum class Pushed : std::uint8_t { queued, first, full };  // first: the queue was empty (wake the reader)
    Pushed push(const StreamEventPtr& e);                      // with the hub's mutex held

    EventHub& hub_;
    std::string brand_;  // empty: every brand
    std::function<void()> wake_;
    std::function<void()> dropped_;
    // A ring of `capacity` slots, allocated once; guarded by the hub's mutex.
    std::vector<StreamEventPtr> queue_;
    std::size_t head_ = 0;
    std::size_t size_ = 0;
    bool is_dropped_ = false;
  };

  struct Resume {
    std::vector<StreamEventPtr> replay;  // the kept events after the id given, oldest first
    std::string reset;       // why the id given cannot be resumed from; empty when resumed (or none given)
    std::uint64_t last = 0;  // seq of the latest event when subscribing (0: none yet)
  };

  // Subscribes a reader of `brand`'s events (empty: all) that saw up to `last_event_id` (empty: none), and
  // fills `resume`: what it missed, or why that cannot be known. Atomic with publish(): every event is
  // either in the replay or queued, once. `wake` runs when the queue turns non-empty, `dropped` when the hub
  // drops the subscriber. Null when max_clients readers are subscribed already.
  std::unique_ptr<Subscription> subscribe(std::string_view last_event_id, std::string brand,
                                          std::function<void()> wake, std::function<void()> dropped,
                                          Resume& resume);

  // A reader ended by its write timeout (counted with the drops, reason "timeout").
  void count_timeout();

  std::size_t subscribers() const;
  std::uint64_t dropped() const;

 private:
  void leave(Subscription* s);
  // Publishes `e`; the callbacks it makes due are appended to `calls`, for the caller to run without the lock.
  void add(std::shared_ptr<StreamEvent> e, std::vector<std::function<void()>>& calls);
  prometheus::Counter* events_counter(std::string_view type);  // with mu_ held

  const EventHubOptions options_;
  const std::string boot_;

  mutable std::mutex mu_;
  std::vector<StreamEventPtr> ring_;  // seq s at ring_[s % replay]
  std::uint64_t last_seq_ = 0;
  std::vector<Subscription*> subscribers_;
  std::uint64_t dropped_ = 0;

  prometheus::Gauge* clients_ = nullptr;
  prometheus::Family<prometheus::Counter>* events_ = nullptr;
  std::map<std::string, prometheus::Counter*, std::less<>> events_by_type_;
  prometheus::Counter* dropped_queue_ = nullptr;
  prometheus::Counter* dropped_timeout_ = nullptr;
};

}  // namespace vigie::daemon
