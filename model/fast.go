package model

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/drainsim/drainsim/sim"
	"gonum.org/v1/gonum/stat/distuv"
)

// The fast path (issue #16, "fast enough for a month"; docs/model.md, "Fast
// path", and docs/performance.md).
//
// Under a scaling policy with open Poisson arrivals, infinite capacity and
// no keep-alive race, a request changes nothing the run reports except
// through counts, unless it is in flight near a scale-in. The policy reads
// each minute's request count (ALBRequestCountPerTarget is the minute's
// total over the in-service targets, autoscale_run.go), and round robin
// moves its cursor by one per request. So a run draws each class's
// per-minute count first — Poisson with the rate's integral over the
// minute, independent across minutes (a non-homogeneous Poisson process)
// — and then either
//
//   - skips the minute ("fast"): the count goes to arrivals and completed,
//     the round-robin cursor advances by it, no event is scheduled; or
//   - simulates it per request ("window"): given the count N, the arrival
//     times of a Poisson process in the minute are N independent draws
//     from the density λ(t)/Λ(minute) (the order-statistics property), so
//     the minute's arrivals are those N times, sorted, each routed and
//     served as in the full model.
//
// Counts are drawn lead minutes ahead, so a copy of the policy (a pure
// state machine) can be run over them: the run switches to per-request
// minutes lead minutes before any scale-in the policy will decide (and
// before the horizon), and back only once every scale-in has finished, no
// retry is pending and the copy sees no scale-in within lead minutes.
// Launches the copy decides use the very health-check phases the real
// launches will draw (launchPhase pre-draws them from streamLaunch), so
// its Ready count is the real one.
//
// At a window's start, the skipped requests of the last regen minutes
// that are still in flight are put back on their targets (regenerate).
// What is still left out is the requests that arrived before that. Such a
// request can touch a scale-in at T only by being in flight at T − idleFor
// or later (its connection then holds a removed target in draining), that
// is by lasting longer than A = lead + regen − idleFor. The expected number
// of such requests over a run is at most windows × Σ λ_peak × E[(S − A)+];
// lead is the shortest whole number of minutes above idleFor (at least 2)
// and regen the shortest (0–120 min) that makes this at most fastEpsilon,
// which bounds the total-variation distance between the fast and the full
// run's outcome; the run falls back to the full simulation if none does.
// Idle keep-alive connections left from before a window close within
// idleFor (connections.go), so they never decide anything once lead >
// idleFor.

// Fast modes (Config.Fast).
const (
	// FastOff runs every request (the default).
	FastOff = "off"
	// FastAuto uses the fast path where it is exact, the full simulation
	// otherwise (Result.FastPath says which and why).
	FastAuto = "auto"
)

// fastEpsilon bounds the probability that a fast run differs from the full
// one in anything it reports (the bound above).
const fastEpsilon = 1e-9

// Streams of the fast path: per class, the minute counts, the arrival
// times within a minute, and the splits of a minute's count. (5 << 20 is
// the closed-loop clients' base, streamThinkBase; TestStreamsDistinct.)
const (
	streamFastCount = 9 << 20
	streamFastTimes = 10 << 20
	streamFastSplit = 11 << 20
	streamFastRegen = 12 << 20 // class i: durations of regenerated requests; +1<<16: their random routing
)

// segment is a stretch of a skipped minute over which the routed set did
// not change: its counts per class, round robin's cursor before it and
// the routed set's size (a prefix of r.healthy: skipping only appends).
type segment struct {
	from, to time.Duration
	k        []int64
	rr       int
	n        int
}

type fastRun struct {
	lead  int           // minutes of per-request simulation before a scale-in
	regen int           // minutes before a window whose requests still in flight are regenerated
	log   []segment     // the current skipped stretch's segments (consume)
	law   []Law         // per class: durations of regenerated requests
	route *rand.Rand    // random routing of regenerated requests
	skip  bool          // the current minute is skipped
	base  time.Duration // start of the minute counts[c][0] covers (the current one)
	count [][]int64     // per class: counts of minutes base, base+1m, …, base+lead·1m
	cnt   []rand.Source // per class
	times []*rand.Rand  // per class
	split []*rand.Rand  // per class
	curve []curve       // per class

	// A skipped minute: what is left of its counts after seg.
	seg time.Duration
	rem []int64

	// A simulated minute: each class's sorted arrival times and the next.
	buf  [][]time.Duration
	next []int

	phases   []float64       // pre-drawn launch health-check phases (launchPhase)
	healthAt []time.Duration // per launched target: when it becomes healthy
	windows  int             // switches from skipped to simulated minutes
	minutes  int             // minutes skipped
	skipped  int64           // arrivals skipped
	err      error
}

