package sweep

import (
	"fmt"
	"slices"

	"github.com/drainsim/drainsim/model"
)

// Rare-event sampling of the propagation lag (docs/sweeps.md, "Rare-event
// sampling"). Near a good delay a scenario with a random lag drops only
// when a removed target's lag outlasts the delay: its instance is
// terminated while still routed to, and a burst of requests fails. With a
// burst of ~100 drops a limit of 0.01 per scale-in needs P(any drop)
// certified below 1e-4, ~37,000 clean replications by plain sampling.
// The lag's law is known exactly, so its tail can be over-sampled and
// each replication weighted by its likelihood ratio (model.RareLag): the
// weighted drops are unbiased for the plain mean, the bursts appear in
// many replications, and a few thousand replications bound the mean.

// rareLag returns the importance sampling of cfg's propagation lag, or nil
// when the lag is not random (a constant, or off): then there is nothing
// to over-sample. draws is the number of lags a replication draws, from
// its outcomes.
func rareLag(cfg *model.Config, draws int) *model.RareLag {
	lag := cfg.LoadBalancer.PropagationDelay
	if lag.Distribution.Distribution == "" {
		lag = model.DefaultPropagationDelay(cfg.LoadBalancer.Type)
	}
	if lag.Distribution.Distribution == model.Constant {
		return nil
	}
	return &model.RareLag{Draws: max(draws, 1)}
}

// rareWeightBound is the bound of a replication's likelihood ratio under
// model.RareLag when it draws at most Draws lags.
const rareWeightBound = 2

// rareSample is what the importance-sampled replications of one delay say
// about drops: the weighted drops y = w·x and the weighted indicators of a
// drop z = w·1{x > 0}, whose means are unbiased for the plain run's mean
// drops and P(any drop), and k, the replications (under the proposal)
// that dropped anything.
type rareSample struct {
	ys, zs []float64
	k      int
	// ySize and zSize are the mean y and z over the replications that
	// dropped anything: E[y] = P_q(drop) · ySize.
	ySize, zSize float64
}

func rareSampleOf(outs []Outcome) rareSample {
	s := rareSample{ys: make([]float64, len(outs)), zs: make([]float64, len(outs))}
	for i, o := range outs {
		if o.Dropped > 0 {
			w := o.weight()
			s.ys[i], s.zs[i] = w*float64(o.Dropped), w
			s.k++
			s.ySize += s.ys[i]
			s.zSize += s.zs[i]
		}
	}
	if s.k > 0 {
		s.ySize /= float64(s.k)
		s.zSize /= float64(s.k)
	}
	return s
}

// weight is the outcome's likelihood ratio: 1 for a plain run.
func (o Outcome) weight() float64 {
	if o.Weight == 0 {
		return 1
	}
	return o.Weight
}

// rareBound returns the 95 % interval of a mean estimated from the
// importance-weighted values vs (ys or zs), k of them from replications
// that dropped, with burst size size (the mean value of a replication
// that drops, taken from the sample or a shorter delay's, see
// evaluator.burst): the union of CountMean95 of the weighted values and,
// for the upper end, the burst-aware bound ClopperPearson95(k, n).High ×
// size, since E[v] = P_q(drop) · E[v | drop].
func rareBound(vs []float64, k int, size float64) (mean float64, ci [2]float64) {
	e := CountMean95(vs)
	ci = interval(e)
	ci[1] = max(ci[1], ClopperPearson95(k, len(vs)).High*size)
	return e.Mean, ci
}

// applyRare replaces row r's drop figures by the importance-sampled
// replications outs' (weighted), with the burst sizes ySize and zSize of
// the reference delay (0: none). The drain and instance cost figures stay
// those of the plain replications plain; the drop cost and total cost use
// the weighted drops.
func applyRare(r *Row, plain, outs []Outcome, ySize, zSize, dropCost float64) {
	s := rareSampleOf(outs)
	r.Replications = len(outs)
	r.ImportanceSampled = true
	if s.k >= minBursts {
		// The sample has seen bursts, the rare ones among them: its own
		// sizes serve (a shorter delay's weighted bursts are larger, and
		// would triple the bound, measured on payments-api).
		ySize, zSize = 0, 0
	}
	r.DroppedMean, r.DroppedCI95 = rareBound(s.ys, s.k, max(s.ySize, ySize))
	zs := max(s.zSize, zSize)
	if zs == 0 {
		zs = rareWeightBound // no drop seen anywhere: the weight's bound
	}
	r.PAnyDrop, r.PAnyDropCI95 = rareBound(s.zs, s.k, zs)
	// A probability: the weighted estimate of one near 1 can exceed it.
	r.PAnyDrop, r.PAnyDropCI95[1] = min(r.PAnyDrop, 1), min(r.PAnyDropCI95[1], 1)
	r.PAnyDropCI95[0] = min(r.PAnyDropCI95[0], 1)
	r.DropsPerBurst = 0
	if r.PAnyDrop > 0 {
		r.DropsPerBurst = r.DroppedMean / r.PAnyDrop
	}
	xs := make([]float64, len(outs))
	for c := range model.NumCauses {
		for i, o := range outs {
			xs[i] = o.weight() * float64(o.DroppedByCause[c])
		}
		e := CountMean95(xs)
		r.DroppedByCause[c.String()] = e.Mean
		r.DroppedByCauseCI95[c.String()] = interval(e)
	}
	for j := range r.DroppedByClass {
		for i, o := range outs {
			xs[i] = 0
			if j < len(o.Classes) { // not a best-case padding (hopeless)
				xs[i] = o.weight() * float64(o.Classes[j].Dropped)
			}
		}
		e := CountMean95(xs)
		r.DroppedByClass[j].DroppedMean, r.DroppedByClass[j].DroppedCI95 = e.Mean, interval(e)
	}
	inst := make([]float64, len(plain))
	for i, o := range plain {
		inst[i] = o.CostUSD
	}
	i := Mean95(inst)
	r.DropCostUSDMean = dropCost * r.DroppedMean
	r.TotalCostUSDMean = r.InstanceCostUSDMean + r.DropCostUSDMean
	r.TotalCostUSDCI95 = [2]float64{max(i.Low+dropCost*r.DroppedCI95[0], 0), i.High + dropCost*r.DroppedCI95[1]}
}

// rareText says which delays' drops were importance-sampled and on what.
func rareText(cfg *model.Config, rows []Row) string {
	var ds []float64
	for _, r := range rows {
		if r.ImportanceSampled {
			ds = append(ds, r.DelayS)
		}
	}
	if len(ds) == 0 {
		return ""
	}
	slices.Sort(ds)
	lag := cfg.LoadBalancer.PropagationDelay
	if lag.Distribution.Distribution == "" {
		lag = model.DefaultPropagationDelay(cfg.LoadBalancer.Type)
	}
	return fmt.Sprintf("Rare-event sampling: at %s the drops were estimated from replications that over-sample the tail of the propagation lag (%s) and weight each by its likelihood ratio (importance sampling), so that the rare long lags that drop bursts near the recommended delay are seen; the replications shown for these delays are those.",
		secondsList(ds), lag.String())
}

func secondsList(ds []float64) string {
	s := ""
	for i, d := range ds {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%gs", d)
	}
	return s
}
