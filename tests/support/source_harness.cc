#include "tests/support/source_harness.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdlib>
#include <filesystem>

namespace vigie::testing {

namespace net = boost::asio;

net::awaitable<Result<void>> CollectingSink::push(ingest::SourceBatch batch) {
  net::steady_timer t(co_await net::this_coro::executor);
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (refuse_) co_return error("pipeline stopping");
      if (!hold_) {
        batches_.push_back(std::move(batch));
        co_return ok();
      }
    }
    t.expires_after(std::chrono::milliseconds(5));
    co_await t.async_wait(net::as_tuple(net::use_awaitable));
  }
}

std::vector<ingest::Post> CollectingSink::posts() const {
  std::lock_guard lock(mu_);
  std::vector<ingest::Post> out;
  for (const auto& b : batches_)
    out.insert(out.end(), b.posts.begin(), b.posts.end());
  return out;
}

std::vector<std::string> CollectingSink::uids() const {
  std::vector<std::string> out;
  for (const auto& p : posts())
    out.push_back(p.uid);
  return out;
}

std::vector<std::string> CollectingSink::cursors() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& b : batches_) {
    if (!b.cursor.empty()) out.push_back(b.cursor);
  }
  return out;
}

std::size_t CollectingSink::batches() const {
  std::lock_guard lock(mu_);
  return batches_.size();
}

void CollectingSink::hold(bool on) {
  std::lock_guard lock(mu_);
  hold_ = on;
}

void CollectingSink::refuse() {
  std::lock_guard lock(mu_);
  refuse_ = true;
}

ScratchDir::ScratchDir() {
  std::string tmpl = "/tmp/vigie_ingest_test.XXXXXX";
  if (!mkdtemp(tmpl.data())) std::abort();
  path = tmpl;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

SourceRunner::SourceRunner(ingest::Source& source, ingest::PostSink& sink, std::string cursor) {
  net::co_spawn(ctx_, source.run(sink, std::move(cursor)), [this](std::exception_ptr) { finished_ = true; });
  thread_ = std::thread([this] { ctx_.run(); });
}

SourceRunner::~SourceRunner() {
  stop();
}

void SourceRunner::stop() {
  ctx_.stop();
  if (thread_.joinable()) thread_.join();
}

bool SourceRunner::wait_for(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return done();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace vigie::testing
