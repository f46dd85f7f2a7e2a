package chart

import (
	"fmt"
	"image/color"
	"maps"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/sweep"
)

// Series names of DropsSeries.
const (
	TotalName   = "total"
	CausePrefix = "cause: "
	ClassPrefix = "class: "
)

// DropsSeries returns the data of DropsVsDelay, rows sorted by delay:
//
//   - "total": DroppedMean, with DroppedCI95 as its band;
//   - "cause: <cause>" for each cause whose mean is non-zero at some delay,
//     with its interval as its band, in the model's cause order
//     (delay_expired, killed, no_target), then any other cause by name;
//   - "class: <name>" for each traffic class, with its interval, if every
//     row has the same two or more classes.
//
// Band bounds are clamped at 0 (a Student-t interval from few
// replications can reach below 0; a count cannot). It returns nil for no
// rows.
func DropsSeries(rows []sweep.Row) []Series {
	if len(rows) == 0 {
		return nil
	}
	rows = sorted(rows)
	x := column(rows, func(r sweep.Row) float64 { return r.DelayS })
	total := Series{
		Name: TotalName, X: x,
		Y:    column(rows, func(r sweep.Row) float64 { return r.DroppedMean }),
		Low:  column(rows, func(r sweep.Row) float64 { return nonNegative(r.DroppedCI95[0]) }),
		High: column(rows, func(r sweep.Row) float64 { return nonNegative(r.DroppedCI95[1]) }),
	}
	out := []Series{total}
	for _, c := range causes(rows) {
		s := Series{
			Name: CausePrefix + c, X: x,
			Y: column(rows, func(r sweep.Row) float64 { return r.DroppedByCause[c] }),
			Low: column(rows, func(r sweep.Row) float64 {
				if ci, ok := r.DroppedByCauseCI95[c]; ok {
					return nonNegative(ci[0])
				}
				return nonNegative(r.DroppedByCause[c])
			}),
			High: column(rows, func(r sweep.Row) float64 {
				if ci, ok := r.DroppedByCauseCI95[c]; ok {
					return nonNegative(ci[1])
				}
				return nonNegative(r.DroppedByCause[c])
			}),
		}
		if slices.ContainsFunc(s.Y, func(y float64) bool { return y != 0 }) {
			out = append(out, s)
		}
	}
	n := len(rows[0].DroppedByClass)
	if n < 2 || slices.ContainsFunc(rows, func(r sweep.Row) bool { return len(r.DroppedByClass) != n }) {
		return out
	}
	for k := range n {
		out = append(out, Series{
			Name: ClassPrefix + rows[0].DroppedByClass[k].Name, X: x,
			Y:    column(rows, func(r sweep.Row) float64 { return r.DroppedByClass[k].DroppedMean }),
			Low:  column(rows, func(r sweep.Row) float64 { return nonNegative(r.DroppedByClass[k].DroppedCI95[0]) }),
			High: column(rows, func(r sweep.Row) float64 { return nonNegative(r.DroppedByClass[k].DroppedCI95[1]) }),
		})
	}
	return out
}

// causes lists the cause names of rows: the model's causes in their order,
// then any other name found in the rows, sorted.
func causes(rows []sweep.Row) []string {
	var out []string
	known := map[string]bool{}
	for c := range model.NumCauses {
		out = append(out, c.String())
		known[c.String()] = true
	}
	extra := map[string]bool{}
	for _, r := range rows {
		for k := range r.DroppedByCause {
			if !known[k] {
				extra[k] = true
			}
		}
	}
	return append(out, slices.Sorted(maps.Keys(extra))...)
}

// causeStyle is how a cause's curve is drawn.
type causeStyle struct {
	colour color.Color
	dashes []vg.Length
}

// causeStyles gives each of the model's causes its own colour and its own
// line style, so that two causes never look alike even to a reader who
// cannot tell red from orange: delay_expired red and solid, killed orange
// and dashed, no_target purple and dotted, and so on. Traffic classes are
// grey-blue and green dashes of their own; a cause the model does not
// know takes the styles after these in turn.
var causeStyles = []causeStyle{
	{color.RGBA{R: 215, G: 25, B: 28, A: 255}, nil},                                                                                              // delay_expired
	{color.RGBA{R: 240, G: 140, B: 0, A: 255}, []vg.Length{vg.Points(7), vg.Points(3)}},                                                          // killed
	{color.RGBA{R: 120, G: 60, B: 160, A: 255}, []vg.Length{vg.Points(1.5), vg.Points(2.5)}},                                                     // no_target
	{color.RGBA{R: 140, G: 90, B: 40, A: 255}, []vg.Length{vg.Points(7), vg.Points(2), vg.Points(2), vg.Points(2)}},                              // refused
	{color.RGBA{R: 230, G: 90, B: 170, A: 255}, []vg.Length{vg.Points(3), vg.Points(3)}},                                                         // keepalive_race
	{color.RGBA{R: 0, G: 150, B: 140, A: 255}, []vg.Length{vg.Points(10), vg.Points(3), vg.Points(2), vg.Points(3), vg.Points(2), vg.Points(3)}}, // unhealthy_reset
	{color.RGBA{R: 30, G: 110, B: 200, A: 255}, []vg.Length{vg.Points(12), vg.Points(4)}},                                                        // unreachable
}

// causeColour returns the index into causeStyles of cause name among all.
func causeColour(name string, all []string) int {
	i := slices.Index(all, name)
	return i % len(causeStyles)
}

