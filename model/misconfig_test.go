package model

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat"
)

// meanSE runs reps replications of cfg and returns the mean and standard
// error of f over them.
func runMeanSE(t *testing.T, cfg Config, reps int, f func(*Result) float64) (mean, se float64) {
	t.Helper()
	xs := make([]float64, reps)
	for r := range reps {
		xs[r] = f(mustRun(t, cfg, r))
	}
	m, sd := stat.MeanStdDev(xs, nil)
	return m, sd / math.Sqrt(float64(reps))
}

func unreachable(res *Result) float64 { return float64(res.DroppedByCause[CauseUnreachable]) }

// An instance terminated without deregistration (scale_in kind
// "terminate", kops#11256) is found only by the health checks: the load
// balancer keeps sending it a 1/n share of the requests, each a connect
// timeout, for (u + unhealthy_threshold − 1) × interval plus the NLB's
// unhealthy lag, u uniform: on average (0.5 + 1) × 10 s + 35 s = 50 s.
// Before the kind existed the scenario was refused; a normal scale-in
// with no lag has no unreachable drop at all.
func TestTerminateWithoutDeregistration(t *testing.T) {
	const reps, rate, n = 60, 8.0, 4
	cfg := testScenario(n, rate, Distribution{Distribution: Constant, Value: 100 * time.Millisecond}, 60*time.Second, 1)
	cfg.LoadBalancer.Type = NLB
	cfg.LoadBalancer.UnhealthyLag = Lag{Distribution: Distribution{Distribution: Uniform, Min: 30 * time.Second, Max: 40 * time.Second}}
	cfg.HealthCheck.Interval = 10 * time.Second
	cfg.ScaleIn[0].Kind = KindTerminate
	require.NoError(t, cfg.Validate())
	m, se := runMeanSE(t, cfg, reps, unreachable)
	want := rate / n * (1.5*10 + 35)
	assert.InDelta(t, want, m, 4*se+1.0/reps, "unreachable during health-check detection: %.1f ± %.1f, want %.1f", m, se, want)

	normal := cfg
	normal.ScaleIn = []ScaleIn{{At: cfg.ScaleIn[0].At, Targets: 1}}
	m0, _ := runMeanSE(t, normal, 10, unreachable)
	assert.Zero(t, m0, "a deregistered target is not routed to after it is gone")

	cfg.Platform.Type = ECS
	assert.ErrorContains(t, cfg.Validate(), "scale_in[0].kind")
}

// A lifecycle hook whose handler completes the action before draining
// ends (complete_early, aws-cdk#13506) terminates the instance while the
// load balancer still routes to it: requests in the rest of the
// propagation lag (10 s − 1 s handler) time out, a 1/n share each. The
// correct hook runs after draining and drops nothing here. On ECS with
// launch_type "ec2" the container instance dies with its tasks: the same
// requests find no host (504, unreachable), where a task stopped on a
// live host is refused (502).
func TestHookCompleteEarly(t *testing.T) {
	const reps, rate, n = 60, 8.0, 4
	base := testScenario(n, rate, Distribution{Distribution: Constant, Value: 100 * time.Millisecond}, 60*time.Second, 1)
	base.LoadBalancer.PropagationDelay = ConstantLag(10 * time.Second)
	base.TargetGroup.DeregistrationDelay = 60 * time.Second
	want := rate / n * (10 - 1)
	for _, tc := range []struct {
		name string
		edit func(*Config)
	}{
		{"ec2", func(c *Config) {}},
		{"ecs-on-ec2", func(c *Config) { c.Platform.Type, c.Platform.LaunchType = ECS, LaunchEC2 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			tc.edit(&cfg)
			cfg.Platform.LifecycleHook = &LifecycleHook{HandlerDuration: time.Second, CompleteEarly: true}
			require.NoError(t, cfg.Validate())
			m, se := runMeanSE(t, cfg, reps, unreachable)
			assert.InDelta(t, want, m, 4*se+1.0/reps, "unreachable: %.1f ± %.1f, want %.1f", m, se, want)

			cfg.Platform.LifecycleHook = &LifecycleHook{HandlerDuration: time.Second}
			if cfg.Platform.Type == ECS {
				cfg.Platform.LifecycleHook = nil
			}
			m0, _ := runMeanSE(t, cfg, 10, unreachable)
			assert.Zero(t, m0, "a hook that waits for draining drops nothing here")
		})
	}
	c := base
	c.Platform.Type = ECS // Fargate: no host, no hook
	c.Platform.LifecycleHook = &LifecycleHook{CompleteEarly: true}
	assert.ErrorContains(t, c.Validate(), "platform.lifecycle_hook")
}

// Each misconfiguration is listed among the run's assumptions with a
// warning, so a report never shows its drops without saying why.
func TestMisconfigWarnings(t *testing.T) {
	warned := func(c Config, key string) bool {
		for _, a := range c.Assumptions() {
			if a.Key == key && a.Warning != "" {
				return true
			}
		}
		return false
	}
	c := testScenario(4, 1, Distribution{Distribution: Constant, Value: time.Second}, time.Minute, 1)
	assert.False(t, warned(c, "scale_in[0].kind"))
	c.ScaleIn[0].Kind = KindTerminate
	assert.True(t, warned(c, "scale_in[0].kind"))

	c = testScenario(4, 1, Distribution{Distribution: Constant, Value: time.Second}, time.Minute, 1)
	c.Platform.LifecycleHook = &LifecycleHook{HandlerDuration: time.Second}
	assert.False(t, warned(c, "platform.lifecycle_hook.complete_early"))
	c.Platform.LifecycleHook.CompleteEarly = true
	assert.True(t, warned(c, "platform.lifecycle_hook.complete_early"))
}

