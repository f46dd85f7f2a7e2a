package plot

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"
	"time"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/drainsim/drainsim/chart"
	"github.com/drainsim/drainsim/metrics"
	"github.com/drainsim/drainsim/model"
)

// Labels and styles of the timeline.
const (
	timeLabel     = "time since start (s)"
	countLabel    = "in flight at sample; ELB 5xx per period"
	nlbCountLabel = "in flight at sample; NLB resets per period"
	barsLabel     = "ELB 5xx per period (502 + 503 + 504)"
	resetsLabel   = "NLB resets per period (load balancer + target)"
	expiryLabel   = "delay expires"
	deadlineLabel = "delay would expire"
	othersLabel   = "other targets"
	scaleLabel    = "scale-in decision"
	maxLabelled   = 6 // removed targets with a legend entry of their own
)

var (
	otherGrey = color.RGBA{R: 160, G: 160, B: 160, A: 255}
	barRed    = color.NRGBA{R: 200, G: 30, B: 30, A: 110}
	markGrey  = color.RGBA{R: 70, G: 70, B: 70, A: 255}
	expiryRed = color.RGBA{R: 170, G: 0, B: 0, A: 255}
)

// Timeline draws the series around the scale-ins of cfg: what each target
// has in flight at each period's first sample (a step line per target,
// held until the next sample, so that flows cut at once show as a drop
// straight down; the targets a scale-in removed in colour, the others thin
// and grey), the load balancer's 5xx per period (for an NLB, which answers
// no HTTP, its resets: TCP_ELB_Reset_Count + TCP_Target_Reset_Count) as
// bars spanning their period, a dashed vertical line at each cfg.ScaleIn
// decision time and, with o.Result, a dotted one where each delay expired
// ("would expire" if every target had drained before).
// The x axis is seconds since the start of the simulation; the legend sits
// inside the data area in the emptier top corner, above the curves
// (chart.FitLegend at chart.DefaultWidth × chart.DefaultHeight). Render it
// with chart.Render.
//
// cfg may be nil: no marks and no scenario name. It returns an error for
// an empty series or a From after To.
func Timeline(s *metrics.Series, cfg *model.Config, o metrics.TimelineOptions) (*gplot.Plot, error) {
	p, _, err := timeline(s, cfg, o, partAll)
	return p, err
}

// TimelinePanels draws what Timeline draws as two panels over the same
// time axis, so that counts at an instant and counts per period each get
// an axis of their own: on top, with the title, what each target has in
// flight; below, the 5xx per period (an NLB's resets) as bars. Both carry
// the scale-in and delay-expiry lines. Draw them with chart.RenderStack
// and [PanelHeights]: their legends are placed for those shares of a
// chart.DefaultWidth × chart.DefaultHeight image. Errors as Timeline.
func TimelinePanels(s *metrics.Series, cfg *model.Config, o metrics.TimelineOptions) ([]*gplot.Plot, error) {
	top, _, err := timeline(s, cfg, o, partInFlight)
	if err != nil {
		return nil, err
	}
	bottom, _, err := timeline(s, cfg, o, partRates)
	if err != nil {
		return nil, err
	}
	return []*gplot.Plot{top, bottom}, nil
}

// PanelHeights are the shares of the height TimelinePanels' panels are
// laid out for: in flight two thirds, the per-period bars one third.
var PanelHeights = []float64{2, 1}

// part selects what timeline draws.
type part int

const (
	partAll      part = iota // Timeline: everything on one axis
	partInFlight             // TimelinePanels' top panel
	partRates                // TimelinePanels' bottom panel
)

// drawn is what timeline put on its plot, for tests (gplot.Plot does not
// export its plotters, nor gplot.Legend its entries).
type drawn struct {
	labels   []string        // the legend's labels, in order
	plotters []gplot.Plotter // in the order added
}

