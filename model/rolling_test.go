package model

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rollingScenario is an ECS service of n tasks behind an ALB with a short
// lag, delay and stop timeout, whose only event is a rolling update at 2m
// with the given counts (nil: the platform's default).
func rollingScenario(n int, surge, unavail *int) Config {
	cfg := Default()
	cfg.LoadBalancer.PropagationDelay = ConstantLag(2 * time.Second)
	cfg.TargetGroup.DeregistrationDelay = 10 * time.Second
	cfg.Platform = Platform{Type: ECS, StopTimeout: 5 * time.Second}
	cfg.Fleet = Fleet{Targets: n, LaunchTime: 20 * time.Second}
	cfg.HealthCheck = HealthCheck{Interval: 5 * time.Second, HealthyThreshold: 2}
	cfg.Traffic = []Traffic{{Rate: 50, Duration: testFixed(50 * time.Millisecond)}}
	cfg.RollingUpdate = []RollingUpdate{{At: 2 * time.Minute, MaxSurge: surge, MaxUnavailable: unavail}}
	return cfg
}

// runRolling runs cfg with samples every 500 ms and checks what every
// rolling update must show: every old target replaced through a removal
// reported as a scale-in, every new one healthy, the finish time.
func runRolling(t *testing.T, cfg Config, rep int) (*Result, *recorder) {
	t.Helper()
	var rec recorder
	res, err := RunWith(&cfg, rep, RunOptions{Observer: &rec, SamplePeriod: 500 * time.Millisecond})
	require.NoError(t, err)
	checkIdentity(t, res)
	n := cfg.Fleet.Targets
	require.Len(t, res.RollingUpdates, 1)
	ru := res.RollingUpdates[0]
	require.Len(t, res.ScaleIns, len(cfg.ScaleIn)+1, "the update's removals are one more scale-in")
	si := res.ScaleIns[ru.ScaleIn]
	assert.Equal(t, n, si.Targets)
	require.Len(t, res.Removed, n)
	require.Len(t, res.Launched, n)
	lastHealthy := time.Duration(0)
	for k := range n {
		assert.Equal(t, k, res.Removed[k].Target, "oldest first")
		assert.Equal(t, ru.ScaleIn, res.Removed[k].ScaleIn)
		assert.GreaterOrEqual(t, res.Removed[k].Terminated, time.Duration(0), "old target %d terminated", k)
		assert.Equal(t, n+k, res.Launched[k].Target)
		assert.Equal(t, 0, res.Launched[k].RollingUpdate)
		assert.GreaterOrEqual(t, res.Launched[k].Healthy, time.Duration(0), "new target %d healthy", k)
		lastHealthy = max(lastHealthy, res.Launched[k].Healthy)
	}
	require.GreaterOrEqual(t, si.Finished, time.Duration(0))
	assert.Equal(t, max(si.Finished, lastHealthy), ru.Finished, "finished: last new healthy or last old terminated")
	assert.Equal(t, ru.Finished-ru.At, ru.Duration())
	assert.GreaterOrEqual(t, res.End, ru.Finished, "a run without a horizon waits for the update")
	return res, &rec
}

// minSampled is the fewest healthy targets sampled from at to end.
func minSampled(rec *recorder, at, end time.Duration) int {
	m := -1
	for _, s := range rec.samples {
		if s.At >= at && s.At <= end && (m < 0 || s.Healthy < m) {
			m = s.Healthy
		}
	}
	return m
}

