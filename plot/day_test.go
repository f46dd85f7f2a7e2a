package plot_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/plot"
	"github.com/drainsim/drainsim/scenarios"
)

// RecordDay's timeline adds up to the run's result: its failures are the
// run's drops (no client retries), its arrivals those that ended, and it
// follows the policy's first scale-in (10 → 2 at 15 min) through its
// states; observing does not change the run.
func TestRecordDay(t *testing.T) {
	cfg, err := scenarios.Builtin("diurnal-api")
	require.NoError(t, err)
	cfg.Horizon = 30 * time.Minute
	cfg.TargetGroup.DeregistrationDelay = 0
	// An observed run simulates every request (docs/model.md, "Fast
	// path"); the plain run must too for the two to be the same run.
	cfg.Fast = model.FastOff
	d, res, err := plot.RecordDay(context.Background(), cfg, 0, time.Minute)
	require.NoError(t, err)
	plain, err := model.Run(cfg, 0)
	require.NoError(t, err)
	assert.Equal(t, plain.Dropped, res.Dropped)
	assert.Equal(t, plain.Arrivals, res.Arrivals)

	require.Len(t, d.StartH, 30)
	assert.Equal(t, 60.0, d.PeriodS)
	var failed, arrived float64
	for k := range d.StartH {
		failed += d.Failed[k]
		arrived += d.Rate[k] * d.PeriodS
	}
	require.Positive(t, res.Dropped, "a scale-in with no delay drops")
	assert.Equal(t, float64(res.Dropped), failed)
	assert.InDelta(t, float64(res.Arrivals-res.InFlight), arrived, 1e-6)
	assert.Equal(t, 10.0, d.InService[0])
	assert.Equal(t, 2.0, d.InService[29], "the policy's first scale-in")
	leaving := 0.0
	for _, v := range d.Leaving {
		leaving = max(leaving, v)
	}
	assert.Equal(t, 8.0, leaving, "the eight removed targets seen leaving")

	_, _, err = plot.RecordDay(context.Background(), cfg, 0, -time.Second)
	assert.Error(t, err)
}
