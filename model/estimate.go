package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

// The analytic estimate: the closed forms of shared/docs/oracles.md applied
// to a whole scenario, in microseconds instead of a simulation.
//
// A target that stops receiving traffic at the moment τ its deregistration
// starts (no propagation lag) holds, x seconds later, the requests that
// arrived before τ and are still running. With Poisson arrivals of rate
// λ(u) to it and independent durations S of law F, that number is Poisson
// with mean
//
//	g(x) = ∫_{−∞}^{τ} λ(u) P(S > τ + x − u) du,
//
// which for a constant rate λ is λ·E[(S − x)+] (oracles.md §2). A scale-in
// changes the rate each remaining target receives (Λ/n for n targets in
// service, oracles.md §5), so the rate is piecewise constant and each piece
// [τ − b, τ − a) of ages contributes λ·(E[(S − x − a)+] − E[(S − x − b)+]).
// Traffic classes add up (independent Poissons). From g:
//
//   - dropped at expiry: g(D), summed over the removed targets;
//   - P(no drop) = exp(−Σ g(D));
//   - nothing in flight after M, P(M > x) = 1 − exp(−g(x)), so
//     E[min(D, M)] = ∫_0^D (1 − exp(−g(x))) dx (oracles.md §4);
//   - draining also waits for the load balancer's idle keep-alive
//     connection, which closes c after the last request ends
//     ([ALB-TG], connections.go): drain = min(D, max(M_conn, M_req + c)),
//     whose distribution is the product of the factors exp(−g_conn(t)) and
//     exp(−g_req(t − c)) (zero for t < c), and E[min(D, X)] =
//     ∫_0^D P(X > t) dt;
//   - on EC2 without a lifecycle hook or shutdown grace the instance is
//     terminated when draining completes [ASG-LC], so a scale-in of k
//     targets lasts the largest of k independent drain times, whose
//     distribution is the k-th power of one's, and costs price × drain.

// CaveatKind says how far a [Caveat] takes the estimate from the scenario.
type CaveatKind string

// Caveat kinds.
const (
	// DoesNotApply: the scenario has something the formulas leave out;
	// the estimate answers a plainer scenario and is not comparable with
	// the simulation.
	DoesNotApply CaveatKind = "does not apply"
	// Approximate: the means hold, a distribution-based figure (P(no
	// drop), drain and scale-in times) is an approximation.
	Approximate CaveatKind = "approximate"
	// Note: the figures hold; the caveat says how to read them.
	Note CaveatKind = "note"
)

// Caveat is one way in which the scenario departs from the plain case the
// formulas describe.
type Caveat struct {
	// Kind says whether the estimate still holds.
	Kind CaveatKind `json:"kind"`
	// Key is the configuration key path responsible, such as
	// "load_balancer.propagation_delay".
	Key string `json:"key"`
	// Msg says what is left out, for people.
	Msg string `json:"msg"`
}

func (c Caveat) String() string { return string(c.Kind) + ": " + c.Msg }

