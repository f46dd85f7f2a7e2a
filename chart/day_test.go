package chart_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/chart"
)

// handDay is four 15-minute periods: a scale-out, then a scale-in whose
// draining target fails 7 attempts.
func handDay() chart.Day {
	return chart.Day{
		PeriodS:   900,
		StartH:    []float64{0, 0.25, 0.5, 0.75},
		Rate:      []float64{10, 20, 30, 15},
		InService: []float64{2, 2, 3, 2},
		Launching: []float64{0, 1, 0, 0},
		Leaving:   []float64{0, 0, 0, 1},
		Failed:    []float64{0, 0, 0, 7},
	}
}

func TestDaySeries(t *testing.T) {
	d := handDay()
	ss := chart.DaySeries(d)
	names := []string{chart.DayRateName, chart.DayInServiceName, chart.DayLaunchingName, chart.DayLeavingName, chart.DayFailedName}
	want := [][]float64{d.Rate, d.InService, d.Launching, d.Leaving, d.Failed}
	require.Len(t, ss, len(names))
	for i, s := range ss {
		assert.Equal(t, names[i], s.Name)
		assert.Equal(t, d.StartH, s.X)
		assert.Equal(t, want[i], s.Y)
		assert.Nil(t, s.Low, "no band")
	}
}

// The three panels share the time axis, which ends where the last period
// does; each y axis starts at 0 and reaches its panel's largest value.
func TestDayPanelsLayout(t *testing.T) {
	ps, err := chart.DayPanels(handDay(), chart.Options{Title: "day"})
	require.NoError(t, err)
	require.Len(t, ps, 3)
	assert.Len(t, chart.DayPanelHeights, 3)
	assert.Equal(t, "day: request rate, fleet by target state, failed attempts", ps[0].Title.Text)
	for i, p := range ps {
		assert.Equal(t, 0.0, p.X.Min, "panel %d", i)
		assert.InDelta(t, 1.0, p.X.Max, 1e-12, "panel %d: the horizon, 0.75 h + 900 s", i)
		assert.Equal(t, 0.0, p.Y.Min, "panel %d", i)
	}
	assert.GreaterOrEqual(t, ps[0].Y.Max, 30.0, "the peak rate")
	assert.GreaterOrEqual(t, ps[1].Y.Max, 3.0, "the largest fleet")
	assert.GreaterOrEqual(t, ps[2].Y.Max, 7.0, "the most failures in a period")
	assert.Equal(t, "failed per 900s", ps[2].Y.Label.Text)
	var buf bytes.Buffer
	require.NoError(t, chart.RenderStack(ps, chart.DayPanelHeights, &buf, 800, 500, "png"))
	img := decodePNG(t, buf.Bytes())
	assert.Equal(t, 800, img.Bounds().Dx())
}

func TestDayPanelsErrors(t *testing.T) {
	for name, edit := range map[string]func(*chart.Day){
		"no periods":   func(d *chart.Day) { *d = chart.Day{PeriodS: 60} },
		"zero period":  func(d *chart.Day) { d.PeriodS = 0 },
		"short rate":   func(d *chart.Day) { d.Rate = d.Rate[:2] },
		"short failed": func(d *chart.Day) { d.Failed = nil },
		"descending":   func(d *chart.Day) { d.StartH[2] = 0.1 },
	} {
		d := handDay()
		edit(&d)
		_, err := chart.DayPanels(d, chart.Options{})
		assert.Error(t, err, name)
	}
}

// A sweep whose replication is a day (sweep.Row.Per) labels its drops and
// cost per day, and its instance cost as the whole fleet's.
func TestPerDayLabels(t *testing.T) {
	rows := handRows()
	for i := range rows {
		rows[i].Per = "day"
	}
	d, err := chart.DropsVsDelay(rows, handMarks, chart.Options{})
	require.NoError(t, err)
	assert.Equal(t, "dropped per day vs deregistration delay", d.Title.Text)
	assert.Contains(t, d.Y.Label.Text, "dropped per day")
	c, err := chart.CostVsDelay(rows, handMarks, chart.Options{})
	require.NoError(t, err)
	assert.Equal(t, "cost per day vs deregistration delay", c.Title.Text)
	assert.Contains(t, c.Y.Label.Text, "USD per day")
}
