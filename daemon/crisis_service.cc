#include "daemon/crisis_service.h"

#include <spdlog/spdlog.h>

#include <chrono>

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

Result<std::unique_ptr<CrisisService>> CrisisService::open(storage::Database& db,
                                                           std::shared_ptr<const rules::PostScorer> scorer,
                                                           CrisisServiceOptions options, Metrics* metrics) {
  std::unique_ptr<CrisisService> s(new CrisisService());
  s->scorer_.store(scorer);
  s->wall_now_ = options.wall_now ? options.wall_now : system_now;
  CrisisService* self = s.get();

  IncidentBookHooks hooks;
  s->settings_.store(settings_of(*rules_of(scorer)));
  hooks.settings = [self](const std::string& brand) {
    const auto settings = self->settings_.load();
    if (const auto it = settings->find(brand); it != settings->end()) return it->second;
    BrandCrisisSettings gone;
    gone.name = brand;
    gone.configured = false;
    return gone;
  };
  if (options.render) {
    hooks.render = [render = options.render, url = options.public_url](const IncidentNotice& n) {
      if (url.empty()) return render(n);
      IncidentNotice linked = n;
      linked.link = url + "/api/v1/incidents/" + std::to_string(n.incident_id);
      return render(linked);
    };
  }
  hooks.top_posts = [&queries = db.queries()](const std::string& brand, Micros from, Micros to) {
    return top_posts(queries, brand, from, to);
  };
  hooks.wall_now = s->wall_now_;
  hooks.group_by_detector = options.group_by_detector;
  hooks.notified = options.notified;
  hooks.observed = [observed = options.observed](const Incident& i, std::string_view event,
                                                 const rules::Finding* f) {
    spdlog::info("incident {} {}: brand {}, severity {}: {}", i.id, event, i.brand,
                 rules::to_string(i.severity), f ? f->summary : i.last_summary);
    if (observed) observed(i, event, f);
  };
  auto book = IncidentBook::open(db.crisis(), std::move(hooks));
  if (!book) return book.error();
  s->book_ = std::move(*book);
  auto engine = CrisisEngine::open(db.queries(), db.crisis(), *s->book_, options.engine, rules_of(scorer),
                                   s->wall_now_());
  if (!engine) return engine.error();
  s->engine_ = std::move(*engine);

  if (metrics) {
    auto& reg = metrics->registry();
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
    s->watermark_ = &prometheus::BuildGauge()
                         .Name("vigie_crisis_watermark_seconds")
                         .Help("Event time up to which crisis detection has evaluated buckets (Unix seconds)")
                         .Register(reg)
                         .Add({});
  }
  return s;
}

CrisisService::~CrisisService() {
  stop();
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

void CrisisService::start_ticks(std::chrono::milliseconds period) {
  ticker_ = std::thread([this, period] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      wake_.wait_for(lock, period, [this] { return stopping_; });
      if (stopping_) break;
      lock.unlock();
      count(engine_->tick(wall_now_()), "periodic detection");
      lock.lock();
    }
  });
}

void CrisisService::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

}  // namespace vigie::daemon
