package model

// Tests of closed-loop clients (closedloop.go): the interactive response
// time law, errors per client during a scale-in, the 504 path's connect
// timeout before the next request, determinism and validation.

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat"
)

// closedScenario is rvScenario with its class made closed-loop: n clients
// with durations d and think times z.
func closedScenario(targets, n int, d, z Distribution, at time.Duration, remove int) Config {
	cfg := rvScenario(targets, 1, d, at, remove)
	cfg.Traffic[0].Rate = 0
	cfg.Traffic[0].Clients = n
	cfg.Traffic[0].ThinkTime = z
	return cfg
}

// countAfter counts completed attempts that ended at or after from.
type countAfter struct {
	from time.Duration
	n    int
}

func (o *countAfter) Attempt(a AttemptRecord) {
	if !a.Failed && a.Ended >= o.from {
		o.n++
	}
}
func (o *countAfter) Sample(Sample) {}

// TestClosedLoopThroughputLaw: N clients with mean response time R and
// mean think time Z complete N/(R+Z) requests per second (the interactive
// response time law; each client is a renewal process with cycle R+Z).
// Without a worker limit R is the mean duration. Open arrivals at any
// rate would ignore N, R and Z. Checked within 4 standard errors of the
// mean over replications, after a warm-up.
func TestClosedLoopThroughputLaw(t *testing.T) {
	t.Parallel()
	const (
		n    = 20
		r    = 0.5 // s
		z    = 1.5 // s
		reps = 20
	)
	warm, horizon := 20*time.Second, 520*time.Second
	cfg := closedScenario(4, n,
		Distribution{Distribution: Exponential, Mean: time.Duration(r * float64(time.Second))},
		Distribution{Distribution: Exponential, Mean: time.Duration(z * float64(time.Second))},
		100*time.Second, 1)
	cfg.Horizon = horizon
	require.NoError(t, cfg.Validate())
	xs := make([]float64, reps)
	for rep := range reps {
		o := &countAfter{from: warm}
		res, err := RunWith(&cfg, rep, RunOptions{Observer: o})
		require.NoError(t, err)
		rvInvariants(t, &cfg, res)
		require.Zero(t, res.Dropped, "a 300 s delay cuts none of these requests")
		xs[rep] = float64(o.n) / (horizon - warm).Seconds()
	}
	mean, sd := stat.MeanStdDev(xs, nil)
	se := sd / math.Sqrt(reps)
	want := n / (r + z)
	require.InDelta(t, want, cfg.Traffic[0].ClosedLoopRate(), 1e-9)
	t.Logf("throughput %.4f/s, law %.4f/s, se %.4f", mean, want, se)
	assert.InDelta(t, want, mean, 4*se, "throughput %.3f/s, law N/(R+Z) = %.3f/s, se %.3f", mean, want, se)
}

// TestClosedLoopErrorsFollowTheClient: during a scale-in whose target is
// refused for the propagation lag (ECS on EC2 StopTask: the task exits at
// SIGTERM, its host answers with a reset), every error belongs to a
// client, and each client's next request waits for its think time after
// an error: a client with errors e over its failure window w has
// e ≤ 1 + w / min(think). Open arrivals keep sending into the window
// whatever the previous request met.
func TestClosedLoopErrorsFollowTheClient(t *testing.T) {
	t.Parallel()
	const n = 10
	zMin := 500 * time.Millisecond
	cfg := closedScenario(2, n, testFixed(100*time.Millisecond),
		Distribution{Distribution: Uniform, Min: zMin, Max: 1500 * time.Millisecond}, 30*time.Second, 1)
	cfg.Platform = Platform{Type: ECS, LaunchType: LaunchEC2, Stop: StopTask}
	cfg.LoadBalancer.PropagationDelay = ConstantLag(20 * time.Second)
	cfg.App.OnSigterm = Immediate
	res := rvRun(t, cfg)
	cr := res.Classes[0]
	require.Equal(t, n, cr.Clients)
	require.Len(t, cr.ClientErrors, n)
	require.Positive(t, cr.Dropped, "the lag sends requests to the refusing host")
	var sum int64
	for k, e := range cr.ClientErrors {
		sum += e
		if e == 0 {
			assert.Equal(t, time.Duration(-1), cr.ClientFailureWindow(k))
			continue
		}
		w := cr.ClientFailureWindow(k)
		require.GreaterOrEqual(t, w, time.Duration(0))
		assert.LessOrEqual(t, float64(e), 1+float64(w)/float64(zMin), "client %d: %d errors in %v", k, e, w)
		assert.GreaterOrEqual(t, cr.ClientFirstError[k], cr.FirstError)
		assert.LessOrEqual(t, cr.ClientLastError[k], cr.LastError)
	}
	assert.Equal(t, cr.Dropped, sum, "every drop is a client's error")
	assert.Equal(t, cr.DroppedByCause[CauseRefused]+cr.DroppedByCause[CauseKilled], cr.Dropped,
		"refused during the lag, or cut at SIGTERM")
	t.Logf("errors per client %v, failure window %v", cr.ClientErrors, cr.FailureWindow())
	// Refused from the scale-in (SIGTERM at once) until the lag ends.
	assert.GreaterOrEqual(t, cr.FirstError, 30*time.Second)
	assert.Less(t, cr.LastError, 50*time.Second)
	assert.Equal(t, cr.FailureWindow(), res.FailureWindow())
}

