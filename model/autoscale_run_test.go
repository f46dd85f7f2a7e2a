package model

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// autoscaleConfig: 10 EC2 targets behind an ALB, Poisson traffic of rate
// requests per second, target tracking on ALBRequestCountPerTarget with
// the given target, 40 minutes, and the one [[scale_in]] a scenario needs
// at 35 minutes.
func autoscaleConfig(rate, target float64) Config {
	c := Default()
	c.Start = StartEmpty
	c.Horizon = 40 * time.Minute
	c.Fleet.Targets = 10
	c.Traffic = []Traffic{{Rate: rate, Duration: Distribution{Distribution: "constant", Value: 100 * time.Millisecond}}}
	c.ScaleIn = []ScaleIn{{At: 35 * time.Minute, Targets: 1}}
	c.Autoscaling = Autoscaling{Min: 2, Max: 30,
		TargetTracking: &TargetTracking{Metric: MetricRequestCountPerTarget, Target: 200}}
	return c
}

// TestRunPolicyScaleIn: 8 requests/s over 10 targets is 48 per target per
// minute, below 0.7 × 200: after 15 minutes the policy scales in to
// ceil(10 × 48 / 200) = 3, and the runner removes 7 targets at once as a
// second scale-in; 160 per target then stays between 140 and 200.
func TestRunPolicyScaleIn(t *testing.T) {
	c := autoscaleConfig(8, 200)
	res, err := Run(&c, 0)
	require.NoError(t, err)
	require.Len(t, res.ScalingActions, 1, "%+v", res.ScalingActions)
	assert.Equal(t, ScalingAction{At: 15 * time.Minute, From: 10, To: 3, Reason: "target_tracking low alarm"}, res.ScalingActions[0])
	require.Len(t, res.ScaleIns, 2)
	assert.Equal(t, 15*time.Minute, res.ScaleIns[1].At)
	assert.Equal(t, 7, res.ScaleIns[1].Targets)
	n := 0
	for _, rt := range res.Removed {
		if rt.ScaleIn == 1 {
			n++
			assert.Equal(t, 15*time.Minute, rt.Decided)
		}
	}
	assert.Equal(t, 7, n)
	// The scenario's own slice is left alone.
	assert.Len(t, c.ScaleIn, 1)

	again, err := Run(&c, 0)
	require.NoError(t, err)
	assert.Equal(t, res, again, "deterministic")
}

// TestRunPolicyScaleOut: 60 requests/s is 360 per target per minute,
// above 200: after 3 minutes the policy decides ceil(10 × 360 / 200) =
// 18, and the runner launches the difference through the scale-out
// machinery: no traffic until launch time + health checks, then in
// service.
func TestRunPolicyScaleOut(t *testing.T) {
	c := autoscaleConfig(60, 200)
	res, err := Run(&c, 0)
	require.NoError(t, err)
	require.NotEmpty(t, res.ScalingActions)
	a := res.ScalingActions[0]
	assert.Equal(t, 3*time.Minute, a.At)
	assert.Equal(t, 10, a.From)
	// The minute's count is Poisson(3600), sd 60: 10 × (360 ± 4 × 6) / 200
	// is 16.8–19.2, so ceil gives 17–20.
	assert.GreaterOrEqual(t, a.To, 17)
	assert.LessOrEqual(t, a.To, 20)
	for _, a := range res.ScalingActions {
		assert.Greater(t, a.To, a.From, "%+v", a)
	}
	assert.Len(t, res.ScaleIns, 1)
	// Each scale-out action launched what it added, at its time; the
	// first launches became healthy before the run's end.
	require.NotEmpty(t, res.ScaleOuts)
	assert.Equal(t, a.At, res.ScaleOuts[0].At)
	assert.Equal(t, a.To-a.From, res.ScaleOuts[0].Targets)
	launched := 0
	for _, so := range res.ScaleOuts {
		launched += so.Targets
	}
	assert.Len(t, res.Launched, launched)
	assert.Equal(t, res.ScalingActions[len(res.ScalingActions)-1].To, 10+launched, "launched up to the last desired capacity")
	require.GreaterOrEqual(t, res.Launched[0].Healthy, a.At+c.launchTime(), "healthy only after launch time and checks")
	assert.Positive(t, res.ScaleOuts[0].Finished)

	// Without [autoscaling] there is no action.
	c.Autoscaling = Autoscaling{}
	res, err = Run(&c, 0)
	require.NoError(t, err)
	assert.Nil(t, res.ScalingActions)
}

// TestRunPolicyStartsEmpty: without a horizon, "auto" would start one
// minute before the first scale-in; with [autoscaling] it simulates from
// zero so that the alarms have their minutes.
func TestRunPolicyStartsEmpty(t *testing.T) {
	c := autoscaleConfig(8, 200)
	c.Start, c.Horizon = StartAuto, 0
	res, err := Run(&c, 0)
	require.NoError(t, err)
	assert.Zero(t, res.WarmupSkipped)
	require.NotEmpty(t, res.ScalingActions)
	assert.Equal(t, 15*time.Minute, res.ScalingActions[0].At)

	c.Autoscaling = Autoscaling{}
	res, err = Run(&c, 0)
	require.NoError(t, err)
	assert.Equal(t, 34*time.Minute, res.WarmupSkipped, "the guard of this test: auto is stationary without a policy")
}

// TestAutoscalingAssumptions: a policy's defaults that move the answer —
// the scale-in threshold ratio (observed, not documented), the EC2
// warm-up or the ECS cooldowns, and the launch time of the targets it
// scales out — are listed with the run's assumptions.
func TestAutoscalingAssumptions(t *testing.T) {
	values := func(c Config) map[string]Assumption {
		m := map[string]Assumption{}
		for _, a := range c.Assumptions() {
			m[a.Key] = a
		}
		return m
	}
	c := autoscaleConfig(8, 200)
	got := values(c)
	for key, want := range map[string]string{
		"autoscaling.target_tracking.scale_in_ratio": "0.7",
		"autoscaling.instance_warmup":                "300s",
		"fleet.launch_time":                          "90s",
	} {
		require.Contains(t, got, key)
		assert.Equal(t, want, got[key].Value, key)
		assert.True(t, got[key].Defaulted, key)
	}
	assert.NotContains(t, got, "autoscaling.scale_in_cooldown")

	c.Platform.Type = ECS
	got = values(c)
	assert.Equal(t, "0.9", got["autoscaling.target_tracking.scale_in_ratio"].Value)
	assert.Equal(t, "300s", got["autoscaling.scale_in_cooldown"].Value)
	assert.NotContains(t, got, "autoscaling.instance_warmup")

	c.Autoscaling.TargetTracking.ScaleInRatio = 0.5
	a := values(c)["autoscaling.target_tracking.scale_in_ratio"]
	assert.Equal(t, "0.5", a.Value)
	assert.False(t, a.Defaulted)

	c.Autoscaling = Autoscaling{}
	assert.NotContains(t, values(c), "autoscaling.target_tracking.scale_in_ratio")
}
