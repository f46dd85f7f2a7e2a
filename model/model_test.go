package model

// Behavioural tests of the model: what each load balancer does with the
// requests in flight, how targets are picked and routed to, determinism,
// the horizon, and Validate. Every run goes through mustRun, which checks
// the accounting identity and the consistency of the timeline
// independently of Run's own check.

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testFixed is a constant duration.
func testFixed(d time.Duration) Distribution {
	return Distribution{Distribution: Constant, Value: d}
}

// testScenario is a valid ALB scenario with round robin: targets in the
// fleet, one request class of rate per second with durations d, and one
// scale-in that removes remove targets (oldest first) at at.
func testScenario(targets int, rate float64, d Distribution, at time.Duration, remove int) Config {
	cfg := Default()
	// No propagation or unhealthy lag: these tests check other mechanisms
	// (docs/validation.md says how the oracles are kept neutral).
	cfg.LoadBalancer.PropagationDelay = ConstantLag(0)
	cfg.LoadBalancer.UnhealthyLag = ConstantLag(0)
	cfg.Fleet.Targets = targets
	cfg.Traffic = []Traffic{{Rate: rate, Duration: d}}
	cfg.ScaleIn = []ScaleIn{{At: at, Targets: remove}}
	return cfg
}

// mustRun runs replication rep of cfg and checks the result.
func mustRun(t *testing.T, cfg Config, rep int) *Result {
	t.Helper()
	res, err := Run(&cfg, rep)
	require.NoError(t, err)
	require.NotNil(t, res)
	assertResult(t, &cfg, res)
	return res
}

// assertResult checks what must hold for every result: the accounting
// identity (arrivals = completed + dropped + in flight) in total and per
// class, the drops by cause, and a consistent timeline for each removed
// target and scale-in.
func assertResult(t *testing.T, cfg *Config, res *Result) {
	t.Helper()
	assert.Equal(t, res.Arrivals, res.Completed+res.Dropped+res.InFlight,
		"arrivals = completed + dropped + in flight")
	assert.Equal(t, res.Dropped, res.DroppedByCause.Total(), "dropped = sum of drops by cause")
	require.Len(t, res.Classes, len(cfg.Traffic))
	var arr, done, drop, live int64
	var byCause ByCause
	for i, c := range res.Classes {
		assert.Equal(t, c.Arrivals, c.Completed+c.Dropped+c.InFlight, "class %d identity", i)
		assert.Equal(t, c.Dropped, c.DroppedByCause.Total(), "class %d drops by cause", i)
		arr, done, drop, live = arr+c.Arrivals, done+c.Completed, drop+c.Dropped, live+c.InFlight
		for k := range byCause {
			byCause[k] += c.DroppedByCause[k]
		}
	}
	assert.Equal(t, []int64{res.Arrivals, res.Completed, res.Dropped, res.InFlight}, []int64{arr, done, drop, live},
		"totals are the sums over classes")
	assert.Equal(t, res.DroppedByCause, byCause, "drops by cause are the sums over classes")
	for _, v := range res.DroppedByCause {
		assert.GreaterOrEqual(t, v, int64(0))
	}

	// Timeline.
	if cfg.Horizon > 0 {
		assert.Equal(t, cfg.Horizon, res.End, "a run with a horizon ends at it")
	}
	require.Len(t, res.ScaleIns, len(cfg.ScaleIn))
	want := 0
	for _, s := range cfg.ScaleIn {
		want += s.Targets
	}
	require.Len(t, res.Removed, want, "every picked target is recorded")
	delay := cfg.TargetGroup.DeregistrationDelay
	finished := make([]time.Duration, len(cfg.ScaleIn))
	cost := 0.0
	early := false
	for i, rt := range res.Removed {
		s := cfg.ScaleIn[rt.ScaleIn]
		assert.Equal(t, s.At, rt.Decided, "removed[%d] decided at its scale-in", i)
		terminate := s.Kind == KindTerminate // never deregistered; drained when found unhealthy
		// Both misconfigurations terminate an instance the load balancer
		// still routes to: it finishes draining after its termination.
		early = early || terminate || (cfg.Platform.LifecycleHook != nil && cfg.Platform.LifecycleHook.CompleteEarly)
		if terminate {
			assert.Equal(t, time.Duration(-1), rt.Deregistered, "removed[%d] never deregistered", i)
		} else {
			assert.GreaterOrEqual(t, rt.Deregistered, rt.Decided, "removed[%d]", i)
		}
		assert.GreaterOrEqual(t, rt.InFlightAtDeregistration, int64(0))
		if rt.Drained >= 0 {
			assert.GreaterOrEqual(t, rt.Drained, rt.Deregistered, "removed[%d] drained after deregistration", i)
			assert.LessOrEqual(t, rt.DrainTime(), delay, "removed[%d] drains within the delay", i)
			assert.LessOrEqual(t, rt.Drained, res.End)
		} else {
			assert.Equal(t, time.Duration(-1), rt.Terminated, "removed[%d] terminated before draining", i)
			assert.Equal(t, time.Duration(-1), rt.DrainTime())
		}
		if rt.Terminated >= 0 {
			if !early {
				assert.GreaterOrEqual(t, rt.Terminated, rt.Drained, "removed[%d]", i)
			}
			assert.LessOrEqual(t, rt.Terminated, res.End)
			if finished[rt.ScaleIn] >= 0 {
				finished[rt.ScaleIn] = max(finished[rt.ScaleIn], rt.Terminated)
			}
		} else {
			finished[rt.ScaleIn] = -1
		}
		cost += rt.CostUSD
	}
	for i, si := range res.ScaleIns {
		assert.Equal(t, cfg.ScaleIn[i].At, si.At)
		assert.Equal(t, cfg.ScaleIn[i].Targets, si.Targets)
		assert.Equal(t, finished[i], si.Finished, "scale_in[%d] finishes when its last target is terminated", i)
	}
	assert.InDelta(t, cost, res.CostUSD, 1e-9, "cost is the sum over removed targets")
	if cfg.Horizon == 0 {
		last := time.Duration(-1)
		for _, si := range res.ScaleIns {
			last = max(last, si.Finished)
		}
		if early {
			// The run also waits for the data plane to stop routing to
			// the terminated targets.
			assert.GreaterOrEqual(t, res.End, last)
		} else {
			assert.Equal(t, last, res.End, "without a horizon the run ends when the last scale-in finishes")
		}
	}
}

