// The running process: wires sources -> pipeline (scorer, storage) and the HTTP server, and tears them down
// in order.
//
// Start-up: storage, rules (a broken rule file stops start-up with its location), pipeline, HTTP server (so
// /healthz answers while sources start), sources; /readyz turns 200 once all are up.
// Shutdown (SIGTERM, SIGINT): stop accepting connections, stop sources, let in-flight requests finish (an
// HTTP push in flight is answered once durable), drain the queue into storage, close storage. Nothing
// acknowledged is lost. SIGHUP, or a change of the rule file on disk, recompiles the rules off the hot path
// and swaps them in whole; a broken file keeps the old rules.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <filesystem>
#include <memory>
#include <thread>

#include "daemon/config/config.h"
#include "daemon/crisis_service.h"
#include "daemon/events/event_hub.h"
#include "daemon/http/http_router.h"
#include "daemon/http/http_server.h"
#include "daemon/metrics/metrics.h"
#include "daemon/metrics/rules_metrics.h"
#include "daemon/notify/delivery_worker.h"
#include "daemon/pipeline.h"
#include "ingest/source.h"
#include "rules/post_scorer.h"
#include "storage/database.h"

namespace vigie::daemon {

class Daemon {
 public:
  // Starts everything; an error says which part failed and why.
  static Result<std::unique_ptr<Daemon>> start(const Config& config);
  ~Daemon();

  // Blocks until SIGTERM or SIGINT; handles SIGHUP and rule-file changes meanwhile.
  void run_until_signal();
  // Stops everything, giving in-flight requests up to `grace`.
  void shutdown(std::chrono::milliseconds grace);

  std::uint16_t port() const { return port_; }

 private:
  explicit Daemon(const Config& config);
  void add_routes();
  void reload_rules(const char* why);
  void watch_rules_file();
  void start_sources();
  CrisisServiceOptions crisis_options() const;

  Config config_;
  // Signals are caught from the very start, before any thread exists, so every thread inherits the handling.
  net::io_context control_;
  net::signal_set signals_{control_, SIGTERM, SIGINT, SIGHUP};
  net::steady_timer rules_watch_{control_};
  std::filesystem::file_time_type rules_mtime_{};

  Metrics metrics_;
  Router router_;
  std::unique_ptr<storage::Database> db_;
  std::shared_ptr<prometheus::Collectable> storage_collector_;
  // The scorer in force: read by HTTP threads (brand lists), replaced by reloads; the pipeline holds its own.
  std::atomic<std::shared_ptr<const rules::PostScorer>> scorer_;
  std::shared_ptr<RulesCollector> rules_collector_;
  // The event stream's hub: published to by the pipeline and crisis detection, read by the HTTP server's
  // streams; declared before them all, so it outlives them.
  std::unique_ptr<EventHub> events_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<CrisisService> crisis_;                         // null when crisis.enabled is false
  std::shared_ptr<prometheus::Collectable> incidents_collector_;  // with crisis_
  std::vector<Notifier> notifiers_;
  std::unique_ptr<DeliveryWorker> delivery_;
  std::unique_ptr<HttpServer> http_;

  std::vector<std::unique_ptr<ingest::Source>> sources_;
  std::unique_ptr<net::io_context> sources_ctx_;
  std::thread sources_thread_;

  prometheus::Family<prometheus::Counter>* reloads_ = nullptr;
  prometheus::Gauge* reload_ok_ = nullptr;
  std::uint16_t port_ = 0;
  std::atomic<bool> ready_{false};
  bool stopped_ = false;
};

}  // namespace vigie::daemon
