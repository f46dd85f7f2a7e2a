package model

import (
	"math"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"
)

// Conditional Monte Carlo of the drops at delay expiry (docs/sweeps.md,
// "Conditional sampling"; RunOptions.Conditional).
//
// Where the conditions of ConditionalRule hold, a run drops a request iff
// it was in flight on a removed target when that target's deregistration
// started (at τ, with age a: it arrived at τ − a) and its duration S
// outlasts a + D, D the deregistration delay: nothing new is routed to the
// target after τ (no propagation lag), nothing else ends or slows the
// request (no retries, no worker limit, no SIGTERM, no lifecycle), and
// nothing else drops anywhere. The durations are drawn independently of
// everything else, and, given the run up to τ, the request's only
// information on its duration is that S > a (a stationary start draws
// its age and duration jointly with the same conditional law, see
// residualFor). With D after τ nothing that happens to the target's
// requests changes any other target's traffic (it is out of routing).
// So, given the run up to each deregistration, the requests' drops are
// independent events of probability
//
//	q = P(S > a + D | S > a) = (1 − F(a + D)) / (1 − F(a)),
//
// exact from the duration law, and the run's conditional expectations
//
//	E[dropped | populations]       = Σ q,
//	P(any drop | populations)      = 1 − Π (1 − q)
//
// are unbiased for the plain run's mean drops and P(any drop), in [0, ∞)
// and [0, 1], with a far smaller variance than the counts and the
// indicator they replace (tower rule).

// ConditionalDrops is what a run computed with RunOptions.Conditional:
// the conditional expectation, given the requests in flight on each
// removed target when its deregistration started (their ages and
// classes), of the run's drops and of its indicator of a drop.
type ConditionalDrops struct {
	// Dropped is Σ q over those requests, q their probability of
	// outlasting the delay given their age.
	Dropped float64
	// PAnyDrop is 1 − Π (1 − q).
	PAnyDrop float64
}

// ConditionalRule returns "" when the conditional values of
// RunOptions.Conditional are exact for c — the analytic estimate applies
// (Config.Estimate: no propagation lag, EC2 without lifecycle hook or
// shutdown grace, no retries, reconnects, worker limit, closed-loop
// clients, time-varying rate, keep-alive race, scaling policy, scale-out,
// rolling update, a horizon that ends the run before a delay expires, or
// a scale-in that leaves no target), every traffic class is of kind
// request and an NLB terminates connections at expiry (the fast path,
// which needs a scaling policy, is never taken then) — and otherwise the reasons it does not apply, joined by
// "; ". It validates c first.
func (c *Config) ConditionalRule() (string, error) {
	e := c.withDefaults()
	if err := e.validate(); err != nil {
		return "", err
	}
	return e.conditionalRule(), nil
}

// conditionalRule is ConditionalRule for a defaulted, valid configuration.
func (c *Config) conditionalRule() string {
	var out []string
	for _, cv := range c.caveats() {
		if cv.Kind == DoesNotApply {
			out = append(out, cv.Msg)
		}
	}
	for _, t := range c.Traffic {
		if t.Kind != KindRequest {
			out = append(out, "traffic "+t.Name+" is of kind "+t.Kind+" (a connection's end is not only its duration)")
		}
	}
	if c.LoadBalancer.Type == NLB && !c.TargetGroup.ConnectionTermination {
		out = append(out, "an nlb without connection termination kills flows at termination, not at expiry")
	}
	return strings.Join(out, "; ")
}

// survival returns P(S > x) for law l, from its Survival method when it
// has one or erfc for the lognormal (precise in the far tail), else
// 1 − CDF. Durations are clamped
// at maxSampleSeconds, beyond which nothing survives.
func survival(l Law, x float64) float64 {
	if x >= maxSampleSeconds {
		return 0
	}
	if ln, ok := l.(distuv.LogNormal); ok {
		if x <= 0 {
			return 1
		}
		return 0.5 * math.Erfc((math.Log(x)-ln.Mu)/(ln.Sigma*math.Sqrt2))
	}
	if s, ok := l.(interface{ Survival(float64) float64 }); ok {
		return s.Survival(x)
	}
	return 1 - l.CDF(x)
}

// conditionalQ is q = P(S > a + d | S > a) for law l, age a and delay d in
// seconds. Where P(S > a) underflows to 0 (an age far beyond the law's
// tail, such as 700 means of an exponential) it is 1: an overstatement,
// on the safe side of a bound, for an age no valid run reaches. The
// exponential's is exact at any age (memoryless).
func conditionalQ(l Law, a, d float64) float64 {
	if e, ok := l.(distuv.Exponential); ok {
		return math.Exp(-e.Rate * d)
	}
	sa := survival(l, a)
	if sa <= 0 {
		return 1
	}
	return min(max(survival(l, a+d)/sa, 0), 1)
}

// condDeregister adds the requests in flight on target t, whose
// deregistration starts now, to the run's conditional values.
func (r *runner) condDeregister(t int32) {
	d := r.cfg.TargetGroup.DeregistrationDelay.Seconds()
	if r.cfg.LoadBalancer.Type == CLB && !r.cfg.TargetGroup.ConnectionDraining {
		d = 0 // everything in flight is closed at deregistration [CLB-CD]
	}
	now := r.eng.Now()
	for _, slot := range r.targets[t].inflight {
		q := &r.reqs[slot]
		age := (now - r.starts[slot]).Seconds()
		p := conditionalQ(r.classes[q.class()].law, age, d)
		r.cond.Dropped += p
		r.condLogNone += math.Log1p(-p)
	}
	r.cond.PAnyDrop = -math.Expm1(r.condLogNone)
}
