package scenarios

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat"

	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/sweep"
)

// outcome totals R replications of a built-in, changed by edit.
type outcome struct {
	by          model.ByCause
	dropped     float64 // mean per replication
	cost        float64 // mean per replication
	scaleIn     float64 // mean seconds, decision to last termination
	peak        float64 // mean reconnect peak per second
	reconnects  int64
	completed   int64
	replication int
	perRep      []float64 // dropped in each replication
}

func runBuiltin(t *testing.T, name string, reps int, edit func(*model.Config)) outcome {
	t.Helper()
	c, err := Builtin(name)
	require.NoError(t, err)
	if edit != nil {
		edit(c)
	}
	var o outcome
	for r := range reps {
		res, err := model.Run(c, r)
		require.NoError(t, err)
		for k := range o.by {
			o.by[k] += res.DroppedByCause[k]
		}
		o.dropped += float64(res.Dropped)
		o.perRep = append(o.perRep, float64(res.Dropped))
		o.cost += res.CostUSD
		o.peak += res.ReconnectPeakPerS
		o.reconnects += res.Reconnects
		o.completed += res.Completed
		for _, s := range res.ScaleIns {
			o.scaleIn += s.Duration().Seconds() / float64(len(res.ScaleIns))
		}
	}
	n := float64(reps)
	o.dropped, o.cost, o.scaleIn, o.peak = o.dropped/n, o.cost/n, o.scaleIn/n, o.peak/n
	o.replication = reps
	return o
}

// The built-ins of issue #4 reproduce what users observed; docs/model.md
// lists the figures. Each test states the observation it checks.

// aws-load-balancer-controller #2106: EKS, ALB, 300 s delay: preStop 0 →
// some 502s, 40 s → rare, 70 s with a 100 s grace → none.
func TestEKSPreStop(t *testing.T) {
	t.Parallel()
	const reps = 10
	none := runBuiltin(t, "eks-prestop", reps, nil)
	p40 := runBuiltin(t, "eks-prestop", reps, func(c *model.Config) {
		c.Platform.PreStopSleep = 40 * time.Second
		c.Platform.TerminationGracePeriod = 60 * time.Second
	})
	p70 := runBuiltin(t, "eks-prestop", reps, func(c *model.Config) {
		c.Platform.PreStopSleep = 70 * time.Second
		c.Platform.TerminationGracePeriod = 100 * time.Second
	})
	// 2 pods × 10 requests/s × a lag of ~11 s on average. The pod stops
	// listening at SIGTERM (refused, 502) and exits once its requests are
	// done; then its IP is gone (unreachable, 504 after 10 s).
	lagged := func(o outcome) int64 { return o.by[model.CauseRefused] + o.by[model.CauseUnreachable] }
	assert.Greater(t, lagged(none), int64(reps*100), "preStop 0 should fail requests during the lag")
	assert.Equal(t, none.dropped*reps, float64(lagged(none)), "refused and unreachable are the only causes")
	assert.Positive(t, none.by[model.CauseRefused], "while the pod finishes its requests")
	assert.Positive(t, none.by[model.CauseUnreachable], "once the pod is gone")
	assert.Less(t, float64(lagged(p40)), 0.05*float64(lagged(none)), "preStop 40 s drops far fewer")
	assert.Zero(t, p70.by.Total(), "preStop 70 s with a 100 s grace drops none")
	// Pods live longer with a longer preStop: that is its cost.
	assert.Greater(t, p70.cost, none.cost)
}

// Issue #17: most reported drops happen during deployments. A rolling
// update of an EKS Deployment with preStop 0 drops requests during the lag
// of every old pod (refused, then unreachable once the pod is gone), as a
// scale-in does (#2106); a 40 s preStop with a 60 s grace drops far fewer.
func TestRollingUpdateBuiltin(t *testing.T) {
	t.Parallel()
	const reps = 5
	none := runBuiltin(t, "rolling-update", reps, nil)
	p40 := runBuiltin(t, "rolling-update", reps, func(c *model.Config) {
		c.Platform.PreStopSleep = 40 * time.Second
		c.Platform.TerminationGracePeriod = 60 * time.Second
	})
	lagged := func(o outcome) int64 { return o.by[model.CauseRefused] + o.by[model.CauseUnreachable] }
	// 6 pods × 10 requests/s × a lag of ~11 s on average.
	assert.Greater(t, lagged(none), int64(reps*300), "preStop 0 should fail requests during the lag")
	assert.Greater(t, float64(lagged(none)), 0.99*none.dropped*reps, "refused and unreachable are nearly all")
	assert.Less(t, float64(lagged(p40)), 0.05*float64(lagged(none)), "preStop 40 s drops far fewer")
	t.Logf("preStop 0: %v per replication %v; 40 s: %v", none.dropped, none.by, p40.dropped)
	assert.Greater(t, p40.cost, none.cost, "old pods live longer with a longer preStop")
}

