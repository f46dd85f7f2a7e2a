package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat"
)

// TestResidualLaws checks each residual-life sampler against the
// equilibrium law's mean, E[S²]/(2E[S]), over 40,000 draws (4 standard
// errors, the SE estimated from the draws), for the remaining time and
// for the age, which has the same law.
func TestResidualLaws(t *testing.T) {
	t.Parallel()
	s := time.Second
	cases := []struct {
		d        Distribution
		mean, m2 float64 // E[S], E[S²]
	}{
		{Distribution{Distribution: Exponential, Mean: 2 * s}, 2, 8},
		{Distribution{Distribution: Constant, Value: 3 * s}, 3, 9},
		{Distribution{Distribution: Uniform, Min: 1 * s, Max: 3 * s}, 2, (27.0 - 1) / 6},
		{Distribution{Distribution: Gamma, Shape: 2, Scale: s}, 2, 6},                        // k θ², k(k+1)θ²
		{Distribution{Distribution: Weibull, Shape: 2, Scale: s}, math.Sqrt(math.Pi) / 2, 1}, // Γ(1.5), Γ(2)
		{Distribution{Distribution: Pareto, Shape: 4, Scale: s}, 4.0 / 3, 2},                 // αx/(α−1), αx²/(α−2)
		{Distribution{Distribution: LogNormal, Mu: 0, Sigma: 0.5}, math.Exp(0.125), math.Exp(0.5)},
		{Distribution{Distribution: Empirical, Samples: []float64{1, 2, 3, 6}}, 3, 12.5},
	}
	for _, c := range cases {
		t.Run(c.d.Distribution, func(t *testing.T) {
			res, ok := residualFor(&c.d, rand.NewPCG(1, 2))
			require.True(t, ok)
			xs := make([]float64, 40000)
			ages := make([]float64, len(xs))
			for i := range xs {
				xs[i], ages[i] = res.draw()
			}
			// Age and remaining time have the same (equilibrium) law.
			want := c.m2 / (2 * c.mean)
			for name, v := range map[string][]float64{"residual": xs, "age": ages} {
				m, sd := stat.MeanStdDev(v, nil)
				assert.InDelta(t, want, m, 4*sd/math.Sqrt(float64(len(v))), "%s mean", name)
			}
		})
	}
	_, ok := residualFor(&Distribution{Distribution: Pareto, Shape: 1, Scale: s}, rand.NewPCG(1, 2))
	assert.False(t, ok, "no stationary state with an infinite mean")
}

// TestStationaryStartMatchesWarmUp is the two-sample test of issue #5: the
// drops of a scale-in after a long warm-up from empty and after a
// stationary start have the same distribution. The two samples are
// independent (different seeds); the test compares their means (Welch,
// 4 standard errors) and their whole distributions (two-sample
// Kolmogorov–Smirnov at α = 0.001, critical value 1.95·√((n+m)/(nm))).
// Random routing makes each target's arrivals Poisson, where the
// stationary law is exact.
func TestStationaryStartMatchesWarmUp(t *testing.T) {
	t.Parallel()
	const reps = 300
	base := Default()
	base.LoadBalancer.PropagationDelay = ConstantLag(0) // neutral: see docs/validation.md
	base.Fleet.Targets = 2
	base.LoadBalancer.Algorithm = Random
	base.TargetGroup.DeregistrationDelay = 8 * time.Second
	base.Traffic = []Traffic{{Rate: 12, Duration: Distribution{Distribution: LogNormal, Median: time.Second, P99: 12 * time.Second}}}
	// p99.9 ≈ 21 s: a 5-minute warm-up is many times it.
	base.ScaleIn = []ScaleIn{{At: 5 * time.Minute, Targets: 1}}

	sample := func(start string, seed uint64) (drops, inflight []float64, events uint64) {
		c := base
		c.Start, c.Seed = start, seed
		for r := range reps {
			res, err := Run(&c, r)
			require.NoError(t, err)
			drops = append(drops, float64(res.DroppedByCause[CauseDelayExpired]))
			inflight = append(inflight, float64(res.Removed[0].InFlightAtDeregistration))
			events += res.Events
		}
		return drops, inflight, events
	}
	warmD, warmN, warmEv := sample(StartEmpty, 11)
	statD, statN, statEv := sample(StartStationary, 12)
	t.Logf("events: warm-up %d, stationary %d (%.1f× fewer)", warmEv, statEv, float64(warmEv)/float64(statEv))
	assert.Less(t, statEv*3, warmEv, "the stationary start should skip most of the work")

	for _, c := range []struct {
		name string
		a, b []float64
	}{{"dropped at expiry", warmD, statD}, {"in flight at deregistration", warmN, statN}} {
		ma, va := stat.MeanVariance(c.a, nil)
		mb, vb := stat.MeanVariance(c.b, nil)
		se := math.Sqrt(va/reps + vb/reps)
		assert.InDelta(t, ma, mb, 4*se, "%s: means %.3f vs %.3f", c.name, ma, mb)
		a, b := slices.Clone(c.a), slices.Clone(c.b)
		slices.Sort(a)
		slices.Sort(b)
		d := stat.KolmogorovSmirnov(a, nil, b, nil)
		crit := 1.95 * math.Sqrt(2.0/reps)
		assert.Less(t, d, crit, "%s: KS D = %.3f", c.name, d)
		t.Logf("%s: warm-up %.3f, stationary %.3f (SE %.3f), KS D %.3f < %.3f", c.name, ma, mb, se, d, crit)
	}
}

// TestStartModes covers when a stationary start applies.
func TestStartModes(t *testing.T) {
	c := Default()
	c.Fleet.Targets = 2
	c.Traffic = []Traffic{{Rate: 1, Duration: Distribution{Distribution: Exponential, Mean: time.Second}}}
	c.ScaleIn = []ScaleIn{{At: 10 * time.Minute, Targets: 1}}
	t0, ok := c.stationaryStart()
	assert.True(t, ok)
	assert.Equal(t, 9*time.Minute, t0)
	res, err := Run(&c, 0)
	require.NoError(t, err)
	assert.Equal(t, 9*time.Minute, res.WarmupSkipped)

	c.Start = StartEmpty
	_, ok = c.stationaryStart()
	assert.False(t, ok)

	c.Start = ""
	c.Horizon = 20 * time.Minute
	_, ok = c.stationaryStart()
	assert.False(t, ok, "auto with a horizon simulates the whole span")
	c.Start = StartStationary
	_, ok = c.stationaryStart()
	assert.True(t, ok)

	c.Horizon = 0
	c.Traffic[0].Duration = Distribution{Distribution: Pareto, Shape: 0.9, Scale: time.Second}
	c.Start = ""
	_, ok = c.stationaryStart()
	assert.False(t, ok, "infinite mean: no steady state")
	c.Start = StartStationary
	assert.ErrorContains(t, c.Validate(), "start: stationary needs")
}
