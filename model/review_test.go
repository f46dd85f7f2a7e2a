package model

// Review tests of the lifecycle model (propagation lag, platforms, app
// shutdown, health checks, keep-alive race, client retries and
// reconnects). Tests named TestBug… demonstrate a bug and fail until it is
// fixed; TestReview… pin behaviour that was checked and found right;
// TestReviewProperties runs random valid configurations through the model.
//
// None of these use mustRun: its timeline checks assume EC2 (termination
// after draining, a scale-in finishing at its last termination), which
// ECS and EKS legitimately break.

import (
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// rvScenario is an ALB scenario with one request class and one scale-in
// that removes the oldest remove targets at `at`.
func rvScenario(targets int, rate float64, d Distribution, at time.Duration, remove int) Config {
	cfg := Default()
	// No propagation or unhealthy lag: these tests check other mechanisms
	// (docs/validation.md says how the oracles are kept neutral).
	cfg.LoadBalancer.PropagationDelay = ConstantLag(0)
	cfg.LoadBalancer.UnhealthyLag = ConstantLag(0)
	cfg.Fleet.Targets = targets
	cfg.Traffic = []Traffic{{Rate: rate, Duration: d}}
	cfg.ScaleIn = []ScaleIn{{At: at, Targets: remove, Pick: PickOldest}}
	return cfg
}

// rvRun runs cfg (replication 0) and checks what must hold for every
// platform: Run's own accounting check, drops by cause, 5xx ≥ drops, and a
// sane per-target timeline.
func rvRun(t *testing.T, cfg Config) *Result {
	t.Helper()
	res, err := Run(&cfg, 0)
	require.NoError(t, err)
	rvInvariants(t, &cfg, res)
	return res
}

// tb is what rvInvariants needs from *testing.T and *rapid.T.
type tb interface {
	Helper()
	Errorf(format string, args ...any)
	FailNow()
}

// clientFailures counts the failed attempts a client sees, each once: the
// load balancer's 5xx, NLB resets, established connections cut (on an NLB
// already resets) and connect timeouts (on an ALB or CLB already 504s).
func clientFailures(nlb bool, elb5xx, resets, cuts, timeouts int64) int64 {
	if nlb {
		return resets + timeouts
	}
	return elb5xx + cuts
}

func rvInvariants(t tb, cfg *Config, res *Result) {
	t.Helper()
	assert.Equal(t, res.Arrivals, res.Completed+res.Dropped+res.InFlight, "arrivals = completed + dropped + in flight")
	assert.Equal(t, res.Dropped, res.DroppedByCause.Total())
	nlb := cfg.LoadBalancer.Type == NLB
	assert.GreaterOrEqual(t, clientFailures(nlb, res.ELB5xx, res.Resets, res.ConnectionCuts, res.ConnectTimeouts), res.Dropped,
		"every drop is seen by the client: a 5xx, a reset, a cut connection or a connect timeout")
	assert.Equal(t, res.ELB502+res.ELB503+res.ELB504, res.ELB5xx, "ELB5xx is HTTPCode_ELB_5XX_Count")
	if nlb {
		assert.Zero(t, res.ELB5xx, "an NLB answers no HTTP status")
	} else {
		assert.Zero(t, res.Resets, "only NLB clients see resets")
	}
	assert.LessOrEqual(t, res.Reconnects, res.Arrivals, "reconnects are arrivals")
	delay := cfg.TargetGroup.DeregistrationDelay
	for i, rt := range res.Removed {
		assert.Equal(t, rt.Decided, rt.Deregistered, "removed[%d] is deregistered at the decision", i)
		if rt.Drained >= 0 {
			assert.GreaterOrEqual(t, rt.Drained, rt.Deregistered, "removed[%d]", i)
			if cfg.Platform.TargetType != TargetInstance { // no delay applies to a pod behind a node target
				assert.LessOrEqual(t, rt.DrainTime(), delay, "removed[%d] drains within the delay", i)
			}
		}
		if rt.Terminated >= 0 {
			assert.GreaterOrEqual(t, rt.Terminated, rt.Decided, "removed[%d]", i)
			assert.LessOrEqual(t, rt.Terminated, res.End, "removed[%d]", i)
		}
	}
}

// rvStructure checks the runner's internal lists after a run: the routing
// sets hold exactly the routed (and healthy) targets in launch order, every
// in-flight slot points back at its target and position, and the client
// counters are consistent.
func rvStructure(t tb, r *runner) {
	t.Helper()
	var routed, healthy []int32
	for i := range r.targets {
		tg := &r.targets[i]
		if tg.routed {
			routed = append(routed, int32(i))
			if !tg.unhealthy {
				healthy = append(healthy, int32(i))
			}
		}
		if tg.removed < 0 {
			assert.True(t, tg.routed && tg.accepting && tg.alive && !tg.unhealthy, "target %d stays in service", i)
			assert.Equal(t, StateHealthy, tg.state)
		}
		if tg.gone {
			assert.Empty(t, tg.inflight, "target %d is gone but holds requests", i)
			assert.Equal(t, StateTerminated, tg.state)
		}
		for k, slot := range tg.inflight {
			q := r.reqs[slot]
			assert.Equal(t, int32(i), q.target())
			assert.Equal(t, int32(k), q.pos)
			_, pending := r.eng.When(q.ev)
			assert.True(t, pending, "in-flight slot %d has its completion pending", slot)
		}
	}
	assert.Equal(t, routed, nilIfEmpty(r.routed), "routed set")
	assert.Equal(t, healthy, nilIfEmpty(r.healthy), "healthy set")
	assert.GreaterOrEqual(t, r.client, 0)
	for i, c := range r.classes {
		assert.GreaterOrEqual(t, c.waiting, int64(0), "class %d", i)
		assert.GreaterOrEqual(t, c.live, c.waiting, "class %d", i)
	}
}

func nilIfEmpty(s []int32) []int32 {
	if len(s) == 0 {
		return nil
	}
	return s
}

// rvBounded runs cfg like Run but stops after maxEvents events and reports
// whether the run ended by itself (horizon reached, or every scale-in
// finished and the clients were idle). A run that does not end is how an
// infinite loop shows up without hanging the test binary.
func rvBounded(cfg *Config, rep, maxEvents int) (r *runner, ended bool, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, false, err
	}
	r = newRunner(cfg, rep)
	n := 0
	if h := r.cfg.Horizon; h > 0 {
		for ; n < maxEvents; n++ {
			at, ok := r.eng.NextAt()
			if !ok || at > h {
				break
			}
			r.eng.Step()
		}
		if n >= maxEvents {
			return r, false, nil
		}
	} else {
		for !r.done && n < maxEvents && r.eng.Step() {
			n++
		}
		if !r.done {
			return r, false, nil
		}
	}
	r.run() // the loop is already done: this only finishes the result
	return r, true, r.check()
}

// --- Bugs -------------------------------------------------------------------