// TestRollingSurge: with max_surge 1 and max_unavailable 0 a new target is
// launched first and an old one is removed only once the new one is
// healthy, so the healthy count (sampled every 500 ms, as HealthyHostCount
// counts) never falls below n. Removing before the new target is healthy
// would show n − 1.
func TestRollingSurge(t *testing.T) {
	t.Parallel()
	one, zero := 1, 0
	cfg := rollingScenario(4, &one, &zero)
	res, rec := runRolling(t, cfg, 0)
	ru := res.RollingUpdates[0]
	assert.Equal(t, RollingUpdateResult{At: 2 * time.Minute, ScaleIn: 0, Targets: 4, InService: 4, MaxSurge: 1, MaxUnavailable: 0,
		MinHealthy: 4, Finished: ru.Finished}, ru)
	assert.Equal(t, 4, minSampled(rec, ru.At, ru.Finished), "healthy never below n")
	for k := range 4 {
		assert.GreaterOrEqual(t, res.Removed[k].Decided, res.Launched[k].Healthy, "old %d leaves after new %d is healthy", k, k)
		if k > 0 {
			assert.GreaterOrEqual(t, res.Launched[k].Launched, res.Launched[k-1].Healthy, "one surge target at a time")
		}
	}
	assert.Zero(t, res.Dropped, "a short lag under the delay, graceful tasks: nothing dropped")
}

// TestRollingUnavailable: with max_surge 0 and max_unavailable 1 an old
// target leaves first (deregistered at the update's start) and its
// replacement is launched then, so it is healthy only after the old one
// left: the healthy count dips to n − 1, never lower.
func TestRollingUnavailable(t *testing.T) {
	t.Parallel()
	one, zero := 1, 0
	cfg := rollingScenario(4, &zero, &one)
	res, rec := runRolling(t, cfg, 0)
	ru := res.RollingUpdates[0]
	assert.Equal(t, 3, ru.MinHealthy)
	assert.Equal(t, ru.At, res.Removed[0].Deregistered, "the first old target leaves at once")
	assert.Equal(t, ru.At, res.Launched[0].Launched)
	for k := range 4 {
		assert.Less(t, res.Removed[k].Deregistered, res.Launched[k].Healthy, "old %d leaves before new %d is healthy", k, k)
	}
	assert.Equal(t, 3, minSampled(rec, ru.At, ru.Finished), "healthy dips to n − 1 and no lower")
}

// TestRollingDefaults: counts left unset come from the platform.
func TestRollingDefaults(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		p              Platform
		n              int
		surge, unavail int
	}{
		{Platform{Type: ECS}, 6, 6, 0},  // 200 % / 100 %
		{Platform{Type: EKS}, 6, 2, 1},  // 25 % up / 25 % down
		{Platform{Type: EC2}, 20, 0, 2}, // min healthy 90 % rounded up
		{Platform{Type: EC2}, 6, 0, 0},  // ⌈5.4⌉ = 6: both 0, the run uses unavailable 1
	} {
		s, u := rollingDefaults(c.p, c.n)
		assert.Equal(t, []int{c.surge, c.unavail}, []int{s, u}, "%s n=%d", c.p.Type, c.n)
	}
	cfg := rollingScenario(6, nil, nil)
	cfg.Platform = Platform{Type: EC2}
	res, _ := runRolling(t, cfg, 0)
	assert.Equal(t, []int{0, 1}, []int{res.RollingUpdates[0].MaxSurge, res.RollingUpdates[0].MaxUnavailable})
	assert.Equal(t, 5, res.RollingUpdates[0].MinHealthy)
}

// TestRollingPartial: targets = 2 replaces the two oldest and leaves the
// rest; a scale-in in the same scenario keeps its own index.
func TestRollingPartial(t *testing.T) {
	t.Parallel()
	one := 1
	cfg := rollingScenario(4, &one, nil)
	cfg.RollingUpdate[0].Targets = 2
	cfg.ScaleIn = []ScaleIn{{At: 10 * time.Minute, Targets: 1, Pick: PickNewest}}
	res, err := Run(&cfg, 0)
	require.NoError(t, err)
	checkIdentity(t, res)
	require.Len(t, res.ScaleIns, 2)
	assert.Equal(t, 1, res.RollingUpdates[0].ScaleIn)
	require.Len(t, res.Removed, 3)
	assert.Equal(t, []int{0, 1}, []int{res.Removed[0].Target, res.Removed[1].Target})
	assert.Equal(t, []int{1, 1}, []int{res.Removed[0].ScaleIn, res.Removed[1].ScaleIn})
	assert.Equal(t, 5, res.Removed[2].Target, "the scale-in picks the newest: the second new target")
	assert.Equal(t, 0, res.Removed[2].ScaleIn)
	assert.Len(t, res.Launched, 2)
}

