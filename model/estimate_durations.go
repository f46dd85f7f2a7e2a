package model

import (
	"math"
	"time"
)

// secondsDuration returns x seconds as a duration, rounded to the
// nanosecond; 0 for NaN.
func secondsDuration(x float64) time.Duration {
	if math.IsNaN(x) {
		return 0
	}
	return time.Duration(math.Round(x * float64(time.Second)))
}

// Delay returns DelayS, the deregistration delay estimated.
func (e Estimate) Delay() time.Duration { return secondsDuration(e.DelayS) }

// EmptyMean returns EmptySMean.
func (e Estimate) EmptyMean() time.Duration { return secondsDuration(e.EmptySMean) }

// DrainMean returns DrainSMean, the expected draining time per removed
// target.
func (e Estimate) DrainMean() time.Duration { return secondsDuration(e.DrainSMean) }

// ScaleInMean returns ScaleInSMean, the expected time from a scaling
// decision to its last termination.
func (e Estimate) ScaleInMean() time.Duration { return secondsDuration(e.ScaleInSMean) }

// IdleHold returns IdleHoldS, how long an idle keep-alive connection
// holds a drained target.
func (e Estimate) IdleHold() time.Duration { return secondsDuration(e.IdleHoldS) }

// At returns AtS, the decision time.
func (s ScaleInEstimate) At() time.Duration { return secondsDuration(s.AtS) }

// Empty returns EmptyS, E[min(D, M)].
func (s ScaleInEstimate) Empty() time.Duration { return secondsDuration(s.EmptyS) }

// Drain returns DrainS, the expected draining time per removed target.
func (s ScaleInEstimate) Drain() time.Duration { return secondsDuration(s.DrainS) }

// ScaleIn returns ScaleInS, the expected time until its last termination.
func (s ScaleInEstimate) ScaleIn() time.Duration { return secondsDuration(s.ScaleInS) }