// TestFixedKillCompletesDraining: draining completes "when the target has
// nothing in flight or the delay expires, whichever is first" (docs/
// model.md; [ALB-TG], [ASG-LC]). When SIGKILL (EKS grace end, ECS stop
// timeout) or an app that exits immediately on SIGTERM drops everything a
// deregistered, unrouted target has in flight, nothing is left, yet
// kill/sigterm(immediate)/exit never run the drain check: Drained stays
// pending until the delay expires (here 300 s instead of the kill time), and
// the scale-in's Finished (and Duration) is inflated to the full delay.
func TestFixedKillCompletesDraining(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		platform Platform
		app      string
		kill     time.Duration // when the task is gone, after the decision
	}{
		{"eks ignore, SIGKILL at grace end", Platform{Type: EKS, TerminationGracePeriod: 30 * time.Second}, Ignore, 30 * time.Second},
		{"eks immediate after preStop", Platform{Type: EKS, PreStopSleep: 5 * time.Second}, Immediate, 5 * time.Second},
		{"ecs stop_task immediate", Platform{Type: ECS, Stop: StopTask}, Immediate, 0},
		{"ecs stop_task ignore, SIGKILL at stop_timeout", Platform{Type: ECS, Stop: StopTask, StopTimeout: 20 * time.Second}, Ignore, 20 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := rvScenario(2, 10, testFixed(100*time.Second), 10*time.Second, 1)
			cfg.Platform = tc.platform
			cfg.App.OnSigterm = tc.app
			res := rvRun(t, cfg)
			require.Len(t, res.Removed, 1)
			rt := res.Removed[0]
			require.Positive(t, rt.InFlightAtDeregistration)
			assert.Equal(t, rt.InFlightAtDeregistration, res.DroppedByCause[CauseKilled], "everything in flight is killed")
			assert.Equal(t, 10*time.Second+tc.kill, rt.Terminated)
			assert.Equal(t, rt.Terminated, rt.Drained, "nothing is in flight after the kill: draining is complete")
			assert.Equal(t, rt.Terminated, res.ScaleIns[0].Finished, "the scale-in is over when its task is gone and drained")
		})
	}
}

// TestFixedReconnectTinyBackoffHangs: reconnect backoff = max_backoff = 1ns is
// accepted by Validate, but a full- or equal-jittered wait of under 1 ns is
// truncated to 0. A connection that cannot connect (no target, refused) is
// then retried at the same instant with the same remaining session time
// (d − 0), forever: simulated time stops and Run never returns, even with
// a horizon. (With jitter "none" it advances 1 ns per attempt: ~10^11 events
// for a 100 s session, a hang in practice.)
func TestFixedReconnectTinyBackoffHangs(t *testing.T) {
	t.Parallel()
	for _, j := range []string{JitterFull, JitterEqual} {
		t.Run(j, func(t *testing.T) {
			t.Parallel()
			cfg := Default()
			cfg.Fleet.Targets = 1
			cfg.Traffic = []Traffic{{Kind: KindConnection, Rate: 1, Duration: testFixed(100 * time.Second),
				Reconnect: &Reconnect{Backoff: 1, MaxBackoff: 1, Jitter: j}}}
			cfg.ScaleIn = []ScaleIn{{At: 10 * time.Second, Targets: 1}}
			cfg.TargetGroup.DeregistrationDelay = 0
			cfg.Horizon = 20 * time.Second
			r, ended, err := rvBounded(&cfg, 0, 1_000_000)
			if err != nil && r == nil {
				return // fixed by rejecting the config: fine
			}
			require.NoError(t, err)
			assert.True(t, ended, "a 20 s run must not take a million events; simulated time is stuck at %v", r.eng.Now())
		})
	}
}

// TestFixedRunWithoutHorizonEnds: without a horizon a run stops once every
// scale-in has finished *and* r.client == 0 (no retry or reconnect waiting
// for its backoff). When the whole fleet is removed (valid: removed ≤
// fleet), every later arrival fails (no_target) and, with a retry or
// reconnect policy, waits for a backoff; at any realistic rate some client
// is always waiting, so client never reaches 0 and Run loops forever.
func TestFixedRunWithoutHorizonEnds(t *testing.T) {
	t.Parallel()
	req := rvScenario(1, 1000, testFixed(10*time.Millisecond), time.Second, 1)
	req.Traffic[0].Retry = &Retry{Attempts: 3}
	conn := rvScenario(1, 20, testFixed(30*time.Second), time.Second, 1)
	conn.Traffic[0].Kind = KindConnection
	conn.Traffic[0].Reconnect = &Reconnect{}
	for name, cfg := range map[string]Config{"requests with retries": req, "connections with reconnects": conn} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r, ended, err := rvBounded(&cfg, 0, 1_000_000)
			require.NoError(t, err)
			assert.Zero(t, r.pending, "the scale-in itself finishes")
			assert.True(t, ended, "run still going at %v after a million events: %d clients waiting", r.eng.Now(), r.client)
		})
	}
}

// TestFixedScaleInFinishedAtLastTermination: ScaleInResult.Finished is
// documented as "when its last instance was terminated" (result.go; also
// Config.Horizon "its last instance terminated", and model_test.go's
// assertResult checks exactly that). doneCheck, however, also waits for the
// data plane to stop routing to the target, so when the propagation lag
// outlasts delay + hook (here lag 60 s, delay 5 s: terminated at 15 s),
// Finished and Duration() report the end of the lag (70 s), not the
// termination. The run may need to go on until the lag ends (requests are
// still refused), but Finished should be the last termination.
func TestFixedScaleInFinishedAtLastTermination(t *testing.T) {
	t.Parallel()
	cfg := rvScenario(2, 10, testFixed(time.Second), 10*time.Second, 1)
	cfg.LoadBalancer.PropagationDelay = ConstantLag(60 * time.Second)
	cfg.TargetGroup.DeregistrationDelay = 5 * time.Second
	res := rvRun(t, cfg)
	rt := res.Removed[0]
	assert.Equal(t, 15*time.Second, rt.Drained)
	assert.Equal(t, 15*time.Second, rt.Terminated)
	assert.Positive(t, res.DroppedByCause[CauseUnreachable], "the lag outlives the instance: its IP is gone")
	assert.Zero(t, res.DroppedByCause[CauseRefused], "nothing is routed while the host is up and not listening")
	assert.Equal(t, rt.Terminated, res.ScaleIns[0].Finished, "Finished is when the last instance was terminated")
	assert.Equal(t, 5*time.Second, res.ScaleIns[0].Duration())
}

// TestFixedReconnectBackoffDoubles: a client whose connection was closed
// waits Backoff before its first reconnect ("the base wait before the first
// reconnect"), and each further attempt should double the wait, as retries
// do (b, 2b, 4b). closeOne packs the first reconnect as attempt 1 and fail()
// waits backoff(n) after attempt n, so the first failed reconnect waits b
// again: b, b, 2b, 4b.
func TestFixedReconnectBackoffDoubles(t *testing.T) {
	t.Parallel()
	cfg := Default()
	cfg.Fleet.Targets = 1
	cfg.Traffic = []Traffic{{Kind: KindConnection, Rate: 1e-6, Duration: testFixed(time.Hour),
		Reconnect: &Reconnect{Backoff: time.Second, MaxBackoff: time.Minute, Jitter: JitterNone}}}
	cfg.ScaleIn = []ScaleIn{{At: 50 * time.Hour, Targets: 1}}
	cfg.Start = StartEmpty
	require.NoError(t, cfg.Validate())
	r := newRunner(&cfg, 0)
	// One connection on target 0, which then leaves routing: every
	// reconnect attempt finds no target.
	r.admit(0)
	r.start(0, 0, time.Hour, 1)
	slot := r.targets[0].inflight[0]
	r.unroute(0)
	r.closeOne(slot, CauseDelayExpired, false)
	var waits []time.Duration
	prev := time.Duration(0)
	for range 4 {
		at, ok := r.eng.NextAt()
		require.True(t, ok)
		require.Less(t, at, time.Hour, "the next event is a reconnect attempt")
		waits = append(waits, at-prev)
		prev = at
		r.eng.Step()
	}
	assert.Equal(t, []time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}, waits,
		"waits before reconnect attempts 1, 2, 3, 4")
}

