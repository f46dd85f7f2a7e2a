package model

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/drainsim/drainsim/sim"
)

// Event kinds of the model.
const (
	evArrival   sim.Kind = iota // Obj: traffic class
	evComplete                  // Arg: request slot
	evScaleIn                   // Obj: scale-in index
	evExpiry                    // Obj: target
	evTerminate                 // Obj: target
)

// Random stream identifiers. Each component draws from its own stream so
// that adding a component, or drawing more from one, does not shift the
// others (common random numbers across delays in a sweep).
const (
	streamRoute     = 1
	streamPick      = 2
	streamClassBase = 16 // class i: arrivals 16+2i, durations 17+2i
)

// Source returns the PCG stream for (seed, replication, stream). Streams of
// different replications or components are independent.
func Source(seed uint64, replication int, stream uint64) *rand.PCG {
	return rand.NewPCG(splitmix(seed), splitmix(uint64(replication)<<32^stream))
}

// splitmix is SplitMix64's finaliser: it spreads nearby seeds apart.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// request is an in-flight request or connection.
type request struct {
	ev     sim.Handle // its completion event
	target int32
	pos    int32 // index in its target's inflight list
	class  int32
}

type target struct {
	state    TargetState
	inflight []int32 // request slots
	expiry   sim.Handle
	removed  int32 // index in Result.Removed, or -1
}

type classRun struct {
	rate     float64
	arrivals *rand.Rand
	law      Law
	live     int64
}

type runner struct {
	cfg      *Config
	eng      *sim.Engine
	res      *Result
	targets  []target
	routable []int32 // healthy targets in launch order
	rr       int
	reqs     []request
	free     []int32
	classes  []classRun
	route    *rand.Rand
	pick     *rand.Rand
	left     []int // per scale-in: targets not yet terminated
	pending  int   // scale-ins not yet finished
	done     bool
}

// Run simulates replication rep (from 0) of the scenario and returns its
// result. It returns an error if the configuration is invalid or if the
// accounting identity (arrivals = completed + dropped + in flight) does not
// hold, which would be a bug in the model.
func Run(cfg *Config, rep int) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := newRunner(cfg, rep)
	r.run()
	if err := r.check(); err != nil {
		return nil, err
	}
	return r.res, nil
}

func newRunner(cfg *Config, rep int) *runner {
	r := &runner{
		cfg:   cfg,
		res:   &Result{Replication: rep},
		route: rand.New(Source(cfg.Seed, rep, streamRoute)),
		pick:  rand.New(Source(cfg.Seed, rep, streamPick)),
	}
	r.eng = sim.New(r)
	r.targets = make([]target, cfg.Fleet.Targets)
	r.routable = make([]int32, cfg.Fleet.Targets)
	for i := range r.targets {
		r.targets[i] = target{state: StateHealthy, removed: -1}
		r.routable[i] = int32(i)
	}
	r.classes = make([]classRun, len(cfg.Traffic))
	r.res.Classes = make([]ClassResult, len(cfg.Traffic))
	for i := range cfg.Traffic {
		tc := &cfg.Traffic[i]
		base := uint64(streamClassBase + 2*i)
		r.classes[i] = classRun{
			rate:     tc.Rate,
			arrivals: rand.New(Source(cfg.Seed, rep, base)),
			law:      tc.Duration.Law(Source(cfg.Seed, rep, base+1)),
		}
		name := tc.Name
		if name == "" {
			name = fmt.Sprintf("traffic[%d]", i)
		}
		kind := tc.Kind
		if kind == "" {
			kind = KindRequest
		}
		r.res.Classes[i] = ClassResult{Name: name, Kind: kind}
		r.scheduleArrival(i)
	}
	r.left = make([]int, len(cfg.ScaleIn))
	r.res.ScaleIns = make([]ScaleInResult, len(cfg.ScaleIn))
	for i, s := range cfg.ScaleIn {
		r.res.ScaleIns[i] = ScaleInResult{At: s.At, Finished: -1}
		r.eng.At(sim.Event{At: s.At, Kind: evScaleIn, Obj: int32(i)})
	}
	r.pending = len(cfg.ScaleIn)
	return r
}

func (r *runner) run() {
	if h := r.cfg.Horizon; h > 0 {
		r.eng.RunUntil(h)
	} else {
		for !r.done && r.eng.Step() {
		}
	}
	r.res.End = r.eng.Now()
	r.res.Events = r.eng.Handled()
	price := r.cfg.Fleet.PricePerHour / 3600
	for i := range r.res.Removed {
		rt := &r.res.Removed[i]
		end := rt.Terminated
		if end < 0 {
			end = r.res.End
		}
		rt.CostUSD = price * (end - rt.Decided).Seconds()
		r.res.CostUSD += rt.CostUSD
	}
	for c := range r.classes {
		r.res.Classes[c].InFlight = r.classes[c].live
		r.res.InFlight += r.classes[c].live
	}
}

