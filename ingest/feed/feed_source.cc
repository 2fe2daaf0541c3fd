#include "ingest/feed/feed_source.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <deque>
#include <optional>
#include <random>
#include <unordered_set>

#include "ingest/feed/feed_parser.h"
#include "ingest/net/backoff.h"
#include "ingest/net/http_client.h"

namespace vigie::ingest {
namespace {

namespace net = boost::asio;
namespace json = boost::json;
using std::chrono::milliseconds;

constexpr std::string_view kAccept =
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.8";

double seconds(milliseconds d) {
  return static_cast<double>(d.count()) / 1000;
}

// What the cursor of a feed remembers between polls and restarts.
class FeedState {
 public:
  std::string etag;
  std::string last_modified;

  bool seen(const std::string& key) const { return index_.contains(key); }
  void add(const std::string& key) {
    if (index_.insert(key).second) order_.push_back(key);
  }
  // Drops the oldest keys past `max`, sparing those of `current`, the items of the latest document: a feed
  // longer than `max` would otherwise have its oldest items delivered again on every poll.
  void trim(std::size_t max, const std::unordered_set<std::string>& current) {
    if (order_.size() <= max) return;
    std::size_t excess = order_.size() - max;
    std::deque<std::string> kept;
    for (std::string& key : order_) {
      if (excess > 0 && !current.contains(key)) {
        index_.erase(key);
        --excess;
        continue;
      }
      kept.push_back(std::move(key));
    }
    order_ = std::move(kept);
  }

  std::string encode() const {
    json::object o;
    if (!etag.empty()) o["etag"] = etag;
    if (!last_modified.empty()) o["last_modified"] = last_modified;
    json::array& seen = o["seen"].emplace_array();
    seen.reserve(order_.size());
    for (const std::string& key : order_)
      seen.emplace_back(key);
    return json::serialize(o);
  }

  static Result<FeedState> decode(std::string_view cursor) {
    FeedState s;
    if (cursor.empty()) return s;
    boost::system::error_code ec;
    const json::value v = json::parse(cursor, ec);
    if (ec) return error("cursor is not JSON: " + ec.message());
    const json::object* o = v.if_object();
    if (!o) return error("cursor is not a JSON object");
    if (const json::value* e = o->if_contains("etag"); e && e->is_string()) s.etag = e->get_string();
    if (const json::value* m = o->if_contains("last_modified"); m && m->is_string())
      s.last_modified = m->get_string();
    if (const json::value* seen = o->if_contains("seen")) {
      if (!seen->is_array()) return error("cursor: \"seen\" is not an array");
      for (const json::value& key : seen->get_array())
        if (key.is_string()) s.add(std::string(key.get_string()));
    }
    return s;
  }

 private:
  std::deque<std::string> order_;  // first delivered first
  std::unordered_set<std::string> index_;
};

enum class Outcome { fetched, not_modified, not_feed, failed, stopped };

struct PollResult {
  Outcome outcome = Outcome::failed;
  std::string message;                      // not_feed and failed: what went wrong, ready to log
  std::optional<milliseconds> retry_after;  // failed: the server said when to come back
  std::size_t items = 0;                    // fetched: items in the document ...
  std::size_t fresh = 0;                    // ... and how many were new
};

PollResult failure(Outcome outcome, std::string message) {
  PollResult r;
  r.outcome = outcome;
  r.message = std::move(message);
  return r;
}

// One feed's polls. Remembers, besides the cursor state, what it last logged, so that a condition that
// persists across polls is logged once.
class FeedPoller {
 public:
  FeedPoller(const FeedOptions& options, std::string_view key, net::ssl::context& tls, SourceMetrics& metrics)
      : options_(options), key_(key), tls_(tls), metrics_(metrics) {}

  FeedState state;