// timeline is Timeline, or one panel of TimelinePanels, that also returns
// what it drew.
func timeline(s *metrics.Series, cfg *model.Config, o metrics.TimelineOptions, what part) (*gplot.Plot, drawn, error) {
	if s == nil || s.Len() == 0 {
		return nil, drawn{}, errors.New("metrics: timeline: empty series")
	}
	from, to := s.Start[0].Seconds(), (s.Start[s.Len()-1] + s.Period).Seconds()
	if o.From != 0 {
		from = o.From.Seconds()
	}
	if o.To != 0 {
		to = o.To.Seconds()
	}
	if !(from < to) {
		return nil, drawn{}, fmt.Errorf("metrics: timeline: from %gs is not before to %gs", from, to)
	}
	nlb := cfg != nil && cfg.LoadBalancer.Type == model.NLB
	title := o.Title
	if title == "" {
		title = "in flight per target and ELB 5xx per period"
		if nlb {
			title = "in flight per target and NLB resets per period"
		}
		if cfg != nil && cfg.Name != "" {
			title = cfg.Name + ": " + title
		}
	}
	p := newPlot(title)
	if nlb {
		p.Y.Label.Text = nlbCountLabel
	}
	switch what {
	case partInFlight:
		p.Y.Label.Text = "in flight at sample"
		p.X.Label.Text = "" // the panel below has it
	case partRates:
		p.Title.Text = ""
		p.Y.Label.Text = fmt.Sprintf("per %gs period", s.Period.Seconds())
	}
	var d drawn
	legend := func(label string, th gplot.Thumbnailer) {
		p.Legend.Add(label, th)
		d.labels = append(d.labels, label)
	}
	add := func(pl gplot.Plotter) {
		p.Add(pl)
		d.plotters = append(d.plotters, pl)
	}

	xs := make([]float64, s.Len())
	for k, t := range s.Start {
		xs[k] = t.Seconds()
	}
	b := &bars{x: xs, width: s.Period.Seconds(), y: s.ELB5XX}
	bl := barsLabel
	if nlb {
		b.y = make([]int64, s.Len())
		for k := range b.y {
			b.y[k] = s.TCPELBReset[k] + s.TCPTargetReset[k]
		}
		bl = resetsLabel
	}
	if what != partInFlight {
		if !slices.ContainsFunc(b.y, func(v int64) bool { return v != 0 }) {
			bl += ": none"
		}
		add(b)
		legend(bl, b)
	}
	var lines []plotter.XYs
	var marksX []float64

	if cfg != nil {
		style := draw.LineStyle{Color: markGrey, Width: vg.Points(1.25), Dashes: []vg.Length{vg.Points(6), vg.Points(3)}}
		for i, si := range cfg.ScaleIn {
			v := vline{x: si.At.Seconds(), style: style}
			add(v)
			marksX = append(marksX, v.x)
			if i == 0 {
				legend(scaleLabel, v)
			}
		}
		if o.Result != nil {
			style := draw.LineStyle{Color: expiryRed, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(1.5), vg.Points(2.5)}}
			seen := map[time.Duration]bool{}
			var first vline
			expired := false
			for _, rt := range o.Result.Removed {
				at := rt.Deregistered + cfg.TargetGroup.DeregistrationDelay
				if rt.Deregistered < 0 {
					continue
				}
				// The delay ran out if draining had not completed before.
				expired = expired || rt.Drained < 0 || rt.Drained >= at
				if seen[at] || at.Seconds() < from || at.Seconds() > to {
					continue // drawn once, and only in view
				}
				seen[at] = true
				v := vline{x: at.Seconds(), style: style}
				add(v)
				marksX = append(marksX, v.x)
				if len(seen) == 1 {
					first = v
				}
			}
			if len(seen) > 0 {
				label := deadlineLabel // every target drained before
				if expired {
					label = expiryLabel
				}
				legend(fmt.Sprintf("%s (%gs after deregistration)", label, cfg.TargetGroup.DeregistrationDelay.Seconds()), first)
			}
		}
	}
	for k := range xs {
		lines = append(lines, plotter.XYs{{X: xs[k], Y: float64(b.y[k])}, {X: xs[k] + b.width, Y: float64(b.y[k])}})
	}

	if what == partRates {
		return finish(s, p, d, from, to, lines, marksX, 1.0/3)
	}
	removed := make(map[int]bool, len(s.Removed))
	for _, t := range s.Removed {
		removed[t] = true
	}
	others := false
	var othersLine *plotter.Line
	for t := range s.InFlight {
		if removed[t] {
			continue
		}
		l, err := targetLine(s, xs, t, otherGrey, vg.Points(1))
		if err != nil {
			return nil, drawn{}, err
		}
		add(l)
		lines = append(lines, l.XYs)
		if !others {
			others, othersLine = true, l
		}
	}
	if others {
		legend(othersLabel, othersLine)
	}
	for i, t := range s.Removed {
		c := plotutil.Color(i)
		if len(s.Removed) > maxLabelled {
			c = plotutil.Color(0)
		}
		l, err := targetLine(s, xs, t, c, vg.Points(2))
		if err != nil {
			return nil, drawn{}, err
		}
		add(l)
		lines = append(lines, l.XYs)
		switch {
		case len(s.Removed) <= maxLabelled:
			legend(fmt.Sprintf("target %d (removed)", t), l)
		case i == 0:
			legend(fmt.Sprintf("removed targets (%d)", len(s.Removed)), l)
		}
	}
	if what == partInFlight {
		lines = lines[s.Len():] // no bars
		return finish(s, p, d, from, to, lines, marksX, 2.0/3)
	}
	return finish(s, p, d, from, to, lines, marksX, 1)
}