// TestClosedLoop504DelaysTheNextRequest: a client whose request is routed
// to a terminated instance learns of it only from the 504 after the
// connect timeout (10 s [ALB-TS]), and its next request follows that,
// after its think time; a completed request is followed after its
// duration and think time.
func TestClosedLoop504DelaysTheNextRequest(t *testing.T) {
	t.Parallel()
	think := time.Second
	cfg := goneScenario()
	cfg.Traffic[0].Rate = 0
	cfg.Traffic[0].Clients = 1
	cfg.Traffic[0].ThinkTime = testFixed(think)
	res, recs := observeRun(t, cfg)
	require.Positive(t, res.ConnectTimeouts)
	assert.Equal(t, res.ConnectTimeouts, res.Classes[0].ClientErrors[0], "the one client saw every 504")
	timeouts := 0
	for i := 1; i < len(recs); i++ {
		prev, next := recs[i-1], recs[i]
		gap := next.Arrived - prev.Arrived
		if prev.Failed && prev.Cause == CauseUnreachable {
			timeouts++
			assert.Equal(t, ConnectTimeout+think, gap, "after a 504 at %v", prev.Ended)
		} else if !prev.Failed {
			assert.Equal(t, time.Second+think, gap, "after a completion at %v", prev.Ended)
		}
		assert.GreaterOrEqual(t, next.Arrived, prev.Ended, "one request at a time")
	}
	assert.Positive(t, timeouts)
}

// TestClosedLoopDeterministic: the same seed gives the same result, a
// different seed a different one.
func TestClosedLoopDeterministic(t *testing.T) {
	t.Parallel()
	cfg := closedScenario(3, 8, Distribution{Distribution: Exponential, Mean: 2 * time.Second},
		Distribution{Distribution: Exponential, Mean: time.Second}, 90*time.Second, 1)
	cfg.TargetGroup.DeregistrationDelay = 3 * time.Second
	a, b := rvRun(t, cfg), rvRun(t, cfg)
	require.Positive(t, a.Dropped, "the short delay cuts some requests")
	assert.Equal(t, a, b)
	cfg.Seed = 2
	c := rvRun(t, cfg)
	assert.NotEqual(t, a.Classes[0].ClientErrors, c.Classes[0].ClientErrors)
}

