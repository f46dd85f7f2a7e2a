package model

// Tests of what the client sees of a failure (status.go): refused (502 at
// once) versus unreachable (504 after the 10 s connect timeout), the
// load balancer's status codes by type, NLB resets and WebSocket cuts.

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recObserver keeps every attempt record.
type recObserver struct{ recs []AttemptRecord }

func (o *recObserver) Attempt(a AttemptRecord) { o.recs = append(o.recs, a) }
func (o *recObserver) Sample(Sample)           {}

func observeRun(t *testing.T, cfg Config) (*Result, []AttemptRecord) {
	t.Helper()
	var o recObserver
	res, err := RunWith(&cfg, 0, RunOptions{Observer: &o})
	require.NoError(t, err)
	rvInvariants(t, &cfg, res)
	return res, o.recs
}

// goneScenario: EC2, one of two targets removed at 10 s with a 5 s delay
// and a 60 s propagation lag: the instance is terminated at 15 s (its 1 s
// the lag sends it are cut then) while the data plane routes to it until
// 70 s. Health checks every 300 s do not take it out of routing first.
func goneScenario() Config {
	cfg := rvScenario(2, 10, testFixed(time.Second), 10*time.Second, 1)
	cfg.LoadBalancer.PropagationDelay = ConstantLag(60 * time.Second)
	cfg.TargetGroup.DeregistrationDelay = 5 * time.Second
	cfg.HealthCheck = HealthCheck{Interval: 300 * time.Second, UnhealthyThreshold: 2}
	return cfg
}

// TestUnreachableIsA504AfterTheConnectTimeout: requests the data plane
// routes to a terminated instance get no connection; the ALB answers 504
// after 10 s [ALB-TS]. The old model refused them with a 502 at once.
func TestUnreachableIsA504AfterTheConnectTimeout(t *testing.T) {
	t.Parallel()
	res, recs := observeRun(t, goneScenario())
	n := res.DroppedByCause[CauseUnreachable]
	// Routed to it from 15 s to 70 s: half of 10 requests/s for 55 s.
	assert.InDelta(t, 275, float64(n), 4*17, "about 275 ± 4 sd of a Poisson count")
	assert.Zero(t, res.DroppedByCause[CauseRefused], "the host is gone, nothing refuses")
	assert.Equal(t, n, res.ELB504, "each is a 504")
	assert.Equal(t, n, res.ConnectTimeouts)
	assert.Equal(t, res.DroppedByCause[CauseDelayExpired], res.ELB502, "what the lag sent it before 15 s is cut then: 502")
	assert.Equal(t, res.ELB502+res.ELB504, res.ELB5xx)
	seen := int64(0)
	for _, a := range recs {
		if a.Failed && a.Cause != CauseDelayExpired {
			seen++
			assert.Equal(t, CauseUnreachable, a.Cause)
			assert.Equal(t, 504, a.Status())
			assert.Equal(t, ConnectTimeout, a.Ended-a.Arrived, "the client learns of it 10 s later")
			assert.False(t, a.Dispatched)
			assert.GreaterOrEqual(t, a.Arrived, 15*time.Second, "only after the instance is gone")
		}
	}
	assert.Equal(t, n, seen)
	// The run waits for the last connect timeout: the last request routed
	// before 70 s is answered 10 s later.
	assert.Greater(t, res.End, 70*time.Second+ConnectTimeout-time.Second)
}

