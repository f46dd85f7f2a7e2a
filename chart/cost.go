package chart

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/drainsim/drainsim/sweep"
)

// Series names of CostSeries (the total is TotalName).
const (
	InstanceCostName = "instance cost"
	DropCostName     = "drop cost"
)

// CostSeries returns the data of CostVsDelay, rows sorted by delay, in
// USD per scale-in (per replication of the scenario): "instance cost"
// (InstanceCostUSDMean), "drop cost" (DropCostUSDMean) and "total"
// (TotalCostUSDMean, with TotalCostUSDCI95 clamped at 0 as its band). It
// returns nil for no rows.
func CostSeries(rows []sweep.Row) []Series {
	if len(rows) == 0 {
		return nil
	}
	rows = sorted(rows)
	x := column(rows, func(r sweep.Row) float64 { return r.DelayS })
	return []Series{
		{Name: InstanceCostName, X: x, Y: column(rows, func(r sweep.Row) float64 { return r.InstanceCostUSDMean })},
		{Name: DropCostName, X: x, Y: column(rows, func(r sweep.Row) float64 { return r.DropCostUSDMean })},
		{
			Name: TotalName, X: x,
			Y:    column(rows, func(r sweep.Row) float64 { return r.TotalCostUSDMean }),
			Low:  column(rows, func(r sweep.Row) float64 { return nonNegative(r.TotalCostUSDCI95[0]) }),
			High: column(rows, func(r sweep.Row) float64 { return nonNegative(r.TotalCostUSDCI95[1]) }),
		},
	}
}

// CostVsDelay plots the cost of a scale-in against the deregistration
// delay: instance cost and drop cost as coloured lines, their total in
// black over its shaded 95 % band, and, unless m.CostOptimalS is NaN, a
// dashed vertical line at the cost optimum with a point on the total
// (interpolated linearly between the two nearest delays when the optimum
// is between grid points). With o.LogY the y axis is logarithmic (see
// Options.LogY). It ignores the other marks, and returns an error for no
// rows or a non-finite delay.
func CostVsDelay(rows []sweep.Row, m Marks, o Options) (*plot.Plot, error) {
	if err := check(rows); err != nil {
		return nil, err
	}
	y := newYScale(CostSeries(rows), o.LogY)
	ss := y.series(CostSeries(rows))
	p := NewPlot(o.title("cost per scale-in vs deregistration delay"), o.xLabel(delayLabel), y.label(costLabel))
	var ls layers
	colours := map[string]int{InstanceCostName: 2, DropCostName: 0}
	for _, s := range ss {
		var err error
		if s.Name == TotalName {
			s.Name = "total (band: 95% CI)"
			err = ls.curve(p, s, black, mainWidth, nil, 0.22)
		} else {
			err = ls.curve(p, s, palette(colours[s.Name]), lineWidth, nil, 0)
		}
		if err != nil {
			return nil, err
		}
	}
	if x := m.CostOptimalS; present(x) {
		style := draw.LineStyle{Color: purple, Width: refWidth, Dashes: dashed}
		v := vline{X: x, Style: style}
		pt, err := plotter.NewScatter(plotter.XYs{{X: x, Y: interpolate(ss[2], x)}})
		if err != nil {
			return nil, err
		}
		pt.GlyphStyle = draw.GlyphStyle{Color: purple, Radius: vg.Points(4.5), Shape: draw.CircleGlyph{}}
		ls.marks = append(ls.marks, v)
		ls.points = append(ls.points, pt)
		p.Legend.Add(costOptimumLabel(x), v, pt)
	}
	ls.addTo(p)
	y.apply(p)
	return p, nil
}