// TestFixedValidateRejectsRetryOnConnection: Validate rejects `reconnect` on a
// request class ("use retry for requests"), but a `retry` table on a
// connection class is accepted and then silently ignored (fail() only looks
// at reconnect for connections).
func TestFixedValidateRejectsRetryOnConnection(t *testing.T) {
	t.Parallel()
	cfg := rvScenario(2, 1, testFixed(time.Second), time.Second, 1)
	cfg.Traffic[0].Kind = KindConnection
	cfg.Traffic[0].Retry = &Retry{Attempts: 3}
	err := cfg.Validate()
	require.Error(t, err, "retry on a connection class has no effect and should be rejected")
	assert.Contains(t, errorPaths(t, err), "traffic[0].retry")
}

// TestFixedCLBUnhealthyInFlightCompletes: "If an instance becomes unhealthy
// … in-flight requests made to the unhealthy instance … are completed. The
// maximum timeout limit does not apply to connections to unhealthy
// instances" ([CLB-CD]; aws-behaviour §2). expire() closes a CLB target's
// in-flight requests (delay_expired) even when health checks have already
// declared it unhealthy (tg.unhealthy). Here the graceful app stops
// listening at SIGTERM during a 60 s lag, is unhealthy within 10 s, and the
// 100 s requests it is finishing are cut at the 30 s expiry instead of
// completing before SIGKILL at 200 s.
func TestFixedCLBUnhealthyInFlightCompletes(t *testing.T) {
	t.Parallel()
	cfg := rvScenario(2, 2, testFixed(100*time.Second), 10*time.Second, 1)
	cfg.LoadBalancer.Type = CLB
	cfg.LoadBalancer.PropagationDelay = ConstantLag(60 * time.Second)
	cfg.TargetGroup.DeregistrationDelay = 30 * time.Second
	cfg.Platform = Platform{Type: EKS, TerminationGracePeriod: 200 * time.Second}
	cfg.HealthCheck = HealthCheck{Interval: 5 * time.Second, UnhealthyThreshold: 2}
	res := rvRun(t, cfg)
	require.Positive(t, res.Removed[0].InFlightAtDeregistration)
	assert.Zero(t, res.DroppedByCause[CauseKilled], "the graceful app finishes before SIGKILL")
	assert.Zero(t, res.DroppedByCause[CauseDelayExpired], "the timeout does not apply to an unhealthy CLB instance")
}

// TestStationaryRefusedWhenClampMatters: every drawn duration is clamped
// to 10^7 s, so for laws whose tail reaches past that (Pareto shape 1.01,
// lognormal σ = 6, Weibull shape 0.05) the unclamped steady state is not
// the simulated one and may hold billions of requests. A stationary start
// is refused for them, and auto falls back to simulating the warm-up.
func TestStationaryRefusedWhenClampMatters(t *testing.T) {
	t.Parallel()
	for _, law := range []Distribution{
		{Distribution: Pareto, Shape: 1.01, Scale: time.Second},
		{Distribution: LogNormal, Mu: 0, Sigma: 6},
		{Distribution: Weibull, Shape: 0.05, Scale: time.Second},
	} {
		cfg := rvScenario(1, 10, law, 10*time.Minute, 1)
		cfg.Start = StartStationary
		require.ErrorContains(t, cfg.Validate(), "start: stationary needs", law.Distribution)
		cfg.Start = StartAuto
		_, ok := cfg.stationaryStart()
		assert.False(t, ok, law.Distribution)
	}
}

// TestFixedReconnectPeakAnyWindow: the reconnect peak is documented as "the
// largest number of reconnects in any 100 ms window" (docs/model.md), but
// run() counts fixed buckets [k·100 ms, (k+1)·100 ms): two reconnects 70 ms
// apart that straddle a bucket boundary give 10/s instead of 20/s, so a
// storm split by a boundary is under-reported by up to half.
func TestFixedReconnectPeakAnyWindow(t *testing.T) {
	t.Parallel()
	cfg := rvScenario(2, 1e-6, testFixed(time.Hour), 900*time.Millisecond, 1)
	cfg.Traffic[0].Kind = KindConnection
	cfg.Traffic[0].Reconnect = &Reconnect{}
	cfg.Horizon = time.Second
	require.NoError(t, cfg.Validate())
	r := newRunner(&cfg, 0)
	r.backoffEvent(0, 50*time.Millisecond, packRetry(1, true, time.Minute))
	r.backoffEvent(0, 120*time.Millisecond, packRetry(1, true, time.Minute))
	r.run()
	require.NoError(t, r.check())
	assert.Equal(t, int64(2), r.res.Reconnects)
	assert.InDelta(t, 20.0, r.res.ReconnectPeakPerS, 1e-9, "two reconnects within 70 ms: 2 per 100 ms")
}

// TestFixedReconnectPeakMemory: run() keeps one int32 bucket per 100 ms from
// time zero up to the last reconnect, so memory grows with simulated time,
// not with reconnects: a single reconnect at 10^6 s (cheap to reach with a
// stationary start) allocates 10^7 buckets, 40 MB. Not parallel, so the
// allocation count is this test's own.
func TestFixedReconnectPeakMemory(t *testing.T) {
	cfg := rvScenario(2, 0.01, testFixed(1000*time.Second), 1e6*time.Second, 1)
	cfg.Traffic[0].Kind = KindConnection
	cfg.Traffic[0].Reconnect = &Reconnect{Jitter: JitterNone}
	cfg.TargetGroup.DeregistrationDelay = 0
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res, err := Run(&cfg, 0)
	runtime.ReadMemStats(&after)
	require.NoError(t, err)
	require.Positive(t, res.Reconnects)
	alloc := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, alloc, uint64(4<<20), "a handful of reconnects allocated %d MB", alloc>>20)
}

// TestFixedManyClassesPanic: Validate puts no bound on the number of traffic
// classes, but a request stores its class as int16: from class 32768 on,
// the index wraps negative and the completion panics (index out of range)
// on a valid config.
func TestFixedManyClassesPanic(t *testing.T) {
	t.Parallel()
	cfg := rvScenario(2, 1e-9, testFixed(time.Millisecond), 2*time.Second, 1)
	for len(cfg.Traffic) < 1<<15 {
		cfg.Traffic = append(cfg.Traffic, cfg.Traffic[0])
	}
	cfg.Traffic = append(cfg.Traffic, Traffic{Rate: 10, Duration: testFixed(time.Millisecond)})
	cfg.Horizon = 3 * time.Second
	if cfg.Validate() != nil {
		return // fixed by bounding the classes
	}
	assert.NotPanics(t, func() {
		_, err := Run(&cfg, 0)
		assert.NoError(t, err)
	})
}

// --- Verified behaviour ------------------------------------------------------

