package chart_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/chart"
	"github.com/drainsim/drainsim/sweep"
)

// byName indexes series by name, failing on a duplicate.
func byName(t *testing.T, ss []chart.Series) map[string]chart.Series {
	t.Helper()
	m := map[string]chart.Series{}
	for _, s := range ss {
		require.NotContains(t, m, s.Name, "duplicate series")
		m[s.Name] = s
	}
	return m
}

func names(ss []chart.Series) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Name)
	}
	return out
}

func TestDropsSeries(t *testing.T) {
	ss := chart.DropsSeries(handRows())
	require.Equal(t, []string{"total", "cause: delay_expired", "cause: killed", "class: api", "class: ws"}, names(ss),
		"no_target is zero everywhere, so it has no series")
	m := byName(t, ss)
	x := []float64{0, 30, 60, 120}
	for _, s := range ss {
		assert.Equal(t, x, s.X, "%s: rows sorted by delay", s.Name)
		assert.Len(t, s.Low, len(x), s.Name)
		assert.Len(t, s.High, len(x), s.Name)
	}
	total := m["total"]
	assert.Equal(t, []float64{80, 4, 0.5, 0}, total.Y)
	assert.Equal(t, []float64{70, 2, 0, 0}, total.Low, "−0.3 clamped at 0")
	assert.Equal(t, []float64{90, 6, 1.3, 0}, total.High)
	killed := m["cause: killed"]
	assert.Equal(t, []float64{0, 1, 0, 0}, killed.Y)
	assert.Equal(t, []float64{1, 2, 1, 1}, killed.High)
	assert.Equal(t, []float64{0, 0, 0, 0}, killed.Low)
	assert.Equal(t, []float64{80, 3, 0.5, 0}, m["cause: delay_expired"].Y)
	assert.Equal(t, []float64{20, 1, 0, 0}, m["class: ws"].Y)
	assert.Equal(t, []float64{40, 2, 0, 0}, m["class: ws"].High)
	assert.Equal(t, []float64{30, 1.5, 0.25, 0}, m["class: api"].Low)
}

func TestDropsSeriesOneClass(t *testing.T) {
	rows := handRows()
	for i := range rows {
		rows[i].DroppedByClass = rows[i].DroppedByClass[:1]
	}
	assert.Equal(t, []string{"total", "cause: delay_expired", "cause: killed"}, names(chart.DropsSeries(rows)),
		"one class would repeat the total")
}

func TestDropsSeriesDoesNotModifyRows(t *testing.T) {
	rows := handRows()
	chart.DropsSeries(rows)
	assert.Equal(t, handRows(), rows)
}

func TestDropsSeriesUnknownCause(t *testing.T) {
	rows := []sweep.Row{{DelayS: 0, DroppedMean: 2, DroppedByCause: map[string]float64{"zapped": 2, "delay_expired": 0}}}
	ss := chart.DropsSeries(rows)
	require.Equal(t, []string{"total", "cause: zapped"}, names(ss))
	assert.Equal(t, []float64{2}, ss[1].Low, "no interval: the band is the mean")
}

func TestCostSeries(t *testing.T) {
	ss := chart.CostSeries(handRows())
	require.Equal(t, []string{"instance cost", "drop cost", "total"}, names(ss))
	m := byName(t, ss)
	assert.InDeltaSlice(t, []float64{0, 0.03, 0.06, 0.12}, m["instance cost"].Y, 1e-12)
	assert.InDeltaSlice(t, []float64{0.8, 0.04, 0.005, 0}, m["drop cost"].Y, 1e-12)
	assert.InDeltaSlice(t, []float64{0.8, 0.07, 0.065, 0.12}, m["total"].Y, 1e-12)
	assert.InDeltaSlice(t, []float64{0.7, 0.05, 0.057, 0.12}, m["total"].Low, 1e-12)
	assert.InDeltaSlice(t, []float64{0.9, 0.09, 0.073, 0.12}, m["total"].High, 1e-12)
	assert.Nil(t, m["instance cost"].Low, "only the total has a band")
	assert.Nil(t, m["drop cost"].High)
}

func TestDrainSeries(t *testing.T) {
	ss := chart.DrainSeries(handRows())
	require.Equal(t, []string{"drain mean", "drain p95", "scale-in mean", "scale-in p95"}, names(ss))
	m := byName(t, ss)
	assert.Equal(t, []float64{0, 30, 40, 40}, m["drain mean"].Y)
	assert.Equal(t, []float64{0, 30, 55, 55}, m["drain p95"].Y)
	assert.Equal(t, []float64{5, 35, 45, 45}, m["scale-in mean"].Y)
	assert.Equal(t, []float64{8, 38, 63, 63}, m["scale-in p95"].Y)
	for _, s := range ss {
		assert.Equal(t, []float64{0, 30, 60, 120}, s.X)
		assert.Nil(t, s.Low, s.Name)
	}
}

func TestSeriesOfNoRows(t *testing.T) {
	assert.Nil(t, chart.DropsSeries(nil))
	assert.Nil(t, chart.CostSeries(nil))
	assert.Nil(t, chart.DrainSeries([]sweep.Row{}))
}
