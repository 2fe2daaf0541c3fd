#include "rules/detect/volume/volume_baseline.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>

#include "rules/detect/state_codec.h"

namespace vigie::rules {
namespace {

constexpr Micros kHour = 3600 * kMicrosPerSecond;
constexpr Micros kDay = 24 * kHour;

// Seasonal half-lives, in time: long enough that one slot's factor averages dozens of buckets (36 at 5 minutes)
// and short enough to follow a brand whose audience shifts over weeks.
constexpr Micros kDailyHalfLife = 3 * kDay;
constexpr Micros kWeeklyHalfLife = 21 * kDay;

// Seasonal factors stay within these bounds: a slot that never sees a mention must not reach 0, which would
// make the deseasonalised count of its next mention infinite.
constexpr double kMinFactor = 0.02;
constexpr double kMaxFactor = 50;
constexpr double kMaxDispersion = 100;

constexpr const char* kWeekdays[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                     "Friday", "Saturday", "Sunday"};

Micros floor_div(Micros a, Micros b) {
  Micros q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

double ewma_alpha(double half_life_obs) {
  return 1.0 - std::exp2(-1.0 / half_life_obs);
}

// A running mean for the first 1/alpha observations, an EWMA afterwards.
double weight(double alpha, std::int64_t n) {
  return std::max(alpha, 1.0 / static_cast<double>(n));
}

// Effective number of independent observations behind an average built with weight(): n while it is a
// running mean, then (2 - alpha) / alpha, the inverse of the EWMA's variance factor.
double effective_n(double alpha, std::int64_t n) {
  return std::max(1.0, std::min(static_cast<double>(n), (2.0 - alpha) / alpha));
}

template <std::size_t N>
void normalise(std::array<double, N>& factors) {
  const double mean = std::accumulate(factors.begin(), factors.end(), 0.0) / N;
  if (!(mean > 0)) return;
  for (double& f : factors)
    f = std::clamp(f / mean, kMinFactor, kMaxFactor);
}

}  // namespace

Result<void> VolumeBaseline::validate(const VolumeBaselineOptions& o) {
  if (o.bucket <= 0 || kHour % o.bucket != 0)
    return error("volume baseline: bucket width must divide one hour");
  if (o.half_life < o.bucket) return error("volume baseline: half-life must be at least one bucket");
  if (o.warmup < 0 || o.weekly_after < 0)
    return error("volume baseline: warm-up durations must not be negative");
  return ok();
}

VolumeBaseline::VolumeBaseline(VolumeBaselineOptions options) : options_(options) {
  derive_constants();
}

bool VolumeBaseline::initialising() const {
  return level_n_ < day_buckets_;
}

void VolumeBaseline::finish_initialisation() {
  // Seasonal factors learned one ratio at a time against a level that is itself still being learned chase each
  // other for days. One full day of counts gives both directly: level = mean count, factor = hour mean / level.
  auto start = [this](auto& factors, const auto& n) {
    for (std::size_t i = 0; i < factors.size(); ++i) {
      factors[i] = n[i] > 0 && level_ > 0 ? factors[i] / n[i] / level_ : 1.0;
    }
    normalise(factors);
  };
  start(daily_, daily_n_);
  start(weekly_, weekly_n_);
}

void VolumeBaseline::derive_constants() {
  const Micros b = options_.bucket;
  hour_buckets_ = kHour / b;
  day_buckets_ = kDay / b;
  level_alpha_ = ewma_alpha(static_cast<double>(options_.half_life) / static_cast<double>(b));
  // A slot is observed once per bucket of its hour: hour_buckets_ times per day (hour-of-day) or per week.
  daily_alpha_ = ewma_alpha(static_cast<double>(kDailyHalfLife / kDay * hour_buckets_));
  weekly_alpha_ = ewma_alpha(static_cast<double>(kWeeklyHalfLife / (7 * kDay) * hour_buckets_));
  warmup_buckets_ = (options_.warmup + b - 1) / b;
  weekly_buckets_ = (options_.weekly_after + b - 1) / b;
}

VolumeBaseline::Slot VolumeBaseline::slot_of(Micros bucket_start) const {
  const Micros day = floor_div(bucket_start, kDay);
  const int hour = static_cast<int>((bucket_start - day * kDay) / kHour);
  // 1970-01-01 was a Thursday; weekday 0 is Monday.
  const int weekday = static_cast<int>(((day + 3) % 7 + 7) % 7);
  const int how = weekday * kHoursPerDay + hour;
  // A weekly slot needs a full hour of its own observations, or the hour-of-day factor is the better guess.
  const bool weekly = seen_ >= weekly_buckets_ && weekly_n_[how] >= static_cast<std::uint32_t>(hour_buckets_);
  return {hour, how, weekly};
}

double VolumeBaseline::dispersion() const {
  if (dispersion_n_ == 0 || !(expected_average_ > 0)) return 1.0;
  return std::clamp(squared_deviation_ / expected_average_, 1.0, kMaxDispersion);
}

ExpectedCount VolumeBaseline::expected(Micros bucket_start) const {
  const Slot s = slot_of(bucket_start);
  const bool init = initialising();
  const double factor = init ? 1.0 : s.weekly ? weekly_[s.hour_of_week] : daily_[s.hour_of_day];
  const double n_eff = init       ? 1.0
                       : s.weekly ? effective_n(weekly_alpha_, weekly_n_[s.hour_of_week])
                                  : effective_n(daily_alpha_, daily_n_[s.hour_of_day]);
  ExpectedCount e;
  e.mean = level_ * factor;
  const double d = dispersion();
  e.variance = d * e.mean;
  // The factor is an average of n_eff ratios, each with relative variance d / mean: its own relative
  // variance is d / (mean * n_eff), hence an absolute variance of the mean of d * mean / n_eff.
  e.mean_variance = d * e.mean / n_eff;
  e.ready = seen_ >= warmup_buckets_;
  e.weekly = s.weekly;
  char buf[32];
  if (s.weekly) {
    std::snprintf(buf, sizeof buf, "%s %dh UTC", kWeekdays[s.hour_of_week / kHoursPerDay], s.hour_of_day);
  } else {
    std::snprintf(buf, sizeof buf, "%dh UTC", s.hour_of_day);
  }
  e.slot = buf;
  return e;
}

void VolumeBaseline::observe(Micros bucket_start, std::int64_t count, bool anomalous) {
  ++seen_;
  if (anomalous) return;
  ++learned_;
  const Slot s = slot_of(bucket_start);
  const double c = static_cast<double>(std::max<std::int64_t>(count, 0));
  if (initialising()) {
    // First day: the factors hold sums of counts until finish_initialisation() turns them into ratios.
    daily_[s.hour_of_day] += c;
    ++daily_n_[s.hour_of_day];
    weekly_[s.hour_of_week] += c;
    ++weekly_n_[s.hour_of_week];
    level_ += (c - level_) / static_cast<double>(++level_n_);
    if (!initialising()) finish_initialisation();
    return;
  }
  const double factor = s.weekly ? weekly_[s.hour_of_week] : daily_[s.hour_of_day];
  const double mean = level_ * factor;

  // The dispersion is learned from the second day on, once there are factors to predict with. It is a ratio
  // of averages rather than an average of ratios, which a night-time bucket with a tiny mean would swamp.
  const double a = weight(level_alpha_, ++dispersion_n_);
  squared_deviation_ += a * ((c - mean) * (c - mean) - squared_deviation_);
  expected_average_ += a * (mean - expected_average_);

  // Seasonal ratios against the level before this bucket updates it: the level is the reference they divide.
  const double ratio = level_ > 0 ? std::min(c / level_, kMaxFactor) : 1.0;
  double& fd = daily_[s.hour_of_day];
  fd += weight(daily_alpha_, ++daily_n_[s.hour_of_day]) * (ratio - fd);
  normalise(daily_);
  double& fw = weekly_[s.hour_of_week];
  fw += weight(weekly_alpha_, ++weekly_n_[s.hour_of_week]) * (ratio - fw);
  normalise(weekly_);

  // The level learns the deseasonalised count, using the factor the prediction used.
  level_ += weight(level_alpha_, ++level_n_) * (c / factor - level_);
}

std::string VolumeBaseline::encode() const {
  StateWriter w;
  w.u8(kFormatVersion);
  w.i64(options_.bucket);
  w.i64(options_.half_life);
  w.i64(options_.warmup);
  w.i64(options_.weekly_after);
  w.i64(seen_);
  w.i64(learned_);
  w.i64(level_n_);
  w.i64(dispersion_n_);
  w.f64(level_);
  w.f64(squared_deviation_);
  w.f64(expected_average_);
  for (double f : daily_)
    w.f64(f);
  for (std::uint32_t n : daily_n_)
    w.u32(n);
  for (double f : weekly_)
    w.f64(f);
  for (std::uint32_t n : weekly_n_)
    w.u32(n);
  return w.take();
}

Result<VolumeBaseline> VolumeBaseline::decode(std::string_view bytes) {
  StateReader r(bytes);
  const std::uint8_t version = r.u8();
  if (r.ok() && version != kFormatVersion) {
    return error("volume baseline: unknown format version " + std::to_string(version));
  }
  VolumeBaselineOptions o;
  o.bucket = r.i64();
  o.half_life = r.i64();
  o.warmup = r.i64();
  o.weekly_after = r.i64();
  if (!r.ok()) return error("volume baseline: truncated state");
  if (auto v = validate(o); !v) return v.error();
  VolumeBaseline b(o);
  b.seen_ = r.i64();
  b.learned_ = r.i64();
  b.level_n_ = r.i64();
  b.dispersion_n_ = r.i64();
  b.level_ = r.f64();
  b.squared_deviation_ = r.f64();
  b.expected_average_ = r.f64();
  for (double& f : b.daily_)
    f = r.f64();
  for (std::uint32_t& n : b.daily_n_)
    n = r.u32();
  for (double& f : b.weekly_)
    f = r.f64();
  for (std::uint32_t& n : b.weekly_n_)
    n = r.u32();
  if (!r.ok()) return error("volume baseline: truncated state");
  if (!r.at_end()) return error("volume baseline: trailing bytes after state");

  auto finite_nonneg = [](double x) { return std::isfinite(x) && x >= 0; };
  // While initialising, the factors hold sums of counts.
  const bool init = b.initialising();
  auto factor_ok = [init](double f) {
    return std::isfinite(f) && (init ? f >= 0 : f >= kMinFactor && f <= kMaxFactor);
  };
  const bool sane = b.seen_ >= 0 && b.learned_ >= 0 && b.learned_ <= b.seen_ && b.level_n_ >= 0 &&
                    b.dispersion_n_ >= 0 && finite_nonneg(b.level_) && finite_nonneg(b.squared_deviation_) &&
                    finite_nonneg(b.expected_average_) &&
                    std::all_of(b.daily_.begin(), b.daily_.end(), factor_ok) &&
                    std::all_of(b.weekly_.begin(), b.weekly_.end(), factor_ok);
  if (!sane) return error("volume baseline: corrupt state (value out of range)");
  return b;
}

}  // namespace vigie::rules
