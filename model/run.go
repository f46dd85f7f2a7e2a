package model

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/drainsim/drainsim/sim"
)

// Event kinds of the model.
const (
	evArrival          sim.Kind = iota // Obj: traffic class
	evComplete                         // Arg: request slot
	evScaleIn                          // Obj: scale-in index
	evExpiry                           // Obj: target; the deregistration delay ends
	evRouteStop                        // Obj: target; the propagation lag ends
	evSigterm                          // Obj: target
	evKill                             // Obj: target; SIGKILL or power-off
	evShutdown                         // Obj: target; EC2 terminates the instance (OS shutdown)
	evUnhealthy                        // Obj: target; health checks declare it unhealthy
	evRetry                            // Obj: class; Arg: packed attempt, flags and duration
	evSample                           // observation only
	evIdleClose                        // Obj: target; its last idle keep-alive connection closes
	evTimeout                          // Obj: target and class; Arg: packed attempt and duration (connectTimeout)
	evStopAccepting                    // Obj: target; a lame-duck app stops accepting
	evUnhealthyDrained                 // Obj: target; an NLB's unhealthy draining interval ends
	evScaleOut                         // Obj: scale-out index (scaleout.go)
	evHealthy                          // Obj: target; a launched target passes its health checks
	evRolling                          // Obj: rolling update index (rolling.go)
	evAutoscale                        // the scaling policy's one-minute evaluation (autoscale_run.go)
	evClientSend                       // Obj: class; Arg: client; a closed-loop client sends (closedloop.go)
)

// algorithm is LoadBalancer.Algorithm as a small integer, so routing does
// not compare strings on every arrival.
type algorithm uint8

const (
	algoRoundRobin algorithm = iota
	algoLOR
	algoRandom
)

// Random stream identifiers. Each component draws from its own stream so
// that adding a component, or drawing more from one, does not shift the
// others (common random numbers across delays in a sweep).
const (
	streamRoute      = 1
	streamPick       = 2
	streamLag        = 3
	streamHealth     = 4
	streamUnhealthy  = 5       // the NLB's lag after a target is declared unhealthy
	streamNode       = 7       // the load balancer node each request goes through (connections.go)
	streamPool       = 8       // random reuse of an idle keep-alive connection (connections.go)
	streamClassBase  = 16      // class i: arrivals 16+2i, durations 17+2i
	streamClientBase = 1 << 20 // class i: retry and reconnect draws
	streamThinBase   = 3 << 20 // class i: thinning's acceptance draws (a time-varying rate)
)

// keepAliveRaceWindow is the default of load_balancer.fin_window: how long
// after a target closes an idle keep-alive connection the load balancer
// may still send a request on it, the time its FIN takes to arrive, about
// one round trip inside a VPC. A modelling choice (docs/model.md,
// "keep-alive race").
const keepAliveRaceWindow = time.Millisecond

// reconnectBucket is the window over which the reconnect peak is measured.
const reconnectBucket = 100 * time.Millisecond

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

// A retry event's Arg packs the attempt number (bits 56–63), a flag for a
// new connection opened by a reconnecting client (bit 55), a flag for a
// backoff the run waits for (bit 54, see maybeDone) and the duration in
// nanoseconds (bits 0–53; durations are clamped far below 2^54 ns).
const (
	argDurationMask = 1<<54 - 1
	argAwaited      = 1 << 54
	argReconnect    = 1 << 55
)

func packRetry(attempt int, reconnect bool, d time.Duration) uint64 {
	a := uint64(attempt)<<56 | uint64(d)&argDurationMask
	if reconnect {
		a |= argReconnect
	}
	return a
}

// request is an in-flight request or connection, in 16 bytes (issue #5's
// memory budget is 64 bytes per in-flight request, engine included). Its
// end time is its completion event's time (sim.Engine.When).
type request struct {
	ev  sim.Handle // its completion event
	tca uint32     // target (17 bits) | class (10 bits) | attempt (5 bits)
	pos int32      // index in its target's inflight list
}

// The bit fields of request.tca. Validate keeps targets below 2^17 and
// classes below 2^10; attempts beyond 31 are stored as 31 (they only set a
// reconnect's backoff, which has long reached its cap by then).
const (
	tcaClassBits   = 10
	tcaAttemptBits = 5
	maxAttempt     = 1<<tcaAttemptBits - 1
)

func packTCA(t int32, c, attempt int) uint32 {
	return uint32(t)<<(tcaClassBits+tcaAttemptBits) | uint32(c)<<tcaAttemptBits | uint32(min(attempt, maxAttempt))
}

func (q *request) target() int32 { return int32(q.tca >> (tcaClassBits + tcaAttemptBits)) }
func (q *request) class() int    { return int(q.tca>>tcaAttemptBits) & (1<<tcaClassBits - 1) }
func (q *request) attempt() int  { return int(q.tca & maxAttempt) }

type target struct {
	state    TargetState
	inflight []int32 // request slots
	// idle holds, per load balancer node, the times at which the node's
	// idle keep-alive connections to this target became idle, most recent
	// last; see connections.go. ALB and CLB only; nil until first used.
	idle [][]time.Duration
	// queue holds the requests waiting for a worker (fleet.backlog),
	// oldest first; they are in inflight too, with no completion event.
	queue        []queued
	idleClose    sim.Handle // evIdleClose of a drained-out target, or 0
	removed      int32      // index in Result.Removed, or -1
	launched     int32      // index in Result.Launched (launched targets only)
	expiry       sim.Handle
	kill         sim.Handle
	routed       bool // the data plane still sends it new traffic
	unhealthy    bool // declared unhealthy by health checks
	accepting    bool // its process accepts new connections
	alive        bool // its process runs
	sigterm      bool // its process got SIGTERM
	lameDuck     bool // after SIGTERM, still accepting for app.keep_accepting
	shutdown     bool // EC2: the instance is shutting down
	hostGone     bool // its instance was terminated (ECS on EC2: the host too)
	deregistered bool // deregistration started
	drained      bool // deregistration complete
	gone         bool // instance or task terminated
	counted      bool // counted as finished by its scale-in
}

type classRun struct {
	rate       float64
	curve      curve      // a time-varying rate, or nil
	thin       *rand.Rand // thinning's acceptance draws (curve only)
	next       float64    // next arrival time in seconds, kept in float64 so rounding to ns does not accumulate
	connection bool
	arrivals   *rand.Rand
	client     *rand.Rand
	law        Law
	retryLaw   Law // durations of retried requests
	retry      *Retry
	reconnect  *Reconnect
	idempotent float64
	live       int64 // arrived and not yet completed or dropped
	waiting    int64 // of live: waiting to be retried
	connecting int64 // of waiting: held by connectTimeout, not yet failed

	closed *closedLoop // a closed-loop class (closedloop.go), or nil
}