// eksRolling is an EKS Deployment of 6 pods (maxSurge/maxUnavailable
// 25 %: 2 and 1) behind an ALB with its field-measured propagation lag and
// a 300 s delay, updated at 2m, with preStop sleep p and a 90 s grace
// period.
func eksRolling(p time.Duration) Config {
	cfg := Default()
	cfg.Platform = Platform{Type: EKS, PreStopSleep: p, TerminationGracePeriod: 90 * time.Second}
	cfg.Fleet = Fleet{Targets: 6}
	cfg.HealthCheck = HealthCheck{Interval: 10 * time.Second, HealthyThreshold: 2}
	cfg.Traffic = []Traffic{{Rate: 100, Duration: Distribution{Distribution: LogNormal, Median: 50 * time.Millisecond, P99: 500 * time.Millisecond}}}
	cfg.RollingUpdate = []RollingUpdate{{At: 2 * time.Minute}}
	return cfg
}

// TestRollingUpdateDrops: during a Deployment's rolling update, pods that
// get SIGTERM at once (preStop 0) stop accepting, and exit once idle,
// while the ALB still routes to them for its propagation lag: requests are
// refused (502) or, once the pod IP is gone, unreachable (504). With a
// 70 s preStop sleep, longer than the lag's reach, nothing is dropped —
// the direction reported for deployments in aws-load-balancer-controller
// #2106 (preStop 0: 502s; 70 s: none) and #1064.
func TestRollingUpdateDrops(t *testing.T) {
	t.Parallel()
	shortCfg, longCfg := eksRolling(0), eksRolling(70*time.Second)
	short, err := Run(&shortCfg, 0)
	require.NoError(t, err)
	checkIdentity(t, short)
	assert.Greater(t, short.DroppedByCause[CauseRefused]+short.DroppedByCause[CauseUnreachable], int64(0),
		"preStop 0: refused or unreachable during the lag")
	for rep := range 3 {
		long, err := Run(&longCfg, rep)
		require.NoError(t, err)
		checkIdentity(t, long)
		assert.Zero(t, long.Dropped, "preStop 70 s, replication %d", rep)
		assert.Equal(t, 6, len(long.Removed))
	}
	t.Logf("preStop 0: %d dropped of %d (%v); update took %v", short.Dropped, short.Arrivals, short.DroppedByCause, short.RollingUpdates[0].Duration())
}

// TestRollingDeterminism: the same seed and replication give the same
// result, launches and health-check phases included.
func TestRollingDeterminism(t *testing.T) {
	t.Parallel()
	cfg := eksRolling(0)
	cfg.ScaleOut = []ScaleOut{{At: time.Minute, Targets: 1}}
	a, err := Run(&cfg, 2)
	require.NoError(t, err)
	b, err := Run(&cfg, 2)
	require.NoError(t, err)
	assert.Equal(t, a, b)
	c, err := Run(&cfg, 3)
	require.NoError(t, err)
	assert.NotEqual(t, a.Launched, c.Launched, "another replication draws other health-check phases")
}

// TestRollingEstimateCaveat: the closed form says it does not cover a
// rolling update or a scale-out, even where it would otherwise apply.
func TestRollingEstimateCaveat(t *testing.T) {
	t.Parallel()
	cfg := testScenario(4, 10, testFixed(time.Second), 5*time.Minute, 1)
	keys := func() []string {
		var ks []string
		e := cfg.withDefaults()
		for _, cv := range e.caveats() {
			if cv.Kind == DoesNotApply {
				ks = append(ks, cv.Key)
			}
		}
		return ks
	}
	assert.Empty(t, keys())
	cfg.RollingUpdate = []RollingUpdate{{At: 6 * time.Minute}}
	cfg.ScaleOut = []ScaleOut{{At: 7 * time.Minute, Targets: 1}}
	assert.Equal(t, []string{"rolling_update", "scale_out"}, keys())
}