// Estimate is the analytic expectation for one replication of a scenario
// (all its scale-in events) at one deregistration delay.
type Estimate struct {
	// DelayS is the deregistration delay, seconds.
	DelayS float64 `json:"delay_s"`
	// DroppedMean is the expected number of requests and connections
	// dropped per replication, all the causes the formulas cover.
	DroppedMean float64 `json:"dropped_mean"`
	// DroppedByCause is DroppedMean by cause name: "delay_expired", or
	// "killed" for an NLB without connection termination (its flows
	// outlive the delay and die with the instance).
	DroppedByCause map[string]float64 `json:"dropped_by_cause"`
	// PNoDrop is the probability that a replication drops nothing,
	// exp(−DroppedMean).
	PNoDrop float64 `json:"p_no_drop"`
	// InFlightMean is the expected number in flight on a removed target
	// when its deregistration starts, averaged over removed targets.
	InFlightMean float64 `json:"in_flight_mean"`
	// EmptySMean is the expected time, seconds, from deregistration until
	// a removed target has nothing in flight, capped at the delay:
	// E[min(D, M)], averaged over removed targets.
	EmptySMean float64 `json:"empty_s_mean"`
	// DrainSMean is the expected draining time per removed target,
	// seconds, including the hold of idle keep-alive connections.
	DrainSMean float64 `json:"drain_s_mean"`
	// ScaleInSMean is the expected time from a scaling decision to its
	// last termination, seconds, averaged over scale-in events.
	ScaleInSMean float64 `json:"scale_in_s_mean"`
	// CostUSDMean is the expected instance cost of the removed targets
	// per replication, USD (price × time from decision to termination).
	CostUSDMean float64 `json:"cost_usd_mean"`
	// IdleHoldS is c, how long an idle keep-alive connection holds a
	// drained target after its last request, seconds (0 for an NLB).
	IdleHoldS float64 `json:"idle_hold_s"`
	// ScaleIns has the figures of each scale-in event, in Config order.
	ScaleIns []ScaleInEstimate `json:"scale_ins"`
	// Caveats says where the scenario departs from the plain case, most
	// serious first; empty when the formulas hold exactly.
	Caveats []Caveat `json:"caveats"`
}

// ScaleInEstimate is the analytic expectation for one scale-in event.
type ScaleInEstimate struct {
	// AtS is the decision time, seconds.
	AtS float64 `json:"at_s"`
	// Targets is how many targets it removes.
	Targets int `json:"targets"`
	// InService is how many targets were in service just before it.
	InService int `json:"in_service"`
	// DroppedPerTarget is the expected drops per removed target.
	DroppedPerTarget float64 `json:"dropped_per_target"`
	// InFlightPerTarget is the expected number in flight per removed
	// target when its deregistration starts.
	InFlightPerTarget float64 `json:"in_flight_per_target"`
	// EmptyS, DrainS are E[min(D, M)] and the expected draining time per
	// removed target, seconds.
	EmptyS float64 `json:"empty_s"`
	DrainS float64 `json:"drain_s"`
	// ScaleInS is the expected time until its last termination, seconds.
	ScaleInS float64 `json:"scale_in_s"`
}

// Applies reports whether no caveat is of kind [DoesNotApply]: the
// estimate then describes the scenario and can be set beside a
// simulation of it.
func (e *Estimate) Applies() bool {
	for _, c := range e.Caveats {
		if c.Kind == DoesNotApply {
			return false
		}
	}
	return true
}

// NotApplicable returns the reasons the estimate does not apply, joined
// by "; " ("lag 10s (…); retries (…)"), or "" if it applies.
func (e *Estimate) NotApplicable() string {
	var out []string
	for _, c := range e.Caveats {
		if c.Kind == DoesNotApply {
			out = append(out, c.Msg)
		}
	}
	return strings.Join(out, "; ")
}

// Estimate returns the analytic expectation for one replication of c at
// its deregistration delay, in microseconds to milliseconds (no
// simulation). It validates c first and returns its error. The figures
// are those of the plain case (no propagation lag, EC2 termination when
// draining completes, no client retries); Estimate.Caveats says where c
// departs from it.
func (c *Config) Estimate() (Estimate, error) {
	e := c.withDefaults()
	if err := e.validate(); err != nil {
		return Estimate{}, err
	}
	return e.estimate(), nil
}

// EstimateDelays returns [Config.Estimate] at each delay, in the order
// given. A delay out of range gives the validation error.
func (c *Config) EstimateDelays(delays []time.Duration) ([]Estimate, error) {
	out := make([]Estimate, len(delays))
	for i, d := range delays {
		cd := *c
		cd.TargetGroup.DeregistrationDelay = d
		est, err := cd.Estimate()
		if err != nil {
			return nil, err
		}
		out[i] = est
	}
	return out, nil
}

