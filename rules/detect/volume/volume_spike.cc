#include "rules/detect/volume/volume_spike.h"

#include <cmath>
#include <cstdio>
#include <utility>

#include "rules/detect/state_codec.h"
#include "rules/detect/volume/tail_probability.h"

namespace vigie::rules {
namespace {

constexpr int kMaxWindowBuckets = 288;

// A window whose expected count is 0 (a brand never mentioned so far) still gets a finite p and ratio.
constexpr double kMinExpected = 1e-9;

VolumeBaselineOptions baseline_options(const VolumeSpikeOptions& o) {
  return {.bucket = o.bucket, .half_life = o.half_life, .warmup = o.warmup, .weekly_after = o.weekly_after};
}

// "3e-9" rather than printf's "3e-09": one significant digit is all a reader needs of a tiny p.
std::string format_p(double p) {
  char buf[32];
  if (p >= 1e-3) {
    std::snprintf(buf, sizeof buf, "%.2g", p);
  } else if (p <= 0) {
    std::snprintf(buf, sizeof buf, "<1e-300");
  } else {
    int exponent = static_cast<int>(std::floor(std::log10(p)));
    double mantissa = std::round(p / std::pow(10.0, exponent));
    if (mantissa >= 10) {
      mantissa = 1;
      ++exponent;
    }
    std::snprintf(buf, sizeof buf, "%.0fe%d", mantissa, exponent);
  }
  return buf;
}

}  // namespace

Result<void> VolumeSpikeDetector::validate(const VolumeSpikeOptions& o) {
  if (auto v = VolumeBaseline::validate(baseline_options(o)); !v) return v.error();
  if (o.window_buckets < 1 || o.window_buckets > kMaxWindowBuckets) {
    return error("volume spike: window must hold 1 to 288 buckets");
  }
  if (!(o.p_fire > 0 && o.p_fire < 1) || !(o.p_critical > 0 && o.p_critical <= o.p_fire)) {
    return error("volume spike: need 0 < p_critical <= p_fire < 1");
  }
  if (o.min_count < 1 || !(o.min_ratio >= 0) || !(o.critical_ratio > 0)) {
    return error("volume spike: min_count must be >= 1, min_ratio >= 0, critical_ratio > 0");
  }
  if (o.max_gap < o.bucket) return error("volume spike: max_gap must be at least one bucket");
  return ok();
}

Result<VolumeSpikeDetector> VolumeSpikeDetector::create(VolumeSpikeOptions o) {
  if (auto v = validate(o); !v) return v.error();
  VolumeBaseline baseline(baseline_options(o));
  return VolumeSpikeDetector(std::move(o), std::move(baseline));
}

VolumeSpikeDetector::VolumeSpikeDetector(VolumeSpikeOptions options, VolumeBaseline baseline)
    : options_(std::move(options)), baseline_(std::move(baseline)) {}

Result<std::optional<SpikeFinding>> VolumeSpikeDetector::on_bucket(Micros bucket_start, std::int64_t count) {
  if (count < 0) return error("volume spike: negative count");
  if (bucket_start % options_.bucket != 0)
    return error("volume spike: bucket start not aligned to the bucket width");
  if (last_start_ && bucket_start <= *last_start_) {
    return error("volume spike: bucket " + format_rfc3339(bucket_start) + " is not after the previous one, " +
                 format_rfc3339(*last_start_));
  }
  if (last_start_) {
    if (bucket_start - *last_start_ - options_.bucket > options_.max_gap) {
      // The daemon was down, or the feed was cut: what happened in the gap is unknown, so it is neither learned
      // nor allowed to join a window with what follows.
      for (const Bucket& b : window_)
        baseline_.observe(b.start, b.count, b.anomalous);
      window_.clear();
      buckets_since_firing_ = kNeverFired;
      last_p_ = 1;
      tested_ = false;
    } else {
      for (Micros t = *last_start_ + options_.bucket; t < bucket_start; t += options_.bucket)
        step(t, 0);
    }
  }
  last_start_ = bucket_start;
  return step(bucket_start, count);
}

std::optional<SpikeFinding> VolumeSpikeDetector::step(Micros bucket_start, std::int64_t count) {
  last_p_ = 1;
  tested_ = false;
  if (window_.size() == static_cast<std::size_t>(options_.window_buckets)) {
    const Bucket& oldest = window_.front();
    baseline_.observe(oldest.start, oldest.count, oldest.anomalous);
    window_.pop_front();
  }
  window_.push_back({bucket_start, count, false});
  if (window_.size() < static_cast<std::size_t>(options_.window_buckets)) return std::nullopt;

  std::int64_t s = 0;
  double mean = 0, variance = 0, mean_sd = 0;
  ExpectedCount last;
  for (const Bucket& b : window_) {
    last = baseline_.expected(b.start);
    s += b.count;
    mean += last.mean;
    variance += last.variance;
    mean_sd += std::sqrt(last.mean_variance);
  }
  if (!last.ready) return std::nullopt;
  tested_ = true;
  mean = std::max(mean, kMinExpected);
  // Buckets of one slot share the learning error of its factor: their standard deviations add up.
  variance += mean_sd * mean_sd;

  const double p = negative_binomial_upper_tail(s, mean, variance);
  last_p_ = p;
  const double fs = static_cast<double>(s);
  const bool fire = p < options_.p_fire && s >= options_.min_count && fs >= options_.min_ratio * mean;
  const bool episode_open = buckets_since_firing_ < options_.window_buckets;
  if (!fire) {
    // A dip inside a crisis is still the crisis: while the episode is open, a window still well above what is
    // expected is kept out of the baseline even though it no longer passes the test on its own.
    if (episode_open && fs >= options_.min_ratio * mean) {
      for (Bucket& b : window_)
        b.anomalous = true;
    }
    if (buckets_since_firing_ < kNeverFired) ++buckets_since_firing_;
    return std::nullopt;
  }
  for (Bucket& b : window_)
    b.anomalous = true;
  SpikeFinding f = describe(s, mean, p, last);
  f.onset = !episode_open;
  buckets_since_firing_ = 0;
  return f;
}

std::vector<std::pair<Micros, double>> VolumeSpikeDetector::window_expected() const {
  std::vector<std::pair<Micros, double>> out;
  if (!tested_) return out;
  out.reserve(window_.size());
  for (const Bucket& b : window_)
    out.emplace_back(b.start, baseline_.expected(b.start).mean);
  return out;
}

SpikeFinding VolumeSpikeDetector::describe(std::int64_t s, double e, double p,
                                           const ExpectedCount& last) const {
  SpikeFinding f;
  f.count = s;
  f.expected = e;
  f.ratio = static_cast<double>(s) / e;
  f.p = p;
  f.severity =
      p < options_.p_critical || f.ratio >= options_.critical_ratio ? Severity::critical : Severity::warning;
  f.window_start = window_.front().start;
  f.window_end = window_.back().start + options_.bucket;
  f.slot = last.slot;

  char ratio[32];
  if (f.ratio > 100) {
    std::snprintf(ratio, sizeof ratio, ">100x");
  } else {
    std::snprintf(ratio, sizeof ratio, "%.1fx", f.ratio);
  }
  char buf[256];
  std::snprintf(buf, sizeof buf, "%lld %s in %lld min vs %.1f expected for %s%s (%s), p=%s",
                static_cast<long long>(s), options_.subject.c_str(),
                static_cast<long long>((f.window_end - f.window_start) / (60 * kMicrosPerSecond)), e,
                last.weekly ? "a " : "", last.slot.c_str(), ratio, format_p(p).c_str());
  f.summary = buf;
  return f;
}

Finding to_finding(const SpikeFinding& f, std::string brand, DetectorKind kind) {
  return window_finding(std::move(brand), kind, f.severity, f.window_start, f.window_end, f.onset, f.summary);
}

std::string VolumeSpikeDetector::encode() const {
  std::string out;
  put_le(out, kFormatVersion, 1);
  put_le(out, last_start_ ? 1 : 0, 1);
  put_le(out, static_cast<std::uint64_t>(last_start_.value_or(0)), 8);
  put_le(out, static_cast<std::uint64_t>(buckets_since_firing_), 4);
  put_le(out, window_.size(), 4);
  for (const Bucket& b : window_) {
    put_le(out, static_cast<std::uint64_t>(b.start), 8);
    put_le(out, static_cast<std::uint64_t>(b.count), 8);
    put_le(out, b.anomalous ? 1 : 0, 1);
  }
  const std::string baseline = baseline_.encode();
  put_le(out, baseline.size(), 4);
  out += baseline;
  return out;
}

Result<VolumeSpikeDetector> VolumeSpikeDetector::decode(std::string_view bytes, VolumeSpikeOptions options) {
  auto fresh = create(std::move(options));
  if (!fresh) return fresh.error();
  VolumeSpikeDetector d = std::move(*fresh);

  StateReader r(bytes);
  const auto version = r.get(1);
  if (r.ok() && version != kFormatVersion) {
    return error("volume spike: unknown format version " + std::to_string(version));
  }
  const bool has_last = r.get(1) != 0;
  const auto last = static_cast<Micros>(r.get(8));
  d.buckets_since_firing_ = static_cast<std::int32_t>(r.get(4));
  const auto n = r.get(4);
  if (!r.ok() || n > static_cast<std::uint64_t>(d.options_.window_buckets) || d.buckets_since_firing_ < 0 ||
      d.buckets_since_firing_ > kNeverFired) {
    return error("volume spike: truncated or corrupt state");
  }
  for (std::uint64_t i = 0; i < n; ++i) {
    Bucket b{static_cast<Micros>(r.get(8)), static_cast<std::int64_t>(r.get(8)), r.get(1) != 0};
    const bool in_order = d.window_.empty() || b.start > d.window_.back().start;
    if (!r.ok() || b.count < 0 || b.start % d.options_.bucket != 0 || !in_order) {
      return error("volume spike: truncated or corrupt state");
    }
    d.window_.push_back(b);
  }
  const auto baseline_size = r.get(4);
  if (!r.ok() || r.rest().size() != baseline_size) return error("volume spike: truncated or corrupt state");
  auto baseline = VolumeBaseline::decode(r.rest());
  if (!baseline) return baseline.error();
  if (!(baseline->options() == baseline_options(d.options_))) {
    return error("volume spike: stored baseline was learned with other bucket, half-life or warm-up options");
  }
  d.baseline_ = std::move(*baseline);
  if (has_last) d.last_start_ = last;
  if (!d.window_.empty() && (!has_last || d.window_.back().start != last)) {
    return error("volume spike: truncated or corrupt state");
  }
  return d;
}

}  // namespace vigie::rules