  net::awaitable<PollResult> poll(PostSink& out) {
    const auto deadline = std::chrono::steady_clock::now() + options_.timeout;
    HttpRequest request;
    request.url = options_.url;
    // Accept first: a configured header of the same name replaces it.
    request.headers.emplace_back("Accept", kAccept);
    request.headers.insert(request.headers.end(), options_.headers.begin(), options_.headers.end());
    if (!state.etag.empty()) request.headers.emplace_back("If-None-Match", state.etag);
    if (!state.last_modified.empty()) request.headers.emplace_back("If-Modified-Since", state.last_modified);
    request.connect_timeout = std::min(options_.timeout, milliseconds(10'000));
    request.header_timeout = options_.timeout;
    auto opened = co_await HttpResponse::open(request, tls_);
    if (!opened) co_return failure(Outcome::failed, opened.error().message);
    HttpResponse& response = **opened;
    const unsigned status = response.status();
    if (status == 304) {
      spdlog::debug("source {}: {} not modified", options_.source_id, options_.url);
      co_return PollResult{Outcome::not_modified};
    }
    if (status < 200 || status > 299) {
      PollResult r = failure(Outcome::failed, "HTTP " + std::to_string(status) + via(response.url()));
      if (status == 429 || status == 503) r.retry_after = retry_after(response);
      co_return r;
    }
    const std::string etag = response.header("ETag");
    const std::string last_modified = response.header("Last-Modified");
    const std::string content_type = response.header("Content-Type");
    const std::string final_url = response.url();
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      co_return failure(Outcome::failed,
                        "no body within " + std::to_string(options_.timeout.count() / 1000) + " s");
    auto body = co_await response.read_all(options_.max_bytes, left);
    if (!body) co_return failure(Outcome::failed, body.error().message);
    response.close();

    if (final_url != options_.url && final_url != last_final_url_)
      spdlog::info("source {}: {} redirects to {}", options_.source_id, options_.url, final_url);
    last_final_url_ = final_url;

    auto parsed = parse_feed(*body, FeedParseInput{content_type, final_url, now_micros()});
    if (!parsed) co_return failure(Outcome::not_feed, parsed.error().message + via(final_url));
    if (parsed->truncated) metrics_.malformed.Increment();
    if (!parsed->damage.empty() && parsed->damage != last_damage_) {
      spdlog::warn("source {}: {}: {}{}{}", options_.source_id, options_.url, parsed->damage, via(final_url),
                   parsed->truncated ? "; only the items before the damage are read" : "");
    }
    last_damage_ = parsed->damage;

    // The new items, each once even when the document repeats it.
    std::unordered_set<std::string> current;
    std::vector<FeedItem> fresh;
    for (FeedItem& item : parsed->items) {
      if (!current.insert(item.seen_key).second || state.seen(item.seen_key)) continue;
      fresh.push_back(std::move(item));
    }
    // Feeds list newest first: reversing before the stable sort keeps items of equal dates oldest first too.
    std::reverse(fresh.begin(), fresh.end());
    std::stable_sort(fresh.begin(), fresh.end(), [](const FeedItem& a, const FeedItem& b) {
      return a.post.created_at < b.post.created_at;
    });

    PollResult result{Outcome::fetched};
    result.items = parsed->items.size();
    result.fresh = fresh.size();
    const bool validators_changed = etag != state.etag || last_modified != state.last_modified;
    const std::size_t batch_size = std::max<std::size_t>(1, options_.batch_size);
    for (std::size_t i = 0; i < fresh.size(); i += batch_size) {
      const std::size_t end = std::min(fresh.size(), i + batch_size);
      SourceBatch batch{std::string(key_), {}, {}};
      batch.posts.reserve(end - i);
      for (std::size_t j = i; j < end; ++j) {
        state.add(fresh[j].seen_key);
        batch.posts.push_back(std::move(fresh[j].post));
        batch.posts.back().source = options_.source_id;
      }
      state.trim(options_.seen_max, current);
      // The validators move only with the last batch: a restart after an earlier one must fetch the
      // document again rather than be told it has not changed.
      if (end == fresh.size()) {
        state.etag = etag;
        state.last_modified = last_modified;
      }
      batch.cursor = state.encode();
      const Micros last_created = batch.posts.back().created_at;
      const double n = static_cast<double>(batch.posts.size());
      auto pushed = co_await out.push(std::move(batch));
      if (!pushed) co_return PollResult{Outcome::stopped};
      metrics_.posts.Increment(n);
      metrics_.lag_seconds.Set(static_cast<double>(now_micros() - last_created) / kMicrosPerSecond);
    }
    if (fresh.empty() && validators_changed) {
      state.etag = etag;
      state.last_modified = last_modified;
      SourceBatch batch{std::string(key_), {}, state.encode()};
      auto pushed = co_await out.push(std::move(batch));
      if (!pushed) co_return PollResult{Outcome::stopped};
    }
    co_return result;
  }

 private:
  // Names the URL that answered when a redirect led away from the configured one (which every log names).
  std::string via(const std::string& url) const { return url == options_.url ? "" : " (from " + url + ")"; }

  const FeedOptions& options_;
  std::string_view key_;
  net::ssl::context& tls_;
  SourceMetrics& metrics_;
  std::string last_final_url_;
  std::string last_damage_;
};

}  // namespace

FeedSource::FeedSource(FeedOptions options, std::shared_ptr<net::ssl::context> tls,
                       std::shared_ptr<SourceMetrics> metrics)
    : options_(std::move(options)),
      key_(options_.source_id + "|" + options_.url),
      tls_(std::move(tls)),
      metrics_(std::move(metrics)) {}

net::awaitable<void> FeedSource::run(PostSink& out, std::string cursor) {
  const std::string& sid = options_.source_id;
  const std::string& url = options_.url;
  FeedPoller poller(options_, key_, *tls_, *metrics_);
  if (auto decoded = FeedState::decode(cursor)) {
    poller.state = std::move(*decoded);
  } else {
    spdlog::warn("source {}: {}: {}; every item of the feed counts as new", sid, url,
                 decoded.error().message);
  }

  // healthy_after 0: one successful poll resets the backoff.
  Backoff backoff(milliseconds(1000), options_.interval, milliseconds(0));
  std::minstd_rand rng(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.9, 1.1);
  net::steady_timer timer(co_await net::this_coro::executor);
  bool polled_ok = false;
  std::string trouble;  // the failure in progress, empty while polls succeed
  for (;;) {
    PollResult r = co_await poller.poll(out);
    const auto next_interval =
        milliseconds(std::llround(static_cast<double>(options_.interval.count()) * jitter(rng)));
    milliseconds wait = next_interval;
    switch (r.outcome) {
      case Outcome::stopped:
        spdlog::info("source {}: {}: stopped", sid, url);
        co_return;
      case Outcome::failed:
        metrics_->network.Increment();
        metrics_->up.Set(0);
        wait = backoff.failed();
        if (r.retry_after) wait = std::max(wait, *r.retry_after);
        if (r.message != trouble) {
          spdlog::warn("source {}: {}: {}; next poll in {:.1f} s", sid, url, r.message, seconds(wait));
        } else {
          spdlog::debug("source {}: {}: {} again (attempt {}); next poll in {:.1f} s", sid, url, r.message,
                        backoff.attempts(), seconds(wait));
        }
        trouble = std::move(r.message);
        break;
      case Outcome::not_feed:
        // The server answered: polling sooner would not turn its page into a feed.
        metrics_->malformed.Increment();
        metrics_->up.Set(0);
        backoff.healthy();
        if (r.message != trouble)
          spdlog::warn("source {}: {}: {}; next poll in {:.1f} s", sid, url, r.message, seconds(wait));
        trouble = std::move(r.message);
        break;
      case Outcome::fetched:
      case Outcome::not_modified:
        metrics_->up.Set(1);
        backoff.healthy();
        if (!trouble.empty()) {
          spdlog::info("source {}: {} polled again after failures", sid, url);
        } else if (!polled_ok) {
          spdlog::info("source {}: polling {} every {:g} s", sid, url, seconds(options_.interval));
        }
        if (r.outcome == Outcome::fetched)
          spdlog::debug("source {}: {}: {} items, {} new", sid, url, r.items, r.fresh);
        trouble.clear();
        polled_ok = true;
        break;
    }
    timer.expires_after(wait);
    auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    if (ec) co_return;
  }
}

}  // namespace vigie::ingest
