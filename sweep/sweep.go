package sweep

import (
	"context"
	"time"

	"github.com/drainsim/drainsim/model"
)

// Costs prices the outcome of a scale-in.
type Costs struct {
	// DropCost is USD per dropped request or connection; 0 counts
	// instance cost only.
	DropCost float64
}

// Row is the outcome of one delay in a sweep: per-replication means (a
// replication is one run of the scenario, with all its scale-in events)
// with their 95 % intervals. JSON names are part of drainsim's interface.
type Row struct {
	DelayS       float64 `json:"delay_s"`
	Replications int     `json:"replications"`
	// DroppedMean is the mean number dropped per replication, all causes.
	DroppedMean float64 `json:"dropped_mean"`
	// DroppedCI95 is its Student-t 95 % interval ([mean, mean] with one
	// replication).
	DroppedCI95 [2]float64 `json:"dropped_ci95"`
	// DroppedByCause is the mean per replication for each cause.
	DroppedByCause map[string]float64 `json:"dropped_by_cause"`
	// DroppedByCauseCI95 is the interval of each cause's mean.
	DroppedByCauseCI95 map[string][2]float64 `json:"dropped_by_cause_ci95"`
	// DroppedByClass is the mean per replication for each traffic class,
	// in Config.Traffic order.
	DroppedByClass []ClassDrops `json:"dropped_by_class"`
	// PAnyDrop is the fraction of replications that dropped anything,
	// with its Wilson 95 % interval.
	PAnyDrop     float64    `json:"p_any_drop"`
	PAnyDropCI95 [2]float64 `json:"p_any_drop_ci95"`
	// DrainSMean and DrainSP95 are the mean and 95th percentile of the
	// draining time per removed target, seconds.
	DrainSMean float64 `json:"drain_s_mean"`
	DrainSP95  float64 `json:"drain_s_p95"`
	// ScaleInSMean and ScaleInSP95 are the mean and 95th percentile of the
	// time from a scaling decision to its last termination, seconds.
	ScaleInSMean float64 `json:"scale_in_s_mean"`
	ScaleInSP95  float64 `json:"scale_in_s_p95"`
	// InstanceCostUSDMean is the instance cost of the removed targets per
	// replication; DropCostUSDMean is DropCost × dropped; TotalCost is
	// their sum, with its interval.
	InstanceCostUSDMean float64    `json:"instance_cost_usd_mean"`
	DropCostUSDMean     float64    `json:"drop_cost_usd_mean"`
	TotalCostUSDMean    float64    `json:"total_cost_usd_mean"`
	TotalCostUSDCI95    [2]float64 `json:"total_cost_usd_ci95"`
	// ELB5xxMean is the mean number of failed attempts the load balancer
	// logs per replication (retried or not); RetriesMean and
	// ReconnectsMean are means per replication; ReconnectPeakPerSMean is
	// the mean over replications of each one's reconnect peak.
	ELB5xxMean            float64 `json:"elb_5xx_mean"`
	RetriesMean           float64 `json:"retries_mean"`
	ReconnectsMean        float64 `json:"reconnects_mean"`
	ReconnectPeakPerSMean float64 `json:"reconnect_peak_per_s_mean"`
	// Events is the number of engine events over all replications.
	Events uint64 `json:"events"`
}

// ClassDrops is one traffic class's drops at one delay.
type ClassDrops struct {
	Name        string     `json:"name"`
	Kind        string     `json:"kind"`
	DroppedMean float64    `json:"dropped_mean"`
	DroppedCI95 [2]float64 `json:"dropped_ci95"`
}

// Delay returns the row's delay as a duration.
func (r Row) Delay() time.Duration { return time.Duration(r.DelayS * float64(time.Second)) }

// interval returns e's 95 % interval truncated to [0, ∞): every quantity
// reported with one (drops, costs) is non-negative, and truncating the
// interval to the parameter's range keeps its coverage. A Student-t
// interval of rare counts otherwise reaches below zero.
func interval(e Estimate) [2]float64 { return [2]float64{max(e.Low, 0), e.High} }

