#include "rules/detect/volume/volume_spike.h"

#include <gtest/gtest.h>

#include <boost/math/distributions/negative_binomial.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <cmath>
#include <functional>
#include <limits>
#include <numbers>
#include <random>
#include <regex>
#include <vector>

#include "rules/detect/volume/tail_probability.h"
#include "rules/detect/volume/volume_baseline.h"

namespace vigie::rules {
namespace {

constexpr Micros kMinute = 60 * kMicrosPerSecond;
constexpr Micros kBucket = 5 * kMinute;
constexpr Micros kHour = 60 * kMinute;
constexpr Micros kDay = 24 * kHour;
constexpr Micros kMonday = 1'704'067'200 * kMicrosPerSecond;  // 2024-01-01T00:00:00Z, a Monday

// ---- tail probabilities --------------------------------------------------------------------------------------

// Independent references: the tail summed term by term in long double, terms from lgamma.
long double poisson_tail_by_sum(std::int64_t s, double mean) {
  long double sum = 0;
  for (std::int64_t k = s;; ++k) {
    const long double term =
        std::exp(-static_cast<long double>(mean) + k * std::log(static_cast<long double>(mean)) -
                 std::lgamma(static_cast<long double>(k) + 1));
    sum += term;
    if (k > mean && term < sum * 1e-20L) return sum;
  }
}

long double nb_tail_by_sum(std::int64_t s, double mean, double variance) {
  const long double r = static_cast<long double>(mean) * mean / (variance - mean);
  const long double p = static_cast<long double>(mean) / variance;
  long double sum = 0;
  for (std::int64_t k = s;; ++k) {
    const long double term = std::exp(std::lgamma(k + r) - std::lgamma(r) - std::lgamma(k + 1.0L) +
                                      r * std::log(p) + k * std::log1p(-p));
    sum += term;
    if (k > mean && term < sum * 1e-20L) return sum;
  }
}

TEST(TailProbability, PoissonKnownValue) {
  // 1 - sum_{k<10} e^-2 2^k / k!, computed to 30 digits with mpmath.
  EXPECT_NEAR(poisson_upper_tail(10, 2.0), 4.64980750172638e-5, 1e-17);
}

TEST(TailProbability, PoissonMatchesTermByTermSum) {
  for (double mean : {0.3, 2.0, 9.5, 100.0, 3000.0}) {
    for (double z : {0.0, 1.0, 3.0, 5.0, 7.0}) {
      const auto s = static_cast<std::int64_t>(std::ceil(mean + z * std::sqrt(mean))) + 1;
      const double ref = static_cast<double>(poisson_tail_by_sum(s, mean));
      EXPECT_NEAR(poisson_upper_tail(s, mean) / ref, 1.0, 1e-9) << "s=" << s << " mean=" << mean;
    }
  }
}

TEST(TailProbability, PoissonMatchesBoostDistribution) {
  for (auto [s, mean] : {std::pair<std::int64_t, double>{24, 10.0}, {5400, 5000.0}, {40, 13.0}}) {
    const double ref =
        boost::math::cdf(boost::math::complement(boost::math::poisson_distribution<>(mean), s - 1));
    EXPECT_NEAR(poisson_upper_tail(s, mean) / ref, 1.0, 1e-10);
  }
}

TEST(TailProbability, TinyTailsAndLargeMeans) {
  // About 7 standard deviations above a mean of 5000: p near 1e-12 must keep its digits.
  const double p = poisson_upper_tail(5500, 5000.0);
  EXPECT_GT(p, 1e-14);
  EXPECT_LT(p, 1e-10);
  EXPECT_NEAR(p / static_cast<double>(poisson_tail_by_sum(5500, 5000.0)), 1.0, 1e-9);
  const double nb = negative_binomial_upper_tail(6000, 5000.0, 9000.0);
  EXPECT_NEAR(nb / static_cast<double>(nb_tail_by_sum(6000, 5000.0, 9000.0)), 1.0, 1e-9);
  EXPECT_LT(nb, 1e-12);
}

TEST(TailProbability, NegativeBinomialMatchesReferences) {
  for (auto [mean, variance] : {std::pair{2.0, 3.0}, {9.5, 14.0}, {12.0, 100.0}, {300.0, 450.0}}) {
    for (double z : {0.0, 2.0, 4.0, 6.0}) {
      const auto s = static_cast<std::int64_t>(std::ceil(mean + z * std::sqrt(variance))) + 1;
      const double ref = static_cast<double>(nb_tail_by_sum(s, mean, variance));
      EXPECT_NEAR(negative_binomial_upper_tail(s, mean, variance) / ref, 1.0, 1e-9) << s << " " << mean;
      // Boost's own distribution, parameterised by r and p.
      const double r = mean * mean / (variance - mean);
      const boost::math::negative_binomial_distribution<> nb(r, mean / variance);
      EXPECT_NEAR(negative_binomial_upper_tail(s, mean, variance) /
                      boost::math::cdf(boost::math::complement(nb, static_cast<double>(s - 1))),
                  1.0, 1e-8);
    }
  }
}

TEST(TailProbability, FallsBackToPoissonAndHandlesEdges) {
  EXPECT_EQ(negative_binomial_upper_tail(20, 10.0, 10.0), poisson_upper_tail(20, 10.0));
  EXPECT_EQ(negative_binomial_upper_tail(20, 10.0, 4.0), poisson_upper_tail(20, 10.0));
  EXPECT_EQ(poisson_upper_tail(0, 3.0), 1.0);
  EXPECT_EQ(poisson_upper_tail(-4, 3.0), 1.0);
  EXPECT_EQ(poisson_upper_tail(1, 0.0), 0.0);
  EXPECT_EQ(poisson_upper_tail(5, std::nan("")), 1.0);
  EXPECT_EQ(negative_binomial_upper_tail(5, 2.0, std::nan("")), 1.0);
  EXPECT_EQ(negative_binomial_upper_tail(5, std::numeric_limits<double>::infinity(), 9.0), 1.0);
}

TEST(TailProbability, Monotonic) {
  double previous = 1.0;
  for (std::int64_t s = 0; s < 80; ++s) {
    const double p = negative_binomial_upper_tail(s, 12.0, 20.0);
    EXPECT_LE(p, previous);
    previous = p;
  }
  for (double mean = 1; mean < 60; mean += 1.5) {
    EXPECT_LE(poisson_upper_tail(30, mean), poisson_upper_tail(30, mean + 1.5));
  }
  // Overdispersion fattens the upper tail.
  for (std::int64_t s = 25; s < 60; s += 5) {
    EXPECT_GT(negative_binomial_upper_tail(s, 12.0, 20.0), poisson_upper_tail(s, 12.0));
    EXPECT_GT(negative_binomial_upper_tail(s, 12.0, 40.0), negative_binomial_upper_tail(s, 12.0, 20.0));
  }
}

// ---- detector on synthetic series ----------------------------------------------------------------------------

// Expected mentions per 5-minute bucket at time t.
using Rate = std::function<double(Micros)>;

// About `per_hour` mentions an hour on average, quiet at night (a quarter at 3h UTC), busy in the afternoon (1.75
// times at 15h): the expected count of a 5-minute bucket at t.
double seasonal_rate(Micros t, double per_hour) {
  const double hour = static_cast<double>((t % kDay)) / static_cast<double>(kHour);
  return per_hour * (1.0 + 0.75 * std::sin(2 * std::numbers::pi * (hour - 9.0) / 24.0)) / 12.0;
}

double daily_rate(Micros t) {
  return seasonal_rate(t, 20.0);
}

struct Fired {
  Micros bucket;
  SpikeFinding finding;
};

std::vector<Fired> feed(VolumeSpikeDetector& d, std::mt19937_64& rng, Micros from, Micros to,
                        const Rate& rate) {
  std::vector<Fired> fired;
  for (Micros t = from; t < to; t += kBucket) {
    const double mean = rate(t);
    const std::int64_t count = mean > 0 ? std::poisson_distribution<std::int64_t>(mean)(rng) : 0;
    auto r = d.on_bucket(t, count);
    EXPECT_TRUE(r.has_value());
    if (r && *r) fired.push_back({t, **r});
  }
  return fired;
}

VolumeSpikeDetector make(VolumeSpikeOptions o = {}) {
  auto d = VolumeSpikeDetector::create(std::move(o));
  EXPECT_TRUE(d.has_value());
  return std::move(*d);
}

int onsets(const std::vector<Fired>& fired) {
  int n = 0;
  for (const Fired& f : fired)
    n += f.finding.onset ? 1 : 0;
  return n;
}

TEST(VolumeSpike, QuietOnStationaryNoise) {
  constexpr int kSeeds = 6;
  int episodes = 0;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    std::mt19937_64 rng(seed);
    VolumeSpikeDetector d = make();
    episodes += onsets(feed(d, rng, kMonday, kMonday + 30 * kDay, daily_rate));
  }
  // Fewer than one false alarm per detector per month, on average.
  EXPECT_LE(episodes, kSeeds) << episodes << " false alarms in " << kSeeds << " simulated months";
}

// Runs 7 quiet days then a surge of `factor` times the usual rate from day 7 at 14h, for 2 hours.
std::vector<Fired> surge_findings(std::uint64_t seed, double factor, Micros* surge_start,
                                  double per_hour = 20) {
  std::mt19937_64 rng(seed);
  VolumeSpikeDetector d = make();
  const Micros surge = kMonday + 7 * kDay + 14 * kHour;
  *surge_start = surge;
  auto quiet = [per_hour](Micros t) { return seasonal_rate(t, per_hour); };
  EXPECT_LE(onsets(feed(d, rng, kMonday, surge, quiet)), 1);
  return feed(d, rng, surge, surge + 2 * kHour, [&](Micros t) { return factor * quiet(t); });
}

// Event time of detection: the end of the first firing window.
Micros detection_delay(const std::vector<Fired>& fired, Micros surge) {
  return fired.empty() ? std::numeric_limits<Micros>::max() : fired.front().finding.window_end - surge;
}

TEST(VolumeSpike, DetectsThreefoldSurgeWithin25Minutes) {
  // At 20 mentions an hour, 3x means about 9 mentions per bucket against 3: Poisson noise alone makes an
  // oracle that knows the true rate miss 25 minutes about 1 time in 20; the learned baseline stays close.
  constexpr int kSeeds = 40;
  int within_25 = 0;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    Micros surge = 0;
    const auto fired = surge_findings(seed, 3.0, &surge);
    within_25 += detection_delay(fired, surge) <= 25 * kMinute ? 1 : 0;
    EXPECT_LE(detection_delay(fired, surge), 40 * kMinute) << "seed " << seed;
    EXPECT_EQ(onsets(fired), 1) << "seed " << seed;
  }
  EXPECT_GE(within_25, kSeeds * 85 / 100);
  // Three times the volume, always within 25 minutes.
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    Micros surge = 0;
    const auto fired = surge_findings(seed, 3.0, &surge, 60.0);
    EXPECT_LE(detection_delay(fired, surge), 25 * kMinute) << "seed " << seed;
  }
}