// maxRegen bounds the span regenerated at a window's start, minutes.
const maxRegen = 120

// fastLead returns the lead in minutes the fast path needs for c (defaults
// filled in) and how many minutes before a window's start it regenerates,
// or 0 and why it does not apply.
func (c *Config) fastLead() (lead, regen int, why string) {
	fail := func(why string) (int, int, string) { return 0, 0, why }
	switch {
	case c.Fast != FastAuto:
		return fail("fast = \"off\"")
	case c.Horizon <= 0:
		return fail("no horizon")
	case c.Autoscaling.Max == 0:
		return fail("no [autoscaling] policy")
	case len(c.ScaleIn) > 0 || len(c.ScaleOut) > 0 || len(c.RollingUpdate) > 0:
		return fail("hand-placed [[scale_in]], [[scale_out]] or [[rolling_update]]")
	case c.Fleet.MaxConcurrency > 0:
		return fail("fleet.max_concurrency (finite capacity: queues)")
	case c.LoadBalancer.Algorithm == LeastOutstandingRequests:
		return fail("least_outstanding_requests routing (it reads every target's in-flight count)")
	case c.LoadBalancer.Type != NLB && c.App.KeepaliveTimeout < c.LoadBalancer.IdleTimeout:
		return fail("the keep-alive race (app.keepalive_timeout < load_balancer.idle_timeout drops requests at any time)")
	}
	for i := range c.Traffic {
		tc := &c.Traffic[i]
		if tc.Kind != KindRequest || tc.Clients > 0 {
			return fail(fmt.Sprintf("traffic %q: only open request classes (no long-lived connections, no closed-loop clients)", tc.Name))
		}
	}
	// The lead: the shortest whole number of minutes longer than the idle
	// connection lifetime (at least 2). The regenerated span: the shortest
	// that meets the bound.
	idle := c.idleFor().Seconds()
	lead = max(2, int(math.Floor(idle/60))+1)
	windows := c.Horizon.Minutes()/float64(lead+1) + 1
	for regen = 0; regen <= maxRegen; regen++ {
		a := float64(lead+regen)*60 - idle
		bound := 0.0
		for i := range c.Traffic {
			tc := &c.Traffic[i]
			bound += tc.peakRate() * ExcessMean(tc.Duration.Law(rand.NewPCG(0, 0)), a)
		}
		if bound*windows <= fastEpsilon {
			return lead, regen, ""
		}
	}
	return 0, 0, fmt.Sprintf("durations too long: requests older than %d min would reach a scale-in with P > 1e-9", lead+maxRegen)
}

// FastPathNote says whether a run of c takes the fast path and why not
// ("" when fast is off).
func (c *Config) FastPathNote() string {
	e := c.withDefaults()
	if e.Fast != FastAuto {
		return ""
	}
	if lead, regen, why := e.fastLead(); lead > 0 {
		return fmt.Sprintf("used: per-minute counts, per-request simulation from %d min before each scale-in with the requests of the %d min before that still in flight (P(differs from the full run) ≤ %g); not by runs an observer watches (--access-log, --metrics, --timeline)", lead, regen, fastEpsilon)
	} else {
		return "not used (" + why + "): every request is simulated"
	}
}

