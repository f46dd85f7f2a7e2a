package model

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var nan = math.NaN()

// TestAlarmDatapoints: an M-of-N alarm is in ALARM exactly when M of the
// last N datapoints breach, and not a datapoint before.
func TestAlarmDatapoints(t *testing.T) {
	const hi, lo = 150.0, 50.0 // threshold 100
	tests := []struct {
		name   string
		m, n   int
		above  bool
		series []float64
		want   []AlarmState
	}{
		{"3 of 3 fires on the third", 3, 3, true, []float64{hi, hi, hi},
			[]AlarmState{AlarmOK, AlarmOK, AlarmInAlarm}},
		{"3 of 3 restarts after a dip", 3, 3, true, []float64{hi, hi, lo, hi, hi, hi},
			[]AlarmState{AlarmOK, AlarmOK, AlarmOK, AlarmOK, AlarmOK, AlarmInAlarm}},
		{"equal is not breaching", 1, 1, true, []float64{100}, []AlarmState{AlarmOK}},
		{"below alarm", 2, 2, false, []float64{lo, lo, hi}, []AlarmState{AlarmOK, AlarmInAlarm, AlarmOK}},
		{"2 of 3 tolerates one miss", 2, 3, true, []float64{hi, lo, hi, lo, lo},
			[]AlarmState{AlarmOK, AlarmOK, AlarmInAlarm, AlarmOK, AlarmOK}},
		{"missing data is not breaching", 3, 3, true, []float64{hi, nan, hi, hi},
			[]AlarmState{AlarmOK, AlarmOK, AlarmOK, AlarmOK}},
		{"no data is insufficient", 3, 3, true, []float64{nan, nan, hi, nan, nan, nan},
			[]AlarmState{AlarmInsufficientData, AlarmInsufficientData, AlarmOK, AlarmOK, AlarmOK, AlarmInsufficientData}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewAlarm(100, tt.above, tt.m, tt.n)
			require.Equal(t, AlarmInsufficientData, a.State())
			for i, v := range tt.series {
				assert.Equal(t, tt.want[i], a.Observe(v), "datapoint %d", i)
			}
		})
	}
	t.Run("15 of 15 fires on the fifteenth", func(t *testing.T) {
		a := NewAlarm(70, false, ttLowDatapoints, ttLowPeriods)
		for i := 1; i <= 15; i++ {
			got := a.Observe(10)
			if i < 15 {
				assert.Equal(t, AlarmOK, got, "minute %d", i)
			} else {
				assert.Equal(t, AlarmInAlarm, got, "minute %d", i)
			}
		}
	})
	assert.Equal(t, "ALARM", AlarmInAlarm.String())
}

func ptr[T any](v T) *T { return &v }

// sample is a one-minute sample at minute m.
func sample(m int, rcpt float64, ready int) MetricSample {
	return MetricSample{At: time.Duration(m) * time.Minute, RequestCountPerTarget: rcpt, Utilisation: nan, Ready: ready}
}

func ttPolicy(platform PlatformType, tt TargetTracking) *Policy {
	return NewPolicy(Autoscaling{Min: 2, Max: 50, Desired: 10, TargetTracking: &tt}, platform, 10)
}

// firstAction feeds constant samples from minute 1 and returns the minute
// of the first action (0: none within limit) and the action.
func firstAction(p *Policy, rcpt float64, ready, limit int) (int, ScalingAction) {
	for m := 1; m <= limit; m++ {
		if acts := p.Evaluate(sample(m, rcpt, ready)); len(acts) > 0 {
			return m, acts[0]
		}
	}
	return 0, ScalingAction{}
}

// TestTargetTrackingScaleOut: 3 one-minute datapoints above the target,
// then capacity ceil(10 × 250 / 100) = 25.
func TestTargetTrackingScaleOut(t *testing.T) {
	for _, platform := range []PlatformType{EC2, ECS} {
		p := ttPolicy(platform, TargetTracking{Metric: MetricRequestCountPerTarget, Target: 100})
		m, a := firstAction(p, 250, 10, 30)
		assert.Equal(t, 3, m, platform)
		assert.Equal(t, ScalingAction{At: 3 * time.Minute, From: 10, To: 25, Reason: "target_tracking high alarm"}, a, platform)
		// The new targets are still starting: the high alarm stays on at
		// 110 over the 10 ready ones, and ceil(10 × 1.1) = 11 < 25 must
		// not remove capacity.
		for m := 4; m <= 10; m++ {
			assert.Empty(t, p.Evaluate(sample(m, 110, 10)), "%s minute %d", platform, m)
		}
	}
}