// TestDrainingAtExpiry: every request lasts 100 s, so what a target has in
// flight when it is deregistered is still there when the 5 s delay
// expires. ALB, CLB with draining and NLB with connection termination
// close it then (delay_expired); NLB without connection termination
// leaves the flows open and they die with the instance (killed).
func TestDrainingAtExpiry(t *testing.T) {
	t.Parallel()
	cases := []struct {
		lb        LBType
		term      bool
		wantCause Cause
	}{
		{ALB, false, CauseDelayExpired},
		{CLB, false, CauseDelayExpired},
		{NLB, true, CauseDelayExpired},
		{NLB, false, CauseKilled},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/connection_termination=%v", c.lb, c.term), func(t *testing.T) {
			t.Parallel()
			at, delay := 30*time.Second, 5*time.Second
			cfg := testScenario(2, 4, testFixed(100*time.Second), at, 1)
			cfg.LoadBalancer.Type = c.lb
			cfg.TargetGroup.ConnectionTermination = c.term
			cfg.TargetGroup.DeregistrationDelay = delay
			res := mustRun(t, cfg, 0)

			require.Len(t, res.Removed, 1)
			rt := res.Removed[0]
			assert.Equal(t, 0, rt.Target, "oldest picked")
			require.Positive(t, rt.InFlightAtDeregistration)
			assert.Equal(t, rt.InFlightAtDeregistration, res.DroppedByCause[c.wantCause],
				"everything in flight at deregistration is dropped as %v", c.wantCause)
			assert.Equal(t, rt.InFlightAtDeregistration, res.Dropped, "and nothing else is dropped")
			assert.Zero(t, res.Completed, "no 100 s request completes in 35 s")
			assert.Equal(t, at, rt.Deregistered)
			assert.Equal(t, at+delay, rt.Drained, "draining ends when the delay expires")
			assert.Equal(t, delay, rt.DrainTime())
			assert.Equal(t, at+delay, rt.Terminated, "terminated as soon as draining ends")
			assert.Equal(t, at+delay, res.ScaleIns[0].Finished)
			assert.Equal(t, delay, res.ScaleIns[0].Duration())
			assert.Equal(t, at+delay, res.End)
			assert.Equal(t, res.Arrivals-rt.InFlightAtDeregistration, res.InFlight,
				"the other target keeps its requests")
		})
	}
}

// TestDrainingCompletesBeforeExpiry: requests of 3 s all finish within a
// 5 s delay, so nothing is dropped, on any load balancer; the last of them
// ends within 3 s. An NLB's draining ends with it; an ALB's or CLB's idle
// keep-alive connections (open 60 s after their last use) hold the target
// in draining until the delay expires [ALB-TG, CLB-CD].
func TestDrainingCompletesBeforeExpiry(t *testing.T) {
	t.Parallel()
	for _, lb := range []LBType{ALB, NLB, CLB} {
		at, delay := 30*time.Second, 5*time.Second
		cfg := testScenario(2, 4, testFixed(3*time.Second), at, 1)
		cfg.LoadBalancer.Type = lb
		cfg.TargetGroup.DeregistrationDelay = delay
		res := mustRun(t, cfg, 0)
		rt := res.Removed[0]
		require.Positive(t, rt.InFlightAtDeregistration, lb)
		assert.Zero(t, res.Dropped, lb)
		empty := rt.Emptied - rt.Deregistered
		assert.Positive(t, empty, lb)
		assert.LessOrEqual(t, empty, 3*time.Second, "%s: the last request ends within its 3 s", lb)
		if lb == NLB {
			assert.Equal(t, rt.Emptied, rt.Drained, "an NLB has no connections of its own")
		} else {
			assert.Equal(t, delay, rt.DrainTime(), "%s: idle connections hold draining to the delay", lb)
		}
		assert.Equal(t, rt.Drained, rt.Terminated, lb)
	}
}

// TestIdleTargetHeldByItsConnections: a target with nothing in flight when
// it is deregistered, with no propagation lag, still has the idle
// keep-alive connection its last request left: draining ends when that
// closes, 60 s after the request ended, not at once [ALB-TG].
func TestIdleTargetHeldByItsConnections(t *testing.T) {
	t.Parallel()
	cfg := testScenario(2, 0.2, testFixed(100*time.Millisecond), 2*time.Minute, 1)
	cfg.TargetGroup.DeregistrationDelay = 300 * time.Second
	held := 0
	for rep := range 20 {
		res := mustRun(t, cfg, rep)
		rt := res.Removed[0]
		if rt.InFlightAtDeregistration > 0 {
			continue
		}
		assert.Equal(t, rt.Deregistered, rt.Emptied, "nothing in flight: emptied at once")
		assert.LessOrEqual(t, rt.DrainTime(), 60*time.Second, "at most the idle timeout after the last request")
		if rt.DrainTime() > 0 {
			held++
		}
	}
	// A target gets 0.1 requests/s: it saw none in the last minute in
	// e^-6 = 0.25 % of runs, so nearly every run is held.
	assert.GreaterOrEqual(t, held, 18)
}

