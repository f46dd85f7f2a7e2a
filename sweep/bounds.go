package sweep

import (
	"encoding/json"
	"math"
	"sync/atomic"

	"gonum.org/v1/gonum/stat/distuv"
)

// Bounds for rare events. A sample of drop counts near a good delay is
// mostly zeros, and a Student-t interval of zeros is [0, 0]: it certifies
// "no drops" from 30 replications that could not have seen a mean of
// 0.05. The intervals here keep their coverage there (docs/sweeps.md,
// "Bounds"; coverage_test.go measures it).

// CountMean95 estimates the mean of non-negative counts xs (drops per
// replication) with a two-sided 95 % interval that keeps its coverage for
// rare counts, all-zero samples and over-dispersed counts: the union of
// the Student-t interval and a quasi-Poisson Garwood interval. The
// Garwood interval treats the total T = Σx as Poisson (exact: ½χ² quantiles
// with 2T and 2T + 2 degrees of freedom); over-dispersion φ = max(1, s²/x̄)
// widens it by counting T/φ "effective" events of size φ. With no count
// above zero it is [0, 3.689/n]: 30 clean replications bound the mean by
// 0.123, not 0. Like Mean95 it needs n ≥ 2 (Defined); it sums in the
// order given.
//
// Coverage rests on the counts being a sum of rare independent events
// (Poisson) or a mixture the sample shows (a replication with a burst of
// drops raises φ). A burst rarer than 1/n that has not happened in the
// sample cannot be seen by any bound on the sample alone; the criterion
// on P(any drop) (ClopperPearson95) does not depend on burst sizes.
func CountMean95(xs []float64) Estimate {
	e := Mean95(xs)
	if !e.Defined() {
		return e
	}
	n := float64(e.N)
	total := e.Mean * n
	phi := 1.0
	if e.Mean > 0 {
		// The sample's dispersion s²/x̄ understates the true one about
		// half the time; its 90 % upper confidence bound (s²(n−1)/χ²₀.₁
		// under normality of s²) keeps small, skewed samples covered.
		variance := e.SE * e.SE * n
		phi = max(1, variance/e.Mean*dispersionFactor(e.N))
	}
	lo, hi := garwood95(total / phi)
	e.Low = min(e.Low, phi*lo/n)
	e.High = max(e.High, phi*hi/n)
	e.Low = max(e.Low, 0)
	return e
}

// dispersionFactor returns (n−1)/χ²₀.₁(n−1), the factor that turns a
// sample variance into its 90 % upper confidence bound, cached by n.
func dispersionFactor(n int) float64 {
	if n < len(dispersionFactors) {
		if f := dispersionFactors[n].Load(); f != nil {
			return *f
		}
	}
	f := float64(n-1) / distuv.ChiSquared{K: float64(n - 1)}.Quantile(0.1)
	if n < len(dispersionFactors) {
		dispersionFactors[n].Store(&f)
	}
	return f
}

var dispersionFactors [4096]atomic.Pointer[float64]

// garwood95 returns the exact two-sided 95 % interval for the mean of a
// Poisson variable observed as t (t ≥ 0, not necessarily whole: the
// Gamma form ½χ²(2t) = Γ(t, 1) extends it): [Γ⁻¹(0.025; t), Γ⁻¹(0.975;
// t + 1)], with 0 for the lower end when t = 0.
func garwood95(t float64) (lo, hi float64) {
	if t > 0 {
		lo = distuv.Gamma{Alpha: t, Beta: 1}.Quantile(0.025)
	}
	hi = distuv.Gamma{Alpha: t + 1, Beta: 1}.Quantile(0.975)
	return lo, hi
}

// ClopperPearson95 estimates a proportion from k successes in n trials
// with the exact (Clopper–Pearson) two-sided 95 % interval, whose coverage
// is at least 95 % for every true p: [B⁻¹(0.025; k, n−k+1), B⁻¹(0.975;
// k+1, n−k)], with 0 and 1 at the ends. With k = 0 the upper end is
// 1 − 0.025^(1/n): 0.116 for 30 trials, 0.0092 for 400.
func ClopperPearson95(k, n int) Proportion {
	if n <= 0 {
		return Proportion{}
	}
	p := Proportion{P: float64(k) / float64(n), Low: 0, High: 1, N: n}
	if k > 0 {
		p.Low = distuv.Beta{Alpha: float64(k), Beta: float64(n - k + 1)}.Quantile(0.025)
	}
	if k < n {
		p.High = distuv.Beta{Alpha: float64(k + 1), Beta: float64(n - k)}.Quantile(0.975)
	}
	if math.IsNaN(p.Low) {
		p.Low = 0
	}
	return p
}

// Interval is a 95 % interval [Low, High] that may be missing: Valid is
// false when it could not be computed (fewer than two replications), and
// then Low and High are 0. In JSON it is [low, high], or null when not
// valid. Its zero value is a missing interval, so reading it never panics.
type Interval struct {
	Low, High float64
	Valid     bool
}

// MarshalJSON implements json.Marshaler.
func (i Interval) MarshalJSON() ([]byte, error) {
	if !i.Valid {
		return []byte("null"), nil
	}
	return json.Marshal([2]float64{i.Low, i.High})
}

// UnmarshalJSON implements json.Unmarshaler.
func (i *Interval) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*i = Interval{}
		return nil
	}
	var v [2]float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*i = Interval{Low: v[0], High: v[1], Valid: true}
	return nil
}