// DropsVsDelay plots the mean dropped per scale-in (per replication of
// the scenario) against the deregistration delay: the total in black
// over its shaded 95 % band (edged, so that a thin band still shows),
// each cause with a drop somewhere in a colour and line style of its own
// over a lighter band, each traffic class (when there are two or more) as
// a dashed line without its band (DropsSeries has it; drawn, the bands
// would bury the chart), dashed vertical lines at m.RuleOfThumbS and
// m.RecommendedS and a horizontal line at m.MaxDropped, all named in the
// legend, which sits inside the data area in the emptier top corner.
// When a limit is set but no delay met it, the legend says so.
//
// The x axis stops where the curves have stopped changing (at 1.5 × the
// delay from which every mean and band bound stays within 1 % of the
// largest value, and within half of m.MaxDropped, of its value at the
// grid's end, and never before a mark),
// when that cuts a quarter of the grid or more; the axis label then says
// how far the grid went.
//
// With o.LogY the y axis is logarithmic, to show the long tail. A log
// scale has no 0: values below a floor are drawn at the floor, and the
// axis label says so (see Options.LogY for the floor).
// It returns an error for no rows or a non-finite delay.
func DropsVsDelay(rows []sweep.Row, m Marks, o Options) (*plot.Plot, error) {
	p, _, err := dropsPlot(rows, m, o)
	return p, err
}

// dropsPlot is DropsVsDelay that also returns what it decided.
func dropsPlot(rows []sweep.Row, m Marks, o Options) (*plot.Plot, layout, error) {
	var lay layout
	if err := check(rows); err != nil {
		return nil, lay, err
	}
	raw := DropsSeries(rows)
	y := newYScale(raw, o.LogY)
	ss := y.series(raw)
	x := ss[0].X
	lay.XMin, lay.GridMaxS = x[0], x[len(x)-1]
	top := 0.0
	for _, s := range raw {
		for i := range s.Y {
			top = max(top, s.Y[i])
			if s.hasBand() {
				top = max(top, s.High[i])
			}
		}
	}
	tol := 0.01 * top
	if present(m.MaxDropped) && m.MaxDropped > 0 {
		tol = min(tol, m.MaxDropped/2) // keep the tail that crosses the limit
	}
	lay.XMax = zoomX(x, settledFrom(raw, tol), m.RuleOfThumbS, m.RecommendedS)
	for _, v := range []float64{m.RuleOfThumbS, m.RecommendedS} {
		if present(v) {
			lay.XMax = max(lay.XMax, v) // a mark beyond the grid widens the axis
		}
	}
	xl := delayLabel
	if lay.XMax < lay.GridMaxS {
		xl = fmt.Sprintf("%s; cut at %s, flat from there to the grid's end, %s", delayLabel, seconds(lay.XMax), seconds(lay.GridMaxS))
	}
	p := NewPlot(o.title(perRow(rows, "dropped per scale-in vs deregistration delay")), o.xLabel(xl), y.label(perRow(rows, droppedLabel)))
	var ls layers
	all := causes(rows)
	class := 0
	for _, s := range ss {
		var err error
		if s.Name == TotalName {
			s.Name = "total (band: 95% CI)"
			err = ls.curve(p, s, black, mainWidth, nil, 0.28)
			if err == nil && s.hasBand() {
				err = ls.edges(s, black)
			}
		} else if c, ok := strings.CutPrefix(s.Name, CausePrefix); ok {
			st := causeStyles[causeColour(c, all)]
			err = ls.curve(p, s, st.colour, lineWidth, st.dashes, 0.14)
		} else {
			err = ls.curve(p, s, palette(classColours[class%len(classColours)]), lineWidth, classDashes[class%len(classDashes)], 0)
			class++
		}
		if err != nil {
			return nil, lay, err
		}
	}
	var avoid []float64
	mark := func(x float64, label string, style draw.LineStyle) {
		if present(x) && x <= lay.XMax {
			ls.mark(p, x, label, style)
			lay.Marks = append(lay.Marks, label)
			avoid = append(avoid, x)
		}
	}
	mark(m.RuleOfThumbS, ruleOfThumbLabel(m.RuleOfThumbS), draw.LineStyle{Color: grey, Width: refWidth, Dashes: dashed})
	mark(m.RecommendedS, recommendedLabel(m.RecommendedS), draw.LineStyle{Color: darkGreen, Width: vg.Points(2), Dashes: dashDt})
	if present(m.MaxDropped) && m.MaxDropped > 0 {
		h := hline{Y: y.value(m.MaxDropped), Style: draw.LineStyle{Color: darkGreen, Width: refWidth, Dashes: dotted}}
		ls.marks = append(ls.marks, h)
		label := perRow(rows, maxDroppedLabel(m.MaxDropped))
		p.Legend.Add(label, h)
		lay.Marks = append(lay.Marks, label)
		if !present(m.RecommendedS) {
			note := "no delay shown to meet max_dropped"
			p.Legend.Add(note, blank{})
			lay.Notes = append(lay.Notes, note)
		}
	}
	ls.addTo(p)
	y.apply(p)
	p.X.Min, p.X.Max = lay.XMin, lay.XMax
	w, h := o.size()
	lay.LegendLeft = FitLegend(p, w, h, seriesLines(ss), avoid)
	return p, lay, nil
}
