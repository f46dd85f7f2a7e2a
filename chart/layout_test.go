package chart

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/drainsim/drainsim/sweep"
)

// decayRows is a sweep by hand over 0 s … 300 s every 20 s whose drops
// fall from 500 per scale-in to nothing by 100 s (delay_expired 60 %,
// killed 40 %), with a band of ±20 % + 1; instance cost grows with the
// delay. With dropCost 0 no drop costs anything.
func decayRows(dropCost float64) []sweep.Row {
	var rows []sweep.Row
	for d := 0.0; d <= 300; d += 20 {
		drops := math.Round(500 * math.Exp(-d/15))
		lo, hi := math.Max(0, drops*0.8-1), drops*1.2+1
		if drops == 0 {
			lo, hi = 0, 3 // the upper bound of a zero count from few replications
		}
		inst := d / 1000
		rows = append(rows, sweep.Row{
			DelayS: d, Replications: 10,
			DroppedMean: drops, DroppedCI95: [2]float64{lo, hi},
			DroppedByCause: map[string]float64{"delay_expired": 0.6 * drops, "killed": 0.4 * drops},
			DrainSMean:     d, DrainSP95: d, ScaleInSMean: d, ScaleInSP95: d,
			InstanceCostUSDMean: inst, DropCostUSDMean: drops * dropCost,
			TotalCostUSDMean: inst + drops*dropCost, TotalCostUSDCI95: [2]float64{inst + lo*dropCost, inst + hi*dropCost},
		})
	}
	return rows
}

// assertLegendClear checks, from the plot's own layout at 800×500 px and
// not from pixels, that p's legend lies inside the data area and that no
// curve of ss (in plot units), sampled every 1/200 of the x range, and
// no vertical mark at marksX passes under it.
func assertLegendClear(t *testing.T, p *plot.Plot, ss []Series, marksX []float64) {
	t.Helper()
	dc := dataCanvas(p, DefaultWidth, DefaultHeight)
	r := legendRect(p, dc)
	const slack = vg.Length(1)
	require.True(t, r.Min.X >= dc.Min.X-slack && r.Max.X <= dc.Max.X+slack &&
		r.Min.Y >= dc.Min.Y-slack && r.Max.Y <= dc.Max.Y+slack,
		"legend %v is not inside the data area %v", r, dc.Rectangle)
	w := float64((r.Max.X - r.Min.X) / (dc.Max.X - dc.Min.X))
	assert.Less(t, w, 0.5, "legend takes %.0f%% of the data area's width", 100*w)
	trX, trY := p.Transforms(&dc)
	in := func(x, y float64) bool {
		if x < p.X.Min || x > p.X.Max || y < p.Y.Min || y > p.Y.Max {
			return false
		}
		cx, cy := trX(x), trY(y)
		return cx > r.Min.X && cx < r.Max.X && cy > r.Min.Y && cy < r.Max.Y
	}
	for _, l := range seriesLines(ss) {
		for k := range 201 {
			x := p.X.Min + (p.X.Max-p.X.Min)*float64(k)/200
			y := interpolate(Series{X: xsOf(l), Y: ysOf(l)}, x)
			assert.False(t, in(x, y), "the legend covers a curve at x = %g, y = %g", x, y)
		}
	}
	for _, x := range marksX {
		for k := range 21 {
			y := p.Y.Min + (p.Y.Max-p.Y.Min)*float64(k)/20
			assert.False(t, in(x, y), "the legend covers the mark at x = %g", x)
		}
	}
}