// finish sets p's ranges and places its legend for a plot share of the
// default image's height.
func finish(s *metrics.Series, p *gplot.Plot, d drawn, from, to float64, lines []plotter.XYs, marksX []float64, share float64) (*gplot.Plot, drawn, error) {
	p.X.Min, p.X.Max = from, to
	p.Y.Min = 0
	p.Y.Max *= 1.05 // the highest bar or line clear of the top edge
	if !(p.Y.Max > 0) {
		p.Y.Max = 1 // nothing to count: an axis from 0, not −1 to 1
	}
	chart.FitLegend(p, chart.DefaultWidth, int(math.Round(share*chart.DefaultHeight)), lines, marksX)
	return p, d, nil
}

// line returns target t's in-flight series as a step line: each sample
// held until the next, the last until the end of its period.
func targetLine(s *metrics.Series, xs []float64, t int, c color.Color, w vg.Length) (*plotter.Line, error) {
	pts := make(plotter.XYs, len(xs), len(xs)+1)
	for k := range xs {
		pts[k] = plotter.XY{X: xs[k], Y: float64(s.InFlight[t][k])}
	}
	if n := len(xs); n > 0 {
		pts = append(pts, plotter.XY{X: xs[n-1] + s.Period.Seconds(), Y: pts[n-1].Y})
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		return nil, fmt.Errorf("metrics: timeline: target %d: %w", t, err)
	}
	l.Color, l.Width = c, w
	l.StepStyle = plotter.PostStep
	return l, nil
}

// newPlot returns a plot in chart's house style with the timeline's
// labels.
func newPlot(title string) *gplot.Plot {
	return chart.NewPlot(title, timeLabel, countLabel)
}

// bars draws y[k] as a filled bar from x[k] to x[k]+width, in data units
// on both axes (plotter.BarChart sizes bars in points).
type bars struct {
	x     []float64
	width float64
	y     []int64
}

// Plot draws the non-zero bars, clipped to the data area.
func (b *bars) Plot(c draw.Canvas, p *gplot.Plot) {
	trX, trY := p.Transforms(&c)
	for k, v := range b.y {
		if v == 0 {
			continue
		}
		x0 := max(b.x[k], p.X.Min)
		x1 := min(b.x[k]+b.width, p.X.Max)
		if x0 >= x1 {
			continue
		}
		pts := []vg.Point{
			{X: trX(x0), Y: trY(0)}, {X: trX(x1), Y: trY(0)},
			{X: trX(x1), Y: trY(float64(v))}, {X: trX(x0), Y: trY(float64(v))},
		}
		c.FillPolygon(barRed, c.ClipPolygonXY(pts))
	}
}

// DataRange covers every period and the bars' heights from 0.
func (b *bars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	for _, x := range b.x {
		xmin, xmax = min(xmin, x), max(xmax, x+b.width)
	}
	for _, v := range b.y {
		ymax = max(ymax, float64(v))
	}
	return xmin, xmax, 0, ymax
}

// Thumbnail draws a filled square for the legend.
func (b *bars) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{
		{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y},
		{X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y},
	}
	c.FillPolygon(barRed, c.ClipPolygonY(pts))
}

// vline is a vertical line across the data area at x seconds.
type vline struct {
	x     float64
	style draw.LineStyle
}

// Plot draws the line if x is within the x range.
func (v vline) Plot(c draw.Canvas, p *gplot.Plot) {
	if v.x < p.X.Min || v.x > p.X.Max {
		return
	}
	x := c.X(p.X.Norm(v.x))
	c.StrokeLine2(v.style, x, c.Min.Y, x, c.Max.Y)
}

// Thumbnail draws a horizontal stretch of the line for the legend.
func (v vline) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(v.style, c.Min.X, y, c.Max.X, y)
}