// check verifies that nothing was lost: per class and in total, every
// arrival is completed, dropped or in flight, and the targets hold exactly
// the requests the classes count as live.
func (r *runner) check() error {
	var held int64
	for i := range r.targets {
		held += int64(len(r.targets[i].inflight))
	}
	res := r.res
	var arr, done, drop int64
	for _, c := range res.Classes {
		if c.Arrivals != c.Completed+c.Dropped+c.InFlight || c.Dropped != c.DroppedByCause.Total() {
			return fmt.Errorf("model: accounting identity violated for class %q: arrivals %d, completed %d, dropped %d (by cause %d), in flight %d",
				c.Name, c.Arrivals, c.Completed, c.Dropped, c.DroppedByCause.Total(), c.InFlight)
		}
		arr, done, drop = arr+c.Arrivals, done+c.Completed, drop+c.Dropped
	}
	if arr != res.Arrivals || done != res.Completed || drop != res.Dropped || drop != res.DroppedByCause.Total() ||
		held != res.InFlight || res.Arrivals != res.Completed+res.Dropped+res.InFlight {
		return fmt.Errorf("model: accounting identity violated: arrivals %d, completed %d, dropped %d, in flight %d (held by targets %d)",
			res.Arrivals, res.Completed, res.Dropped, res.InFlight, held)
	}
	return nil
}

// Handle implements sim.Handler.
func (r *runner) Handle(_ *sim.Engine, ev sim.Event) {
	switch ev.Kind {
	case evArrival:
		r.arrive(int(ev.Obj))
	case evComplete:
		r.complete(int32(ev.Arg))
	case evScaleIn:
		r.scaleIn(int(ev.Obj))
	case evExpiry:
		r.expire(ev.Obj)
	case evTerminate:
		r.terminate(ev.Obj)
	}
}

func (r *runner) scheduleArrival(c int) {
	cl := &r.classes[c]
	gap := toDuration(cl.arrivals.ExpFloat64() / cl.rate)
	r.eng.After(gap, sim.Event{Kind: evArrival, Obj: int32(c)})
}

// arrive routes one arrival of class c. Its duration is drawn even when it
// is dropped so that the duration stream stays aligned across settings.
func (r *runner) arrive(c int) {
	cl := &r.classes[c]
	d := toDuration(cl.law.Rand())
	r.res.Arrivals++
	r.res.Classes[c].Arrivals++
	if t := r.choose(); t < 0 {
		r.count(c, CauseNoTarget)
	} else {
		r.start(c, t, d)
	}
	r.scheduleArrival(c)
}

// choose picks a routable target, or -1 if there is none (503).
func (r *runner) choose() int32 {
	n := len(r.routable)
	if n == 0 {
		return -1
	}
	switch r.cfg.LoadBalancer.Algorithm {
	case Random:
		return r.routable[r.route.IntN(n)]
	case LeastOutstandingRequests:
		// Fewest in flight; ties go to the first from the round-robin
		// cursor, so equal targets share the load in turn.
		start := r.rr % n
		best, bestN := start, len(r.targets[r.routable[start]].inflight)
		for k := 1; k < n && bestN > 0; k++ {
			i := start + k
			if i >= n {
				i -= n
			}
			if m := len(r.targets[r.routable[i]].inflight); m < bestN {
				best, bestN = i, m
			}
		}
		r.rr = best + 1
		return r.routable[best]
	default: // round robin
		i := r.rr % n
		r.rr = i + 1
		return r.routable[i]
	}
}

func (r *runner) start(c int, t int32, d time.Duration) {
	var slot int32
	if n := len(r.free); n > 0 {
		slot = r.free[n-1]
		r.free = r.free[:n-1]
	} else {
		slot = int32(len(r.reqs))
		r.reqs = append(r.reqs, request{})
	}
	tg := &r.targets[t]
	r.reqs[slot] = request{
		ev:     r.eng.After(d, sim.Event{Kind: evComplete, Arg: uint64(slot)}),
		target: t,
		pos:    int32(len(tg.inflight)),
		class:  int32(c),
	}
	tg.inflight = append(tg.inflight, slot)
	r.classes[c].live++
}

// detach removes request slot from its target and frees it.
func (r *runner) detach(slot int32) (class int) {
	q := &r.reqs[slot]
	tg := &r.targets[q.target]
	last := len(tg.inflight) - 1
	if int(q.pos) != last {
		moved := tg.inflight[last]
		tg.inflight[q.pos] = moved
		r.reqs[moved].pos = q.pos
	}
	tg.inflight = tg.inflight[:last]
	r.free = append(r.free, slot)
	r.classes[q.class].live--
	return int(q.class)
}

func (r *runner) complete(slot int32) {
	t := r.reqs[slot].target
	c := r.detach(slot)
	r.res.Completed++
	r.res.Classes[c].Completed++
	// An ALB/NLB/CLB target that has nothing left in flight completes
	// deregistration at once [ALB-TG]; the ASG then proceeds [ASG-LC].
	if tg := &r.targets[t]; tg.state == StateDraining && len(tg.inflight) == 0 {
		r.drained(t)
	}
}

