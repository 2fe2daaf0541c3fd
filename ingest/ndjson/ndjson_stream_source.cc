#include "ingest/ndjson/ndjson_stream_source.h"

#include <spdlog/spdlog.h>

#include <boost/json/parser.hpp>
#include <boost/url/url.hpp>

#include "ingest/ndjson/ndjson_stream.h"
#include "ingest/net/http_client.h"
#include "ingest/net/reconnect_loop.h"

namespace vigie::ingest {
namespace {

namespace net = boost::asio;
namespace json = boost::json;

// The cursor value at `pointer` in an object: strings as they are, numbers in decimal.
std::string resume_value(const json::value& v, const std::string& pointer) {
  boost::system::error_code ec;
  const json::value* at = v.find_pointer(pointer, ec);
  if (!at) return {};
  if (at->is_string()) return std::string(at->get_string());
  if (at->is_int64()) return std::to_string(at->get_int64());
  if (at->is_uint64()) return std::to_string(at->get_uint64());
  return {};
}

// Collects the posts of the lines one read completed.
class LineCollector final : public NdjsonFramer::Handler {
 public:
  LineCollector(const NdjsonStreamOptions& options, SourceMetrics& metrics)
      : options_(options), metrics_(metrics) {}

  void on_line(std::string_view line) override {
    ++line_no_;
    boost::system::error_code ec;
    parser_.reset();
    parser_.write(line, ec);
    if (ec) {
      malformed("invalid JSON: " + ec.message());
      return;
    }
    const json::value v = parser_.release();
    Result<Post> post = stream_object_to_post(v, now_micros());
    if (!post) {
      malformed(post.error().message);
      return;
    }
    post->source = options_.id;
    posts.push_back(std::move(*post));
    if (!options_.resume_field.empty()) {
      std::string at = resume_value(v, options_.resume_field);
      if (!at.empty()) cursor = std::move(at);
    }
  }
  void on_error(const Error& e) override {
    metrics_.malformed.Increment();
    spdlog::warn("source {}: {}; skipped", options_.id, e.message);
  }

  std::vector<Post> posts;
  std::string cursor;  // resume position after the last post collected

 private:
  void malformed(const std::string& why) {
    metrics_.malformed.Increment();
    spdlog::warn("source {}: line {} of this connection: {}; skipped", options_.id, line_no_, why);
  }

  const NdjsonStreamOptions& options_;
  SourceMetrics& metrics_;
  json::parser parser_;
  std::uint64_t line_no_ = 0;
};

}  // namespace

NdjsonStreamSource::NdjsonStreamSource(NdjsonStreamOptions options, std::shared_ptr<net::ssl::context> tls,
                                       std::shared_ptr<SourceMetrics> metrics)
    : options_(std::move(options)), tls_(std::move(tls)), metrics_(std::move(metrics)) {}

net::awaitable<void> NdjsonStreamSource::run(PostSink& out, std::string cursor) {
  SessionControl control;
  auto session = [&](SessionControl& ctl) -> net::awaitable<Result<SessionEnd>> {
    HttpRequest request;
    request.url = options_.url;
    if (!options_.resume_param.empty() && !cursor.empty()) {
      boost::urls::url u(options_.url);
      u.params().set(options_.resume_param, cursor);
      request.url = u.buffer();
    }
    request.headers = options_.headers;
    request.headers.emplace_back("Accept", "application/x-ndjson, application/json");
    request.connect_timeout = options_.connect_timeout;
    auto opened = co_await HttpResponse::open(request, *tls_);
    if (!opened) co_return opened.error();
    HttpResponse& response = **opened;
    if (response.status() != 200) {
      if (auto ra = retry_after(response)) ctl.retry_after = *ra;
      auto body = co_await response.read_all(4096, std::chrono::seconds(5));
      co_return error("HTTP " + std::to_string(response.status()) + " from " + response.url() +
                      (body && !body->empty() ? ": " + body->substr(0, 300) : ""));
    }
    metrics_->up.Set(1);
    spdlog::info("source {}: connected to {}", options_.id, response.url());

    LineCollector lines(options_, *metrics_);
    NdjsonFramer framer(lines);
    for (;;) {
      auto part = co_await response.read_some(options_.read_timeout);
      if (!part) {
        if (framer.finish()) metrics_->truncated.Increment();
        co_return part.error();
      }
      if (part->empty()) {
        if (framer.finish()) {
          metrics_->truncated.Increment();
          spdlog::warn("source {}: the stream ended inside a line; that line is dropped", options_.id);
        }
        co_return SessionEnd::reconnect;
      }
      framer.feed(*part);
      ctl.backoff.healthy();
      // Hand over what this read completed before reading again: while push() waits on a full queue, the
      // socket is not read.
      for (std::size_t i = 0; i < lines.posts.size(); i += options_.batch_size) {
        SourceBatch batch{options_.id, {}, {}};
        const std::size_t end = std::min(lines.posts.size(), i + options_.batch_size);
        batch.posts.assign(std::make_move_iterator(lines.posts.begin() + static_cast<std::ptrdiff_t>(i)),
                           std::make_move_iterator(lines.posts.begin() + static_cast<std::ptrdiff_t>(end)));
        if (end == lines.posts.size()) batch.cursor = lines.cursor;
        const Micros last_created = batch.posts.back().created_at;
        const double n = static_cast<double>(batch.posts.size());
        auto pushed = co_await out.push(std::move(batch));
        if (!pushed) co_return SessionEnd::stop;
        metrics_->posts.Increment(n);
        metrics_->lag_seconds.Set(static_cast<double>(now_micros() - last_created) / kMicrosPerSecond);
      }
      if (!lines.cursor.empty()) cursor = lines.cursor;
      lines.posts.clear();
    }
  };
  co_await run_sessions(options_.id, *metrics_, control, session);
}

}  // namespace vigie::ingest
