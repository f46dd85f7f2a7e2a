package chart

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/drainsim/drainsim/sweep"
)

// Series is one curve of a chart: Y against X, with an optional band.
// X holds deregistration delays in seconds, ascending. Low and High, when
// not nil, bound the 95 % interval of Y at each X and have the same length
// as X; they are nil for a curve drawn without a band.
type Series struct {
	// Name is the curve's legend label, e.g. "total" or "cause: killed".
	Name string
	X, Y []float64
	// Low and High are the band's bounds, or nil.
	Low, High []float64
}

// hasBand reports whether s carries a 95 % band.
func (s Series) hasBand() bool { return s.Low != nil && s.High != nil }

// sorted returns rows ordered by delay (a copy; rows is not modified).
func sorted(rows []sweep.Row) []sweep.Row {
	out := slices.Clone(rows)
	slices.SortStableFunc(out, func(a, b sweep.Row) int { return cmp.Compare(a.DelayS, b.DelayS) })
	return out
}

// column returns f of each row.
func column(rows []sweep.Row, f func(sweep.Row) float64) []float64 {
	out := make([]float64, len(rows))
	for i, r := range rows {
		out[i] = f(r)
	}
	return out
}

// nonNegative clamps at 0: counts, costs and durations cannot be negative,
// though a Student-t interval from few replications can reach below 0.
func nonNegative(x float64) float64 { return math.Max(x, 0) }

// errNoRows is returned by the chart functions for an empty sweep.
var errNoRows = errors.New("chart: no rows to plot")

// check rejects what cannot be drawn: no rows, or a delay that is not a
// finite number.
func check(rows []sweep.Row) error {
	if len(rows) == 0 {
		return errNoRows
	}
	for i, r := range rows {
		if math.IsNaN(r.DelayS) || math.IsInf(r.DelayS, 0) {
			return fmt.Errorf("chart: row %d: delay %v is not a finite number of seconds", i, r.DelayS)
		}
	}
	return nil
}

// interpolate returns s's Y at x by linear interpolation between the
// points either side, or the nearest end point outside X's range.
func interpolate(s Series, x float64) float64 {
	n := len(s.X)
	switch {
	case n == 0:
		return math.NaN()
	case x <= s.X[0]:
		return s.Y[0]
	case x >= s.X[n-1]:
		return s.Y[n-1]
	}
	i, _ := slices.BinarySearch(s.X, x) // s.X[i-1] < x ≤ s.X[i]
	x0, x1, y0, y1 := s.X[i-1], s.X[i], s.Y[i-1], s.Y[i]
	if x1 == x0 {
		return y1
	}
	return y0 + (y1-y0)*(x-x0)/(x1-x0)
}
