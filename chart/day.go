package chart

import (
	"errors"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Day is one replication's timeline over a horizon of hours (issue #16):
// what a run under a scaling policy did, period by period. Every slice has
// one entry per period, at StartH.
type Day struct {
	// PeriodS is the length of each period, seconds (> 0).
	PeriodS float64
	// StartH is when each period starts, hours since the start, ascending.
	StartH []float64
	// Rate is the requests arriving in the period per second.
	Rate []float64
	// InService, Launching and Leaving count the targets at the period's
	// first sample: in service (healthy), launched and not yet in service
	// (initial), and deregistered and not yet terminated (draining or
	// unused).
	InService, Launching, Leaving []float64
	// Failed counts the attempts that failed in the period (a 5xx, a
	// reset, a cut connection; retried or not), by when they failed.
	// Without client retries each is a drop.
	Failed []float64
}

// Series names of DaySeries.
const (
	DayRateName      = "requests/s"
	DayInServiceName = "in service"
	DayLaunchingName = "launching (initial)"
	DayLeavingName   = "leaving (draining, unused)"
	DayFailedName    = "failed attempts"
)

// DaySeries returns Day's curves against hours: the rate, the three
// target counts and the drops per period, in that order, none with a band.
func DaySeries(d Day) []Series {
	s := func(name string, y []float64) Series { return Series{Name: name, X: d.StartH, Y: y} }
	return []Series{
		s(DayRateName, d.Rate),
		s(DayInServiceName, d.InService),
		s(DayLaunchingName, d.Launching),
		s(DayLeavingName, d.Leaving),
		s(DayFailedName, d.Failed),
	}
}

// DayPanels' colours: the rate in grey; in service blue, launching green,
// leaving orange; failures red.
var (
	dayRateColour      = color.RGBA{R: 80, G: 80, B: 80, A: 255}
	dayInServiceColour = color.RGBA{R: 20, G: 90, B: 180, A: 255}
	dayLaunchingColour = color.RGBA{R: 40, G: 160, B: 60, A: 255}
	dayLeavingColour   = color.RGBA{R: 240, G: 140, B: 30, A: 255}
	dayFailedColour    = color.RGBA{R: 200, G: 30, B: 30, A: 255}
)

// DayPanelHeights are the shares of the height DayPanels' panels are laid
// out for: the rate, the fleet, the drops.
var DayPanelHeights = []float64{1, 1.2, 0.8}

// DayPanels plots d as three panels sharing the time axis (hours), to
// draw with RenderStack and DayPanelHeights: the request rate; the fleet
// by target state (in service, launching, leaving) as steps; the drops
// per period as filled steps, with their total in the legend. It returns
// an error for no periods, slices of unequal length, a period that is not
// positive, or times that are not finite and ascending.
func DayPanels(d Day, o Options) ([]*plot.Plot, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	ss := DaySeries(d)
	end := d.StartH[len(d.StartH)-1] + d.PeriodS/3600
	const hours = "time since start (h)"
	// Each period's value holds until the next period starts: the steps
	// end at the horizon.
	step := func(s Series, c color.Color, w vg.Length, fill bool) (*plotter.Line, error) {
		pts := append(xys(s.X, s.Y), plotter.XY{X: end, Y: s.Y[len(s.Y)-1]})
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, fmt.Errorf("chart: series %q: %w", s.Name, err)
		}
		l.Color, l.Width, l.StepStyle = c, w, plotter.PostStep
		if fill {
			l.FillColor = c
		}
		return l, nil
	}
	panel := func(title, yLabel string, xLabel string) *plot.Plot {
		p := NewPlot(title, xLabel, yLabel)
		p.X.Min, p.X.Max = 0, end
		p.Y.Min = 0
		return p
	}
	w, h := o.size()
	total := 0.0
	for _, v := range d.Failed {
		total += v
	}
	rate := panel(o.title("request rate, fleet by target state, failed attempts"), "requests/s", "")
	fleet := panel("", "targets", "")
	drops := panel("", fmt.Sprintf("failed per %gs", d.PeriodS), o.xLabel(hours))
	add := func(p *plot.Plot, s Series, c color.Color, w vg.Length, fill bool, label string) error {
		l, err := step(s, c, w, fill)
		if err != nil {
			return err
		}
		p.Add(l)
		p.Legend.Add(label, l)
		return nil
	}
	if err := add(rate, ss[0], dayRateColour, 1.5, false, DayRateName); err != nil {
		return nil, err
	}
	fleetColours := []color.Color{dayInServiceColour, dayLaunchingColour, dayLeavingColour}
	for i, s := range ss[1:4] {
		if err := add(fleet, s, fleetColours[i], 1.5, false, s.Name); err != nil {
			return nil, err
		}
	}
	if err := add(drops, ss[4], dayFailedColour, 1, true, fmt.Sprintf("%s (%s in all)", DayFailedName, strconvG(total))); err != nil {
		return nil, err
	}
	for _, p := range []*plot.Plot{rate, fleet, drops} {
		yScale{}.apply(p)
		p.Y.Min = 0
		if p.Y.Max <= 0 {
			p.Y.Max = 1
		}
	}
	heights := [3]int{}
	for i, share := range DayPanelHeights {
		heights[i] = int(float64(h) * share / (DayPanelHeights[0] + DayPanelHeights[1] + DayPanelHeights[2]))
	}
	FitLegend(rate, w, heights[0], seriesLines(ss[:1]), nil)
	FitLegend(fleet, w, heights[1], seriesLines(ss[1:4]), nil)
	FitLegend(drops, w, heights[2], seriesLines(ss[4:]), nil)
	return []*plot.Plot{rate, fleet, drops}, nil
}

// strconvG formats a count without a fraction when it has none.
func strconvG(x float64) string { return fmt.Sprintf("%.0f", x) }

// check rejects a Day that cannot be drawn.
func (d Day) check() error {
	n := len(d.StartH)
	if n == 0 {
		return errors.New("chart: day: no periods")
	}
	if !(d.PeriodS > 0) || math.IsInf(d.PeriodS, 0) {
		return fmt.Errorf("chart: day: period %v s must be positive", d.PeriodS)
	}
	for name, s := range map[string][]float64{"rate": d.Rate, "in service": d.InService, "launching": d.Launching, "leaving": d.Leaving, "failed": d.Failed} {
		if len(s) != n {
			return fmt.Errorf("chart: day: %s has %d periods, want %d", name, len(s), n)
		}
	}
	for i, x := range d.StartH {
		if math.IsNaN(x) || math.IsInf(x, 0) || i > 0 && x <= d.StartH[i-1] {
			return fmt.Errorf("chart: day: period %d starts at %v h: want finite and ascending", i, x)
		}
	}
	return nil
}
