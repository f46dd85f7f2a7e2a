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
