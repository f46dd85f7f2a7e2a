package plot

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot/plotter"

	"github.com/drainsim/drainsim/metrics"
	"github.com/drainsim/drainsim/model"
)

func TestTimelineLegend(t *testing.T) {
	t.Parallel()
	s := &metrics.Series{
		Period:                10 * time.Second,
		Start:                 []time.Duration{0, 10 * time.Second},
		RequestCount:          []int64{5, 5},
		ELB502:                []int64{0, 1},
		ELB503:                []int64{0, 0},
		ELB5XX:                []int64{0, 1},
		ActiveConnectionCount: []int64{3, 1},
		HealthyHostCount:      []int64{3, 2},
		InFlight:              [][]int64{{1, 1}, {1, 0}, {1, 0}},
		Removed:               []int{1},
	}
	cfg := &model.Config{Name: "x", ScaleIn: []model.ScaleIn{{At: 5 * time.Second, Targets: 1}, {At: 15 * time.Second, Targets: 1}}}
	_, d, err := timeline(s, cfg, metrics.TimelineOptions{}, partAll)
	require.NoError(t, err)
	assert.Equal(t, []string{barsLabel, "scale-in decision", "other targets", "target 1 (removed)"}, d.labels)

	s.Removed = []int{0, 1, 2, 3, 4, 5, 6}
	s.InFlight = make([][]int64, 7)
	for i := range s.InFlight {
		s.InFlight[i] = []int64{1, 0}
	}
	_, d, err = timeline(s, nil, metrics.TimelineOptions{}, partAll)
	require.NoError(t, err)
	assert.Equal(t, []string{barsLabel, "removed targets (7)"}, d.labels)
}

// TestTimelineNLBAndExpiry: an NLB answers no HTTP, so its bars are its
// resets, not "ELB 5xx" (which would be all zero); the delay's expiry is
// marked from the run's result; in flight is drawn as steps, so that
// flows cut at once fall straight down instead of sloping over a period;
// and the legend sits inside the data area.
func TestTimelineNLBAndExpiry(t *testing.T) {
	t.Parallel()
	s := &metrics.Series{
		Period:                10 * time.Second,
		Start:                 []time.Duration{0, 10 * time.Second, 20 * time.Second},
		RequestCount:          []int64{5, 5, 5},
		ELB502:                []int64{0, 0, 0},
		ELB503:                []int64{0, 0, 0},
		ELB504:                []int64{0, 0, 0},
		ELB5XX:                []int64{0, 0, 0},
		TCPELBReset:           []int64{0, 7, 0},
		TCPTargetReset:        []int64{0, 2, 0},
		ActiveConnectionCount: []int64{20, 20, 10},
		HealthyHostCount:      []int64{2, 1, 1},
		InFlight:              [][]int64{{10, 10, 10}, {10, 10, 0}},
		Removed:               []int{1},
	}
	cfg := &model.Config{Name: "n", ScaleIn: []model.ScaleIn{{At: 5 * time.Second, Targets: 1}}}
	cfg.LoadBalancer.Type = model.NLB
	cfg.TargetGroup.DeregistrationDelay = 12 * time.Second
	res := &model.Result{Removed: []model.RemovedTarget{{Target: 1, Deregistered: 6 * time.Second, Drained: 18 * time.Second}}}
	p, d, err := timeline(s, cfg, metrics.TimelineOptions{Result: res}, partAll)
	require.NoError(t, err)
	assert.Equal(t, []string{resetsLabel, scaleLabel, "delay expires (12s after deregistration)", othersLabel, "target 1 (removed)"}, d.labels)
	assert.Equal(t, "n: in flight per target and NLB resets per period", p.Title.Text)
	assert.NotContains(t, p.Y.Label.Text, "5xx")
	b, ok := d.plotters[0].(*bars)
	require.True(t, ok)
	assert.Equal(t, []int64{0, 9, 0}, b.y, "TCP_ELB_Reset_Count + TCP_Target_Reset_Count")
	var expiry []float64
	var steps int
	for _, pl := range d.plotters {
		switch v := pl.(type) {
		case vline:
			expiry = append(expiry, v.x)
		case *plotter.Line:
			assert.Equal(t, plotter.PostStep, v.StepStyle)
			assert.Equal(t, 30.0, v.XYs[len(v.XYs)-1].X, "held to the end of the last period")
			steps++
		}
	}
	assert.Equal(t, []float64{5, 18}, expiry, "the decision, then deregistration + delay")
	assert.Equal(t, 2, steps)

	// Drained before the delay ran out: the line is where it would have.
	res.Removed[0].Drained = 15 * time.Second
	_, d, err = timeline(s, cfg, metrics.TimelineOptions{Result: res}, partAll)
	require.NoError(t, err)
	assert.Equal(t, "delay would expire (12s after deregistration)", d.labels[2])
	assert.True(t, p.Legend.Top)
}
