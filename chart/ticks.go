package chart

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// niceTicks marks a linear axis with about N labelled ticks at a "nice"
// step (1, 2 or 5 × 10^k), and an unlabelled minor tick halfway between
// them. gonum/plot's default gives only three or four labels, too few to
// read a delay off an 800 px chart.
type niceTicks struct{ N int }

// Ticks returns the ticks between lo and hi.
func (t niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return nil // gonum/plot widens an empty range before asking
	}
	step := niceStep((hi - lo) / float64(max(t.N, 1)))
	prec := max(0, -int(math.Floor(math.Log10(step))))
	eps := step * 1e-9
	var ts []plot.Tick
	for k := math.Floor(lo/step) - 1; k*step <= hi+eps; k++ {
		v := k * step
		if v >= lo-eps {
			ts = append(ts, plot.Tick{Value: v + 0, Label: strconv.FormatFloat(v+0, 'f', prec, 64)})
		}
		if m := v + step/2; m >= lo-eps && m <= hi+eps {
			ts = append(ts, plot.Tick{Value: m})
		}
	}
	return ts
}

// niceStep returns the smallest of 1, 2 or 5 × 10^k that is at least x.
func niceStep(x float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}
