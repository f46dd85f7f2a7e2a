package chart

import (
	"image/color"

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

// noDropCostNote is the legend's note when the sweep set no cost per drop
// and the cheapest delay drops requests.
const noDropCostNote = "no drop cost set: no cost optimum (drops count as free)"

// CostVsDelay plots the cost of a scale-in against the deregistration
// delay: their total in black over its shaded 95 % band, and instance
// cost and drop cost as thinner coloured lines on top of it (drop cost
// dashed), so that a part equal to the total still shows. Unless
// m.CostOptimalS is NaN, a dashed vertical line marks the cost optimum
// with a point on the total (interpolated linearly between the two
// nearest delays when the optimum is between grid points) — but not when
// no drop cost was set (every row's drop cost 0) and the optimum drops
// requests: the cheapest delay then only ignores the drops, and the
// legend says "no drop cost set" instead. With o.LogY the y axis is
// logarithmic (see Options.LogY). It ignores the other marks, and returns
// an error for no rows or a non-finite delay.
func CostVsDelay(rows []sweep.Row, m Marks, o Options) (*plot.Plot, error) {
	p, _, err := costPlot(rows, m, o)
	return p, err
}

// costPlot is CostVsDelay that also returns what it decided.
func costPlot(rows []sweep.Row, m Marks, o Options) (*plot.Plot, layout, error) {
	var lay layout
	if err := check(rows); err != nil {
		return nil, lay, err
	}
	y := newYScale(CostSeries(rows), o.LogY)
	ss := y.series(CostSeries(rows))
	p := NewPlot(o.title(perRow(rows, "cost per scale-in vs deregistration delay")), o.xLabel(delayLabel), y.label(perRow(rows, costLabel)))
	var ls layers
	styles := map[string]struct {
		colour color.Color
		dashes []vg.Length
	}{
		InstanceCostName: {palette(2), nil},
		DropCostName:     {causeStyles[0].colour, []vg.Length{vg.Points(7), vg.Points(3)}},
	}
	// The total first, so the parts are drawn over it; the legend keeps
	// CostSeries's order.
	thumbs := map[string][]plot.Thumbnailer{}
	for _, i := range []int{2, 0, 1} {
		s := ss[i]
		var t []plot.Thumbnailer
		var err error
		if s.Name == TotalName {
			t, err = ls.curveOnly(s, black, mainWidth, nil, 0.22)
		} else {
			st := styles[s.Name]
			t, err = ls.curveOnly(s, st.colour, lineWidth, st.dashes, 0)
		}
		if err != nil {
			return nil, lay, err
		}
		thumbs[s.Name] = t
	}
	for _, s := range ss {
		name := s.Name
		if name == TotalName {
			name = "total (band: 95% CI)"
		}
		if name == InstanceCostName && rows[0].Per != "" {
			name = "whole fleet's cost" // a day under a policy (sweep.Row.Per)
		}
		p.Legend.Add(name, thumbs[s.Name]...)
	}
	var avoid []float64
	if x := m.CostOptimalS; present(x) {
		if noDropCost(rows) && interpolate(DropsSeries(rows)[0], x) > 0 {
			p.Legend.Add(noDropCostNote, blank{})
			lay.Notes = append(lay.Notes, noDropCostNote)
		} else {
			style := draw.LineStyle{Color: purple, Width: refWidth, Dashes: dashed}
			v := vline{X: x, Style: style}
			pt, err := plotter.NewScatter(plotter.XYs{{X: x, Y: interpolate(ss[2], x)}})
			if err != nil {
				return nil, lay, err
			}
			pt.GlyphStyle = draw.GlyphStyle{Color: purple, Radius: vg.Points(4.5), Shape: draw.CircleGlyph{}}
			ls.marks = append(ls.marks, v)
			ls.points = append(ls.points, pt)
			label := costOptimumLabel(x)
			p.Legend.Add(label, v, pt)
			lay.Marks = append(lay.Marks, label)
			avoid = append(avoid, x)
		}
	}
	ls.addTo(p)
	y.apply(p)
	lay.XMin, lay.XMax, lay.GridMaxS = p.X.Min, p.X.Max, ss[0].X[len(ss[0].X)-1]
	w, h := o.size()
	lay.LegendLeft = FitLegend(p, w, h, seriesLines(ss), avoid)
	return p, lay, nil
}

// noDropCost reports whether no row has a drop cost: the sweep set no
// cost per drop, or nothing was dropped.
func noDropCost(rows []sweep.Row) bool {
	for _, r := range rows {
		if r.DropCostUSDMean != 0 {
			return false
		}
	}
	return true
}
