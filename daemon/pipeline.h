// The pipeline between sources and storage: a bounded queue, and one writer thread that stores each batch
// (posts, mentions, series, the source's cursor) in one atomic write. Posts pushed over HTTP arrive scored (on
// the HTTP threads); the writer scores the sources' batches.
//
// The writer does not wait for the disk between batches: it commits a batch (PostStore::commit), goes on
// scoring and committing the next ones while the WAL is synced, and finishes each batch (acknowledges a
// durable push, counts it and its brands' mentions, runs the on-stored and after-write hooks) once storage
// reports it durable, in commit order. At most kMaxUndurable batches wait for the disk at a time.
//
// Backpressure: the queue holds at most `queue_capacity` posts. push() suspends the calling source until
// there is room; try_push_durable() (HTTP push) refuses at once instead, so the API can answer 503 +
// Retry-After. Nothing queued is dropped: a failed storage write is retried with backoff until it succeeds or
// the pipeline stops; stop() writes everything queued before returning.
//
// Thread-safety: push() and try_push_durable() from any thread or coroutine; set_scorer() from any thread.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>

#include "daemon/config/config.h"
#include "daemon/metrics/metrics.h"
#include "ingest/source.h"
#include "rules/scorer.h"
#include "storage/posts/post_store.h"

namespace vigie::daemon {

namespace net = boost::asio;

// Why a durable push did not happen.
enum class PushRefusal : std::uint8_t { none, saturated, stopping, storage };

struct DurablePushResult {
  PushRefusal refusal = PushRefusal::none;
  storage::WriteSummary summary;  // when refusal == none
  std::string message;            // when refused
};

class Pipeline final : public ingest::PostSink {
 public:
  Pipeline(const PipelineConfig& config, storage::PostStore& store,
           std::shared_ptr<const rules::Scorer> scorer, Metrics& metrics);
  ~Pipeline() override;

  void start();
  // Stops taking batches, writes everything already queued, and joins the writer.
  void stop();

  // Batches scored after this call use `scorer`; a batch is always scored by one scorer.
  void set_scorer(std::shared_ptr<const rules::Scorer> scorer);

  // Called on the writer thread with each batch once it is durable, in commit order, last (crisis detection:
  // it takes the posts, to hand them to its own thread without a copy). Set before start().
  using AfterWrite = std::function<void(std::vector<rules::ScoredPost>&&)>;
  void set_after_write(AfterWrite f) { after_write_ = std::move(f); }

  // Called on the writer thread with each batch once it is durable, in commit order, with storage's verdict
  // on each post (the event stream publishes the new ones' mentions). Set before start().
  using OnStored =
      std::function<void(std::span<const rules::ScoredPost>, std::span<const storage::PostOutcome>)>;
  void set_on_stored(OnStored f) { on_stored_ = std::move(f); }

  net::awaitable<Result<void>> push(ingest::SourceBatch batch) override;

  // Queues the batch only if there is room now, and completes once it is durable (or refused).
  net::awaitable<DurablePushResult> try_push_durable(ingest::SourceBatch batch);

  std::size_t queued_posts() const;

 private:
  struct Item {
    ingest::SourceBatch batch;  // its posts move into `scored` once scored
    // Durable pushes are scored before they are queued, on the HTTP thread that parsed them: the writer
    // then only commits them, and scoring (most of a post's cost) runs on as many cores as there are HTTP
    // threads. Source batches are scored by the writer.
    std::vector<rules::ScoredPost> scored;
    std::function<void(DurablePushResult)> done;  // set for durable pushes
    std::size_t size() const { return batch.posts.size() + scored.size(); }
  };

  // A batch committed to storage, until it is durable and finished.
  struct Committed {
    std::vector<Item> items;
    std::vector<std::size_t> sizes;  // posts of each item, in order: their slices of `scored`
    std::vector<rules::ScoredPost> scored;
    std::chrono::steady_clock::time_point start;
    std::optional<Result<storage::WriteSummary>> durable;  // set by storage; guarded by mu_
  };
  static constexpr std::size_t kMaxUndurable = 4;

  void writer_loop();
  void write_with_retry(std::vector<Item>& items);
  void finish(Committed& c);  // on the writer thread, once durable (or not)
  // The committed batches whose durability is known, oldest first, waiting until `until` for the first.
  std::vector<std::shared_ptr<Committed>> take_durable(std::chrono::steady_clock::time_point until);
  // With mu_ held: whether the oldest committed batch's durability is known; moving those batches to `out`.
  bool front_durable() const;
  void pop_durable(std::vector<std::shared_ptr<Committed>>& out);
  void wake_waiters();                 // called with mu_ held
  bool has_room(std::size_t n) const;  // with mu_ held: whether `n` more posts fit in the queue now

  PipelineConfig config_;
  storage::PostStore& store_;
  std::atomic<std::shared_ptr<const rules::Scorer>> scorer_;
  BrandMetrics& brand_metrics_;

  mutable std::mutex mu_;
  std::condition_variable has_work_;
  std::deque<Item> queue_;
  std::size_t queued_posts_ = 0;
  bool stopping_ = false;
  std::vector<std::function<void()>> waiters_;        // each wakes one suspended push()
  std::deque<std::shared_ptr<Committed>> committed_;  // commit order; guarded by mu_
  std::thread writer_;
  AfterWrite after_write_;
  OnStored on_stored_;

  prometheus::Gauge& queue_depth_;
  prometheus::Counter& written_;
  prometheus::Counter& duplicates_;
  prometheus::Counter& write_errors_;
  prometheus::Counter& saturated_;
  prometheus::Histogram& batch_seconds_;
};

}  // namespace vigie::daemon
