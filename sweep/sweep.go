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
	// with its Clopper–Pearson 95 % interval (with ConditionallySampled,
	// the mean conditional probability with its BettingMean95 interval).
	PAnyDrop     float64    `json:"p_any_drop"`
	PAnyDropCI95 [2]float64 `json:"p_any_drop_ci95"`
	// DropsPerBurst is the mean number dropped by the replications that
	// dropped anything (0 if none did): the size of a burst.
	DropsPerBurst float64 `json:"drops_per_burst"`
	// ImportanceSampled reports that the drop figures above (drops, their
	// causes and classes, P(any drop), DropsPerBurst, the drop and total
	// cost) come from Replications replications whose propagation lags
	// were importance-sampled (model.RareLag), each weighted by its
	// likelihood ratio; the drain, scale-in, instance cost and 5xx figures
	// then come from the delay's plain replications (docs/sweeps.md,
	// "Rare-event sampling").
	ImportanceSampled bool `json:"importance_sampled,omitempty"`
	// ConditionallySampled reports that PAnyDrop and its interval come
	// from the replications' conditional probabilities of a drop given
	// the requests in flight at deregistration
	// (model.ConditionalDrops.PAnyDrop), with the BettingMean95 interval
	// (docs/sweeps.md, "Conditional sampling"); the other figures are
	// the plain ones.
	ConditionallySampled bool `json:"conditional_sampled,omitempty"`
	// DrainSMean, DrainSP50, DrainSP95 and DrainSMax are the mean,
	// median, 95th percentile and largest draining time per removed
	// target, seconds.
	DrainSMean float64 `json:"drain_s_mean"`
	DrainSP50  float64 `json:"drain_s_p50"`
	DrainSP95  float64 `json:"drain_s_p95"`
	DrainSMax  float64 `json:"drain_s_max"`
	// IdleHoldSMean is the mean time, per removed target, that idle
	// keep-alive connections held it in draining after its last request
	// ended (Drained − Emptied), seconds: the part of the drain that an
	// app keep-alive or idle timeout shorter than the delay would save.
	IdleHoldSMean float64 `json:"idle_hold_s_mean"`
	// ScaleInSMean and ScaleInSP95 are the mean and 95th percentile of the
	// time from a scaling decision to its last termination, seconds.
	ScaleInSMean float64 `json:"scale_in_s_mean"`
	ScaleInSP95  float64 `json:"scale_in_s_p95"`
	// InstanceCostUSDMean is the instance cost of the removed targets per
	// replication (per Per: for a day under a scaling policy, the whole
	// fleet's cost for the day); DropCostUSDMean is DropCost × dropped; TotalCost is
	// their sum, with its interval.
	InstanceCostUSDMean float64    `json:"instance_cost_usd_mean"`
	DropCostUSDMean     float64    `json:"drop_cost_usd_mean"`
	TotalCostUSDMean    float64    `json:"total_cost_usd_mean"`
	TotalCostUSDCI95    [2]float64 `json:"total_cost_usd_ci95"`
	// ELB5xxMean is the mean number of failed attempts the load balancer
	// answers with a 5xx of its own per replication (retried or not; what
	// HTTPCode_ELB_5XX_Count counts); RetriesMean and
	// ReconnectsMean are means per replication; ReconnectPeakPerSMean is
	// the mean over replications of each one's reconnect peak.
	ELB5xxMean            float64 `json:"elb_5xx_mean"`
	RetriesMean           float64 `json:"retries_mean"`
	ReconnectsMean        float64 `json:"reconnects_mean"`
	ReconnectPeakPerSMean float64 `json:"reconnect_peak_per_s_mean"`
	// Events is the number of engine events over all replications.
	Events uint64 `json:"events"`
	// ELB502Mean, ELB503Mean and ELB504Mean break ELB5xxMean down by
	// status (HTTPCode_ELB_502_Count …); ResetsMean is the mean number of
	// TCP resets NLB clients saw; ConnectionCutsMean the mean number of
	// established long-lived connections cut (not a 5xx on an ALB or
	// CLB). Means per replication.
	ELB502Mean         float64 `json:"elb_502_mean"`
	ELB503Mean         float64 `json:"elb_503_mean"`
	ELB504Mean         float64 `json:"elb_504_mean"`
	ResetsMean         float64 `json:"resets_mean"`
	ConnectionCutsMean float64 `json:"connection_cuts_mean"`
	// AnalyticDropped and AnalyticDrainS are the closed-form expectations
	// of DroppedMean and DrainSMean at this delay
	// ([model.Config.Estimate]), null where the formulas do not apply
	// ([AnalyticOf] says why). [Delays] sets them; [RowOf] leaves them absent.
	AnalyticDropped Opt `json:"analytic_dropped"`
	AnalyticDrainS  Opt `json:"analytic_drain_s"`
	// Per is what one replication is, the unit of every "per
	// replication" figure ([PerUnit]): empty for a scale-in run, "day"
	// for a 24 h horizon under a scaling policy.
	Per string `json:"per,omitempty"`
}

// PerUnit returns what one replication of cfg is, for labels: "day" for a
// horizon of 24 h under an [autoscaling] policy (issue #16: drops and cost
// per day), "replication" for another horizon under a policy (its figures
// are per horizon, not per scale-in: a replication holds many), and
// "scale-in" otherwise (a scenario's own scale-in run).
func PerUnit(cfg *model.Config) string {
	switch {
	case cfg.Autoscaling.Max == 0 || cfg.Horizon == 0:
		return "scale-in"
	case cfg.Horizon == 24*time.Hour:
		return "day"
	}
	return "replication"
}

// perField is Row.Per for cfg: PerUnit, empty for "scale-in" (so that a
// scale-in sweep's JSON and CSV do not change).
func perField(cfg *model.Config) string {
	if u := PerUnit(cfg); u != "scale-in" {
		return u
	}
	return ""
}

// ClassDrops is one traffic class's drops at one delay.
type ClassDrops struct {
	Name        string     `json:"name"`
	Kind        string     `json:"kind"`
	DroppedMean float64    `json:"dropped_mean"`
	DroppedCI95 [2]float64 `json:"dropped_ci95"`
}

// Delay returns the row's delay as a duration.
func (r Row) Delay() time.Duration { return durationOf(r.DelayS) }

// interval returns e's 95 % interval truncated to [0, ∞): every quantity
// reported with one (drops, costs) is non-negative, and truncating the
// interval to the parameter's range keeps its coverage. A Student-t
// interval of rare counts otherwise reaches below zero.
func interval(e Estimate) [2]float64 { return [2]float64{max(e.Low, 0), e.High} }

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
// workers. The cells are those of [Grid]; cells opts.Lookup has are not run
// again, and opts.Finished hears of each cell run.
func Delays(ctx context.Context, cfg *model.Config, delays []time.Duration, reps int, costs Costs, opts Options) ([]Row, error) {
	outs, err := RunCells(ctx, cfg, Grid(delays, reps), opts)
	if err != nil {
		return nil, err
	}
	rows := make([]Row, len(delays))
	for i, d := range delays {
		rows[i] = RowOf(d, outs[i*reps:(i+1)*reps], costs)
		rows[i].Per = perField(cfg)
		a := AnalyticOf(WithDelay(cfg, d))
		rows[i].AnalyticDropped, rows[i].AnalyticDrainS = a.Dropped, a.DrainS
	}
	return rows, nil
}
