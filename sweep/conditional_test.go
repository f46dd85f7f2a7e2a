package sweep

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/scenarios"
)

// Laws of a replication's conditional P(any drop) z in [0, 1], typical of
// conditional sampling near the recommended delay: 1 − exp(−G) with G the
// expected drops given the population, Gamma with mean g and shape r
// (mean of z exactly 1 − (1 + g/r)^−r); a mixture that adds, with
// probability w, a replication holding a very old request (z uniform on
// [a, b]: heavy-tail shows values up to 0.5 at 130 s); and the 0/1
// indicator (the extreme law on [0, 1]).
func gammaExpLaw(g, r float64) countLaw {
	return countLaw{fmt.Sprintf("1−exp(−Gamma(mean %g, shape %g))", g, r), 1 - math.Pow(1+g/r, -r), func(u *rand.Rand) float64 {
		return -math.Expm1(-distuv.Gamma{Alpha: r, Beta: r / g, Src: u}.Rand())
	}}
}

func oldRequestLaw(base countLaw, w, a, b float64) countLaw {
	return countLaw{fmt.Sprintf("%s + %g·U(%g, %g)", base.name, w, a, b), (1-w)*base.mean + w*(a+b)/2, func(u *rand.Rand) float64 {
		if u.Float64() < w {
			return a + (b-a)*u.Float64()
		}
		return base.draw(u)
	}}
}

func bernoulliLaw(p float64) countLaw {
	return countLaw{fmt.Sprintf("bernoulli(%g)", p), p, func(u *rand.Rand) float64 {
		if u.Float64() < p {
			return 1
		}
		return 0
	}}
}

func bettingInterval(xs []float64) (float64, float64) {
	_, ci := BettingMean95(xs)
	return ci[0], ci[1]
}

func conditionalLaws() []countLaw {
	return []countLaw{
		gammaExpLaw(0.01, 20), gammaExpLaw(0.005, 2), gammaExpLaw(0.05, 5),
		oldRequestLaw(gammaExpLaw(0.008, 10), 0.005, 0.05, 0.6),
		oldRequestLaw(gammaExpLaw(0.02, 3), 0.02, 0.1, 0.9),
		bernoulliLaw(0.01), bernoulliLaw(0.05),
	}
}

// TestCoverageBetting: BettingMean95, the interval of P(any drop) from
// conditional values, covers the true mean in at least 95 % of
// experiments (within three standard errors of a measured coverage) for
// the laws of conditional sampling, means 0.005 to 0.05, with 30 and 300
// replications, and 1,000 for the mixtures with old requests.
func TestCoverageBetting(t *testing.T) {
	t.Parallel()
	for i, law := range conditionalLaws() {
		ns := []int{30, 300}
		if i == 3 || i == 4 {
			ns = append(ns, 1000)
		}
		for _, n := range ns {
			got := coverage(uint64(300+i), law, n, bettingInterval)
			assert.GreaterOrEqual(t, got, coverageFloor, "%s, n = %d", law.name, n)
		}
	}
}

// TestCoverageBettingSequential: the adaptive search looks at the bound at
// n = 30, 60, …, 3,840 replications of one delay and stops at the first
// that decides. The upper bound is a confidence sequence: the chance that
// it falls below the true mean at any of those looks is at most 2.5 %,
// measured within three standard errors. A Student-t upper bound with the
// same looks misses more often than its nominal 2.5 % (logged).
func TestCoverageBettingSequential(t *testing.T) {
	t.Parallel()
	const experiments = 1000
	for i, law := range conditionalLaws()[:5] {
		u := rand.New(rand.NewPCG(400, uint64(i)))
		miss, missT := 0, 0
		for range experiments {
			var xs []float64
			missed, missedT := false, false
			for n := 30; n <= 3840; n *= 2 {
				for len(xs) < n {
					xs = append(xs, law.draw(u))
				}
				missed = missed || bettingUpper(xs, 0.025) < law.mean
				e := Mean95(xs)
				missedT = missedT || e.High < law.mean
			}
			if missed {
				miss++
			}
			if missedT {
				missT++
			}
		}
		p := float64(miss) / experiments
		assert.LessOrEqual(t, p, 0.025+3*math.Sqrt(0.025*0.975/experiments), "%s: upper bound below the mean at some look", law.name)
		t.Logf("%s: upper bound below the mean at some look: betting %.3f, Student t %.3f", law.name, p, float64(missT)/experiments)
	}
}

