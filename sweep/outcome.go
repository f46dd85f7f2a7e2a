package sweep

import (
	"slices"
	"time"

	"github.com/drainsim/drainsim/model"
)

// Outcome is what a [Row] needs of one replication at one delay: the
// figures of a [model.Result] that [MakeRow] reads, and nothing else. A
// sweep's cells can be saved as Outcomes (a checkpoint, the part file of
// a shard) and the rows rebuilt from them later, bit for bit.
type Outcome struct {
	// Dropped and DroppedByCause are Result.Dropped and
	// Result.DroppedByCause.
	Dropped        int64
	DroppedByCause model.ByCause
	// Classes are the name, kind and drops of each traffic class, in
	// Config.Traffic order.
	Classes []ClassOutcome
	// CostUSD, ELB5xx, Retries, Reconnects, ReconnectPeakPerS and Events
	// are the Result's fields of the same names, except that a sweep's
	// cell of a horizon under a scaling policy sets CostUSD to the whole
	// fleet's cost (ScalingSummary's), its cost per day (Row.Per).
	CostUSD           float64
	ELB5xx            int64
	Retries           int64
	Reconnects        int64
	ReconnectPeakPerS float64
	Events            uint64
	// ELB502, ELB503, ELB504, Resets and ConnectionCuts are the Result's
	// fields of the same names.
	ELB502, ELB503, ELB504 int64
	Resets                 int64
	ConnectionCuts         int64
	// Drains are the draining times of the removed targets that finished
	// draining, in Result.Removed order.
	Drains []time.Duration
	// IdleHolds are, for the removed targets that finished draining after
	// their last request ended, how long idle keep-alive connections held
	// them in draining (RemovedTarget.IdleHold), in Result.Removed order.
	IdleHolds []time.Duration
	// ScaleIns are the durations of the scale-in events that finished, in
	// Result.ScaleIns order.
	ScaleIns []time.Duration
	// Weight is the replication's likelihood ratio when its propagation
	// lags were importance-sampled (Result.LagWeight); 0 for a plain
	// replication, whose weight is 1.
	Weight float64 `json:",omitempty"`
	// Conditional is the run's Result.Conditional: its conditional
	// drops and P(any drop) given the requests in flight at
	// deregistration, when Options.Conditional asked for them and the
	// scenario follows model.Config.ConditionalRule; nil otherwise.
	Conditional *model.ConditionalDrops `json:",omitempty"`
}

// ClassOutcome is one traffic class's drops in an [Outcome].
type ClassOutcome struct {
	Name    string
	Kind    string
	Dropped int64
}

// OutcomeOf extracts from r what a [Row] needs.
func OutcomeOf(r *model.Result) Outcome {
	o := Outcome{
		Dropped:           r.Dropped,
		DroppedByCause:    r.DroppedByCause,
		Classes:           make([]ClassOutcome, len(r.Classes)),
		CostUSD:           r.CostUSD,
		ELB5xx:            r.ELB5xx,
		Retries:           r.Retries,
		Reconnects:        r.Reconnects,
		ReconnectPeakPerS: r.ReconnectPeakPerS,
		Events:            r.Events,
		ELB502:            r.ELB502,
		ELB503:            r.ELB503,
		ELB504:            r.ELB504,
		Resets:            r.Resets,
		ConnectionCuts:    r.ConnectionCuts,
		Weight:            r.LagWeight,
		Conditional:       r.Conditional,
	}
	for k, c := range r.Classes {
		o.Classes[k] = ClassOutcome{Name: c.Name, Kind: c.Kind, Dropped: c.Dropped}
	}
	for _, t := range r.Removed {
		if d := t.DrainTime(); d >= 0 {
			o.Drains = append(o.Drains, d)
		}
		if h := t.IdleHold(); h >= 0 {
			o.IdleHolds = append(o.IdleHolds, h)
		}
	}
	for _, s := range r.ScaleIns {
		if d := s.Duration(); d >= 0 {
			o.ScaleIns = append(o.ScaleIns, d)
		}
	}
	return o
}

// MakeRow summarizes the replications of one delay.
func MakeRow(delay time.Duration, results []*model.Result, costs Costs) Row {
	outs := make([]Outcome, len(results))
	for i, r := range results {
		outs[i] = OutcomeOf(r)
	}
	return RowOf(delay, outs, costs)
}

