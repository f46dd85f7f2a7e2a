package model

import (
	"fmt"
	"math"
	"time"
)

// MetricSample is what a [Policy] sees at the end of each one-minute
// period: the period's metric values and the capacity behind them.
type MetricSample struct {
	// At is the end of the period (simulated time).
	At time.Duration
	// RequestCountPerTarget is ALBRequestCountPerTarget for the period:
	// requests the load balancer sent to the target group in the minute
	// divided by the targets that count (in service and, on EC2, past
	// their warm-up) [ASG-WU]. NaN means no datapoint.
	RequestCountPerTarget float64
	// Utilisation is the mean percent (0–100) of busy workers over the
	// targets that count. NaN means no datapoint.
	Utilisation float64
	// Ready is how many targets count toward the metrics: in service and
	// (EC2) past their instance warm-up. Targets that are launching,
	// warming up or leaving do not.
	Ready int
}

// ScalingAction is one change of the desired capacity.
type ScalingAction struct {
	// At is when the policy decided it.
	At time.Duration
	// From and To are the desired capacity before and after.
	From, To int
	// Reason names the rule: "target_tracking high alarm", "scheduled[0]",
	// "step_scaling[1]", "min"/"max" (a limit moved).
	Reason string
}

// Policy runs an [Autoscaling] configuration: the alarms, the capacity
// arithmetic, warm-up (EC2 Auto Scaling) or cooldowns (ECS service auto
// scaling), and scheduled actions. It is a pure state machine driven by
// [Policy.Evaluate] once a minute; it does not launch or remove targets.
// Deterministic: no randomness, no wall clock.
type Policy struct {
	cfg      Autoscaling
	ecs      bool
	min, max int
	desired  int
	next     int // next scheduled action

	high, low *Alarm // target tracking; nil when absent (low: or disabled)
	ratio     float64
	steps     []*Alarm

	// ECS cooldowns: the end of each, and the capacity before the
	// scale-out that started the scale-out cooldown.
	outUntil, inUntil time.Duration
	outBase           int
	cooling           bool // a scale-out cooldown has started (outUntil valid)
	inCooling         bool
}

// NewPolicy returns the policy for a, which must be valid (see
// [Config.Validate]); platform is platform.type ("ec2" or "ecs") and
// targets fleet.targets (the capacity when a.Desired is 0).
func NewPolicy(a Autoscaling, platform PlatformType, targets int) *Policy {
	p := &Policy{cfg: a, ecs: platform == ECS, min: a.Min, max: a.Max, desired: a.Desired}
	if p.desired == 0 {
		p.desired = targets
	}
	if tt := a.TargetTracking; tt != nil {
		p.high = NewAlarm(tt.Target, true, ttHighDatapoints, ttHighPeriods)
		p.ratio = tt.ScaleInRatio
		if p.ratio == 0 {
			p.ratio = scaleInRatioEC2
			if p.ecs {
				p.ratio = scaleInRatioECS
			}
		}
		if !tt.DisableScaleIn {
			p.low = NewAlarm(tt.Target*p.ratio, false, ttLowDatapoints, ttLowPeriods)
		}
	}
	for _, s := range a.StepScaling {
		p.steps = append(p.steps, NewAlarm(s.Threshold, s.Comparison != "less", s.datapoints(), s.periods()))
	}
	return p
}

// Desired returns the current desired capacity.
func (p *Policy) Desired() int { return p.desired }

// Limits returns the current minimum and maximum capacity.
func (p *Policy) Limits() (lo, hi int) { return p.min, p.max }

// InstanceWarmup returns the EC2 instance warm-up (default 300s
// [ASG-WU]); zero on ECS.
func (p *Policy) InstanceWarmup() time.Duration {
	if p.ecs {
		return 0
	}
	return orDefault(p.cfg.InstanceWarmup, defaultCooldown)
}

func (p *Policy) cooldown(v *time.Duration) time.Duration { return orDefault(v, defaultCooldown) }

func metricOf(s MetricSample, m string) float64 {
	if m == MetricUtilisation {
		return s.Utilisation
	}
	return s.RequestCountPerTarget
}

func (p *Policy) clamp(n int) int { return min(max(n, p.min), p.max) }

