// Test support for sources: a PostSink that records what it is given (and can be made to hold pushes, as a
// full pipeline queue does, or to refuse them, as a stopping pipeline does), and a runner that drives a
// source on its own io_context thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ingest/source.h"
#include "ingest/source_metrics.h"

namespace vigie::testing {

class CollectingSink final : public ingest::PostSink {
 public:
  boost::asio::awaitable<Result<void>> push(ingest::SourceBatch batch) override;

  std::vector<ingest::Post> posts() const;
  std::vector<std::string> uids() const;
  std::vector<std::string> cursors() const;  // the non-empty cursors, in order
  std::size_t batches() const;

  // While held, push() does not return (the source is suspended, as on a full queue).
  void hold(bool on);
  // push() fails from now on (the pipeline is shutting down).
  void refuse();

 private:
  mutable std::mutex mu_;
  std::vector<ingest::SourceBatch> batches_;
  bool hold_ = false;
  bool refuse_ = false;
};

class SourceRunner {
 public:
  SourceRunner(ingest::Source& source, ingest::PostSink& sink, std::string cursor = "");
  ~SourceRunner();  // stops the source if still running
  // Polls `done` until true or `timeout`; returns its last value.
  bool wait_for(const std::function<bool()>& done,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));
  bool finished() const { return finished_.load(); }
  void stop();

 private:
  boost::asio::io_context ctx_;
  std::atomic<bool> finished_{false};
  std::thread thread_;
};

// A fresh directory under /tmp, removed on destruction.
struct ScratchDir {
  ScratchDir();
  ~ScratchDir();
  std::string path;
};

// Instruments registered in a private registry, readable by tests.
struct TestMetrics {
  prometheus::Registry registry;
  std::shared_ptr<ingest::SourceMetrics> metrics;
  explicit TestMetrics(const std::string& source = "test", const std::string& type = "test")
      : metrics(std::make_shared<ingest::SourceMetrics>(registry, source, type)) {}
};

}  // namespace vigie::testing
