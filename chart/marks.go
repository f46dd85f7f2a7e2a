package chart

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg/draw"

	"github.com/drainsim/drainsim/sweep"
)

// Marks are vertical reference lines at notable delays, in seconds. A NaN
// field is not drawn; use math.NaN() for a delay that does not exist (as
// [NoMarks] and [MarksFrom] do). The zero value marks 0 s three times,
// which is rarely what is meant.
type Marks struct {
	// RuleOfThumbS is p99 of the request duration × 1.25, drawn on
	// DropsVsDelay as "rule of thumb p99×1.25".
	RuleOfThumbS float64
	// RecommendedS is the smallest delay that meets the drop bound,
	// drawn on DropsVsDelay as "recommended".
	RecommendedS float64
	// CostOptimalS is the delay of least total cost, drawn on
	// CostVsDelay as "cost optimum" with a point on the total.
	CostOptimalS float64
	// MaxDropped is the limit on dropped per scale-in that RecommendedS
	// meets, drawn on DropsVsDelay as a horizontal "max_dropped" line;
	// 0 or NaN means no limit and no line.
	MaxDropped float64
}

// NoMarks returns Marks that draw nothing.
func NoMarks() Marks {
	return Marks{RuleOfThumbS: math.NaN(), RecommendedS: math.NaN(), CostOptimalS: math.NaN(), MaxDropped: math.NaN()}
}

// MarksFrom returns the three delays of a recommendation and its
// max_dropped limit (NaN if it set none); a nil
// RecommendedDelayS (no delay met the bound) gives NaN. A nil rec gives
// NoMarks.
func MarksFrom(rec *sweep.Recommendation) Marks {
	m := NoMarks()
	if rec == nil {
		return m
	}
	m.RuleOfThumbS, m.CostOptimalS = rec.RuleOfThumbDelayS, rec.CostOptimalDelayS
	if rec.MaxDropped > 0 {
		m.MaxDropped = rec.MaxDropped
	}
	if rec.RecommendedDelayS != nil {
		m.RecommendedS = *rec.RecommendedDelayS
	}
	return m
}

// present reports whether a mark is to be drawn.
func present(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// seconds formats a delay for a legend label: "25 s", "12.5 s".
func seconds(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) + " s" }

// Legend labels of the marks.
func ruleOfThumbLabel(x float64) string {
	return fmt.Sprintf("rule of thumb p99×%g (%s)", sweep.RuleOfThumbFactor, seconds(x))
}
func recommendedLabel(x float64) string { return "recommended (" + seconds(x) + ")" }
func maxDroppedLabel(v float64) string {
	return "max_dropped (" + strconv.FormatFloat(v, 'g', 6, 64) + " per scale-in)"
}
func costOptimumLabel(x float64) string { return "cost optimum (" + seconds(x) + ")" }

// vline is a vertical line across the whole data area at X. It widens the
// x range to include X but leaves the y range alone.
type vline struct {
	X     float64
	Style draw.LineStyle
}

// Plot draws the line from the bottom to the top of the data area.
func (v vline) Plot(c draw.Canvas, p *plot.Plot) {
	x := c.X(p.X.Norm(v.X))
	c.StrokeLine2(v.Style, x, c.Min.Y, x, c.Max.Y)
}

// DataRange returns X as the x range and an empty y range.
func (v vline) DataRange() (xmin, xmax, ymin, ymax float64) {
	return v.X, v.X, math.Inf(1), math.Inf(-1)
}

// Thumbnail draws a horizontal stretch of the line for the legend.
func (v vline) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(v.Style, c.Min.X, y, c.Max.X, y)
}

// mark adds a vertical line at x with a legend entry, unless x is NaN.
func (ls *layers) mark(p *plot.Plot, x float64, label string, style draw.LineStyle) {
	if !present(x) {
		return
	}
	v := vline{X: x, Style: style}
	ls.marks = append(ls.marks, v)
	p.Legend.Add(label, v)
}