// TestIdleConnectionsHoldDraining: deregistration completes only when the
// target has no request in flight and no open connection [ALB-TG]. The
// load balancer's idle connection closes min(app keep-alive, idle
// timeout) after the last request ends, so with a 300 s delay an ALB or
// CLB target drains for its last request's end plus that; a graceful app
// that gets SIGTERM closes its idle connections at once.
func TestIdleConnectionsHoldDraining(t *testing.T) {
	t.Parallel()
	at, delay := 30*time.Second, 300*time.Second
	base := func(lb LBType) Config {
		cfg := testScenario(2, 4, testFixed(3*time.Second), at, 1)
		cfg.LoadBalancer.Type = lb
		cfg.TargetGroup.DeregistrationDelay = delay
		return cfg
	}
	cases := []struct {
		name  string
		cfg   func() Config
		hold  time.Duration // Drained − Emptied
		extra func(t *testing.T, rt RemovedTarget)
	}{
		{"alb idle timeout 60s", func() Config { return base(ALB) }, 60 * time.Second, nil},
		{"clb idle timeout 60s", func() Config { return base(CLB) }, 60 * time.Second, nil},
		{"alb idle timeout 20s", func() Config {
			c := base(ALB)
			c.LoadBalancer.IdleTimeout = 20 * time.Second
			return c
		}, 20 * time.Second, nil},
		{"app keep-alive 10s below the idle timeout", func() Config {
			c := base(ALB)
			c.App.KeepaliveTimeout = 10 * time.Second
			return c
		}, 10 * time.Second, nil},
		{"nlb has no pool", func() Config { return base(NLB) }, 0, nil},
		{"eks: SIGTERM at 15s closes idle connections", func() Config {
			c := base(ALB)
			c.Platform.Type = EKS
			c.Platform.PreStopSleep = 15 * time.Second
			c.Platform.TerminationGracePeriod = 60 * time.Second
			return c
		}, -1, func(t *testing.T, rt RemovedTarget) {
			assert.Equal(t, rt.Decided+15*time.Second, rt.Drained, "drained at SIGTERM")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res := mustRun(t, c.cfg(), 0)
			rt := res.Removed[0]
			require.Positive(t, rt.InFlightAtDeregistration)
			assert.Zero(t, res.Dropped)
			require.GreaterOrEqual(t, rt.Emptied, rt.Deregistered)
			assert.LessOrEqual(t, rt.Emptied-rt.Deregistered, 3*time.Second, "the last request ends within its 3 s")
			if c.hold >= 0 {
				assert.Equal(t, c.hold, rt.IdleHold(), "held by the last idle connection")
			}
			if c.extra != nil {
				c.extra(t, rt)
			}
		})
	}
}

// TestCLBWithoutConnectionDraining: a CLB without connection draining does
// not complete in-flight requests: they are dropped at deregistration,
// whatever the timeout, and the instance goes at once. The same scenario
// with draining drops none of these 3 s requests.
func TestCLBWithoutConnectionDraining(t *testing.T) {
	t.Parallel()
	at := 30 * time.Second
	cfg := testScenario(2, 4, testFixed(3*time.Second), at, 1)
	cfg.LoadBalancer.Type = CLB
	cfg.TargetGroup.ConnectionDraining = false
	for _, delay := range []time.Duration{0, 300 * time.Second} {
		cfg.TargetGroup.DeregistrationDelay = delay
		res := mustRun(t, cfg, 0)
		rt := res.Removed[0]
		require.Positive(t, rt.InFlightAtDeregistration)
		assert.Equal(t, rt.InFlightAtDeregistration, res.DroppedByCause[CauseDelayExpired])
		assert.Equal(t, rt.InFlightAtDeregistration, res.Dropped)
		assert.Equal(t, at, rt.Drained)
		assert.Zero(t, rt.DrainTime())
		assert.Equal(t, at, rt.Terminated)
		assert.Equal(t, at, res.End)
	}

	cfg.TargetGroup.ConnectionDraining = true
	cfg.TargetGroup.DeregistrationDelay = 5 * time.Second
	res := mustRun(t, cfg, 0)
	assert.Positive(t, res.Removed[0].InFlightAtDeregistration)
	assert.Zero(t, res.Dropped, "with draining, 3 s requests finish within 5 s")
}

// TestZeroDelay: an ALB with a 0 s delay closes what is in flight at
// deregistration at once.
func TestZeroDelay(t *testing.T) {
	t.Parallel()
	at := 30 * time.Second
	cfg := testScenario(2, 4, testFixed(3*time.Second), at, 1)
	cfg.TargetGroup.DeregistrationDelay = 0
	res := mustRun(t, cfg, 0)
	rt := res.Removed[0]
	require.Positive(t, rt.InFlightAtDeregistration)
	assert.Equal(t, rt.InFlightAtDeregistration, res.DroppedByCause[CauseDelayExpired])
	assert.Zero(t, rt.DrainTime())
	assert.Equal(t, at, rt.Terminated)
}

// TestIdleTargetDrainsAtOnce: a target with nothing in flight completes
// deregistration at once, however long the delay, and is terminated then.
func TestIdleTargetDrainsAtOnce(t *testing.T) {
	t.Parallel()
	at := 10 * time.Second
	// One arrival every 100 s on average, each lasting 10 ms: the target
	// is almost surely idle at 10 s; the test checks that it is.
	cfg := testScenario(2, 0.01, testFixed(10*time.Millisecond), at, 1)
	cfg.TargetGroup.DeregistrationDelay = MaxDeregistrationDelay
	cfg.Fleet.PricePerHour = 3.6
	res := mustRun(t, cfg, 0)
	rt := res.Removed[0]
	require.Zero(t, rt.InFlightAtDeregistration, "precondition: idle target")
	assert.Equal(t, at, rt.Deregistered)
	assert.Equal(t, at, rt.Drained)
	assert.Zero(t, rt.DrainTime())
	assert.Equal(t, at, rt.Terminated)
	assert.Zero(t, res.ScaleIns[0].Duration())
	assert.Equal(t, at, res.End)
	assert.Zero(t, res.Dropped)
	assert.Zero(t, res.CostUSD, "terminated at the decision: nothing billed")
}