// estimate computes the Estimate of a defaulted, valid configuration.
func (c *Config) estimate() Estimate {
	D := c.TargetGroup.DeregistrationDelay.Seconds()
	if c.LoadBalancer.Type == CLB && !c.TargetGroup.ConnectionDraining {
		// Everything in flight is closed at deregistration [CLB-CD]: the
		// formulas at D = 0.
		D = 0
	}
	est := Estimate{
		DelayS:         c.TargetGroup.DeregistrationDelay.Seconds(),
		DroppedByCause: map[string]float64{},
		IdleHoldS:      c.idleFor().Seconds(),
		Caveats:        c.caveats(),
	}
	if len(c.ScaleIn) == 0 {
		// No scale-in of its own (a policy's, a scale-out's or a rolling
		// update's only): caveats says why, the figures stay 0.
		return est
	}
	cause := CauseDelayExpired
	if c.LoadBalancer.Type == NLB && !c.TargetGroup.ConnectionTermination {
		cause = CauseKilled
	}
	classes := make([]estClass, len(c.Traffic))
	for i := range c.Traffic {
		t := &c.Traffic[i]
		l := t.Duration.Law(rand.NewPCG(0, 0))
		if m := l.Mean(); math.IsInf(m, 1) || m > maxSampleSeconds {
			// No finite figure: caveats says so, the figures stay 0.
			return est
		}
		// A time-varying rate is taken at the first scale-in.
		classes[i] = estClass{rate: t.RateAt(c.ScaleIn[0].At), conn: t.Kind == KindConnection, excess: excessFunc(l)}
	}
	hasReq := false
	for _, k := range classes {
		hasReq = hasReq || !k.conn
	}
	cHold := est.IdleHoldS
	if !hasReq {
		cHold = 0 // connections do not return to the keep-alive pool
	}
	// The rate history each target in service sees: piece j runs from
	// starts[j] to the j-th scale-in with share 1/n[j] of every class.
	first := math.Inf(-1)
	if _, ok := c.stationaryStart(); !ok {
		first = 0 // an empty start: arrivals since time zero
	}
	inService := c.Fleet.Targets
	var starts []float64
	var shares []float64
	removedTargets := 0
	var dropped, inflight, empty, drain, scaleIn, cost float64
	price := c.Fleet.PricePerHour / 3600
	for i, s := range c.ScaleIn {
		tau := s.At.Seconds()
		prev := first
		if i > 0 {
			prev = c.ScaleIn[i-1].At.Seconds()
		}
		starts = append(starts, prev)
		shares = append(shares, 1/float64(inService))
		k := min(s.Targets, inService)
		// g(x) for a target removed now: requests, connections, all.
		g := func(x float64, conn, req bool) float64 {
			sum := 0.0
			for _, cl := range classes {
				if (cl.conn && !conn) || (!cl.conn && !req) {
					continue
				}
				for j := range starts {
					end := tau
					if j+1 < len(starts) {
						end = starts[j+1]
					}
					a := tau - end
					part := cl.excess(x + a)
					if !math.IsInf(starts[j], -1) {
						part -= cl.excess(x + tau - starts[j])
					}
					sum += cl.rate * shares[j] * part
				}
			}
			return sum
		}
		all := func(x float64) float64 { return g(x, true, true) }
		si := ScaleInEstimate{AtS: tau, Targets: k, InService: inService}
		si.DroppedPerTarget = all(D)
		si.InFlightPerTarget = all(0)
		si.EmptyS = integrate(func(x float64) float64 { return -math.Expm1(-all(x)) }, 0, D)
		// P(drain ≤ t) for one target, t < D.
		cdf := func(t float64) float64 {
			p := math.Exp(-g(t, true, false))
			if hasReq {
				if t < cHold {
					return 0
				}
				p *= math.Exp(-g(t-cHold, false, true))
			}
			return p
		}
		if c.LoadBalancer.Type == NLB {
			cdf = func(t float64) float64 { return math.Exp(-all(t)) }
		}
		lo := 0.0
		if c.LoadBalancer.Type != NLB && hasReq {
			lo = math.Min(cHold, D) // drain ≥ c: the integrand is 1 below
		}
		si.DrainS = lo + integrate(func(t float64) float64 { return 1 - cdf(t) }, lo, D)
		si.ScaleInS = lo + integrate(func(t float64) float64 { return 1 - math.Pow(cdf(t), float64(k)) }, lo, D)
		if D == 0 {
			si.EmptyS, si.DrainS, si.ScaleInS = 0, 0, 0
		}
		est.ScaleIns = append(est.ScaleIns, si)

		dropped += float64(k) * si.DroppedPerTarget
		inflight += float64(k) * si.InFlightPerTarget
		empty += float64(k) * si.EmptyS
		drain += float64(k) * si.DrainS
		scaleIn += si.ScaleInS
		cost += float64(k) * price * si.DrainS
		removedTargets += k
		inService -= k
	}
	est.DroppedMean = dropped
	est.DroppedByCause[cause.String()] = dropped
	est.PNoDrop = math.Exp(-dropped)
	if removedTargets > 0 {
		n := float64(removedTargets)
		est.InFlightMean, est.EmptySMean, est.DrainSMean = inflight/n, empty/n, drain/n
	}
	if len(c.ScaleIn) > 0 {
		est.ScaleInSMean = scaleIn / float64(len(c.ScaleIn))
	}
	est.CostUSDMean = cost
	est.Caveats = append(est.Caveats, c.idleCaveat(est)...)
	return est
}

