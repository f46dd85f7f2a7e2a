package model

// Tests of the platform rules of issue #9 §4: EC2 billing and Spot
// interruptions, ECS launch types and the lame-duck app, EKS target types
// and the kubelet's grace extension, NLB unhealthy draining and the CLB's
// health checks. Each fails on the model before the rule. Durations and
// lags are constants, so every expected figure is exact.

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func boolPtr(b bool) *bool { return &b }

// TestEC2BillingEndsAtShutdown: EC2 bills until the instance enters
// shutting-down [EC2-STATE], not until power-off after shutdown_grace.
// Requests last 100 s, so the target drains at the 5 s expiry (35 s);
// the app ignores SIGTERM and the OS powers off 30 s later (65 s).
func TestEC2BillingEndsAtShutdown(t *testing.T) {
	t.Parallel()
	cfg := testScenario(2, 4, testFixed(100*time.Second), 30*time.Second, 1)
	cfg.TargetGroup.DeregistrationDelay = 5 * time.Second
	cfg.Platform.ShutdownGrace = 30 * time.Second
	cfg.App.OnSigterm = Ignore
	cfg.Fleet.PricePerHour = 3.6 // $0.001 per second
	res := mustRun(t, cfg, 0)
	rt := res.Removed[0]
	assert.Equal(t, 35*time.Second, rt.BillingEnded, "billing ends as shutting-down begins")
	assert.Equal(t, 65*time.Second, rt.Terminated, "power-off after the shutdown grace")
	assert.InDelta(t, 0.005, rt.CostUSD, 1e-12, "5 s billed, not 35 s")
	assert.Empty(t, res.CostBasis, "an instance's own bill")
}

// spotScenario removes one EC2 instance at 30 s with a Spot interruption
// notice. Requests last d; the deregistration delay is 300 s.
func spotScenario(d time.Duration) Config {
	cfg := testScenario(2, 4, testFixed(d), 30*time.Second, 1)
	cfg.ScaleIn[0].Kind = KindSpotInterruption
	cfg.Fleet.PricePerHour = 3.6
	return cfg
}

// TestSpotInterruption: EC2 shuts a Spot Instance down two minutes after
// the notice whatever the deregistration delay or lifecycle hook
// [EC2-SPOT]; what is still open is killed. A target that drains sooner
// is terminated as usual.
func TestSpotInterruption(t *testing.T) {
	t.Parallel()
	cfg := spotScenario(1000 * time.Second)
	cfg.Platform.LifecycleHook = &LifecycleHook{HandlerDuration: 10 * time.Minute}
	res := mustRun(t, cfg, 0)
	rt := res.Removed[0]
	assert.Equal(t, 150*time.Second, rt.Terminated, "notice + 2 min, not the 300 s delay nor the hook")
	assert.Equal(t, 150*time.Second, rt.BillingEnded)
	assert.Equal(t, 150*time.Second, rt.Drained, "killing it emptied it")
	assert.Zero(t, res.DroppedByCause[CauseDelayExpired], "the delay never expired")
	assert.Positive(t, res.DroppedByCause[CauseKilled])
	assert.Equal(t, rt.InFlightAtDeregistration, res.DroppedByCause[CauseKilled],
		"nothing is routed to it after the notice (lag 0): what it had then is killed")
	assert.InDelta(t, 0.120, rt.CostUSD, 1e-12)

	// The same scale-in without the notice waits for the delay and the
	// hook.
	cfg.ScaleIn[0].Kind = ""
	normal := mustRun(t, cfg, 0)
	assert.Equal(t, 930*time.Second, normal.Removed[0].Terminated, "300 s delay + 600 s hook")

	// Short requests: draining — the last request, then the 60 s idle
	// keep-alive connection — ends before the two minutes.
	short := mustRun(t, spotScenario(time.Second), 0)
	st := short.Removed[0]
	assert.Less(t, st.Terminated, 150*time.Second)
	assert.Equal(t, 60*time.Second, st.IdleHold())
	assert.Equal(t, st.Drained, st.Terminated)
	assert.Zero(t, short.Dropped)
}

