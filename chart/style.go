package chart

import (
	"fmt"
	"image/color"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/drainsim/drainsim/sweep"
)

// Axis labels.
const (
	delayLabel   = "deregistration delay (s)"
	droppedLabel = "dropped per scale-in"
	costLabel    = "USD per scale-in"
	secondsLabel = "seconds"
)

// Font sizes, chosen to read well at 800×500 px (96 dpi: 12 pt = 16 px).
const (
	titleSize  = 14
	labelSize  = 12
	tickSize   = 11
	legendSize = 11
)

// Line widths.
var (
	mainWidth = vg.Points(3)
	lineWidth = vg.Points(1.5)
	refWidth  = vg.Points(1.25)
)

// Colours: the headline curve is black, the others come from plotutil's
// perRow rewrites "per scale-in" in s to what a replication of rows is
// (sweep.Row.Per), such as "per day" for a day under a scaling policy.
func perRow(rows []sweep.Row, s string) string {
	if len(rows) == 0 || rows[0].Per == "" {
		return s
	}
	return strings.ReplaceAll(s, "per scale-in", "per "+rows[0].Per)
}

// palette, and the reference lines are greys and a dark green so that
// they do not compete with the data.
var (
	black     = color.RGBA{A: 255}
	grey      = color.RGBA{R: 110, G: 110, B: 110, A: 255}
	darkGreen = color.RGBA{R: 0, G: 120, B: 60, A: 255}
	purple    = color.RGBA{R: 120, G: 60, B: 160, A: 255}
	gridGrey  = color.RGBA{R: 215, G: 215, B: 215, A: 255}
)

// Dash patterns of the reference lines.
var (
	dashed = []vg.Length{vg.Points(6), vg.Points(3)}
	dashDt = []vg.Length{vg.Points(6), vg.Points(2), vg.Points(2), vg.Points(2)}
	dotted = []vg.Length{vg.Points(1.5), vg.Points(2)}
)

// Traffic classes are dashed lines in colours the causes do not use.
var (
	classColours = []int{2, 6, 1, 5}
	classDashes  = [][]vg.Length{
		{vg.Points(7), vg.Points(3)},
		{vg.Points(2), vg.Points(2)},
		{vg.Points(7), vg.Points(2), vg.Points(2), vg.Points(2)},
	}
)

// palette returns the ith colour of plotutil's palette.
func palette(i int) color.Color { return plotutil.Color(i) }

// translucent returns c with opacity alpha in [0, 1].
func translucent(c color.Color, alpha float64) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: uint8(alpha*255 + 0.5)}
}

// NewPlot returns an empty plot in drainsim's house style: title and
// axis labels at readable sizes for 800×500 px, ticks without trailing
// zeros, a light grid, and the legend inside the data area's top-right
// corner ([FitLegend] moves it to the emptier top corner and makes room
// for it above the curves). Package metrics draws its timeline with it
// too.
func NewPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = font.Length(titleSize)
	p.Title.Padding = vg.Points(8)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = font.Length(labelSize)
		a.Tick.Label.Font.Size = font.Length(tickSize)
	}
	p.X.Tick.Marker = niceTicks{N: 8}
	p.Y.Tick.Marker = niceTicks{N: 6}
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Legend.TextStyle.Font.Size = font.Length(legendSize)
	p.Legend.Top = true
	p.Legend.Padding = vg.Points(3)
	p.Legend.ThumbnailWidth = vg.Points(24)
	p.Legend.XOffs, p.Legend.YOffs = -legendInset, -legendInset
	g := plotter.NewGrid()
	g.Vertical.Color, g.Horizontal.Color = gridGrey, gridGrey
	p.Add(g)
	return p
}

// line returns s as a line of the given style.
func line(s Series, c color.Color, width vg.Length, dashes []vg.Length) (*plotter.Line, error) {
	l, err := plotter.NewLine(xys(s.X, s.Y))
	if err != nil {
		return nil, fmt.Errorf("chart: series %q: %w", s.Name, err)
	}
	l.Color, l.Width, l.Dashes = c, width, dashes
	return l, nil
}

// band returns the shaded region between s.Low and s.High, in colour c at
// opacity alpha, with no outline.
func band(s Series, c color.Color, alpha float64) (*plotter.Polygon, error) {
	n := len(s.X)
	ring := make(plotter.XYs, 0, 2*n)
	for i := range n {
		ring = append(ring, plotter.XY{X: s.X[i], Y: s.Low[i]})
	}
	for i := n - 1; i >= 0; i-- {
		ring = append(ring, plotter.XY{X: s.X[i], Y: s.High[i]})
	}
	pg, err := plotter.NewPolygon(ring)
	if err != nil {
		return nil, fmt.Errorf("chart: band of %q: %w", s.Name, err)
	}
	pg.Color = translucent(c, alpha)
	pg.LineStyle.Width = 0
	return pg, nil
}

// xys pairs xs and ys.
func xys(xs, ys []float64) plotter.XYs {
	out := make(plotter.XYs, len(xs))
	for i := range xs {
		out[i] = plotter.XY{X: xs[i], Y: ys[i]}
	}
	return out
}

// layers collects a chart's plotters and adds them in a fixed order,
// whatever order the curves are built in: bands beneath reference lines
// beneath data lines beneath points.
type layers struct {
	bands, marks, lines, points []plot.Plotter
}

// curve adds s as a line, with its band if it has one and alpha > 0, and
// gives it a legend entry showing both.
func (ls *layers) curve(p *plot.Plot, s Series, c color.Color, width vg.Length, dashes []vg.Length, alpha float64) error {
	thumbs, err := ls.curveOnly(s, c, width, dashes, alpha)
	if err != nil {
		return err
	}
	p.Legend.Add(s.Name, thumbs...)
	return nil
}

// curveOnly is curve without the legend entry; it returns the entry's
// thumbnails.
func (ls *layers) curveOnly(s Series, c color.Color, width vg.Length, dashes []vg.Length, alpha float64) ([]plot.Thumbnailer, error) {
	l, err := line(s, c, width, dashes)
	if err != nil {
		return nil, err
	}
	ls.lines = append(ls.lines, l)
	if !s.hasBand() || alpha <= 0 {
		return []plot.Thumbnailer{l}, nil
	}
	b, err := band(s, c, alpha)
	if err != nil {
		return nil, err
	}
	ls.bands = append(ls.bands, b)
	return []plot.Thumbnailer{b, l}, nil
}

// edges adds thin lines along s's band bounds in colour c, so that a band
// too thin to show as a shaded area still shows as two lines.
func (ls *layers) edges(s Series, c color.Color) error {
	for _, v := range [][]float64{s.Low, s.High} {
		l, err := line(Series{Name: s.Name, X: s.X, Y: v}, translucent(c, 0.45), vg.Points(0.6), nil)
		if err != nil {
			return err
		}
		ls.bands = append(ls.bands, l)
	}
	return nil
}

// addTo adds the layers to p, bottom first.
func (ls *layers) addTo(p *plot.Plot) {
	p.Add(ls.bands...)
	p.Add(ls.marks...)
	p.Add(ls.lines...)
	p.Add(ls.points...)
}
