package chart

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// yScale is a chart's y axis: linear from 0, or logarithmic with a floor
// (see Options.LogY).
type yScale struct {
	log   bool
	floor float64 // log only
}

// newYScale returns the linear scale, or the log scale for ss.
func newYScale(ss []Series, log bool) yScale {
	if !log {
		return yScale{}
	}
	return yScale{log: true, floor: logFloor(ss)}
}

// logFloor returns the floor of a log axis for ss (see yScale).
func logFloor(ss []Series) float64 {
	top, least := 0.0, math.Inf(1)
	for _, s := range ss {
		for i, y := range s.Y {
			top = math.Max(top, y)
			if s.hasBand() {
				top = math.Max(top, s.High[i])
			}
			if y > 0 {
				least = math.Min(least, y)
			}
		}
	}
	if !(top > 0) || math.IsInf(top, 1) {
		return 1e-3
	}
	f := math.Max(math.Min(least, top/1e3), top/1e6)
	return math.Pow(10, math.Floor(math.Log10(f)))
}

// label returns the axis label for values labelled base.
func (y yScale) label(base string) string {
	if !y.log {
		return base
	}
	return fmt.Sprintf("%s (log scale; < %g drawn at %g)", base, y.floor, y.floor)
}

// series returns ss as drawn on the scale: unchanged on a linear scale,
// copies holding log10(max(value, floor)) on a log scale.
func (y yScale) series(ss []Series) []Series {
	if !y.log {
		return ss
	}
	tr := func(v []float64) []float64 {
		if v == nil {
			return nil
		}
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = math.Log10(math.Max(x, y.floor))
		}
		return out
	}
	out := make([]Series, len(ss))
	for i, s := range ss {
		out[i] = Series{Name: s.Name, X: s.X, Y: tr(s.Y), Low: tr(s.Low), High: tr(s.High)}
	}
	return out
}

// value returns v as drawn on the scale.
func (y yScale) value(v float64) float64 {
	if !y.log {
		return v
	}
	return math.Log10(math.Max(v, y.floor))
}

// apply sets p's y range and ticks once the data is added: from 0 (or the
// floor) to 5 % above the data on a linear scale, to the next power of
// ten on a log scale.
func (y yScale) apply(p *plot.Plot) {
	if !y.log {
		p.Y.Min = 0
		if p.Y.Max > 0 {
			p.Y.Max *= 1.05
		} else {
			p.Y.Max = 1
		}
		return
	}
	p.Y.Tick.Marker = log10Ticks{}
	p.Y.Min = math.Round(math.Log10(y.floor)) // floor is a power of ten
	p.Y.Max = math.Max(math.Ceil(p.Y.Max-1e-9), p.Y.Min+1)
}

// log10Ticks marks an axis that holds log10 of the values: a labelled
// tick at each power of ten, in the original units, and minor ticks at
// 2–9 times each.
type log10Ticks struct{}

// Ticks returns the ticks between min and max (log10 units).
func (log10Ticks) Ticks(min, max float64) []plot.Tick {
	const eps = 1e-9
	var ts []plot.Tick
	for k := math.Floor(min + eps); k <= max+eps; k++ {
		if k >= min-eps {
			ts = append(ts, plot.Tick{Value: k, Label: strconv.FormatFloat(math.Pow(10, k), 'g', -1, 64)})
		}
		for j := 2.0; j < 10; j++ {
			if v := k + math.Log10(j); v >= min-eps && v <= max+eps {
				ts = append(ts, plot.Tick{Value: v})
			}
		}
	}
	return ts
}