// TestFargateStopTimeoutMax: every Fargate task's stop timeout is at most
// 120 s [ECS-CD], not only Fargate Spot's; ECS on EC2 has no documented
// maximum (ECS_CONTAINER_STOP_TIMEOUT), so 600 s stands there.
func TestFargateStopTimeoutMax(t *testing.T) {
	t.Parallel()
	cfg := testScenario(2, 1, testFixed(time.Second), 10*time.Second, 1)
	cfg.Platform = Platform{Type: ECS, StopTimeout: 200 * time.Second}
	assert.Equal(t, []string{"platform.stop_timeout"}, errorPaths(t, cfg.Validate()), "fargate is the default launch type")
	cfg.Platform.LaunchType = LaunchEC2
	assert.NoError(t, cfg.Validate())
	cfg.Platform.StopTimeout = 601 * time.Second
	assert.Equal(t, []string{"platform.stop_timeout"}, errorPaths(t, cfg.Validate()))
	cfg.Platform = Platform{Type: ECS, Stop: StopFargateSpot, LaunchType: LaunchEC2}
	assert.Equal(t, []string{"platform.stop"}, errorPaths(t, cfg.Validate()))
	cfg.Platform = Platform{Type: ECS, LaunchType: "lambda"}
	assert.Equal(t, []string{"platform.launch_type"}, errorPaths(t, cfg.Validate()))
	cfg.Platform = Platform{Type: EC2, LaunchType: LaunchFargate}
	assert.Equal(t, []string{"platform.launch_type"}, errorPaths(t, cfg.Validate()))
}

// keepScenario: ECS StopTask (SIGTERM at the decision, 10 s) while the
// load balancer routes to the task for another 10 s.
func keepScenario(keep time.Duration) Config {
	cfg := testScenario(2, 20, testFixed(100*time.Millisecond), 10*time.Second, 1)
	cfg.Platform = Platform{Type: ECS, Stop: StopTask, StopTimeout: 60 * time.Second}
	cfg.LoadBalancer.PropagationDelay = ConstantLag(10 * time.Second)
	cfg.App.KeepAccepting = keep
	return cfg
}

// TestKeepAccepting: a lame-duck app keeps accepting and serving for
// keep_accepting after SIGTERM, so requests routed during the lag are
// served; it then stops accepting and exits when idle.
func TestKeepAccepting(t *testing.T) {
	t.Parallel()
	plain := rvRun(t, keepScenario(0))
	assert.Positive(t, plain.DroppedByCause[CauseRefused]+plain.DroppedByCause[CauseUnreachable],
		"without lame duck the lag's requests are refused (502), then unreachable once the task is gone (504)")
	assert.Equal(t, 10*time.Second, plain.Removed[0].Terminated, "idle at SIGTERM: exits at once")

	lame := rvRun(t, keepScenario(15*time.Second))
	assert.Zero(t, lame.Dropped, "served through the 10 s lag")
	assert.Equal(t, 25*time.Second, lame.Removed[0].Terminated, "stops accepting at 25 s, idle since the lag ended")

	bad := keepScenario(time.Second)
	bad.App.OnSigterm = Immediate
	assert.Equal(t, []string{"app.keep_accepting"}, errorPaths(t, bad.Validate()))
	bad = keepScenario(2 * time.Hour)
	assert.Equal(t, []string{"app.keep_accepting"}, errorPaths(t, bad.Validate()))
}

// nlbUnhealthyScenario: an NLB, ECS StopTask (SIGTERM at 10 s, SIGKILL at
// 70 s), a 60 s lag, so the task is declared unhealthy 5–10 s after
// SIGTERM while its 100 s flows are still open.
func nlbUnhealthyScenario(termination *bool, interval time.Duration) Config {
	cfg := testScenario(2, 1, testFixed(100*time.Second), 10*time.Second, 1)
	cfg.LoadBalancer.Type = NLB
	cfg.LoadBalancer.PropagationDelay = ConstantLag(60 * time.Second)
	cfg.Platform = Platform{Type: ECS, Stop: StopTask, StopTimeout: 60 * time.Second}
	cfg.HealthCheck = HealthCheck{Interval: 5 * time.Second, UnhealthyThreshold: 2}
	cfg.TargetGroup.UnhealthyConnectionTermination = termination
	cfg.TargetGroup.UnhealthyDrainingInterval = interval
	return cfg
}