// The upper bound is about x̄ + ln(40)/n for small values: a sample of
// zeros gives 1 − 0.025^(1/n), as Clopper–Pearson's; the interval holds
// its mean and stays in [0, 1].
func TestBettingMean95(t *testing.T) {
	zeros := make([]float64, 400)
	m, ci := BettingMean95(zeros)
	assert.Zero(t, m)
	assert.Equal(t, 0.0, ci[0])
	assert.InDelta(t, ClopperPearson95(0, 400).High, ci[1], 1e-12)
	xs := make([]float64, 4000)
	for i := range xs {
		xs[i] = 0.008 + 0.004*float64(i%3-1)
	}
	m, ci = BettingMean95(xs)
	assert.InDelta(t, 0.008, m, 1e-5)
	assert.InDelta(t, m+math.Log(40)/4000, ci[1], 2e-5)
	assert.Greater(t, ci[0], 0.007)
	assert.Less(t, ci[0], m)
	m, ci = BettingMean95([]float64{1, 0, 0.5})
	assert.Equal(t, 1.0, ci[1])
	assert.LessOrEqual(t, ci[0], m)
	_, ci = BettingMean95(nil)
	assert.Equal(t, [2]float64{0, 1}, ci)
}

// On heavy-tail at 60 s, where plain sampling is precise (P(any drop) ≈
// 0.14), the conditional values of the same replications agree with the
// plain drops and indicators within 4 standard errors of their paired
// differences, and vary less.
func TestConditionalAgreesHeavyTail(t *testing.T) {
	cfg, err := scenarios.Builtin("heavy-tail")
	require.NoError(t, err)
	rule, err := cfg.ConditionalRule()
	require.NoError(t, err)
	require.Empty(t, rule)
	const n = 600
	cells := make([]Cell, n)
	for r := range cells {
		cells[r] = Cell{Delay: 60 * time.Second, Replication: r}
	}
	outs, err := RunCells(context.Background(), cfg, cells, Options{Conditional: true})
	require.NoError(t, err)
	var dp, dp2, dd, dd2, ind, z, z2 float64
	for _, o := range outs {
		require.NotNil(t, o.Conditional)
		i := 0.0
		if o.Dropped > 0 {
			i = 1
		}
		x := i - o.Conditional.PAnyDrop
		dp += x
		dp2 += x * x
		y := float64(o.Dropped) - o.Conditional.Dropped
		dd += y
		dd2 += y * y
		ind += i
		z += o.Conditional.PAnyDrop
		z2 += o.Conditional.PAnyDrop * o.Conditional.PAnyDrop
	}
	se := func(s, s2 float64) float64 { return math.Sqrt((s2/n - (s/n)*(s/n)) / n) }
	t.Logf("P(any drop) plain %.4f, conditional %.4f ± %.4f; difference %.4f ± %.4f; drops difference %.4f ± %.4f",
		ind/n, z/n, se(z, z2), dp/n, se(dp, dp2), dd/n, se(dd, dd2))
	require.Greater(t, ind, 30.0)
	assert.InDelta(t, 0, dp/n, 4*se(dp, dp2))
	assert.InDelta(t, 0, dd/n, 4*se(dd, dd2))
	p := ind / n
	assert.Less(t, se(z, z2), math.Sqrt(p*(1-p)/n)/2)
}

// Recommend bounds P(any drop) by conditional sampling where the rule
// holds and says so; elsewhere (a propagation lag) it does not, and a
// criterion on drops alone does not use it.
func TestRecommendConditional(t *testing.T) {
	cfg := model.Default()
	cfg.Name = "cond"
	cfg.LoadBalancer.PropagationDelay = model.ConstantLag(0)
	cfg.Fleet.Targets = 3
	cfg.Traffic = []model.Traffic{{Name: "api", Rate: 15, Duration: model.Distribution{Distribution: model.LogNormal, Median: time.Second, P99: 8 * time.Second}}}
	cfg.ScaleIn = []model.ScaleIn{{At: 5 * time.Minute, Targets: 1}}
	delays := []time.Duration{0, 10 * time.Second, 20 * time.Second, 40 * time.Second}
	crit := Criteria{MaxPAnyDrop: 0.1, MaxReplications: 120}
	rec, err := Recommend(context.Background(), &cfg, delays, 30, crit, Options{})
	require.NoError(t, err)
	require.NotNil(t, rec.Recommended)
	assert.True(t, rec.Recommended.ConditionallySampled)
	assert.LessOrEqual(t, rec.Recommended.PAnyDropCI95[1], 0.1)
	assert.Contains(t, rec.ConditionalSampling, "Conditional sampling")
	assert.Contains(t, strings.Join(rec.Explanation, "\n"), rec.ConditionalSampling)

	crit.MaxPAnyDrop, crit.MaxDropped = 0, 0.5
	rec, err = Recommend(context.Background(), &cfg, delays, 30, crit, Options{})
	require.NoError(t, err)
	assert.Empty(t, rec.ConditionalSampling)

	lag := cfg
	lag.LoadBalancer.PropagationDelay = model.ConstantLag(2 * time.Second)
	rec, err = Recommend(context.Background(), &lag, delays, 30, Criteria{MaxPAnyDrop: 0.1, MaxReplications: 120}, Options{})
	require.NoError(t, err)
	assert.Empty(t, rec.ConditionalSampling)
	for _, r := range rec.Rows {
		assert.False(t, r.ConditionallySampled)
	}
}