// estClass is one traffic class as the estimate sees it.
type estClass struct {
	rate   float64                 // arrivals per second across the load balancer
	conn   bool                    // a connection class (no keep-alive pool)
	excess func(x float64) float64 // E[(S − x)+], seconds
}

// excessFunc returns x ↦ E[(S − x)+] for l: [ExcessMean] where it has a
// closed form, else a table of the survival integral built once (ExcessMean
// integrates afresh at every call, too slow inside an outer integral).
func excessFunc(l Law) func(float64) float64 {
	switch l := l.(type) {
	case constant, distuv.Exponential, distuv.LogNormal, distuv.Pareto:
		return func(x float64) float64 { return ExcessMean(l, x) }
	case *empirical:
		// E[(S − x)+] = (Σ_{v > x} v − x·#{v > x}) / n by binary search
		// on the sorted sample and its suffix sums: O(log n) a call.
		v := l.sorted
		n := len(v)
		suffix := make([]float64, n+1)
		for i := n - 1; i >= 0; i-- {
			suffix[i] = suffix[i+1] + v[i]
		}
		return func(x float64) float64 {
			i := sort.Search(n, func(i int) bool { return v[i] > x })
			return (suffix[i] - x*float64(n-i)) / float64(n)
		}
	}
	// Cumulative Simpson on n panels of [0, hi]: tail[i] = ∫_{x_i}^{hi} P(S > u) du.
	hi := l.Quantile(1 - 1e-9)
	const n = 20000
	h := hi / n
	sf := func(u float64) float64 { return 1 - l.CDF(u) }
	tail := make([]float64, n+1)
	for i := n - 1; i >= 0; i-- {
		a := float64(i) * h
		tail[i] = tail[i+1] + h/6*(sf(a)+4*sf(a+h/2)+sf(a+h))
	}
	mean := l.Mean()
	return func(x float64) float64 {
		if x <= 0 {
			return mean - x
		}
		if x >= hi {
			return 0
		}
		f := x / h
		i := int(f)
		if i >= n {
			return 0
		}
		w := f - float64(i)
		return tail[i]*(1-w) + tail[i+1]*w
	}
}

// integrate is ∫_a^b f by adaptive Simpson quadrature to an absolute error
// of about 1e-9 per unit length.
func integrate(f func(float64) float64, a, b float64) float64 {
	if !(b > a) {
		return 0
	}
	tol := 1e-9 * (b - a)
	// Split first so that a feature narrower than the interval (a tail
	// that dies within seconds of a 3600 s delay) is not stepped over.
	const pieces = 64
	sum := 0.0
	step := (b - a) / pieces
	for i := 0; i < pieces; i++ {
		x0, x1 := a+float64(i)*step, a+float64(i+1)*step
		if i == pieces-1 {
			x1 = b
		}
		f0, f1 := f(x0), f(x1)
		fmid := f((x0 + x1) / 2)
		sum += simpson(f, x0, x1, f0, fmid, f1, (x1-x0)/6*(f0+4*fmid+f1), tol/pieces, 30)
	}
	return sum
}

