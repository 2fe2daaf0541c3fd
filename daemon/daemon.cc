#include "daemon/daemon.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include "daemon/api/incident_api.h"
#include "daemon/api/push_api.h"
#include "daemon/api/query_api.h"
#include "daemon/events/stream_api.h"
#include "daemon/events/stream_events.h"
#include "daemon/metrics/incident_metrics.h"
#include "daemon/metrics/storage_metrics.h"
#include "daemon/source_factory.h"
#include "daemon/version.h"
#include "daemon/web/web_routes.h"
#include "ingest/base/thread_name.h"

namespace vigie::daemon {
namespace {

std::optional<storage::DatabaseOptions> storage_options(const Config& config) {
  storage::DatabaseOptions o;
  o.path = config.data_dir + "/db";
  auto sync = storage::parse_sync_policy(config.storage.sync);
  if (!sync) return std::nullopt;
  o.sync = *sync;
  o.retention_days.posts = config.storage.posts_retention_days;
  o.retention_days.mentions = config.storage.mentions_retention_days;
  o.retention_days.series = config.storage.series_retention_days;
  return o;
}

std::string rules_summary(const rules::PostScorer& scorer) {
  return scorer.rules() ? scorer.rules()->summary() : "no rules";
}

}  // namespace

Daemon::Daemon(const Config& config) : config_(config), router_(metrics_, config.tokens) {
  reloads_ = &prometheus::BuildCounter()
                  .Name("vigie_rules_reload_total")
                  .Help("Rule reloads by outcome (success: new rules in force; error: old rules kept)")
                  .Register(metrics_.registry());
  // Both outcomes exist from the start, so that increase() over a failed reload sees it go from 0 to 1.
  reloads_->Add({{"outcome", "success"}});
  reloads_->Add({{"outcome", "error"}});
  reload_ok_ = &prometheus::BuildGauge()
                    .Name("vigie_rules_last_reload_successful")
                    .Help(
                        "1 when the rules in force come from the last reload (or from start-up), 0 when the "
                        "last reload failed and older rules stay in force")
                    .Register(metrics_.registry())
                    .Add({});
  reload_ok_->Set(1);
}

Daemon::~Daemon() {
  if (!stopped_) shutdown(std::chrono::milliseconds(0));
}

Result<std::unique_ptr<Daemon>> Daemon::start(const Config& config) {
  std::unique_ptr<Daemon> d(new Daemon(config));
  spdlog::info("vigie {} starting: config {}, data dir {}", kVersion, config.path, config.data_dir);

  std::error_code fec;
  std::filesystem::create_directories(config.data_dir, fec);
  if (fec) return error("data dir " + config.data_dir + ": " + fec.message());
  auto options = storage_options(config);
  if (!options) return error("storage.sync: unknown policy '" + config.storage.sync + "'");
  auto db = storage::Database::open(*options);
  if (!db) return db.error();
  d->db_ = std::move(*db);
  d->storage_collector_ = std::make_shared<StorageCollector>(*d->db_);
  d->metrics_.add_collectable(d->storage_collector_);

  auto scorer = rules::PostScorer::load(config.rules_file);
  if (!scorer) return scorer.error();
  spdlog::info("rules: {} ({})", config.rules_file.empty() ? "none configured" : config.rules_file,
               rules_summary(**scorer));
  d->scorer_.store(*scorer);
  d->rules_collector_ = std::make_shared<RulesCollector>(d->scorer_);
  d->metrics_.add_collectable(d->rules_collector_);
  d->metrics_.brands().set_rules((*scorer)->rules());
  if (!config.rules_file.empty()) {
    std::error_code ec;
    d->rules_mtime_ = std::filesystem::last_write_time(config.rules_file, ec);
  }

  // Before anything that publishes: the pipeline (mentions) and crisis detection (incident changes).
  d->events_ = std::make_unique<EventHub>(event_hub_options(config.stream), &d->metrics_.registry());
  d->pipeline_ = std::make_unique<Pipeline>(config.pipeline, d->db_->posts(), *scorer, d->metrics_);
  d->pipeline_->set_on_stored([hub = d->events_.get()](std::span<const rules::ScoredPost> posts,
                                                       std::span<const storage::PostOutcome> outcomes) {
    publish_mentions(*hub, posts, outcomes);
  });
  auto notifiers = read_notifiers(config.notifiers);
  if (!notifiers) return notifiers.error();
  d->notifiers_ = std::move(*notifiers);
  // Started before crisis detection, which may queue notifications as soon as it opens.
  d->delivery_ = std::make_unique<DeliveryWorker>(d->db_->outbox(), d->notifiers_, d->metrics_.delivery());
  if (auto r = d->delivery_->start(); !r) return r.error();
  spdlog::info("notifiers: {}", d->notifiers_.size());
  if (config.crisis.enabled) {
    auto crisis = CrisisService::open(*d->db_, *scorer, d->crisis_options(), &d->metrics_);
    if (!crisis) return crisis.error();
    d->crisis_ = std::move(*crisis);
    d->pipeline_->set_after_write(
        [c = d->crisis_.get()](std::vector<rules::ScoredPost>&& posts) { c->enqueue(std::move(posts)); });
    d->crisis_->start(std::chrono::seconds(5));
    d->incidents_collector_ = std::make_shared<IncidentsCollector>(d->crisis_->book(), d->metrics_.brands());
    d->metrics_.add_collectable(d->incidents_collector_);
  }
  d->pipeline_->start();

  auto sources = build_sources(config, d->metrics_.registry());
  if (!sources) return sources.error();
  d->sources_ = std::move(sources->active);

  auto listen = parse_listen(config.http.listen);
  if (!listen) return listen.error();
  d->add_routes();
  add_query_routes(d->router_, d->db_->queries(), [dp = d.get()] { return dp->scorer_.load(); });
  add_push_routes(d->router_, *d->pipeline_, std::move(sources->push));
  add_web_routes(d->router_);
  const auto is_brand = [dp = d.get()](const std::string& id) {
    const auto scorer = dp->scorer_.load();
    if (!scorer->rules()) return false;
    for (const auto& b : scorer->rules()->brands()) {
      if (b.id == id) return true;
    }
    return false;
  };
  if (d->crisis_) {
    add_incident_routes(d->router_, d->db_->queries(), d->db_->crisis(), d->db_->outbox(), d->crisis_->book(),
                        is_brand, [dp = d.get()] { return dp->scorer_.load(); });
  }
  add_stream_route(d->router_, *d->events_, config.stream, is_brand);
  d->http_ = std::make_unique<HttpServer>(
      config.http,
      [r = &d->router_](HttpRequest& req, StreamBody& stream) { return r->handle(req, stream); });
  auto port = d->http_->start(*listen);
  if (!port) return port.error();
  d->port_ = *port;
  spdlog::info("http: listening on {}:{} ({} threads)", listen->host, d->port_, config.http.threads);

  d->start_sources();
  d->ready_ = true;
  spdlog::info("vigie ready: {} sources", d->sources_.size());
  return d;
}

CrisisServiceOptions Daemon::crisis_options() const {
  CrisisServiceOptions o = daemon::crisis_options(config_.crisis);
  o.render = [this](const IncidentNotice& n) { return notifications_for(n, notifiers_); };
  o.notified = [this] { delivery_->wake(); };
  o.changed = [this](const Incident& incident, std::string_view change, Micros at,
                     const boost::json::object& entry) {
    publish_incident_change(*events_, incident, change, at, entry);
  };
  return o;
}

void Daemon::start_sources() {
  // Sources are I/O-bound coroutines; one thread runs them all.
  sources_ctx_ = std::make_unique<net::io_context>(1);
  for (auto& source : sources_) {
    auto cursor = db_->posts().cursor(source->id());
    std::string from;
    if (!cursor) {
      spdlog::error("source {}: cannot read its cursor, starting from the beginning: {}", source->id(),
                    cursor.error().message);
    } else if (*cursor) {
      from = **cursor;
    }
    spdlog::info("source {}: starting{}", source->id(), from.empty() ? "" : " from cursor " + from);
    net::co_spawn(*sources_ctx_, source->run(*pipeline_, from),
                  [id = std::string(source->id())](std::exception_ptr e) {
                    if (!e) return;
                    try {
                      std::rethrow_exception(e);
                    } catch (const std::exception& ex) {
                      spdlog::error("source {}: stopped by an exception: {}", id, ex.what());
                    }
                  });
  }
  sources_thread_ = std::thread([ctx = sources_ctx_.get()] {
    set_thread_name("vigie-sources");
    auto guard = net::make_work_guard(*ctx);
    ctx->run();
  });
}

void Daemon::add_routes() {
  const Access health = config_.http.open_health ? Access::open : Access::read;
  router_.add(http::verb::get, "/healthz", health, [](RequestContext&) -> net::awaitable<HttpResponse> {
    co_return json_response(http::status::ok, {{"status", "ok"}});
  });
  router_.add(http::verb::get, "/readyz", health, [this](RequestContext&) -> net::awaitable<HttpResponse> {
    if (!ready_) co_return json_response(http::status::service_unavailable, {{"status", "not ready"}});
    // A failed WAL fsync leaves storage refusing writes until a restart: take this instance out of rotation.
    if (auto w = db_->writable(); !w) {
      co_return json_response(http::status::service_unavailable,
                              {{"status", "storage failed"}, {"error", w.error().message}});
    }
    co_return json_response(http::status::ok, {{"status", "ready"}});
  });
  router_.add(http::verb::get, "/metrics", config_.http.open_metrics ? Access::open : Access::read,
              [this](RequestContext&) -> net::awaitable<HttpResponse> {
                co_return text_response(http::status::ok, metrics_.render(),
                                        "text/plain; version=0.0.4; charset=utf-8");
              });
  router_.add(http::verb::post, "/api/v1/admin/backup", Access::admin,
              [this](RequestContext& ctx) -> net::awaitable<HttpResponse> {
                boost::system::error_code ec;
                const auto body = boost::json::parse(ctx.request.body(), ec);
                if (ec || !body.is_object() || !body.as_object().contains("to") ||
                    !body.as_object().at("to").is_string())
                  co_return json_error(http::status::bad_request, "expected {\"to\": \"/absolute/new/dir\"}");
                const std::string to(body.as_object().at("to").get_string());
                if (!std::filesystem::path(to).is_absolute())
                  co_return json_error(http::status::bad_request, "'to' must be an absolute path");
                auto r = db_->checkpoint(to);
                if (!r) co_return json_error(http::status::internal_server_error, r.error().message);
                spdlog::info("backup: checkpoint written to {}", to);
                co_return json_response(http::status::ok, {{"path", to}});
              });
  router_.add(http::verb::get, "/api/v1/version", Access::read,
              [](RequestContext&) -> net::awaitable<HttpResponse> {
                co_return json_response(http::status::ok, {{"version", kVersion}, {"revision", kRevision}});
              });
}

void Daemon::reload_rules(const char* why) {
  if (config_.rules_file.empty()) {
    spdlog::info("{}: no rules file configured, nothing to reload", why);
    return;
  }
  // Compiling happens here, on the control thread: the writer keeps scoring with the old rules meanwhile.
  auto scorer = rules::PostScorer::load(config_.rules_file);
  if (!scorer) {
    reloads_->Add({{"outcome", "error"}}).Increment();
    reload_ok_->Set(0);
    spdlog::error("{}: rules not reloaded, the previous rules stay in force: {}", why,
                  scorer.error().message);
    return;
  }
  if (const rules::RuleSet* rs = (*scorer)->rules();
      rs && rs->brands().empty() && !rs->no_brands_on_purpose()) {
    reloads_->Add({{"outcome", "error"}}).Increment();
    reload_ok_->Set(0);
    spdlog::error(
        "{}: rules not reloaded, the previous rules stay in force: {} has no brands (empty or cut "
        "short?); a file meant to have none says 'brands: []'",
        why, config_.rules_file);
    return;
  }
  // Brand series first: the new brands' exist before the first post scored with them, and the removed ones'
  // are gone before (a post scored with the old rules meanwhile no longer counts for a brand removed).
  metrics_.brands().set_rules((*scorer)->rules());
  const std::shared_ptr<const rules::PostScorer> old = scorer_.exchange(*scorer);
  pipeline_->set_scorer(*scorer);
  if (crisis_) crisis_->set_scorer(*scorer);
  if (old) rules_collector_->retire(*old);
  reloads_->Add({{"outcome", "success"}}).Increment();
  reload_ok_->Set(1);
  spdlog::info("{}: rules reloaded from {} ({})", why, config_.rules_file, rules_summary(**scorer));
}

void Daemon::watch_rules_file() {
  if (config_.rules_file.empty()) return;
  // Polling survives editors that replace the file (rename over it), which would silence an inotify watch on
  // the old inode; every 2 s is quick enough for people editing rules.
  rules_watch_.expires_after(std::chrono::seconds(2));
  rules_watch_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    std::error_code fec;
    const auto mtime = std::filesystem::last_write_time(config_.rules_file, fec);
    if (!fec && mtime != rules_mtime_) {
      rules_mtime_ = mtime;
      reload_rules("rule file changed");
    }
    watch_rules_file();
  });
}

