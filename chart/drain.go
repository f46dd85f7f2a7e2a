package chart

import (
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotutil"
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
// means solid and p95 dashed, with a grey dashed y = x line ("delay") for
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
	// Scale-in is drawn first and wider, so that where the two coincide
	// (a target terminated as soon as it is drained) both stay visible;
	// the legend lists draining first.
	p95 := []vg.Length{vg.Points(6), vg.Points(3)}
	drainBlue, scaleInOrange := plotutil.DarkColors[2], palette(3)
	styles := map[string]struct {
		colour color.Color
		width  vg.Length
		dashes []vg.Length
	}{
		ScaleInMeanName: {scaleInOrange, vg.Points(4.5), nil},
		ScaleInP95Name:  {scaleInOrange, vg.Points(4), p95},
		DrainMeanName:   {drainBlue, vg.Points(1.75), nil},
		DrainP95Name:    {drainBlue, vg.Points(1.5), p95},
	}
	thumbs := map[string][]plot.Thumbnailer{}
	for _, name := range []string{ScaleInMeanName, ScaleInP95Name, DrainMeanName, DrainP95Name} {
		i := slices.IndexFunc(ss, func(s Series) bool { return s.Name == name })
		st := styles[name]
		t, err := ls.curveOnly(ss[i], st.colour, st.width, st.dashes, 0)
		if err != nil {
			return nil, err
		}
		thumbs[name] = t
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
