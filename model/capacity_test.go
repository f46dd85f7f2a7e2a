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

// mmcLatencyTail is P(T ≥ t) for the latency T = W + S of M/M/c with
// service rate μ = 1/s, first in first out: the wait W is 0 with
// probability 1 − C and else exponential with rate θ = c − λ (Erlang-C:
// P(W > t) = C·e^{−(cμ−λ)t}), and S is exponential with rate 1, so
// P(T ≥ t) = (1 − C)·e^{−t} + C·(θ·e^{−t} − e^{−θt})/(θ − 1) (θ ≠ 1).
func mmcLatencyTail(c int, lambda, t float64) float64 {
	C, theta := erlangC(c, lambda), float64(c)-lambda
	return (1-C)*math.Exp(-t) + C*(theta*math.Exp(-t)-math.Exp(-theta*t))/(theta-1)
}

// TestLatencyErlangC checks Result.Latency on one target with 5 workers
// and an unbounded backlog, offered 3 requests/s of exponential 1 s
// service, against the M/M/c latency distribution: at the bin edges
// around its median and its 99th percentile, the share of completed
// requests at least that slow is the closed form's within 4 standard
// errors over the replications, where service alone (no wait) would be
// far off; Quantile's p99 is within the closed form's by the bin width
// and the statistical error.
func TestLatencyErlangC(t *testing.T) {
	const c, lambda, reps = 5, 3.0, 40
	cfg := queueScenario(c, 1000000, lambda, 2000*time.Second)
	quantile := func(q float64) float64 { // closed-form quantile by bisection
		lo, hi := 0.0, 100.0
		for range 100 {
			mid := (lo + hi) / 2
			if mmcLatencyTail(c, lambda, mid) > 1-q {
				lo = mid
			} else {
				hi = mid
			}
		}
		return lo
	}
	results := make([]*Result, reps)
	for rep := range results {
		results[rep] = mustRun(t, cfg, rep)
		require.NotNil(t, results[rep].Latency)
		require.Positive(t, results[rep].Latency.N)
	}
	for _, q := range []float64{0.5, 0.99} {
		k := latencyBin(time.Duration(quantile(q) * float64(time.Second)))
		edge := LatencyBinLower(k).Seconds()
		var share []float64
		for _, r := range results {
			share = append(share, float64(r.Latency.AtLeast(k))/float64(r.Latency.N))
		}
		m, se := meanSE(share)
		want := mmcLatencyTail(c, lambda, edge)
		t.Logf("q %.2f: P(T ≥ %.3fs) %.5f ± %.5f, closed form %.5f, service alone %.5f", q, edge, m, se, want, math.Exp(-edge))
		assert.InDelta(t, want, m, 4*se)
		assert.Greater(t, math.Abs(math.Exp(-edge)-m), 4*se, "the wait is part of the latency")
	}
	var all LatencyHistogram
	for _, r := range results {
		all.Merge(r.Latency)
	}
	p99, want := all.Quantile(0.99).Seconds(), quantile(0.99)
	t.Logf("p99 %.3fs, closed form %.3fs", p99, want)
	assert.InEpsilon(t, want, p99, 0.03, "bin width 1 %, plus the sampling error of a 99th percentile")

	cfg.Fleet.MaxConcurrency, cfg.Fleet.Backlog = 0, 0
	assert.Nil(t, mustRun(t, cfg, 0).Latency, "no worker limit, no histogram")
}

// TestLatencyHistogram checks the bins: each latency lands in the bin
// whose edges hold it, AtLeast counts from an edge, and Quantile returns
// the middle of the bin of the rank asked for.
func TestLatencyHistogram(t *testing.T) {
	var h LatencyHistogram
	assert.Equal(t, time.Duration(-1), h.Quantile(0.5))
	ds := []time.Duration{0, 500 * time.Nanosecond, time.Microsecond, time.Millisecond, time.Second, 1500 * time.Millisecond, time.Hour}
	for _, d := range ds {
		k := latencyBin(d)
		assert.GreaterOrEqual(t, d, LatencyBinLower(k), "%v", d)
		assert.Less(t, d, LatencyBinLower(k+1), "%v", d)
		h.Add(d)
	}
	assert.Equal(t, int64(len(ds)), h.N)
	assert.Equal(t, int64(3), h.AtLeast(latencyBin(time.Second)))
	assert.Equal(t, time.Duration(0), h.Quantile(0.1), "the first two are below 1 µs")
	got := h.Quantile(5.0 / 7)
	assert.InEpsilon(t, float64(time.Second), float64(got), 0.01)
	var m LatencyHistogram
	m.Merge(&h)
	m.Merge(&h)
	assert.Equal(t, 2*h.N, m.N)
	assert.Equal(t, 2*h.AtLeast(0), m.AtLeast(0))
}
