package sweep

import (
	"time"

	"github.com/drainsim/drainsim/model"
)

// ScalingSummary is what a run under a scaling policy, scale-outs or
// rolling updates did over its span (issue #16): how many scale-ins and
// scale-outs, how many targets each moved, and what the whole fleet cost,
// per replication and per day. Present (non-nil) only for such runs.
type ScalingSummary struct {
	// SpanS is the simulated time a replication covers, seconds: from
	// its start (after any stationary start's skipped warm-up) to its end.
	SpanS float64 `json:"span_s"`
	// ScaleInsMean and ScaleOutsMean count the scale-in and scale-out
	// events per replication (the scenario's, a policy's and a rolling
	// update's); RemovedMean and LaunchedMean the targets they moved.
	ScaleInsMean  float64 `json:"scale_ins_mean"`
	ScaleOutsMean float64 `json:"scale_outs_mean"`
	RemovedMean   float64 `json:"removed_mean"`
	LaunchedMean  float64 `json:"launched_mean"`
	// FleetInstanceHoursMean is the whole fleet's billed time per
	// replication: every target from the start (or its launch) to the end
	// of its billing (or the run's end), hours.
	FleetInstanceHoursMean float64 `json:"fleet_instance_hours_mean"`
	// FleetCostUSDMean is FleetInstanceHoursMean × fleet.price_per_hour.
	FleetCostUSDMean float64 `json:"fleet_cost_usd_mean"`
	// Per day: the counts, drops and fleet cost scaled to 24 h of the
	// span (a span shorter than a day extrapolates it, a longer one
	// averages). CostPerMonthUSD is 30 days of FleetCostPerDayUSD.
	ScaleInsPerDay     float64 `json:"scale_ins_per_day"`
	ScaleOutsPerDay    float64 `json:"scale_outs_per_day"`
	DroppedPerDay      float64 `json:"dropped_per_day"`
	FleetCostPerDayUSD float64 `json:"fleet_cost_per_day_usd"`
	CostPerMonthUSD    float64 `json:"fleet_cost_per_month_usd"`
}

// summarizeScaling returns the scaling figures of results, or nil when no
// replication scaled by policy, scale-out or rolling update.
func summarizeScaling(cfg *model.Config, results []*model.Result) *ScalingSummary {
	if len(results) == 0 || (cfg.Autoscaling.Max == 0 && len(cfg.ScaleOut) == 0 && len(cfg.RollingUpdate) == 0) {
		return nil
	}
	s := &ScalingSummary{}
	n := float64(len(results))
	var span, dropped float64
	for _, r := range results {
		start := r.WarmupSkipped
		span += (r.End - start).Seconds()
		s.ScaleInsMean += float64(len(r.ScaleIns))
		s.ScaleOutsMean += float64(len(r.ScaleOuts))
		s.RemovedMean += float64(len(r.Removed))
		s.LaunchedMean += float64(len(r.Launched))
		dropped += float64(r.Dropped)
		s.FleetInstanceHoursMean += fleetSeconds(cfg, r, start) / 3600
	}
	s.SpanS = span / n
	s.ScaleInsMean /= n
	s.ScaleOutsMean /= n
	s.RemovedMean /= n
	s.LaunchedMean /= n
	s.FleetInstanceHoursMean /= n
	s.FleetCostUSDMean = s.FleetInstanceHoursMean * cfg.Fleet.PricePerHour
	if s.SpanS > 0 {
		day := (24 * time.Hour).Seconds() / s.SpanS
		s.ScaleInsPerDay = s.ScaleInsMean * day
		s.ScaleOutsPerDay = s.ScaleOutsMean * day
		s.DroppedPerDay = dropped / n * day
		s.FleetCostPerDayUSD = s.FleetCostUSDMean * day
		s.CostPerMonthUSD = 30 * s.FleetCostPerDayUSD
	}
	return s
}

// fleetSeconds is the billed time of every target of run r from start:
// the initial fleet's targets from start, launched ones from their launch,
// each to the end of its billing if it was removed and billing ended, else
// to the run's end.
func fleetSeconds(cfg *model.Config, r *model.Result, start time.Duration) float64 {
	end := map[int]time.Duration{}
	for _, rt := range r.Removed {
		if rt.BillingEnded >= 0 {
			end[rt.Target] = rt.BillingEnded
		}
	}
	until := func(t int) time.Duration {
		if e, ok := end[t]; ok {
			return e
		}
		return r.End
	}
	var total time.Duration
	for t := range cfg.Fleet.Targets {
		total += max(until(t)-start, 0)
	}
	for _, lt := range r.Launched {
		total += max(until(lt.Target)-lt.Launched, 0)
	}
	return total.Seconds()
}