TEST(VolumeSpike, TenfoldSurgeIsCritical) {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    Micros surge = 0;
    const auto fired = surge_findings(seed, 10.0, &surge);
    ASSERT_FALSE(fired.empty());
    EXPECT_LE(fired.front().finding.window_end - surge, 10 * kMinute);
    // The first windows still hold quiet buckets; the episode turns critical within 15 minutes.
    bool critical = false;
    for (const Fired& f : fired) {
      critical |= f.finding.window_end - surge <= 15 * kMinute && f.finding.severity == Severity::critical;
    }
    EXPECT_TRUE(critical) << "seed " << seed;
  }
}

TEST(VolumeSpike, SilentDuringWarmup) {
  std::mt19937_64 rng(7);
  VolumeSpikeDetector d = make();
  // 10x bursts from 14h to 16h on each of the first 3 days: learned as normal, never reported.
  auto burst_at = [](int from_hour) {
    return [from_hour](Micros t) {
      const Micros day_time = (t - kMonday) % kDay;
      const bool burst = day_time >= from_hour * kHour && day_time < (from_hour + 2) * kHour;
      return daily_rate(t) * (burst ? 10.0 : 1.0);
    };
  };
  EXPECT_TRUE(feed(d, rng, kMonday, kMonday + 3 * kDay, burst_at(14)).empty());
  EXPECT_FALSE(d.baseline().expected(kMonday + 3 * kDay - kBucket).ready);
  // After the warm-up, the same burst at another hour is reported.
  EXPECT_FALSE(feed(d, rng, kMonday + 3 * kDay, kMonday + 4 * kDay, burst_at(19)).empty());
}

