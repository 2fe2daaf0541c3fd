#include "rules/detect/sentiment_drop.h"

#include <bit>
#include <cmath>
#include <cstdio>
#include <utility>

#include "rules/detect/state_codec.h"

namespace vigie::rules {
namespace {

constexpr int kMaxWindowBuckets = 288;
constexpr Micros kHour = 3600 * kMicrosPerSecond;

// Compound scores are rounded to float by the scorer, so a bucket's sum may exceed its count by a few ulps.
constexpr double kSumSlack = 1e-4;

bool valid_sum(std::int64_t count, double sum) {
  return std::isfinite(sum) && std::abs(sum) <= static_cast<double>(count) + kSumSlack;
}

}  // namespace

Result<void> SentimentDropDetector::validate(const SentimentDropOptions& o) {
  if (o.bucket <= 0 || kHour % o.bucket != 0) return error("sentiment drop: bucket must divide one hour");
  if (o.half_life < o.bucket || o.warmup <= 0) {
    return error("sentiment drop: half-life must be at least one bucket and warm-up positive");
  }
  if (o.window_buckets < 1 || o.window_buckets > kMaxWindowBuckets) {
    return error("sentiment drop: window must hold 1 to 288 buckets");
  }
  if (!(o.drop > 0) || !(o.critical_drop >= o.drop) || !(o.critical_drop <= 2)) {
    return error("sentiment drop: need 0 < drop <= critical_drop <= 2");
  }
  if (o.min_volume < 1) return error("sentiment drop: min_volume must be >= 1");
  if (o.max_gap < o.bucket) return error("sentiment drop: max_gap must be at least one bucket");
  return ok();
}

Result<SentimentDropDetector> SentimentDropDetector::create(SentimentDropOptions o) {
  if (auto v = validate(o); !v) return v.error();
  return SentimentDropDetector(std::move(o));
}

SentimentDropDetector::SentimentDropDetector(SentimentDropOptions options) : options_(std::move(options)) {
  decay_ = std::exp2(-static_cast<double>(options_.bucket) / static_cast<double>(options_.half_life));
  warmup_buckets_ = (options_.warmup + options_.bucket - 1) / options_.bucket;
}

std::optional<double> SentimentDropDetector::baseline_mean() const {
  if (!ready()) return std::nullopt;
  return weighted_sum_ / weight_;
}

bool SentimentDropDetector::ready() const {
  // A mean of a handful of mentions says nothing of a brand's usual mood: the baseline waits for as many
  // mentions as a window needs to fire.
  return seen_ >= warmup_buckets_ && learned_ >= options_.min_volume && weight_ > 0;
}

Result<std::optional<SentimentDropFinding>> SentimentDropDetector::on_bucket(Micros bucket_start,
                                                                             std::int64_t count,
                                                                             double compound_sum) {
  if (count < 0) return error("sentiment drop: negative count");
  if (!valid_sum(count, compound_sum)) {
    return error("sentiment drop: compound sum outside [-count, count]");
  }
  if (bucket_start % options_.bucket != 0)
    return error("sentiment drop: bucket start not aligned to the bucket width");
  if (last_start_ && bucket_start <= *last_start_) {
    return error("sentiment drop: bucket " + format_rfc3339(bucket_start) +
                 " is not after the previous one, " + format_rfc3339(*last_start_));
  }
  if (last_start_) {
    if (bucket_start - *last_start_ - options_.bucket > options_.max_gap) {
      // The daemon was down, or the feed was cut: what happened in the gap is unknown, so it is neither learned
      // nor allowed to join a window with what follows.
      for (const Bucket& b : window_)
        learn(b);
      window_.clear();
      buckets_since_firing_ = kNeverFired;
    } else {
      for (Micros t = *last_start_ + options_.bucket; t < bucket_start; t += options_.bucket)
        step(t, 0, 0);
    }
  }
  last_start_ = bucket_start;
  return step(bucket_start, count, compound_sum);
}

void SentimentDropDetector::learn(const Bucket& b) {
  // The decay is applied to anomalous buckets too: time passes for the baseline even while it does not learn.
  weight_ *= decay_;
  weighted_sum_ *= decay_;
  if (b.anomalous) return;
  weight_ += static_cast<double>(b.count);
  weighted_sum_ += b.sum;
  learned_ += b.count;
}

std::optional<SentimentDropFinding> SentimentDropDetector::step(Micros bucket_start, std::int64_t count,
                                                                double sum) {
  last_fired_ = false;
  ++seen_;
  if (window_.size() == static_cast<std::size_t>(options_.window_buckets)) {
    learn(window_.front());
    window_.pop_front();
  }
  window_.push_back({bucket_start, count, sum, false});

  std::int64_t n = 0;
  double window_sum = 0;
  for (const Bucket& b : window_) {
    n += b.count;
    window_sum += b.sum;
  }
  const bool full = window_.size() == static_cast<std::size_t>(options_.window_buckets);
  bool fire = false;
  double mean = 0, baseline = 0;
  if (full && ready() && n >= options_.min_volume) {
    mean = window_sum / static_cast<double>(n);
    baseline = weighted_sum_ / weight_;
    fire = baseline - mean >= options_.drop;
  }
  const bool episode_open = buckets_since_firing_ < options_.window_buckets;
  if (!fire) {
    if (buckets_since_firing_ < kNeverFired) ++buckets_since_firing_;
    return std::nullopt;
  }
  for (Bucket& b : window_)
    b.anomalous = true;
  SentimentDropFinding f = describe(n, mean, baseline);
  f.onset = !episode_open;
  buckets_since_firing_ = 0;
  last_fired_ = true;
  return f;
}

SentimentDropFinding SentimentDropDetector::describe(std::int64_t n, double mean, double baseline) const {
  SentimentDropFinding f;
  f.count = n;
  f.mean = mean;
  f.baseline = baseline;
  f.drop = baseline - mean;
  f.severity = f.drop >= options_.critical_drop ? Severity::critical : Severity::warning;
  f.window_start = window_.front().start;
  f.window_end = window_.back().start + options_.bucket;
  // "+0.00" and "-0.00" read alike; a signed zero would only puzzle a reader.
  auto signed2 = [](double x) { return std::abs(x) < 0.005 ? 0.0 : x; };
  char buf[192];
  std::snprintf(buf, sizeof buf,
                "mean sentiment %+.2f over %lld mentions in %lld min vs %+.2f usual (drop %.2f)",
                signed2(mean), static_cast<long long>(n),
                static_cast<long long>((f.window_end - f.window_start) / (60 * kMicrosPerSecond)),
                signed2(baseline), f.drop);
  f.summary = buf;
  return f;
}

Finding to_finding(const SentimentDropFinding& f, std::string brand) {
  return window_finding(std::move(brand), DetectorKind::sentiment_drop, f.severity, f.window_start,
                        f.window_end, f.onset, f.summary);
}

std::string SentimentDropDetector::encode() const {
  std::string out;
  put_le(out, kFormatVersion, 1);
  // What the learned state depends on, so that decode() can refuse a state learned under other options.
  put_le(out, static_cast<std::uint64_t>(options_.bucket), 8);
  put_le(out, static_cast<std::uint64_t>(options_.half_life), 8);
  put_le(out, static_cast<std::uint64_t>(options_.warmup), 8);
  put_le(out, static_cast<std::uint64_t>(seen_), 8);
  put_le(out, static_cast<std::uint64_t>(learned_), 8);
  put_double(out, weight_);
  put_double(out, weighted_sum_);
  put_le(out, last_start_ ? 1 : 0, 1);
  put_le(out, static_cast<std::uint64_t>(last_start_.value_or(0)), 8);
  put_le(out, static_cast<std::uint64_t>(buckets_since_firing_), 4);
  put_le(out, window_.size(), 4);
  for (const Bucket& b : window_) {
    put_le(out, static_cast<std::uint64_t>(b.start), 8);
    put_le(out, static_cast<std::uint64_t>(b.count), 8);
    put_double(out, b.sum);
    put_le(out, b.anomalous ? 1 : 0, 1);
  }
  return out;
}

Result<SentimentDropDetector> SentimentDropDetector::decode(std::string_view bytes,
                                                            SentimentDropOptions options) {
  auto fresh = create(std::move(options));
  if (!fresh) return fresh.error();
  SentimentDropDetector d = std::move(*fresh);
  const Error corrupt = error("sentiment drop: truncated or corrupt state");

  StateReader r(bytes);
  const auto version = r.get(1);
  if (r.ok() && version != kFormatVersion) {
    return error("sentiment drop: unknown format version " + std::to_string(version));
  }
  const auto bucket = static_cast<Micros>(r.get(8));
  const auto half_life = static_cast<Micros>(r.get(8));
  const auto warmup = static_cast<Micros>(r.get(8));
  if (r.ok() &&
      (bucket != d.options_.bucket || half_life != d.options_.half_life || warmup != d.options_.warmup)) {
    return error("sentiment drop: stored state was learned with other bucket, half-life or warm-up options");
  }
  d.seen_ = static_cast<std::int64_t>(r.get(8));
  d.learned_ = static_cast<std::int64_t>(r.get(8));
  d.weight_ = r.get_double();
  d.weighted_sum_ = r.get_double();
  const bool has_last = r.get(1) != 0;
  const auto last = static_cast<Micros>(r.get(8));
  d.buckets_since_firing_ = static_cast<std::int32_t>(r.get(4));
  const auto n = r.get(4);
  if (!r.ok() || d.seen_ < 0 || d.learned_ < 0 || !std::isfinite(d.weight_) || d.weight_ < 0 ||
      !std::isfinite(d.weighted_sum_) || d.buckets_since_firing_ < 0 ||
      d.buckets_since_firing_ > kNeverFired) {
    return corrupt;
  }
  if (n > static_cast<std::uint64_t>(d.options_.window_buckets)) {
    return error("sentiment drop: stored window is longer than the configured one");
  }
  for (std::uint64_t i = 0; i < n; ++i) {
    Bucket b{static_cast<Micros>(r.get(8)), static_cast<std::int64_t>(r.get(8)), r.get_double(),
             r.get(1) != 0};
    const bool in_order = d.window_.empty() || b.start > d.window_.back().start;
    if (!r.ok() || b.count < 0 || !valid_sum(b.count, b.sum) || b.start % d.options_.bucket != 0 ||
        !in_order) {
      return corrupt;
    }
    d.window_.push_back(b);
  }
  if (!r.at_end()) return corrupt;
  if (has_last) d.last_start_ = last;
  if (!d.window_.empty() && (!has_last || d.window_.back().start != last)) return corrupt;
  return d;
}

}  // namespace vigie::rules
