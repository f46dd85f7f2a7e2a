package model

// Regression tests for issue #11 (crashes and hangs): float to Duration
// conversions that overflowed, a rate so small its gaps overflowed into a
// loop at one instant, lags long enough to hold a run open for months,
// and runs that could not be cancelled.

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// within fails the test if f does not return within d, rather than
// hanging the suite on the old behaviour (f's goroutine is then leaked).
func within(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("did not return within %v", d)
	}
}

func TestNanosSaturates(t *testing.T) {
	const limit = time.Hour
	for _, c := range []struct {
		ns   float64
		want time.Duration
	}{
		{math.NaN(), 0},
		{math.Inf(-1), 0},
		{-1e30, 0},
		{0, 0},
		{0.9, 0},
		{1.5, 1},
		{float64(limit) - 1, limit - 1},
		{float64(limit), limit},
		{1e21, limit}, // the 1e-12 rate's gap in ns: time.Duration(1e21) is negative on amd64
		{math.MaxFloat64, limit},
		{math.Inf(1), limit},
	} {
		assert.Equal(t, c.want, nanos(c.ns, limit), "nanos(%v)", c.ns)
	}
	assert.Equal(t, time.Duration(maxSampleSeconds)*time.Second, toDuration(1e300))
	assert.Equal(t, time.Duration(0), toDuration(math.NaN()))
	assert.Equal(t, 1500*time.Millisecond, toDuration(1.5))
	assert.Equal(t, MaxLag, lagDuration(1e12))
	assert.Equal(t, clockLimit, backoff(time.Hour, time.Duration(math.MaxInt64), JitterNone, 1000, 0.5),
		"a backoff of 2^999 hours saturates instead of overflowing")
}

// TestTinyRateRejected: rate = 1e-12 passed validation and hung the run.
func TestTinyRateRejected(t *testing.T) {
	for _, rate := range []float64{1e-12, 9.9e-7, 0, -1, math.NaN(), math.Inf(1), 1.1e7} {
		cfg := testScenario(4, 1, testFixed(time.Second), time.Minute, 1)
		cfg.Traffic[0].Rate = rate
		err := cfg.Validate()
		require.Error(t, err, "rate %v", rate)
		assert.Contains(t, err.Error(), "traffic[0].rate: must be in [1e-06, 1e+07] arrivals per second", "rate %v", rate)
	}
	cfg := testScenario(4, 1e-6, testFixed(time.Second), time.Minute, 1)
	assert.NoError(t, cfg.Validate())
}

// TestTinyRateDoesNotLoop: the exact input of the issue, past validation
// (a library caller can build a runner without it). Its first gap,
// about 10¹² s, overflowed time.Duration to a negative time that the
// engine clamped to now, so arrivals repeated at one instant for ever.
// Now an arrival after the clock's limit is not scheduled.
func TestTinyRateDoesNotLoop(t *testing.T) {
	cfg := testScenario(4, 1e-12, testFixed(time.Second), time.Minute, 1)
	cfg.Horizon = time.Hour
	var r *runner
	var err error
	within(t, 10*time.Second, func() {
		r = newRunner(&cfg, 0)
		err = r.run()
	})
	require.NoError(t, err)
	assert.Zero(t, r.res.Arrivals)
	assert.Equal(t, time.Hour, r.res.End)
}

// TestSlowestRateOverLongestHorizon: the smallest rate over the longest
// horizon runs, with about rate × horizon arrivals (within 4 standard
// deviations of the Poisson count).
func TestSlowestRateOverLongestHorizon(t *testing.T) {
	cfg := testScenario(4, minRate, testFixed(time.Second), time.Minute, 1)
	cfg.Horizon = MaxTime
	res := mustRun(t, cfg, 0)
	want := minRate * MaxTime.Seconds()
	assert.InDelta(t, want, float64(res.Arrivals), 4*math.Sqrt(want))
	assert.Equal(t, MaxTime, res.End)
}

func TestTimeBounds(t *testing.T) {
	cfg := testScenario(4, 1, testFixed(time.Second), MaxTime+time.Second, 1)
	cfg.Horizon = MaxTime + 2*time.Second
	err := cfg.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "horizon: must be 0s–87600h (got 87600h0m2s)")
	assert.Contains(t, err.Error(), "scale_in[0].at: must be 0s–87600h (got 87600h0m1s)")

	cfg = testScenario(4, 1, testFixed(time.Second), time.Minute, 1)
	cfg.Platform.Type = EKS
	cfg.Platform.PreStopSleep = 2000000 * time.Hour // overflowed now + sleep
	err = cfg.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "platform.prestop_sleep: must be 0s–24h")
}

