// Crisis detection as the daemon runs it: the incident book and the crisis engine over the daemon's database,
// fed by the pipeline with each stored batch, and ticked so that quiet periods, reminders and idle watermarks
// advance with nothing arriving. `vigie replay` uses the same service synchronously (after_write), without
// the detection thread.
//
// Live, detection runs on a thread of its own (start()): the pipeline's writer hands each durable batch over
// (enqueue()) and goes on committing, so a detection step that waits for its own fsync (an incident opened,
// its notifications queued) never holds up ingest. The hand-over is bounded (kMaxQueuedPosts): if detection
// falls behind, enqueue() waits for room, the pipeline's queue fills and pushes are refused with 503 rather
// than batches piling up in memory. Batches waiting together are observed in one step, so a detection that
// falls behind catches up with one commit for several batches. Posts acknowledged but not yet observed when the
// process is killed are not lost to detection: at start-up the engine checks the recent mentions again (the
// per-post detectors) and reads buckets from the stored series (the window detectors).
//
// Thread-safety: enqueue() from the pipeline's writer thread, after_write() from one thread (replay),
// set_scorer() from the control thread, book() from HTTP threads; the book and engine serialize themselves.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <unordered_map>
#include <vector>

#include "daemon/config/config.h"
#include "daemon/crisis/crisis_engine.h"
#include "daemon/crisis/incident_book.h"
#include "daemon/metrics/metrics.h"
#include "rules/post_scorer.h"
#include "storage/database.h"

namespace vigie::daemon {

struct CrisisServiceOptions {
  CrisisEngineOptions engine;
  std::string public_url;                                                 // for notice links; empty: none
  std::function<std::vector<std::string>(const IncidentNotice&)> render;  // outbox values of a notice
  std::function<void()> notified;  // after a commit that queued notifications
  std::function<void(const Incident&, std::string_view event, const rules::Finding*)> observed;
  // Each timeline entry people follow live (IncidentHost::changed): the event stream.
  std::function<void(const Incident&, std::string_view change, Micros at, const boost::json::object& entry)>
      changed;
  std::function<Micros()> wall_now;  // defaults to the system clock
  bool group_by_detector = false;    // incidents per brand and detector instead of per brand
};

// Hosts the incident book (daemon/crisis/incident_host.h): the brands' settings of the rules in force, notices
// rendered by the configured notifiers with a link to the incident, the top posts from the database.
// The config's crisis section as service options, for `vigie run` and `vigie replay` alike: engine timings
// (unset ones keep the engine's defaults), the public URL of notice links, the grouping of findings.
CrisisServiceOptions crisis_options(const CrisisConfig& config);

class CrisisService : private IncidentHost {
 public:
  using BrandSettings = std::unordered_map<std::string, BrandCrisisSettings>;

  // `rules` may be null (no rule file): no brand, nothing detected.
  static Result<std::unique_ptr<CrisisService>> open(storage::Database& db,
                                                     std::shared_ptr<const rules::PostScorer> scorer,
                                                     CrisisServiceOptions options, Metrics* metrics);
  ~CrisisService() override;

  void set_scorer(std::shared_ptr<const rules::PostScorer> scorer);
  // Posts just stored, observed now, on the calling thread; errors are logged and counted (the signals of a
  // failed step are kept for the next).
  void after_write(std::span<const rules::ScoredPost> posts);
  // Live: starts the detection thread, which observes enqueued batches in order and ticks every `period`.
  void start(std::chrono::milliseconds period);
  // Live: posts just stored, for the detection thread; waits while kMaxQueuedPosts are already waiting.
  // Observed at once, on the calling thread, when the thread is not running.
  void enqueue(std::vector<rules::ScoredPost> posts);
  // Observes everything enqueued, then joins the detection thread.
  void stop();

  static constexpr std::size_t kMaxQueuedPosts = 32768;
  // A step has a fixed cost whatever it holds (the detector states of its brands encoded, the incidents it
  // touched encoded whole, one durable write): under load the thread waits this long after a batch arrives, or
  // for this many posts, so that one step observes several of the writer's batches. A critical post is then
  // detected at most kGather later, well within the alerting budget (250 ms from acknowledgement to webhook).
  static constexpr std::chrono::milliseconds kGather{10};
  static constexpr std::size_t kGatherPosts = 8192;
  // End of a replay.
  Result<void> finish();

  IncidentBook& book() { return *book_; }
  CrisisEngine& engine() { return *engine_; }

 private:
  CrisisService(storage::Database& db, CrisisServiceOptions options);
  void count(const Result<void>& r, const char* what);
  void run(std::chrono::milliseconds period);  // the detection thread

  // IncidentHost
  BrandCrisisSettings settings(const std::string& brand) const override;
  std::vector<std::string> render(const IncidentNotice& notice) override;
  std::vector<NoticePost> top_posts(const std::string& brand, Micros from, Micros to) const override;
  Micros wall_now() const override { return wall_now_(); }
  void notified() override;
  void observed(const Incident& incident, std::string_view event, const rules::Finding* finding) override;
  void changed(const Incident& incident, std::string_view change, Micros at,
               const boost::json::object& entry) override;

  storage::Database& db_;
  CrisisServiceOptions options_;

  std::atomic<std::shared_ptr<const rules::PostScorer>> scorer_;  // keeps the engine's rule set alive
  std::atomic<std::shared_ptr<const BrandSettings>> settings_;    // of the rules in force
  std::unique_ptr<IncidentBook> book_;
  std::unique_ptr<CrisisEngine> engine_;
  std::function<Micros()> wall_now_;
  BrandMetrics* brand_metrics_ = nullptr;  // vigie_incident_events_total; null without metrics
  prometheus::Counter* errors_ = nullptr;
  prometheus::Gauge* active_ = nullptr;
  prometheus::Gauge* watermark_ = nullptr;
  prometheus::Gauge* queue_depth_ = nullptr;

  std::mutex mu_;
  std::condition_variable wake_;                        // the detection thread: work, or stopping
  std::condition_variable room_;                        // enqueue(): room in the queue
  std::deque<std::vector<rules::ScoredPost>> queue_;    // guarded by mu_
  std::size_t queued_posts_ = 0;                        // guarded by mu_
  std::chrono::steady_clock::time_point first_queued_;  // when the oldest waiting batch came; guarded by mu_
  bool running_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace vigie::daemon