// ECS on EC2 with several tasks per container instance: a scale-in takes
// whole hosts, and a host terminated without a drain hook (kind
// "terminate", PRX/Infrastructure#96, aws-cdk#13506's setup without its
// hook) takes all its tasks, none deregistered: each is routed to until
// the health checks find it, (0.5 + 1) × 30 s on average on an ALB, a
// 1/n share of the requests each. Before tasks_per_host the picks were
// random single tasks, often on two hosts, and ECS refused kind
// "terminate".
func TestTasksPerHost(t *testing.T) {
	const reps, rate, n, per = 60, 16.0, 8, 2
	cfg := testScenario(n, rate, Distribution{Distribution: Constant, Value: 100 * time.Millisecond}, 60*time.Second, per)
	cfg.Platform.Type, cfg.Platform.LaunchType, cfg.Platform.TasksPerHost = ECS, LaunchEC2, per
	cfg.ScaleIn[0].Kind = KindTerminate
	cfg.ScaleIn[0].Pick = PickRandom
	require.NoError(t, cfg.Validate())
	for r := range 10 {
		res := mustRun(t, cfg, r)
		require.Len(t, res.Removed, per)
		a, b := res.Removed[0], res.Removed[1]
		assert.Equal(t, a.Target/per, b.Target/per, "a random host's two tasks, not two random tasks (rep %d)", r)
		assert.Equal(t, a.Terminated, b.Terminated, "they die with their host")
	}
	m, se := runMeanSE(t, cfg, reps, unreachable)
	want := per * rate / n * 1.5 * 30
	assert.InDelta(t, want, m, 4*se+1.0/reps, "unreachable: %.1f ± %.1f, want %.1f", m, se, want)

	bad := cfg
	bad.ScaleIn = []ScaleIn{{At: time.Minute, Targets: 3}}
	assert.ErrorContains(t, bad.Validate(), "scale_in[0].targets")
	bad = cfg
	bad.Platform.LaunchType = LaunchFargate
	assert.ErrorContains(t, bad.Validate(), "platform.tasks_per_host")
	assert.True(t, slices.ContainsFunc(cfg.Assumptions(), func(a Assumption) bool { return a.Key == "platform.tasks_per_host" && a.Warning != "" }))
}

// The keep-alive race's FIN window is the scenario's
// (load_balancer.fin_window): the closed form of TestKeepAliveRaceClosedForm,
// N·(e^{−λ(K+d)} − e^{−λ(K+d+w)}), must follow w. At w = 20 ms the race is
// about 20 times as likely as at the 1 ms that was hard-wired before the
// setting existed, which this count would be far outside of.
func TestFINWindowSetting(t *testing.T) {
	const (
		lambda = 1.0
		k      = time.Second
		d      = time.Millisecond
		w      = 20 * time.Millisecond
		span   = 20000 * time.Second
	)
	c := Default()
	c.Horizon = span
	c.Fleet.Targets = 1
	c.App.KeepaliveTimeout = k
	c.LoadBalancer.IdleTimeout = 60 * time.Second
	c.LoadBalancer.FINWindow = w
	c.Traffic = []Traffic{{Rate: lambda, Duration: Distribution{Distribution: Constant, Value: d}}}
	c.ScaleIn = []ScaleIn{{At: span - time.Second, Targets: 1}}
	res, err := Run(&c, 0)
	require.NoError(t, err)
	x := (k + d).Seconds()
	want := float64(res.Arrivals) * (math.Exp(-lambda*x) - math.Exp(-lambda*(x+w.Seconds())))
	got := float64(res.DroppedByCause[CauseKeepaliveRace])
	require.Greater(t, want, 50.0, "enough expected races to be sharp")
	assert.InDelta(t, want, got, 4*math.Sqrt(want), "races with a %v FIN window", w)

	c.LoadBalancer.FINWindow = 2 * time.Second
	assert.ErrorContains(t, c.Validate(), "load_balancer.fin_window")
	c.LoadBalancer.FINWindow = time.Millisecond
	c.LoadBalancer.Type = NLB
	c.LoadBalancer.IdleTimeout = 0
	assert.ErrorContains(t, c.Validate(), "load_balancer.fin_window")
}

// A target terminated without deregistration (kind "terminate") stays in
// service until its shutdown runs: with a shutdown_grace, for the whole
// grace. A second scale-in then must not pick it again: each scale-in
// removes its own targets. Before, the target still read healthy, the
// second scale-in took it (the oldest) again, and both claimed the same
// instance: three targets were asked for, two removed, and a run
// without a horizon never ended.
func TestTerminateNotPickedTwice(t *testing.T) {
	cfg := testScenario(4, 8, Distribution{Distribution: Constant, Value: 100 * time.Millisecond}, 30*time.Second, 1)
	cfg.ScaleIn = []ScaleIn{
		{At: time.Minute, Targets: 1, Kind: KindTerminate},
		{At: time.Minute, Targets: 1, Kind: KindTerminate},
		{At: time.Minute + 10*time.Second, Targets: 1},
	}
	cfg.Platform.ShutdownGrace = 30 * time.Second
	cfg.Horizon = 5 * time.Minute // the old run never ended
	require.NoError(t, cfg.Validate())
	res := mustRun(t, cfg, 0)
	seen := map[int]bool{}
	for _, rm := range res.Removed {
		assert.False(t, seen[rm.Target], "target %d removed twice", rm.Target)
		seen[rm.Target] = true
	}
	assert.Len(t, seen, 3)
	for i, s := range res.ScaleIns {
		assert.Equal(t, 1, s.Targets, "scale_in[%d]", i)
	}
}