type runner struct {
	cfg      Config // with defaults filled in
	eng      *sim.Engine
	ctx      context.Context // RunOptions.Context; nil if none
	cancel   <-chan struct{} // its Done channel; nil if it cannot be cancelled
	res      *Result
	targets  []target
	healthy  []int32 // routed and not unhealthy, launch order
	routed   []int32 // routed, launch order (fail-open set)
	rr       int
	reqs     []request
	free     []int32
	classes  []classRun
	route    *rand.Rand
	pick     *rand.Rand
	lag      Law
	uLag     Law // LoadBalancer.UnhealthyLag
	health   *rand.Rand
	left     []int // per scale-in: targets not yet done
	pending  int   // scale-ins not yet finished
	client   int   // retries and reconnects waiting for their backoff
	await    bool  // the failure being handled was awaited: so is its retry
	done     bool
	pool     bool            // the load balancer keeps keep-alive connections to targets (ALB, CLB)
	race     bool            // model the keep-alive race
	raceK    time.Duration   // the app's keep-alive timeout
	idleFor  time.Duration   // how long an idle connection stays open: min(app keep-alive, LB idle timeout)
	known    time.Duration   // an idle connection older than this is known closed: idleFor, or K + FIN window with the race
	nodes    int             // LoadBalancer.Nodes: one pool per node per target
	policy   PoolPolicy      // LoadBalancer.PoolPolicy
	nodeRand *rand.Rand      // the node each request goes through (nodes > 1)
	poolRand *rand.Rand      // random reuse's choice (pool_policy = "random")
	node     []uint8         // per request slot: the node it went through (nodes > 1)
	curNode  int             // the node of the attempt being routed
	algo     algorithm       // LoadBalancer.Algorithm, decided once per run
	recent   []time.Duration // reconnect times within the last 100 ms
	peak     int             // most reconnects in any 100 ms window
	failOpen bool
	workers  int // Fleet.MaxConcurrency, or math.MaxInt without a limit

	// Scale-outs and rolling updates (scaleout.go, rolling.go).
	launchHealth *rand.Rand
	outLeft      []int // per scale-out: targets not yet healthy
	rolls        []rollRun

	// Observation (RunWith); obs is nil otherwise.
	obs      Observer
	period   time.Duration
	starts   []time.Duration // per request slot: when it arrived
	sampleIn []int
	sampleSt []TargetState
	samples  uint64

	scaling *policyRun  // [autoscaling]; nil without one
	fast    *fastRun    // the fast path (fast.go); nil when every request is simulated
	cl      closedState // closed-loop clients (closedloop.go)

	// Importance sampling of the propagation lag (rarelag.go).
	rare    *RareLag   // RunOptions.RareLag; nil: the lag's own law
	rareRng *rand.Rand // streamRareLag, with rare

	// Conditional values (conditional.go): cond is Result.Conditional,
	// nil when not asked for or not exact; condLogNone is Σ log(1 − q).
	cond        *ConditionalDrops
	condLogNone float64
}

// Run simulates replication rep (from 0) of the scenario and returns its
// result. It returns an error if the configuration is invalid or if the
// accounting identity (arrivals = completed + dropped + in flight) does not
// hold, which would be a bug in the model.
func Run(cfg *Config, rep int) (*Result, error) {
	return RunWith(cfg, rep, RunOptions{})
}

func newRunner(c *Config, rep int) *runner { return newRunnerWith(c.withDefaults(), rep, RunOptions{}) }

// newRunnerWith prepares a run of cfg, whose defaults must be filled in
// (Config.withDefaults).
func newRunnerWith(cfg Config, rep int, opts RunOptions) *runner {
	r := &runner{
		cfg:    cfg,
		res:    &Result{Replication: rep},
		route:  rand.New(Source(cfg.Seed, rep, streamRoute)),
		pick:   rand.New(Source(cfg.Seed, rep, streamPick)),
		health: rand.New(Source(cfg.Seed, rep, streamHealth)),
		lag:    cfg.LoadBalancer.PropagationDelay.Law(Source(cfg.Seed, rep, streamLag)),
		uLag:   cfg.LoadBalancer.UnhealthyLag.Law(Source(cfg.Seed, rep, streamUnhealthy)),
		// ALB and NLB route to all targets when all are unhealthy; CLB
		// does not [ALB-TS, CLB-ERR] (aws-behaviour §3).
		failOpen: cfg.LoadBalancer.Type != CLB,
		algo: map[Algorithm]algorithm{
			RoundRobin: algoRoundRobin, LeastOutstandingRequests: algoLOR, Random: algoRandom,
		}[cfg.LoadBalancer.Algorithm],
	}
	r.workers = math.MaxInt
	if w := cfg.Fleet.MaxConcurrency; w > 0 {
		r.workers = w
		r.res.Latency = &LatencyHistogram{} // a queued request's wait makes its latency
	}
	r.initConnections()
	r.eng = sim.New(r)
	if opts.Context != nil {
		r.ctx, r.cancel = opts.Context, opts.Context.Done()
	}
	if opts.RareLag != nil {
		r.rare, r.rareRng = opts.RareLag, rand.New(Source(cfg.Seed, rep, streamRareLag))
		r.res.LagWeight = 1
	}
	if opts.Conditional && cfg.conditionalRule() == "" {
		r.cond = &ConditionalDrops{}
		r.res.Conditional = r.cond
	}
	if opts.Observer != nil {
		r.obs = opts.Observer
		r.period = opts.SamplePeriod
		if r.period <= 0 {
			r.period = time.Minute
		}
	}
	n := cfg.Fleet.Targets
	// Size the tables for the expected load (λ·E[S] in flight, plus a
	// margin for its spread) so that growing them by doubling does not
	// leave up to twice the memory idle.
	expect := 0.0
	for i := range cfg.Traffic {
		if m := cfg.Traffic[i].Duration.Law(rand.NewPCG(0, 0)).Mean(); m > 0 && m < maxSampleSeconds {
			expect += cfg.Traffic[i].peakRate() * m
		}
	}
	expect = min(expect+4*math.Sqrt(expect)+64, 1<<24)
	r.reqs = make([]request, 0, int(expect))
	r.eng.Reserve(int(expect) + len(cfg.Traffic) + 2*n + 64)
	perTarget := int(expect/float64(n)) + 8
	r.targets = make([]target, n)
	r.healthy = make([]int32, n)
	r.routed = make([]int32, n)
	for i := range r.targets {
		r.targets[i] = target{state: StateHealthy, removed: -1, routed: true, accepting: true, alive: true,
			inflight: make([]int32, 0, perTarget)}
		r.healthy[i], r.routed[i] = int32(i), int32(i)
	}
	t0, stationary := cfg.stationaryStart()
	r.classes = make([]classRun, len(cfg.Traffic))
	r.res.Classes = make([]ClassResult, len(cfg.Traffic))
	r.initFast(opts.Observer != nil)
	for i := range cfg.Traffic {
		tc := &cfg.Traffic[i]
		base := uint64(streamClassBase + 2*i)
		r.classes[i] = classRun{
			rate:       tc.Rate,
			connection: tc.Kind == KindConnection,
			arrivals:   rand.New(Source(cfg.Seed, rep, base)),
			law:        tc.Duration.Law(Source(cfg.Seed, rep, base+1)),
			client:     rand.New(Source(cfg.Seed, rep, streamClientBase+uint64(i))),
			retryLaw:   tc.Duration.Law(Source(cfg.Seed, rep, streamClientBase+1<<16+uint64(i))),
			retry:      tc.Retry,
			reconnect:  tc.Reconnect,
			idempotent: *tc.Idempotent,
		}
		if tc.TimeVarying() {
			r.classes[i].curve = tc.curve()
			r.classes[i].thin = rand.New(Source(cfg.Seed, rep, streamThinBase+uint64(i)))
		}
		r.res.Classes[i] = ClassResult{Name: tc.Name, Kind: tc.Kind, FirstError: -1, LastError: -1}
		r.classes[i].next = t0.Seconds()
		if tc.Clients > 0 {
			r.startClients(i, tc, t0)
			continue
		}
		if r.fast == nil { // a fast run's arrivals come from its minute counts (fast.go)
			r.scheduleArrival(i)
		}
	}
	r.left = make([]int, len(cfg.ScaleIn))
	r.res.ScaleIns = make([]ScaleInResult, len(cfg.ScaleIn))
	for i, s := range cfg.ScaleIn {
		r.res.ScaleIns[i] = ScaleInResult{At: s.At, Finished: -1}
		r.eng.At(sim.Event{At: s.At, Kind: evScaleIn, Obj: int32(i)})
	}
	r.pending = len(cfg.ScaleIn)
	r.initScaling()
	if stationary {
		r.eng.RunUntil(t0) // nothing is due yet: only moves the clock
		r.populate()
		r.res.WarmupSkipped = t0
	}
	if r.obs != nil {
		r.at(r.eng.Now(), evSample, 0)
	}
	r.initAutoscaling()
	if r.fast != nil {
		r.fastStart()
	}
	return r
}

