// `ndjson_stream` source: a long-lived HTTP GET whose chunked body is one JSON object per line, the shape of
// X's v2 filtered stream (see ndjson_stream.h for the objects it understands).
//
// Config (sources: entry):
//   url: https://api.x.com/2/tweets/search/stream?...   required; http or https
//   headers: {Authorization: "Bearer ${X_TOKEN}"}       sent with every request
//   read_timeout: 60s     reconnect when nothing, not even a keep-alive line, arrives for this long
//                         (X sends a blank line every 20 s)
//   connect_timeout: 10s
//   tls_ca_file: ""       an extra CA bundle to trust besides the system store
//   resume_field: ""      JSON pointer of a position in each object, e.g. /data/id: the last delivered one
//                         is the cursor ...
//   resume_param: ""      ... and is sent back as this query parameter on reconnect (e.g. since_id), for
//                         streams that can resume. Without them the cursor stays empty and a reconnect
//                         starts from live.
//
// A line that is not JSON or not a post is counted (errors{kind="malformed"}), logged with its line number
// and skipped. A connection cut mid-line drops that partial line and counts it (errors{kind="truncated"}).
// Posts are handed to the pipeline as each read completes; while the pipeline's queue is full the socket is
// not read, so TCP slows the server.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ingest/source.h"
#include "ingest/source_metrics.h"

namespace vigie::ingest {

struct NdjsonStreamOptions {
  std::string id;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds read_timeout{60'000};
  std::chrono::milliseconds connect_timeout{10'000};
  std::string resume_field;
  std::string resume_param;
  std::size_t batch_size = 256;
};

class NdjsonStreamSource final : public Source {
 public:
  NdjsonStreamSource(NdjsonStreamOptions options, std::shared_ptr<boost::asio::ssl::context> tls,
                     std::shared_ptr<SourceMetrics> metrics);
  std::string_view id() const override { return options_.id; }
  boost::asio::awaitable<void> run(PostSink& out, std::string cursor) override;

 private:
  NdjsonStreamOptions options_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::shared_ptr<SourceMetrics> metrics_;
};

}  // namespace vigie::ingest