// window_expected() is what the test compared the window with: its means sum to the finding's expected count,
// one per bucket of the window; nothing before the first test.
TEST(VolumeSpike, WindowExpectedIsWhatTheTestSummed) {
  std::mt19937_64 rng(3);
  VolumeSpikeDetector d = make();
  EXPECT_TRUE(d.window_expected().empty());
  feed(d, rng, kMonday, kMonday + 3 * kDay - kBucket, daily_rate);
  EXPECT_TRUE(d.window_expected().empty()) << "still warming up";
  const Micros surge = kMonday + 4 * kDay + 14 * kHour;
  feed(d, rng, kMonday + 3 * kDay - kBucket, surge, daily_rate);
  ASSERT_EQ(d.window_expected().size(), 6u);
  EXPECT_EQ(d.window_expected().front().first, surge - 6 * kBucket);
  EXPECT_EQ(d.window_expected().back().first, surge - kBucket);
  int checked = 0;
  for (Micros t = surge; t < surge + kHour; t += kBucket) {
    auto r = d.on_bucket(t, 30);
    ASSERT_TRUE(r);
    if (!*r) continue;
    double sum = 0;
    for (const auto& [b, e] : d.window_expected())
      sum += e;
    EXPECT_NEAR(sum, (*r)->expected, 1e-9 * (*r)->expected);
    ++checked;
  }
  EXPECT_GE(checked, 6);
}

