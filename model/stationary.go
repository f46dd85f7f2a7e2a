package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

// Start modes (Config.Start).
const (
	// StartAuto starts stationary when the run has no horizon and every
	// traffic class allows it (finite mean duration), empty otherwise.
	StartAuto = "auto"
	// StartStationary begins shortly before the first scale-in with
	// every target in its steady state.
	StartStationary = "stationary"
	// StartEmpty begins at time zero with idle targets and simulates the
	// warm-up.
	StartEmpty = "empty"
)

// stationaryLead is how long before the first scale-in a stationary run
// starts: long enough for keep-alive pools and round-robin phases to form,
// short against any warm-up it replaces.
const stationaryLead = time.Minute

// streamStationary is the base of the streams that draw the initial
// population (one per class).
const streamStationary = 1 << 21

// residual draws the remaining time of a request or connection found in
// progress at a random moment in a stationary M/G/∞ system: the
// equilibrium (residual life) law with density P(S > r)/E[S]. It draws a
// length-biased duration S* (density s·f(s)/E[S]) and returns U·S*, U
// uniform in [0, 1) — the standard construction. Each law's length-biased
// form is closed: lognormal(μ+σ², σ), gamma(k+1, θ), Weibull via
// Gamma(1+1/k), Pareto(α−1, x_m), uniform by inversion, the empirical
// sample by value-proportional choice, exponential by memorylessness.
// It also returns the request's age, (1 − U)·S*: how long it has been in
// progress, which an observer reports as its arrival before the start.
type residual struct {
	draw func() (rest, age float64)
}

// residualFor returns the residual-life sampler for d, or ok = false if the
// law has no finite mean (Pareto with shape ≤ 1).
func residualFor(d *Distribution, src rand.Source) (residual, bool) {
	u := rand.New(src)
	var draw func() float64
	switch d.Distribution {
	case Exponential:
		m := d.Mean.Seconds()
		// Memoryless: rest and age are independent and follow the law
		// itself (S* is Gamma(2, m)).
		return residual{draw: func() (float64, float64) { return m * u.ExpFloat64(), m * u.ExpFloat64() }}, true
	case LogNormal:
		mu, sigma := d.lognormal()
		l := distuv.LogNormal{Mu: mu + sigma*sigma, Sigma: sigma, Src: src}
		draw = l.Rand
	case Constant:
		v := d.Value.Seconds()
		draw = func() float64 { return v }
	case Uniform:
		a, b := d.Min.Seconds(), d.Max.Seconds()
		draw = func() float64 { return math.Sqrt(a*a + u.Float64()*(b*b-a*a)) }
	case Gamma:
		g := distuv.Gamma{Alpha: d.Shape + 1, Beta: 1 / d.Scale.Seconds(), Src: src}
		draw = g.Rand
	case Weibull:
		k, lam := d.Shape, d.Scale.Seconds()
		g := distuv.Gamma{Alpha: 1 + 1/k, Beta: 1, Src: src}
		draw = func() float64 { return lam * math.Pow(g.Rand(), 1/k) }
	case Pareto:
		if d.Shape <= 1 {
			return residual{}, false
		}
		p := distuv.Pareto{Xm: d.Scale.Seconds(), Alpha: d.Shape - 1, Src: src}
		draw = p.Rand
	case Empirical:
		s := append([]float64(nil), d.Samples...)
		sort.Float64s(s)
		cum := make([]float64, len(s))
		total := 0.0
		for i, v := range s {
			total += v
			cum[i] = total
		}
		if total <= 0 {
			return residual{draw: func() (float64, float64) { return 0, 0 }}, true
		}
		draw = func() float64 {
			x := u.Float64() * total
			return s[min(sort.SearchFloat64s(cum, x), len(s)-1)]
		}
	default:
		return residual{}, false
	}
	return residual{draw: func() (float64, float64) {
		v, s := u.Float64(), draw()
		return v * s, (1 - v) * s
	}}, true
}