// count records a drop of class c.
func (r *runner) count(c int, cause Cause) {
	r.res.Dropped++
	r.res.DroppedByCause[cause]++
	cr := &r.res.Classes[c]
	cr.Dropped++
	cr.DroppedByCause[cause]++
}

// closeAll drops everything target t has in flight.
func (r *runner) closeAll(t int32, cause Cause) {
	tg := &r.targets[t]
	for len(tg.inflight) > 0 {
		slot := tg.inflight[len(tg.inflight)-1]
		r.eng.Cancel(r.reqs[slot].ev)
		r.count(r.detach(slot), cause)
	}
}

// scaleIn picks the targets to remove and deregisters them. Picking is
// among the healthy (in-service) targets; oldest is the lowest launch
// index. The Auto Scaling group deregisters the instance from its target
// groups before it terminates it [ASG-LC].
func (r *runner) scaleIn(i int) {
	s := r.cfg.ScaleIn[i]
	cand := slices.Clone(r.routable)
	n := min(s.Targets, len(cand))
	var picked []int32
	switch s.Pick {
	case PickNewest:
		picked = cand[len(cand)-n:]
		slices.Reverse(picked)
	case PickRandom:
		for k := 0; k < n; k++ {
			j := k + r.pick.IntN(len(cand)-k)
			cand[k], cand[j] = cand[j], cand[k]
		}
		picked = cand[:n]
	default:
		picked = cand[:n]
	}
	r.left[i] = n
	r.res.ScaleIns[i].Targets = n
	if n == 0 {
		r.finishScaleIn(i)
		return
	}
	for _, t := range picked {
		r.targets[t].removed = int32(len(r.res.Removed))
		r.res.Removed = append(r.res.Removed, RemovedTarget{
			Target: int(t), ScaleIn: i, Decided: r.eng.Now(),
			Deregistered: -1, Drained: -1, Terminated: -1,
		})
	}
	for _, t := range picked {
		r.deregister(t)
	}
}

// deregister starts draining target t: it leaves routing at once (the
// propagation lag is zero in this model) [ALB-TG, NLB-TG].
func (r *runner) deregister(t int32) {
	tg := &r.targets[t]
	tg.state = StateDraining
	rec := &r.res.Removed[tg.removed]
	rec.Deregistered = r.eng.Now()
	rec.InFlightAtDeregistration = int64(len(tg.inflight))
	if k := slices.Index(r.routable, t); k >= 0 {
		r.routable = slices.Delete(r.routable, k, k+1)
		if r.rr > k {
			r.rr--
		}
	}
	lb, tgc := r.cfg.LoadBalancer, r.cfg.TargetGroup
	switch {
	case lb.Type == CLB && !tgc.ConnectionDraining:
		// Without connection draining a CLB does not complete in-flight
		// requests [CLB-CD].
		r.closeAll(t, CauseDelayExpired)
		r.drained(t)
	case len(tg.inflight) == 0:
		r.drained(t)
	default:
		tg.expiry = r.eng.After(tgc.DeregistrationDelay, sim.Event{Kind: evExpiry, Obj: t})
	}
}

// expire ends the deregistration delay of target t. ALB and CLB close
// what is still in flight (ALB answers 502 [ALB-TS]; CLB closes connections
// forcibly [CLB-CD]); an NLB does so only with connection termination
// enabled, otherwise its flows live on until the instance goes [NLB-TG].
func (r *runner) expire(t int32) {
	r.targets[t].expiry = 0
	if r.cfg.LoadBalancer.Type != NLB || r.cfg.TargetGroup.ConnectionTermination {
		r.closeAll(t, CauseDelayExpired)
	}
	r.drained(t)
}

// drained marks deregistration of target t complete. EC2 Auto Scaling
// waits for exactly this ("until in-flight requests finish or the delay
// ends, whichever is first") and then terminates the instance [ASG-LC].
func (r *runner) drained(t int32) {
	tg := &r.targets[t]
	tg.state = StateUnused
	r.eng.Cancel(tg.expiry)
	tg.expiry = 0
	r.res.Removed[tg.removed].Drained = r.eng.Now()
	r.eng.After(0, sim.Event{Kind: evTerminate, Obj: t})
}

// terminate ends the instance behind target t: whatever it still has open
// is dropped (cause killed).
func (r *runner) terminate(t int32) {
	r.closeAll(t, CauseKilled)
	tg := &r.targets[t]
	tg.state = StateTerminated
	rec := &r.res.Removed[tg.removed]
	rec.Terminated = r.eng.Now()
	i := rec.ScaleIn
	r.left[i]--
	if r.left[i] == 0 {
		r.finishScaleIn(i)
	}
}

func (r *runner) finishScaleIn(i int) {
	r.res.ScaleIns[i].Finished = r.eng.Now()
	r.pending--
	if r.pending == 0 {
		r.done = true
	}
}