// TestUnreachableRetryWaitsForTheTimeout: a retrying client's retry starts
// its backoff only when the 504 arrives, 10 s after its attempt; the old
// model retried after the backoff alone.
func TestUnreachableRetryWaitsForTheTimeout(t *testing.T) {
	t.Parallel()
	cfg := rvScenario(1, 1e-6, testFixed(time.Second), 50*time.Hour, 1)
	cfg.Traffic[0].Retry = &Retry{Attempts: 2, Backoff: time.Second, MaxBackoff: time.Minute, Jitter: JitterNone}
	cfg.Start = StartEmpty
	require.NoError(t, cfg.Validate())
	r := newRunner(&cfg, 0)
	tg := &r.targets[0]
	tg.accepting, tg.alive, tg.gone = false, false, true // terminated, still routed
	r.admit(0)
	r.attempt(0, time.Second, 1)
	assert.Equal(t, int64(1), r.classes[0].live, "held by the client, not failed yet")
	assert.Equal(t, int64(1), r.classes[0].waiting, "counted with the requests waiting to retry")
	at, ok := r.eng.NextAt()
	require.True(t, ok)
	assert.Equal(t, ConnectTimeout, at, "the failure is known at 10 s")
	r.eng.Step()
	assert.Equal(t, int64(1), r.res.ELB504)
	assert.Zero(t, r.res.Retries)
	at, ok = r.eng.NextAt()
	require.True(t, ok)
	assert.Equal(t, ConnectTimeout+time.Second, at, "the retry comes a backoff after the 504")
	r.eng.Step()
	assert.Equal(t, int64(1), r.res.Retries)
	at, ok = r.eng.NextAt()
	require.True(t, ok)
	assert.Equal(t, 2*ConnectTimeout+time.Second, at, "the retry is unreachable too")
	r.eng.Step()
	assert.Equal(t, int64(1), r.res.DroppedByCause[CauseUnreachable], "its last attempt failed")
	assert.Equal(t, int64(2), r.res.ELB504)
	assert.Zero(t, r.classes[0].live)
	assert.Zero(t, r.classes[0].waiting)
}

// TestUnreachableRetriesAwaited: without a horizon the run waits for the
// connect timeouts and for the retries they lead to, even when the
// scale-in finishes (the lag ends) before the 504 arrives; nothing is left
// in flight.
func TestUnreachableRetriesAwaited(t *testing.T) {
	t.Parallel()
	cfg := goneScenario()
	cfg.Traffic[0].Retry = &Retry{Attempts: 3}
	require.NoError(t, cfg.Validate())
	r := newRunner(&cfg, 0)
	r.run()
	require.NoError(t, r.check())
	res := r.res
	assert.Positive(t, res.ConnectTimeouts)
	assert.Zero(t, r.classes[0].waiting, "every retry ran")
	assert.Zero(t, r.client)
	assert.Equal(t, res.ELB5xx, res.Retries+res.Dropped, "each failure is retried or dropped")
	assert.Greater(t, res.End, 70*time.Second+ConnectTimeout, "the retries of the last 504s ran")
}

// TestRefusedWhileTheHostIsUp: ECS StopTask with a graceful app: the task
// stops accepting at SIGTERM but lives on, finishing its 10 s requests;
// what the lag sends it meanwhile is refused at once (502). Once it has
// exited the task's ENI is gone: unreachable (504).
func TestRefusedWhileTheHostIsUp(t *testing.T) {
	t.Parallel()
	cfg := rvScenario(2, 10, testFixed(10*time.Second), 10*time.Second, 1)
	cfg.LoadBalancer.PropagationDelay = ConstantLag(30 * time.Second)
	cfg.Platform = Platform{Type: ECS, Stop: StopTask, StopTimeout: 30 * time.Second}
	res, recs := observeRun(t, cfg)
	exit := res.Removed[0].Terminated
	require.Greater(t, exit, 15*time.Second, "the task exits when its last request is done")
	require.Less(t, exit, 40*time.Second, "before the lag ends")
	assert.Positive(t, res.DroppedByCause[CauseRefused])
	assert.Positive(t, res.DroppedByCause[CauseUnreachable])
	assert.Equal(t, res.DroppedByCause[CauseRefused], res.ELB502)
	assert.Equal(t, res.DroppedByCause[CauseUnreachable], res.ELB504)
	for _, a := range recs {
		switch {
		case a.Failed && a.Cause == CauseRefused:
			assert.Equal(t, 502, a.Status())
			assert.Equal(t, a.Arrived, a.Ended, "refused at once")
			assert.Less(t, a.Arrived, exit, "while the task lives")
		case a.Failed && a.Cause == CauseUnreachable:
			assert.GreaterOrEqual(t, a.Arrived, exit, "after it exited")
		}
	}
}

