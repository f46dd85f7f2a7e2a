package model

import (
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

// Distribution names.
const (
	Exponential = "exponential"
	LogNormal   = "lognormal"
	Constant    = "constant"
	Uniform     = "uniform"
	Gamma       = "gamma"
	Weibull     = "weibull"
	Pareto      = "pareto"
	Empirical   = "empirical"
)

// z99 is the standard normal's 0.99 quantile, used to turn a lognormal's
// p99 into σ = (ln p99 − ln median) / z99 (docs: oracles.md §2).
var z99 = distuv.UnitNormal.Quantile(0.99)

// Distribution is a law for durations, in the TOML form
// `{ distribution = "lognormal", median = "2s", p99 = "5s" }`. Which fields
// apply depends on Distribution:
//
//	exponential  mean
//	lognormal    median and p99, or mu and sigma (of ln seconds)
//	constant     value
//	uniform      min and max
//	gamma        shape (k) and scale (θ)
//	weibull      shape (k) and scale (λ)
//	pareto       shape (α) and scale (the minimum x_m)
//	empirical    file: durations in seconds, one per line (Samples once loaded)
//
// Samples are drawn with gonum's distuv, clamped to [0, 10^7 s] (about 115 days).
type Distribution struct {
	Distribution string        `toml:"distribution"`
	Mean         time.Duration `toml:"mean"`
	Median       time.Duration `toml:"median"`
	P99          time.Duration `toml:"p99"`
	Mu           float64       `toml:"mu"`
	Sigma        float64       `toml:"sigma"`
	Value        time.Duration `toml:"value"`
	Min          time.Duration `toml:"min"`
	Max          time.Duration `toml:"max"`
	Shape        float64       `toml:"shape"`
	Scale        time.Duration `toml:"scale"`
	// File names the empirical sample; the scenario loader reads it,
	// relative to the scenario file, into Samples.
	File string `toml:"file"`
	// Samples are the empirical durations in seconds. Library users may
	// set them directly instead of File.
	Samples []float64 `toml:"-"`
}

// Law is a duration distribution in seconds: what gonum's distuv types
// offer, plus the empirical and constant laws drainsim adds.
type Law interface {
	// Rand draws one duration in seconds.
	Rand() float64
	// Mean is the expected duration in seconds.
	Mean() float64
	// Quantile is the p-quantile in seconds, p in [0, 1].
	Quantile(p float64) float64
	// CDF is P(S ≤ x) for x in seconds.
	CDF(x float64) float64
}

// Law returns the distribution drawing from src (which must not be nil).
// It assumes the Distribution is valid (see [Config.Validate]).
func (d *Distribution) Law(src rand.Source) Law {
	switch d.Distribution {
	case Exponential:
		return distuv.Exponential{Rate: 1 / d.Mean.Seconds(), Src: src}
	case LogNormal:
		mu, sigma := d.lognormal()
		return distuv.LogNormal{Mu: mu, Sigma: sigma, Src: src}
	case Constant:
		return constant(d.Value.Seconds())
	case Uniform:
		return distuv.Uniform{Min: d.Min.Seconds(), Max: d.Max.Seconds(), Src: src}
	case Gamma:
		return distuv.Gamma{Alpha: d.Shape, Beta: 1 / d.Scale.Seconds(), Src: src}
	case Weibull:
		return distuv.Weibull{K: d.Shape, Lambda: d.Scale.Seconds(), Src: src}
	case Pareto:
		return distuv.Pareto{Xm: d.Scale.Seconds(), Alpha: d.Shape, Src: src}
	case Empirical:
		return newEmpirical(d.Samples, src)
	}
	panic("model: unknown distribution " + d.Distribution)
}

// lognormal returns μ and σ of ln seconds.
func (d *Distribution) lognormal() (mu, sigma float64) {
	if d.Median > 0 {
		mu = math.Log(d.Median.Seconds())
		return mu, (math.Log(d.P99.Seconds()) - mu) / z99
	}
	return d.Mu, d.Sigma
}

// ExcessMean returns E[(S − x)+] in seconds, the mean time a duration
// outlasts x: ∫_x^∞ P(S > u) du. Dropped requests at delay expiry are the
// arrival rate times this (docs: oracles.md §2). Closed forms are used for
// exponential, lognormal, Pareto, constant and empirical laws, numerical
// integration for the others (gamma, Weibull, uniform).
func ExcessMean(l Law, x float64) float64 {
	switch l := l.(type) {
	case distuv.Exponential:
		if x <= 0 {
			return l.Mean() - x
		}
		return math.Exp(-l.Rate*x) / l.Rate
	case distuv.Pareto:
		// E[(S − x)+] for S ≥ x_m with P(S > u) = (x_m/u)^α.
		if l.Alpha <= 1 {
			return math.Inf(1)
		}
		if x <= l.Xm {
			return l.Alpha*l.Xm/(l.Alpha-1) - x
		}
		return l.Xm * math.Pow(l.Xm/x, l.Alpha-1) / (l.Alpha - 1)
	case distuv.LogNormal:
		if x <= 0 {
			return l.Mean() - x
		}
		d := (l.Mu - math.Log(x)) / l.Sigma
		return math.Exp(l.Mu+l.Sigma*l.Sigma/2)*distuv.UnitNormal.CDF(d+l.Sigma) - x*distuv.UnitNormal.CDF(d)
	case constant:
		return math.Max(float64(l)-x, 0)
	case *empirical:
		s := 0.0
		for _, v := range l.sorted {
			if v > x {
				s += v - x
			}
		}
		return s / float64(len(l.sorted))
	}
	if x < 0 {
		return l.Mean() - x
	}
	// Integrate the survival function with Simpson's rule on a grid that
	// reaches far into the tail.
	hi := math.Max(l.Quantile(1-1e-9), x)
	if hi <= x {
		return 0
	}
	const n = 20000
	h := (hi - x) / n
	sum := 0.0
	for i := 0; i <= n; i++ {
		w := 2.0
		if i == 0 || i == n {
			w = 1
		} else if i%2 == 1 {
			w = 4
		}
		sum += w * (1 - l.CDF(x+float64(i)*h))
	}
	return sum * h / 3
}

type constant float64

func (c constant) Rand() float64            { return float64(c) }
func (c constant) Mean() float64            { return float64(c) }
func (c constant) Quantile(float64) float64 { return float64(c) }
func (c constant) CDF(x float64) float64 {
	if x < float64(c) {
		return 0
	}
	return 1
}

// empirical resamples the given durations uniformly (a bootstrap).
type empirical struct {
	sorted []float64
	r      *rand.Rand
}

func newEmpirical(samples []float64, src rand.Source) *empirical {
	s := append([]float64(nil), samples...)
	sort.Float64s(s)
	return &empirical{sorted: s, r: rand.New(src)}
}

func (e *empirical) Rand() float64 { return e.sorted[e.r.IntN(len(e.sorted))] }

func (e *empirical) Mean() float64 {
	s := 0.0
	for _, v := range e.sorted {
		s += v
	}
	return s / float64(len(e.sorted))
}

// Quantile uses the nearest-rank definition.
func (e *empirical) Quantile(p float64) float64 {
	n := len(e.sorted)
	i := int(math.Ceil(p*float64(n))) - 1
	return e.sorted[min(max(i, 0), n-1)]
}

func (e *empirical) CDF(x float64) float64 {
	return float64(sort.Search(len(e.sorted), func(i int) bool { return e.sorted[i] > x })) / float64(len(e.sorted))
}

// maxSampleSeconds bounds a drawn duration so that heavy tails cannot
// overflow time.Duration.
const maxSampleSeconds = 1e7

// maxTimeSeconds is the latest instant the simulation's clock may reach:
// 10⁹ s, about 31.7 years, a tenth of what time.Duration holds (292
// years). Validation keeps the horizon and every scale-in within
// MaxTime, and every delay a run adds to them is bounded (samples by
// maxSampleSeconds, lags by MaxLag, the AWS and platform timeouts by
// their ranges), so no event time reaches it; an arrival that would
// fall after it is not scheduled (scheduleArrival).
const maxTimeSeconds = 1e9

// clockLimit is maxTimeSeconds as a Duration.
const clockLimit = maxTimeSeconds * time.Second

// MaxTime is the longest horizon and the latest scale-in a scenario may
// set: 87600h (ten years), far below the clock's limit of 10⁹ s so that
// the draining, lags and timeouts after the last scale-in fit.
const MaxTime = 87600 * time.Hour

// nanos converts ns nanoseconds to a Duration, truncating, saturating at
// limit (which must be positive and at most maxTimeSeconds): NaN, −Inf
// and values ≤ 0 give 0, +Inf and values ≥ limit give limit. Every float
// to time.Duration conversion in the model goes through it, so that none
// can overflow (a float too large for int64 converts to a negative
// Duration on amd64, which the engine would clamp to the current time).
func nanos(ns float64, limit time.Duration) time.Duration {
	if !(ns > 0) { // also catches NaN
		return 0
	}
	if ns >= float64(limit) {
		return limit
	}
	return time.Duration(ns)
}

// toDuration converts a drawn duration in seconds, clamped to [0,
// maxSampleSeconds].
func toDuration(s float64) time.Duration {
	return nanos(s*float64(time.Second), maxSampleSeconds*time.Second)
}

// validate checks the fields of the chosen distribution and rejects the
// ones that do not apply to it.
func (d *Distribution) validate(p string, es *errs) {
	pos := func(name string, v time.Duration) {
		if v <= 0 {
			es.add(p+"."+name, "must be a positive duration for %s (got %v)", d.Distribution, v)
		}
	}
	posf := func(name string, v float64) {
		if !(v > 0) || math.IsInf(v, 0) {
			es.add(p+"."+name, "must be a positive number for %s (got %v)", d.Distribution, v)
		}
	}
	allowed := map[string]bool{}
	switch d.Distribution {
	case Exponential:
		pos("mean", d.Mean)
		allowed["mean"] = true
	case LogNormal:
		if d.Median != 0 || d.P99 != 0 {
			pos("median", d.Median)
			if d.P99 <= d.Median {
				es.add(p+".p99", "must be greater than median (got p99 %v, median %v)", d.P99, d.Median)
			}
			allowed["median"], allowed["p99"] = true, true
			if d.Mu != 0 || d.Sigma != 0 {
				es.add(p, "give either median and p99, or mu and sigma, not both")
			}
		} else {
			posf("sigma", d.Sigma)
			if math.IsNaN(d.Mu) || math.Abs(d.Mu) > 20 {
				es.add(p+".mu", "must be within ±20 (ln seconds) (got %v)", d.Mu)
			}
			allowed["mu"], allowed["sigma"] = true, true
		}
	case Constant:
		if d.Value < 0 {
			es.add(p+".value", "must not be negative (got %v)", d.Value)
		}
		allowed["value"] = true
	case Uniform:
		if d.Min < 0 {
			es.add(p+".min", "must not be negative (got %v)", d.Min)
		}
		if d.Max <= d.Min {
			es.add(p+".max", "must be greater than min (got max %v, min %v)", d.Max, d.Min)
		}
		allowed["min"], allowed["max"] = true, true
	case Gamma, Weibull, Pareto:
		posf("shape", d.Shape)
		pos("scale", d.Scale)
		allowed["shape"], allowed["scale"] = true, true
	case Empirical:
		if len(d.Samples) == 0 {
			es.add(p+".file", "an empirical distribution needs a file of durations in seconds (none loaded from %q)", d.File)
		}
		for i, v := range d.Samples {
			if !(v >= 0) || math.IsInf(v, 0) {
				es.add(p+".file", "sample %d is %v; durations must be non-negative seconds", i+1, v)
				break
			}
		}
		allowed["file"] = true
	case "":
		es.add(p+".distribution", "is required: one of exponential, lognormal, constant, uniform, gamma, weibull, pareto, empirical")
		return
	default:
		es.add(p+".distribution", "must be exponential, lognormal, constant, uniform, gamma, weibull, pareto or empirical (got %q)", d.Distribution)
		return
	}
	set := map[string]bool{
		"mean": d.Mean != 0, "median": d.Median != 0, "p99": d.P99 != 0,
		"mu": d.Mu != 0, "sigma": d.Sigma != 0, "value": d.Value != 0,
		"min": d.Min != 0, "max": d.Max != 0, "shape": d.Shape != 0,
		"scale": d.Scale != 0, "file": d.File != "",
	}
	for _, k := range []string{"mean", "median", "p99", "mu", "sigma", "value", "min", "max", "shape", "scale", "file"} {
		if set[k] && !allowed[k] {
			es.add(p+"."+k, "does not apply to a %s distribution", d.Distribution)
		}
	}
}