// TestNoTarget: once every target is deregistered, every arrival is
// dropped with cause no_target. Arrivals come from their own stream, so a
// run stopped just after the scale-in sees exactly the arrivals before it.
func TestNoTarget(t *testing.T) {
	t.Parallel()
	at := 10 * time.Second
	cfg := testScenario(2, 20, testFixed(500*time.Millisecond), at, 2)
	cfg.TargetGroup.DeregistrationDelay = time.Second
	cfg.Horizon = 30 * time.Second
	full := mustRun(t, cfg, 0)
	cfg.Horizon = at + 1
	before := mustRun(t, cfg, 0)

	require.Zero(t, before.DroppedByCause[CauseNoTarget])
	after := full.Arrivals - before.Arrivals
	assert.Positive(t, after)
	assert.Equal(t, after, full.DroppedByCause[CauseNoTarget], "every arrival after the scale-in is a no_target drop")
	assert.Zero(t, full.InFlight)
	// Between the two runs nothing else changes: what was in flight was
	// completed or dropped at expiry.
	assert.Equal(t, before.Arrivals, full.Completed+full.DroppedByCause[CauseDelayExpired])

	// A one-target fleet: arrivals during its draining find no target.
	one := testScenario(1, 20, testFixed(5*time.Second), at, 1)
	one.TargetGroup.DeregistrationDelay = 2 * time.Second
	res := mustRun(t, one, 0)
	assert.Positive(t, res.DroppedByCause[CauseNoTarget])
	assert.Positive(t, res.DroppedByCause[CauseDelayExpired])
}

// TestPick: oldest picks the lowest launch indices, newest the highest
// (newest first), random any distinct in-service targets; a later scale-in
// picks among the targets still in service.
func TestPick(t *testing.T) {
	t.Parallel()
	targets := func(res *Result) []int {
		var out []int
		for _, rt := range res.Removed {
			out = append(out, rt.Target)
		}
		return out
	}
	base := testScenario(5, 5, testFixed(100*time.Millisecond), 10*time.Second, 2)
	base.TargetGroup.DeregistrationDelay = time.Second
	base.ScaleIn = append(base.ScaleIn, ScaleIn{At: 20 * time.Second, Targets: 1})

	for _, c := range []struct {
		pick Pick
		want []int
	}{
		{"", []int{0, 1, 2}},
		{PickOldest, []int{0, 1, 2}},
		{PickNewest, []int{4, 3, 2}},
	} {
		cfg := base
		cfg.ScaleIn = slices.Clone(base.ScaleIn)
		cfg.ScaleIn[0].Pick, cfg.ScaleIn[1].Pick = c.pick, c.pick
		res := mustRun(t, cfg, 0)
		assert.Equal(t, c.want, targets(res), "pick %q", c.pick)
		assert.Equal(t, []int{0, 0, 1}, []int{res.Removed[0].ScaleIn, res.Removed[1].ScaleIn, res.Removed[2].ScaleIn})
	}

	// Oldest then newest.
	cfg := base
	cfg.ScaleIn = slices.Clone(base.ScaleIn)
	cfg.ScaleIn[1].Pick = PickNewest
	assert.Equal(t, []int{0, 1, 4}, targets(mustRun(t, cfg, 0)))

	// Random: distinct targets; over 50 replications every target is
	// picked (a given one escapes the first scale-in 50 times with
	// probability (3/5)^50 ≈ 1e-11) and the orders vary.
	cfg.ScaleIn[0].Pick, cfg.ScaleIn[1].Pick = PickRandom, PickRandom
	seen := map[int]int{}
	orders := map[string]bool{}
	for rep := range 50 {
		got := targets(mustRun(t, cfg, rep))
		require.Len(t, got, 3)
		sorted := slices.Clone(got)
		slices.Sort(sorted)
		require.Len(t, slices.Compact(sorted), 3, "rep %d: distinct targets %v", rep, got)
		for _, v := range got {
			require.True(t, v >= 0 && v < 5, "rep %d: target %d", rep, v)
			seen[v]++
		}
		orders[fmt.Sprint(got)] = true
	}
	assert.Len(t, seen, 5, "every target picked at some point: %v", seen)
	assert.Greater(t, len(orders), 10, "random picks vary across replications")
}

// TestLeastOutstandingRequestsBalances: two targets, lognormal durations
// (median 2 s, p99 20 s) at 50 req/s, both deregistered at 60 s. Least
// outstanding requests sends each arrival to the less loaded target, so
// their in-flight counts stay within a few requests of each other. With
// random routing each holds an independent Poisson(λ·E[S] ≈ 82) count, so
// they differ by sqrt(2·82) ≈ 13 in standard deviation (10 in mean
// absolute value); round robin does little better.
func TestLeastOutstandingRequestsBalances(t *testing.T) {
	t.Parallel()
	cfg := testScenario(2, 50, Distribution{Distribution: LogNormal, Median: 2 * time.Second, P99: 20 * time.Second}, 60*time.Second, 2)
	cfg.TargetGroup.DeregistrationDelay = 0
	spread := func(alg Algorithm) (mean float64, worst int64) {
		cfg.LoadBalancer.Algorithm = alg
		const R = 30
		for rep := range R {
			res := mustRun(t, cfg, rep)
			d := res.Removed[0].InFlightAtDeregistration - res.Removed[1].InFlightAtDeregistration
			d = max(d, -d)
			mean += float64(d) / R
			worst = max(worst, d)
		}
		return mean, worst
	}
	lorMean, lorWorst := spread(LeastOutstandingRequests)
	rndMean, _ := spread(Random)
	rrMean, _ := spread(RoundRobin)
	t.Logf("mean |n0 − n1| at deregistration: least_outstanding_requests %.2f (worst %d), random %.2f, round_robin %.2f",
		lorMean, lorWorst, rndMean, rrMean)
	assert.LessOrEqual(t, lorWorst, int64(6), "least outstanding requests keeps the targets level")
	assert.Greater(t, rndMean, 4*lorMean)
	assert.Greater(t, rrMean, 4*lorMean)
}