// RowOf summarizes the replications of one delay from their outcomes, in
// the order given: RowOf(d, outcomes of rs, c) is MakeRow(d, rs, c), bit
// for bit.
func RowOf(delay time.Duration, outs []Outcome, costs Costs) Row {
	n := len(outs)
	row := Row{
		DelayS:             delay.Seconds(),
		Replications:       n,
		DroppedByCause:     make(map[string]float64, model.NumCauses),
		DroppedByCauseCI95: make(map[string][2]float64, model.NumCauses),
	}
	xs := make([]float64, n)
	inst := make([]float64, n)
	var drains, holds, scaleIns []float64
	var instance float64
	anyDrop := 0
	for i, r := range outs {
		xs[i] = float64(r.Dropped)
		inst[i] = r.CostUSD
		instance += r.CostUSD
		row.Events += r.Events
		row.ELB5xxMean += float64(r.ELB5xx)
		row.RetriesMean += float64(r.Retries)
		row.ReconnectsMean += float64(r.Reconnects)
		row.ReconnectPeakPerSMean += r.ReconnectPeakPerS
		row.ELB502Mean += float64(r.ELB502)
		row.ELB503Mean += float64(r.ELB503)
		row.ELB504Mean += float64(r.ELB504)
		row.ResetsMean += float64(r.Resets)
		row.ConnectionCutsMean += float64(r.ConnectionCuts)
		if r.Dropped > 0 {
			anyDrop++
			row.DropsPerBurst += float64(r.Dropped)
		}
		for _, d := range r.Drains {
			drains = append(drains, d.Seconds())
		}
		for _, d := range r.IdleHolds {
			holds = append(holds, d.Seconds())
		}
		for _, d := range r.ScaleIns {
			scaleIns = append(scaleIns, d.Seconds())
		}
	}
	lo, hi := totalCostInterval(inst, xs, costs.DropCost)
	row.TotalCostUSDCI95 = [2]float64{lo, hi}
	d := CountMean95(xs)
	row.DroppedMean, row.DroppedCI95 = d.Mean, interval(d)
	for c := range model.NumCauses {
		for i, r := range outs {
			xs[i] = float64(r.DroppedByCause[c])
		}
		e := CountMean95(xs)
		row.DroppedByCause[c.String()] = e.Mean
		row.DroppedByCauseCI95[c.String()] = interval(e)
	}
	if n > 0 {
		for k, c := range outs[0].Classes {
			for i, r := range outs {
				xs[i] = float64(r.Classes[k].Dropped)
			}
			e := CountMean95(xs)
			row.DroppedByClass = append(row.DroppedByClass, ClassDrops{Name: c.Name, Kind: c.Kind, DroppedMean: e.Mean, DroppedCI95: interval(e)})
		}
		if anyDrop > 0 {
			row.DropsPerBurst /= float64(anyDrop)
		}
		p := ClopperPearson95(anyDrop, n)
		row.PAnyDrop, row.PAnyDropCI95 = p.P, [2]float64{p.Low, p.High}
		row.InstanceCostUSDMean = instance / float64(n)
		row.ELB5xxMean /= float64(n)
		row.RetriesMean /= float64(n)
		row.ReconnectsMean /= float64(n)
		row.ReconnectPeakPerSMean /= float64(n)
		row.ELB502Mean /= float64(n)
		row.ELB503Mean /= float64(n)
		row.ELB504Mean /= float64(n)
		row.ResetsMean /= float64(n)
		row.ConnectionCutsMean /= float64(n)
	}
	if len(drains) > 0 {
		row.DrainSMean, row.DrainSP95 = Mean95(drains).Mean, Quantile(drains, 0.95)
		row.DrainSP50, row.DrainSMax = Quantile(drains, 0.5), slices.Max(drains)
	}
	if len(holds) > 0 {
		row.IdleHoldSMean = Mean95(holds).Mean
	}
	if len(scaleIns) > 0 {
		row.ScaleInSMean, row.ScaleInSP95 = Mean95(scaleIns).Mean, Quantile(scaleIns, 0.95)
	}
	row.DropCostUSDMean = costs.DropCost * row.DroppedMean
	row.TotalCostUSDMean = row.InstanceCostUSDMean + row.DropCostUSDMean
	return row
}

// totalCostInterval returns the 95 % interval of the mean total cost per
// replication, instance cost plus dropCost × drops: the instance cost's
// Student-t interval plus dropCost times the drops' CountMean95 interval.
// Drops are rare counts, whose t-interval does not cover (CountMean95).
// Adding the ends of two 95 % intervals guarantees 90 % (Bonferroni);
// TestCoverageTotalCost measures at least 95 % on the cases it checks. With fewer than two replications it
// is the mean, as every interval is.
func totalCostInterval(inst, drops []float64, dropCost float64) (lo, hi float64) {
	i, d := Mean95(inst), CountMean95(drops)
	return max(i.Low+dropCost*d.Low, 0), i.High + dropCost*d.High
}