// TestTargetTrackingScaleInSlower: scale-in waits 15 datapoints below the
// lower threshold; between it and the target nothing happens.
func TestTargetTrackingScaleInSlower(t *testing.T) {
	p := ttPolicy(EC2, TargetTracking{Metric: MetricRequestCountPerTarget, Target: 100})
	m, a := firstAction(p, 40, 10, 60)
	assert.Equal(t, 15, m)
	assert.Equal(t, ScalingAction{At: 15 * time.Minute, From: 10, To: 4, Reason: "target_tracking low alarm"}, a)

	// 80 is below the target but above 0.7 × 100 on EC2: no scale-in;
	// on ECS (0.9 × 100) it scales in to ceil(10 × 0.8) = 8.
	m, _ = firstAction(ttPolicy(EC2, TargetTracking{Metric: MetricRequestCountPerTarget, Target: 100}), 80, 10, 60)
	assert.Zero(t, m, "ec2 hysteresis")
	m, a = firstAction(ttPolicy(ECS, TargetTracking{Metric: MetricRequestCountPerTarget, Target: 100}), 80, 10, 60)
	assert.Equal(t, 15, m)
	assert.Equal(t, 8, a.To)

	m, _ = firstAction(ttPolicy(EC2, TargetTracking{Metric: MetricRequestCountPerTarget, Target: 100, DisableScaleIn: true}), 1, 10, 60)
	assert.Zero(t, m, "disable_scale_in")
	m, _ = firstAction(ttPolicy(EC2, TargetTracking{Metric: MetricRequestCountPerTarget, Target: 100, ScaleInRatio: 0.5}), 60, 10, 60)
	assert.Zero(t, m, "scale_in_ratio 0.5: 60 is above 50")
}

// TestWarmupEC2: warming instances count as capacity (no second scale-out
// for the same load), a larger load still scales out, and there is no
// scale-in until they are ready.
func TestWarmupEC2(t *testing.T) {
	p := ttPolicy(EC2, TargetTracking{Metric: MetricRequestCountPerTarget, Target: 100})
	m, a := firstAction(p, 200, 10, 10)
	require.Equal(t, 3, m)
	require.Equal(t, 20, a.To)
	// 10 ready, 10 warming, the same load per ready instance: nothing more.
	for m := 4; m < 10; m++ {
		assert.Empty(t, p.Evaluate(sample(m, 200, 10)), "minute %d", m)
	}
	// A larger load: ceil(10 × 300 / 100) = 30.
	acts := p.Evaluate(sample(10, 300, 10))
	require.Len(t, acts, 1)
	assert.Equal(t, 30, acts[0].To)
	// Load falls; the low alarm fires after 15 minutes but 25 of 30 are
	// ready: no scale-in while the others warm up.
	for m := 11; m <= 40; m++ {
		assert.Empty(t, p.Evaluate(sample(m, 10, 25)), "minute %d", m)
	}
	acts = p.Evaluate(sample(41, 10, 30))
	require.Len(t, acts, 1)
	assert.Equal(t, ScalingAction{At: 41 * time.Minute, From: 30, To: 3, Reason: "target_tracking low alarm"}, acts[0])
}