// initFast sets up the fast path if it applies; the arrivals of a fast run
// come from fastMinute, not scheduleArrival.
func (r *runner) initFast(observed bool) {
	lead, regen, why := r.cfg.fastLead()
	if lead > 0 && observed {
		lead, why = 0, "an observer (metrics or timeline) sees every request"
	}
	if r.cfg.Fast == FastAuto {
		if lead > 0 {
			r.res.FastPath = fmt.Sprintf("used (lead %d min, regenerated %d min)", lead, regen)
		} else {
			r.res.FastPath = "not used: " + why
		}
	}
	if lead == 0 {
		return
	}
	n := len(r.cfg.Traffic)
	seed, rep := r.cfg.Seed, r.res.Replication
	f := &fastRun{lead: lead, regen: regen, law: make([]Law, n), route: rand.New(Source(seed, rep, streamFastRegen+1<<16)), count: make([][]int64, n), cnt: make([]rand.Source, n), times: make([]*rand.Rand, n),
		split: make([]*rand.Rand, n), curve: make([]curve, n), rem: make([]int64, n), buf: make([][]time.Duration, n), next: make([]int, n)}
	for c := range n {
		f.cnt[c] = Source(seed, rep, streamFastCount+uint64(c))
		f.times[c] = rand.New(Source(seed, rep, streamFastTimes+uint64(c)))
		f.split[c] = rand.New(Source(seed, rep, streamFastSplit+uint64(c)))
		f.curve[c] = r.cfg.Traffic[c].curve()
		f.law[c] = r.cfg.Traffic[c].Duration.Law(Source(seed, rep, streamFastRegen+uint64(c)))
	}
	r.fast = f
	for range lead + 1 {
		r.drawMinute()
	}
}

// fastReport completes Result.FastPath once the run has ended.
func (r *runner) fastReport() {
	if f := r.fast; f != nil {
		r.res.FastPath = fmt.Sprintf("used (lead %d min, regenerated %d min): %d of %d minutes skipped, %d arrivals counted without events, %d per-request windows",
			f.lead, f.regen, f.minutes, int(math.Ceil(r.res.End.Minutes())), f.skipped, f.windows)
	}
}

// drawMinute appends each class's count for the minute after the last one
// drawn.
func (r *runner) drawMinute() {
	f := r.fast
	for c := range f.count {
		a := f.base + time.Duration(len(f.count[c]))*time.Minute
		mean := f.curve[c].cum((a + time.Minute).Seconds()) - f.curve[c].cum(a.Seconds())
		k := int64(0)
		if mean > 0 {
			k = int64(distuv.Poisson{Lambda: mean, Src: f.cnt[c]}.Rand())
		}
		f.count[c] = append(f.count[c], k)
	}
}

// fastStart decides how the minute starting now (a minute boundary, after
// the policy's evaluation) is run, and starts it.
func (r *runner) fastStart() {
	f := r.fast
	if f.err != nil {
		return // the run is stopping (errUnforeseen)
	}
	now := r.eng.Now()
	skip := r.canSkip()
	if skip && !f.skip {
		clear(f.buf)
	}
	if !skip && f.skip {
		f.windows++
		r.regenerate()
		f.log = f.log[:0]
	}
	f.skip = skip
	if skip {
		f.minutes++
		f.seg = now
		for c := range f.rem {
			f.rem[c] = f.count[c][0]
		}
		return
	}
	end := now + time.Minute
	for c := range f.count {
		n := f.count[c][0]
		cv := f.curve[c]
		lmax := 0.0
		for t := now.Seconds(); t < end.Seconds(); {
			l, until := cv.bound(t)
			lmax = max(lmax, l)
			t = until
		}
		ts := f.buf[c][:0]
		a := now.Seconds()
		for int64(len(ts)) < n {
			u := a + 60*f.times[c].Float64()
			if f.times[c].Float64()*lmax < cv.rate(u) {
				ts = append(ts, min(max(nanos(math.Round(u*1e9), clockLimit), now), end-1))
			}
		}
		slices.Sort(ts)
		f.buf[c], f.next[c] = ts, 0
		if len(ts) > 0 {
			r.eng.At(sim.Event{At: ts[0], Kind: evArrival, Obj: int32(c)})
		}
	}
}