// TestNLBUnhealthyDraining: with connection termination on unhealthy (the
// default) flows are reset at once; off, they are kept; with an unhealthy
// draining interval they are kept that long (unhealthy.draining), then
// reset [TGA, NLB-UD].
func TestNLBUnhealthyDraining(t *testing.T) {
	t.Parallel()
	on := rvRun(t, nlbUnhealthyScenario(nil, 0))
	assert.Positive(t, on.DroppedByCause[CauseUnhealthyReset])
	assert.Zero(t, on.DroppedByCause[CauseKilled])

	off := rvRun(t, nlbUnhealthyScenario(boolPtr(false), 0))
	assert.Zero(t, off.DroppedByCause[CauseUnhealthyReset], "termination off keeps the flows")
	assert.Positive(t, off.DroppedByCause[CauseKilled], "until SIGKILL at 70 s")

	short := rvRun(t, nlbUnhealthyScenario(boolPtr(false), 30*time.Second))
	assert.Equal(t, off.DroppedByCause[CauseKilled], short.DroppedByCause[CauseUnhealthyReset],
		"reset 35–40 s after SIGTERM, before the kill: the same flows")
	assert.Zero(t, short.DroppedByCause[CauseKilled])

	long := rvRun(t, nlbUnhealthyScenario(boolPtr(false), 200*time.Second))
	assert.Zero(t, long.DroppedByCause[CauseUnhealthyReset], "the task is killed before the interval ends")
	assert.Equal(t, off.DroppedByCause[CauseKilled], long.DroppedByCause[CauseKilled])

	for _, c := range []struct {
		name string
		cfg  Config
	}{
		{"interval needs termination off", nlbUnhealthyScenario(nil, 30*time.Second)},
		{"interval range", nlbUnhealthyScenario(boolPtr(false), 360001*time.Second)},
		{"interval whole seconds", nlbUnhealthyScenario(boolPtr(false), 1500*time.Millisecond)},
	} {
		assert.Equal(t, []string{"target_group.unhealthy_draining_interval"}, errorPaths(t, c.cfg.Validate()), c.name)
	}
	alb := nlbUnhealthyScenario(boolPtr(false), 0)
	alb.LoadBalancer.Type = ALB
	assert.Equal(t, []string{"target_group.unhealthy_connection_termination"}, errorPaths(t, alb.Validate()))
	ok := nlbUnhealthyScenario(boolPtr(false), 360000*time.Second)
	assert.NoError(t, ok.Validate())
}

// clbUnhealthyScenario: a CLB, EKS with a 10 s preStop: the pod accepts
// the requests routed to it during the first 10 s of the 120 s lag,
// stops listening at SIGTERM and is declared unhealthy 5–10 s later,
// while those 200 s requests are in flight.
func clbUnhealthyScenario(draining bool) Config {
	cfg := testScenario(2, 2, testFixed(200*time.Second), 10*time.Second, 1)
	cfg.LoadBalancer.Type = CLB
	cfg.LoadBalancer.PropagationDelay = ConstantLag(120 * time.Second)
	cfg.TargetGroup.ConnectionDraining = draining
	cfg.Platform = Platform{Type: EKS, PreStopSleep: 10 * time.Second, TerminationGracePeriod: 600 * time.Second}
	cfg.HealthCheck = HealthCheck{Interval: 5 * time.Second, UnhealthyThreshold: 2}
	return cfg
}

// TestCLBWithoutDrainingClosesUnhealthy: without connection draining a CLB
// closes the connections of an instance that turns unhealthy: in-flight
// requests are not completed [CLB-CD]. With draining they complete.
func TestCLBWithoutDrainingClosesUnhealthy(t *testing.T) {
	t.Parallel()
	off := rvRun(t, clbUnhealthyScenario(false))
	assert.Positive(t, off.DroppedByCause[CauseUnhealthyReset], "the requests accepted during the preStop")
	assert.Zero(t, off.DroppedByCause[CauseKilled])
	on := rvRun(t, clbUnhealthyScenario(true))
	assert.Zero(t, on.DroppedByCause[CauseUnhealthyReset])
}

