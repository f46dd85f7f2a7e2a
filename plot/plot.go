package plot

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	gplot "gonum.org/v1/plot"

	"github.com/drainsim/drainsim"
	"github.com/drainsim/drainsim/chart"
	"github.com/drainsim/drainsim/model"
)

// Options control the charts' images. The zero value gives an 800×500 px
// PNG with a linear y axis, titled with the scenario's name.
type Options struct {
	// Width and Height are the image size in pixels; zero means 800 and
	// 500. A PNG decodes to exactly that size; an SVG declares it in
	// points at 96 dpi (600×375 pt for 800×500 px).
	Width, Height int
	// Format is "png" (the default when empty) or "svg", in any case
	// ("PNG" is "png").
	Format string
	// LogY draws dropped requests and cost on a log axis, to show the
	// long tail; values below a floor are drawn at it, and the axis label
	// says so. Drain ignores it (drain times do not span decades), and so
	// does Render: a plot passed to Render already has its axes; set
	// p.Y.Scale on it before.
	LogY bool
	// Title prefixes each chart's title as "Title: …"; empty means the
	// scenario's name. Render ignores it: set p.Title.Text on the plot
	// before.
	Title string
}

// size returns the image size and format, defaults applied.
func (o Options) size() (w, h int, format string, err error) {
	w, h, format = o.Width, o.Height, strings.ToLower(o.Format)
	if w == 0 {
		w = chart.DefaultWidth
	}
	if h == 0 {
		h = chart.DefaultHeight
	}
	switch format {
	case "":
		format = "png"
	case "png", "svg":
	default:
		return 0, 0, "", fmt.Errorf("plot: option Format: must be png or svg (got %q)", o.Format)
	}
	return w, h, format, nil
}

// chartOptions returns the options of package chart for r's charts.
func chartOptions(r *drainsim.SweepResult, o Options) chart.Options {
	title := o.Title
	if title == "" {
		title = r.Scenario
	}
	// The size lets the charts fit their legends to the image drawn.
	co := chart.Options{LogY: o.LogY, Title: title, Width: o.Width, Height: o.Height}
	if r.Recommendation != nil && len(r.Recommendation.Assumptions) > 0 {
		co.Caption = model.AssumptionsLine(r.Recommendation.Assumptions)
	}
	return co
}

func check(r *drainsim.SweepResult) error {
	if r == nil || len(r.Rows) == 0 {
		return errors.New("plot: empty sweep result")
	}
	return nil
}

// Drops draws dropped requests and connections per replication against
// the delay: the mean with its shaded 95 % interval, one line per drop
// cause and per traffic class, dashed marks at the rule of thumb and the
// recommended delay and a dotted line at max_dropped, on an x axis that
// stops where the curves stop changing. It returns the image's bytes.
func Drops(r *drainsim.SweepResult, o Options) ([]byte, error) {
	if err := check(r); err != nil {
		return nil, err
	}
	p, err := chart.DropsVsDelay(r.Rows, chart.MarksFrom(r.Recommendation), chartOptions(r, o))
	if err != nil {
		return nil, err
	}
	return Render(p, o)
}

// Cost draws the cost per replication against the delay: instance cost,
// drop cost and their total with its 95 % interval, with a mark at the
// cost optimum, or, if no drop cost was set and the cheapest delay drops
// requests, a legend note saying so instead. It returns the image's
// bytes.
func Cost(r *drainsim.SweepResult, o Options) ([]byte, error) {
	if err := check(r); err != nil {
		return nil, err
	}
	p, err := chart.CostVsDelay(r.Rows, chart.MarksFrom(r.Recommendation), chartOptions(r, o))
	if err != nil {
		return nil, err
	}
	return Render(p, o)
}

// Drain draws the draining time per removed target (mean and p95) and
// the scale-in time against the delay. It returns the image's bytes.
func Drain(r *drainsim.SweepResult, o Options) ([]byte, error) {
	if err := check(r); err != nil {
		return nil, err
	}
	p, err := chart.DrainVsDelay(r.Rows, chartOptions(r, o))
	if err != nil {
		return nil, err
	}
	return Render(p, o)
}

// Render draws any gonum/plot plot, such as a [Timeline], as an image of
// o's size and format and returns its bytes (chart.Render in memory). It
// uses o.Width, o.Height and o.Format only: the plot already has its
// title and axes.
func Render(p *gplot.Plot, o Options) ([]byte, error) {
	w, h, format, err := o.size()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := chart.Render(p, &buf, w, h, format); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
