package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/model"
)

// TestParseAutoscaling: [autoscaling] decodes with its nested tables and
// optional durations, and a misspelt key is refused with its path.
func TestParseAutoscaling(t *testing.T) {
	src := strings.Replace(minimal, "targets = 4\n", "targets = 4\nmax_concurrency = 10\n", 1) + `[platform]
type = "ecs"
[autoscaling]
min = 2
max = 20
scale_in_cooldown = "120s"
target_tracking = { metric = "alb_request_count_per_target", target = 1000 }
step_scaling = [{ metric = "utilisation", threshold = 70, steps = [{ lower = 0, upper = 20, adjustment = 1 }, { lower = 20, adjustment = 3 }] }]
scheduled = [{ at = "1h", min = 4, max = 8 }]
`
	cfg, err := Parse("s.toml", []byte(src), nil)
	require.NoError(t, err)
	a := cfg.Autoscaling
	assert.Equal(t, 2, a.Min)
	assert.Equal(t, 20, a.Max)
	require.NotNil(t, a.ScaleInCooldown)
	assert.Equal(t, 120*time.Second, *a.ScaleInCooldown)
	assert.Nil(t, a.ScaleOutCooldown)
	require.NotNil(t, a.TargetTracking)
	assert.Equal(t, model.MetricRequestCountPerTarget, a.TargetTracking.Metric)
	require.Len(t, a.StepScaling, 1)
	require.Len(t, a.StepScaling[0].Steps, 2)
	assert.Nil(t, a.StepScaling[0].Steps[1].Upper)
	assert.Equal(t, 3, a.StepScaling[0].Steps[1].Adjustment)
	require.Len(t, a.Scheduled, 1)
	assert.Equal(t, time.Hour, a.Scheduled[0].At)
	assert.Nil(t, a.Scheduled[0].Desired)

	_, err = Parse("s.toml", []byte(minimal+"[autoscaling]\nmax = 5\ntarget_traking = { metric = \"utilisation\", target = 50 }\n"), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "autoscaling.target_traking")
	_, err = Parse("s.toml", []byte(minimal+"[autoscaling]\nmax = 5\ninstance_warmup = 30\n"), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "autoscaling.instance_warmup")
}
