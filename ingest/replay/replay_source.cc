#include "ingest/replay/replay_source.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <fstream>

#include "ingest/ndjson_posts.h"

namespace vigie::ingest {
namespace {

namespace net = boost::asio;

struct ReplayCursor {
  std::uint64_t offset = 0;
  std::optional<Micros> shift;
};

ReplayCursor parse_cursor(const std::string& s) {
  ReplayCursor c;
  const auto at = s.find('@');
  const std::string_view off = std::string_view(s).substr(0, at);
  std::from_chars(off.data(), off.data() + off.size(), c.offset);
  if (at != std::string::npos) {
    Micros shift = 0;
    const std::string_view sh = std::string_view(s).substr(at + 1);
    if (std::from_chars(sh.data(), sh.data() + sh.size(), shift).ec == std::errc()) c.shift = shift;
  }
  return c;
}

// The first and last created_at of the file: one pass, only when rebasing time.
std::optional<std::pair<Micros, Micros>> time_span(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::optional<std::pair<Micros, Micros>> span;
  NdjsonPosts reader(in);
  while (reader.next()) {
    auto p = reader.post(0);
    if (!p || p->created_at == 0) continue;
    if (!span) span.emplace(p->created_at, p->created_at);
    span->first = std::min(span->first, p->created_at);
    span->second = std::max(span->second, p->created_at);
  }
  return span;
}

}  // namespace

std::optional<double> parse_speed(std::string_view s) {
  if (s == "max") return 0.0;
  if (s.empty() || s.back() != 'x') return std::nullopt;
  s.remove_suffix(1);
  double v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !(v > 0) || v > 1e9) return std::nullopt;
  return v;
}

ReplaySource::ReplaySource(ReplayOptions options, std::shared_ptr<SourceMetrics> metrics)
    : options_(std::move(options)), metrics_(std::move(metrics)) {}

net::awaitable<void> ReplaySource::run(PostSink& out, std::string cursor_text) {
  std::ifstream in(options_.path, std::ios::binary);
  if (!in) {
    spdlog::error("source {}: cannot open {}", options_.id, options_.path);
    metrics_->network.Increment();
    co_return;
  }
  ReplayCursor cursor = parse_cursor(cursor_text);
  const auto span = options_.rebase_time || options_.paced_last > 0 ? time_span(options_.path) : std::nullopt;
  // Posts created before this (file time) are not paced.
  const Micros pace_from = span && options_.paced_last > 0 ? span->second - options_.paced_last : INT64_MIN;
  if (options_.rebase_time && !cursor.shift && span) {
    // Shift so that the file's last post is due exactly when the replay reaches it: every post then carries a
    // past time when it arrives, as live posts do, and dashboards ending at "now" show the whole replay.
    const Micros paced_span = span->second - std::max(span->first, pace_from);
    const Micros replay_length =
        options_.speed > 0 ? static_cast<Micros>(static_cast<double>(paced_span) / options_.speed) : 0;
    cursor.shift = now_micros() + replay_length - span->second;
  }
  in.seekg(static_cast<std::streamoff>(cursor.offset));
  std::uint64_t offset = cursor.offset;   // end of the last line read
  std::uint64_t covered = cursor.offset;  // every line before this is in a batch or skipped: the cursor
  spdlog::info("source {}: replaying {} from byte {} at {}", options_.id, options_.path, offset,
               options_.speed == 0 ? std::string("max speed") : std::to_string(options_.speed) + "x");
  metrics_->up.Set(1);

  const auto executor = co_await net::this_coro::executor;
  net::steady_timer timer(executor);
  const auto wall_start = std::chrono::steady_clock::now();
  std::optional<Micros> first_created;
  SourceBatch batch{options_.id, {}, {}};

  auto flush = [&]() -> net::awaitable<bool> {
    if (batch.posts.empty()) co_return true;
    batch.cursor = std::to_string(covered) + (cursor.shift ? "@" + std::to_string(*cursor.shift) : "");
    const Micros last_created = batch.posts.back().created_at;
    const double n = static_cast<double>(batch.posts.size());
    auto r = co_await out.push(std::move(batch));
    batch = SourceBatch{options_.id, {}, {}};
    if (!r) co_return false;
    metrics_->posts.Increment(n);
    metrics_->lag_seconds.Set(static_cast<double>(now_micros() - last_created) / kMicrosPerSecond);
    co_return true;
  };

  // Offsets and line numbers count from the resume point: line numbers in messages say so.
  NdjsonPosts reader(in);
  bool stopped = false;  // the loop ended before the end of the file
  while (const auto line = reader.next()) {
    // Blank lines skipped before this one are covered too when nothing is waiting in the batch.
    if (batch.posts.empty()) covered = cursor.offset + line->begin;
    offset = cursor.offset + line->end;
    Result<Post> post = reader.post(now_micros());
    if (!post) {
      if (batch.posts.empty()) covered = offset;
      metrics_->malformed.Increment();
      spdlog::warn("source {}: {} line {}{}: {}; skipped", options_.id, options_.path, line->number,
                   cursor.offset ? " after the resume point" : "", post.error().message);
      continue;
    }
    Post& p = *post;
    p.source = options_.id;
    const bool paced = p.created_at >= pace_from;
    if (cursor.shift) p.created_at += *cursor.shift;
    if (options_.speed > 0 && paced) {
      if (!first_created) first_created = p.created_at;
      const auto due = wall_start + std::chrono::microseconds(static_cast<Micros>(
                                        static_cast<double>(p.created_at - *first_created) / options_.speed));
      if (due > std::chrono::steady_clock::now()) {
        // Deliver what we have before waiting, so posts are not held back by the pacing of later ones.
        if (!co_await flush()) {
          stopped = true;
          break;
        }
        timer.expires_at(due);
        auto [wec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
        if (wec) {
          stopped = true;
          break;
        }
      }
    }
    batch.posts.push_back(std::move(p));
    covered = offset;
    if (batch.posts.size() >= options_.batch_size && !co_await flush()) {
      stopped = true;
      break;
    }
  }
  // Blank lines at the end of the file are covered too when nothing is waiting in the batch.
  if (!stopped && batch.posts.empty()) covered = cursor.offset + reader.offset();
  co_await flush();
  metrics_->up.Set(0);
  spdlog::info("source {}: end of {} (byte {})", options_.id, options_.path, covered);
}

}  // namespace vigie::ingest