// TestCooldownECS: a scale-in starts the scale-in cooldown; the low alarm
// stays in ALARM but the next scale-in waits for its end; a scale-out
// ends it at once.
func TestCooldownECS(t *testing.T) {
	a := Autoscaling{Min: 1, Max: 100, Desired: 40, ScaleInCooldown: ptr(5 * time.Minute),
		TargetTracking: &TargetTracking{Metric: MetricUtilisation, Target: 50}}
	p := NewPolicy(a, ECS, 40)
	util := func(m int, u float64, ready int) MetricSample {
		return MetricSample{At: time.Duration(m) * time.Minute, RequestCountPerTarget: nan, Utilisation: u, Ready: ready}
	}
	var at []int
	ready := 40
	for m := 1; m <= 30; m++ {
		if acts := p.Evaluate(util(m, 40, ready)); len(acts) > 0 {
			at = append(at, m)
			ready = acts[0].To
		}
	}
	// 40 → 32 at 15, then every 5 minutes: 26, 21, 17.
	assert.Equal(t, []int{15, 20, 25, 30}, at)
	assert.Equal(t, 17, p.Desired())

	// Default cooldown 300 s: the same schedule.
	a.ScaleInCooldown = nil
	q := NewPolicy(a, ECS, 40)
	at, ready = nil, 40
	for m := 1; m <= 21; m++ {
		if acts := q.Evaluate(util(m, 40, ready)); len(acts) > 0 {
			at = append(at, m)
			ready = acts[0].To
		}
	}
	assert.Equal(t, []int{15, 20}, at)

	// A scale-out during the scale-in cooldown is immediate and ends it.
	r := NewPolicy(a, ECS, 40)
	for m := 1; m <= 15; m++ {
		r.Evaluate(util(m, 40, 40))
	}
	require.Equal(t, 32, r.Desired())
	for m := 16; m <= 17; m++ {
		assert.Empty(t, r.Evaluate(util(m, 90, 32)))
	}
	acts := r.Evaluate(util(18, 90, 32)) // 3 of 3 above 50
	require.Len(t, acts, 1)
	assert.Equal(t, 58, acts[0].To) // ceil(32 × 90 / 50)
}

func stepPolicy(platform PlatformType, steps ...Step) *Policy {
	return NewPolicy(Autoscaling{Min: 1, Max: 100, Desired: 10, StepScaling: []StepScaling{{
		Metric: MetricUtilisation, Threshold: 60, Steps: steps}}}, platform, 10)
}

func util(m int, u float64, ready int) MetricSample {
	return MetricSample{At: time.Duration(m) * time.Minute, RequestCountPerTarget: nan, Utilisation: u, Ready: ready}
}

// TestStepScaleOutCooldownECS: during the scale-out cooldown a breach in
// the same step adds nothing, a larger step adds only the difference.
func TestStepScaleOutCooldownECS(t *testing.T) {
	p := stepPolicy(ECS, Step{Lower: ptr(0.0), Upper: ptr(20.0), Adjustment: 2}, Step{Lower: ptr(20.0), Adjustment: 5})
	acts := p.Evaluate(util(1, 70, 10))
	require.Len(t, acts, 1)
	assert.Equal(t, 12, acts[0].To)
	assert.Empty(t, p.Evaluate(util(2, 70, 10)), "same step within the cooldown")
	acts = p.Evaluate(util(3, 90, 10))
	require.Len(t, acts, 1)
	assert.Equal(t, 15, acts[0].To, "10 before the cooldown + 5")
	// The larger step restarted the cooldown (until minute 8).
	assert.Empty(t, p.Evaluate(util(7, 70, 15)))
	acts = p.Evaluate(util(8, 70, 15))
	require.Len(t, acts, 1)
	assert.Equal(t, 17, acts[0].To, "after the cooldown: 15 + 2")
}

// TestStepWarmupEC2: a second breach in the same step while the first
// step's instances warm up adds nothing; a larger step adds the rest.
func TestStepWarmupEC2(t *testing.T) {
	p := stepPolicy(EC2, Step{Lower: ptr(0.0), Upper: ptr(20.0), Adjustment: 2}, Step{Lower: ptr(20.0), Adjustment: 5})
	require.Len(t, p.Evaluate(util(1, 70, 10)), 1)
	assert.Empty(t, p.Evaluate(util(2, 70, 10)))
	acts := p.Evaluate(util(3, 90, 10))
	require.Len(t, acts, 1)
	assert.Equal(t, 15, acts[0].To)
	acts = p.Evaluate(util(4, 70, 15)) // all ready: 15 + 2
	require.Len(t, acts, 1)
	assert.Equal(t, 17, acts[0].To)
}