// TestClosedLoopValidate: clients exclude a rate, need kind request and a
// range; think_time needs clients.
func TestClosedLoopValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		tr   Traffic
		want string
	}{
		{"both", Traffic{Rate: 1, Clients: 2}, "traffic[0].clients: set either clients (closed loop) or one of rate, profile, diurnal and rate_file (open arrivals), not both"},
		{"range", Traffic{Clients: -1}, "traffic[0].clients: must be 1–1000000 (got -1)"},
		{"too many", Traffic{Clients: maxClients + 1}, "traffic[0].clients: must be 1–1000000 (got 1000001)"},
		{"connection", Traffic{Clients: 2, Kind: KindConnection}, "traffic[0].clients: applies to kind request only"},
		{"think alone", Traffic{Rate: 1, ThinkTime: testFixed(time.Second)}, "traffic[0].think_time: needs clients"},
		{"bad think", Traffic{Clients: 1, ThinkTime: Distribution{Distribution: Exponential}}, "traffic[0].think_time.mean: must be a positive duration"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := rvScenario(2, 1, testFixed(time.Second), 90*time.Second, 1)
			tc.tr.Duration = testFixed(time.Second)
			cfg.Traffic[0] = tc.tr
			err := cfg.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	cfg := closedScenario(2, 5, testFixed(time.Second), Distribution{}, 90*time.Second, 1)
	require.NoError(t, cfg.Validate())
	d := cfg.withDefaults()
	_, stationary := d.stationaryStart()
	assert.False(t, stationary, "closed-loop clients start empty")
}

// TestClosedLoopRetriesBeforeTheNextRequest: a client with a retry policy
// retries a failed request (attempt 2, 3 …) before it sends its next
// request, and only a request that failed for good counts as its error.
// A retry that lost its client would leave the client silent for good.
func TestClosedLoopRetriesBeforeTheNextRequest(t *testing.T) {
	t.Parallel()
	think := 300 * time.Millisecond
	cfg := closedScenario(2, 1, testFixed(100*time.Millisecond), testFixed(think), 30*time.Second, 1)
	cfg.Platform = Platform{Type: ECS, LaunchType: LaunchEC2, Stop: StopTask}
	cfg.LoadBalancer.PropagationDelay = ConstantLag(20 * time.Second)
	cfg.App.OnSigterm = Immediate
	cfg.Traffic[0].Retry = &Retry{Attempts: 2, Backoff: 50 * time.Millisecond, MaxBackoff: time.Second, Jitter: JitterNone}
	cfg.LoadBalancer.Algorithm = Random // round robin would send every retry to the other target
	cfg.Horizon = 70 * time.Second
	res, recs := observeRun(t, cfg)
	cr := res.Classes[0]
	require.Positive(t, cr.Retries, "the refusing target fails some first attempts")
	require.Positive(t, cr.Dropped, "random routing sends some retries to it too")
	assert.Equal(t, cr.Dropped, cr.ClientErrors[0], "the one client saw every drop")
	retried := 0
	for i := 1; i < len(recs); i++ {
		prev, next := recs[i-1], recs[i]
		switch {
		case prev.Failed && prev.Attempt < 2:
			retried++
			assert.Equal(t, 2, next.Attempt, "the retry comes before the next request (at %v)", prev.Ended)
			assert.Equal(t, 50*time.Millisecond, next.Arrived-prev.Ended, "after its backoff")
		case prev.Failed:
			assert.Equal(t, 1, next.Attempt)
			assert.Equal(t, think, next.Arrived-prev.Ended, "a request that failed for good: think, then the next")
		default:
			assert.Equal(t, 1, next.Attempt)
			assert.Equal(t, think, next.Arrived-prev.Ended)
		}
	}
	assert.Equal(t, int(cr.Retries), retried)
	assert.Greater(t, recs[len(recs)-1].Arrived, 69*time.Second, "the client is still sending long after the lag")
}

// TestClosedLoopSeesFewer504s: while the data plane routes to a
// terminated instance, a closed-loop client that meets it waits the 10 s
// connect timeout for its 504 and sends nothing meanwhile, so a load tool
// counts far fewer errors than open arrivals at the same offered load
// N/(R+Z) — the blocked clients stop offering it. (With errors answered
// at once, 502, it is the reverse: failed cycles are shorter.)
func TestClosedLoopSeesFewer504s(t *testing.T) {
	t.Parallel()
	const n = 20
	d, z := testFixed(100*time.Millisecond), testFixed(900*time.Millisecond)
	closed := goneScenario()
	closed.Traffic[0] = Traffic{Clients: n, Duration: d, ThinkTime: z}
	open := goneScenario()
	open.Traffic[0] = Traffic{Rate: closed.Traffic[0].ClosedLoopRate(), Duration: d}
	require.InDelta(t, 20, open.Traffic[0].Rate, 1e-9)
	rc, ro := rvRun(t, closed), rvRun(t, open)
	ec, eo := rc.Classes[0].ConnectTimeouts, ro.Classes[0].ConnectTimeouts
	t.Logf("504s: closed loop %d (errors per client %v), open %d; failure windows %v and %v",
		ec, rc.Classes[0].ClientErrors, eo, rc.FailureWindow(), ro.FailureWindow())
	require.Positive(t, ec)
	// Open: λ/2 for the 55 s the gone instance is routed, about 550.
	// Closed: each client's cycle is 1 s or 10.9 s with equal odds, so
	// about N·55/(2·5.95) ≈ 92.
	assert.Less(t, float64(ec), float64(eo)/3)
}

// TestClosedLoopNoTargetDoesNotSpin: with every target gone, a client
// with no think time gets a 503 at once; its next request follows one
// round trip later (ClientRoundTrip), not at the same instant for ever.
func TestClosedLoopNoTargetDoesNotSpin(t *testing.T) {
	t.Parallel()
	cfg := closedScenario(1, 2, testFixed(time.Second), Distribution{}, 10*time.Second, 1)
	cfg.Horizon = 20 * time.Second
	res, recs := observeRun(t, cfg)
	cr := res.Classes[0]
	require.Positive(t, cr.DroppedByCause[CauseNoTarget])
	for i := 2; i < len(recs); i++ {
		prev, next := recs[i-2], recs[i] // two clients take turns at each instant
		if prev.Failed && prev.Cause == CauseNoTarget && next.Failed && next.Cause == CauseNoTarget {
			assert.Equal(t, ClientRoundTrip, next.Arrived-prev.Arrived)
		}
	}
	// Both clients' 1 s requests end on whole seconds; from the scale-in
	// at 10 s each sends one request per millisecond until the 20 s
	// horizon: 2 × 10,000, give or take the ends.
	assert.InDelta(t, 2*10000, float64(cr.DroppedByCause[CauseNoTarget]), 4)
}
