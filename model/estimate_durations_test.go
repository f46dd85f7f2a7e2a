package model

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// An estimate's float-seconds fields read as durations, rounded to the
// nanosecond (2.01 × 1e9 is 2009999999.9999998 in float64).
func TestEstimateDurations(t *testing.T) {
	t.Parallel()
	e := Estimate{DelayS: 2.01, EmptySMean: 1.5, DrainSMean: 2.01, ScaleInSMean: 62, IdleHoldS: math.NaN(),
		ScaleIns: []ScaleInEstimate{{AtS: 60, EmptyS: 0.25, DrainS: 2.01, ScaleInS: 3600}}}
	assert.Equal(t, 2010*time.Millisecond, e.Delay())
	assert.Equal(t, 1500*time.Millisecond, e.EmptyMean())
	assert.Equal(t, 2010*time.Millisecond, e.DrainMean())
	assert.Equal(t, 62*time.Second, e.ScaleInMean())
	assert.Zero(t, e.IdleHold())
	s := e.ScaleIns[0]
	assert.Equal(t, []time.Duration{time.Minute, 250 * time.Millisecond, 2010 * time.Millisecond, time.Hour},
		[]time.Duration{s.At(), s.Empty(), s.Drain(), s.ScaleIn()})
}
