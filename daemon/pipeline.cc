#include "daemon/pipeline.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "ingest/base/thread_name.h"

namespace vigie::daemon {
namespace {

// The outcomes of posts [offset, offset + size) of a write, as if they had been written alone.
storage::WriteSummary slice(const storage::WriteSummary& all, std::size_t offset, std::size_t size) {
  storage::WriteSummary s;
  const std::size_t end = std::min(all.outcomes.size(), offset + size);
  for (std::size_t i = std::min(offset, end); i < end; ++i)
    s.add(all.outcomes[i]);
  return s;
}

}  // namespace

Pipeline::Pipeline(const PipelineConfig& config, storage::PostStore& store,
                   std::shared_ptr<const rules::Scorer> scorer, Metrics& metrics)
    : config_(config),
      store_(store),
      scorer_(std::move(scorer)),
      brand_metrics_(metrics.brands()),
      queue_depth_(prometheus::BuildGauge()
                       .Name("vigie_pipeline_queue_posts")
                       .Help("Posts queued between sources and storage")
                       .Register(metrics.registry())
                       .Add({})),
      written_(prometheus::BuildCounter()
                   .Name("vigie_pipeline_posts_stored_total")
                   .Help("Posts stored (new, edited or deleted)")
                   .Register(metrics.registry())
                   .Add({})),
      duplicates_(prometheus::BuildCounter()
                      .Name("vigie_pipeline_duplicates_total")
                      .Help("Posts already stored, skipped")
                      .Register(metrics.registry())
                      .Add({})),
      write_errors_(prometheus::BuildCounter()
                        .Name("vigie_pipeline_write_errors_total")
                        .Help("Storage writes that failed and were retried")
                        .Register(metrics.registry())
                        .Add({})),
      saturated_(prometheus::BuildCounter()
                     .Name("vigie_pipeline_saturated_total")
                     .Help("HTTP pushes refused because the queue was full")
                     .Register(metrics.registry())
                     .Add({})),
      batch_seconds_(
          prometheus::BuildHistogram()
              .Name("vigie_pipeline_batch_seconds")
              .Help("Time to score and durably store one batch")
              .Register(metrics.registry())
              .Add({}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                               0.05, 0.1, 0.25, 0.5, 1, 5})) {}

Pipeline::~Pipeline() {
  stop();
}

void Pipeline::start() {
  writer_ = std::thread([this] {
    set_thread_name("vigie-writer");
    writer_loop();
  });
}

void Pipeline::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    wake_waiters();
  }
  has_work_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void Pipeline::set_scorer(std::shared_ptr<const rules::Scorer> scorer) {
  scorer_.store(std::move(scorer));
}

std::size_t Pipeline::queued_posts() const {
  std::lock_guard lock(mu_);
  return queued_posts_;
}

bool Pipeline::has_room(std::size_t n) const {
  // A batch larger than the whole queue still goes in when the queue is empty, or it would wait forever.
  return queued_posts_ == 0 || queued_posts_ + n <= static_cast<std::size_t>(config_.queue_capacity);
}

void Pipeline::wake_waiters() {
  for (auto& wake : waiters_)
    wake();
  waiters_.clear();
}

net::awaitable<Result<void>> Pipeline::push(ingest::SourceBatch batch) {
  const auto executor = co_await net::this_coro::executor;
  const std::size_t n = batch.posts.size();
  for (;;) {
    auto timer = std::make_shared<net::steady_timer>(executor);
    {
      std::lock_guard lock(mu_);
      if (stopping_) co_return error("pipeline is stopping");
      if (has_room(n)) {
        queued_posts_ += n;
        queue_depth_.Set(static_cast<double>(queued_posts_));
        queue_.push_back(Item{std::move(batch), {}, nullptr});
        has_work_.notify_one();
        co_return ok();
      }
      // The writer wakes us when it takes work; the short expiry is a safety net against a missed wake-up.
      timer->expires_after(std::chrono::milliseconds(50));
      waiters_.push_back([timer] { net::post(timer->get_executor(), [timer] { timer->cancel(); }); });
    }
    co_await timer->async_wait(net::as_tuple(net::use_awaitable));
  }
}

