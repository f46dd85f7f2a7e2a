package sweep

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/model"
)

// TestSummarizeScaling: two initial targets and one launched, over a 2 h
// run at $1 an hour: target 0 bills 2 h, target 1 until its billing ended
// at 1 h, the launched target 2 from 30 min, 1.5 h: 4.5 instance-hours;
// 2 h is 1/12 of a day, so per day ×12.
func TestSummarizeScaling(t *testing.T) {
	cfg := model.Default()
	cfg.Fleet = model.Fleet{Targets: 2, PricePerHour: 1}
	cfg.Autoscaling = model.Autoscaling{Min: 1, Max: 5}
	r := &model.Result{
		End:       2 * time.Hour,
		Dropped:   3,
		ScaleIns:  []model.ScaleInResult{{At: time.Hour}},
		ScaleOuts: []model.ScaleOutResult{{At: 30 * time.Minute, Targets: 1}},
		Removed:   []model.RemovedTarget{{Target: 1, Decided: time.Hour - time.Minute, BillingEnded: time.Hour}},
		Launched:  []model.LaunchedTarget{{Target: 2, Launched: 30 * time.Minute}},
	}
	s := summarizeScaling(&cfg, []*model.Result{r, r})
	require.NotNil(t, s)
	assert.InDelta(t, 7200, s.SpanS, 1e-9)
	assert.InDelta(t, 4.5, s.FleetInstanceHoursMean, 1e-9)
	assert.InDelta(t, 4.5, s.FleetCostUSDMean, 1e-9)
	assert.InDelta(t, 12, s.ScaleInsPerDay, 1e-9)
	assert.InDelta(t, 12, s.ScaleOutsPerDay, 1e-9)
	assert.InDelta(t, 36, s.DroppedPerDay, 1e-9)
	assert.InDelta(t, 54, s.FleetCostPerDayUSD, 1e-9)
	assert.InDelta(t, 1620, s.CostPerMonthUSD, 1e-9)

	// A run without scaling has no such summary.
	cfg.Autoscaling = model.Autoscaling{}
	assert.Nil(t, summarizeScaling(&cfg, []*model.Result{r}))
}

// TestSummarizeLatency: the replications' histograms are merged before
// the quantiles are read; runs without one give no latency summary.
func TestSummarizeLatency(t *testing.T) {
	a, b := &model.LatencyHistogram{}, &model.LatencyHistogram{}
	for range 99 {
		a.Add(time.Second)
	}
	b.Add(10 * time.Second)
	b.Add(10 * time.Second)
	s := summarizeLatency([]*model.Result{{Latency: a}, {Latency: b}})
	require.NotNil(t, s)
	assert.Equal(t, int64(101), s.Requests)
	assert.InEpsilon(t, 1, s.P50S, 0.01)
	assert.InEpsilon(t, 10, s.P99S, 0.01, "the 100th of 101 is one of the second replication's")
	assert.Nil(t, summarizeLatency([]*model.Result{{}}))
}