// TestLeastOutstandingRequestsTies: with requests that outlast the run,
// least outstanding requests fills three targets level: each arrival goes
// to one with the fewest, so their counts never differ by more than one.
func TestLeastOutstandingRequestsTies(t *testing.T) {
	t.Parallel()
	cfg := testScenario(3, 3, testFixed(1000*time.Second), 100*time.Second, 3)
	cfg.LoadBalancer.Algorithm = LeastOutstandingRequests
	cfg.TargetGroup.DeregistrationDelay = 0
	cfg.Start = StartEmpty // the ties come from routing, not a drawn start
	res := mustRun(t, cfg, 0)
	var n []int64
	for _, rt := range res.Removed {
		n = append(n, rt.InFlightAtDeregistration)
	}
	require.Len(t, n, 3)
	assert.Equal(t, res.Arrivals-res.DroppedByCause[CauseNoTarget], n[0]+n[1]+n[2])
	assert.LessOrEqual(t, slices.Max(n)-slices.Min(n), int64(1), "in flight per target: %v", n)
}

// TestDeterminism: the same seed and replication give the same result,
// field for field; another replication or seed gives another one.
func TestDeterminism(t *testing.T) {
	t.Parallel()
	cfg := testScenario(6, 30, Distribution{Distribution: LogNormal, Median: time.Second, P99: 8 * time.Second}, 30*time.Second, 2)
	cfg.LoadBalancer.Algorithm = Random
	cfg.ScaleIn[0].Pick = PickRandom
	cfg.ScaleIn = append(cfg.ScaleIn, ScaleIn{At: 40 * time.Second, Targets: 2, Pick: PickRandom})
	cfg.Traffic = append(cfg.Traffic, Traffic{Name: "ws", Kind: KindConnection, Rate: 1,
		Duration: Distribution{Distribution: Exponential, Mean: 20 * time.Second}})
	cfg.TargetGroup.DeregistrationDelay = 10 * time.Second
	cfg.Fleet.PricePerHour = 0.1

	a := mustRun(t, cfg, 3)
	b := mustRun(t, cfg, 3)
	require.Equal(t, a, b, "same seed and replication")
	assert.Equal(t, 3, a.Replication)

	c := mustRun(t, cfg, 4)
	assert.NotEqual(t, a.Arrivals, c.Arrivals, "another replication")
	assert.Equal(t, 4, c.Replication)

	cfg.Seed++
	d := mustRun(t, cfg, 3)
	assert.NotEqual(t, a.Arrivals, d.Arrivals, "another seed")
}

// TestCommonRandomNumbers: the arrivals and durations of a replication do
// not depend on the delay, so the delays of a sweep see the same requests:
// the same count in flight at deregistration, and drops at expiry that can
// only fall as the delay grows.
func TestCommonRandomNumbers(t *testing.T) {
	t.Parallel()
	cfg := testScenario(1, 25, Distribution{Distribution: LogNormal, Median: 2 * time.Second, P99: 20 * time.Second}, 120*time.Second, 1)
	for rep := range 5 {
		var inflight []int64
		var dropped []int64
		for _, d := range []time.Duration{0, 5 * time.Second, 10 * time.Second, 26 * time.Second, 60 * time.Second, 300 * time.Second} {
			cfg.TargetGroup.DeregistrationDelay = d
			res := mustRun(t, cfg, rep)
			inflight = append(inflight, res.Removed[0].InFlightAtDeregistration)
			dropped = append(dropped, res.DroppedByCause[CauseDelayExpired])
		}
		for i := range inflight {
			assert.Equal(t, inflight[0], inflight[i], "rep %d: in flight at deregistration across delays", rep)
		}
		assert.Equal(t, inflight[0], dropped[0], "rep %d: a zero delay drops everything in flight", rep)
		assert.True(t, slices.IsSortedFunc(dropped, func(a, b int64) int { return int(b - a) }),
			"rep %d: drops fall as the delay grows: %v", rep, dropped)
	}
}