// stationaryStart reports whether the run starts stationary and when.
func (c *Config) stationaryStart() (time.Duration, bool) {
	first, ok := c.firstEvent()
	if c.Start == StartEmpty || !ok {
		return 0, false
	}
	// With a horizon the user asked for the whole span (a steady rate
	// such as the keep-alive race's), unless they asked for stationary.
	if c.Horizon > 0 && c.Start != StartStationary {
		return 0, false
	}
	// A scaling policy's alarms need the minutes before the scale-in: auto
	// simulates them (docs/model.md, "Scaling policies").
	if c.Autoscaling.Max > 0 && c.Start != StartStationary {
		return 0, false
	}
	// With a worker limit the steady state is a queue's, not M/G/∞'s:
	// populate does not draw it (docs/model.md, "Target capacity").
	if c.Fleet.MaxConcurrency > 0 {
		return 0, false
	}
	for i := range c.Traffic {
		// With a time-varying rate λ(t) the population at t0 is Poisson
		// with mean ∫ λ(t0−u)·P(S>u) du and ages drawn from that
		// integrand, not the equilibrium law of one rate: populate does
		// not draw that, so such a run simulates its warm-up
		// (docs/model.md, "stationary start").
		if c.Traffic[i].TimeVarying() {
			return 0, false
		}
		// Closed-loop clients start empty and simulate their warm-up
		// (closedloop.go).
		if c.Traffic[i].Clients > 0 {
			return 0, false
		}
		d := &c.Traffic[i].Duration
		if _, ok := residualFor(d, rand.NewPCG(0, 0)); !ok {
			return 0, false
		}
		// Durations are clamped at maxSampleSeconds; where the clamp
		// matters the unclamped steady state is not the simulated one
		// (and may be enormous), so simulate the warm-up instead.
		if l := d.Law(rand.NewPCG(0, 0)); l.CDF(maxSampleSeconds) < 1-1e-9 {
			return 0, false
		}
	}
	// The lead also lets the load balancer's idle keep-alive pools form:
	// a connection idle for up to idleFor before the scale-in may hold a
	// target in draining (connections.go).
	lead := max(stationaryLead, c.idleFor())
	if first <= lead {
		return 0, false
	}
	return first - lead, true
}

// populate fills every target with its stationary load at the current time
// t0: for each class, Poisson(λ/n · E[S]) requests or connections per target
// (λ/n is the target's share of the class's rate), each with an
// independent residual time. With random routing the per-target arrivals
// are Poisson and this is the exact stationary law of M/G/∞; with round
// robin or least outstanding requests the mean is exact and the spread an
// approximation (docs/model.md).
func (r *runner) populate() {
	n := float64(len(r.targets))
	for c := range r.cfg.Traffic {
		tc := &r.cfg.Traffic[c]
		src := Source(r.cfg.Seed, r.res.Replication, streamStationary+uint64(c))
		res, _ := residualFor(&tc.Duration, src)
		mean := tc.Duration.Law(rand.NewPCG(0, 0)).Mean()
		count := distuv.Poisson{Lambda: tc.Rate / n * mean, Src: src}
		for t := range r.targets {
			k := int(count.Rand())
			for range k {
				rest, age := res.draw()
				r.admit(c)
				r.curNode = r.chooseNode()
				slot := r.start(c, int32(t), toDuration(rest), 1)
				if r.obs != nil || r.cond != nil {
					r.starts[slot] = r.eng.Now() - toDuration(age)
				}
			}
		}
	}
}

// firstEvent returns the time of the first scale-in, scale-out or rolling
// update, or ok = false if there is none.
func (c *Config) firstEvent() (first time.Duration, ok bool) {
	var ats []time.Duration
	if len(c.ScaleIn) > 0 {
		ats = append(ats, c.ScaleIn[0].At)
	}
	if len(c.ScaleOut) > 0 {
		ats = append(ats, c.ScaleOut[0].At)
	}
	if len(c.RollingUpdate) > 0 {
		ats = append(ats, c.RollingUpdate[0].At)
	}
	if len(ats) == 0 {
		return 0, false
	}
	return slices.Min(ats), true
}
