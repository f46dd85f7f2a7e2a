package chart

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// layout is what a chart decided from its data, kept so that tests can
// check what a reader needs (the marks drawn, the x range covering the
// change, the legend inside the data area and clear of the curves)
// without looking at pixels.
type layout struct {
	// XMin and XMax are the delay range drawn, in seconds.
	XMin, XMax float64
	// GridMaxS is the largest delay of the rows; XMax < GridMaxS means the
	// axis was cut where nothing changes any more.
	GridMaxS float64
	// Marks are the labels of the reference lines drawn (vertical and
	// horizontal), in legend order.
	Marks []string
	// Notes are legend entries without a line, such as "no drop cost set".
	Notes []string
	// LegendLeft tells whether the legend sits in the data area's top-left
	// corner (else its top-right one).
	LegendLeft bool
}

// seriesLines returns the curves of ss as polylines in plot units: each
// mean and each band's upper bound.
func seriesLines(ss []Series) []plotter.XYs {
	var out []plotter.XYs
	for _, s := range ss {
		out = append(out, xys(s.X, s.Y))
		if s.hasBand() {
			out = append(out, xys(s.X, s.High))
		}
	}
	return out
}

// highest returns the largest y of polyline l between x = lo and x = hi,
// its segments interpolated at lo and hi; -Inf if l has no point there.
func highest(l plotter.XYs, lo, hi float64) float64 {
	top := math.Inf(-1)
	for i, q := range l {
		if q.X >= lo && q.X <= hi && !math.IsNaN(q.Y) {
			top = max(top, q.Y)
		}
		if i == 0 {
			continue
		}
		a := l[i-1]
		for _, x := range []float64{lo, hi} {
			if (a.X < x && x < q.X) || (q.X < x && x < a.X) {
				top = max(top, a.Y+(q.Y-a.Y)*(x-a.X)/(q.X-a.X))
			}
		}
	}
	return top
}

// legendInset is the space between the legend and the data area's edges.
const legendInset = vg.Length(4)

// FitLegend puts p's legend inside the data area of a widthPx × heightPx
// image, in the top corner where the curves leave the most room, and
// raises p.Y.Max until no curve of lines (polylines in plot units) and
// no vertical mark at avoidX lies under it. Call it after the axes' ranges are final
// (p.Y.Min included); it reports whether the legend went to the left.
// The legend's size is measured, the data area's by laying the plot out
// at that size, so the fit holds at that size (at another, the legend
// stays inside the data area but may touch a curve).
func FitLegend(p *plot.Plot, widthPx, heightPx int, lines []plotter.XYs, avoidX []float64) (left bool) {
	p.Legend.Top = true
	p.Legend.XOffs, p.Legend.YOffs = 0, -legendInset
	size := p.Legend.Rectangle(draw.Canvas{}).Size()
	size.Y += p.Legend.TextStyle.FontExtents().Descent
	if size.X <= 0 {
		return false
	}
	need := func(left bool, c draw.Canvas) (ymax float64, blocked bool) {
		w, h := c.Max.X-c.Min.X, c.Max.Y-c.Min.Y
		if w <= 0 || h <= 0 {
			return p.Y.Max, true
		}
		fx := float64((size.X + 2*legendInset) / w)
		fy := float64((size.Y + 2*legendInset) / h)
		if fy >= 0.8 {
			fy = 0.8
		}
		span := fx * (p.X.Max - p.X.Min)
		lo, hi := p.X.Max-span, p.X.Max
		if left {
			lo, hi = p.X.Min, p.X.Min+span
		}
		ymax = p.Y.Max
		for _, l := range lines {
			// The curve must pass below the legend:
			// top - min ≤ (1 - fy)(max - min).
			if top := highest(l, lo, hi); !math.IsInf(top, -1) {
				ymax = math.Max(ymax, p.Y.Min+(top-p.Y.Min)/(1-fy))
			}
		}
		for _, x := range avoidX {
			if x >= lo && x <= hi {
				blocked = true
			}
		}
		return ymax, blocked
	}
	for range 2 { // the tick labels' width depends on the y range
		c := dataCanvas(p, widthPx, heightPx)
		r, rb := need(false, c)
		l, lb := need(true, c)
		left = l < r
		if rb != lb {
			left = rb
		}
		if left {
			p.Y.Max = l
		} else {
			p.Y.Max = r
		}
	}
	p.Legend.Left = left
	if left {
		p.Legend.XOffs = legendInset
	} else {
		p.Legend.XOffs = -legendInset
	}
	return left
}