// lagScenario: one target removed with a 60 s lag on EKS (SIGTERM at the
// decision), so the process stops listening while the load balancer still
// routes to it; health checks (5 s × 2) then declare it unhealthy. The run
// stops at 65 s, before the lag ends.
func lagScenario(lb LBType, d time.Duration) Config {
	cfg := rvScenario(1, 20, testFixed(d), 10*time.Second, 1)
	cfg.LoadBalancer.Type = lb
	cfg.LoadBalancer.PropagationDelay = ConstantLag(60 * time.Second)
	cfg.Platform = Platform{Type: EKS, TerminationGracePeriod: 50 * time.Second}
	cfg.HealthCheck = HealthCheck{Interval: 5 * time.Second, UnhealthyThreshold: 2}
	cfg.Horizon = 65 * time.Second
	return cfg
}

// TestReviewFailOpen: ALB fails open when every routed target is unhealthy
// (requests keep going to the unhealthy target and are refused: 502, not
// 503); CLB does not (503, no_target) [ALB-TS, CLB-ERR].
func TestReviewFailOpen(t *testing.T) {
	t.Parallel()
	alb := rvRun(t, lagScenario(ALB, 100*time.Millisecond))
	assert.Zero(t, alb.DroppedByCause[CauseNoTarget], "ALB fails open")
	assert.Positive(t, alb.DroppedByCause[CauseRefused])
	assert.Zero(t, alb.DroppedByCause[CauseUnhealthyReset])

	clb := rvRun(t, lagScenario(CLB, 100*time.Millisecond))
	assert.Positive(t, clb.DroppedByCause[CauseNoTarget], "CLB has no fail-open")
	assert.Positive(t, clb.DroppedByCause[CauseRefused], "refused until declared unhealthy")
	// The pod exits at once (its requests take 100 ms): after that its IP
	// is gone and what the ALB still sends it is unreachable.
	gone := func(r *Result) int64 { return r.DroppedByCause[CauseRefused] + r.DroppedByCause[CauseUnreachable] }
	assert.Less(t, gone(clb), gone(alb))
	// The CLB stops sending within [5 s, 10 s) of SIGTERM: 20/s for ≤ 10 s.
	assert.Less(t, gone(clb), int64(300))
}

// TestReviewNLBUnhealthyReset: an NLB resets the flows of a target declared
// unhealthy [TGA]; an ALB lets them finish.
func TestReviewNLBUnhealthyReset(t *testing.T) {
	t.Parallel()
	nlb := rvRun(t, lagScenario(NLB, 40*time.Second))
	assert.Positive(t, nlb.DroppedByCause[CauseUnhealthyReset])
	assert.Zero(t, nlb.DroppedByCause[CauseNoTarget], "NLB fails open too")
	alb := rvRun(t, lagScenario(ALB, 40*time.Second))
	assert.Zero(t, alb.DroppedByCause[CauseUnhealthyReset])
}

// TestReviewImmediateAppKillsAtSigterm: an app that exits at once on
// SIGTERM drops everything in flight then (ECS StopTask: SIGTERM at the
// decision), and the task is gone at that moment.
func TestReviewImmediateAppKillsAtSigterm(t *testing.T) {
	t.Parallel()
	cfg := rvScenario(2, 10, testFixed(100*time.Second), 10*time.Second, 1)
	cfg.Platform = Platform{Type: ECS, Stop: StopTask}
	cfg.App.OnSigterm = Immediate
	cfg.Horizon = 200 * time.Second
	res := rvRun(t, cfg)
	rt := res.Removed[0]
	assert.Equal(t, rt.InFlightAtDeregistration, res.DroppedByCause[CauseKilled])
	assert.Equal(t, res.DroppedByCause[CauseKilled], res.Dropped)
	assert.Equal(t, 10*time.Second, rt.Terminated)
}

// TestReviewIgnoreAppServesUntilKill: an app that ignores SIGTERM keeps
// accepting (nothing refused during the lag) until SIGKILL at the grace
// period's end, which kills what it has in flight.
func TestReviewIgnoreAppServesUntilKill(t *testing.T) {
	t.Parallel()
	run := func(app string) *Result {
		cfg := rvScenario(2, 10, testFixed(10*time.Second), 10*time.Second, 1)
		cfg.LoadBalancer.PropagationDelay = ConstantLag(25 * time.Second) // routed until 35 s
		cfg.Platform = Platform{Type: EKS, PreStopSleep: 5 * time.Second} // SIGTERM 15 s, SIGKILL 40 s
		cfg.App.OnSigterm = app
		return rvRun(t, cfg)
	}
	ign := run(Ignore)
	assert.Zero(t, ign.DroppedByCause[CauseRefused])
	assert.Positive(t, ign.DroppedByCause[CauseKilled], "requests started in (30 s, 35 s] are killed at 40 s")
	assert.Equal(t, 40*time.Second, ign.Removed[0].Terminated)

	gr := run(Graceful)
	assert.Positive(t, gr.DroppedByCause[CauseRefused], "a graceful app stops listening at SIGTERM, during the lag")
	assert.Zero(t, gr.DroppedByCause[CauseKilled], "and finishes what it has before SIGKILL")
}

// retryScenario: 4 targets, one removed on EKS with a 20 s lag; the
// graceful app refuses requests for 20 s.
func retryScenario(idempotent *float64) Config {
	cfg := rvScenario(4, 50, testFixed(50*time.Millisecond), 10*time.Second, 1)
	cfg.LoadBalancer.PropagationDelay = ConstantLag(20 * time.Second)
	cfg.Platform = Platform{Type: EKS}
	cfg.Traffic[0].Retry = &Retry{Attempts: 3}
	cfg.Traffic[0].Idempotent = idempotent
	cfg.Horizon = 60 * time.Second
	return cfg
}

// TestReviewRetriesRecoverRefused: retried failed requests mostly reach
// another target: the load balancer logs every failed attempt, only the
// few that fail three times are dropped. (The pod exits as soon as its
// 50 ms requests are done, so the failures during the lag are 504s whose
// retries come 10 s later, mostly past the lag.)
func TestReviewRetriesRecoverRefused(t *testing.T) {
	t.Parallel()
	res := rvRun(t, retryScenario(nil))
	assert.Positive(t, res.Retries)
	assert.Less(t, res.Dropped*10, res.ELB5xx, "most refused requests are recovered")
	assert.Equal(t, res.Retries, res.ELB5xx-res.Dropped, "each non-final failure is retried once")
}

// TestReviewIdempotentZeroDisablesRetries: with idempotent = 0 no request is
// retried; every failed attempt is a drop.
func TestReviewIdempotentZeroDisablesRetries(t *testing.T) {
	t.Parallel()
	zero := 0.0
	res := rvRun(t, retryScenario(&zero))
	assert.Zero(t, res.Retries)
	assert.Positive(t, res.Dropped)
	assert.Equal(t, res.Dropped, res.ELB5xx)
}

