package accesslog

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

func TestKSDistance(t *testing.T) {
	uniform := func(x float64) float64 { return min(max(x, 0), 1) }
	tests := []struct {
		name   string
		sample []float64
		want   float64
	}{
		{"empty", nil, 0},
		{"one point", []float64{0.5}, 0.5},
		{"three points", []float64{0.1, 0.2, 0.9}, 2.0/3 - 0.2},
		{"ties", []float64{0.5, 0.5}, 0.5},
		{"ties at the end", []float64{0.25, 1, 1}, 2.0 / 3},
		{"below the support", []float64{-1, -1, -1, -1}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.want, ksDistance(tt.sample, uniform), 1e-12)
		})
	}
}

// TestKSDistanceGonum checks the one-sample D against gonum's two-sample
// statistic between the sample and a fine grid of the law's quantiles,
// which approximates the law within 1/m.
func TestKSDistanceGonum(t *testing.T) {
	const m = 200_000
	law := distuv.LogNormal{Mu: 0.7, Sigma: 0.4, Src: rand.NewPCG(5, 1)}
	grid := make([]float64, m)
	for i := range grid {
		grid[i] = law.Quantile((float64(i) + 0.5) / m)
	}
	for _, n := range []int{10, 1000} {
		x := make([]float64, n)
		for i := range x {
			x[i] = law.Rand()
		}
		slices.Sort(x)
		mu, sigma := fitLognormal(x)
		for _, p := range []struct{ mu, sigma float64 }{{0.7, 0.4}, {mu, sigma}, {1, 0.2}} {
			one := ksDistance(x, func(v float64) float64 { return lognormalCDF(p.mu, p.sigma, v) })
			l := distuv.LogNormal{Mu: p.mu, Sigma: p.sigma}
			g := make([]float64, m)
			for i := range g {
				g[i] = l.Quantile((float64(i) + 0.5) / m)
			}
			two := stat.KolmogorovSmirnov(x, nil, g, nil)
			assert.InDelta(t, two, one, 2.0/m, "n %d, μ %g, σ %g", n, p.mu, p.sigma)
		}
	}
}

// TestKSBehaviour: D shrinks like 1/√n for the true law and stays large
// for a wrong one.
func TestKSBehaviour(t *testing.T) {
	law := distuv.LogNormal{Mu: math.Log(2), Sigma: 0.4, Src: rand.NewPCG(9, 1)}
	weibull := distuv.Weibull{K: 1.5, Lambda: 2, Src: rand.NewPCG(9, 2)}
	for _, n := range []int{1000, 100_000} {
		x, w := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i], w[i] = law.Rand(), weibull.Rand()
		}
		slices.Sort(x)
		slices.Sort(w)
		mu, sigma := fitLognormal(x)
		d := ksDistance(x, func(v float64) float64 { return lognormalCDF(mu, sigma, v) })
		assert.Less(t, d, 1.031/math.Sqrt(float64(n)), "true law, n %d", n)
		mu, sigma = fitLognormal(w)
		d = ksDistance(w, func(v float64) float64 { return lognormalCDF(mu, sigma, v) })
		assert.Greater(t, d, 0.05, "Weibull fitted as a lognormal, n %d", n)
	}
}

func TestFitLognormal(t *testing.T) {
	mu, sigma := fitLognormal([]float64{1, math.E, math.E * math.E})
	assert.InDelta(t, 1, mu, 1e-12)
	assert.InDelta(t, math.Sqrt(2.0/3), sigma, 1e-12, "σ divides by n")
	mu, _ = fitLognormal([]float64{0})
	assert.InDelta(t, math.Log(minDuration), mu, 1e-12)
	assert.InDelta(t, 0.99, lognormalCDF(math.Log(2), (math.Log(5)-math.Log(2))/z99, 5), 1e-12)
}

func TestQuantile(t *testing.T) {
	seq := func(n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = float64(i + 1)
		}
		return x
	}
	tests := []struct {
		n        int
		num, den int
		want     float64
	}{
		{1, 500, 1000, 1}, {1, 999, 1000, 1},
		{2, 500, 1000, 1}, {2, 501, 1000, 2},
		{10, 500, 1000, 5}, {10, 900, 1000, 9}, {10, 990, 1000, 10}, {10, 999, 1000, 10},
		{1000, 990, 1000, 990}, {1000, 999, 1000, 999},
		{100_000, 990, 1000, 99_000}, {100_000, 999, 1000, 99_900},
		{3, 0, 1000, 1}, {3, 1000, 1000, 3},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, quantile(seq(tt.n), tt.num, tt.den), "n %d p %d/%d", tt.n, tt.num, tt.den)
	}
}

func TestMinuteOf(t *testing.T) {
	assert.Equal(t, int64(0), minuteOf(unix(0)))
	assert.Equal(t, int64(0), minuteOf(unix(59)))
	assert.Equal(t, int64(1), minuteOf(unix(60)))
	assert.Equal(t, int64(-1), minuteOf(unix(-1)))
	assert.Equal(t, int64(-1), minuteOf(unix(-60)))
	assert.Equal(t, int64(-2), minuteOf(unix(-61)))
}

func TestSplit(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  string
	}{
		{``, nil, ""},
		{`a b  c `, []string{"a", "b", "c"}, ""},
		{`"a b" "" "-" x`, []string{"a b", "", "-", "x"}, ""},
		{`"a \"b\" \\ \x"`, []string{`a "b" \ \x`}, ""},
		{`a"b c`, []string{`a"b`, "c"}, ""},
		{`"a`, nil, "unterminated quoted field"},
		{`"a\"`, nil, "unterminated quoted field"},
		{`"a"b`, nil, `quoted field "\"a\"" is followed by "b", not a space`},
		{`"\`, nil, "unterminated quoted field"},
	}
	for _, tt := range tests {
		got, err := split(tt.in, nil)
		if tt.err != "" {
			assert.EqualError(t, err, tt.err, "%q", tt.in)
			continue
		}
		assert.NoError(t, err, "%q", tt.in)
		assert.Equal(t, tt.want, got, "%q", tt.in)
	}
}

func unix(s int64) time.Time { return time.Unix(s, 0) }