// TestHorizon: a horizon stops the run there, with draining unfinished if
// it falls inside; stages not reached are -1; a horizon after the
// scale-in lets traffic go on to it.
func TestHorizon(t *testing.T) {
	t.Parallel()
	at := 30 * time.Second
	cfg := testScenario(2, 10, testFixed(100*time.Second), at, 1)
	cfg.TargetGroup.DeregistrationDelay = 60 * time.Second
	cfg.Fleet.PricePerHour = 3.6 // 0.001 USD per second

	cfg.Horizon = 40 * time.Second
	res := mustRun(t, cfg, 0)
	rt := res.Removed[0]
	assert.Equal(t, 40*time.Second, res.End)
	assert.Equal(t, at, rt.Deregistered)
	assert.Equal(t, time.Duration(-1), rt.Drained)
	assert.Equal(t, time.Duration(-1), rt.DrainTime())
	assert.Equal(t, time.Duration(-1), rt.Terminated)
	assert.Equal(t, time.Duration(-1), res.ScaleIns[0].Finished)
	assert.Equal(t, time.Duration(-1), res.ScaleIns[0].Duration())
	assert.Zero(t, res.Dropped)
	assert.Zero(t, res.Completed)
	assert.Equal(t, res.Arrivals, res.InFlight)
	assert.InDelta(t, 0.010, res.CostUSD, 1e-12, "billed from the decision to the horizon")
	short := res

	cfg.Horizon = 0
	open := mustRun(t, cfg, 0)
	assert.Equal(t, at+60*time.Second, open.End, "without a horizon: until the termination")

	cfg.Horizon = 200 * time.Second
	long := mustRun(t, cfg, 0)
	assert.Equal(t, 200*time.Second, long.End)
	assert.Equal(t, at+60*time.Second, long.ScaleIns[0].Finished)
	assert.InDelta(t, 0.060, long.CostUSD, 1e-12, "billed until the termination")
	assert.Less(t, short.Arrivals, open.Arrivals)
	assert.Less(t, open.Arrivals, long.Arrivals)
	assert.Positive(t, long.Completed, "requests on the remaining target complete after 100 s")
	// Poisson arrivals: 10/s over 200 s is 2000 ± 45.
	assert.InDelta(t, 2000, float64(long.Arrivals), 5*math.Sqrt(2000))
}

// TestCost: removed instances are billed per second from the decision to
// termination.
func TestCost(t *testing.T) {
	t.Parallel()
	cfg := testScenario(3, 4, testFixed(100*time.Second), 30*time.Second, 2)
	cfg.TargetGroup.DeregistrationDelay = 5 * time.Second
	cfg.Fleet.PricePerHour = 3.6
	res := mustRun(t, cfg, 0)
	for _, rt := range res.Removed {
		assert.InDelta(t, 0.005, rt.CostUSD, 1e-12)
	}
	assert.InDelta(t, 0.010, res.CostUSD, 1e-12)

	cfg.Fleet.PricePerHour = 0
	assert.Zero(t, mustRun(t, cfg, 0).CostUSD)
}

// TestClasses: per-class counts, default names and kinds; long-lived
// connections are cut at expiry while short requests finish.
func TestClasses(t *testing.T) {
	t.Parallel()
	cfg := testScenario(2, 5, testFixed(time.Second), 60*time.Second, 1)
	cfg.Traffic[0].Name = "api"
	cfg.Traffic = append(cfg.Traffic, Traffic{Kind: KindConnection, Rate: 0.5, Duration: testFixed(1000 * time.Second)})
	cfg.TargetGroup.DeregistrationDelay = 10 * time.Second
	res := mustRun(t, cfg, 0)
	require.Len(t, res.Classes, 2)
	assert.Equal(t, "api", res.Classes[0].Name)
	assert.Equal(t, KindRequest, res.Classes[0].Kind)
	assert.Equal(t, "traffic[1]", res.Classes[1].Name)
	assert.Equal(t, KindConnection, res.Classes[1].Kind)
	assert.Zero(t, res.Classes[0].Dropped, "1 s requests finish within the 10 s delay")
	assert.Positive(t, res.Classes[1].DroppedByCause[CauseDelayExpired], "connections are cut at expiry")
}

// errorPaths returns the Path of each *FieldError joined in err, in order.
func errorPaths(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	joined, ok := err.(interface{ Unwrap() []error })
	require.True(t, ok, "Validate joins its errors: %v", err)
	var out []string
	for _, e := range joined.Unwrap() {
		var fe *FieldError
		require.True(t, errors.As(e, &fe), "%T is not a *FieldError: %v", e, e)
		assert.True(t, strings.HasPrefix(fe.Error(), fe.Path+": "), "message %q starts with its path", fe.Error())
		out = append(out, fe.Path)
	}
	return out
}