// TestReviewRetryAttempts: attempts = 4 means three retries with waits b,
// 2b, 4b (jitter none), then the request is dropped.
func TestReviewRetryAttempts(t *testing.T) {
	t.Parallel()
	cfg := rvScenario(1, 1e-6, testFixed(time.Second), 50*time.Hour, 1)
	cfg.Traffic[0].Retry = &Retry{Attempts: 4, Backoff: time.Second, MaxBackoff: time.Minute, Jitter: JitterNone}
	cfg.Start = StartEmpty
	require.NoError(t, cfg.Validate())
	r := newRunner(&cfg, 0)
	r.unroute(0)
	r.admit(0)
	r.attempt(0, time.Second, 1)
	var waits []time.Duration
	prev := time.Duration(0)
	for range 3 {
		at, ok := r.eng.NextAt()
		require.True(t, ok)
		waits = append(waits, at-prev)
		prev = at
		r.eng.Step()
	}
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, waits)
	assert.Equal(t, int64(3), r.res.Retries)
	assert.Equal(t, int64(4), r.res.ELB5xx)
	assert.Equal(t, int64(1), r.res.DroppedByCause[CauseNoTarget])
	assert.Zero(t, r.classes[0].live)
	assert.Zero(t, r.classes[0].waiting)
	assert.Zero(t, r.client)
}

// TestReviewReconnects: WebSockets cut at delay expiry reconnect once each,
// all in the same 100 ms window without jitter; each reconnect is an
// arrival.
func TestReviewReconnects(t *testing.T) {
	t.Parallel()
	cfg := rvScenario(2, 1, testFixed(500*time.Second), 200*time.Second, 1)
	cfg.Traffic[0].Kind = KindConnection
	cfg.Traffic[0].Reconnect = &Reconnect{Backoff: time.Second, Jitter: JitterNone}
	cfg.TargetGroup.DeregistrationDelay = 10 * time.Second
	res := rvRun(t, cfg)
	cut := res.DroppedByCause[CauseDelayExpired]
	require.Positive(t, cut)
	assert.Equal(t, cut, res.Dropped)
	assert.Equal(t, cut, res.Reconnects, "every cut connection reconnects once, to the other target")
	assert.Equal(t, cut, res.Classes[0].Reconnects)
	assert.InDelta(t, float64(cut)*10, res.ReconnectPeakPerS, 1e-9, "all in one 100 ms window")
	assert.Zero(t, res.Retries)
	assert.Equal(t, res.Arrivals, res.Completed+res.Dropped+res.InFlight)
	assert.Equal(t, 211*time.Second, res.End, "the run waits for the reconnects")
}

// TestReviewGracefulCloseFrames: a graceful app closes its WebSockets with a
// close frame at SIGTERM (completed, no 5xx); clients reconnect.
func TestReviewGracefulCloseFrames(t *testing.T) {
	t.Parallel()
	cfg := rvScenario(2, 1, testFixed(500*time.Second), 200*time.Second, 1)
	cfg.Traffic[0].Kind = KindConnection
	cfg.Traffic[0].Reconnect = &Reconnect{Backoff: time.Second, Jitter: JitterNone}
	cfg.Platform = Platform{Type: EKS}
	res := rvRun(t, cfg)
	assert.Zero(t, res.Dropped)
	assert.Zero(t, res.ELB5xx)
	assert.Positive(t, res.Reconnects)
	// Each closed connection reconnects unless its session has less than
	// the 1 s backoff left.
	assert.LessOrEqual(t, res.Reconnects, res.Removed[0].InFlightAtDeregistration)
	assert.GreaterOrEqual(t, res.Reconnects, res.Removed[0].InFlightAtDeregistration-5)
}

// TestReviewKeepaliveRace: the race exists only when the app's keep-alive
// timeout is shorter than the load balancer's idle timeout, and never on an
// NLB.
func TestReviewKeepaliveRace(t *testing.T) {
	t.Parallel()
	run := func(lb LBType, keepalive time.Duration) int64 {
		cfg := rvScenario(2, 2, testFixed(10*time.Millisecond), time.Second, 1)
		cfg.LoadBalancer.Type = lb
		cfg.App.KeepaliveTimeout = keepalive
		cfg.Horizon = 10000 * time.Second
		return rvRun(t, cfg).DroppedByCause[CauseKeepaliveRace]
	}
	assert.Positive(t, run(ALB, time.Second), "1 s < 60 s")
	assert.Positive(t, run(CLB, time.Second))
	assert.Zero(t, run(ALB, 60*time.Second), "equal to the idle timeout: no race")
	assert.Zero(t, run(ALB, 75*time.Second))
	assert.Zero(t, run(NLB, time.Second), "NLB does not reuse connections")
}

// TestReviewECSServiceTimeline: a service scale-in deregisters, waits the
// full delay, then SIGTERM; an idle graceful app exits at once.
func TestReviewECSServiceTimeline(t *testing.T) {
	t.Parallel()
	cfg := rvScenario(2, 10, testFixed(time.Second), 10*time.Second, 1)
	cfg.TargetGroup.DeregistrationDelay = 30 * time.Second
	cfg.Platform = Platform{Type: ECS}
	cfg.Fleet.PricePerHour = 3.6
	res := rvRun(t, cfg)
	rt := res.Removed[0]
	assert.LessOrEqual(t, rt.Emptied, 11*time.Second, "1 s requests end within a second")
	assert.Equal(t, 40*time.Second, rt.Drained, "idle connections (60 s) hold draining to the 30 s delay")
	assert.Equal(t, 40*time.Second, rt.Terminated, "SIGTERM after the full delay")
	assert.Zero(t, res.Dropped)
	assert.InDelta(t, 0.001*30, res.CostUSD, 1e-9, "billed from decision to termination")
}

// TestReviewEC2Hook: EC2 waits for draining, then the lifecycle hook, then
// the OS shutdown; an idle graceful app lets the instance power off at once.
func TestReviewEC2Hook(t *testing.T) {
	t.Parallel()
	cfg := rvScenario(2, 10, testFixed(2*time.Second), 10*time.Second, 1)
	cfg.Platform = Platform{Type: EC2, ShutdownGrace: 20 * time.Second,
		LifecycleHook: &LifecycleHook{HandlerDuration: 45 * time.Second, HeartbeatTimeout: 30 * time.Second}}
	res := rvRun(t, cfg)
	rt := res.Removed[0]
	assert.Less(t, rt.Emptied-rt.Deregistered, 3*time.Second)
	assert.Equal(t, 60*time.Second, rt.IdleHold(), "the last idle connection closes after the 60 s idle timeout")
	assert.Equal(t, rt.Drained+30*time.Second, rt.Terminated, "the hook times out after its heartbeat")
	assert.Equal(t, rt.Terminated, res.ScaleIns[0].Finished)
	assert.Zero(t, res.Dropped)
}

// TestReviewPackRetry: the retry Arg round-trips the largest attempt, the
// reconnect flag and the largest duration a law can draw.
func TestReviewPackRetry(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n  int
		rc bool
		d  time.Duration
	}{
		{1, false, 0}, {255, true, toDuration(maxSampleSeconds)}, {10, false, toDuration(maxSampleSeconds)}, {255, false, 1},
	} {
		a := packRetry(tc.n, tc.rc, tc.d)
		assert.Equal(t, tc.n, int(a>>56))
		assert.Equal(t, tc.rc, a&argReconnect != 0)
		assert.Equal(t, tc.d, time.Duration(a&argDurationMask))
	}
}