// run simulates until the horizon or, without one, until every scale-in
// has finished. It returns an error, and leaves the result unfinished, if
// the run was cancelled or the engine stopped a loop at one instant.
func (r *runner) run() error {
	if h := r.cfg.Horizon; h > 0 {
		r.eng.RunUntil(h)
	} else {
		for !r.done && r.eng.Step() {
		}
	}
	if r.fast != nil && r.fast.err != nil {
		return fmt.Errorf("model: replication %d: %w", r.res.Replication, r.fast.err)
	}
	if err := r.eng.Err(); err != nil {
		return fmt.Errorf("model: replication %d stopped at %v simulated: %w", r.res.Replication, r.eng.Now(), err)
	}
	r.res.End = r.eng.Now()
	r.fastReport()
	r.res.Events = r.eng.Handled() - r.samples // samples are observation, not model events
	price := r.cfg.Fleet.PricePerHour / 3600
	if r.cfg.Platform.Type == EKS {
		r.res.CostBasis = CostPodShare
	}
	for i := range r.res.Removed {
		rt := &r.res.Removed[i]
		end := rt.BillingEnded
		if end < 0 {
			end = r.res.End
		}
		rt.CostUSD = price * (end - rt.Decided).Seconds()
		r.res.CostUSD += rt.CostUSD
	}
	r.launchCost(price)
	r.finishRolling()
	for c := range r.classes {
		r.res.Classes[c].InFlight = r.classes[c].live
		r.res.InFlight += r.classes[c].live
	}
	r.res.ReconnectPeakPerS = float64(r.peak) * float64(time.Second/reconnectBucket)
	return nil
}

// cancelEvery is how many events a run handles between looks at its
// context: 2¹⁴, a few milliseconds of simulation, so that cancelling
// takes effect at once for a person and costs nothing measurable.
const cancelEvery = 1 << 14

