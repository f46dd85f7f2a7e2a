package model

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkIdentity checks the accounting identity of a result whose scenario
// need not have the scale-ins assertResult expects.
func checkIdentity(t *testing.T, res *Result) {
	t.Helper()
	assert.Equal(t, res.Arrivals, res.Completed+res.Dropped+res.InFlight, "arrivals = completed + dropped + in flight")
	assert.Equal(t, res.Dropped, res.DroppedByCause.Total())
}

// TestScaleOut: two targets launched at 2m get nothing until their launch
// time (60 s) plus healthy_threshold (3) checks 10 s apart have passed —
// they are healthy within [2m + 60 s + 20 s, 2m + 60 s + 30 s) — and then
// a quarter each of the round robin, like the old ones. They bill from
// the launch decision. Without the scale-out the fleet would stay at two
// targets and the cost at 0.
func TestScaleOut(t *testing.T) {
	t.Parallel()
	cfg := Default()
	cfg.LoadBalancer.PropagationDelay = ConstantLag(0)
	cfg.Fleet = Fleet{Targets: 2, PricePerHour: 3.6, LaunchTime: time.Minute}
	cfg.HealthCheck = HealthCheck{Interval: 10 * time.Second, HealthyThreshold: 3}
	cfg.Traffic = []Traffic{{Rate: 100, Duration: testFixed(10 * time.Millisecond)}}
	cfg.ScaleOut = []ScaleOut{{At: 2 * time.Minute, Targets: 2}}
	cfg.Horizon = 6 * time.Minute
	var rec recorder
	res, err := RunWith(&cfg, 0, RunOptions{Observer: &rec, SamplePeriod: time.Second})
	require.NoError(t, err)
	checkIdentity(t, res)

	require.Len(t, res.Launched, 2)
	require.Len(t, res.ScaleOuts, 1)
	var allHealthy time.Duration
	for k, lt := range res.Launched {
		assert.Equal(t, 2+k, lt.Target, "launched targets are appended in launch order")
		assert.Equal(t, 0, lt.ScaleOut)
		assert.Equal(t, -1, lt.RollingUpdate)
		assert.Equal(t, 2*time.Minute, lt.Launched)
		assert.GreaterOrEqual(t, lt.Healthy, 2*time.Minute+80*time.Second, "launched[%d] healthy after launch + (threshold − 1) × interval", k)
		assert.Less(t, lt.Healthy, 2*time.Minute+90*time.Second, "launched[%d] healthy before launch + threshold × interval", k)
		allHealthy = max(allHealthy, lt.Healthy)
		assert.InDelta(t, 0.001*(cfg.Horizon-lt.Launched).Seconds(), lt.CostUSD, 1e-9, "launched[%d] bills from launch", k)
	}
	assert.Equal(t, allHealthy, res.ScaleOuts[0].Finished)
	assert.InDelta(t, 0.001*2*(cfg.Horizon-2*time.Minute).Seconds(), res.CostUSD, 1e-9, "the cost is the launched targets'")

	per := make([]int, 4)
	for _, a := range rec.attempts {
		if a.Target >= 2 {
			assert.GreaterOrEqual(t, a.Arrived, res.Launched[a.Target-2].Healthy, "no request reaches a target before it is healthy")
		}
		if a.Arrived >= allHealthy {
			per[a.Target]++
		}
	}
	total := per[0] + per[1] + per[2] + per[3]
	require.Greater(t, total, 10000)
	for i, n := range per {
		// Round robin over four targets: equal shares, up to the one
		// request of the turn in progress.
		assert.InDelta(t, float64(total)/4, float64(n), 1.5, "target %d's share", i)
	}
	// The samples show the new targets initial, then healthy.
	for _, s := range rec.samples {
		switch {
		case s.At < 2*time.Minute:
			assert.Len(t, s.States, 2)
		case s.At < res.Launched[0].Healthy:
			require.Len(t, s.States, 4)
			assert.Equal(t, StateInitial, s.States[2], "at %v", s.At)
		case s.At > allHealthy:
			assert.Equal(t, 4, s.Healthy, "at %v", s.At)
		}
	}
}