TEST(VolumeSpike, LongSurgeDoesNotBecomeNormal) {
  std::mt19937_64 rng(11);
  VolumeSpikeDetector d = make();
  const Micros surge = kMonday + 7 * kDay + 10 * kHour;
  feed(d, rng, kMonday, surge, daily_rate);
  const double level_before = d.baseline().level();
  const auto fired = feed(d, rng, surge, surge + 6 * kHour, [](Micros t) { return 3.0 * daily_rate(t); });
  ASSERT_FALSE(fired.empty());
  EXPECT_EQ(onsets(fired), 1) << "one episode, not a series of alarms";
  // Still anomalous in the sixth hour: every window of the last hour fires.
  int last_hour = 0;
  for (const Fired& f : fired)
    last_hour += f.bucket >= surge + 5 * kHour ? 1 : 0;
  EXPECT_GE(last_hour, 10);
  EXPECT_NEAR(d.baseline().level() / level_before, 1.0, 0.03);
}

TEST(VolumeSpike, HourOfWeekLearnsAWeeklyPattern) {
  // Flat 24 mentions an hour, except Mondays 9h-10h UTC at 8 times that.
  auto rate = [](Micros t) {
    const Micros week_time = (t - kMonday) % (7 * kDay);
    return week_time >= 9 * kHour && week_time < 10 * kHour ? 16.0 : 2.0;
  };
  VolumeSpikeOptions daily_only;
  daily_only.weekly_after = 1000 * kDay;
  for (bool weekly : {true, false}) {
    std::mt19937_64 rng(3);
    VolumeSpikeDetector d = make(weekly ? VolumeSpikeOptions{} : daily_only);
    feed(d, rng, kMonday, kMonday + 21 * kDay, rate);
    const Micros monday4 = kMonday + 21 * kDay;
    const auto fired = feed(d, rng, monday4, monday4 + kDay, rate);
    if (weekly) {
      EXPECT_TRUE(fired.empty()) << fired.front().finding.summary;
      EXPECT_EQ(d.baseline().expected(monday4 + 9 * kHour).slot, "Monday 9h UTC");
    } else {
      ASSERT_FALSE(fired.empty());
      EXPECT_GE(fired.front().bucket, monday4 + 9 * kHour);
      EXPECT_LT(fired.front().bucket, monday4 + 10 * kHour + 30 * kMinute);
    }
  }
}