void Daemon::run_until_signal() {
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        if (sig == SIGHUP) {
          reload_rules("SIGHUP");
          signals_.async_wait(on_signal);
          return;
        }
        spdlog::info("received {}, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        control_.stop();
      };
  signals_.async_wait(on_signal);
  watch_rules_file();
  control_.run();
}

void Daemon::shutdown(std::chrono::milliseconds grace) {
  if (stopped_) return;
  stopped_ = true;
  ready_ = false;
  if (http_) http_->stop_accepting();
  if (sources_ctx_) {
    // Destroying the context destroys the suspended source coroutines; batches they already queued are
    // written.
    sources_ctx_->stop();
    if (sources_thread_.joinable()) sources_thread_.join();
    sources_ctx_.reset();
  }
  if (http_) http_->drain(grace);
  if (pipeline_) pipeline_->stop();
  if (crisis_) crisis_->stop();
  if (delivery_) delivery_->stop();
  if (storage_collector_) metrics_.remove_collectable(storage_collector_);
  if (rules_collector_) metrics_.remove_collectable(rules_collector_);
  if (incidents_collector_) metrics_.remove_collectable(incidents_collector_);
  db_.reset();
  spdlog::info("vigie stopped");
  spdlog::default_logger()->flush();
}

}  // namespace vigie::daemon