// TestValidate: each out-of-range value is reported at its key path, and
// valid edge values pass.
func TestValidate(t *testing.T) {
	t.Parallel()
	valid := func() Config {
		return testScenario(2, 1, Distribution{Distribution: Exponential, Mean: time.Second}, 10*time.Second, 1)
	}
	dist := func(d Distribution) func(*Config) { return func(c *Config) { c.Traffic[0].Duration = d } }
	cases := []struct {
		name  string
		edit  func(*Config)
		paths []string // nil: valid
	}{
		{"default scenario", func(*Config) {}, nil},
		{"delay 3600s", func(c *Config) { c.TargetGroup.DeregistrationDelay = 3600 * time.Second }, nil},
		{"delay 0 on alb", func(c *Config) { c.TargetGroup.DeregistrationDelay = 0 }, nil},
		{"delay 3601s", func(c *Config) { c.TargetGroup.DeregistrationDelay = 3601 * time.Second },
			[]string{"target_group.deregistration_delay"}},
		{"delay negative", func(c *Config) { c.TargetGroup.DeregistrationDelay = -time.Second },
			[]string{"target_group.deregistration_delay"}},
		{"delay not whole seconds", func(c *Config) { c.TargetGroup.DeregistrationDelay = 1500 * time.Millisecond },
			[]string{"target_group.deregistration_delay"}},
		{"clb delay 0 with draining", func(c *Config) {
			c.LoadBalancer.Type = CLB
			c.TargetGroup.DeregistrationDelay = 0
		}, []string{"target_group.deregistration_delay"}},
		{"clb delay 1s with draining", func(c *Config) {
			c.LoadBalancer.Type = CLB
			c.TargetGroup.DeregistrationDelay = time.Second
		}, nil},
		{"clb delay 0 without draining", func(c *Config) {
			c.LoadBalancer.Type = CLB
			c.TargetGroup.ConnectionDraining = false
			c.TargetGroup.DeregistrationDelay = 0
		}, nil},
		{"clb delay 3601s without draining", func(c *Config) {
			c.LoadBalancer.Type = CLB
			c.TargetGroup.ConnectionDraining = false
			c.TargetGroup.DeregistrationDelay = 3601 * time.Second
		}, []string{"target_group.deregistration_delay"}},
		{"least_outstanding_requests on nlb", func(c *Config) {
			c.LoadBalancer.Type = NLB
			c.LoadBalancer.Algorithm = LeastOutstandingRequests
		}, []string{"load_balancer.algorithm"}},
		{"least_outstanding_requests on clb", func(c *Config) {
			c.LoadBalancer.Type = CLB
			c.LoadBalancer.Algorithm = LeastOutstandingRequests
		}, nil},
		{"unknown algorithm", func(c *Config) { c.LoadBalancer.Algorithm = "weighted_random" },
			[]string{"load_balancer.algorithm"}},
		{"unknown type", func(c *Config) { c.LoadBalancer.Type = "gwlb" }, []string{"load_balancer.type"}},
		{"connection_termination on alb", func(c *Config) { c.TargetGroup.ConnectionTermination = true },
			[]string{"target_group.connection_termination"}},
		{"connection_termination on clb", func(c *Config) {
			c.LoadBalancer.Type = CLB
			c.TargetGroup.ConnectionTermination = true
		}, []string{"target_group.connection_termination"}},
		{"connection_termination on nlb", func(c *Config) {
			c.LoadBalancer.Type = NLB
			c.TargetGroup.ConnectionTermination = true
		}, nil},
		{"connection_draining off on alb", func(c *Config) { c.TargetGroup.ConnectionDraining = false },
			[]string{"target_group.connection_draining"}},
		{"no targets", func(c *Config) { c.Fleet.Targets = 0 }, []string{"fleet.targets"}},
		{"too many targets", func(c *Config) { c.Fleet.Targets = 100001 }, []string{"fleet.targets"}},
		{"negative price", func(c *Config) { c.Fleet.PricePerHour = -1 }, []string{"fleet.price_per_hour"}},
		{"NaN price", func(c *Config) { c.Fleet.PricePerHour = math.NaN() }, []string{"fleet.price_per_hour"}},
		{"replications 0", func(c *Config) { c.Replications = 0 }, []string{"replications"}},
		{"replications 100001", func(c *Config) { c.Replications = 100001 }, []string{"replications"}},
		{"negative horizon", func(c *Config) { c.Horizon = -1 }, []string{"horizon"}},
		{"horizon at the scale-in", func(c *Config) { c.Horizon = 10 * time.Second }, []string{"horizon"}},
		{"no traffic", func(c *Config) { c.Traffic = nil }, []string{"traffic"}},
		{"rate 0", func(c *Config) { c.Traffic[0].Rate = 0 }, []string{"traffic[0].rate"}},
		{"rate NaN", func(c *Config) { c.Traffic[0].Rate = math.NaN() }, []string{"traffic[0].rate"}},
		{"rate +Inf", func(c *Config) { c.Traffic[0].Rate = math.Inf(1) }, []string{"traffic[0].rate"}},
		{"rate above 1e7", func(c *Config) { c.Traffic[0].Rate = 1e7 + 1 }, []string{"traffic[0].rate"}},
		{"second class", func(c *Config) {
			c.Traffic = append(c.Traffic, Traffic{Rate: -1, Duration: testFixed(time.Second)})
		}, []string{"traffic[1].rate"}},
		{"unknown kind", func(c *Config) { c.Traffic[0].Kind = "stream" }, []string{"traffic[0].kind"}},
		{"no distribution", dist(Distribution{}), []string{"traffic[0].duration.distribution"}},
		{"unknown distribution", dist(Distribution{Distribution: "normal", Mean: time.Second}),
			[]string{"traffic[0].duration.distribution"}},
		{"exponential mean 0", dist(Distribution{Distribution: Exponential}), []string{"traffic[0].duration.mean"}},
		{"exponential with a median", dist(Distribution{Distribution: Exponential, Mean: time.Second, Median: time.Second}),
			[]string{"traffic[0].duration.median"}},
		{"lognormal p99 = median", dist(Distribution{Distribution: LogNormal, Median: 2 * time.Second, P99: 2 * time.Second}),
			[]string{"traffic[0].duration.p99"}},
		{"lognormal p99 only", dist(Distribution{Distribution: LogNormal, P99: 2 * time.Second}),
			[]string{"traffic[0].duration.median"}},
		{"lognormal mu/sigma", dist(Distribution{Distribution: LogNormal, Mu: 1, Sigma: 0.5}), nil},
		{"lognormal sigma 0", dist(Distribution{Distribution: LogNormal, Mu: 1}),
			[]string{"traffic[0].duration.sigma"}},
		{"lognormal sigma +Inf", dist(Distribution{Distribution: LogNormal, Sigma: math.Inf(1)}),
			[]string{"traffic[0].duration.sigma"}},
		{"lognormal mu 25", dist(Distribution{Distribution: LogNormal, Mu: 25, Sigma: 1}),
			[]string{"traffic[0].duration.mu"}},
		{"lognormal both forms", dist(Distribution{Distribution: LogNormal, Median: time.Second, P99: 2 * time.Second, Sigma: 1}),
			[]string{"traffic[0].duration", "traffic[0].duration.sigma"}},
		{"constant negative", dist(Distribution{Distribution: Constant, Value: -1}),
			[]string{"traffic[0].duration.value"}},
		{"constant 0", dist(Distribution{Distribution: Constant}), nil},
		{"uniform max = min", dist(Distribution{Distribution: Uniform, Min: time.Second, Max: time.Second}),
			[]string{"traffic[0].duration.max"}},
		{"uniform min negative", dist(Distribution{Distribution: Uniform, Min: -time.Second, Max: time.Second}),
			[]string{"traffic[0].duration.min"}},
		{"gamma shape NaN", dist(Distribution{Distribution: Gamma, Shape: math.NaN(), Scale: time.Second}),
			[]string{"traffic[0].duration.shape"}},
		{"weibull scale 0", dist(Distribution{Distribution: Weibull, Shape: 1}),
			[]string{"traffic[0].duration.scale"}},
		{"pareto shape +Inf", dist(Distribution{Distribution: Pareto, Shape: math.Inf(1), Scale: time.Second}),
			[]string{"traffic[0].duration.shape"}},
		{"pareto with a mean", dist(Distribution{Distribution: Pareto, Shape: 2, Scale: time.Second, Mean: time.Second}),
			[]string{"traffic[0].duration.mean"}},
		{"empirical without samples", dist(Distribution{Distribution: Empirical, File: "x.txt"}),
			[]string{"traffic[0].duration.file"}},
		{"empirical negative sample", dist(Distribution{Distribution: Empirical, Samples: []float64{1, -1}}),
			[]string{"traffic[0].duration.file"}},
		{"empirical samples", dist(Distribution{Distribution: Empirical, Samples: []float64{0, 1, 2}}), nil},
		{"no scale-in", func(c *Config) { c.ScaleIn = nil }, []string{"scale_in"}},
		{"scale-in at negative", func(c *Config) { c.ScaleIn[0].At = -1 }, []string{"scale_in[0].at"}},
		{"scale-in of 0 targets", func(c *Config) { c.ScaleIn[0].Targets = 0 }, []string{"scale_in[0].targets"}},
		{"unknown pick", func(c *Config) { c.ScaleIn[0].Pick = "cheapest" }, []string{"scale_in[0].pick"}},
		{"scale-ins out of order", func(c *Config) {
			c.ScaleIn = append(c.ScaleIn, ScaleIn{At: 5 * time.Second, Targets: 1})
		}, []string{"scale_in[1].at"}},
		{"scale-ins removing the whole fleet", func(c *Config) {
			c.ScaleIn = append(c.ScaleIn, ScaleIn{At: 20 * time.Second, Targets: 1})
		}, nil},
		{"scale-ins removing more than the fleet", func(c *Config) {
			c.ScaleIn = append(c.ScaleIn, ScaleIn{At: 20 * time.Second, Targets: 2})
		}, []string{"scale_in"}},
		{"one scale-in removing more than the fleet", func(c *Config) { c.ScaleIn[0].Targets = 3 },
			[]string{"scale_in"}},
		{"several errors in key order", func(c *Config) {
			c.LoadBalancer.Type = NLB
			c.LoadBalancer.Algorithm = LeastOutstandingRequests
			c.TargetGroup.DeregistrationDelay = 3601 * time.Second
			c.Traffic[0].Rate = 0
			c.ScaleIn[0].Targets = 5
		}, []string{"load_balancer.algorithm", "target_group.deregistration_delay", "traffic[0].rate", "scale_in"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := valid()
			c.edit(&cfg)
			err := cfg.Validate()
			assert.Equal(t, c.paths, errorPaths(t, err), "error: %v", err)
		})
	}

	// The zero Config lacks the keys that have no default.
	var zero Config
	assert.Subset(t, errorPaths(t, zero.Validate()), []string{"fleet.targets", "traffic", "scale_in"})
}

