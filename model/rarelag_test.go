package model

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The mixture's likelihood ratio makes weighted tail indicators unbiased:
// E_q[w · 1{s ≤ t}] = t for every t, from the body to far beyond the
// levels, and every weight is at most 1/β₀ (2 for one draw). A sampler
// whose weight forgot a level, or drew a level's s outside (0, p], fails.
func TestRareLagUnbiased(t *testing.T) {
	for _, draws := range []int{1, 2, 10} {
		rl := &RareLag{Draws: draws}
		b0 := 1 - 1/(2*float64(draws))
		rng := rand.New(rand.NewPCG(3, uint64(draws)))
		const n = 200000
		ts := []float64{0.5, 0.05, 3e-3, 1e-4, 3e-6, 1e-7}
		sum := make([]float64, len(ts))
		sum2 := make([]float64, len(ts))
		wsum := 0.0
		for range n {
			s, w := rl.Sample(rng)
			require.True(t, s > 0 && s <= 1, "s = %g", s)
			require.LessOrEqual(t, w, 1/b0*(1+1e-12))
			wsum += w
			for i, x := range ts {
				if s <= x {
					sum[i] += w
					sum2[i] += w * w
				}
			}
		}
		assert.InDelta(t, 1, wsum/n, 4*math.Sqrt(1/b0/n), "draws %d: E[w]", draws)
		for i, x := range ts {
			m := sum[i] / n
			se := math.Sqrt((sum2[i]/n - m*m) / n)
			assert.InDelta(t, x, m, 4*se, "draws %d: P(s ≤ %g)", draws, x)
			// The tail is sampled far more often than under the law.
			if x <= 1e-3 {
				assert.Greater(t, se/x, 0.0)
				assert.Less(t, se/x, 0.05, "draws %d: relative SE at %g", draws, x)
			}
		}
	}
}

// A run with RareLag draws its lags from the mixture and reports their
// likelihood ratio; importance-sampled drops, weighted, estimate the plain
// mean. The plain run's LagWeight is 0 and its figures do not depend on
// the option's existence (the goldens check the bytes).
func TestRareLagRun(t *testing.T) {
	cfg := testScenario(4, 20, Distribution{Distribution: Constant, Value: time.Second}, time.Minute, 2)
	cfg.LoadBalancer.PropagationDelay = Lag{Distribution{Distribution: Weibull, Shape: 1.5, Scale: 12 * time.Second}}
	cfg.TargetGroup.DeregistrationDelay = 30 * time.Second
	const n = 1500
	var plain, plain2, rare, rare2 float64
	dropsRare := 0
	for rep := range n {
		p, err := RunWith(&cfg, rep, RunOptions{})
		require.NoError(t, err)
		assert.Zero(t, p.LagWeight)
		plain += float64(p.Dropped)
		plain2 += float64(p.Dropped) * float64(p.Dropped)
		q, err := RunWith(&cfg, rep, RunOptions{RareLag: &RareLag{Draws: 2}})
		require.NoError(t, err)
		require.Greater(t, q.LagWeight, 0.0)
		require.LessOrEqual(t, q.LagWeight, 2.0)
		y := q.LagWeight * float64(q.Dropped)
		rare += y
		rare2 += y * y
		if q.Dropped > 0 {
			dropsRare++
		}
	}
	plain /= n
	rare /= n
	seRare := math.Sqrt((rare2/n - rare*rare) / n)
	sePlain := math.Sqrt((plain2/n - plain*plain) / n)
	t.Logf("plain %g ± %g, importance-sampled %g ± %g, proposal drops in %d of %d", plain, sePlain, rare, seRare, dropsRare, n)
	require.Greater(t, plain, 0.0)
	assert.InDelta(t, plain, rare, 4*math.Hypot(seRare, sePlain))
	// The proposal drops far more often than the law's ~4 %.
	assert.Greater(t, float64(dropsRare)/n, 0.15)
}