// allFeatures turns on every feature at once.
func allFeatures() Config {
	half := 0.5
	cfg := Default()
	cfg.Seed = 7
	cfg.Fleet = Fleet{Targets: 5, PricePerHour: 0.1}
	cfg.LoadBalancer = LoadBalancer{Type: ALB, Algorithm: LeastOutstandingRequests, IdleTimeout: 60 * time.Second,
		PropagationDelay: Lag{Distribution{Distribution: LogNormal, Median: 5 * time.Second, P99: 40 * time.Second}}}
	cfg.TargetGroup.DeregistrationDelay = 20 * time.Second
	cfg.App = App{OnSigterm: Graceful, KeepaliveTimeout: 5 * time.Second}
	cfg.HealthCheck = HealthCheck{Interval: 5 * time.Second}
	cfg.Platform = Platform{Type: EKS, PreStopSleep: 3 * time.Second, TerminationGracePeriod: 25 * time.Second}
	cfg.Traffic = []Traffic{
		{Name: "api", Rate: 80, Duration: Distribution{Distribution: LogNormal, Median: 50 * time.Millisecond, P99: 3 * time.Second},
			Retry: &Retry{Attempts: 3}, Idempotent: &half},
		{Name: "ws", Kind: KindConnection, Rate: 2, Duration: Distribution{Distribution: Exponential, Mean: 60 * time.Second},
			Reconnect: &Reconnect{Backoff: 500 * time.Millisecond}},
	}
	cfg.ScaleIn = []ScaleIn{{At: 30 * time.Second, Targets: 2, Pick: PickRandom}, {At: 40 * time.Second, Targets: 2}}
	cfg.Horizon = 150 * time.Second
	return cfg
}

// TestReviewDeterminismAllFeatures: the same seed gives the same result,
// with every random component in play; another replication differs.
func TestReviewDeterminismAllFeatures(t *testing.T) {
	t.Parallel()
	cfg := allFeatures()
	a := rvRun(t, cfg)
	b := rvRun(t, cfg)
	assert.True(t, reflect.DeepEqual(a, b), "same seed, same result")
	assert.Positive(t, a.Retries)
	assert.Positive(t, a.Reconnects)
	assert.Positive(t, a.DroppedByCause[CauseRefused])
	c, err := Run(&cfg, 1)
	require.NoError(t, err)
	assert.NotEqual(t, a.Arrivals, c.Arrivals, "replication 1 draws other numbers")
}

type rvObserver struct{ attempts, failed, coded, resets int64 }

func (o *rvObserver) Attempt(a AttemptRecord) {
	o.attempts++
	if a.Failed {
		o.failed++
		if a.Code != 0 {
			o.coded++
		}
		if a.Reset {
			o.resets++
		}
	}
}

func (o *rvObserver) Sample(Sample) {}

// --- Property test -------------------------------------------------------------

func rvDur(t *rapid.T, label string, lo, hi time.Duration) time.Duration {
	return time.Duration(rapid.Int64Range(int64(lo), int64(hi)).Draw(t, label))
}

func rvSecs(t *rapid.T, label string, lo, hi int) time.Duration {
	return time.Duration(rapid.IntRange(lo, hi).Draw(t, label)) * time.Second
}

func genLaw(t *rapid.T, label string, lo, hi time.Duration) Distribution {
	switch rapid.IntRange(0, 7).Draw(t, label+".law") {
	case 0:
		return testFixed(rvDur(t, label+".value", 0, hi))
	case 1:
		return Distribution{Distribution: Exponential, Mean: rvDur(t, label+".mean", lo, hi)}
	case 2:
		mn := rvDur(t, label+".min", 0, hi)
		return Distribution{Distribution: Uniform, Min: mn, Max: mn + rvDur(t, label+".width", time.Millisecond, hi)}
	case 3:
		return Distribution{Distribution: Gamma, Shape: rapid.Float64Range(0.2, 5).Draw(t, label+".shape"), Scale: rvDur(t, label+".scale", lo, hi/2)}
	case 4:
		return Distribution{Distribution: Weibull, Shape: rapid.Float64Range(0.5, 5).Draw(t, label+".shape"), Scale: rvDur(t, label+".scale", lo, hi/2)}
	case 5:
		return Distribution{Distribution: Pareto, Shape: rapid.Float64Range(0.8, 4).Draw(t, label+".shape"), Scale: rvDur(t, label+".scale", lo, hi/4)}
	case 6:
		n := rapid.IntRange(1, 5).Draw(t, label+".n")
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = rapid.Float64Range(0, hi.Seconds()).Draw(t, label+".sample")
		}
		return Distribution{Distribution: Empirical, Samples: xs}
	default:
		med := rvDur(t, label+".median", lo, hi/2)
		return Distribution{Distribution: LogNormal, Median: med, P99: med + rvDur(t, label+".tail", time.Millisecond, hi)}
	}
}

