package chart_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot"

	"github.com/drainsim/drainsim/chart"
	"github.com/drainsim/drainsim/sweep"
)

// handMarks marks the hand-made sweep: rule of thumb 25 s, recommended
// 48 s, cost optimum 45 s.
var handMarks = chart.Marks{RuleOfThumbS: 25, RecommendedS: 48, CostOptimalS: 45}

// charts builds each chart of rows.
func charts(rows []sweep.Row, m chart.Marks, o chart.Options) map[string]func() (*plot.Plot, error) {
	return map[string]func() (*plot.Plot, error){
		"drops": func() (*plot.Plot, error) { return chart.DropsVsDelay(rows, m, o) },
		"cost":  func() (*plot.Plot, error) { return chart.CostVsDelay(rows, m, o) },
		"drain": func() (*plot.Plot, error) { return chart.DrainVsDelay(rows, o) },
	}
}

func TestChartsPNG(t *testing.T) {
	for _, tc := range []struct {
		name string
		rows []sweep.Row
		o    chart.Options
		w, h int
	}{
		{"default", handRows(), chart.Options{Title: "hand"}, 800, 500},
		{"logY", handRows(), chart.Options{LogY: true}, 800, 500},
		{"small", handRows(), chart.Options{}, 640, 400},
		{"odd size", handRows(), chart.Options{}, 801, 333},
		{"zeros logY", zeroRows(), chart.Options{LogY: true}, 800, 500},
		{"zeros", zeroRows(), chart.Options{}, 800, 500},
		{"one row", handRows()[:1], chart.Options{LogY: true}, 800, 500},
	} {
		for name, build := range charts(tc.rows, handMarks, tc.o) {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				p, err := build()
				require.NoError(t, err)
				var buf bytes.Buffer
				require.NoError(t, chart.Render(p, &buf, tc.w, tc.h, "png"))
				img := decodePNG(t, buf.Bytes())
				assert.Equal(t, tc.w, img.Bounds().Dx(), "width")
				assert.Equal(t, tc.h, img.Bounds().Dy(), "height")
				colours, ink := inkStats(img)
				assert.Greater(t, colours, 8, "antialiased lines, text and a band in several colours")
				assert.Greater(t, ink, 0.02, "share of non-white pixels")
				assert.Less(t, ink, 0.6, "mostly white background")
			})
		}
	}
}

func TestChartsSVG(t *testing.T) {
	for name, build := range charts(handRows(), handMarks, chart.Options{LogY: true}) {
		t.Run(name, func(t *testing.T) {
			p, err := build()
			require.NoError(t, err)
			var buf bytes.Buffer
			require.NoError(t, chart.Render(p, &buf, 800, 500, "svg"))
			s := buf.String()
			assert.True(t, len(s) > 1000 && (s[:5] == "<?xml" || s[:4] == "<svg"), "starts %.40q", s)
			assert.Contains(t, s, `width="600pt" height="375pt"`, "800×500 px at 96 dpi")
			assert.Contains(t, s, "</svg>")
			dec := xml.NewDecoder(strings.NewReader(s))
			for {
				_, err := dec.Token()
				if err == io.EOF {
					break
				}
				require.NoError(t, err, "well-formed XML")
			}
		})
	}
}

func TestChartsRejectBadRows(t *testing.T) {
	for _, tc := range []struct {
		name string
		rows []sweep.Row
	}{
		{"nil", nil},
		{"empty", []sweep.Row{}},
		{"NaN delay", []sweep.Row{{DelayS: math.NaN()}}},
		{"infinite delay", []sweep.Row{{DelayS: 0}, {DelayS: math.Inf(1)}}},
	} {
		for name, build := range charts(tc.rows, handMarks, chart.Options{LogY: true}) {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				var p *plot.Plot
				var err error
				require.NotPanics(t, func() { p, err = build() })
				assert.Error(t, err)
				assert.Nil(t, p)
			})
		}
	}
}

