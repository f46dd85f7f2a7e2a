package chart

import (
	"maps"
	"slices"
	"strings"

	"gonum.org/v1/plot"
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

// causeColour gives each cause a fixed palette colour, whichever causes a
// chart shows: red for delay_expired, orange for killed, purple for
// no_target; each of the model's seven causes its own (unhealthy_reset and
// unreachable take the colours after them; causes are solid lines, traffic
// classes dashed).
func causeColour(name string, all []string) int {
	order := []int{0, 3, 4, 5, 6, 1, 2}
	i := slices.Index(all, name)
	return order[i%len(order)]
}

// DropsVsDelay plots the mean dropped per scale-in (per replication of
// the scenario) against the deregistration delay: the total in black
// over its shaded 95 % band, each cause with a drop somewhere in its
// colour over a lighter band, each traffic class (when there are two or
// more) as a dashed line without its band (DropsSeries has it; drawn, the
// bands would bury the chart), and dashed vertical lines at m.RuleOfThumbS
// and m.RecommendedS, all named in the legend.
//
// With o.LogY the y axis is logarithmic, to show the long tail. A log
// scale has no 0: values below a floor are drawn at the floor, and the
// axis label says so (see Options.LogY for the floor).
// It returns an error for no rows or a non-finite delay.
func DropsVsDelay(rows []sweep.Row, m Marks, o Options) (*plot.Plot, error) {
	if err := check(rows); err != nil {
		return nil, err
	}
	ss := DropsSeries(rows)
	y := newYScale(ss, o.LogY)
	ss = y.series(ss)
	p := NewPlot(o.title("dropped per scale-in vs deregistration delay"), o.xLabel(delayLabel), y.label(droppedLabel))
	var ls layers
	all := causes(rows)
	class := 0
	for _, s := range ss {
		var err error
		if s.Name == TotalName {
			s.Name = "total (band: 95% CI)"
			err = ls.curve(p, s, black, mainWidth, nil, 0.22)
		} else if c, ok := strings.CutPrefix(s.Name, CausePrefix); ok {
			err = ls.curve(p, s, palette(causeColour(c, all)), lineWidth, nil, 0.14)
		} else {
			err = ls.curve(p, s, palette(classColours[class%len(classColours)]), lineWidth, classDashes[class%len(classDashes)], 0)
			class++
		}
		if err != nil {
			return nil, err
		}
	}
	ls.mark(p, m.RuleOfThumbS, ruleOfThumbLabel(m.RuleOfThumbS), draw.LineStyle{Color: grey, Width: refWidth, Dashes: dashed})
	ls.mark(p, m.RecommendedS, recommendedLabel(m.RecommendedS), draw.LineStyle{Color: darkGreen, Width: refWidth, Dashes: dashDt})
	ls.addTo(p)
	y.apply(p)
	return p, nil
}