// genConfig draws a small valid scenario: up to 4 targets, up to 2 classes
// and 2 scale-ins, every load balancer, platform, app and client policy.
func genConfig(t *rapid.T) Config {
	cfg := Default()
	cfg.Seed = rapid.Uint64().Draw(t, "seed")
	lb := rapid.SampledFrom([]LBType{ALB, NLB, CLB}).Draw(t, "lb")
	cfg.LoadBalancer.Type = lb
	algs := []Algorithm{RoundRobin, Random}
	if lb != NLB {
		algs = append(algs, LeastOutstandingRequests)
		if rapid.Bool().Draw(t, "idle") {
			cfg.LoadBalancer.IdleTimeout = rvSecs(t, "idle_timeout", 1, 120)
		}
	}
	cfg.LoadBalancer.Algorithm = rapid.SampledFrom(algs).Draw(t, "algorithm")
	switch rapid.IntRange(0, 2).Draw(t, "lagKind") {
	case 1:
		cfg.LoadBalancer.PropagationDelay = ConstantLag(rvDur(t, "lag", 0, 60*time.Second))
	case 2:
		// Any law but Pareto, whose tail (shape ≤ 1: no mean) keeps a
		// target routed for up to 10^7 s.
		l := genLaw(t, "lagLaw", time.Millisecond, 30*time.Second)
		if l.Distribution == Pareto {
			l = Distribution{Distribution: Exponential, Mean: l.Scale}
		}
		cfg.LoadBalancer.PropagationDelay = Lag{l}
	}
	cfg.TargetGroup.DeregistrationDelay = rvSecs(t, "delay", 0, 30)
	switch lb {
	case CLB:
		cfg.TargetGroup.ConnectionDraining = rapid.Bool().Draw(t, "draining")
		if cfg.TargetGroup.ConnectionDraining && cfg.TargetGroup.DeregistrationDelay == 0 {
			cfg.TargetGroup.DeregistrationDelay = time.Second
		}
	case NLB:
		cfg.TargetGroup.ConnectionTermination = rapid.Bool().Draw(t, "termination")
	}
	cfg.Fleet.Targets = rapid.IntRange(1, 6).Draw(t, "targets")
	cfg.Fleet.PricePerHour = float64(rapid.IntRange(0, 10).Draw(t, "price"))

	nc := rapid.IntRange(1, 3).Draw(t, "classes")
	for range nc {
		var tc Traffic
		if rapid.Bool().Draw(t, "connection") {
			tc.Kind = KindConnection
			tc.Rate = rapid.Float64Range(0.1, 3).Draw(t, "connRate")
			tc.Duration = genLaw(t, "connDur", time.Second, 60*time.Second)
			if rapid.Bool().Draw(t, "reconnect") {
				b := rvDur(t, "rcBackoff", 10*time.Millisecond, 2*time.Second)
				tc.Reconnect = &Reconnect{Backoff: b, MaxBackoff: b + rvDur(t, "rcMax", time.Second, 10*time.Second),
					Jitter: rapid.SampledFrom([]string{JitterNone, JitterFull, JitterEqual}).Draw(t, "rcJitter")}
			}
		} else {
			tc.Rate = rapid.Float64Range(0.5, 30).Draw(t, "reqRate")
			tc.Duration = genLaw(t, "reqDur", time.Millisecond, 20*time.Second)
			if rapid.Bool().Draw(t, "retry") {
				b := rvDur(t, "rtBackoff", time.Millisecond, 500*time.Millisecond)
				tc.Retry = &Retry{Attempts: rapid.IntRange(1, 4).Draw(t, "attempts"), Backoff: b,
					MaxBackoff: b + rvDur(t, "rtMax", 0, 2*time.Second),
					Jitter:     rapid.SampledFrom([]string{JitterNone, JitterFull, JitterEqual}).Draw(t, "rtJitter")}
			}
			if rapid.Bool().Draw(t, "setIdempotent") {
				f := rapid.SampledFrom([]float64{0, 0.5, 1}).Draw(t, "idempotent")
				tc.Idempotent = &f
			}
		}
		cfg.Traffic = append(cfg.Traffic, tc)
	}

	k := rapid.IntRange(1, min(3, cfg.Fleet.Targets)).Draw(t, "scaleIns")
	left := cfg.Fleet.Targets
	// A first scale-in after a minute allows a stationary start.
	at := time.Duration(0)
	if rapid.Bool().Draw(t, "late") {
		at = time.Minute
	}
	for i := range k {
		at += rvDur(t, "at", 0, 10*time.Second)
		most := left - (k - 1 - i)
		if most > 1 && rapid.Bool().Draw(t, "keepOne") {
			most-- // leave a target in service
		}
		n := rapid.IntRange(1, most).Draw(t, "remove")
		left -= n
		cfg.ScaleIn = append(cfg.ScaleIn, ScaleIn{At: at, Targets: n,
			Pick: rapid.SampledFrom([]Pick{"", PickOldest, PickNewest, PickRandom}).Draw(t, "pick")})
	}

	switch rapid.SampledFrom([]PlatformType{EC2, ECS, EKS}).Draw(t, "platform") {
	case EC2:
		cfg.Platform.Type = EC2
		if rapid.Bool().Draw(t, "hook") {
			cfg.Platform.LifecycleHook = &LifecycleHook{HandlerDuration: rvSecs(t, "handler", 0, 60),
				HeartbeatTimeout: rvSecs(t, "heartbeat", 30, 120),
				DefaultResult:    rapid.SampledFrom([]string{"", "continue", "abandon"}).Draw(t, "result")}
		}
		cfg.Platform.ShutdownGrace = rvSecs(t, "grace", 0, 30)
		cfg.Platform.TerminationPolicy = rapid.SampledFrom([]string{"", "default", "oldest_instance", "newest_instance", "random"}).Draw(t, "policy")
	case ECS:
		cfg.Platform.Type = ECS
		cfg.Platform.Stop = rapid.SampledFrom([]string{"", StopService, StopTask, StopFargateSpot}).Draw(t, "stop")
		cfg.Platform.StopTimeout = rvSecs(t, "stopTimeout", 0, 120)
	case EKS:
		cfg.Platform.Type = EKS
		cfg.Platform.PreStopSleep = rvSecs(t, "prestop", 0, 40)
		cfg.Platform.TerminationGracePeriod = rvSecs(t, "gracePeriod", 0, 60)
	}
	cfg.App.OnSigterm = rapid.SampledFrom([]string{"", Graceful, Immediate, Ignore}).Draw(t, "onSigterm")
	if rapid.Bool().Draw(t, "shortKeepalive") {
		cfg.App.KeepaliveTimeout = rvDur(t, "keepalive", time.Millisecond, 3*time.Second)
	} else {
		cfg.App.KeepaliveTimeout = rvSecs(t, "keepalive", 0, 120)
	}
	cfg.HealthCheck = HealthCheck{Interval: rvSecs(t, "hcInterval", 5, 30),
		UnhealthyThreshold: rapid.IntRange(2, 10).Draw(t, "hcUnhealthy")}
	if rapid.Bool().Draw(t, "fastHealth") {
		cfg.HealthCheck = HealthCheck{Interval: rvSecs(t, "hcInterval", 5, 8), UnhealthyThreshold: 2}
	}
	if rapid.Bool().Draw(t, "horizon") {
		cfg.Horizon = at + rvSecs(t, "horizonAfter", 1, 120)
	}
	cfg.Start = rapid.SampledFrom([]string{"", StartAuto, StartEmpty, StartStationary}).Draw(t, "start")
	if e := cfg.withDefaults(); cfg.Start == StartStationary {
		if _, ok := e.stationaryStart(); !ok {
			cfg.Start = StartEmpty
		}
	}
	genPlatforms(t, &cfg)
	return cfg
}

// genPlatforms draws the settings of issue #9 §4: Spot interruptions,
// ECS launch types, EKS target types, the lame-duck app and the NLB's
// unhealthy draining.
func genPlatforms(t *rapid.T, cfg *Config) {
	p := &cfg.Platform
	switch p.Type {
	case EC2:
		for i := range cfg.ScaleIn {
			cfg.ScaleIn[i].Kind = rapid.SampledFrom([]string{"", KindScaleIn, KindSpotInterruption}).Draw(t, "kind")
		}
	case ECS:
		if p.Stop != StopFargateSpot {
			p.LaunchType = rapid.SampledFrom([]string{"", LaunchFargate, LaunchEC2}).Draw(t, "launchType")
		}
	case EKS:
		p.TargetType = rapid.SampledFrom([]string{"", TargetIP, TargetInstance}).Draw(t, "targetType")
	}
	if cfg.App.OnSigterm == "" || cfg.App.OnSigterm == Graceful {
		cfg.App.KeepAccepting = rvSecs(t, "keepAccepting", 0, 20)
	}
	if cfg.LoadBalancer.Type == NLB && rapid.Bool().Draw(t, "unhealthyOff") {
		cfg.TargetGroup.UnhealthyConnectionTermination = new(bool)
		cfg.TargetGroup.UnhealthyDrainingInterval = rvSecs(t, "unhealthyDraining", 0, 60)
	}
}

// TestReviewProperties: random valid scenarios never make Run fail or
// panic, are deterministic, produce only the drop causes their settings
// allow, drain within the delay, and finish their scale-ins without a
// horizon. Runs without a horizon go through rvBounded and are cut off once
// their scale-ins have finished (TestBugRunWithoutHorizonEnds shows they
// may never end by themselves).
var rvEvents uint64
var rvCov [NumCauses + 3]int

func TestReviewProperties(t *testing.T) {
	t.Parallel()
	defer func() {
		t.Logf("%d events in all; runs with drops by cause (and cut off, stationary, reconnecting) %v", rvEvents, rvCov)
	}()
	// Ten rounds of rapid's default 100 examples, each round from a fresh
	// seed: about a thousand scenarios in a second or two.
	for range 10 {
		rapid.Check(t, rvProperty)
		if t.Failed() {
			return
		}
	}
}

