package sweep

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTQuantile975(t *testing.T) {
	// Reference values from standard t tables (e.g. NIST/SEMATECH
	// e-Handbook 1.3.6.7.2), to 4 decimals.
	for _, c := range []struct {
		df   int
		want float64
	}{{1, 12.7062}, {2, 4.3027}, {5, 2.5706}, {10, 2.2281}, {29, 2.0452}, {100, 1.9840}, {1000000, 1.9600}} {
		assert.InDelta(t, c.want, TQuantile975(c.df), 1e-4, "df=%d", c.df)
	}
}

func TestMean95(t *testing.T) {
	// Sample 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sample sd sqrt(32/7),
	// se = sd/sqrt(8) = 0.755929, t(0.975, 7) = 2.364624.
	e := Mean95([]float64{2, 4, 4, 4, 5, 5, 7, 9})
	assert.Equal(t, 8, e.N)
	assert.InDelta(t, 5.0, e.Mean, 1e-12)
	assert.InDelta(t, 0.7559289, e.SE, 1e-6)
	assert.InDelta(t, 5-2.364624*0.7559289, e.Low, 1e-5)
	assert.InDelta(t, 5+2.364624*0.7559289, e.High, 1e-5)
	assert.True(t, e.Defined())

	one := Mean95([]float64{3})
	assert.False(t, one.Defined())
	assert.Equal(t, [2]float64{3, 3}, [2]float64{one.Low, one.High})
	assert.Equal(t, Estimate{}, Mean95(nil))

	same := Mean95([]float64{1, 1, 1})
	assert.Equal(t, 0.0, same.HalfWidth())
}

func TestWilson95(t *testing.T) {
	// 0 of 30: upper bound z²/(n+z²) = 3.8415/33.8415.
	p := Wilson95(0, 30)
	assert.Equal(t, 0.0, p.P)
	assert.Equal(t, 0.0, p.Low)
	assert.InDelta(t, 0.113513, p.High, 1e-5)
	// 15 of 30: symmetric around 0.5; Wilson gives [0.3315, 0.6685].
	p = Wilson95(15, 30)
	assert.InDelta(t, 0.3315, p.Low, 1e-4)
	assert.InDelta(t, 0.6685, p.High, 1e-4)
	// 30 of 30 mirrors 0 of 30.
	p = Wilson95(30, 30)
	assert.InDelta(t, 1-0.113513, p.Low, 1e-5)
	assert.InDelta(t, 1.0, p.High, 1e-12)
	assert.Equal(t, Proportion{}, Wilson95(0, 0))
}

func TestQuantile(t *testing.T) {
	xs := []float64{4, 1, 3, 2, 5}
	// Type 7: h = p(n−1).
	assert.Equal(t, 1.0, Quantile(xs, 0))
	assert.Equal(t, 3.0, Quantile(xs, 0.5))
	assert.InDelta(t, 4.8, Quantile(xs, 0.95), 1e-12)
	assert.Equal(t, 5.0, Quantile(xs, 1))
	assert.Equal(t, []float64{4, 1, 3, 2, 5}, xs, "input unchanged")
	require.True(t, math.IsNaN(Quantile(nil, 0.5)))
}

// Wilson95 is the Wilson score interval, the interval of P(any drop)
// before issue #10; kept here to show its coverage falls below 95 %
// (TestCoverageProportion).
func Wilson95(k, n int) Proportion {
	if n == 0 {
		return Proportion{}
	}
	const z = 1.959963984540054
	p := float64(k) / float64(n)
	nf := float64(n)
	den := 1 + z*z/nf
	centre := (p + z*z/(2*nf)) / den
	half := z * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf)) / den
	return Proportion{P: p, Low: math.Max(0, centre-half), High: math.Min(1, centre+half), N: n}
}

func TestClopperPearson95(t *testing.T) {
	// 0 of 30: the upper end solves (1 − p)^30 = 0.025.
	p := ClopperPearson95(0, 30)
	assert.Equal(t, 0.0, p.Low)
	assert.InDelta(t, 1-math.Pow(0.025, 1.0/30), p.High, 1e-9)
	// 15 of 30: [0.3130, 0.6870] (exact binomial tables).
	p = ClopperPearson95(15, 30)
	assert.InDelta(t, 0.3130, p.Low, 1e-4)
	assert.InDelta(t, 0.6870, p.High, 1e-4)
	// n of n mirrors 0 of n.
	p = ClopperPearson95(30, 30)
	assert.InDelta(t, math.Pow(0.025, 1.0/30), p.Low, 1e-9)
	assert.Equal(t, 1.0, p.High)
	assert.Equal(t, Proportion{}, ClopperPearson95(0, 0))
}
