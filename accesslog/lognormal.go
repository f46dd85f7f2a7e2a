package accesslog

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/drainsim/drainsim/model"
)

// KSThreshold is the largest Kolmogorov–Smirnov distance D at which a
// lognormal is suggested for a large sample: the fitted law's CDF is then
// within 0.05 of the log's empirical CDF at every duration. It is a bound
// on the size of the misfit, not a significance test, which a sample of
// millions would fail for any real service. For a small sample the limit is the larger 5 % critical value of
// Lilliefors's test, 0.886/√n, so that sampling noise alone does not
// reject the lognormal.
const KSThreshold = 0.05

// minDuration is the log's time resolution, 1 µs; shorter durations
// (zero, in practice) count as this long in the lognormal fit, whose
// logarithm would otherwise be −∞.
const minDuration = 1e-6

// z99 is the standard normal's 0.99 quantile, linking a lognormal's σ to
// its p99 as drainsim's model does.
var z99 = distuv.UnitNormal.Quantile(0.99)

// fitLognormal returns the maximum-likelihood estimates of a lognormal's
// μ and σ: the mean and the standard deviation (divided by n) of ln x.
// It needs at least one value.
func fitLognormal(x []float64) (mu, sigma float64) {
	sum := 0.0
	for _, v := range x {
		sum += math.Log(max(v, minDuration))
	}
	mu = sum / float64(len(x))
	ss := 0.0
	for _, v := range x {
		d := math.Log(max(v, minDuration)) - mu
		ss += d * d
	}
	return mu, math.Sqrt(ss / float64(len(x)))
}

// lognormalCDF is P(S ≤ x) for a lognormal with the given μ and σ > 0,
// with x floored at minDuration as in fitLognormal.
func lognormalCDF(mu, sigma, x float64) float64 {
	return 0.5 * math.Erfc(-(math.Log(max(x, minDuration))-mu)/(sigma*math.Sqrt2))
}

// ksDistance returns the one-sample Kolmogorov–Smirnov statistic
// D = sup_x |F_n(x) − F(x)| between the empirical distribution F_n of the
// sorted sample and the continuous cdf F. The supremum is reached at a
// sample point, just at or just before it:
// D = max_i max(i/n − F(x_i), F(x_i) − (i−1)/n), which stays exact with
// ties. It takes O(n) calls of cdf and returns 0 for an empty sample.
func ksDistance(sorted []float64, cdf func(float64) float64) float64 {
	n := float64(len(sorted))
	d := 0.0
	for i, x := range sorted {
		f := cdf(x)
		d = max(d, float64(i+1)/n-f, f-float64(i)/n)
	}
	return d
}

// ksLimit is the distance below which a lognormal is suggested for a
// sample of n: KSThreshold, or Lilliefors's 5 % critical value 0.886/√n
// (for a normal law with estimated mean and variance, here of ln x) when
// that is larger.
func ksLimit(n int) float64 {
	return max(KSThreshold, 0.886/math.Sqrt(float64(n)))
}

// fitLognormal sets the lognormal fit of s from its sorted durations and
// says which distribution to use.
func (s *Sample) fitLognormal() {
	n := len(s.Durations)
	if n == 0 {
		return
	}
	s.Suggested = model.Empirical
	if n < 2 {
		return
	}
	mu, sigma := fitLognormal(s.Durations)
	s.LognormalMu, s.LognormalSigma = mu, sigma
	s.LognormalMedian = math.Exp(mu)
	s.LognormalP99 = math.Exp(mu + z99*sigma)
	if sigma == 0 {
		return // every duration is the same: no lognormal has p99 > median
	}
	s.KSD = ksDistance(s.Durations, func(x float64) float64 { return lognormalCDF(mu, sigma, x) })
	s.KSLimit = ksLimit(n)
	if s.KSD < s.KSLimit {
		s.Suggested = model.LogNormal
	}
}