func TestStepAdjustment(t *testing.T) {
	above := StepScaling{Threshold: 60, Steps: []Step{{Lower: ptr(0.0), Upper: ptr(10.0), Adjustment: 1}, {Lower: ptr(10.0), Adjustment: 3}}}
	below := StepScaling{Threshold: 30, Comparison: "less", Steps: []Step{{Lower: ptr(-10.0), Upper: ptr(0.0), Adjustment: -1}, {Upper: ptr(-10.0), Adjustment: -2}}}
	for _, tc := range []struct {
		st   StepScaling
		v    float64
		want int
		ok   bool
	}{
		{above, 60, 1, true}, {above, 69.9, 1, true}, {above, 70, 3, true}, {above, 1e9, 3, true}, {above, 59, 0, false},
		{below, 30, -1, true}, {below, 20, -2, true}, {below, 20.5, -1, true}, {below, nan, 0, false},
	} {
		got, ok := stepAdjustment(tc.st, tc.v)
		assert.Equal(t, tc.ok, ok, "%v", tc.v)
		assert.Equal(t, tc.want, got, "%v", tc.v)
	}
	// Percent rounding as AWS documents it.
	for _, tc := range []struct{ c, pct, want int }{
		{10, 127, 12}, {10, 5, 1}, {10, -5, -1}, {3, -222, -6}, {10, -50, -5}, {0, 50, 0},
	} {
		assert.Equal(t, tc.want, percentChange(tc.c, tc.pct), "%d%% of %d", tc.pct, tc.c)
	}
}

// TestLimitsHeld: whatever the metric, desired stays within [min, max].
func TestLimitsHeld(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, platform := range []PlatformType{EC2, ECS} {
		a := Autoscaling{Min: 3, Max: 12, Desired: 5,
			TargetTracking: &TargetTracking{Metric: MetricRequestCountPerTarget, Target: 100},
			StepScaling: []StepScaling{{Metric: MetricUtilisation, Threshold: 20, Comparison: "less",
				AdjustmentType: PercentChangeInCapacity, Steps: []Step{{Adjustment: -90}}}}}
		p := NewPolicy(a, platform, 5)
		for m := 1; m <= 2000; m++ {
			v := []float64{0, 1e12, math.Inf(1), nan, rng.Float64() * 1000}[rng.IntN(5)]
			p.Evaluate(MetricSample{At: time.Duration(m) * time.Minute, RequestCountPerTarget: v,
				Utilisation: rng.Float64() * 100, Ready: p.Desired()})
			require.GreaterOrEqual(t, p.Desired(), 3)
			require.LessOrEqual(t, p.Desired(), 12)
		}
	}
	// Extremes go to the limits.
	p := ttPolicy(EC2, TargetTracking{Metric: MetricRequestCountPerTarget, Target: 100})
	_, a := firstAction(p, 1e12, 10, 5)
	assert.Equal(t, 50, a.To)
	p = ttPolicy(EC2, TargetTracking{Metric: MetricRequestCountPerTarget, Target: 100})
	_, a = firstAction(p, 0, 10, 20)
	assert.Equal(t, 2, a.To)
}

// TestScheduled: scheduled actions take effect at their time, not
// before, move desired into the new limits, and ignore the cooldowns.
func TestScheduled(t *testing.T) {
	a := Autoscaling{Min: 2, Max: 20, Desired: 5, Scheduled: []ScheduledAction{
		{At: 10 * time.Minute, Min: ptr(8)},
		{At: 20 * time.Minute, Max: ptr(6), Min: ptr(1)},
		{At: 30 * time.Minute, Desired: ptr(4)},
	}}
	p := NewPolicy(a, EC2, 5)
	var got []ScalingAction
	for m := 1; m <= 40; m++ {
		got = append(got, p.Evaluate(util(m, nan, p.Desired()))...)
	}
	assert.Equal(t, []ScalingAction{
		{At: 10 * time.Minute, From: 5, To: 8, Reason: "scheduled[0]"},
		{At: 20 * time.Minute, From: 8, To: 6, Reason: "scheduled[1]"},
		{At: 30 * time.Minute, From: 6, To: 4, Reason: "scheduled[2]"},
	}, got)
	lo, hi := p.Limits()
	assert.Equal(t, []int{1, 6}, []int{lo, hi})

	// ECS: a scheduled min during the scale-in cooldown acts at once.
	b := Autoscaling{Min: 1, Max: 100, Desired: 40, TargetTracking: &TargetTracking{Metric: MetricUtilisation, Target: 50},
		Scheduled: []ScheduledAction{{At: 16 * time.Minute, Min: ptr(35)}}}
	q := NewPolicy(b, ECS, 40)
	for m := 1; m <= 15; m++ {
		q.Evaluate(util(m, 40, 40))
	}
	require.Equal(t, 32, q.Desired())
	acts := q.Evaluate(util(16, 40, 32))
	require.Len(t, acts, 1)
	assert.Equal(t, ScalingAction{At: 16 * time.Minute, From: 32, To: 35, Reason: "scheduled[0]"}, acts[0])
}

