package chart

import (
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/drainsim/drainsim/sweep"
)

// Series names of DrainSeries.
const (
	DrainMeanName   = "drain mean"
	DrainP95Name    = "drain p95"
	ScaleInMeanName = "scale-in mean"
	ScaleInP95Name  = "scale-in p95"
)

// DrainSeries returns the data of DrainVsDelay, rows sorted by delay, in
// seconds: "drain mean" and "drain p95" (DrainSMean, DrainSP95: how long
// each removed target drained) and "scale-in mean" and "scale-in p95"
// (ScaleInSMean, ScaleInSP95: from the scaling decision to its last
// termination). None has a band. It returns nil for no rows.
func DrainSeries(rows []sweep.Row) []Series {
	if len(rows) == 0 {
		return nil
	}
	rows = sorted(rows)
	x := column(rows, func(r sweep.Row) float64 { return r.DelayS })
	return []Series{
		{Name: DrainMeanName, X: x, Y: column(rows, func(r sweep.Row) float64 { return r.DrainSMean })},
		{Name: DrainP95Name, X: x, Y: column(rows, func(r sweep.Row) float64 { return r.DrainSP95 })},
		{Name: ScaleInMeanName, X: x, Y: column(rows, func(r sweep.Row) float64 { return r.ScaleInSMean })},
		{Name: ScaleInP95Name, X: x, Y: column(rows, func(r sweep.Row) float64 { return r.ScaleInSP95 })},
	}
}

// DrainVsDelay plots draining and scale-in times against the
// deregistration delay: draining in blue over scale-in in wider orange,
// means solid and p95 dashed, each drawn narrower than the one beneath
// (drainStyles), so that coinciding curves all stay visible, with a grey dashed y = x line ("delay") for
// reference: a target that drains for the whole delay lies on it, one
// that emptied early lies below. The y = x line does not widen the y
// axis, which fits the data. It ignores o.LogY, and returns an error for
// no rows or a non-finite delay.
func DrainVsDelay(rows []sweep.Row, o Options) (*plot.Plot, error) {
	if err := check(rows); err != nil {
		return nil, err
	}
	ss := DrainSeries(rows)
	p := NewPlot(o.title("draining and scale-in time vs deregistration delay"), o.xLabel(delayLabel), secondsLabel)
	var ls layers
	thumbs := map[string][]plot.Thumbnailer{}
	for _, st := range drainStyles {
		i := slices.IndexFunc(ss, func(s Series) bool { return s.Name == st.name })
		t, err := ls.curveOnly(ss[i], st.colour, st.width, st.dashes, 0)
		if err != nil {
			return nil, err
		}
		thumbs[st.name] = t
	}
	for _, s := range ss {
		p.Legend.Add(s.Name, thumbs[s.Name]...)
	}
	d := diagonal{Style: draw.LineStyle{Color: grey, Width: refWidth, Dashes: dashed}}
	ls.marks = append(ls.marks, d)
	p.Legend.Add("delay (y = x)", d)
	ls.addTo(p)
	yScale{}.apply(p)
	w, h := o.size()
	FitLegend(p, w, h, seriesLines(ss), nil)
	return p, nil
}

// drainStyles are DrainVsDelay's curves in drawing order, each narrower
// than the one before, so that where all four coincide (a target that
// drains for the whole delay and is terminated at once) each still shows
// as a fringe around the next: scale-in p95 as light orange dashes,
// scale-in mean in orange, drain p95 as light blue dashes, drain mean in
// dark blue at the core.
var drainStyles = []struct {
	name   string
	colour color.Color
	width  vg.Length
	dashes []vg.Length
}{
	{ScaleInP95Name, color.RGBA{R: 250, G: 200, B: 140, A: 255}, vg.Points(9), []vg.Length{vg.Points(6), vg.Points(3)}},
	{ScaleInMeanName, color.RGBA{R: 240, G: 140, B: 30, A: 255}, vg.Points(5.5), nil},
	{DrainP95Name, color.RGBA{R: 120, G: 180, B: 235, A: 255}, vg.Points(3), []vg.Length{vg.Points(6), vg.Points(3)}},
	{DrainMeanName, color.RGBA{R: 20, G: 60, B: 140, A: 255}, vg.Points(1.25), nil},
}

// diagonal is the line y = x across the data area, clipped to it. It has
// no data range, so it does not change the axes.
type diagonal struct {
	Style draw.LineStyle
}

// Plot draws y = x from one end of the x axis to the other, clipped to
// the data area.
func (d diagonal) Plot(c draw.Canvas, p *plot.Plot) {
	lo, hi := p.X.Min, p.X.Max
	pts := []vg.Point{
		{X: c.X(p.X.Norm(lo)), Y: c.Y(p.Y.Norm(lo))},
		{X: c.X(p.X.Norm(hi)), Y: c.Y(p.Y.Norm(hi))},
	}
	if math.IsNaN(float64(pts[0].Y)) || math.IsNaN(float64(pts[1].Y)) {
		return
	}
	for _, l := range c.ClipLinesXY(pts) {
		c.StrokeLines(d.Style, l)
	}
}

// Thumbnail draws a horizontal stretch of the line for the legend.
func (d diagonal) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(d.Style, c.Min.X, y, c.Max.X, y)
}