func TestDropsLayoutShowsTheChange(t *testing.T) {
	m := Marks{RuleOfThumbS: 20, RecommendedS: 95, CostOptimalS: math.NaN(), MaxDropped: 1}
	rows := decayRows(0)
	p, lay, err := dropsPlot(rows, m, Options{Caption: "a caption"})
	require.NoError(t, err)

	// The axis covers every delay where drops change, and cuts the flat tail.
	assert.Equal(t, 300.0, lay.GridMaxS)
	last := 0.0
	for i := 1; i < len(rows); i++ {
		if rows[i].DroppedMean != rows[i-1].DroppedMean || rows[i].DroppedCI95 != rows[i-1].DroppedCI95 {
			last = rows[i].DelayS
		}
	}
	assert.GreaterOrEqual(t, lay.XMax, last, "the axis must reach the last change")
	assert.GreaterOrEqual(t, lay.XMax, m.RecommendedS, "and the recommended delay")
	assert.Less(t, lay.XMax, 0.75*lay.GridMaxS, "a flat tail of most of the grid is cut")
	assert.Equal(t, lay.XMax, p.X.Max)
	assert.Contains(t, p.X.Label.Text, "cut at "+seconds(lay.XMax), "the label says the axis was cut")

	// What a reader needs is marked.
	assert.Equal(t, []string{ruleOfThumbLabel(20), recommendedLabel(95), maxDroppedLabel(1)}, lay.Marks)
	assert.Empty(t, lay.Notes)
	assert.False(t, lay.LegendLeft, "drops fall: the top right is empty")
	assertLegendClear(t, p, DropsSeries(rows), []float64{20, 95})

	// No delay met the limit: the legend says so.
	m.RecommendedS = math.NaN()
	_, lay, err = dropsPlot(rows, m, Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{ruleOfThumbLabel(20), maxDroppedLabel(1)}, lay.Marks)
	assert.Len(t, lay.Notes, 1)

	// A grid where drops change to its end is not cut.
	_, lay, err = dropsPlot(rows[:5], NoMarks(), Options{})
	require.NoError(t, err)
	assert.Equal(t, lay.GridMaxS, lay.XMax)
}

func TestCostLayoutNoDropCost(t *testing.T) {
	m := Marks{RuleOfThumbS: math.NaN(), RecommendedS: math.NaN(), CostOptimalS: 0, MaxDropped: math.NaN()}
	p, lay, err := costPlot(decayRows(0), m, Options{})
	require.NoError(t, err)
	assert.Empty(t, lay.Marks, "the cheapest delay drops 500 because drops cost nothing: no optimum marked")
	require.Len(t, lay.Notes, 1)
	assert.True(t, strings.HasPrefix(lay.Notes[0], "no drop cost set"))
	assert.True(t, lay.LegendLeft, "cost rises with the delay: the top left is empty")
	assertLegendClear(t, p, CostSeries(decayRows(0)), nil)

	m.CostOptimalS = 100
	p, lay, err = costPlot(decayRows(0.001), m, Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{costOptimumLabel(100)}, lay.Marks, "with a drop cost the optimum is marked")
	assert.Empty(t, lay.Notes)
	assertLegendClear(t, p, CostSeries(decayRows(0.001)), []float64{100})

	// Nothing dropped at the optimum: with no drop cost it is still the optimum.
	m.CostOptimalS = 200
	_, lay, err = costPlot(decayRows(0), m, Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{costOptimumLabel(200)}, lay.Marks)
}

func TestDrainLegendClear(t *testing.T) {
	rows := decayRows(0)
	p, err := DrainVsDelay(rows, Options{})
	require.NoError(t, err)
	assertLegendClear(t, p, DrainSeries(rows), nil)
}

// TestCauseStylesDistinct: no two of the model's causes share a colour or
// a line style, so that they differ even to a reader who cannot tell red
// from orange (unhealthy_reset and refused were both reds, all solid).
func TestCauseStylesDistinct(t *testing.T) {
	all := causes(nil)
	for i, a := range all {
		for _, b := range all[i+1:] {
			sa, sb := causeStyles[causeColour(a, all)], causeStyles[causeColour(b, all)]
			assert.NotEqual(t, sa.colour, sb.colour, "%s and %s share a colour", a, b)
			assert.False(t, slices.Equal(sa.dashes, sb.dashes), "%s and %s share a line style", a, b)
		}
	}
}

// xsOf and ysOf split a polyline.
func xsOf(l plotter.XYs) []float64 {
	out := make([]float64, len(l))
	for i, q := range l {
		out[i] = q.X
	}
	return out
}

func ysOf(l plotter.XYs) []float64 {
	out := make([]float64, len(l))
	for i, q := range l {
		out[i] = q.Y
	}
	return out
}

// TestDrainCurvesNest: drain and scale-in coincide wherever a target drains
// for the whole delay and is terminated at once, so each curve is drawn
// narrower than every curve beneath it and stays visible as a fringe
// (drain p95 used to be drawn narrower than, and in the colour of, the
// drain mean under which it lay, and vanished).
func TestDrainCurvesNest(t *testing.T) {
	require.Len(t, drainStyles, 4)
	names := map[string]bool{}
	for i, st := range drainStyles {
		names[st.name] = true
		for _, under := range drainStyles[:i] {
			assert.Less(t, st.width, under.width, "%s must be narrower than %s beneath it", st.name, under.name)
			assert.NotEqual(t, st.colour, under.colour, "%s and %s", st.name, under.name)
		}
	}
	assert.Len(t, names, 4, "each of DrainSeries' curves once")
}
