package sweep

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/drainsim/drainsim/model"
)

// Conditional sampling of P(any drop) (docs/sweeps.md, "Conditional
// sampling"). Where model.Config.ConditionalRule holds, a replication's
// drops are exactly the requests in flight on the removed targets at
// deregistration that outlast the delay, and each one's probability of
// doing so given its age is known from the duration law: so the
// replication's P(any drop | the requests in flight), z in [0, 1]
// (model.ConditionalDrops.PAnyDrop), is unbiased for P(any drop) and
// varies far less than the 0/1 indicator it replaces. On heavy-tail near
// 130 s, where P(any drop) ≈ 0.01 falls by ~0.0003 per second, the
// Clopper–Pearson bound of the indicators needs ~4,000 replications to
// certify 151 s; the bound below of the same replications' z certifies
// within a few seconds of the smallest delay.

// BettingMean95 estimates the mean μ of values xs in [0, 1] with a
// two-sided 95 % interval valid for every law on [0, 1], at every n at
// once (a confidence sequence: adding replications and looking again, as
// the adaptive search does, keeps the coverage). Each end is a test by
// betting at level α = 0.025 (Waudby-Smith & Ramdas, "Estimating means of
// bounded random variables by betting", 2023):
//
//   - upper: for a candidate m, the capital K(m) = Π (1 − x_i)/(1 − m) is
//     a non-negative martingale with mean 1 when m = μ (each factor has
//     mean (1 − μ)/(1 − m)), so by Ville's inequality P(sup_n K_n(μ) ≥
//     1/α) ≤ α. K(m) increases with m, and the set {m : K(m) < 1/α} is
//     [0, U) with U = 1 − (α · Π (1 − x_i))^(1/n): P(μ ≥ U) ≤ α.
//   - lower: the mixture K(m) = ½ Σ_c Π (1 − c + c·x_i/m) over c = ½ and
//     ⅛, each factor of mean 1 at m = μ, decreasing in m: L is the
//     largest m with K(m) ≥ 1/α (bisection), 0 if none.
//
// The upper bet is the largest the range allows (the factor at x = 1 is
// 0); it is the right one for small means with a small spread, where the
// bound is about x̄ + ln(40)/n + Σ (−ln(1 − x_i) − x_i)/n: no valid bound
// for all laws on [0, 1] can be much smaller, since a mass of 3/n at 1
// goes unseen with probability e⁻³. It needs n ≥ 1; with none, [0, 1].
func BettingMean95(xs []float64) (mean float64, ci [2]float64) {
	n := float64(len(xs))
	if len(xs) == 0 {
		return 0, [2]float64{0, 1}
	}
	const alpha = 0.025
	for _, x := range xs {
		mean += x
	}
	mean /= n
	hi := max(bettingUpper(xs, alpha), mean)
	lo := bettingLower(xs, alpha, mean)
	return mean, [2]float64{lo, hi}
}

// bettingUpper is the upper end of BettingMean95 at level alpha:
// 1 − (α · Π (1 − x_i))^(1/n), computed as −ln(1 − U) = (ln(1/α) −
// Σ ln(1 − x_i)) / n.
func bettingUpper(xs []float64, alpha float64) float64 {
	logNone := 0.0
	for _, x := range xs {
		logNone += math.Log1p(-x)
	}
	hi := -math.Expm1(-(math.Log(1/alpha) - logNone) / float64(len(xs)))
	if math.IsNaN(hi) || hi > 1 {
		return 1
	}
	return hi
}

var bettingLowerBets = [...]float64{1.0 / 2, 1.0 / 8}

// bettingLower is the lower end of BettingMean95 at level alpha.
func bettingLower(xs []float64, alpha, mean float64) float64 {
	if mean <= 0 {
		return 0
	}
	// log K(m), the log of the mixture's capital at m.
	logK := func(m float64) float64 {
		var ls [len(bettingLowerBets)]float64
		top := math.Inf(-1)
		for j, c := range bettingLowerBets {
			for _, x := range xs {
				ls[j] += math.Log1p(c * (x/m - 1))
			}
			top = max(top, ls[j])
		}
		s := 0.0
		for _, l := range ls {
			s += math.Exp(l - top)
		}
		return top + math.Log(s/float64(len(ls)))
	}
	target := math.Log(1 / alpha)
	// K(mean) ≤ 1 < 1/α (Jensen); K grows as m falls.
	lo, hi := 0.0, mean
	if logK(mean*1e-9) < target {
		return 0
	}
	// Bisection on log m to a relative 10⁻³: the end returned is
	// rejected, so it errs on the safe (lower) side.
	lo = mean * 1e-9
	for hi/lo > 1+1e-3 {
		mid := math.Sqrt(lo * hi)
		if logK(mid) >= target {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo // K(lo) ≥ 1/α: rejected, so the bound is at least lo
}

// conditionalValues returns the replications' conditional P(any drop), or
// ok = false if some outcome lacks it (a cell from a checkpoint run
// without it, or a scenario outside the rule).
func conditionalValues(outs []Outcome) (zs []float64, ok bool) {
	zs = make([]float64, len(outs))
	for i, o := range outs {
		if o.Conditional == nil {
			return nil, false
		}
		zs[i] = o.Conditional.PAnyDrop
	}
	return zs, len(outs) > 0
}

// applyConditional replaces row r's P(any drop) and its interval by the
// mean and BettingMean95 interval of the replications' conditional values
// zs, and marks it ConditionallySampled.
func applyConditional(r *Row, zs []float64) {
	r.PAnyDrop, r.PAnyDropCI95 = BettingMean95(zs)
	r.ConditionallySampled = true
}

// conditionalText says at which delays P(any drop) was estimated by
// conditional sampling, and from how many replications: those that got
// more than the first reps by name, the others counted.
func conditionalText(rows []Row, reps int) string {
	type dn struct {
		d float64
		n int
	}
	var more []dn
	var others []float64
	for _, r := range rows {
		if !r.ConditionallySampled || slices.Contains(others, r.DelayS) ||
			slices.ContainsFunc(more, func(x dn) bool { return x.d == r.DelayS }) {
			continue
		}
		if r.Replications > reps {
			more = append(more, dn{r.DelayS, r.Replications})
		} else {
			others = append(others, r.DelayS)
		}
	}
	if len(more)+len(others) == 0 {
		return ""
	}
	slices.SortFunc(more, func(a, b dn) int { return cmp.Compare(a.d, b.d) })
	var where []string
	for _, x := range more {
		where = append(where, fmt.Sprintf("%gs (%d replications)", x.d, x.n))
	}
	if len(others) > 0 {
		where = append(where, fmt.Sprintf("%d other delays (%d replications each)", len(others), reps))
	}
	return "Conditional sampling: at " + strings.Join(where, ", ") + ", P(any drop) was estimated from each replication's probability of a drop given the requests in flight on the removed targets at deregistration and their ages, 1 − Π(1 − q) with q = P(duration > age + delay | duration > age), exact from the duration law because here nothing else ends or drops a request (no propagation lag, retries, worker limit or shutdown timers); its interval, by betting, is valid for values in [0, 1] at any number of replications. Drops per scale-in are counted as usual."
}

// useConditional reports whether a recommendation with criteria c on cfg
// bounds P(any drop) by conditional sampling: a criterion on it is set and
// cfg's drops follow the rule.
func useConditional(cfg *model.Config, c Criteria) bool {
	if c.criteria().MaxPAnyDrop <= 0 {
		return false
	}
	rule, err := cfg.ConditionalRule()
	return err == nil && rule == ""
}