// aws-load-balancer-controller #1064: 30 s delay: preStop 5 s still drops;
// preStop 25 s with a 60 s grace period drops none.
func TestEKSShortDelay(t *testing.T) {
	t.Parallel()
	const reps = 10
	p5 := runBuiltin(t, "eks-short-delay", reps, nil)
	p25 := runBuiltin(t, "eks-short-delay", reps, func(c *model.Config) {
		c.Platform.PreStopSleep = 25 * time.Second
		c.Platform.TerminationGracePeriod = 60 * time.Second
	})
	assert.Greater(t, p5.by[model.CauseRefused]+p5.by[model.CauseUnreachable], int64(reps*20))
	assert.Zero(t, p25.by.Total())
}

// ECS: StopTask sends SIGTERM without draining first, so requests routed
// during the lag fail, a few seconds at the task's 2.5 requests/s: refused
// while the task finishes its requests, unreachable once it has exited and
// its ENI is gone; a service scale-in drains first and drops none.
func TestECSStopTaskVersusService(t *testing.T) {
	t.Parallel()
	const reps = 20
	task := runBuiltin(t, "ecs-stop-task", reps, nil)
	svc := runBuiltin(t, "ecs-stop-task", reps, func(c *model.Config) { c.Platform.Stop = model.StopService })
	// Requests reach the task at λ = 25/10 per second for the lag L
	// (lognormal, median 5 s, p99 15 s), all lost: E = λ·E[L]. The
	// tolerance is 4 standard errors of the mean over the replications.
	c, err := Builtin("ecs-stop-task")
	require.NoError(t, err)
	lam := c.Traffic[0].Rate / float64(c.Fleet.Targets)
	lag := c.LoadBalancer.PropagationDelay.Law(model.Source(0, 0, 0)).Mean()
	_, sd := stat.MeanStdDev(task.perRep, nil)
	assert.InDelta(t, lam*lag, task.dropped, 4*sd/math.Sqrt(reps), "λ·E[L] = %.2f", lam*lag)
	assert.Equal(t, task.by.Total(), task.by[model.CauseRefused]+task.by[model.CauseUnreachable])
	assert.Greater(t, task.by[model.CauseUnreachable], task.by[model.CauseRefused], "its requests are short: the task is soon gone")
	assert.Zero(t, svc.by.Total())
	// The service waits the full delay before SIGTERM: it costs more.
	assert.Greater(t, svc.scaleIn, task.scaleIn)
}

// NLB with connection termination off keeps flows past the delay until the
// instance goes (killed at termination, after the hook); with it on they
// are closed at expiry. The built-in's ~2 min lag outlasts its 120 s delay
// about half the time, and the NLB then opens new flows on the target
// after the expiry ("NLB forwards to unused targets", containers-roadmap
// #470): with termination on, those are killed at termination; with no
// lag, none are.
func TestNLBConnectionTermination(t *testing.T) {
	t.Parallel()
	const reps = 10
	off := runBuiltin(t, "nlb-flows-hook", reps, nil)
	on := runBuiltin(t, "nlb-flows-hook", reps, func(c *model.Config) { c.TargetGroup.ConnectionTermination = true })
	onNoLag := runBuiltin(t, "nlb-flows-hook", reps, func(c *model.Config) {
		c.TargetGroup.ConnectionTermination = true
		c.LoadBalancer.PropagationDelay = model.ConstantLag(0)
	})
	assert.Zero(t, off.by[model.CauseDelayExpired])
	assert.Positive(t, off.by[model.CauseKilled])
	assert.Zero(t, onNoLag.by[model.CauseKilled])
	assert.Positive(t, onNoLag.by[model.CauseDelayExpired])
	assert.Positive(t, on.by[model.CauseKilled], "flows opened during the lag, after the expiry")
	assert.Positive(t, on.by[model.CauseDelayExpired])
	// Flows that end during the 300 s hook complete instead of being cut.
	assert.Less(t, off.dropped, on.dropped)
	assert.Greater(t, off.completed, on.completed)
	assert.InDelta(t, 420, off.scaleIn, 1, "120 s delay + 300 s hook")
}

// WebSockets on 8 targets, half drained at once: the reconnect peak
// without jitter is many times the peak with full jitter.
func TestWebSocketReconnectStorm(t *testing.T) {
	t.Parallel()
	const reps = 4
	none := runBuiltin(t, "websocket-storm", reps, nil)
	full := runBuiltin(t, "websocket-storm", reps, func(c *model.Config) {
		rc := *c.Traffic[0].Reconnect
		rc.Jitter = model.JitterFull
		c.Traffic[0].Reconnect = &rc
	})
	require.Positive(t, none.reconnects)
	assert.InDelta(t, float64(none.reconnects), float64(full.reconnects), float64(none.reconnects)/10+5)
	assert.Greater(t, none.peak, 5*full.peak, "no jitter %.0f/s, full jitter %.0f/s", none.peak, full.peak)
}