// Evaluate takes the sample of the period that ended at s.At, runs the
// scheduled actions due by then, evaluates the alarms and returns the
// changes of desired capacity it made, in order (none, one for a
// scheduled action or limit, one for a policy). Call it once a minute
// with increasing s.At.
func (p *Policy) Evaluate(s MetricSample) []ScalingAction {
	var acts []ScalingAction
	set := func(to int, why string) {
		if to != p.desired {
			acts = append(acts, ScalingAction{At: s.At, From: p.desired, To: to, Reason: why})
			p.desired = to
		}
	}
	// Scheduled actions run at their time whatever the cooldowns [AAS-TT];
	// a desired capacity outside the new limits moves to the nearer one.
	for p.next < len(p.cfg.Scheduled) && p.cfg.Scheduled[p.next].At <= s.At {
		a := p.cfg.Scheduled[p.next]
		if a.Min != nil {
			p.min = *a.Min
		}
		if a.Max != nil {
			p.max = *a.Max
		}
		if p.min > p.max { // a later action may set the other limit; hold min ≤ max meanwhile
			p.max = p.min
		}
		to := p.desired
		if a.Desired != nil {
			to = *a.Desired
		}
		set(p.clamp(to), fmt.Sprintf("scheduled[%d]", p.next))
		p.next++
	}

	// Every alarm sees every datapoint; Auto Scaling re-invokes a policy
	// each minute its alarm stays in ALARM [CW-ALARM].
	var highOn, lowOn bool
	var ttMetric float64
	if tt := p.cfg.TargetTracking; tt != nil {
		ttMetric = metricOf(s, tt.Metric)
		highOn = p.high.Observe(ttMetric) == AlarmInAlarm
		if p.low != nil {
			lowOn = p.low.Observe(ttMetric) == AlarmInAlarm
		}
	}
	stepOn := make([]bool, len(p.steps))
	for i, a := range p.steps {
		stepOn[i] = a.Observe(metricOf(s, p.cfg.StepScaling[i].Metric)) == AlarmInAlarm
	}

	// Proposals: the largest scale-out wins; scale-in happens only when
	// no policy scales out, and then to the largest proposed capacity
	// [AAS-TT].
	out, outWhy := -1, ""
	in, inWhy := -1, ""
	// propose records capacity n from a rule that may only scale out
	// (up) or only scale in: a high alarm never removes capacity, a low
	// one never adds it.
	propose := func(n int, up bool, why string) {
		n = p.clamp(n)
		switch {
		case up && n > p.desired && n > out:
			out, outWhy = n, why
		case !up && n < p.desired && n > in:
			in, inWhy = n, why
		}
	}
	ready := max(s.Ready, 0)
	if highOn && !math.IsNaN(ttMetric) {
		// new capacity = ceil(capacity × metric / target): rounding up adds
		// enough, never too little [AAS-TT].
		propose(ceilCapacity(float64(ready)*ttMetric/p.cfg.TargetTracking.Target), true, "target_tracking high alarm")
	}
	if lowOn && !math.IsNaN(ttMetric) {
		// Rounding up again removes too little rather than too much.
		propose(ceilCapacity(float64(ready)*ttMetric/p.cfg.TargetTracking.Target), false, "target_tracking low alarm")
	}
	for i, on := range stepOn {
		if !on {
			continue
		}
		st := p.cfg.StepScaling[i]
		adj, ok := stepAdjustment(st, metricOf(s, st.Metric))
		if !ok {
			continue
		}
		why := fmt.Sprintf("step_scaling[%d]", i)
		if st.AdjustmentType == ExactCapacity {
			propose(adj, adj > p.desired, why)
			continue
		}
		base := p.desired
		if adj > 0 {
			base = p.outBaseAt(s, ready)
		}
		if st.AdjustmentType == PercentChangeInCapacity {
			adj = percentChange(base, adj)
		}
		propose(base+adj, adj > 0, why)
	}

	if out >= 0 {
		if p.ecs {
			if !p.cooling || s.At >= p.outUntil {
				p.outBase = p.desired
			}
			p.cooling, p.outUntil = true, s.At+p.cooldown(p.cfg.ScaleOutCooldown)
			p.inCooling = false // a scale-out ends the scale-in cooldown [AAS-TT]
		}
		set(out, outWhy)
		return acts
	}
	if in >= 0 && p.scaleInAllowed(s, ready) {
		if p.ecs {
			p.inCooling, p.inUntil = true, s.At+p.cooldown(p.cfg.ScaleInCooldown)
		}
		set(in, inWhy)
	}
	return acts
}

// outBaseAt is the capacity a relative scale-out adds to. EC2: the
// targets that count (warming ones are already part of the desired
// capacity, so a second breach in the same step adds nothing) [ASG-WU].
// ECS: during the scale-out cooldown, the capacity before the scale-out
// that started it (a larger step adds only the difference) [AAS-TT].
func (p *Policy) outBaseAt(s MetricSample, ready int) int {
	if !p.ecs {
		return ready
	}
	if p.cooling && s.At < p.outUntil {
		return p.outBase
	}
	return p.desired
}

// scaleInAllowed: EC2 scales in only when no instance is warming up
// [ASG-WU]; ECS not during the scale-in cooldown [AAS-TT].
func (p *Policy) scaleInAllowed(s MetricSample, ready int) bool {
	if p.ecs {
		return !p.inCooling || s.At >= p.inUntil
	}
	return ready >= p.desired
}

// ceilCapacity rounds a capacity up, guarding against values beyond int.
func ceilCapacity(x float64) int {
	if math.IsNaN(x) || x < 0 {
		return 0
	}
	if x > maxCapacity {
		return maxCapacity
	}
	return int(math.Ceil(x - 1e-9))
}

// stepAdjustment returns the adjustment of the step that contains the
// metric's distance from the threshold [ASG-STEP].
func stepAdjustment(st StepScaling, v float64) (int, bool) {
	if math.IsNaN(v) {
		return 0, false
	}
	d := v - st.Threshold
	above := st.Comparison != "less"
	for _, s := range st.Steps {
		lo, hi := math.Inf(-1), math.Inf(1)
		if s.Lower != nil {
			lo = *s.Lower
		}
		if s.Upper != nil {
			hi = *s.Upper
		}
		if above && d >= lo && d < hi || !above && d > lo && d <= hi {
			return s.Adjustment, true
		}
	}
	return 0, false
}

// percentChange applies a percent adjustment to capacity c with AWS's
// rounding: beyond ±1 toward zero, within (0, ±1) to ±1 [ASG-STEP].
func percentChange(c, pct int) int {
	x := float64(c) * float64(pct) / 100
	switch {
	case x > 0 && x < 1:
		return 1
	case x < 0 && x > -1:
		return -1
	}
	return int(x) // truncates toward zero
}
