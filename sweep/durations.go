package sweep

import (
	"math"
	"time"
)

// The float-seconds fields (DrainSMean, …) are what results.json and
// results.csv carry; these accessors give them as time.Duration, rounded
// to the nanosecond.

// durationOf returns x seconds as a duration, rounded to the nanosecond; 0
// for NaN.
func durationOf(x float64) time.Duration {
	if math.IsNaN(x) {
		return 0
	}
	return time.Duration(math.Round(x * float64(time.Second)))
}

// DrainMean returns DrainSMean, the mean draining time per removed
// target.
func (r Row) DrainMean() time.Duration { return durationOf(r.DrainSMean) }

// DrainP50 returns DrainSP50, the median draining time.
func (r Row) DrainP50() time.Duration { return durationOf(r.DrainSP50) }

// DrainP95 returns DrainSP95, the 95th percentile of the draining time.
func (r Row) DrainP95() time.Duration { return durationOf(r.DrainSP95) }

// DrainMax returns DrainSMax, the longest draining time.
func (r Row) DrainMax() time.Duration { return durationOf(r.DrainSMax) }

// IdleHoldMean returns IdleHoldSMean, the mean time idle keep-alive
// connections held a removed target in draining.
func (r Row) IdleHoldMean() time.Duration { return durationOf(r.IdleHoldSMean) }

// ScaleInMean returns ScaleInSMean, the mean time from a scaling decision
// to its last termination.
func (r Row) ScaleInMean() time.Duration { return durationOf(r.ScaleInSMean) }

// ScaleInP95 returns ScaleInSP95, its 95th percentile.
func (r Row) ScaleInP95() time.Duration { return durationOf(r.ScaleInSP95) }

// Delay returns DelayS, the deregistration delay run.
func (s Summary) Delay() time.Duration { return durationOf(s.DelayS) }

// DrainMean returns DrainSMean, the mean draining time per removed
// target.
func (s Summary) DrainMean() time.Duration { return durationOf(s.DrainSMean) }

// DrainP50 returns DrainSP50, the median draining time.
func (s Summary) DrainP50() time.Duration { return durationOf(s.DrainSP50) }

// DrainP95 returns DrainSP95, the 95th percentile of the draining time.
func (s Summary) DrainP95() time.Duration { return durationOf(s.DrainSP95) }

// DrainMax returns DrainSMax, the longest draining time.
func (s Summary) DrainMax() time.Duration { return durationOf(s.DrainSMax) }

// IdleHoldMean returns IdleHoldSMean.
func (s Summary) IdleHoldMean() time.Duration { return durationOf(s.IdleHoldSMean) }

// ScaleInMean returns ScaleInSMean, the mean time from a scaling decision
// to its last termination.
func (s Summary) ScaleInMean() time.Duration { return durationOf(s.ScaleInSMean) }

// RecommendedDelay returns RecommendedDelayS, and false when no delay is
// certified (it is nil).
func (r *Recommendation) RecommendedDelay() (time.Duration, bool) {
	if r.RecommendedDelayS == nil {
		return 0, false
	}
	return durationOf(*r.RecommendedDelayS), true
}

// CostOptimalDelay returns CostOptimalDelayS.
func (r *Recommendation) CostOptimalDelay() time.Duration { return durationOf(r.CostOptimalDelayS) }

// RuleOfThumbDelay returns RuleOfThumbDelayS.
func (r *Recommendation) RuleOfThumbDelay() time.Duration { return durationOf(r.RuleOfThumbDelayS) }

// RequestP99 returns RequestP99S, the largest p99 of a traffic class's
// duration, which the rule of thumb scales.
func (r *Recommendation) RequestP99() time.Duration { return durationOf(r.RequestP99S) }