func TestChartsRejectNaNValues(t *testing.T) {
	rows := handRows()
	rows[1].DroppedMean = math.NaN()
	rows[1].TotalCostUSDMean = math.NaN()
	rows[1].DrainSMean = math.NaN()
	for name, build := range charts(rows, handMarks, chart.Options{}) {
		t.Run(name, func(t *testing.T) {
			_, err := build()
			assert.ErrorContains(t, err, "chart:")
		})
	}
}

func TestLabels(t *testing.T) {
	o := chart.Options{Title: "payments"}
	drops, err := chart.DropsVsDelay(handRows(), handMarks, o)
	require.NoError(t, err)
	assert.Equal(t, "payments: dropped per scale-in vs deregistration delay", drops.Title.Text)
	assert.Equal(t, "deregistration delay (s)", drops.X.Label.Text)
	assert.Equal(t, "dropped per scale-in", drops.Y.Label.Text)

	o.LogY = true
	logDrops, err := chart.DropsVsDelay(handRows(), handMarks, o)
	require.NoError(t, err)
	assert.Equal(t, "dropped per scale-in (log scale; < 0.1 drawn at 0.1)", logDrops.Y.Label.Text,
		"floor: the power of ten at or below min(least mean 0.5, largest value 120 (class api's bound) / 1000)")
	assert.InDelta(t, -1, logDrops.Y.Min, 1e-12, "log10 of the floor")
	assert.InDelta(t, 2, logDrops.Y.Max, 1e-12, "up to the next power of ten above 90, the highest drawn value")

	cost, err := chart.CostVsDelay(handRows(), handMarks, chart.Options{})
	require.NoError(t, err)
	assert.Equal(t, "cost per scale-in vs deregistration delay", cost.Title.Text)
	assert.Equal(t, "USD per scale-in", cost.Y.Label.Text)
	assert.Equal(t, 0.0, cost.Y.Min)

	drain, err := chart.DrainVsDelay(handRows(), chart.Options{LogY: true})
	require.NoError(t, err)
	assert.Equal(t, "seconds", drain.Y.Label.Text, "LogY does not apply to times")
	assert.Equal(t, 0.0, drain.Y.Min)
	assert.InDelta(t, 63*1.05, drain.Y.Max, 1e-9, "fits the data, not the y = x line up to 120 s")
}

func TestMarksWidenTheDelayAxis(t *testing.T) {
	for _, tc := range []struct {
		name       string
		m          chart.Marks
		drops, cst float64
	}{
		{"none", chart.NoMarks(), 120, 120},
		{"inside", handMarks, 120, 120},
		{"beyond the grid", chart.Marks{RuleOfThumbS: 150, RecommendedS: 200, CostOptimalS: 300}, 200, 300},
		{"recommended absent", chart.Marks{RuleOfThumbS: 130, RecommendedS: math.NaN(), CostOptimalS: math.NaN()}, 130, 120},
	} {
		t.Run(tc.name, func(t *testing.T) {
			drops, err := chart.DropsVsDelay(handRows(), tc.m, chart.Options{})
			require.NoError(t, err)
			assert.Equal(t, tc.drops, drops.X.Max)
			cost, err := chart.CostVsDelay(handRows(), tc.m, chart.Options{LogY: true})
			require.NoError(t, err)
			assert.Equal(t, tc.cst, cost.X.Max)
			// They draw: SVG, which draws the same plot without the PNG
			// encoder's cost (TestChartsPNG covers the raster path).
			var buf bytes.Buffer
			require.NoError(t, chart.Render(drops, &buf, 800, 500, "svg"))
			require.NoError(t, chart.Render(cost, &buf, 800, 500, "svg"))
		})
	}
}