func simpson(f func(float64) float64, a, b, fa, fm, fb, whole, tol float64, depth int) float64 {
	m := (a + b) / 2
	lm, rm := (a+m)/2, (m+b)/2
	flm, frm := f(lm), f(rm)
	left := (m - a) / 6 * (fa + 4*flm + fm)
	right := (b - m) / 6 * (fm + 4*frm + fb)
	// A NaN error estimate stops the recursion too.
	if depth <= 0 || !(math.Abs(left+right-whole) > 15*tol) {
		return left + right + (left+right-whole)/15
	}
	return simpson(f, a, m, fa, flm, fm, left, tol/2, depth-1) +
		simpson(f, m, b, fm, frm, fb, right, tol/2, depth-1)
}

// caveats lists where the defaulted configuration c departs from the plain
// case of the formulas, most serious first.
func (c *Config) caveats() []Caveat {
	out := []Caveat{} // JSON [] rather than null when the formulas hold
	add := func(k CaveatKind, key, format string, args ...any) {
		out = append(out, Caveat{Kind: k, Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	lb := c.LoadBalancer
	if len(c.ScaleIn) == 0 {
		add(DoesNotApply, "scale_in", "no [[scale_in]] of the scenario's own: its scale-ins come from a scaling policy, scale-outs or rolling updates, which the formula does not follow")
	} else if c.Autoscaling.Max > 0 {
		add(DoesNotApply, "autoscaling", "a scaling policy adds its own scale-ins and scale-outs, which the formula does not follow")
	}
	if lag := lb.PropagationDelay; !(lag.Distribution.Distribution == Constant && lag.Value == 0) {
		add(DoesNotApply, "load_balancer.propagation_delay", "propagation lag %s (requests routed during the lag are not in the formula)", lagText(lag))
	}
	p := c.Platform
	switch {
	case p.Type != EC2:
		add(DoesNotApply, "platform.type", "platform %s (its shutdown timers, SIGTERM and SIGKILL, are not in the formula)", p.Type)
	case p.LifecycleHook != nil:
		add(DoesNotApply, "platform.lifecycle_hook", "lifecycle hook (it delays termination; cost and scale-in time are not in the formula)")
	case p.ShutdownGrace > 0:
		add(DoesNotApply, "platform.shutdown_grace", "shutdown_grace %v (SIGTERM and kills at shutdown are not in the formula)", p.ShutdownGrace)
	}
	// On EC2 without a shutdown grace the instance is powered off at
	// once; the app never sees SIGTERM, so only the lifecycle cases
	// above make on_sigterm matter.
	if c.App.OnSigterm != Graceful && (p.Type != EC2 || p.ShutdownGrace > 0) {
		add(DoesNotApply, "app.on_sigterm", "app.on_sigterm %s (what the app does at SIGTERM is not in the formula)", c.App.OnSigterm)
	}
	if c.Fleet.MaxConcurrency > 0 {
		add(DoesNotApply, "fleet.max_concurrency", "a worker limit of %d per target (waiting and refused requests are not in the formula)", c.Fleet.MaxConcurrency)
	}
	for i, t := range c.Traffic {
		if t.Retry != nil && t.Retry.Attempts > 1 {
			add(DoesNotApply, fmt.Sprintf("traffic[%d].retry", i), "retries on %s (retried requests are not in the formula)", t.Name)
		}
		if t.Reconnect != nil {
			add(DoesNotApply, fmt.Sprintf("traffic[%d].reconnect", i), "reconnects on %s (reopened connections are not in the formula)", t.Name)
		}
		if t.TimeVarying() {
			add(DoesNotApply, fmt.Sprintf("traffic[%d].rate", i), "a time-varying rate on %s (the formula takes its rate at the first scale-in as constant)", t.Name)
		}
		if t.Clients > 0 {
			add(DoesNotApply, fmt.Sprintf("traffic[%d].clients", i), "closed-loop clients on %s (their rate follows their responses; the formula takes open arrivals)", t.Name)
		}
		if m := t.Duration.Law(rand.NewPCG(0, 0)).Mean(); math.IsInf(m, 1) || m > maxSampleSeconds {
			add(DoesNotApply, fmt.Sprintf("traffic[%d].duration", i), "%s durations have no finite mean (the simulation clamps them at 10^7 s)", t.Name)
		}
	}
	if lb.Type != NLB && c.App.KeepaliveTimeout < lb.IdleTimeout {
		add(DoesNotApply, "app.keepalive_timeout", "keep-alive race: app keep-alive %v < idle timeout %v (keepalive_race drops are not in the formula)", c.App.KeepaliveTimeout, lb.IdleTimeout)
	}
	removed := 0
	for _, s := range c.ScaleIn {
		removed += s.Targets
	}
	if removed >= c.Fleet.Targets {
		add(DoesNotApply, "scale_in", "the scale-in leaves no target in service (later arrivals are no_target drops, not in the formula)")
	}
	if c.Horizon > 0 && len(c.ScaleIn) > 0 {
		last := c.ScaleIn[len(c.ScaleIn)-1].At + c.TargetGroup.DeregistrationDelay
		if c.Horizon < last {
			add(DoesNotApply, "horizon", "horizon %v ends the run before the last delay expires at %v", c.Horizon, last)
		}
	}
	if len(c.RollingUpdate) > 0 {
		add(DoesNotApply, "rolling_update", "rolling update (its launches, health checks and removals are not in the formula)")
	}
	if len(c.ScaleOut) > 0 {
		add(DoesNotApply, "scale_out", "scale-out (launched targets and their share of the traffic are not in the formula)")
	}
	if lb.Type == CLB && !c.TargetGroup.ConnectionDraining {
		add(Note, "target_group.connection_draining", "no connection draining: everything in flight is dropped at deregistration (the formulas at delay 0)")
	}
	if lb.Type == NLB && !c.TargetGroup.ConnectionTermination {
		add(Note, "target_group.connection_termination", "nlb without connection termination: flows still open at expiry are not cut then but killed when the instance terminates (cause killed)")
	}
	// Only random routing thins a Poisson stream into Poisson streams.
	inService := c.Fleet.Targets
	multi := false
	for _, s := range c.ScaleIn {
		multi = multi || inService > 1
		inService -= s.Targets
	}
	if multi && lb.Algorithm != Random {
		add(Approximate, "load_balancer.algorithm", "%s routing: the means hold; P(no drop), drain and scale-in times assume Poisson arrivals per target", strings.ReplaceAll(string(lb.Algorithm), "_", " "))
	}
	return out
}

// idleCaveat warns when a target is often idle at deregistration: its
// idle keep-alive connection then closes less than c later, so the drain
// time min(D, M + c) overstates it.
func (c *Config) idleCaveat(est Estimate) []Caveat {
	if c.LoadBalancer.Type == NLB || est.IdleHoldS == 0 {
		return nil
	}
	worst := math.Inf(1) // the least expected in flight at deregistration
	for _, s := range est.ScaleIns {
		worst = math.Min(worst, s.InFlightPerTarget)
	}
	if p := math.Exp(-worst); p > 0.01 {
		return []Caveat{{Kind: Approximate, Key: "traffic",
			Msg: fmt.Sprintf("a removed target is idle at deregistration with probability up to %.2g; its keep-alive connection then closes sooner than %gs, so drain time is overstated", p, est.IdleHoldS)}}
	}
	return nil
}

// lagText describes a propagation lag: "10s", or its law and mean.
func lagText(l Lag) string {
	if l.Distribution.Distribution == Constant {
		return l.Value.String()
	}
	m := l.Distribution.Law(rand.NewPCG(0, 0)).Mean()
	return fmt.Sprintf("%s, mean %.3gs", l.Distribution.Distribution, m)
}
