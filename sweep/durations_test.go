package sweep

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The float-seconds fields read as durations, rounded to the nanosecond:
// 0.3 s is 300ms, not the 299.999999ms a truncating conversion gives
// (time.Duration(0.3 * 1e9) truncates 2.9999999999999997e8).
func TestDurationAccessors(t *testing.T) {
	t.Parallel()
	x := 2.01 // 2.01 × 1e9 is 2009999999.9999998 in float64
	assert.Equal(t, 2009999999*time.Nanosecond, time.Duration(x*float64(time.Second)), "the truncation the accessors avoid")
	r := Row{DelayS: x, DrainSMean: x, DrainSP50: 1.5, DrainSP95: 2, DrainSMax: 3600, IdleHoldSMean: 1e-9,
		ScaleInSMean: 61.25, ScaleInSP95: 90}
	assert.Equal(t, 2010*time.Millisecond, r.Delay())
	assert.Equal(t, 2010*time.Millisecond, r.DrainMean())
	assert.Equal(t, 1500*time.Millisecond, r.DrainP50())
	assert.Equal(t, 2*time.Second, r.DrainP95())
	assert.Equal(t, time.Hour, r.DrainMax())
	assert.Equal(t, time.Nanosecond, r.IdleHoldMean())
	assert.Equal(t, 61250*time.Millisecond, r.ScaleInMean())
	assert.Equal(t, 90*time.Second, r.ScaleInP95())

	s := Summary{DelayS: 45, DrainSMean: x, DrainSP50: 1, DrainSP95: 2, DrainSMax: 3, IdleHoldSMean: 4, ScaleInSMean: math.NaN()}
	assert.Equal(t, 45*time.Second, s.Delay())
	assert.Equal(t, 2010*time.Millisecond, s.DrainMean())
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 4 * time.Second},
		[]time.Duration{s.DrainP50(), s.DrainP95(), s.DrainMax(), s.IdleHoldMean()})
	assert.Zero(t, s.ScaleInMean(), "NaN reads as 0")

	rec := &Recommendation{CostOptimalDelayS: 30, RuleOfThumbDelayS: 13, RequestP99S: 10.2}
	_, ok := rec.RecommendedDelay()
	assert.False(t, ok)
	d := 17.0
	rec.RecommendedDelayS = &d
	got, ok := rec.RecommendedDelay()
	assert.True(t, ok)
	assert.Equal(t, 17*time.Second, got)
	assert.Equal(t, 30*time.Second, rec.CostOptimalDelay())
	assert.Equal(t, 13*time.Second, rec.RuleOfThumbDelay())
	assert.Equal(t, 10200*time.Millisecond, rec.RequestP99())
}