// Keep-alive 5 s under the ALB's 60 s idle timeout: a small steady 502
// rate; 75 s: none.
func TestKeepAliveRace(t *testing.T) {
	t.Parallel()
	const reps = 10
	short := runBuiltin(t, "keepalive-race", reps, nil)
	long := runBuiltin(t, "keepalive-race", reps, func(c *model.Config) { c.App.KeepaliveTimeout = 75 * time.Second })
	assert.Positive(t, short.by[model.CauseKeepaliveRace])
	assert.Equal(t, short.by.Total(), short.by[model.CauseKeepaliveRace])
	// Small: well under 1 in 1,000 of the ~7,200 requests per replication.
	assert.Less(t, short.dropped, 7.2)
	assert.Zero(t, long.by.Total())
}

// EC2 with a lifecycle hook: the hook runs after draining, so it adds
// billed time and no drops.
func TestEC2LifecycleHook(t *testing.T) {
	t.Parallel()
	const reps = 5
	hook := runBuiltin(t, "ec2-lifecycle-hook", reps, nil)
	bare := runBuiltin(t, "ec2-lifecycle-hook", reps, func(c *model.Config) { c.Platform.LifecycleHook = nil })
	assert.Zero(t, hook.by.Total())
	assert.Zero(t, bare.by.Total())
	assert.InDelta(t, bare.scaleIn+20, hook.scaleIn, 0.5, "the 20 s handler runs after draining")
	assert.Greater(t, hook.cost, bare.cost)
}

// ECS with a stop timeout shorter than the requests still running at
// SIGTERM kills them (stop_task, fargate_spot).
func TestECSStopTimeoutKills(t *testing.T) {
	t.Parallel()
	const reps = 10
	spot := runBuiltin(t, "ecs-fargate-spot", reps, nil)
	long := runBuiltin(t, "ecs-fargate-spot", reps, func(c *model.Config) { c.Platform.StopTimeout = 120 * time.Second })
	assert.Positive(t, spot.by[model.CauseKilled])
	assert.Less(t, long.by[model.CauseKilled], spot.by[model.CauseKilled])
}

// TestDiurnalAPIDay runs diurnal-api's day (issue #16): the target-tracking
// policy, not a [[scale_in]], makes the scale-ins — several in the evening's
// fall — and the scale-outs of the morning's rise; with no delay each of
// them drops what its removed targets have in flight, with the scenario's
// 60 s none; the fleet's instance-hours stay between min and max capacity
// for the day.
func TestDiurnalAPIDay(t *testing.T) {
	cfg, err := Builtin("diurnal-api")
	require.NoError(t, err)
	const reps = 2
	run := func(delay time.Duration) *sweep.ScalingSummary {
		c := *cfg
		c.TargetGroup.DeregistrationDelay = delay
		results := make([]*model.Result, reps)
		for i := range results {
			results[i], err = model.Run(&c, i)
			require.NoError(t, err)
		}
		s := sweep.Summarize(&c, results)
		require.NotNil(t, s.Scaling)
		return s.Scaling
	}
	day := run(cfg.TargetGroup.DeregistrationDelay)
	assert.InDelta(t, 24*3600, day.SpanS, 1e-6)
	assert.GreaterOrEqual(t, day.ScaleInsPerDay, 3.0, "the evening's fall is several policy scale-ins")
	assert.GreaterOrEqual(t, day.ScaleOutsPerDay, 3.0, "the morning's rise is several scale-outs")
	assert.Zero(t, day.DroppedPerDay, "60 s outlasts the requests (p99 5 s) and the ALB's lag almost always")
	lo, hi := float64(cfg.Autoscaling.Min*24), float64(cfg.Autoscaling.Max*24)
	assert.True(t, day.FleetInstanceHoursMean > lo && day.FleetInstanceHoursMean < hi,
		"instance-hours %.1f within [min, max] × 24 h = [%g, %g]", day.FleetInstanceHoursMean, lo, hi)
	assert.InDelta(t, day.FleetInstanceHoursMean*cfg.Fleet.PricePerHour, day.FleetCostPerDayUSD, 1e-9)

	cut := run(0)
	assert.Greater(t, cut.DroppedPerDay, 100.0, "with no delay every policy scale-in cuts what is in flight")
}