// regenerate puts back on the targets the skipped requests still in flight
// now, at the start of a window: those of the segments of the last regen
// minutes (docs/model.md, "Fast path"). Given a segment's count, its
// arrival times are independent with density λ(t)/Λ(segment); sorted, the
// j-th goes where round robin's cursor sent it ((rr mod n) + j, over the
// segment's routed set) or, with random routing, to a uniform target.
// Each draws a duration; one still running now is un-completed and
// started with what is left of it.
func (r *runner) regenerate() {
	f := r.fast
	now := r.eng.Now()
	from := now - time.Duration(f.regen)*time.Minute
	type arrival struct {
		at float64
		c  int
	}
	var arr []arrival
	for _, sg := range f.log {
		if sg.to <= from {
			continue
		}
		arr = arr[:0]
		a, b := sg.from.Seconds(), sg.to.Seconds()
		for c, k := range sg.k {
			cv := f.curve[c]
			lmax := 0.0
			for t := a; t < b; {
				l, until := cv.bound(t)
				lmax = max(lmax, l)
				t = until
			}
			for n := int64(0); n < k; {
				u := a + (b-a)*f.times[c].Float64()
				if f.times[c].Float64()*lmax < cv.rate(u) {
					arr = append(arr, arrival{u, c})
					n++
				}
			}
		}
		slices.SortFunc(arr, func(x, y arrival) int {
			switch {
			case x.at < y.at:
				return -1
			case x.at > y.at:
				return 1
			}
			return x.c - y.c
		})
		i0 := sg.rr % sg.n
		for j, q := range arr {
			end := q.at + f.law[q.c].Rand()
			var t int32
			if r.algo == algoRandom {
				t = r.healthy[f.route.IntN(sg.n)]
			} else {
				t = r.healthy[(i0+j)%sg.n]
			}
			if end <= now.Seconds() {
				continue
			}
			rest := toDuration(end - now.Seconds())
			if rest <= 0 {
				continue
			}
			r.res.Completed--
			r.res.Classes[q.c].Completed--
			r.classes[q.c].live++
			r.start(q.c, t, rest, 1)
		}
	}
}

// fastNext schedules class c's next arrival of the simulated minute.
func (r *runner) fastNext(c int) {
	f := r.fast
	f.next[c]++
	if i := f.next[c]; i < len(f.buf[c]) {
		r.eng.At(sim.Event{At: f.buf[c][i], Kind: evArrival, Obj: int32(c)})
	}
}

// fastMinuteEnd ends the minute that ends now: the arrivals a skipped
// minute has not yet counted are counted, and the next minute's counts
// are drawn.
func (r *runner) fastMinuteEnd() {
	f := r.fast
	if f.skip {
		r.consume(r.eng.Now(), true)
	}
	for c := range f.count {
		f.count[c] = f.count[c][1:]
	}
	f.base += time.Minute
	r.drawMinute()
}

// consume counts the skipped arrivals in [seg, t): all that is left of the
// minute if all, else a binomial share (given the minute's count, each
// arrival falls before t with probability (Λ(t) − Λ(seg)) / (Λ(end) −
// Λ(seg))). They complete at once as far as the results go; round robin's
// cursor advances by their number.
func (r *runner) consume(t time.Duration, all bool) {
	f := r.fast
	end := f.base + time.Minute
	total := int64(0)
	seg := segment{from: f.seg, to: t, k: make([]int64, len(f.rem)), rr: r.rr, n: len(r.healthy)}
	for c := range f.rem {
		k := f.rem[c]
		if !all && k > 0 {
			cv := f.curve[c]
			den := cv.cum(end.Seconds()) - cv.cum(f.seg.Seconds())
			p := (cv.cum(t.Seconds()) - cv.cum(f.seg.Seconds())) / den
			k = int64(distuv.Binomial{N: float64(k), P: min(max(p, 0), 1), Src: f.split[c]}.Rand())
		}
		f.rem[c] -= k
		seg.k[c] = k
		total += k
		r.res.Arrivals += k
		r.res.Completed += k
		r.res.Classes[c].Arrivals += k
		r.res.Classes[c].Completed += k
	}
	f.seg = t
	f.skipped += total
	if total > 0 {
		// Keep what a window starting within regen minutes may need.
		cut := t - time.Duration(f.regen+1)*time.Minute
		k := 0
		for k < len(f.log) && f.log[k].to < cut {
			k++
		}
		f.log = append(f.log[k:], seg)
	}
	if total > 0 && r.algo == algoRoundRobin {
		n := int64(len(r.healthy))
		i := int64(r.rr) % n
		r.rr = int((i+total-1)%n + 1)
	}
}