func TestMarksFrom(t *testing.T) {
	assertNaN := func(x float64) { assert.True(t, math.IsNaN(x), "%v is not NaN", x) }
	m := chart.MarksFrom(nil)
	assertNaN(m.RuleOfThumbS)
	assertNaN(m.RecommendedS)
	assertNaN(m.CostOptimalS)
	assertNaN(m.MaxDropped)

	rec := &sweep.Recommendation{RuleOfThumbDelayS: 25, CostOptimalDelayS: 62}
	m = chart.MarksFrom(rec)
	assert.Equal(t, 25.0, m.RuleOfThumbS)
	assert.Equal(t, 62.0, m.CostOptimalS)
	assertNaN(m.RecommendedS)
	assertNaN(m.MaxDropped)
	rec.MaxDropped = 0.5
	assert.Equal(t, 0.5, chart.MarksFrom(rec).MaxDropped)

	s := 39.0
	rec.RecommendedDelayS = &s
	assert.Equal(t, 39.0, chart.MarksFrom(rec).RecommendedS)
}

func TestRenderRejects(t *testing.T) {
	p, err := chart.DrainVsDelay(handRows(), chart.Options{})
	require.NoError(t, err)
	for _, tc := range []struct {
		name   string
		p      *plot.Plot
		w, h   int
		format string
	}{
		{"nil plot", nil, 800, 500, "png"},
		{"pdf", p, 800, 500, "pdf"},
		{"upper case", p, 800, 500, "PNG"},
		{"zero width", p, 0, 500, "png"},
		{"negative height", p, 800, -1, "svg"},
		{"huge", p, chart.MaxPixels + 1, 500, "png"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			assert.Error(t, chart.Render(tc.p, &buf, tc.w, tc.h, tc.format))
			assert.Zero(t, buf.Len(), "nothing written")
		})
	}
}

func TestRenderTurnsPanicsIntoErrors(t *testing.T) {
	p, err := chart.DropsVsDelay(handRows(), handMarks, chart.Options{})
	require.NoError(t, err)
	p.Y.Scale = plot.LogScale{} // the linear chart's y axis starts at 0
	var buf bytes.Buffer
	assert.ErrorContains(t, chart.Render(p, &buf, 800, 500, "png"), "log scale")
	assert.Zero(t, buf.Len())
}

func TestLength(t *testing.T) {
	assert.InDelta(t, 600, float64(chart.Length(800)), 1e-12, "800 px at 96 dpi is 600 pt")
	assert.InDelta(t, 375, float64(chart.Length(500)), 1e-12)
}

// A caption (the scenario's assumptions) is drawn under the x axis of
// every chart, wrapped; without one the label is unchanged. Before issue
// #9 charts had no caption.
func TestCaption(t *testing.T) {
	caption := "assumptions (* = default): load_balancer.propagation_delay=weibull scale=12s shape=1.5*; " +
		"app.on_sigterm=\"graceful\"*; fleet.price_per_hour=0* (cost will read 0)"
	o := chart.Options{Caption: caption}
	for name, f := range map[string]func() (*plot.Plot, error){
		"drops": func() (*plot.Plot, error) { return chart.DropsVsDelay(handRows(), handMarks, o) },
		"cost":  func() (*plot.Plot, error) { return chart.CostVsDelay(handRows(), handMarks, o) },
		"drain": func() (*plot.Plot, error) { return chart.DrainVsDelay(handRows(), o) },
	} {
		p, err := f()
		require.NoError(t, err, name)
		lines := strings.Split(p.X.Label.Text, "\n")
		require.Greater(t, len(lines), 2, name)
		assert.Equal(t, caption, strings.Join(lines[1:], " "), name)
		for _, l := range lines {
			assert.LessOrEqual(t, len(l), 110, name)
		}
		var buf bytes.Buffer // it draws (SVG: TestChartsPNG covers the raster path)
		require.NoError(t, chart.Render(p, &buf, 800, 500, "svg"), name)
	}
	p, err := chart.DrainVsDelay(handRows(), chart.Options{})
	require.NoError(t, err)
	assert.NotContains(t, p.X.Label.Text, "\n")
}