// TestECSDiurnalDay runs ecs-diurnal's day (issue #16): ECS's low alarm at
// 0.9 of the target makes the evening's fall a scale-in of one task at a
// time, several of them, never closer than scale_in_cooldown without a
// scale-out between (EC2's 0.7 would remove several at once); a service
// scale-in sends SIGTERM only after the deregistration delay, so what the
// 30 s delay drops (requests cut at its end, and requests the ALB still
// routes to a stopped task when its lag outlasts the delay) does not
// change with a 120 s stop_timeout; every removed task is billed for at
// least the delay.
func TestECSDiurnalDay(t *testing.T) {
	cfg, err := Builtin("ecs-diurnal")
	require.NoError(t, err)
	require.Equal(t, model.ECS, cfg.Platform.Type)
	cooldown := *cfg.Autoscaling.ScaleInCooldown
	delay := cfg.TargetGroup.DeregistrationDelay
	const reps = 2
	run := func(edit func(*model.Config)) []*model.Result {
		c := *cfg
		if edit != nil {
			edit(&c)
		}
		out := make([]*model.Result, reps)
		for i := range out {
			out[i], err = model.Run(&c, i)
			require.NoError(t, err)
		}
		return out
	}
	day := run(nil)
	for _, r := range day {
		ins := 0
		var last time.Duration = -1
		for _, a := range r.ScalingActions {
			switch {
			case a.To > a.From:
				last = -1 // a scale-out ends the scale-in cooldown [AAS-TT]
			case a.To < a.From:
				if a.At >= 14*time.Hour { // after the peak: the evening's fall
					ins++
					assert.Equal(t, a.From-1, a.To, "at %v: ECS's 0.9 low alarm removes one task at a time", a.At)
				}
				if last >= 0 {
					assert.GreaterOrEqual(t, a.At-last, cooldown, "scale-ins at %v and %v closer than the cooldown", last, a.At)
				}
				last = a.At
			}
		}
		assert.GreaterOrEqual(t, ins, 6, "the evening's fall is many one-task scale-ins")
		for _, rt := range r.Removed {
			require.GreaterOrEqual(t, rt.BillingEnded, rt.Decided+delay, "task %d billed until it stops, after the delay", rt.Target)
		}
		assert.Zero(t, r.DroppedByCause[model.CauseKilled], "a graceful app is idle by SIGTERM: nothing left to kill")
	}

	var dropped int64
	for _, r := range day {
		dropped += r.Dropped
		assert.Equal(t, r.Dropped, r.DroppedByCause[model.CauseDelayExpired]+r.DroppedByCause[model.CauseUnreachable],
			"a 30 s delay drops long requests at its end and requests routed to a stopped task, nothing else")
	}
	assert.Positive(t, dropped, "a 30 s delay is shorter than the reports' tail")
	longStop := run(func(c *model.Config) { c.Platform.StopTimeout = 120 * time.Second })
	for i := range day {
		assert.Equal(t, day[i].DroppedByCause, longStop[i].DroppedByCause, "replication %d: the stop timeout starts after the delay, too late to save a request", i)
	}
}

// TestSweepOfADay: a sweep of a horizon under a scaling policy reads per
// replication of that horizon, not per scale-in (issue #16): the rows say
// what a replication is, their cost is the whole fleet's (the run table's
// ScalingSummary), and the recommendation's criterion and explanation
// name the unit. Two hours of diurnal-api here; its 24 h is a "day".
func TestSweepOfADay(t *testing.T) {
	cfg, err := Builtin("diurnal-api")
	require.NoError(t, err)
	assert.Equal(t, "day", sweep.PerUnit(cfg))
	c := *cfg
	c.Horizon = 2 * time.Hour
	assert.Equal(t, "replication", sweep.PerUnit(&c))
	plain := *cfg
	plain.Autoscaling = model.Autoscaling{}
	assert.Equal(t, "scale-in", sweep.PerUnit(&plain))

	delays := []time.Duration{0, 60 * time.Second}
	const reps = 2
	rows, err := sweep.Delays(t.Context(), &c, delays, reps, sweep.Costs{}, sweep.Options{Workers: 1})
	require.NoError(t, err)
	for i, d := range delays {
		assert.Equal(t, "replication", rows[i].Per)
		results := make([]*model.Result, reps)
		for r := range results {
			results[r], err = model.Run(sweep.WithDelay(&c, d), r)
			require.NoError(t, err)
		}
		s := sweep.Summarize(sweep.WithDelay(&c, d), results)
		assert.InDelta(t, s.Scaling.FleetCostUSDMean, rows[i].InstanceCostUSDMean, 1e-9, "delay %v: the whole fleet's cost", d)
		assert.Greater(t, rows[i].InstanceCostUSDMean, s.CostUSDMean, "more than the removed and launched targets'")
	}
	rec, err := sweep.Recommend(t.Context(), &c, delays, reps, sweep.Criteria{}, sweep.Options{Workers: 1})
	require.NoError(t, err)
	assert.Contains(t, rec.Criterion, "per replication")
	for _, line := range append([]string{rec.Criterion}, rec.Explanation...) {
		assert.NotContains(t, line, "per scale-in")
	}
}