// canSkip reports whether the minute starting now may be skipped: no
// scale-in under way, no retry waiting, every routed target healthy, and
// no scale-in decided nor the horizon reached within lead minutes.
func (r *runner) canSkip() bool {
	f := r.fast
	now := r.eng.Now()
	if now+time.Duration(f.lead)*time.Minute >= r.cfg.Horizon {
		return false
	}
	for _, s := range r.res.ScaleIns {
		if s.Finished < 0 {
			return false
		}
	}
	for c := range r.classes {
		if r.classes[c].waiting > 0 {
			return false
		}
	}
	if r.client > 0 || len(r.healthy) == 0 || len(r.healthy) != len(r.routed) {
		return false
	}
	return !r.scaleInAhead()
}

// scaleInAhead runs a copy of the policy over the drawn counts of the next
// lead minutes and reports whether it scales in.
func (r *runner) scaleInAhead() bool {
	f := r.fast
	now := r.eng.Now()
	p := r.scaling.p.clone()
	ready := 0
	var pend []time.Duration
	for t := range r.targets {
		switch r.targets[t].state {
		case StateHealthy:
			ready++
		case StateInitial:
			pend = append(pend, f.healthAt[r.targets[t].launched])
		}
	}
	n := len(r.targets)
	phase := 0
	for j := 1; j <= f.lead; j++ {
		b := now + time.Duration(j)*time.Minute
		launching := 0
		rest := pend[:0]
		for _, h := range pend {
			if h <= b {
				ready++
			} else {
				rest = append(rest, h)
				launching++
			}
		}
		pend = rest
		req := int64(0)
		for c := range f.count {
			req += f.count[c][j-1]
		}
		s := MetricSample{At: b, RequestCountPerTarget: math.NaN(), Utilisation: math.NaN(), Ready: ready}
		if ready > 0 {
			s.RequestCountPerTarget = float64(req) / float64(ready)
		}
		for _, a := range p.Evaluate(s) {
			if a.To < a.From && ready-a.To > 0 {
				return true
			}
			if a.To > a.From {
				if k := min(a.To-ready-launching, maxTargets-n); k > 0 {
					for range k {
						pend = append(pend, b+r.healthWait(r.peekPhase(phase)))
						phase++
					}
					launching += k
					n += k
				}
			}
		}
	}
	return false
}

// healthWait is how long after its launch a target with health-check
// phase u becomes healthy (launch).
func (r *runner) healthWait(u float64) time.Duration {
	wait := r.cfg.launchTime()
	if !r.nodeTarget() {
		hc := r.cfg.HealthCheck
		wait += nanos((u+float64(hc.HealthyThreshold-1))*float64(hc.Interval), clockLimit)
	}
	return wait
}

// peekPhase returns the i-th health-check phase the next launches will
// draw, drawing it from streamLaunch now if need be.
func (r *runner) peekPhase(i int) float64 {
	if r.launchHealth == nil {
		r.launchHealth = rand.New(Source(r.cfg.Seed, r.res.Replication, streamLaunch))
	}
	for len(r.fast.phases) <= i {
		r.fast.phases = append(r.fast.phases, r.launchHealth.Float64())
	}
	return r.fast.phases[i]
}

// launchPhase draws the health-check phase of a launch: the first one
// scaleInAhead pre-drew, if any (the same stream in the same order, so a
// run without the fast path draws the same values).
func (r *runner) launchPhase() float64 {
	if f := r.fast; f != nil && len(f.phases) > 0 {
		u := f.phases[0]
		f.phases = f.phases[1:]
		return u
	}
	return r.launchHealth.Float64()
}

// errUnforeseen is returned if a skipped minute ends in a scale-in, which
// scaleInAhead rules out: a bug, never an approximation.
var errUnforeseen = errors.New("model: fast path: the policy scaled in at the end of a skipped minute")

// clone returns an independent copy of the policy's state.
func (p *Policy) clone() *Policy {
	q := *p
	cp := func(a *Alarm) *Alarm {
		if a == nil {
			return nil
		}
		b := *a
		b.window = slices.Clone(a.window)
		return &b
	}
	q.high, q.low = cp(p.high), cp(p.low)
	q.steps = make([]*Alarm, len(p.steps))
	for i, a := range p.steps {
		q.steps[i] = cp(a)
	}
	return &q
}
