// Sentiment-drop crisis detection for one brand: the mean sentiment of its recent mentions falls well below
// what is usual for it. Pure logic, without I/O; the caller cuts its event-time stream into buckets and feeds
// each completed bucket once the watermark has passed its end, like VolumeSpikeDetector (volume_spike.h).
//
// Each bucket brings the number n of mentions whose sentiment was scored (Sentiment::scored: unscored posts
// carry a placeholder compound of 0 and must not be counted) and the sum of their compound scores. The rolling
// window of the last `window_buckets` buckets has N mentions and mean compound M = sum / N. The baseline B is a
// count-weighted exponential moving average of the mean compound: every bucket decays the weights by
// 2^(-bucket / half_life) and adds its n and its sum, so that B = decayed sum / decayed count; a busy hour
// weighs more than a quiet one, and empty buckets only age the past.
//
// The window fires when the baseline is ready (warm-up over and at least min_volume mentions learned),
// N >= min_volume and B - M >= drop; the finding is critical when B - M >= critical_drop. A fixed drop rather
// than a significance test: the threshold reads as what users see on the timeline. The price is that with
// few mentions a noisy brand can cross it by chance; min_volume is the guard.
//
// An episode starts with a firing window and ends once window_buckets consecutive windows have not fired.
// Buckets of a firing window are never learned: a crisis never becomes the usual mood. Buckets are learned
// when they leave the window, so that the first buckets of a crisis are known to be part of a firing window
// before they could be learned.
//
// Thread-safety: none; one instance per brand, driven by one task.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "ingest/base/result.h"
#include "ingest/base/timestamp.h"
#include "rules/detect/crisis_finding.h"
#include "rules/scored_post.h"

namespace vigie::rules {

struct SentimentDropOptions {
  Micros bucket = 5 * 60 * kMicrosPerSecond;  // must divide one hour
  int window_buckets = 6;                     // the rolling window: 30 minutes
  double drop = 0.3;                          // baseline - window mean at or above which the window fires
  double critical_drop = 0.6;                 // at or above which a firing is critical
  std::int64_t min_volume = 20;               // scored mentions in the window below which nothing fires
  Micros warmup = 3 * 24 * 3600 * kMicrosPerSecond;  // of buckets seen before any alert
  Micros half_life = 24 * 3600 * kMicrosPerSecond;   // of the baseline's weights
  // A gap between two fed buckets is taken as buckets with no mention, up to this long; beyond (the daemon was
  // down), the window restarts empty and the gap is not learned.
  Micros max_gap = 24 * 3600 * kMicrosPerSecond;
};

struct SentimentDropFinding {
  Severity severity = Severity::warning;  // warning or critical
  std::int64_t count = 0;                 // N, scored mentions in the window
  double mean = 0;                        // M, mean compound over the window
  double baseline = 0;                    // B, the usual mean compound
  double drop = 0;                        // B - M
  Micros window_start = 0;                // of the first bucket
  Micros window_end = 0;                  // end of the last bucket (exclusive)
  bool onset = false;  // first finding of an episode: no window fired in the last window_buckets
  // "mean sentiment -0.45 over 38 mentions in 30 min vs +0.12 usual (drop 0.57)"
  std::string summary;
};

class SentimentDropDetector {
 public:
  static constexpr std::uint8_t kFormatVersion = 1;

  // Checks the options: positive durations, bucket dividing one hour, half-life and max_gap of at least one
  // bucket, a window of 1 to 288 buckets, 0 < drop <= critical_drop <= 2, min_volume >= 1.
  static Result<void> validate(const SentimentDropOptions& options);
  static Result<SentimentDropDetector> create(SentimentDropOptions options = {});

  // Feeds the completed bucket starting at `bucket_start`, a multiple of the bucket width, later than the
  // previous one: `count` scored mentions whose compound scores add up to `compound_sum`. Returns the finding
  // when the window ending with this bucket fires (consecutive findings overlap: callers alert on `onset` and
  // update the alert with the others), nullopt when it does not, an error for a misaligned or out-of-order
  // bucket, a negative count or a sum outside [-count, count] (the state is then unchanged).
  Result<std::optional<SentimentDropFinding>> on_bucket(Micros bucket_start, std::int64_t count,
                                                        double compound_sum);

  // Whether the window ending with the last fed bucket fired: false is the quiet signal the incident book
  // waits for before resolving (false also before any bucket and just after decode()).
  bool last_fired() const { return last_fired_; }

  // The usual mean compound; nullopt until the baseline is ready (see the header comment).
  std::optional<double> baseline_mean() const;
  std::int64_t buckets_seen() const { return seen_; }
  const SentimentDropOptions& options() const { return options_; }

  // The state (baseline, window, episode), versioned; the options are not part of it. decode() takes the
  // current options and refuses a state learned with a different bucket, half-life or warm-up, or whose window
  // does not fit the current one: the caller then starts a fresh detector.
  std::string encode() const;
  static Result<SentimentDropDetector> decode(std::string_view bytes, SentimentDropOptions options = {});

 private:
  struct Bucket {
    Micros start;
    std::int64_t count;
    double sum;
    bool anomalous;
  };

  explicit SentimentDropDetector(SentimentDropOptions options);
  std::optional<SentimentDropFinding> step(Micros bucket_start, std::int64_t count, double sum);
  void learn(const Bucket& b);
  bool ready() const;
  SentimentDropFinding describe(std::int64_t n, double mean, double baseline) const;

  SentimentDropOptions options_;
  // Derived from the options, not stored.
  double decay_ = 1;  // weight kept by the past at each bucket
  std::int64_t warmup_buckets_ = 0;

  std::int64_t seen_ = 0;     // buckets fed, gap buckets within max_gap included
  std::int64_t learned_ = 0;  // mentions learned, never decayed: the baseline needs min_volume of them
  double weight_ = 0;         // decayed count of learned mentions
  double weighted_sum_ = 0;   // decayed sum of their compound scores
  std::deque<Bucket> window_;
  std::optional<Micros> last_start_;
  // Consecutive buckets whose window did not fire; an episode is open while this is below window_buckets.
  static constexpr std::int32_t kNeverFired = 1 << 30;
  std::int32_t buckets_since_firing_ = kNeverFired;
  bool last_fired_ = false;
};

// The finding as the incident book takes it.
Finding to_finding(const SentimentDropFinding& f, std::string brand);

}  // namespace vigie::rules
