// Volume-spike crisis detection for one brand and one series (all mentions, or negative mentions only): the
// statistical core, without I/O. The caller cuts its event-time stream into buckets and feeds each completed
// bucket once the watermark has passed its end.
//
// Each bucket, the rolling sum S of the last `window_buckets` counts is tested against what the baseline
// (rules/detect/volume/volume_baseline.h) expects of those buckets: mean E = sum of the bucket means, variance = sum of the
// bucket variances + (sum of the standard deviations of the mean estimates)^2 (one slot's learning error is
// shared by its buckets), and p = P(X >= S) for X negative binomial with that mean and variance (Poisson when
// the variance does not exceed the mean). The window fires when p < p_fire, S >= min_count and
// S >= min_ratio * E; the finding is critical when moreover p < p_critical or S >= critical_ratio * E.
// Nothing fires during the baseline's warm-up.
//
// An episode starts with a firing window and ends once window_buckets consecutive windows have not fired; a
// dip inside it does not start a new episode. Buckets of a firing window, and of a window still at min_ratio
// times the expected count while the episode is open, are marked anomalous and never learned. Buckets are
// learned when they leave the window, 30 minutes late, so that the first buckets of a surge are known to be
// anomalous before they could be learned.
//
// Thread-safety: none; one instance per brand and series, driven by one task.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ingest/base/result.h"
#include "ingest/base/timestamp.h"
#include "rules/detect/crisis_finding.h"
#include "rules/detect/volume/volume_baseline.h"
#include "rules/scored_post.h"

namespace vigie::rules {

struct VolumeSpikeOptions {
  Micros bucket = 5 * 60 * kMicrosPerSecond;         // must divide one hour
  int window_buckets = 6;                            // the rolling window: 30 minutes
  double p_fire = 1e-4;                              // upper-tail probability below which the window fires
  double p_critical = 1e-7;                          // below which a firing is critical
  std::int64_t min_count = 10;                       // S below this never fires, however unlikely
  double min_ratio = 1.5;                            // nor S below min_ratio times the expected count
  double critical_ratio = 5;                         // a firing with S >= this times expected is critical
  Micros warmup = 3 * 24 * 3600 * kMicrosPerSecond;  // of buckets seen before any statistical alert
  Micros half_life = 24 * 3600 * kMicrosPerSecond;   // of the baseline level
  Micros weekly_after = 21 * 24 * 3600 * kMicrosPerSecond;  // hour-of-week seasonality from then on
  // A gap between two fed buckets is taken as buckets with no mention, up to this long; beyond (the daemon was
  // down), the window restarts empty and the gap is not learned.
  Micros max_gap = 24 * 3600 * kMicrosPerSecond;
  std::string subject = "mentions";  // what is counted, for the summary: "negative mentions"
};

struct SpikeFinding {
  Severity severity = Severity::warning;  // warning or critical
  std::int64_t count = 0;                 // S, over the window
  double expected = 0;                    // E, over the window
  double ratio = 0;                       // S / E (infinite when E is 0)
  double p = 1;                           // P(X >= S) under the baseline
  Micros window_start = 0;                // of the first bucket
  Micros window_end = 0;                  // end of the last bucket (exclusive)
  std::string slot;                       // seasonal slot of the last bucket: "Tuesday 14h UTC" or "14h UTC"
  bool onset = false;  // first finding of an episode: no window fired in the last window_buckets
  // "42 negative mentions in 30 min vs 9.5 expected for a Tuesday 14h UTC (4.4x), p=3e-9"
  std::string summary;
};

class VolumeSpikeDetector {
 public:
  static constexpr std::uint8_t kFormatVersion = 1;

  // Checks the options: those of the baseline, a window of 1 to 288 buckets, 0 < p_critical <= p_fire < 1,
  // min_count >= 1, min_ratio >= 0, critical_ratio > 0, max_gap of at least one bucket.
  static Result<void> validate(const VolumeSpikeOptions& options);
  static Result<VolumeSpikeDetector> create(VolumeSpikeOptions options = {});

  // Feeds the count of the completed bucket starting at `bucket_start`, a multiple of the bucket width, later
  // than the previous one. Returns the finding when the window ending with this bucket fires (consecutive
  // findings overlap: callers alert on `onset` and update the alert with the others), nullopt when it does not, an error for a misaligned or
  // out-of-order bucket or a negative count (the state is then unchanged).
  Result<std::optional<SpikeFinding>> on_bucket(Micros bucket_start, std::int64_t count);

  // The upper-tail p of the window ending with the last fed bucket, whether it fired or not: what the incident
  // book watches to resolve an incident after a quiet period. 1 when there was no statistic to compute (no
  // bucket fed yet, window not full, warm-up, a window restarted after a long gap, or just after decode()).
  double last_p() const { return last_p_; }

  // What the test of the window ending with the last fed bucket expected of each of its buckets (start,
  // expected count), oldest first: the means whose sum it compared the window's count with. Empty when no test
  // ran (window not full, warm-up, just after decode()). Computed on demand: the baseline has not changed
  // since the test.
  std::vector<std::pair<Micros, double>> window_expected() const;

  const VolumeBaseline& baseline() const { return baseline_; }
  const VolumeSpikeOptions& options() const { return options_; }

  // The state (baseline, window, episode), versioned; the options are not part of it. decode() takes the
  // current options and refuses a state whose baseline was learned with a different bucket, half-life, warm-up
  // or weekly delay: the caller then starts a fresh detector.
  std::string encode() const;
  static Result<VolumeSpikeDetector> decode(std::string_view bytes, VolumeSpikeOptions options = {});

 private:
  struct Bucket {
    Micros start;
    std::int64_t count;
    bool anomalous;
  };

  VolumeSpikeDetector(VolumeSpikeOptions options, VolumeBaseline baseline);
  std::optional<SpikeFinding> step(Micros bucket_start, std::int64_t count);
  SpikeFinding describe(std::int64_t s, double e, double p, const ExpectedCount& last) const;

  VolumeSpikeOptions options_;
  VolumeBaseline baseline_;
  std::deque<Bucket> window_;
  std::optional<Micros> last_start_;
  // Consecutive buckets whose window did not fire; an episode is open while this is below window_buckets.
  static constexpr std::int32_t kNeverFired = 1 << 30;
  std::int32_t buckets_since_firing_ = kNeverFired;
  // Not part of the encoded state: they describe the last call only.
  double last_p_ = 1;
  bool tested_ = false;  // the window ending with the last fed bucket was tested
};

// The finding as the incident book takes it: `kind` is volume or negative_volume, for the series the detector
// counts.
Finding to_finding(const SpikeFinding& f, std::string brand, DetectorKind kind);

}  // namespace vigie::rules