// MakeRow summarizes the replications of one delay.
func MakeRow(delay time.Duration, results []*model.Result, costs Costs) Row {
	n := len(results)
	row := Row{
		DelayS:             delay.Seconds(),
		Replications:       n,
		DroppedByCause:     make(map[string]float64, model.NumCauses),
		DroppedByCauseCI95: make(map[string][2]float64, model.NumCauses),
	}
	xs := make([]float64, n)
	total := make([]float64, n)
	var drains, scaleIns []float64
	var instance float64
	anyDrop := 0
	for i, r := range results {
		xs[i] = float64(r.Dropped)
		total[i] = r.CostUSD + costs.DropCost*float64(r.Dropped)
		instance += r.CostUSD
		row.Events += r.Events
		row.ELB5xxMean += float64(r.ELB5xx)
		row.RetriesMean += float64(r.Retries)
		row.ReconnectsMean += float64(r.Reconnects)
		row.ReconnectPeakPerSMean += r.ReconnectPeakPerS
		if r.Dropped > 0 {
			anyDrop++
		}
		for _, t := range r.Removed {
			if d := t.DrainTime(); d >= 0 {
				drains = append(drains, d.Seconds())
			}
		}
		for _, s := range r.ScaleIns {
			if d := s.Duration(); d >= 0 {
				scaleIns = append(scaleIns, d.Seconds())
			}
		}
	}
	d := Mean95(xs)
	row.DroppedMean, row.DroppedCI95 = d.Mean, interval(d)
	for c := range model.NumCauses {
		for i, r := range results {
			xs[i] = float64(r.DroppedByCause[c])
		}
		e := Mean95(xs)
		row.DroppedByCause[c.String()] = e.Mean
		row.DroppedByCauseCI95[c.String()] = interval(e)
	}
	if n > 0 {
		for k, c := range results[0].Classes {
			for i, r := range results {
				xs[i] = float64(r.Classes[k].Dropped)
			}
			e := Mean95(xs)
			row.DroppedByClass = append(row.DroppedByClass, ClassDrops{Name: c.Name, Kind: c.Kind, DroppedMean: e.Mean, DroppedCI95: interval(e)})
		}
		p := Wilson95(anyDrop, n)
		row.PAnyDrop, row.PAnyDropCI95 = p.P, [2]float64{p.Low, p.High}
		row.InstanceCostUSDMean = instance / float64(n)
		row.ELB5xxMean /= float64(n)
		row.RetriesMean /= float64(n)
		row.ReconnectsMean /= float64(n)
		row.ReconnectPeakPerSMean /= float64(n)
	}
	if len(drains) > 0 {
		row.DrainSMean, row.DrainSP95 = Mean95(drains).Mean, Quantile(drains, 0.95)
	}
	if len(scaleIns) > 0 {
		row.ScaleInSMean, row.ScaleInSP95 = Mean95(scaleIns).Mean, Quantile(scaleIns, 0.95)
	}
	t := Mean95(total)
	row.TotalCostUSDMean, row.TotalCostUSDCI95 = t.Mean, interval(t)
	row.DropCostUSDMean = costs.DropCost * row.DroppedMean
	return row
}

// WithDelay returns a copy of cfg with the deregistration delay set to d.
// Traffic and scale-in slices are shared, not copied; Run does not modify
// them.
func WithDelay(cfg *model.Config, d time.Duration) *model.Config {
	c := *cfg
	c.TargetGroup.DeregistrationDelay = d
	return &c
}

// Delays runs replications 0 … reps−1 of cfg at each delay and returns one
// row per delay, in the order given. Replication r uses the same random
// streams at every delay (common random numbers). All cells run in one
// pool of opts.Workers goroutines; the rows do not depend on the number of
// workers.
func Delays(ctx context.Context, cfg *model.Config, delays []time.Duration, reps int, costs Costs, opts Options) ([]Row, error) {
	cfgs := make([]*model.Config, len(delays))
	jobs := make([]Job, 0, len(delays)*reps)
	for i, d := range delays {
		cfgs[i] = WithDelay(cfg, d)
		if err := cfgs[i].Validate(); err != nil {
			return nil, err
		}
		for r := range reps {
			jobs = append(jobs, Job{Config: cfgs[i], Replication: r})
		}
	}
	res, err := RunJobs(ctx, jobs, opts)
	if err != nil {
		return nil, err
	}
	rows := make([]Row, len(delays))
	for i, d := range delays {
		rows[i] = MakeRow(d, res[i*reps:(i+1)*reps], costs)
	}
	return rows, nil
}