// TestLagBounds: a constant lag above an hour, or a law whose median is,
// is refused with its key path; a heavy tail with a small median is
// accepted.
func TestLagBounds(t *testing.T) {
	for _, c := range []struct {
		lag  Lag
		want string
	}{
		{ConstantLag(2 * time.Hour), "load_balancer.propagation_delay: must be 0s–1h (got 2h0m0s)"},
		{Lag{Distribution{Distribution: LogNormal, Median: 2 * time.Hour, P99: 3 * time.Hour}},
			"load_balancer.propagation_delay: median must be at most 1h, draws are clamped at 1h (got a median of 2h0m0s)"},
		{Lag{Distribution{Distribution: Exponential, Mean: 10 * time.Hour}}, "load_balancer.propagation_delay: median must be at most 1h"},
		{Lag{Distribution{Distribution: Pareto, Shape: 0.01, Scale: time.Second}}, "load_balancer.propagation_delay: median must be at most 1h"},
	} {
		cfg := testScenario(4, 1, testFixed(time.Second), time.Minute, 1)
		cfg.LoadBalancer.PropagationDelay = c.lag
		err := cfg.Validate()
		require.Error(t, err, "%v", c.lag)
		assert.Contains(t, err.Error(), c.want)

		cfg = testScenario(4, 1, testFixed(time.Second), time.Minute, 1)
		cfg.LoadBalancer.Type = NLB
		cfg.LoadBalancer.UnhealthyLag = c.lag
		err = cfg.Validate()
		require.Error(t, err, "%v", c.lag)
		assert.Contains(t, err.Error(), "load_balancer.unhealthy_lag:")
	}
	for _, ok := range []Lag{
		ConstantLag(MaxLag),
		{Distribution{Distribution: Pareto, Shape: 0.1, Scale: time.Second}}, // median 1024 s
	} {
		cfg := testScenario(4, 1, testFixed(time.Second), time.Minute, 1)
		cfg.LoadBalancer.PropagationDelay = ok
		assert.NoError(t, cfg.Validate(), "%v", ok)
	}
}

// TestHeavyTailedLagIsClamped: a Pareto lag with shape 0.1 (median
// 1024 s, P(> 10⁷ s) = 20 %) drew lags up to the sample clamp of 10⁷ s,
// so the run lasted simulated months; lag draws are now clamped at an
// hour and the run ends at most an hour after the delay and lifecycle.
func TestHeavyTailedLagIsClamped(t *testing.T) {
	cfg := testScenario(20, 0.1, testFixed(time.Second), time.Minute, 10)
	cfg.LoadBalancer.PropagationDelay = Lag{Distribution{Distribution: Pareto, Shape: 0.1, Scale: time.Second}}
	// Not mustRun: its check that the run ends at the last termination
	// does not hold when a lag outlasts the draining.
	res, err := Run(&cfg, 0)
	require.NoError(t, err)
	// Deregistration at the decision (no hook), 300 s delay, the lag.
	assert.LessOrEqual(t, res.End, time.Minute+MaxLag+DefaultDeregistrationDelay+time.Minute)
	// P(lag ≥ 1h) = 3600^−0.1 = 0.44 per target: with 10 targets some
	// lag reaches the clamp (1 − 0.56¹⁰ > 0.99; replication 0 does).
	assert.GreaterOrEqual(t, res.End, time.Minute+MaxLag)
}

// TestCancelInsideReplication: a replication with a 1000h horizon and a
// busy fleet (about 3.6·10⁸ arrivals) used to run to the end whatever
// its caller wanted; cancelling its context now stops it.
func TestCancelInsideReplication(t *testing.T) {
	cfg := testScenario(10, 100, testFixed(time.Second), time.Minute, 1)
	cfg.Horizon = 1000 * time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(100 * time.Millisecond)
		cancel()
	}()
	var err error
	start := time.Now()
	within(t, 10*time.Second, func() {
		_, err = RunWith(&cfg, 0, RunOptions{Context: ctx})
	})
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "model: replication 0 stopped at")
	t.Logf("cancelled after %v", time.Since(start))

	// Already cancelled: not started.
	_, err = RunWith(&cfg, 0, RunOptions{Context: ctx})
	assert.ErrorIs(t, err, context.Canceled)
}

// TestContextDoesNotChangeResult: a run with a context it does not cancel
// gives the result of a run without one.
func TestContextDoesNotChangeResult(t *testing.T) {
	cfg := testScenario(10, 500, Distribution{Distribution: Exponential, Mean: 2 * time.Second}, time.Minute, 3)
	a := mustRun(t, cfg, 2)
	b, err := RunWith(&cfg, 2, RunOptions{Context: context.Background()})
	require.NoError(t, err)
	c, err := RunWith(&cfg, 2, RunOptions{Context: t.Context()})
	require.NoError(t, err)
	assert.Equal(t, a, b)
	assert.Equal(t, a, c)
	assert.Greater(t, a.Events, uint64(cancelEvery), "the context was looked at")
}