// check verifies that nothing was lost: per class and in total, every
// arrival is completed, dropped or in flight, and the targets hold exactly
// the requests the classes count as live and not waiting for a retry.
func (r *runner) check() error {
	var held, waiting int64
	for i := range r.targets {
		held += int64(len(r.targets[i].inflight))
	}
	for _, c := range r.classes {
		waiting += c.waiting
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
		held+waiting != res.InFlight || res.Arrivals != res.Completed+res.Dropped+res.InFlight {
		return fmt.Errorf("model: accounting identity violated: arrivals %d, completed %d, dropped %d, in flight %d (held by targets %d, waiting to retry %d)",
			res.Arrivals, res.Completed, res.Dropped, res.InFlight, held, waiting)
	}
	return nil
}

// Handle implements sim.Handler.
func (r *runner) Handle(e *sim.Engine, ev sim.Event) {
	if r.cancel != nil && e.Handled()&(cancelEvery-1) == 0 {
		select {
		case <-r.cancel:
			e.Stop(r.ctx.Err()) // after this event
		default:
		}
	}
	switch ev.Kind {
	case evArrival:
		r.arrive(int(ev.Obj))
	case evComplete:
		r.complete(int32(ev.Arg))
	case evScaleIn:
		r.scaleIn(int(ev.Obj))
	case evExpiry:
		r.expire(ev.Obj)
	case evRouteStop:
		r.routeStop(ev.Obj)
	case evSigterm:
		r.sigterm(ev.Obj)
	case evKill:
		r.kill(ev.Obj)
	case evShutdown:
		r.shutdown(ev.Obj)
	case evUnhealthy:
		r.unhealthy(ev.Obj)
	case evRetry:
		r.retry(int(ev.Obj), ev.Arg)
	case evSample:
		r.sample()
	case evIdleClose:
		r.idleClosed(ev.Obj)
	case evTimeout:
		r.unreachable(ev.Obj, ev.Arg)
	case evStopAccepting:
		r.endLameDuck(ev.Obj)
	case evUnhealthyDrained:
		r.unhealthyDrained(ev.Obj)
	case evScaleOut:
		r.scaleOut(int(ev.Obj))
	case evHealthy:
		r.becomeHealthy(ev.Obj)
	case evRolling:
		r.startRolling(int(ev.Obj))
	case evAutoscale:
		r.autoscale()
	case evClientSend:
		r.send(int(ev.Obj), int32(ev.Arg))
	}
}

func (r *runner) scheduleArrival(c int) {
	cl := &r.classes[c]
	if cl.curve != nil {
		r.scheduleVarying(cl)
	} else {
		cl.next += cl.arrivals.ExpFloat64() / cl.rate
	}
	ns := math.Round(cl.next * 1e9)
	if !(ns < float64(clockLimit)) {
		// After the clock's limit, which no run reaches (validation
		// bounds the rate, horizon and scale-ins): the class has no
		// more arrivals.
		return
	}
	r.eng.At(sim.Event{At: nanos(ns, clockLimit), Kind: evArrival, Obj: int32(c)})
}

// arrive admits one arrival of class c. Its duration is drawn even when it
// is dropped so that the duration stream stays aligned across settings.
func (r *runner) arrive(c int) {
	d := toDuration(r.classes[c].law.Rand())
	r.admit(c)
	r.attempt(c, d, 1)
	if r.fast != nil {
		r.fastNext(c)
		return
	}
	r.scheduleArrival(c)
}

func (r *runner) admit(c int) {
	r.res.Arrivals++
	r.res.Classes[c].Arrivals++
	r.classes[c].live++
}

// retry runs a retry or a reconnect that was waiting for its backoff.
// obj is the class, with a closed-loop client above it (clientObj).
func (r *runner) retry(obj int, arg uint64) {
	c, owner := splitClientObj(obj)
	prev := r.cl.cur
	r.cl.cur = owner
	if arg&argAwaited != 0 {
		r.client--
		defer r.maybeDone()
	}
	n := int(arg >> 56)
	d := time.Duration(arg & argDurationMask)
	if arg&argReconnect != 0 {
		r.admit(c)
		r.res.Reconnects++
		r.res.Classes[c].Reconnects++
		// The peak over any window (now − 100 ms, now]: events come in
		// time order, so a queue of recent times is enough.
		now := r.eng.Now()
		k := 0
		for k < len(r.recent) && r.recent[k] <= now-reconnectBucket {
			k++
		}
		r.recent = append(r.recent[:0], r.recent[k:]...)
		r.recent = append(r.recent, now)
		r.peak = max(r.peak, len(r.recent))
	} else {
		r.classes[c].waiting--
		r.res.Retries++
		r.res.Classes[c].Retries++
	}
	r.attempt(c, d, n)
	r.cl.cur = prev
}

// attempt routes attempt n of a request or connection of class c that
// needs d of service.
func (r *runner) attempt(c int, d time.Duration, n int) {
	t := r.choose()
	cause := NumCauses
	switch {
	case t < 0:
		cause = CauseNoTarget
	case !r.targets[t].accepting && r.targets[t].gone && (!r.hostSurvives() || r.targets[t].hostGone):
		// The instance, Fargate ENI or pod IP is gone: nothing answers
		// the load balancer's SYN, and it gives up after its connect
		// timeout (504 [ALB-TS]; aws-behaviour §3).
		r.connectTimeout(c, t, d, n)
		return
	case !r.targets[t].accepting:
		// The host is up and nothing listens: it answers with a reset
		// at once (502 [ALB-TS]).
		cause = CauseRefused
	case r.pool && !r.classes[c].connection && r.reuse(t, r.chooseNode()):
		cause = CauseKeepaliveRace
	case r.full(t):
		// Every worker busy and the backlog full: the target refuses the
		// connection (ALB 502 [ALB-TS]; docs/model.md, "Target
		// capacity").
		cause = CauseRefused
		r.res.Overloaded++
	default:
		r.start(c, t, d, n)
		return
	}
	if r.obs != nil {
		r.observe(c, n, t, r.eng.Now(), false, true, cause)
	}
	r.fail(c, d, n, cause)
}

// fail records a failed attempt that had not been dispatched to a target,
// or a request cut in flight: the load balancer logs a 5xx (or the NLB
// client sees a reset, failureOf), and the client retries it (an
// idempotent request within its attempts, a connection with a reconnect
// policy) or it is dropped for good.
func (r *runner) fail(c int, d time.Duration, n int, cause Cause) {
	r.tally(c, r.failureOf(c, cause, false))
	cl := &r.classes[c]
	if cl.connection {
		// A client that could not connect tries again while its session
		// lasts: the wait comes out of the session's time.
		if rc := cl.reconnect; rc != nil {
			w := backoff(rc.Backoff, rc.MaxBackoff, rc.Jitter, n, cl.client.Float64())
			if d > w && w > 0 {
				cl.waiting++
				r.backoffEvent(c, w, packRetry(min(n+1, 255), false, d-w))
				return
			}
		}
	} else if rt := cl.retry; rt != nil && n < rt.Attempts {
		// Only an idempotent request may be retried; the draw is made
		// for every failure so the stream stays aligned.
		if u := cl.client.Float64(); u < cl.idempotent {
			cl.waiting++
			w := backoff(rt.Backoff, rt.MaxBackoff, rt.Jitter, n, cl.client.Float64())
			r.backoffEvent(c, w, packRetry(n+1, false, d))
			return
		}
	}
	cl.live--
	r.count(c, cause)
	if k := r.cl.cur; k > 0 {
		r.clientEnd(c, k, true) // the client's request failed for good: it thinks, then sends the next
	}
}

// choose picks a target for a new request or flow, or -1 if there is none
// (503). Healthy routed targets first; if every routed target is unhealthy
// an ALB or NLB fails open and uses them all.
func (r *runner) choose() int32 {
	set := r.healthy
	if len(set) == 0 && r.failOpen {
		set = r.routed
	}
	n := len(set)
	if n == 0 {
		return -1
	}
	switch r.algo {
	case algoRandom:
		return set[r.route.IntN(n)]
	case algoLOR:
		// Fewest in flight; ties go to the first from the round-robin
		// cursor, so equal targets share the load in turn.
		start := r.rr % n
		best, bestN := start, len(r.targets[set[start]].inflight)
		for k := 1; k < n && bestN > 0; k++ {
			i := start + k
			if i >= n {
				i -= n
			}
			if m := len(r.targets[set[i]].inflight); m < bestN {
				best, bestN = i, m
			}
		}
		r.rr = best + 1
		return set[best]
	default: // round robin
		i := r.rr % n
		r.rr = i + 1
		return set[i]
	}
}

func (r *runner) start(c int, t int32, d time.Duration, n int) (slot int32) {
	if n := len(r.free); n > 0 {
		slot = r.free[n-1]
		r.free = r.free[:n-1]
	} else {
		slot = int32(len(r.reqs))
		r.reqs = append(r.reqs, request{})
	}
	tg := &r.targets[t]
	r.reqs[slot] = request{
		tca: packTCA(t, c, n),
		pos: int32(len(tg.inflight)),
	}
	if r.busy(t) < r.workers {
		r.reqs[slot].ev = r.eng.After(d, sim.Event{Kind: evComplete, Arg: uint64(slot)})
	} else {
		// Every worker is busy: it waits its turn (capacity.go).
		tg.queue = append(tg.queue, queued{slot: slot, d: d, since: r.eng.Now()})
		r.res.Queued++
	}
	tg.inflight = append(tg.inflight, slot)
	r.own(slot)
	if r.nodes > 1 {
		for len(r.node) <= int(slot) {
			r.node = append(r.node, 0)
		}
		r.node[slot] = uint8(r.curNode)
	}
	if r.obs != nil || r.res.Latency != nil || r.cond != nil {
		for len(r.starts) <= int(slot) {
			r.starts = append(r.starts, 0)
		}
		r.starts[slot] = r.eng.Now()
	}
	return slot
}

// detach removes request slot from its target and frees it.
func (r *runner) detach(slot int32) (class int) {
	q := &r.reqs[slot]
	tg := &r.targets[q.target()]
	last := len(tg.inflight) - 1
	if int(q.pos) != last {
		moved := tg.inflight[last]
		tg.inflight[q.pos] = moved
		r.reqs[moved].pos = q.pos
	}
	tg.inflight = tg.inflight[:last]
	r.free = append(r.free, slot)
	c := q.class()
	if r.workers < math.MaxInt {
		r.release(q.target(), slot, q.ev == 0)
	}
	return c
}

func (r *runner) complete(slot int32) {
	q := &r.reqs[slot]
	t := q.target()
	if r.obs != nil {
		r.observe(q.class(), q.attempt(), t, r.starts[slot], true, false, 0)
	}
	k := r.ownerOf(slot)
	node := r.slotNode(slot) // read before the slot is freed and reused
	c := r.detach(slot)
	if r.res.Latency != nil && !r.classes[c].connection {
		r.res.Latency.Add(r.eng.Now() - r.starts[slot])
	}
	r.classes[c].live--
	r.res.Completed++
	r.res.Classes[c].Completed++
	if k > 0 {
		r.clientEnd(c, k, false)
	}
	tg := &r.targets[t]
	if r.pool && !r.classes[c].connection && tg.accepting {
		r.keepIdle(t, node)
	}
	r.idleCheck(t)
}

// idleCheck acts on a target that may have just become empty: draining
// completes, and a gracefully stopping process exits.
func (r *runner) idleCheck(t int32) {
	tg := &r.targets[t]
	if len(tg.inflight) > 0 {
		return
	}
	// Nothing in flight and no longer routed: deregistration completes
	// once no connection is open either [ALB-TG]; the ASG proceeds
	// [ASG-LC].
	if tg.deregistered && !tg.routed && !tg.drained {
		r.emptied(t)
	}
	if tg.alive && tg.sigterm && !tg.lameDuck && r.cfg.App.OnSigterm == Graceful {
		r.exit(t)
	}
}

// count records a drop of class c.
func (r *runner) count(c int, cause Cause) {
	r.res.Dropped++
	r.res.DroppedByCause[cause]++
	cr := &r.res.Classes[c]
	if cr.FirstError < 0 {
		cr.FirstError = r.eng.Now()
	}
	cr.LastError = r.eng.Now()
	cr.Dropped++
	cr.DroppedByCause[cause]++
}

// closeAll ends everything target t has in flight: dropped with cause, or,
// if graceful, closed cleanly (completed). Connections whose clients
// reconnect open again after their backoff for the rest of their session.
func (r *runner) closeAll(t int32, cause Cause, graceful bool) {
	tg := &r.targets[t]
	// The backlog first, newest first: O(1) each (capacity.go), and no
	// waiting request is put into service only to be closed.
	for len(tg.queue) > 0 {
		r.closeOne(tg.queue[len(tg.queue)-1].slot, cause, graceful)
	}
	for i := len(tg.inflight) - 1; i >= 0; i-- {
		r.closeOne(tg.inflight[i], cause, graceful)
	}
}

// closeConnections closes target t's long-lived connections gracefully
// (close frames, aws-behaviour §5); requests go on.
func (r *runner) closeConnections(t int32) {
	tg := &r.targets[t]
	for i := len(tg.inflight) - 1; i >= 0; i-- {
		if slot := tg.inflight[i]; r.classes[r.reqs[slot].class()].connection {
			r.closeOne(slot, 0, true)
		}
	}
}

func (r *runner) closeOne(slot int32, cause Cause, graceful bool) {
	q := r.reqs[slot]
	end, _ := r.eng.When(q.ev)
	if q.ev == 0 {
		end = r.eng.Now() + r.queuedFor(q.target(), slot) // waiting: its service has not begun
	}
	r.eng.Cancel(q.ev)
	if r.obs != nil {
		r.observe(q.class(), q.attempt(), q.target(), r.starts[slot], true, !graceful, cause)
	}
	k := r.ownerOf(slot)
	c := r.detach(slot)
	cl := &r.classes[c]
	if !graceful && !cl.connection {
		// A request cut in flight: the client sees a 5xx and may retry
		// it; the retry is a new request of the same law, drawn from the
		// client's stream so the main streams stay aligned.
		prev := r.cl.cur
		r.cl.cur = k
		r.fail(c, toDuration(cl.retryLaw.Rand()), q.attempt(), cause)
		r.cl.cur = prev
		return
	}
	if graceful && k > 0 {
		defer r.clientEnd(c, k, false)
	}
	cl.live--
	if graceful {
		r.res.Completed++
		r.res.Classes[c].Completed++
	} else {
		// An established connection cut: not a 5xx on an ALB or CLB,
		// which sent its 101 before (failureOf).
		r.tally(c, r.failureOf(c, cause, true))
		r.count(c, cause)
	}
	// A connection client reconnects for the rest of its session.
	if rc := cl.reconnect; cl.connection && rc != nil {
		w := backoff(rc.Backoff, rc.MaxBackoff, rc.Jitter, 1, cl.client.Float64())
		if rest := end - r.eng.Now() - w; rest > 0 {
			// Its wait was backoff(1): if it fails, the next is backoff(2).
			r.backoffEvent(c, w, packRetry(2, true, rest))
		}
	}
}

// scaleIn picks the targets to remove and starts their shutdown. Picking
// is among the healthy (in-service) targets; oldest is the lowest launch
// index.
func (r *runner) scaleIn(i int) {
	s := r.cfg.ScaleIn[i]
	var cand []int32
	for t := range r.targets {
		// removed: a target terminated without deregistration (kind
		// terminate) still reads healthy until its shutdown, but an
		// earlier scale-in has it.
		if r.targets[t].state == StateHealthy && r.targets[t].removed < 0 {
			cand = append(cand, int32(t))
		}
	}
	// Tasks that share a container instance leave together: pick among
	// the hosts whose tasks are all in service, then take each picked
	// host's tasks (platform.tasks_per_host).
	per := int32(max(1, r.cfg.Platform.TasksPerHost))
	if per > 1 {
		var hosts []int32
		for _, t := range cand {
			if t%per == 0 && int(t+per) <= len(r.targets) && !slices.ContainsFunc(r.targets[t:t+per], func(tg target) bool { return tg.state != StateHealthy || tg.removed >= 0 }) {
				hosts = append(hosts, t/per)
			}
		}
		cand = hosts
	}
	n := min(s.Targets/int(per), len(cand))
	var picked []int32
	switch r.pickPolicy(s.Pick) {
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
	if per > 1 {
		var tasks []int32
		for _, h := range picked {
			for k := range per {
				tasks = append(tasks, h*per+k)
			}
		}
		picked, n = tasks, len(tasks)
	}
	r.left[i] = n
	r.res.ScaleIns[i].Targets = n
	if n == 0 {
		r.finishScaleIn(i)
		return
	}
	r.removeTargets(i, picked, s.Kind)
}

// removeTargets starts the removal of the picked targets, reported as
// scale-in i, through the platform's shutdown path; a rolling update
// removes its old targets through it too (rolling.go).
func (r *runner) removeTargets(i int, picked []int32, kind string) {
	now := r.eng.Now()
	for _, t := range picked {
		r.targets[t].removed = int32(len(r.res.Removed))
		r.res.Removed = append(r.res.Removed, RemovedTarget{
			Target: int(t), ScaleIn: i, Decided: now,
			Deregistered: -1, Emptied: -1, Drained: -1, Terminated: -1, BillingEnded: -1,
		})
	}
	p := r.cfg.Platform
	d := r.cfg.TargetGroup.DeregistrationDelay
	early := p.LifecycleHook != nil && p.LifecycleHook.CompleteEarly
	for _, t := range picked {
		if kind == KindTerminate {
			// Terminated directly, not deregistered: the load balancer
			// learns of it only through health checks (stopAccepting,
			// unhealthy) [ALB-HC, NLB-HC]; kops#11256.
			r.at(now, evShutdown, t)
			continue
		}
		r.deregister(t)
		if early {
			// A hook handler that completes the lifecycle action without
			// waiting for draining: the instance (ECS: the container
			// instance, with its tasks) is terminated while its targets
			// are still registered (aws-cdk#13506).
			r.at(now+p.LifecycleHook.Wait(), evShutdown, t)
		}
		if kind == KindSpotInterruption {
			// A Spot interruption notice: the instance is deregistered
			// now (above) and EC2 shuts it down two minutes later,
			// whatever the draining, lifecycle hook or delay [EC2-SPOT].
			r.at(now+SpotInterruptionNotice, evShutdown, t)
		}
		switch p.Type {
		case ECS:
			switch p.Stop {
			case StopTask:
				// StopTask: SIGTERM at once, no draining first [ECS-SPOT].
				r.at(now, evSigterm, t)
				r.targets[t].kill = r.at(now+p.StopTimeout, evKill, t)
			case StopFargateSpot:
				// Fargate Spot: SIGTERM with a two-minute notice; the
				// task is stopped by stop_timeout or the notice's end
				// [ECS-SPOT].
				r.at(now, evSigterm, t)
				r.targets[t].kill = r.at(now+min(p.StopTimeout, FargateSpotNotice), evKill, t)
			default:
				// Service scale-in: DEACTIVATING waits until the target
				// is unused (the full delay), then STOPPING: SIGTERM,
				// stop_timeout, SIGKILL [ECS-CD, ECS-TL].
				r.at(now+d, evSigterm, t)
				r.targets[t].kill = r.at(now+d+p.StopTimeout, evKill, t)
			}
		case EKS:
			// Pod deletion starts in parallel: deregistration (after the
			// propagation lag) and preStop → SIGTERM; SIGKILL when the
			// grace period, counted from deletion, ends [K8S] — but at
			// least 2 s after SIGTERM: a preStop hook still running when
			// the grace period ends gets a one-off 2 s extension
			// [K8S-HOOK].
			term := min(p.PreStopSleep, p.TerminationGracePeriod)
			r.at(now+term, evSigterm, t)
			r.targets[t].kill = r.at(now+max(p.TerminationGracePeriod, term+kubeletMinGrace), evKill, t)
		}
	}
}

func (r *runner) at(t time.Duration, k sim.Kind, obj int32) sim.Handle {
	return r.eng.At(sim.Event{At: t, Kind: k, Obj: obj})
}

// pickPolicy maps an EC2 termination policy onto a pick when the scale-in
// does not set one [ASG-TP]. The default policy balances AZs, then prefers
// the oldest launch configuration, then the instance closest to its next
// billing hour, then random; drainsim has one AZ, one launch template and
// no launch times, so it falls to random.
func (r *runner) pickPolicy(pick Pick) Pick {
	if pick != "" {
		return pick
	}
	switch r.cfg.Platform.TerminationPolicy {
	case "oldest_instance":
		return PickOldest
	case "newest_instance":
		return PickNewest
	case "default", "random":
		return PickRandom
	}
	return PickOldest
}

// deregister starts draining target t. The load balancer keeps routing to
// it for the propagation lag (reported, aws-behaviour §2); the delay runs
// from deregistration [TGA].
func (r *runner) deregister(t int32) {
	tg := &r.targets[t]
	tg.state = StateDraining
	tg.deregistered = true
	rec := &r.res.Removed[tg.removed]
	rec.Deregistered = r.eng.Now()
	rec.InFlightAtDeregistration = int64(len(tg.inflight))
	if r.cond != nil {
		r.condDeregister(t)
	}
	lb, tgc := r.cfg.LoadBalancer, r.cfg.TargetGroup
	if lag := r.drawLag(); lag > 0 {
		r.at(r.eng.Now()+lag, evRouteStop, t)
	} else {
		r.unroute(t)
	}
	switch {
	case r.nodeTarget():
		// EKS instance mode: the load balancer's target is the node, so
		// nothing is deregistered there and no delay or CLB rule applies
		// to the pod. kube-proxy stops forwarding to it after the
		// endpoint update lag (unroute); it is done when empty or killed
		// [LBC-TT].
		if len(tg.inflight) == 0 && !tg.routed {
			r.drained(t)
		}
	case lb.Type == CLB && !tgc.ConnectionDraining:
		// Without connection draining a CLB does not complete in-flight
		// requests [CLB-CD].
		r.closeAll(t, CauseDelayExpired, false)
		r.drained(t)
	default:
		tg.expiry = r.at(r.eng.Now()+tgc.DeregistrationDelay, evExpiry, t)
		if len(tg.inflight) == 0 && !tg.routed {
			// Idle and no longer routed: draining ends when its idle
			// keep-alive connections close, or at once if none is open
			// (connections.go).
			r.emptied(t)
		}
	}
}

// hostSurvives reports whether the host answers when a target's task is
// gone: ECS on EC2, whose container instance lives on and resets
// connections to a port nothing listens on (502, refused), where a Fargate
// task's ENI is deleted with it (504, unreachable) [ECS-TL]; aws-behaviour
// §3 ("502 needs a host that answers with a RST").
func (r *runner) hostSurvives() bool {
	return r.cfg.Platform.Type == ECS && r.cfg.Platform.LaunchType == LaunchEC2
}

// nodeTarget reports whether the load balancer's targets are nodes, not
// the simulated pods (EKS with target_type instance) [LBC-TT].
func (r *runner) nodeTarget() bool {
	return r.cfg.Platform.Type == EKS && r.cfg.Platform.TargetType == TargetInstance
}

// unroute takes target t out of the data plane's routing.
func (r *runner) unroute(t int32) {
	tg := &r.targets[t]
	if !tg.routed {
		return
	}
	tg.routed = false
	r.healthy = remove(r.healthy, t)
	r.routed = remove(r.routed, t)
}

func remove(s []int32, t int32) []int32 {
	if k := slices.Index(s, t); k >= 0 {
		return slices.Delete(s, k, k+1)
	}
	return s
}

func (r *runner) routeStop(t int32) {
	r.unroute(t)
	r.idleCheck(t)
	r.doneCheck(t)
}

// expire ends the deregistration delay of target t. ALB and CLB close
// what is still in flight (ALB answers 502 [ALB-TS]; CLB closes connections
// forcibly [CLB-CD]); an NLB does so only with connection termination
// enabled, otherwise its flows live on until the instance goes [NLB-TG].
// Deregistration is then complete even if the data plane still routes to
// the target (the lag outlasting the delay).
func (r *runner) expire(t int32) {
	tg := &r.targets[t]
	tg.expiry = 0
	// A CLB lets requests to an instance that failed its health checks
	// complete: "the maximum timeout limit does not apply" [CLB-CD].
	clbUnhealthy := r.cfg.LoadBalancer.Type == CLB && tg.unhealthy
	if !clbUnhealthy && (r.cfg.LoadBalancer.Type != NLB || r.cfg.TargetGroup.ConnectionTermination) {
		r.closeAll(t, CauseDelayExpired, false)
	}
	r.drained(t)
}

// drained marks deregistration of target t complete. EC2 Auto Scaling
// waits for exactly this ("until in-flight requests finish or the delay
// ends, whichever is first"), then runs the lifecycle hook, then
// terminates the instance [ASG-LC]. ECS and EKS shut down on timers of
// their own, set at the scale-in.
func (r *runner) drained(t int32) {
	tg := &r.targets[t]
	if tg.drained {
		return
	}
	tg.drained = true
	if tg.state == StateDraining {
		tg.state = StateUnused
	}
	r.eng.Cancel(tg.expiry)
	tg.expiry = 0
	r.eng.Cancel(tg.idleClose)
	tg.idleClose = 0
	clearPools(tg) // the load balancer closes what is left [ALB-TG]
	rec := &r.res.Removed[tg.removed]
	rec.Drained = r.eng.Now()
	if rec.Emptied < 0 && len(tg.inflight) == 0 {
		rec.Emptied = rec.Drained
	}
	if h := r.cfg.Platform.LifecycleHook; r.cfg.Platform.Type == EC2 && !tg.gone && !tg.shutdown && (h == nil || !h.CompleteEarly) {
		r.at(r.eng.Now()+h.Wait(), evShutdown, t)
	}
	r.doneCheck(t)
}

// shutdown terminates an EC2 instance: the OS sends SIGTERM to the app
// and powers off after shutdown_grace, or when the app has exited if that
// is sooner [ASG-LC].
//
// EC2 bills until the instance enters shutting-down [EC2-STATE]: billing
// ends here, not at power-off.
func (r *runner) shutdown(t int32) {
	tg := &r.targets[t]
	if tg.shutdown || tg.gone {
		return // a Spot interruption and the ASG both terminate it
	}
	tg.shutdown = true
	tg.hostGone = true
	r.res.Removed[tg.removed].BillingEnded = r.eng.Now()
	if g := r.cfg.Platform.ShutdownGrace; g > 0 && tg.alive {
		tg.kill = r.at(r.eng.Now()+g, evKill, t)
		r.sigterm(t)
		return
	}
	r.kill(t)
}

// sigterm delivers SIGTERM to target t's process, which reacts as the app
// is configured to.
func (r *runner) sigterm(t int32) {
	tg := &r.targets[t]
	if !tg.alive || tg.sigterm {
		return
	}
	tg.sigterm = true
	switch r.cfg.App.OnSigterm {
	case Immediate:
		r.closeAll(t, CauseKilled, false)
		r.exit(t)
	case Graceful:
		// Lame duck: keep accepting and serving for keep_accepting
		// first.
		if ka := r.cfg.App.KeepAccepting; ka > 0 {
			tg.lameDuck = true
			r.at(r.eng.Now()+ka, evStopAccepting, t)
			return
		}
		r.stopGraceful(t)
	}
}

// stopGraceful stops a graceful app: stop accepting, close long-lived
// connections with a close frame, finish requests, exit when idle.
func (r *runner) stopGraceful(t int32) {
	r.stopAccepting(t)
	r.closeConnections(t)
	r.idleCheck(t)
}

// endLameDuck ends a graceful app's keep_accepting time after SIGTERM.
func (r *runner) endLameDuck(t int32) {
	tg := &r.targets[t]
	if !tg.lameDuck {
		return
	}
	tg.lameDuck = false
	if tg.alive {
		r.stopGraceful(t)
	}
}

// stopAccepting closes target t's listener. New requests routed to it are
// refused, and its health checks start failing: it is declared unhealthy
// after about interval × unhealthy threshold [ALB-HC, NLB-HC]; the first
// failing check falls uniformly within an interval. The data plane acts
// on that only after the unhealthy lag (NLB 30–40 s, containers-roadmap
// #470; aws-behaviour §2): evUnhealthy is when it stops routing to the
// target and resets its flows.
func (r *runner) stopAccepting(t int32) {
	tg := &r.targets[t]
	if !tg.accepting {
		return
	}
	tg.accepting = false
	tg.idle = nil
	// In EKS instance mode the load balancer health-checks the node, not
	// the pod: a pod that stops listening is never declared unhealthy.
	if tg.routed && !r.nodeTarget() {
		hc := r.cfg.HealthCheck
		u := r.health.Float64()
		wait := nanos((u+float64(hc.UnhealthyThreshold-1))*float64(hc.Interval), clockLimit)
		wait += lagDuration(r.uLag.Rand())
		r.at(r.eng.Now()+wait, evUnhealthy, t)
	}
}

// unhealthy takes target t out of the healthy set. An NLB resets an
// unhealthy target's flows at once by default; with connection
// termination off it keeps them, for the unhealthy draining interval if
// one is set (unhealthy.draining), then resets them [TGA, NLB-UD]. A CLB
// without connection draining closes an unhealthy instance's connections:
// in-flight requests are not completed [CLB-CD].
func (r *runner) unhealthy(t int32) {
	tg := &r.targets[t]
	if tg.unhealthy || tg.accepting {
		return
	}
	tg.unhealthy = true
	r.healthy = remove(r.healthy, t)
	if !tg.deregistered && tg.removed >= 0 {
		// Terminated without deregistration: the health checks are how
		// the load balancer finds out; it stops routing to the target
		// now, and nothing is left to drain.
		defer func() {
			r.unroute(t)
			r.drained(t)
		}()
	}
	tgc := r.cfg.TargetGroup
	switch r.cfg.LoadBalancer.Type {
	case NLB:
		switch {
		case tgc.unhealthyTermination():
			r.closeAll(t, CauseUnhealthyReset, false)
			r.idleCheck(t)
		case tgc.UnhealthyDrainingInterval > 0:
			r.at(r.eng.Now()+tgc.UnhealthyDrainingInterval, evUnhealthyDrained, t)
		}
	case CLB:
		if !tgc.ConnectionDraining {
			r.closeAll(t, CauseUnhealthyReset, false)
			r.idleCheck(t)
		}
	}
}

// unhealthyDrained ends an NLB target's unhealthy.draining state: it
// becomes unhealthy and its flows are reset [NLB-UD].
func (r *runner) unhealthyDrained(t int32) {
	if r.targets[t].gone {
		return
	}
	r.closeAll(t, CauseUnhealthyReset, false)
	r.idleCheck(t)
}

// exit ends target t's process by itself (graceful exit or immediate).
func (r *runner) exit(t int32) {
	tg := &r.targets[t]
	tg.alive = false
	r.stopAccepting(t)
	if r.cfg.Platform.Type == EC2 && !tg.shutdown {
		// The app exited on its own; the instance stays until the ASG
		// terminates it.
		return
	}
	r.eng.Cancel(tg.kill)
	tg.kill = 0
	r.terminated(t)
}

// kill ends target t's process or instance at once (SIGKILL, power-off):
// what it still has open is dropped, cause killed.
func (r *runner) kill(t int32) {
	tg := &r.targets[t]
	tg.kill = 0
	r.closeAll(t, CauseKilled, false)
	tg.alive = false
	r.stopAccepting(t)
	r.terminated(t)
}

// terminated records the end of target t's instance (EC2) or task (ECS,
// EKS): billing stops.
func (r *runner) terminated(t int32) {
	tg := &r.targets[t]
	if tg.gone {
		return
	}
	tg.gone = true
	tg.state = StateTerminated
	rec := &r.res.Removed[tg.removed]
	rec.Terminated = r.eng.Now()
	if rec.BillingEnded < 0 {
		rec.BillingEnded = rec.Terminated // ECS task, EKS pod
	}
	r.idleCheck(t) // killing it emptied it: draining may complete now
	r.doneCheck(t)
}

// doneCheck counts target t as finished once its instance or task is gone,
// its deregistration is complete and the data plane no longer routes to
// it.
func (r *runner) doneCheck(t int32) {
	tg := &r.targets[t]
	if !tg.gone || !tg.drained || tg.routed || tg.counted {
		return
	}
	tg.counted = true
	i := r.res.Removed[tg.removed].ScaleIn
	r.left[i]--
	if r.left[i] == 0 {
		r.finishScaleIn(i)
	}
}

func (r *runner) finishScaleIn(i int) {
	// Finished is its last termination; the run also waited for the
	// data plane to stop routing to its targets.
	fin := r.eng.Now()
	if r.res.ScaleIns[i].Targets > 0 {
		fin = 0
		for _, rt := range r.res.Removed {
			if rt.ScaleIn == i {
				fin = max(fin, rt.Terminated)
			}
		}
	}
	r.res.ScaleIns[i].Finished = fin
	r.pending--
	r.maybeDone()
}

// maybeDone ends a run without a horizon once every scale-in has finished
// and the clients have played out their retries and reconnects.
func (r *runner) maybeDone() {
	if r.pending == 0 && r.client == 0 {
		r.done = true
	}
}

// backoffEvent schedules a retry or reconnect of class c after wait w.
func (r *runner) backoffEvent(c int, w time.Duration, arg uint64) {
	// Only what the scale-ins cause is awaited: a backoff scheduled once
	// they have all finished (say, clients failing against a fleet that
	// was removed entirely) would keep a run without a horizon going
	// forever. The retry of a connect timeout that was awaited is awaited
	// too: the timeout only delayed the failure the scale-in caused.
	if r.pending > 0 || r.await {
		arg |= argAwaited
		r.client++
	}
	r.eng.After(w, sim.Event{Kind: evRetry, Obj: r.clientObj(c), Arg: arg})
}
