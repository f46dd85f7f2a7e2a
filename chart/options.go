package chart

import "strings"

// Default image size in pixels.
const (
	DefaultWidth  = 800
	DefaultHeight = 500
)

// Options control how a chart looks. The zero value gives an 800×500 px
// chart with a linear y axis and no scenario name in the title.
type Options struct {
	// Width and Height are the image size in pixels that WriteFiles
	// renders, and the size the charts place their legend for (inside
	// the data area, above the curves; see FitLegend); 0 means
	// DefaultWidth and DefaultHeight. (A plot itself has no size: Render
	// takes one, and the layout adapts to it, but a legend placed for
	// another size may touch a curve.)
	Width, Height int
	// LogY draws the y axis of DropsVsDelay and CostVsDelay on a log
	// scale, to show the long tail at long delays. A log scale has no 0,
	// so values (means and band bounds) below a floor are drawn at the
	// floor, and the axis label says so ("< 0.01 drawn at 0.01"). The
	// floor is the power of ten at or below the smaller of the smallest
	// positive mean and 1/1000 of the largest value, but no lower than
	// 10⁻⁶ of the largest value; 1e-3 if nothing is positive. The plot
	// then holds log10 of each value on a linear axis labelled in the
	// original units (0.01, 0.1, 1, …), so its p.Y.Min and p.Y.Max are
	// log10 units; this sidesteps plot.LogScale, which panics on 0 and
	// misplaces a rotated axis label. DrainVsDelay ignores LogY.
	LogY bool
	// Title, usually the scenario name, prefixes each chart's title as
	// "Title: …"; empty means no prefix.
	Title string
	// Caption is drawn under the x axis, usually the scenario's
	// assumptions (model.Config.Assumptions) so that a plot shown on its
	// own still says what it assumed; lines are wrapped at about 110
	// characters. Empty means none.
	Caption string
}

// xLabel returns the x-axis label l with the caption's lines under it.
func (o Options) xLabel(l string) string {
	if o.Caption == "" {
		return l
	}
	var lines []string
	for _, para := range strings.Split(o.Caption, "\n") {
		line := ""
		for _, w := range strings.Fields(para) {
			if line != "" && len(line)+1+len(w) > captionWidth {
				lines = append(lines, line)
				line = ""
			}
			if line != "" {
				line += " "
			}
			line += w
		}
		if line != "" {
			lines = append(lines, line)
		}
	}
	return l + "\n" + strings.Join(lines, "\n")
}

// captionWidth is the longest caption line, in characters.
const captionWidth = 110

// size returns the image size in pixels, defaults applied.
func (o Options) size() (w, h int) {
	w, h = o.Width, o.Height
	if w <= 0 {
		w = DefaultWidth
	}
	if h <= 0 {
		h = DefaultHeight
	}
	return w, h
}

// title prefixes s with the scenario name, if any.
func (o Options) title(s string) string {
	if o.Title == "" {
		return s
	}
	return o.Title + ": " + s
}