// TestCLBAnswers504: a CLB answers 504 where an instance closes the
// connection or the forced close at the end of draining cuts a request
// [CLB-ERR]; the ALB answers 502 for the same.
func TestCLBAnswers504(t *testing.T) {
	t.Parallel()
	for _, lb := range []LBType{ALB, CLB} {
		cfg := rvScenario(2, 10, testFixed(100*time.Second), 200*time.Second, 1)
		cfg.LoadBalancer.Type = lb
		cfg.TargetGroup.ConnectionDraining = true
		cfg.TargetGroup.DeregistrationDelay = 5 * time.Second
		res := rvRun(t, cfg)
		cut := res.DroppedByCause[CauseDelayExpired]
		require.Positive(t, cut, lb)
		if lb == CLB {
			assert.Equal(t, cut, res.ELB504, lb)
			assert.Zero(t, res.ELB502, lb)
		} else {
			assert.Equal(t, cut, res.ELB502, lb)
			assert.Zero(t, res.ELB504, lb)
		}
		assert.Equal(t, cut, res.ELB5xx, lb)
	}
}

// TestNLBResetsNot5xx: NLB clients see TCP resets, not 5xx: flows closed at
// delay expiry (connection termination on) and connections refused during
// the lag.
func TestNLBResetsNot5xx(t *testing.T) {
	t.Parallel()
	cfg := rvScenario(2, 10, testFixed(100*time.Second), 200*time.Second, 1)
	cfg.LoadBalancer.Type = NLB
	cfg.TargetGroup.ConnectionTermination = true
	cfg.TargetGroup.DeregistrationDelay = 5 * time.Second
	cfg.LoadBalancer.PropagationDelay = ConstantLag(20 * time.Second)
	cfg.Platform = Platform{Type: EKS, PreStopSleep: 10 * time.Second, TerminationGracePeriod: 60 * time.Second}
	res, recs := observeRun(t, cfg)
	require.Positive(t, res.DroppedByCause[CauseDelayExpired])
	require.Positive(t, res.DroppedByCause[CauseRefused])
	assert.Zero(t, res.ELB5xx, "an NLB logs no HTTP status")
	assert.Equal(t, res.Dropped-res.DroppedByCause[CauseUnreachable], res.Resets)
	for _, a := range recs {
		if a.Failed {
			assert.Zero(t, a.Status())
			assert.Equal(t, a.Cause != CauseUnreachable, a.Reset)
		}
	}
}

// TestALBWebSocketCutIsNot5xx: an established WebSocket cut when the delay
// expires is not an ELB 5xx (its 101 was sent) but a connection cut; a
// reconnect that fails to connect is a 5xx.
func TestALBWebSocketCutIsNot5xx(t *testing.T) {
	t.Parallel()
	cfg := rvScenario(2, 1, testFixed(500*time.Second), 200*time.Second, 1)
	cfg.Traffic[0].Kind = KindConnection
	cfg.TargetGroup.DeregistrationDelay = 10 * time.Second
	res := rvRun(t, cfg)
	cut := res.DroppedByCause[CauseDelayExpired]
	require.Positive(t, cut)
	assert.Equal(t, cut, res.ConnectionCuts)
	assert.Zero(t, res.ELB5xx, "no 5xx for a cut WebSocket")
	assert.Equal(t, cut, res.Classes[0].ConnectionCuts)

	// Connecting to a gone pod during the lag: a failed WebSocket upgrade
	// is a 5xx (504 after the connect timeout).
	cfg = rvScenario(2, 1, testFixed(500*time.Second), 200*time.Second, 1)
	cfg.Traffic[0].Kind = KindConnection
	cfg.LoadBalancer.PropagationDelay = ConstantLag(60 * time.Second)
	cfg.Platform = Platform{Type: EKS}
	res = rvRun(t, cfg)
	require.Positive(t, res.ConnectTimeouts)
	assert.Zero(t, res.ConnectionCuts, "closed with close frames at SIGTERM")
	assert.Equal(t, res.ConnectTimeouts, res.ELB504)
	assert.Equal(t, res.ELB504, res.ELB5xx)
}
