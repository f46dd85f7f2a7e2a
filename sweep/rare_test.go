package sweep

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/drainsim/drainsim/model"
)

// rareLaw is a synthetic replication with two removed targets whose lags
// are drawn by model.RareLag: a lag whose tail probability s is at most
// pStar (it outlasts the delay) drops a burst of 1 + Poisson(c·ln(pStar/s))
// — the longer the lag, the larger the burst —, and independently of the
// lags, with probability q0, one request drops (a slow request cut). Its
// truth is exact: E[drops] = 2·pStar·(1 + c) + q0 (−ln of a uniform has
// mean 1), P(any drop) = 1 − (1 − pStar)²(1 − q0).
type rareLaw struct {
	pStar, c, q0 float64
}

func (l rareLaw) mean() float64 { return 2*l.pStar*(1+l.c) + l.q0 }
func (l rareLaw) pAny() float64 { return 1 - (1-l.pStar)*(1-l.pStar)*(1-l.q0) }

// draw returns one importance-sampled replication: its drops and weight.
func (l rareLaw) draw(rl *model.RareLag, u *rand.Rand) (x, w float64) {
	w = 1
	for range 2 {
		s, ws := rl.Sample(u)
		w *= ws
		if s <= l.pStar {
			x += 1 + distuv.Poisson{Lambda: l.c * math.Log(l.pStar/s), Src: u}.Rand()
		}
	}
	if u.Float64() < l.q0 {
		x++
	}
	return x, w
}

// TestCoverageRareEvent: the intervals of importance-sampled drops and
// P(any drop) (applyRare: CountMean95 of the weighted values united with
// the burst-aware bound, here with no reference delay, the least
// conservative case) cover the truth in at least 95 % of experiments, for
// bursts whose probability per scale-in is 1e-4 to 2e-6 — rare enough that
// plain sampling of 500 or 2,000 replications would rarely see one — with
// and without drops that do not depend on the lag. The plain sample of the
// same size (CountMean95 of unweighted drops) covers far less often: it
// has not seen the bursts.
func TestCoverageRareEvent(t *testing.T) {
	t.Parallel()
	rl := &model.RareLag{Draws: 2}
	const experiments = coverageExperiments / 2
	floor := 0.95 - 3*math.Sqrt(0.95*0.05/experiments)
	for i, l := range []rareLaw{{5e-5, 80, 0}, {2e-4, 50, 0.002}, {1e-6, 100, 0}, {5e-5, 20, 0.005}} {
		for _, n := range []int{rareStart, 2000} {
			u := rand.New(rand.NewPCG(uint64(i), uint64(n)))
			outs := make([]Outcome, n)
			hitD, hitP, hitT := 0, 0, 0
			for range experiments {
				for k := range outs {
					x, w := l.draw(rl, u)
					outs[k] = Outcome{Dropped: int64(x), Weight: w}
				}
				r := Row{DroppedByCause: map[string]float64{}, DroppedByCauseCI95: map[string][2]float64{}}
				applyRare(&r, nil, outs, 0, 0, 0)
				if r.DroppedCI95[0] <= l.mean() && l.mean() <= r.DroppedCI95[1] {
					hitD++
				}
				ys := rareSampleOf(outs).ys
				if e := Mean95(ys); e.Low <= l.mean() && l.mean() <= e.High {
					hitT++
				}
				if r.PAnyDropCI95[0] <= l.pAny() && l.pAny() <= r.PAnyDropCI95[1] {
					hitP++
				}
			}
			assert.GreaterOrEqual(t, float64(hitD)/experiments, floor, "%+v, n = %d: dropped", l, n)
			assert.GreaterOrEqual(t, float64(hitP)/experiments, floor, "%+v, n = %d: P(any drop)", l, n)
			t.Logf("%+v (mean %.3g), n = %d: coverage dropped %.3f, P(any drop) %.3f; t-interval alone %.3f", l, l.mean(), n,
				float64(hitD)/experiments, float64(hitP)/experiments, float64(hitT)/experiments)
		}
	}
	// Plain sampling of the first law, 2,000 replications: the bound of a
	// sample that has not seen a burst is below the truth.
	l := rareLaw{5e-5, 80, 0}
	u := rand.New(rand.NewPCG(9, 9))
	xs := make([]float64, 2000)
	hit := 0
	for range experiments {
		for k := range xs {
			xs[k] = 0
			for range 2 {
				if s := 1 - u.Float64(); s <= l.pStar {
					xs[k] += 1 + distuv.Poisson{Lambda: l.c * math.Log(l.pStar/s), Src: u}.Rand()
				}
			}
		}
		if e := CountMean95(xs); e.Low <= l.mean() && l.mean() <= e.High {
			hit++
		}
	}
	assert.Less(t, float64(hit)/experiments, 0.9, "plain sampling covers")
}