// TestRunRejectsInvalidConfig: Run validates first.
func TestRunRejectsInvalidConfig(t *testing.T) {
	t.Parallel()
	cfg := testScenario(2, 1, testFixed(time.Second), 10*time.Second, 1)
	cfg.TargetGroup.DeregistrationDelay = 3601 * time.Second
	res, err := Run(&cfg, 0)
	assert.Nil(t, res)
	var fe *FieldError
	require.True(t, errors.As(err, &fe), "error %v", err)
	assert.Equal(t, "target_group.deregistration_delay", fe.Path)
}

// TestDefault: the documented defaults.
func TestDefault(t *testing.T) {
	t.Parallel()
	d := Default()
	assert.Equal(t, uint64(1), d.Seed)
	assert.Equal(t, 1, d.Replications)
	assert.Equal(t, ALB, d.LoadBalancer.Type)
	assert.Equal(t, RoundRobin, d.LoadBalancer.Algorithm)
	assert.Equal(t, 300*time.Second, d.TargetGroup.DeregistrationDelay)
	assert.True(t, d.TargetGroup.ConnectionDraining)
	assert.False(t, d.TargetGroup.ConnectionTermination)
	assert.Zero(t, d.Horizon)
	assert.Equal(t, 3600*time.Second, MaxDeregistrationDelay)
	assert.Equal(t, 300*time.Second, DefaultDeregistrationDelay)
}

// TestNames: the String forms of states and causes, used in reports.
func TestNames(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []string{"initial", "healthy", "draining", "unused", "terminated", "TargetState(?)"},
		[]string{StateInitial.String(), StateHealthy.String(), StateDraining.String(), StateUnused.String(),
			StateTerminated.String(), TargetState(99).String()})
	assert.Equal(t, []string{"delay_expired", "killed", "no_target", "Cause(?)"},
		[]string{CauseDelayExpired.String(), CauseKilled.String(), CauseNoTarget.String(), Cause(200).String()})
	for c := range NumCauses {
		assert.NotEqual(t, "Cause(?)", c.String(), "cause %d has a name", c)
	}
	b := ByCause{1, 2, 3}
	assert.Equal(t, int64(6), b.Total())
}
