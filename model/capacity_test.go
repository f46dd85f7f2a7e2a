package model

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// erlangB is the Erlang-B blocking probability of c servers offered a
// erlangs, by the stable recursion B(k) = a·B(k−1)/(k + a·B(k−1)).
func erlangB(c int, a float64) float64 {
	b := 1.0
	for k := 1; k <= c; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return b
}

// erlangC is the Erlang-C probability that an arrival waits (a < c).
func erlangC(c int, a float64) float64 {
	b := erlangB(c, a)
	return float64(c) * b / (float64(c) - a*(1-b))
}

// meanSE returns the mean of xs and its standard error.
func meanSE(xs []float64) (mean, se float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	v := 0.0
	for _, x := range xs {
		v += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(v / float64(len(xs)-1) / float64(len(xs)))
}

// queueScenario is one target with c workers and backlog b, offered λ
// Poisson arrivals with exponential service of mean 1 s, scaled in at
// the horizon's end; Start empty.
func queueScenario(c, b int, lambda float64, horizon time.Duration) Config {
	cfg := testScenario(1, lambda, Distribution{Distribution: Exponential, Mean: time.Second}, horizon-time.Second, 1)
	cfg.Fleet.MaxConcurrency, cfg.Fleet.Backlog = c, b
	cfg.Horizon = horizon
	cfg.TargetGroup.DeregistrationDelay = 0
	return cfg
}

// TestErlangB checks the single-target steady state without a backlog
// against Erlang-B: the share of arrivals refused is B(c, λ/μ) (PASTA),
// within 4 standard errors over the replications. Each refusal is an
// ALB 502 of cause refused. Without the limit none is refused.
func TestErlangB(t *testing.T) {
	const c, a, reps = 5, 4.0, 20
	cfg := queueScenario(c, 0, a, 1000*time.Second)
	var fr []float64
	for rep := range reps {
		res := mustRun(t, cfg, rep)
		served := res.Arrivals - res.DroppedByCause[CauseNoTarget] // before the scale-in
		fr = append(fr, float64(res.Overloaded)/float64(served))
		assert.Equal(t, res.Overloaded, res.DroppedByCause[CauseRefused])
		assert.GreaterOrEqual(t, res.ELB502, res.Overloaded)
		assert.Zero(t, res.Queued)
	}
	m, se := meanSE(fr)
	want := erlangB(c, a)
	t.Logf("blocking %.4f ± %.4f, Erlang-B %.4f", m, se, want)
	assert.InDelta(t, want, m, 4*se)

	cfg.Fleet.MaxConcurrency = 0
	res := mustRun(t, cfg, 0)
	assert.Zero(t, res.Overloaded)
	assert.Zero(t, res.DroppedByCause[CauseRefused])
}

// TestErlangC checks the single-target steady state with an unbounded
// backlog against Erlang-C: the share of arrivals that wait is C(c, λ/μ)
// and the mean wait C/(cμ − λ), each within 4 standard errors over the
// replications. A request's wait adds to its life: the mean time from
// arrival to completion is the wait plus the mean service.
func TestErlangC(t *testing.T) {
	const c, a, reps = 5, 3.0, 50
	cfg := queueScenario(c, 1000000, a, 2000*time.Second)
	var pw, wait []float64
	for rep := range reps {
		res := mustRun(t, cfg, rep)
		served := float64(res.Arrivals - res.DroppedByCause[CauseNoTarget])
		assert.Zero(t, res.Overloaded)
		pw = append(pw, float64(res.Queued)/served)
		wait = append(wait, res.QueueWait.Seconds()/served)
	}
	m, se := meanSE(pw)
	want := erlangC(c, a)
	t.Logf("P(wait) %.4f ± %.4f, Erlang-C %.4f", m, se, want)
	assert.InDelta(t, want, m, 4*se)
	m, se = meanSE(wait)
	t.Logf("mean wait %.4f ± %.4f s, want %.4f", m, se, want/(c-a))
	assert.InDelta(t, want/(c-a), m, 4*se)
}

// TestBacklogLivesLonger checks what a backlog does to a scale-in: a
// queued request is in flight for the load balancer and lives its wait
// longer, so with a short deregistration delay more are cut at expiry
// than with no worker limit (same seeds, means over replications, the
// difference beyond 4 standard errors). Common random numbers: the
// arrivals and durations are the same draws.
func TestBacklogLivesLonger(t *testing.T) {
	const reps = 100
	base := testScenario(2, 3.6, Distribution{Distribution: Exponential, Mean: time.Second}, 5*time.Minute, 1)
	base.Start = StartEmpty
	base.TargetGroup.DeregistrationDelay = 2 * time.Second
	capped := base
	capped.Fleet.MaxConcurrency, capped.Fleet.Backlog = 2, 1000
	var diff []float64
	for rep := range reps {
		a, b := mustRun(t, base, rep), mustRun(t, capped, rep)
		diff = append(diff, float64(b.DroppedByCause[CauseDelayExpired]-a.DroppedByCause[CauseDelayExpired]))
		assert.Positive(t, b.Queued)
	}
	m, se := meanSE(diff)
	t.Logf("extra drops at expiry with a backlog: %.2f ± %.2f", m, se)
	assert.Greater(t, m, 4*se)
}

// TestUtilisation checks the busy share a policy reads: a target whose
// workers are all busy is at 1, with one free worker of four at 0.75.
func TestUtilisation(t *testing.T) {
	cfg := testScenario(1, 1, testFixed(time.Hour), time.Hour, 1)
	cfg.Fleet.MaxConcurrency, cfg.Fleet.Backlog = 4, 2
	r := newRunner(&cfg, 0)
	for k := range 3 {
		r.start(0, 0, time.Hour, 1)
		assert.InDelta(t, float64(k+1)/4, r.utilisation(0), 1e-12)
	}
	r.start(0, 0, time.Hour, 1)
	assert.False(t, r.full(0))
	r.start(0, 0, time.Hour, 1)
	r.start(0, 0, time.Hour, 1)
	assert.InDelta(t, 1, r.utilisation(0), 1e-12)
	assert.True(t, r.full(0))
	assert.Len(t, r.targets[0].queue, 2)
}

// TestValidateCapacity checks the ranges of max_concurrency and backlog,
// and that a worker limit turns the stationary start off.
func TestValidateCapacity(t *testing.T) {
	for _, tc := range []struct {
		mc, b int
		want  string
	}{
		{0, 0, ""},
		{10, 0, ""},
		{10, 100, ""},
		{-1, 0, "fleet.max_concurrency: must be 0–1000000 (0: no limit; got -1)"},
		{2000000, 0, "fleet.max_concurrency: must be 0–1000000"},
		{10, -1, "fleet.backlog: must be 0–10000000 (got -1)"},
		{0, 5, "fleet.backlog: needs fleet.max_concurrency"},
	} {
		cfg := testScenario(2, 1, testFixed(time.Second), time.Hour, 1)
		cfg.Fleet.MaxConcurrency, cfg.Fleet.Backlog = tc.mc, tc.b
		err := cfg.Validate()
		if tc.want == "" {
			assert.NoError(t, err)
			continue
		}
		require.Error(t, err)
		assert.Contains(t, err.Error(), tc.want)
	}
	cfg := testScenario(2, 1, testFixed(time.Second), time.Hour, 1)
	cfg.Fleet.MaxConcurrency = 4
	res := mustRun(t, cfg, 0)
	assert.Zero(t, res.WarmupSkipped, "auto start with a worker limit is empty")
	cfg.Start = StartStationary
	require.Error(t, cfg.Validate())
}

// TestBacklogCutAtExpiry checks a long backlog on a removed target: with
// one worker, 1 s requests and no propagation lag, the target completes
// exactly 5 requests in a 5 s delay, so what was in flight at
// deregistration, less those 5, is cut at expiry — the waiting requests
// included.
func TestBacklogCutAtExpiry(t *testing.T) {
	cfg := testScenario(2, 100, testFixed(time.Second), 100*time.Second, 1)
	cfg.Fleet.MaxConcurrency, cfg.Fleet.Backlog = 1, 1000000
	cfg.TargetGroup.DeregistrationDelay = 5 * time.Second
	res := mustRun(t, cfg, 0)
	require.Len(t, res.Removed, 1)
	in := res.Removed[0].InFlightAtDeregistration
	assert.Greater(t, in, int64(4000))
	assert.Equal(t, in-5, res.DroppedByCause[CauseDelayExpired])
	assert.Zero(t, res.Overloaded)
}
