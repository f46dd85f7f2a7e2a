package model

import (
	"math/rand/v2"
	"time"
)

// streamRareLag is the stream of the importance-sampled lag draws
// (RunOptions.RareLag). The plain path never reads it, so every other
// stream and golden is unchanged. (7 and 8 are the keep-alive node and
// pool streams; TestStreamsDistinct.)
const streamRareLag = 9

// RareLagLevels are the tail levels of the proposal of RareLag: the lag's
// upper p-quantile ranges for p = 10⁻¹ … 10⁻⁸. A deregistration delay
// above the lag's 1 − 10⁻⁸ quantile leaves a propagation lag no chance
// that matters at any limit drainsim accepts; below it, every tail
// probability lies within a factor 10 of a level.
var RareLagLevels = [...]float64{1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8}

// RareLag importance-samples the propagation lag (docs/sweeps.md,
// "Rare-event sampling"): each lag draw takes its upper tail probability
// s = 1 − F(lag) from a defensive mixture instead of uniformly: with
// probability β₀ = 1 − 1/(2·Draws) uniformly on (0, 1] (the lag's own
// law), otherwise, each level p of RareLagLevels with equal probability
// (1 − β₀)/8, uniformly on (0, p] (the lag beyond its upper
// p-quantile). The lag is the law's quantile at 1 − s; the run's
// Result.LagWeight is the product over its draws of the likelihood ratio
// 1/(β₀ + Σ_p (1 − β₀)/8 · 1{s ≤ p}/p) ≤ 1/β₀, so that E[LagWeight · f]
// under RareLag is E[f] of the plain run for every figure f of a run. With
// at most Draws draws, LagWeight ≤ (1 − 1/(2·Draws))^−Draws ≤ 2.
type RareLag struct {
	// Draws is the number of lag draws (deregistrations) a replication is
	// expected to make; it only tunes the mixture, any value keeps the
	// estimates unbiased. Zero means 1.
	Draws int
}

// weight returns the likelihood ratio of a draw with tail probability s
// under mixture weight b0 of the lag's own law.
func rareLagWeight(b0, s float64) float64 {
	q := b0
	bj := (1 - b0) / float64(len(RareLagLevels))
	for _, p := range RareLagLevels {
		if s <= p {
			q += bj / p
		}
	}
	return 1 / q
}

// b0 is β₀ for d's Draws.
func (d *RareLag) b0() float64 {
	m := max(d.Draws, 1)
	return 1 - 1/(2*float64(m))
}

// Sample draws one tail probability s in (0, 1] from the mixture using
// rng, and returns it with its likelihood ratio. Tests of the estimators
// built on RareLag use it to draw synthetic lags.
func (d *RareLag) Sample(rng *rand.Rand) (s, weight float64) {
	b0 := d.b0()
	p := 1.0
	if v := rng.Float64(); v >= b0 {
		k := min(int((v-b0)/(1-b0)*float64(len(RareLagLevels))), len(RareLagLevels)-1)
		p = RareLagLevels[k]
	}
	s = (1 - rng.Float64()) * p // (0, p]
	return s, rareLagWeight(b0, s)
}

// drawLag draws one propagation lag: from the lag's law, or, with
// RunOptions.RareLag, from the mixture, multiplying Result.LagWeight by
// its likelihood ratio.
func (r *runner) drawLag() time.Duration {
	if r.rare == nil {
		return lagDuration(r.lag.Rand())
	}
	s, w := r.rare.Sample(r.rareRng)
	r.res.LagWeight *= w
	return lagDuration(r.lag.Quantile(1 - s))
}