// rvProperty is one example of TestReviewProperties.
func rvProperty(t *rapid.T) {
	cfg := genConfig(t)
	require.NoError(t, cfg.Validate())
	eff := cfg.withDefaults()

	r, ended, err := rvBounded(&cfg, 0, 100_000)
	if err == nil && !ended && r.pending > 0 {
		// Clients reconnecting without end against an emptied fleet can
		// spend the budget before the last scale-in's SIGKILL (seed
		// 16042233890477225892: an NLB's four targets all removed, ECS
		// Fargate Spot ignoring SIGTERM for 120 s, reconnects every
		// ≤ 1 s): give such a run fifty times the events.
		r, ended, err = rvBounded(&cfg, 0, 5_000_000)
	}
	require.NoError(t, err, "the accounting identity holds")
	if !ended {
		require.Zero(t, cfg.Horizon, "a run with a horizon must reach it")
		require.Zero(t, r.pending, "without a horizon every scale-in finishes")
		r.done = true // clients still retrying: stop here
		r.run()
		require.NoError(t, r.check())
	}
	res := r.res
	rvInvariants(t, &cfg, res)
	rvStructure(t, r)
	rvEvents += res.Events
	for k, v := range res.DroppedByCause {
		if v > 0 {
			rvCov[k]++
		}
	}
	if !ended {
		rvCov[NumCauses]++
	}
	if res.WarmupSkipped > 0 {
		rvCov[NumCauses+1]++
	}
	if res.Reconnects > 0 {
		rvCov[NumCauses+2]++
	}
	if cfg.Horizon > 0 {
		assert.Equal(t, cfg.Horizon, res.End)
	}

	// Every failed attempt is retried (or waiting to be) or dropped;
	// a connection cut in flight is dropped and may reconnect as a
	// new arrival.
	for i, c := range res.Classes {
		failed := clientFailures(eff.LoadBalancer.Type == NLB, c.ELB5xx, c.Resets, c.ConnectionCuts, c.ConnectTimeouts)
		assert.Equal(t, failed, c.Dropped+c.Retries+r.classes[i].waiting-r.classes[i].connecting, "class %d: failures = dropped + retried + waiting", i)
	}

	// Determinism.
	if ended {
		a, err := Run(&cfg, 0)
		require.NoError(t, err)
		b, err := Run(&cfg, 0)
		require.NoError(t, err)
		require.True(t, reflect.DeepEqual(a, b), "Run is deterministic")
		require.True(t, reflect.DeepEqual(a, res))
		// Observation changes nothing, and sees every attempt end.
		var obs rvObserver
		o, err := RunWith(&cfg, 0, RunOptions{Observer: &obs, SamplePeriod: 7 * time.Second})
		require.NoError(t, err)
		require.True(t, reflect.DeepEqual(a, o), "an observer does not change the result")
		failed := clientFailures(eff.LoadBalancer.Type == NLB, o.ELB5xx, o.Resets, o.ConnectionCuts, o.ConnectTimeouts)
		assert.Equal(t, o.Completed+failed, obs.attempts, "one record per attempt that ended")
		assert.Equal(t, failed, obs.failed, "failed records are the client's failures")
		assert.Equal(t, o.ELB5xx, obs.coded, "records with a 5xx code are the 5xx")
		assert.Equal(t, o.Resets, obs.resets, "records with a reset are the resets")
	} else {
		r2, _, err := rvBounded(&cfg, 0, 100_000)
		require.NoError(t, err)
		r2.done = true
		r2.run()
		require.True(t, reflect.DeepEqual(res, r2.res), "deterministic")
	}

	// Drop causes only where they can happen.
	by := res.DroppedByCause
	anyRequest, anyRetry, anyReconnect := false, false, false
	for i, tc := range eff.Traffic {
		anyRequest = anyRequest || tc.Kind == KindRequest
		anyRetry = anyRetry || tc.Retry != nil
		anyReconnect = anyReconnect || tc.Reconnect != nil
		if tc.Reconnect == nil {
			assert.Zero(t, res.Classes[i].Reconnects, "class %d has no reconnect policy", i)
		}
	}
	if eff.LoadBalancer.Type == NLB || eff.App.KeepaliveTimeout >= eff.LoadBalancer.IdleTimeout || !anyRequest {
		assert.Zero(t, by[CauseKeepaliveRace])
	}
	if eff.LoadBalancer.Type != NLB && (eff.LoadBalancer.Type != CLB || eff.TargetGroup.ConnectionDraining) {
		assert.Zero(t, by[CauseUnhealthyReset], "only an NLB, or a CLB without draining, closes on unhealthy")
	}
	if eff.Platform.TargetType == TargetInstance {
		assert.Zero(t, by[CauseDelayExpired], "no delay applies to a pod behind a node target")
		assert.Zero(t, by[CauseUnhealthyReset], "the pod is never health-checked")
	}
	if eff.LoadBalancer.Type == NLB && !eff.TargetGroup.ConnectionTermination {
		assert.Zero(t, by[CauseDelayExpired], "NLB flows outlive the delay")
	}
	lag := eff.LoadBalancer.PropagationDelay
	if lag.Distribution.Distribution == Constant && lag.Value == 0 {
		assert.Zero(t, by[CauseRefused], "without a lag nothing is routed to a stopped target")
		assert.Zero(t, by[CauseUnreachable], "without a lag nothing is routed to a gone target")
	}
	removed := 0
	for _, s := range cfg.ScaleIn {
		removed += s.Targets
	}
	if removed < cfg.Fleet.Targets {
		assert.Zero(t, by[CauseNoTarget], "a target stays in service")
	}
	if !anyRetry && !anyReconnect {
		assert.Equal(t, res.Dropped, clientFailures(eff.LoadBalancer.Type == NLB, res.ELB5xx, res.Resets, res.ConnectionCuts, res.ConnectTimeouts))
		assert.Zero(t, res.Retries)
		assert.Zero(t, res.Reconnects)
	}

	// Scale-ins: without a horizon every one finishes, every target is
	// drained and terminated; Finished is the last termination (draining
	// may complete later, when a lag outlasts the instance).
	price := cfg.Fleet.PricePerHour / 3600
	cost := 0.0
	for i, rt := range res.Removed {
		if cfg.Horizon == 0 {
			assert.GreaterOrEqual(t, rt.Drained, time.Duration(0), "removed[%d] drained", i)
			assert.GreaterOrEqual(t, rt.Terminated, time.Duration(0), "removed[%d] terminated", i)
		}
		if fin := res.ScaleIns[rt.ScaleIn].Finished; fin >= 0 {
			assert.GreaterOrEqual(t, fin, rt.Terminated)
		}
		// Billing ends when the instance enters shutting-down (EC2) or the
		// task or pod ends, never after termination [EC2-STATE].
		if rt.Terminated >= 0 {
			assert.GreaterOrEqual(t, rt.BillingEnded, rt.Decided, "removed[%d] billing ended", i)
			assert.LessOrEqual(t, rt.BillingEnded, rt.Terminated, "removed[%d] billing ended", i)
		}
		end := rt.BillingEnded
		if end < 0 {
			end = res.End
		}
		cost += price * (end - rt.Decided).Seconds()
	}
	assert.InDelta(t, cost, res.CostUSD, 1e-9)
	for i, si := range res.ScaleIns {
		assert.Equal(t, cfg.ScaleIn[i].Targets, si.Targets)
		if cfg.Horizon == 0 {
			assert.GreaterOrEqual(t, si.Finished, si.At, "scale_in[%d] finishes", i)
		}
	}
}