net::awaitable<DurablePushResult> Pipeline::try_push_durable(ingest::SourceBatch batch) {
  const std::size_t n = batch.posts.size();
  {
    // Not worth scoring what a full queue will refuse (checked again below, under the lock, before queueing).
    std::lock_guard lock(mu_);
    if (!stopping_ && !has_room(n)) {
      saturated_.Increment();
      co_return DurablePushResult{PushRefusal::saturated, {}, "ingest queue is full"};
    }
  }
  std::vector<rules::ScoredPost> scored;
  scored.reserve(n);
  {
    const std::shared_ptr<const rules::Scorer> scorer = scorer_.load();  // one scorer for the whole batch
    for (ingest::Post& p : batch.posts)
      scored.push_back(scorer->score(std::move(p)));
    batch.posts.clear();  // the scored posts hold them now
  }
  auto initiate = [this, &batch, &scored, n](auto handler) {
    // The completion runs on the awaiting coroutine's executor, whatever thread the writer is on.
    auto h = std::make_shared<decltype(handler)>(std::move(handler));
    auto complete = [h](DurablePushResult r) {
      auto ex = net::get_associated_executor(*h);
      net::post(ex, [h, r = std::move(r)]() mutable { (*h)(std::move(r)); });
    };
    std::unique_lock lock(mu_);
    if (stopping_) {
      lock.unlock();
      complete(DurablePushResult{PushRefusal::stopping, {}, "shutting down"});
      return;
    }
    if (!has_room(n)) {
      lock.unlock();
      saturated_.Increment();
      complete(DurablePushResult{PushRefusal::saturated, {}, "ingest queue is full"});
      return;
    }
    queued_posts_ += n;
    queue_depth_.Set(static_cast<double>(queued_posts_));
    queue_.push_back(Item{std::move(batch), std::move(scored), std::move(complete)});
    has_work_.notify_one();
  };
  co_return co_await net::async_initiate<const net::use_awaitable_t<>&, void(DurablePushResult)>(
      initiate, net::use_awaitable);
}

