// Crisis detection as the daemon runs it: the incident book and the crisis engine over the daemon's database,
// fed by the pipeline after each stored batch, and ticked by a timer thread so that quiet periods, reminders
// and idle watermarks advance with nothing arriving. `vigie replay` uses the same service without the timer.
//
// Thread-safety: after_write() from the pipeline's writer thread, set_rules() from the control thread, book()
// from HTTP threads; the book and engine serialize themselves.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <unordered_map>

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
  // Posts just stored; errors are logged and counted (the signals of a failed step are kept for the next).
  void after_write(std::span<const rules::ScoredPost> posts);
  // Starts the timer thread (live daemon only); stop() joins it.
  void start_ticks(std::chrono::milliseconds period);
  void stop();
  // End of a replay.
  Result<void> finish();

  IncidentBook& book() { return *book_; }
  CrisisEngine& engine() { return *engine_; }

 private:
  CrisisService(storage::Database& db, CrisisServiceOptions options);
  void count(const Result<void>& r, const char* what);

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

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread ticker_;
};

}  // namespace vigie::daemon