// legendRect returns where p's legend is drawn on data area c: as
// plot.Legend.Draw places it (plot.Legend.Rectangle swaps left and right
// and ignores the offsets), with the text's descent below the last entry.
func legendRect(p *plot.Plot, c draw.Canvas) vg.Rectangle {
	l := &p.Legend
	size := l.Rectangle(draw.Canvas{}).Size()
	size.Y += l.TextStyle.FontExtents().Descent
	var r vg.Rectangle
	if l.Left {
		r.Min.X = c.Min.X + l.XOffs
	} else {
		r.Min.X = c.Max.X + l.XOffs - size.X
	}
	r.Max.X = r.Min.X + size.X
	if l.Top {
		r.Max.Y = c.Max.Y + l.YOffs
	} else {
		r.Max.Y = c.Min.Y + l.YOffs + size.Y
	}
	r.Min.Y = r.Max.Y - size.Y
	return r
}

// dataCanvas lays p out on a widthPx × heightPx image and returns its data
// area, without drawing.
func dataCanvas(p *plot.Plot, widthPx, heightPx int) draw.Canvas {
	c := vgimg.NewWith(vgimg.UseWH(Length(widthPx), Length(heightPx)), vgimg.UseDPI(vgimg.DefaultDPI))
	return p.DataCanvas(draw.New(c))
}

// hline is a horizontal line across the data area at Y (plot units). It
// widens the y range to include Y but leaves the x range alone.
type hline struct {
	Y     float64
	Style draw.LineStyle
}

// Plot draws the line from the left to the right of the data area.
func (h hline) Plot(c draw.Canvas, p *plot.Plot) {
	y := c.Y(p.Y.Norm(h.Y))
	c.StrokeLine2(h.Style, c.Min.X, y, c.Max.X, y)
}

// DataRange returns Y as the y range and an empty x range.
func (h hline) DataRange() (xmin, xmax, ymin, ymax float64) {
	return math.Inf(1), math.Inf(-1), h.Y, h.Y
}

// Thumbnail draws a stretch of the line for the legend.
func (h hline) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(h.Style, c.Min.X, y, c.Max.X, y)
}

// blank is a legend thumbnail that draws nothing, for a legend entry that
// is a note rather than a curve.
type blank struct{}

// Thumbnail draws nothing.
func (blank) Thumbnail(*draw.Canvas) {}

// settledFrom returns the smallest delay from which every series of ss
// (its mean and band bounds) stays within tol of its value at the largest
// delay, or the largest delay if none settles earlier.
func settledFrom(ss []Series, tol float64) float64 {
	if len(ss) == 0 || len(ss[0].X) == 0 {
		return 0
	}
	n := len(ss[0].X)
	from := 0
	for _, s := range ss {
		cols := [][]float64{s.Y}
		if s.hasBand() {
			cols = append(cols, s.Low, s.High)
		}
		for _, v := range cols {
			i := n - 1
			for i > 0 && math.Abs(v[i-1]-v[n-1]) <= tol {
				i--
			}
			from = max(from, i)
		}
	}
	// from is now the latest start of a settled tail over all series.
	return ss[0].X[from]
}

// zoomX returns the largest delay worth drawing: the grid point at or
// above 1.5 × the delay from which nothing changes (and at least the
// marks), or the grid's end if cutting would save less than a quarter of
// the range.
func zoomX(x []float64, settled float64, marks ...float64) float64 {
	end := x[len(x)-1]
	want := settled * 1.5
	for _, m := range marks {
		if present(m) {
			want = max(want, m)
		}
	}
	cut := end
	for _, v := range x {
		if v >= want {
			cut = v
			break
		}
	}
	if end-x[0] <= 0 || (end-cut)/(end-x[0]) < 0.25 {
		return end
	}
	return cut
}
