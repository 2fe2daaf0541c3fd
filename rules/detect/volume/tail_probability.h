// Upper-tail probabilities of count distributions, for the crisis detectors' significance tests.
//
// Both functions return P(X >= s) in [0, 1]. They are accurate to a few ulps relative for tails down to 1e-300
// and means up to millions (regularized incomplete gamma / beta from Boost.Math, no summation of terms).
// Garbage in (NaN or infinite mean) gives 1, "not significant", so a corrupt baseline never raises an alarm.
//
// Thread-safety: pure functions, safe to call concurrently. They never throw.
#pragma once

#include <cstdint>

namespace vigie::rules {

// P(X >= s) for X ~ Poisson(mean). s <= 0 gives 1; mean <= 0 gives 0 for any s >= 1.
double poisson_upper_tail(std::int64_t s, double mean);

// P(X >= s) for X negative binomial with the given mean and variance (the overdispersed Poisson-gamma
// mixture: r = mean^2 / (variance - mean), success probability mean / variance). When variance <= mean the
// negative binomial does not exist and the Poisson tail is returned instead.
double negative_binomial_upper_tail(std::int64_t s, double mean, double variance);

}  // namespace vigie::rules