void Pipeline::writer_loop() {
  for (;;) {
    std::vector<Item> items;
    std::vector<std::shared_ptr<Committed>> done;
    {
      std::unique_lock lock(mu_);
      has_work_.wait(lock, [&] {
        return front_durable() || (!queue_.empty() && committed_.size() < kMaxUndurable) ||
               (stopping_ && queue_.empty() && committed_.empty());
      });
      pop_durable(done);
      // Stopping, everything queued is written and every commit finished.
      if (done.empty() && queue_.empty() && committed_.empty()) return;
      if (done.empty()) {
        // Consecutive batches of one source share a write (one sync) up to batch_size posts; durable pushes
        // waiting together, from any connections, share one up to max_group_posts (group commit), each
        // answered with its own posts' outcomes (finish()).
        std::size_t n = 0;
        while (!queue_.empty()) {
          const Item& next = queue_.front();
          if (!items.empty()) {
            const bool pushes = items.front().done && next.done;
            const bool one_source =
                !items.front().done && !next.done && next.batch.source == items.front().batch.source;
            const auto limit =
                static_cast<std::size_t>(pushes ? config_.max_group_posts : config_.batch_size);
            if (!(pushes || one_source) || n + next.size() > limit) break;
          }
          n += next.size();
          items.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
        queued_posts_ -= n;
        queue_depth_.Set(static_cast<double>(queued_posts_));
        wake_waiters();
      }
    }
    for (auto& c : done)
      finish(*c);
    if (!items.empty()) write_with_retry(items);
  }
}

void Pipeline::write_with_retry(std::vector<Item>& items) {
  auto c = std::make_shared<Committed>();
  c->start = std::chrono::steady_clock::now();
  const std::shared_ptr<const rules::Scorer> scorer = scorer_.load();
  storage::CursorUpdate cursor;
  for (Item& item : items) {
    c->sizes.push_back(item.size());
    if (c->scored.empty()) {
      c->scored = std::move(item.scored);  // a durable push, written alone: no copy
    } else {
      for (rules::ScoredPost& sp : item.scored)
        c->scored.push_back(std::move(sp));
    }
    item.scored.clear();
    for (ingest::Post& p : item.batch.posts)
      c->scored.push_back(scorer->score(std::move(p)));
    if (!item.batch.cursor.empty()) cursor = storage::CursorUpdate{item.batch.source, item.batch.cursor};
  }
  c->items = std::move(items);

  auto backoff = std::chrono::milliseconds(100);
  for (int attempt = 1;; ++attempt) {
    // Called once, by the storage syncer thread (or here, when the sync policy does not wait for the disk).
    // Notifies under the lock: once the writer sees `durable` set, the pipeline may be stopped and destroyed.
    auto on_durable = [this, c](Result<storage::WriteSummary> d) {
      std::lock_guard lock(mu_);
      c->durable = std::move(d);
      has_work_.notify_all();
    };
    auto r = store_.commit(c->scored, cursor, std::move(on_durable));
    if (r) {
      std::lock_guard lock(mu_);
      committed_.push_back(std::move(c));
      return;
    }
    write_errors_.Increment();
    if (attempt == 1 || attempt % 20 == 0)
      spdlog::error("pipeline: storing {} posts failed (attempt {}), retrying: {}", c->scored.size(), attempt,
                    r.error().message);
    bool stopping;
    {
      std::lock_guard lock(mu_);
      stopping = stopping_;
    }
    // A durable push is answered soon (its client retries); a source batch waits for storage to recover, and
    // the full queue slows the sources meanwhile. At shutdown, give up after a few tries: the sources'
    // cursors were not advanced, so they deliver these posts again after the restart.
    const bool durable = c->items.front().done != nullptr;  // pushes are grouped only with pushes
    if ((durable && attempt >= 3) || (stopping && attempt >= 3)) {
      for (Item& item : c->items)
        if (item.done) item.done(DurablePushResult{PushRefusal::storage, {}, r.error().message});
      spdlog::error("pipeline: gave up storing {} posts: {}", c->scored.size(), r.error().message);
      return;
    }
    // Meanwhile, batches committed earlier still get finished as they become durable (or fail to): a push
    // already on disk is answered now, not after storage recovers.
    const auto until = std::chrono::steady_clock::now() + backoff;
    for (;;) {
      std::vector<std::shared_ptr<Committed>> done = take_durable(until);
      if (done.empty()) break;
      for (auto& d : done)
        finish(*d);
    }
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

std::vector<std::shared_ptr<Pipeline::Committed>> Pipeline::take_durable(
    std::chrono::steady_clock::time_point until) {
  std::vector<std::shared_ptr<Committed>> done;
  std::unique_lock lock(mu_);
  has_work_.wait_until(lock, until, [this] { return front_durable(); });
  pop_durable(done);
  return done;
}

bool Pipeline::front_durable() const {
  return !committed_.empty() && committed_.front()->durable;
}

void Pipeline::pop_durable(std::vector<std::shared_ptr<Committed>>& out) {
  while (front_durable()) {
    out.push_back(std::move(committed_.front()));
    committed_.pop_front();
  }
}

void Pipeline::finish(Committed& c) {
  const Result<storage::WriteSummary>& d = *c.durable;
  if (!d) {
    // Committed but not on disk: storage now refuses every write until a restart, after which the sources
    // send these posts again (their cursors were in the same batch). A durable push is refused (5xx): its
    // client retries.
    write_errors_.Increment();
    spdlog::error("pipeline: {} posts were stored but could not be made durable: {}", c.scored.size(),
                  d.error().message);
    for (Item& item : c.items)
      if (item.done) item.done(DurablePushResult{PushRefusal::storage, {}, d.error().message});
    return;
  }
  written_.Increment(static_cast<double>(d->inserted + d->edited + d->deleted));
  duplicates_.Increment(static_cast<double>(d->duplicates));
  batch_seconds_.Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - c.start).count());
  // Here, once durable and with storage's verdict on each post: a post counts once, when first stored.
  brand_metrics_.count(c.scored, d->outcomes);
  if (on_stored_) on_stored_(c.scored, d->outcomes);
  if (c.items.size() == 1) {
    if (c.items.front().done) c.items.front().done(DurablePushResult{PushRefusal::none, *d, {}});
  } else {
    // Grouped pushes: each is answered with the outcomes of its own posts.
    std::size_t offset = 0;
    for (std::size_t i = 0; i < c.items.size(); ++i) {
      const std::size_t size = c.sizes[i];
      if (c.items[i].done) c.items[i].done(DurablePushResult{PushRefusal::none, slice(*d, offset, size), {}});
      offset += size;
    }
  }
  if (after_write_) after_write_(std::move(c.scored));
}

}  // namespace vigie::daemon