TEST(VolumeSpike, EncodeDecodeGivesIdenticalDecisions) {
  std::mt19937_64 rng(5);
  VolumeSpikeDetector d = make();
  feed(d, rng, kMonday, kMonday + 5 * kDay + 7 * kBucket, daily_rate);
  const std::string state = d.encode();
  auto restored = VolumeSpikeDetector::decode(state);
  ASSERT_TRUE(restored.has_value()) << restored.error().message;
  EXPECT_EQ(restored->encode(), state);

  auto rate = [](Micros t) {
    const Micros surge = kMonday + 6 * kDay + 15 * kHour;
    return daily_rate(t) * (t >= surge && t < surge + kHour ? 4.0 : 1.0);
  };
  std::mt19937_64 rng_copy = rng;
  const Micros from = kMonday + 5 * kDay + 7 * kBucket, to = kMonday + 8 * kDay;
  const auto a = feed(d, rng, from, to, rate);
  const auto b = feed(*restored, rng_copy, from, to, rate);
  ASSERT_FALSE(a.empty());
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].bucket, b[i].bucket);
    EXPECT_EQ(a[i].finding.summary, b[i].finding.summary);
    EXPECT_EQ(a[i].finding.p, b[i].finding.p);
  }
  EXPECT_EQ(d.encode(), restored->encode());
}

TEST(VolumeSpike, DecodeRejectsCorruptOrMismatchedState) {
  std::mt19937_64 rng(5);
  VolumeSpikeDetector d = make();
  feed(d, rng, kMonday, kMonday + kDay, daily_rate);
  const std::string state = d.encode();
  EXPECT_FALSE(VolumeSpikeDetector::decode(state.substr(0, state.size() - 1)).has_value());
  EXPECT_FALSE(VolumeSpikeDetector::decode(state + "x").has_value());
  std::string bad_version = state;
  bad_version[0] = 9;
  EXPECT_FALSE(VolumeSpikeDetector::decode(bad_version).has_value());
  VolumeSpikeOptions other;
  other.half_life = 2 * kDay;
  EXPECT_FALSE(VolumeSpikeDetector::decode(state, other).has_value());
  EXPECT_FALSE(VolumeBaseline::decode("").has_value());
}

TEST(VolumeSpike, RejectsOutOfOrderAndMisalignedBuckets) {
  VolumeSpikeDetector d = make();
  ASSERT_TRUE(d.on_bucket(kMonday + kBucket, 3).has_value());
  EXPECT_FALSE(d.on_bucket(kMonday + kBucket, 3).has_value());
  EXPECT_FALSE(d.on_bucket(kMonday, 3).has_value());
  EXPECT_FALSE(d.on_bucket(kMonday + 2 * kBucket + 1, 3).has_value());
  EXPECT_FALSE(d.on_bucket(kMonday + 2 * kBucket, -1).has_value());
  EXPECT_TRUE(d.on_bucket(kMonday + 2 * kBucket, 3).has_value());
  VolumeSpikeOptions o;
  o.bucket = 7 * kMinute;
  EXPECT_FALSE(VolumeSpikeDetector::create(o).has_value());
}

TEST(VolumeSpike, SummaryExplainsTheFinding) {
  std::mt19937_64 rng(2);
  VolumeSpikeOptions o;
  o.subject = "negative mentions";
  VolumeSpikeDetector d = make(o);
  // 22 quiet days so that hour-of-week slots are in use, then a 5x surge on a Tuesday (day 22) at 14h.
  const Micros surge = kMonday + 22 * kDay + 14 * kHour;
  feed(d, rng, kMonday, surge, daily_rate);
  const auto fired = feed(d, rng, surge, surge + kHour, [](Micros t) { return 5.0 * daily_rate(t); });
  ASSERT_FALSE(fired.empty());
  const SpikeFinding& f = fired.front().finding;
  EXPECT_TRUE(std::regex_match(f.summary, std::regex(R"(\d+ negative mentions in 30 min vs \d+\.\d expected )"
                                                     R"(for a Tuesday 14h UTC \(\d+\.\dx\), p=\de-\d+)")))
      << f.summary;
  EXPECT_EQ(f.summary.substr(0, f.summary.find(' ')), std::to_string(f.count));
  EXPECT_EQ(f.window_end - f.window_start, 30 * kMinute);
  EXPECT_NEAR(f.ratio, static_cast<double>(f.count) / f.expected, 1e-12);
  EXPECT_TRUE(f.onset);
  EXPECT_LT(f.p, 1e-4);
}