// TestCLBHealthCheck: a CLB's health check defaults to a healthy threshold
// of 10 and takes timeouts of 2–60 s [CLB-HC]; ALB and NLB keep 5 and
// 2–120 s.
func TestCLBHealthCheck(t *testing.T) {
	t.Parallel()
	cfg := testScenario(2, 1, testFixed(time.Second), 10*time.Second, 1)
	cfg.LoadBalancer.Type = CLB
	d := cfg.withDefaults()
	assert.Equal(t, HealthCheck{Interval: 30 * time.Second, Timeout: 5 * time.Second, HealthyThreshold: 10, UnhealthyThreshold: 2}, d.HealthCheck)
	cfg.HealthCheck.Timeout = 61 * time.Second
	assert.Equal(t, []string{"health_check.timeout"}, errorPaths(t, cfg.Validate()))
	cfg.HealthCheck.Timeout = 60 * time.Second
	assert.NoError(t, cfg.Validate())
	cfg.LoadBalancer.Type = ALB
	cfg.HealthCheck.Timeout = 61 * time.Second
	assert.NoError(t, cfg.Validate())
	assert.Equal(t, 5, cfg.withDefaults().HealthCheck.HealthyThreshold)
}

// TestEKSTargetTypeInstance: with target_type instance the load balancer's
// target is the node, so deleting a pod deregisters nothing: no
// deregistration delay cuts the pod's requests (ip mode: delay_expired at
// 5 s) and the pod is never declared unhealthy (ip mode on an NLB: its
// flows are reset) [LBC-TT].
func TestEKSTargetTypeInstance(t *testing.T) {
	t.Parallel()
	cfg := testScenario(2, 2, testFixed(100*time.Second), 10*time.Second, 1)
	cfg.TargetGroup.DeregistrationDelay = 5 * time.Second
	cfg.Platform = Platform{Type: EKS, TerminationGracePeriod: 600 * time.Second}
	ip := rvRun(t, cfg)
	assert.Positive(t, ip.DroppedByCause[CauseDelayExpired])
	cfg.Platform.TargetType = TargetInstance
	inst := rvRun(t, cfg)
	assert.Zero(t, inst.Dropped, "the graceful pod finishes its requests")
	assert.Greater(t, inst.Removed[0].Terminated, 100*time.Second)

	nlb := lagScenario(NLB, 40*time.Second)
	require.Positive(t, rvRun(t, nlb).DroppedByCause[CauseUnhealthyReset])
	nlb.Platform.TargetType = TargetInstance
	assert.Zero(t, rvRun(t, nlb).DroppedByCause[CauseUnhealthyReset], "the node, not the pod, is health-checked")

	// Nor does a CLB without connection draining close the pod's
	// requests: it was never told about the pod.
	clb := cfg
	clb.LoadBalancer.Type = CLB
	clb.TargetGroup.ConnectionDraining = false
	assert.Zero(t, rvRun(t, clb).Dropped)

	bad := cfg
	bad.Platform.TargetType = "pod"
	assert.Equal(t, []string{"platform.target_type"}, errorPaths(t, bad.Validate()))
	bad.Platform = Platform{Type: ECS, TargetType: TargetIP}
	assert.Equal(t, []string{"platform.target_type"}, errorPaths(t, bad.Validate()))
}

// TestKubeletGraceExtension: a preStop hook still running when the grace
// period ends gets a one-off 2 s extension: SIGTERM at the end of the
// grace period, SIGKILL 2 s later [K8S-HOOK]; the kubelet never leaves
// less than 2 s between them.
func TestKubeletGraceExtension(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		preStop, grace, kill time.Duration
	}{
		{40 * time.Second, 30 * time.Second, 32 * time.Second}, // overrun: extension
		{29 * time.Second, 30 * time.Second, 31 * time.Second}, // 1 s left: 2 s
		{10 * time.Second, 30 * time.Second, 30 * time.Second}, // plenty left: none
		{0, 30 * time.Second, 30 * time.Second},
	} {
		cfg := testScenario(2, 1, testFixed(1000*time.Second), 10*time.Second, 1)
		cfg.Platform = Platform{Type: EKS, PreStopSleep: c.preStop, TerminationGracePeriod: c.grace}
		cfg.App.OnSigterm = Ignore
		res := rvRun(t, cfg)
		assert.Equal(t, 10*time.Second+c.kill, res.Removed[0].Terminated, "preStop %v, grace %v", c.preStop, c.grace)
		assert.Equal(t, CostPodShare, res.CostBasis, "EKS cost is a pod's share of its node")
	}
}
