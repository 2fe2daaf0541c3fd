#include "rules/detect/volume/tail_probability.h"

#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>

namespace vigie::rules {
namespace {

namespace bmp = boost::math::policies;

// The default Boost.Math policy throws on domain errors and overflow; the detectors run on the hot path where
// exceptions are not allowed, and the inputs are validated here anyway, so every error is reported as a value.
using NoThrow = bmp::policy<bmp::domain_error<bmp::ignore_error>, bmp::pole_error<bmp::ignore_error>,
                            bmp::overflow_error<bmp::ignore_error>, bmp::underflow_error<bmp::ignore_error>,
                            bmp::evaluation_error<bmp::ignore_error>, bmp::rounding_error<bmp::ignore_error>,
                            bmp::indeterminate_result_error<bmp::ignore_error>>;

// Below this relative excess of variance over mean, r = mean^2 / (variance - mean) is so large that the
// negative binomial is the Poisson to double precision, and ibeta would only lose accuracy getting there.
constexpr double kMinRelativeOverdispersion = 1e-9;

double clamp_probability(double p) {
  if (std::isnan(p)) return 1.0;
  return p < 0 ? 0.0 : (p > 1 ? 1.0 : p);
}

}  // namespace

double poisson_upper_tail(std::int64_t s, double mean) {
  if (s <= 0) return 1.0;
  if (!std::isfinite(mean)) return 1.0;
  if (mean <= 0) return 0.0;
  // P(X >= s) = 1 - Q(s, mean) = P(s, mean), the regularized lower incomplete gamma function: computed directly,
  // not as a complement, so a 1e-12 tail keeps its digits.
  return clamp_probability(boost::math::gamma_p(static_cast<double>(s), mean, NoThrow()));
}

double negative_binomial_upper_tail(std::int64_t s, double mean, double variance) {
  if (s <= 0) return 1.0;
  if (!std::isfinite(mean) || std::isnan(variance)) return 1.0;
  if (mean <= 0) return 0.0;
  if (!(variance - mean > kMinRelativeOverdispersion * mean)) return poisson_upper_tail(s, mean);
  if (!std::isfinite(variance)) return 1.0;
  const double r = mean * mean / (variance - mean);
  // With success probability p = mean / variance, P(X <= k) = I_p(r, k + 1), hence
  // P(X >= s) = 1 - I_p(r, s) = I_{1-p}(s, r). 1 - p is formed as (variance - mean) / variance so that it keeps
  // its digits when p is close to 1.
  const double q = (variance - mean) / variance;
  return clamp_probability(boost::math::ibeta(static_cast<double>(s), r, q, NoThrow()));
}

}  // namespace vigie::rules
