package chart

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLogFloor(t *testing.T) {
	s := func(ys ...float64) Series { return Series{X: make([]float64, len(ys)), Y: ys} }
	for _, tc := range []struct {
		name string
		ss   []Series
		want float64
	}{
		{"1/1000 of the max", []Series{s(80, 7, 0.6, 0)}, 0.01},
		{"smallest positive mean", []Series{s(80, 0.004, 0)}, 0.001},
		{"no lower than 1e-6 of the max", []Series{s(1000, 1e-9)}, 0.001},
		{"band's upper bound counts", []Series{{X: []float64{0}, Y: []float64{1}, Low: []float64{0}, High: []float64{5000}}}, 1},
		{"all zero", []Series{s(0, 0)}, 1e-3},
		{"nothing", nil, 1e-3},
		{"exact power of ten", []Series{s(1000, 1)}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.InDelta(t, tc.want, logFloor(tc.ss), tc.want*1e-12)
		})
	}
}

func TestLogSeries(t *testing.T) {
	y := yScale{log: true, floor: 0.01}
	got := y.series([]Series{{Name: "a", X: []float64{0, 1, 2}, Y: []float64{100, 0.5, 0}, Low: []float64{10, -1, 0}, High: []float64{1000, 1, 0}}})[0]
	assert.Equal(t, "a", got.Name)
	assert.InDeltaSlice(t, []float64{2, math.Log10(0.5), -2}, got.Y, 1e-12)
	assert.InDeltaSlice(t, []float64{1, -2, -2}, got.Low, 1e-12)
	assert.InDeltaSlice(t, []float64{3, 0, -2}, got.High, 1e-12)
	assert.Equal(t, "x (log scale; < 0.01 drawn at 0.01)", y.label("x"))
	assert.Equal(t, "x", yScale{}.label("x"))
}

func TestLog10Ticks(t *testing.T) {
	ts := log10Ticks{}.Ticks(-2, 1.5)
	var labels []string
	minor := 0
	for _, tk := range ts {
		assert.True(t, tk.Value >= -2 && tk.Value <= 1.5, "tick %v in range", tk.Value)
		if tk.IsMinor() {
			minor++
		} else {
			labels = append(labels, tk.Label)
		}
	}
	assert.Equal(t, []string{"0.01", "0.1", "1", "10"}, labels)
	assert.Equal(t, 8*3+2, minor, "2–9 × 0.01, 0.1 and 1, then 20 and 30 (up to 10^1.5 ≈ 31.6)")
	labels = nil
	for _, tk := range (log10Ticks{}).Ticks(math.Log10(0.1), math.Log10(1000)) {
		if !tk.IsMinor() {
			labels = append(labels, tk.Label)
		}
	}
	assert.Equal(t, []string{"0.1", "1", "10", "100", "1000"}, labels, "ends are labelled despite rounding in log10")
}

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		n      int
		want   []string
	}{
		{0, 120, 8, []string{"0", "20", "40", "60", "80", "100", "120"}},
		{0, 63, 6, []string{"0", "20", "40", "60"}},
		{0, 0.0945, 6, []string{"0.00", "0.02", "0.04", "0.06", "0.08"}},
		{-1, 1, 4, []string{"-1.0", "-0.5", "0.0", "0.5", "1.0"}},
		{5, 5, 4, nil}, // empty range: no ticks
	} {
		var labels []string
		for _, tk := range (niceTicks{N: tc.n}).Ticks(tc.lo, tc.hi) {
			assert.True(t, tc.lo == tc.hi || tk.Value >= tc.lo-1e-12 && tk.Value <= tc.hi+1e-12, "tick %v in [%v, %v]", tk.Value, tc.lo, tc.hi)
			if !tk.IsMinor() {
				labels = append(labels, tk.Label)
			}
		}
		if tc.want != nil {
			assert.Equal(t, tc.want, labels, "[%v, %v]", tc.lo, tc.hi)
		}
	}
}

func TestInterpolate(t *testing.T) {
	s := Series{X: []float64{0, 10, 20}, Y: []float64{100, 50, 70}}
	for _, tc := range []struct{ x, want float64 }{
		{-5, 100}, {0, 100}, {5, 75}, {10, 50}, {12.5, 55}, {20, 70}, {99, 70},
	} {
		assert.InDelta(t, tc.want, interpolate(s, tc.x), 1e-12, "x = %v", tc.x)
	}
	assert.True(t, math.IsNaN(interpolate(Series{}, 1)))
}