// TestPolicyDeterministic: the same samples give the same actions.
func TestPolicyDeterministic(t *testing.T) {
	run := func() []ScalingAction {
		rng := rand.New(rand.NewPCG(7, 7))
		p := ttPolicy(ECS, TargetTracking{Metric: MetricRequestCountPerTarget, Target: 100})
		var out []ScalingAction
		for m := 1; m <= 500; m++ {
			out = append(out, p.Evaluate(sample(m, rng.Float64()*250, p.Desired()))...)
		}
		return out
	}
	first := run()
	require.NotEmpty(t, first)
	assert.Equal(t, first, run())
}

// TestAutoscalingValidate: bad [autoscaling] values name their key path.
func TestAutoscalingValidate(t *testing.T) {
	base := func() Config {
		c := Default()
		c.Fleet.Targets = 10
		c.Traffic = []Traffic{{Rate: 10, Duration: Distribution{Distribution: "constant", Value: time.Second}}}
		c.ScaleIn = []ScaleIn{{At: time.Minute, Targets: 1}}
		c.Autoscaling = Autoscaling{Min: 2, Max: 20,
			TargetTracking: &TargetTracking{Metric: MetricRequestCountPerTarget, Target: 100}}
		return c
	}
	ok := base()
	require.NoError(t, ok.Validate())
	tests := []struct {
		name string
		edit func(c *Config)
		want string
	}{
		{"max", func(c *Config) { c.Autoscaling.Max = 0 }, "autoscaling.max: must be 1–100000"},
		{"min", func(c *Config) { c.Autoscaling.Min = 30 }, "autoscaling.min: must be 0–max = 20"},
		{"desired", func(c *Config) { c.Autoscaling.Desired = 21 }, "autoscaling.desired: must be min–max = 2–20"},
		{"desired not the fleet", func(c *Config) { c.Autoscaling.Desired = 5 }, "autoscaling.desired: must be 0 or fleet.targets = 10"},
		{"fleet outside", func(c *Config) { c.Fleet.Targets = 1 }, "autoscaling.desired"},
		{"eks", func(c *Config) { c.Platform.Type = EKS }, "autoscaling: models EC2 Auto Scaling"},
		{"metric", func(c *Config) { c.Autoscaling.TargetTracking.Metric = "cpu" }, "autoscaling.target_tracking.metric"},
		{"target", func(c *Config) { c.Autoscaling.TargetTracking.Target = 0 }, "autoscaling.target_tracking.target"},
		{"percent", func(c *Config) {
			c.Fleet.MaxConcurrency = 10
			c.Autoscaling.TargetTracking.Metric = MetricUtilisation
			c.Autoscaling.TargetTracking.Target = 120
		}, "autoscaling.target_tracking.target"},
		{"utilisation without workers", func(c *Config) { c.Autoscaling.TargetTracking.Metric = MetricUtilisation },
			"autoscaling.target_tracking.metric: utilisation needs fleet.max_concurrency"},
		{"request count on an nlb", func(c *Config) { c.LoadBalancer.Type = NLB },
			"autoscaling.target_tracking.metric: alb_request_count_per_target needs an alb"},
		{"ratio", func(c *Config) { c.Autoscaling.TargetTracking.ScaleInRatio = 2 }, "autoscaling.target_tracking.scale_in_ratio"},
		{"warmup", func(c *Config) { c.Autoscaling.InstanceWarmup = ptr(2 * time.Hour) }, "autoscaling.instance_warmup: must be 0s–3600s"},
		{"cooldown on ec2", func(c *Config) { c.Autoscaling.ScaleInCooldown = ptr(time.Minute) }, "scale_in_cooldown are for platform ecs"},
		{"warmup on ecs", func(c *Config) {
			c.Platform.Type = ECS
			c.Autoscaling.InstanceWarmup = ptr(time.Minute)
		}, "autoscaling.instance_warmup: is for platform ec2"},
		{"step periods", func(c *Config) {
			c.Fleet.MaxConcurrency = 10
			c.Autoscaling.StepScaling = []StepScaling{{Metric: MetricUtilisation, Threshold: 50, EvaluationPeriods: 3, DatapointsToAlarm: 4, Steps: []Step{{Adjustment: 1}}}}
		}, "autoscaling.step_scaling[0].datapoints_to_alarm: must be 1–evaluation_periods = 3"},
		{"step bounds", func(c *Config) {
			c.Autoscaling.StepScaling = []StepScaling{{Metric: MetricUtilisation, Threshold: 50, Steps: []Step{{Lower: ptr(5.0), Upper: ptr(1.0), Adjustment: 1}}}}
		}, "autoscaling.step_scaling[0].steps[0]: lower must be below upper"},
		{"no steps", func(c *Config) {
			c.Autoscaling.StepScaling = []StepScaling{{Metric: MetricUtilisation, Threshold: 50}}
		}, "autoscaling.step_scaling[0].steps: at least one"},
		{"adjustment type", func(c *Config) {
			c.Autoscaling.StepScaling = []StepScaling{{Metric: MetricUtilisation, Threshold: 50, AdjustmentType: "x", Steps: []Step{{Adjustment: 1}}}}
		}, "autoscaling.step_scaling[0].adjustment_type"},
		{"scheduled order", func(c *Config) {
			c.Autoscaling.Scheduled = []ScheduledAction{{At: time.Hour, Min: ptr(1)}, {At: time.Minute, Min: ptr(1)}}
		}, "autoscaling.scheduled[1].at: scheduled actions must be in time order"},
		{"scheduled empty", func(c *Config) {
			c.Autoscaling.Scheduled = []ScheduledAction{{At: time.Hour}}
		}, "autoscaling.scheduled[0]: sets none"},
		{"scheduled desired on ecs", func(c *Config) {
			c.Platform.Type = ECS
			c.Autoscaling.Scheduled = []ScheduledAction{{At: time.Hour, Desired: ptr(3)}}
		}, "autoscaling.scheduled[0].desired: is for platform ec2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			tt.edit(&c)
			err := c.Validate()
			require.Error(t, err)
			assert.True(t, strings.Contains(err.Error(), tt.want), "got %v", err)
		})
	}
	// No [autoscaling] at all is valid.
	c := base()
	c.Autoscaling = Autoscaling{}
	assert.NoError(t, c.Validate())
}

// TestScaleOutEndsScaleInCooldownECS: with one-datapoint step alarms, a
// scale-out inside the scale-in cooldown ends it, so the next scale-in
// need not wait for the cooldown's end [AAS-TT].
func TestScaleOutEndsScaleInCooldownECS(t *testing.T) {
	a := Autoscaling{Min: 1, Max: 100, Desired: 10, ScaleInCooldown: ptr(10 * time.Minute), StepScaling: []StepScaling{
		{Metric: MetricUtilisation, Threshold: 80, Steps: []Step{{Lower: ptr(0.0), Adjustment: 2}}},
		{Metric: MetricUtilisation, Threshold: 30, Comparison: "less", Steps: []Step{{Upper: ptr(0.0), Adjustment: -1}}},
	}}
	p := NewPolicy(a, ECS, 10)
	var got []int
	for m, u := range []float64{20, 20, 90, 20} {
		for _, act := range p.Evaluate(util(m+1, u, p.Desired())) {
			got = append(got, act.To)
		}
	}
	// 10 → 9; blocked; 9 → 11; 11 → 10 at once.
	assert.Equal(t, []int{9, 11, 10}, got)
}