// TestScaleOutValidate: the new keys are checked with their paths.
func TestScaleOutValidate(t *testing.T) {
	t.Parallel()
	one, zero := 1, 0
	for name, c := range map[string]struct {
		edit func(*Config)
		want []string
	}{
		"launch time": {func(c *Config) { c.Fleet.LaunchTime = 2 * time.Hour }, []string{"fleet.launch_time"}},
		"no targets":  {func(c *Config) { c.ScaleOut = []ScaleOut{{At: time.Minute}} }, []string{"scale_out[0].targets"}},
		"order": {func(c *Config) {
			c.ScaleOut = []ScaleOut{{At: 2 * time.Minute, Targets: 1}, {At: time.Minute, Targets: 1}}
		}, []string{"scale_out[1].at"}},
		"too many": {func(c *Config) { c.ScaleOut = []ScaleOut{{At: time.Minute, Targets: maxTargets}} }, []string{"fleet.targets"}},
		"surge negative": {func(c *Config) {
			c.RollingUpdate = []RollingUpdate{{At: time.Minute, MaxSurge: new(int)}}
			*c.RollingUpdate[0].MaxSurge = -1
		}, []string{"rolling_update[0].max_surge"}},
		"both zero": {func(c *Config) {
			c.RollingUpdate = []RollingUpdate{{At: time.Minute, MaxSurge: &zero, MaxUnavailable: &zero}}
		}, []string{"rolling_update[0]"}},
		"targets negative": {func(c *Config) { c.RollingUpdate = []RollingUpdate{{At: time.Minute, Targets: -1, MaxSurge: &one}} }, []string{"rolling_update[0].targets"}},
	} {
		cfg := testScenario(4, 10, testFixed(time.Second), 5*time.Minute, 1)
		c.edit(&cfg)
		err := cfg.Validate()
		require.Error(t, err, name)
		assert.Equal(t, c.want, errorPaths(t, err), name)
	}
	// A rolling update alone is a scenario.
	cfg := testScenario(4, 10, testFixed(time.Second), 5*time.Minute, 1)
	cfg.ScaleIn = nil
	cfg.RollingUpdate = []RollingUpdate{{At: time.Minute}}
	assert.NoError(t, cfg.Validate())
}

// TestScaleOutAssumption: a scenario that launches targets lists the
// launch time it assumed; one that does not, does not.
func TestScaleOutAssumption(t *testing.T) {
	t.Parallel()
	has := func(c Config) (Assumption, bool) {
		for _, a := range c.Assumptions() {
			if a.Key == "fleet.launch_time" {
				return a, true
			}
		}
		return Assumption{}, false
	}
	cfg := testScenario(4, 10, testFixed(time.Second), 5*time.Minute, 1)
	_, ok := has(cfg)
	assert.False(t, ok)
	cfg.Platform.Type = EKS
	cfg.ScaleOut = []ScaleOut{{At: time.Minute, Targets: 1}}
	a, ok := has(cfg)
	require.True(t, ok)
	assert.Equal(t, "15s", a.Value)
	assert.True(t, a.Defaulted)
}

// TestScaleOutThenIn: a scale-in may remove targets a scale-out launched;
// picking newest takes them, once they are in service.
func TestScaleOutThenIn(t *testing.T) {
	t.Parallel()
	cfg := testScenario(2, 20, testFixed(100*time.Millisecond), 10*time.Minute, 4)
	cfg.ScaleIn[0].Pick = PickNewest
	cfg.Fleet.LaunchTime = 30 * time.Second
	cfg.ScaleOut = []ScaleOut{{At: time.Minute, Targets: 3}}
	require.NoError(t, cfg.Validate(), "5 targets by then: removing 4 is valid")
	res, err := Run(&cfg, 0)
	require.NoError(t, err)
	checkIdentity(t, res)
	require.Len(t, res.Removed, 4)
	assert.Equal(t, []int{4, 3, 2, 1}, []int{res.Removed[0].Target, res.Removed[1].Target, res.Removed[2].Target, res.Removed[3].Target})
	cfg.ScaleIn[0].Targets = 6
	assert.Equal(t, []string{"scale_in"}, errorPaths(t, cfg.Validate()))
}