TEST(VolumeSpike, LastPIsTheWindowsPWhetherItFiresOrNot) {
  std::mt19937_64 rng(4);
  VolumeSpikeDetector d = make();
  EXPECT_EQ(d.last_p(), 1.0);
  // Warm-up: no statistic.
  for (Micros t = kMonday; t < kMonday + 3 * kDay; t += kBucket) {
    ASSERT_TRUE(d.on_bucket(t, std::poisson_distribution<std::int64_t>(daily_rate(t))(rng)).has_value());
    ASSERT_EQ(d.last_p(), 1.0);
  }
  // Quiet days: p is computed for every window and rarely below 0.01.
  int computed = 0, low = 0;
  for (Micros t = kMonday + 3 * kDay; t < kMonday + 5 * kDay; t += kBucket) {
    auto r = d.on_bucket(t, std::poisson_distribution<std::int64_t>(daily_rate(t))(rng));
    ASSERT_TRUE(r.has_value());
    EXPECT_GT(d.last_p(), 0.0);
    EXPECT_LE(d.last_p(), 1.0);
    computed += d.last_p() < 1 ? 1 : 0;
    low += d.last_p() <= 0.01 ? 1 : 0;
    if (*r) {
      EXPECT_EQ(d.last_p(), (*r)->p);
    }
  }
  EXPECT_GT(computed, 2 * 288 / 2);
  EXPECT_LT(low, 2 * 288 / 20);
  // A surge: the firing window's p is last_p; after it, p climbs back above 0.01.
  const Micros surge = kMonday + 5 * kDay + 14 * kHour;
  auto r = d.on_bucket(surge, 0);
  ASSERT_TRUE(r.has_value());
  bool fired = false;
  for (Micros t = surge + kBucket; t < surge + 30 * kMinute; t += kBucket) {
    auto f = d.on_bucket(t, 40);
    ASSERT_TRUE(f.has_value());
    if (*f) {
      fired = true;
      EXPECT_EQ(d.last_p(), (*f)->p);
      EXPECT_LT(d.last_p(), 1e-4);
    }
  }
  EXPECT_TRUE(fired);
  for (Micros t = surge + 30 * kMinute; t < surge + 90 * kMinute; t += kBucket)
    ASSERT_TRUE(d.on_bucket(t, std::poisson_distribution<std::int64_t>(daily_rate(t))(rng)).has_value());
  EXPECT_GT(d.last_p(), 0.01);
  // A gap longer than max_gap restarts the window: no statistic until it is full again.
  ASSERT_TRUE(d.on_bucket(surge + 3 * kDay, 3).has_value());
  EXPECT_EQ(d.last_p(), 1.0);
  // Not part of the state: a decoded detector knows nothing of the last call.
  auto restored = VolumeSpikeDetector::decode(d.encode());
  ASSERT_TRUE(restored.has_value());
  EXPECT_EQ(restored->last_p(), 1.0);
}

TEST(VolumeSpike, ToFinding) {
  SpikeFinding s;
  s.severity = Severity::critical;
  s.window_start = kMonday;
  s.window_end = kMonday + 30 * kMinute;
  s.onset = false;
  s.summary = "42 negative mentions";
  const Finding f = to_finding(s, "acme", DetectorKind::negative_volume);
  EXPECT_EQ(f.brand, "acme");
  EXPECT_EQ(f.detector, DetectorKind::negative_volume);
  EXPECT_EQ(f.severity, Severity::critical);
  EXPECT_EQ(f.at, kMonday + 30 * kMinute);
  EXPECT_EQ(f.window_start, kMonday);
  EXPECT_FALSE(f.onset);
  EXPECT_EQ(f.summary, "42 negative mentions");
  EXPECT_TRUE(f.post_uid.empty());
}

}  // namespace
}  // namespace vigie::rules
