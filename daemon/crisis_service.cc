#include "daemon/crisis_service.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "ingest/base/thread_name.h"

namespace vigie::daemon {
namespace {

Micros system_now() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The scorer's rule set, kept alive by the scorer; an empty set when no rule file is configured.
std::shared_ptr<const rules::RuleSet> rules_of(const std::shared_ptr<const rules::PostScorer>& scorer) {
  if (scorer && scorer->rules()) return std::shared_ptr<const rules::RuleSet>(scorer, scorer->rules());
  static const std::shared_ptr<const rules::RuleSet> empty = [] {
    rules::RuleSetSpec spec;
    return *rules::RuleSet::compile(std::move(spec));
  }();
  return empty;
}

// What the incident book asks of each brand, computed once per rule set: it asks on every step.
std::shared_ptr<const CrisisService::BrandSettings> settings_of(const rules::RuleSet& rules) {
  auto out = std::make_shared<CrisisService::BrandSettings>();
  for (const rules::Brand& b : rules.brands()) {
    const rules::DetectionOptions& o = rules.detection(b.id);
    BrandCrisisSettings s;
    s.name = b.name;
    s.quiet_period = o.quiet_period;
    s.repeat_interval = o.repeat_interval;
    out->emplace(b.id, std::move(s));
  }
  return out;
}

}  // namespace

CrisisServiceOptions crisis_options(const CrisisConfig& config) {
  const auto set = [](Micros& out, const std::optional<std::chrono::milliseconds>& d) {
    if (d) out = std::chrono::duration_cast<std::chrono::microseconds>(*d).count();
  };
  CrisisServiceOptions o;
  set(o.engine.allowed_lateness, config.allowed_lateness);
  set(o.engine.idle_timeout, config.idle_timeout);
  set(o.engine.max_trigger_age, config.max_trigger_age);
  o.public_url = config.public_url;
  o.group_by_detector = config.group_by.size() == 2;
  return o;
}

Result<std::unique_ptr<CrisisService>> CrisisService::open(storage::Database& db,
                                                           std::shared_ptr<const rules::PostScorer> scorer,
                                                           CrisisServiceOptions options, Metrics* metrics) {
  std::unique_ptr<CrisisService> s(new CrisisService(db, std::move(options)));
  s->scorer_.store(scorer);
  s->settings_.store(settings_of(*rules_of(scorer)));
  const IncidentGrouping grouping =
      s->options_.group_by_detector ? IncidentGrouping::by_brand_and_detector : IncidentGrouping::by_brand;
  auto book = IncidentBook::open(db.crisis(), *s, grouping);
  if (!book) return book.error();
  s->book_ = std::move(*book);
  auto engine = CrisisEngine::open(db.queries(), db.crisis(), *s->book_, s->options_.engine, rules_of(scorer),
                                   s->wall_now_());
  if (!engine) return engine.error();
  s->engine_ = std::move(*engine);

  if (metrics) {
    auto& reg = metrics->registry();
    s->brand_metrics_ = &metrics->brands();
    s->errors_ = &prometheus::BuildCounter()
                      .Name("vigie_crisis_errors_total")
                      .Help("Crisis detection steps that failed (storage errors); they are retried")
                      .Register(reg)
                      .Add({});
    s->active_ = &prometheus::BuildGauge()
                      .Name("vigie_incidents_active")
                      .Help("Incidents not resolved yet")
                      .Register(reg)
                      .Add({});
    s->queue_depth_ = &prometheus::BuildGauge()
                           .Name("vigie_crisis_queue_posts")
                           .Help("Stored posts waiting for crisis detection")
                           .Register(reg)
                           .Add({});
    s->watermark_ = &prometheus::BuildGauge()
                         .Name("vigie_crisis_watermark_seconds")
                         .Help("Event time up to which crisis detection has evaluated buckets (Unix seconds)")
                         .Register(reg)
                         .Add({});
  }
  return s;
}

CrisisService::CrisisService(storage::Database& db, CrisisServiceOptions options)
    : db_(db), options_(std::move(options)), wall_now_(options_.wall_now ? options_.wall_now : system_now) {}

CrisisService::~CrisisService() {
  stop();
}

BrandCrisisSettings CrisisService::settings(const std::string& brand) const {
  const auto settings = settings_.load();
  if (const auto it = settings->find(brand); it != settings->end()) return it->second;
  BrandCrisisSettings gone;
  gone.name = brand;
  gone.configured = false;
  return gone;
}

std::vector<std::string> CrisisService::render(const IncidentNotice& notice) {
  if (!options_.render) return {};
  if (options_.public_url.empty()) return options_.render(notice);
  IncidentNotice linked = notice;
  linked.link = options_.public_url + "/api/v1/incidents/" + std::to_string(notice.incident_id);
  return options_.render(linked);
}

std::vector<NoticePost> CrisisService::top_posts(const std::string& brand, Micros from, Micros to) const {
  return daemon::top_posts(db_.queries(), brand, from, to);
}

void CrisisService::notified() {
  if (options_.notified) options_.notified();
}

void CrisisService::observed(const Incident& incident, std::string_view event,
                             const rules::Finding* finding) {
  spdlog::info("incident {} {}: brand {}, severity {}: {}", incident.id, event, incident.brand,
               rules::to_string(incident.severity), finding ? finding->summary : incident.last_summary);
  if (brand_metrics_) brand_metrics_->incident_event(incident.brand, event);
  if (options_.observed) options_.observed(incident, event, finding);
}

void CrisisService::changed(const Incident& incident, std::string_view change, Micros at,
                            const boost::json::object& entry) {
  if (options_.changed) options_.changed(incident, change, at, entry);
}

void CrisisService::count(const Result<void>& r, const char* what) {
  if (!r) {
    spdlog::error("crisis: {}: {}", what, r.error().message);
    if (errors_) errors_->Increment();
  }
  if (active_) active_->Set(static_cast<double>(book_->active_count()));
  if (watermark_) watermark_->Set(static_cast<double>(engine_->watermark()) / kMicrosPerSecond);
}

void CrisisService::set_scorer(std::shared_ptr<const rules::PostScorer> scorer) {
  scorer_.store(scorer);
  settings_.store(settings_of(*rules_of(scorer)));
  engine_->set_rules(rules_of(scorer));
}

void CrisisService::after_write(std::span<const rules::ScoredPost> posts) {
  count(engine_->observe(posts, wall_now_()), "detection after a stored batch");
}

Result<void> CrisisService::finish() {
  auto r = engine_->finish();
  count(r, "end of replay");
  return r;
}

void CrisisService::start(std::chrono::milliseconds period) {
  {
    std::lock_guard lock(mu_);
    running_ = true;
  }
  thread_ = std::thread([this, period] {
    set_thread_name("vigie-crisis");
    run(period);
  });
}

void CrisisService::enqueue(std::vector<rules::ScoredPost> posts) {
  if (posts.empty()) return;
  std::unique_lock lock(mu_);
  if (!running_) {
    lock.unlock();
    after_write(posts);
    return;
  }
  // A batch larger than the whole queue still goes in when the queue is empty, or it would wait forever.
  room_.wait(lock, [&] { return queued_posts_ == 0 || queued_posts_ + posts.size() <= kMaxQueuedPosts; });
  if (queue_.empty()) first_queued_ = std::chrono::steady_clock::now();
  queued_posts_ += posts.size();
  if (queue_depth_) queue_depth_->Set(static_cast<double>(queued_posts_));
  queue_.push_back(std::move(posts));
  wake_.notify_one();
}

void CrisisService::run(std::chrono::milliseconds period) {
  auto next_tick = std::chrono::steady_clock::now() + period;
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait_until(lock, next_tick, [this] { return stopping_ || !queue_.empty(); });
    if (!queue_.empty()) {
      if (!stopping_ && queued_posts_ < kGatherPosts) {
        wake_.wait_until(lock, first_queued_ + kGather,
                         [this] { return stopping_ || queued_posts_ >= kGatherPosts; });
      }
      // Everything waiting, observed as one step, in commit order.
      std::deque<std::vector<rules::ScoredPost>> batches = std::move(queue_);
      queue_.clear();
      lock.unlock();
      std::vector<std::span<const rules::ScoredPost>> spans;
      std::size_t n = 0;
      for (const auto& b : batches) {
        spans.emplace_back(b);
        n += b.size();
      }
      count(engine_->observe(spans, wall_now_()), "detection after a stored batch");
      batches.clear();  // freed before the writer is told there is room
      lock.lock();
      queued_posts_ -= n;
      if (queue_depth_) queue_depth_->Set(static_cast<double>(queued_posts_));
      room_.notify_all();
      continue;  // drains the queue before stopping or ticking
    }
    if (stopping_) break;
    if (std::chrono::steady_clock::now() >= next_tick) {
      lock.unlock();
      count(engine_->tick(wall_now_()), "periodic detection");
      lock.lock();
      next_tick = std::chrono::steady_clock::now() + period;
    }
  }
  running_ = false;
}

void CrisisService::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace vigie::daemon
