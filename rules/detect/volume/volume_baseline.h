// What mention count is normal for one brand in one time bucket: the learned baseline of the volume-spike
// detector (rules/detect/volume/volume_spike.h).
//
// Model, in event time, one observation per bucket (5 minutes by default), zero counts included:
//   expected(bucket) = level * seasonal factor of the bucket's slot
// - level: exponentially weighted moving average (EWMA) of the deseasonalised count, half-life 1 day;
// - seasonal factor: EWMA of observed / level per slot, normalised to mean 1 over the slots; 24 hour-of-day
//   slots (half-life 3 days), and 168 hour-of-week slots (half-life 3 weeks) which take over for a slot once
//   3 weeks of buckets have been seen and that slot has been learned for at least an hour;
// - noise: dispersion index D = EWMA of squared deviations / EWMA of expected counts (1 for Poisson noise,
//   more when mentions come in bursts), so that variance = D * mean at every level of seasonality;
// - uncertainty of the mean itself: D * mean / n, n the effective number of observations behind the slot's
//   factor. A young hour-of-week slot thus widens the test instead of raising false alarms.
// The first day of learned buckets initialises level and factors from plain means; every average then goes on
// as a running mean (weight max(EWMA weight, 1/n)) until it has enough observations to become an EWMA. Buckets observed as anomalous are counted but not learned: a crisis never becomes normal.
// The flip side: a lasting rise in volume keeps being reported until the baseline is reset.
//
// Times are UTC: slot names say so ("Tuesday 14h UTC").
//
// Thread-safety: none; one instance per brand and per series, owned by its detector.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/base/result.h"
#include "ingest/base/timestamp.h"

namespace vigie::rules {

struct VolumeBaselineOptions {
  Micros bucket = 5 * 60 * kMicrosPerSecond;         // width of a bucket; must divide one hour
  Micros half_life = 24 * 3600 * kMicrosPerSecond;   // of the level and of the dispersion
  Micros warmup = 3 * 24 * 3600 * kMicrosPerSecond;  // of buckets seen before expected() is ready
  Micros weekly_after =
      21 * 24 * 3600 * kMicrosPerSecond;  // of buckets seen before hour-of-week slots are used

  bool operator==(const VolumeBaselineOptions&) const = default;
};

// What the baseline expects of one bucket.
struct ExpectedCount {
  double mean = 0;           // expected count
  double variance = 0;       // of the count around the mean: D * mean
  double mean_variance = 0;  // of the estimate of the mean (learning error), to add for a predictive test
  bool ready = false;        // false during warm-up: no statistical decision may be taken
  bool weekly = false;       // the hour-of-week slot was used, else the hour-of-day slot
  std::string slot;          // "Tuesday 14h UTC" when weekly, else "14h UTC"
};

class VolumeBaseline {
 public:
  static constexpr std::uint8_t kFormatVersion = 1;

  // Checks that the options make sense: positive durations, bucket dividing one hour, half-life >= bucket.
  static Result<void> validate(const VolumeBaselineOptions& options);

  // Precondition: validate(options) succeeded.
  explicit VolumeBaseline(VolumeBaselineOptions options = {});

  // Learns the count of the bucket starting at `bucket_start` (any multiple of the bucket width; buckets are
  // expected in event-time order, one per bucket, empty ones with count 0). Negative counts are taken as 0.
  // An anomalous bucket only advances the warm-up and weekly clocks.
  void observe(Micros bucket_start, std::int64_t count, bool anomalous);

  ExpectedCount expected(Micros bucket_start) const;

  std::int64_t buckets_seen() const { return seen_; }
  std::int64_t buckets_learned() const { return learned_; }
  // The deseasonalised expected count per bucket.
  double level() const { return level_; }
  // Dispersion index D >= 1: variance / mean of a bucket's count.
  double dispersion() const;
  const VolumeBaselineOptions& options() const { return options_; }

  // A compact (about 2.4 kB), versioned, platform-independent byte string of the options and the state, to be
  // stored as is. decode(encode()) behaves exactly as the original.
  std::string encode() const;
  static Result<VolumeBaseline> decode(std::string_view bytes);

 private:
  static constexpr int kHoursPerDay = 24;
  static constexpr int kHoursPerWeek = 168;

  // The slot factor and its observation count that expected() and observe() use for this bucket.
  struct Slot {
    int hour_of_day;
    int hour_of_week;
    bool weekly;
  };
  Slot slot_of(Micros bucket_start) const;
  // During the first day of learned buckets the factors hold sums of counts, and expected() uses factor 1.
  bool initialising() const;
  void finish_initialisation();
  void derive_constants();

  VolumeBaselineOptions options_;
  // Derived from the options, not stored.
  double level_alpha_ = 0;
  double daily_alpha_ = 0;   // EWMA weight of one observation of an hour-of-day slot
  double weekly_alpha_ = 0;  // of an hour-of-week slot
  std::int64_t warmup_buckets_ = 0;
  std::int64_t weekly_buckets_ = 0;
  std::int64_t day_buckets_ = 0;
  std::int64_t hour_buckets_ = 0;

  std::int64_t seen_ = 0;
  std::int64_t learned_ = 0;
  std::int64_t level_n_ = 0;
  std::int64_t dispersion_n_ = 0;
  double level_ = 0;
  double squared_deviation_ = 0;  // EWMA of (count - expected)^2
  double expected_average_ = 0;   // EWMA of expected, over the same buckets
  std::array<double, kHoursPerDay> daily_{};
  std::array<std::uint32_t, kHoursPerDay> daily_n_{};
  std::array<double, kHoursPerWeek> weekly_{};
  std::array<std::uint32_t, kHoursPerWeek> weekly_n_{};
};

}  // namespace vigie::rules
