package model

import (
	"fmt"
	"math"
	"time"
)

// Autoscaling is the `[autoscaling]` table: the group's (EC2 Auto Scaling)
// or the service's (ECS service auto scaling, Application Auto Scaling)
// capacity limits and its scaling policies. The zero value (Max 0) means
// no policy: the fleet changes only by the scenario's [[scale_in]] events.
// [NewPolicy] runs it; docs/model.md "Scaling policies" gives the sources.
type Autoscaling struct {
	// Min and Max bound the capacity every policy may set. Max 0 means no
	// [autoscaling]; otherwise 1–100000 with 0 <= Min <= Max.
	Min int `toml:"min"`
	Max int `toml:"max"`
	// Desired is the starting capacity. 0 means fleet.targets; it must lie
	// in [Min, Max], and be fleet.targets (the run starts with that many
	// in service).
	Desired int `toml:"desired"`
	// TargetTracking is the target tracking policy; nil means none.
	TargetTracking *TargetTracking `toml:"target_tracking"`
	// StepScaling are step scaling policies, each with its own alarm.
	StepScaling []StepScaling `toml:"step_scaling"`
	// Scheduled are scheduled actions, in time order; each runs at its
	// time whatever the cooldowns [AAS-TT].
	Scheduled []ScheduledAction `toml:"scheduled"`
	// InstanceWarmup (platform ec2) is how long a new instance, once
	// InService, does not count toward the metrics; while one warms up
	// the group does not scale in, and scale-out counts it as capacity
	// [ASG-WU]. Unset means 300s (the group's default cooldown, the
	// documented fallback); range 0s–3600s.
	InstanceWarmup *time.Duration `toml:"instance_warmup"`
	// ScaleOutCooldown and ScaleInCooldown (platform ecs) are Application
	// Auto Scaling's cooldowns. Unset means 300s each, the default for
	// ECS services [AAS-CD]; range 0s–3600s.
	ScaleOutCooldown *time.Duration `toml:"scale_out_cooldown"`
	ScaleInCooldown  *time.Duration `toml:"scale_in_cooldown"`
}

// TargetTracking is a target tracking scaling policy. AWS manages two
// alarms for it: a high one that scales out (3 of 3 one-minute
// datapoints above Target) and a low one that scales in (15 of 15 below
// Target × ScaleInRatio) [TT-ALARMS].
type TargetTracking struct {
	// Metric is "alb_request_count_per_target" (ALBRequestCountPerTarget:
	// requests per target per minute) or "utilisation" (percent of each
	// target's workers busy, the simulator's stand-in for CPU).
	// Required.
	Metric string `toml:"metric"`
	// Target is the value to hold the metric at: requests per target per
	// minute, or percent (0–100]. Required, > 0.
	Target float64 `toml:"target"`
	// DisableScaleIn turns the low alarm's scale-in off [AAS-TT].
	DisableScaleIn bool `toml:"disable_scale_in"`
	// ScaleInRatio is the low alarm's threshold as a fraction of Target.
	// AWS documents only "usually more than 10% lower" [AAS-TT]; unset
	// (0) means what AWS-managed alarms show: 0.9 on ECS, 0.7 on EC2
	// [TT-ALARMS]. Range 0.01–1.
	ScaleInRatio float64 `toml:"scale_in_ratio"`
}

// StepScaling is a step scaling policy: one alarm and the steps it takes.
type StepScaling struct {
	// Metric is as in [TargetTracking]. Required.
	Metric string `toml:"metric"`
	// Threshold is the alarm threshold. Required.
	Threshold float64 `toml:"threshold"`
	// Comparison is "greater" (default: GreaterThanThreshold, a
	// scale-out policy) or "less" (LessThanThreshold, scale-in).
	Comparison string `toml:"comparison"`
	// EvaluationPeriods is the alarm's N, one-minute periods. Default 1;
	// range 1–60.
	EvaluationPeriods int `toml:"evaluation_periods"`
	// DatapointsToAlarm is the alarm's M. Default EvaluationPeriods;
	// range 1–EvaluationPeriods.
	DatapointsToAlarm int `toml:"datapoints_to_alarm"`
	// AdjustmentType is "change_in_capacity" (default),
	// "exact_capacity" or "percent_change_in_capacity".
	AdjustmentType string `toml:"adjustment_type"`
	// Steps are the step adjustments; at least one.
	Steps []Step `toml:"steps"`
}

// Step is a step adjustment. Its bounds are relative to the alarm
// threshold (metric − threshold); nil means unbounded. Above the
// threshold the lower bound is inclusive and the upper exclusive, below
// it the other way round [ASG-STEP].
type Step struct {
	Lower      *float64 `toml:"lower"`
	Upper      *float64 `toml:"upper"`
	Adjustment int      `toml:"adjustment"`
}

// ScheduledAction sets the limits (and, on EC2, the desired capacity) at
// a time. Nil fields are left as they are.
type ScheduledAction struct {
	At      time.Duration `toml:"at"`
	Min     *int          `toml:"min"`
	Max     *int          `toml:"max"`
	Desired *int          `toml:"desired"`
}

// Scaling metrics.
const (
	MetricRequestCountPerTarget = "alb_request_count_per_target"
	MetricUtilisation           = "utilisation"
)

// Step adjustment types [ASG-STEP].
const (
	ChangeInCapacity        = "change_in_capacity"
	ExactCapacity           = "exact_capacity"
	PercentChangeInCapacity = "percent_change_in_capacity"
)

// Documented numbers the policy engine uses.
const (
	// ttHighDatapoints of ttHighPeriods one-minute datapoints above the
	// target fire the scale-out alarm; ttLow… the scale-in one [TT-ALARMS].
	ttHighDatapoints, ttHighPeriods = 3, 3
	ttLowDatapoints, ttLowPeriods   = 15, 15
	// defaultCooldown is the ECS services' default scale-in and scale-out
	// cooldown [AAS-CD] and EC2 Auto Scaling's default cooldown, which an
	// unset instance warm-up falls back to [ASG-WU].
	defaultCooldown = 300 * time.Second
	// Scale-in ratios AWS-managed target tracking alarms show [TT-ALARMS].
	scaleInRatioECS = 0.9
	scaleInRatioEC2 = 0.7
	maxCapacity     = 100000
	maxCooldown     = time.Hour
)

func validMetric(m string) bool { return m == MetricRequestCountPerTarget || m == MetricUtilisation }

// validate checks [autoscaling] in scenario c.
func (a *Autoscaling) validate(c *Config, es *errs) {
	platform, targets := c.Platform.Type, c.Fleet.Targets
	if a.Max == 0 && a.Min == 0 && a.Desired == 0 && a.TargetTracking == nil && len(a.StepScaling) == 0 && len(a.Scheduled) == 0 &&
		a.InstanceWarmup == nil && a.ScaleOutCooldown == nil && a.ScaleInCooldown == nil {
		return
	}
	const p = "autoscaling"
	if platform != EC2 && platform != ECS {
		es.add(p, "models EC2 Auto Scaling (platform ec2) and ECS service auto scaling (platform ecs) only; platform is %s (Kubernetes autoscalers are not modelled)", platform)
	}
	if a.Max < 1 || a.Max > maxCapacity {
		es.add(p+".max", "must be 1–%d (got %d)", maxCapacity, a.Max)
	}
	if a.Min < 0 || a.Min > a.Max {
		es.add(p+".min", "must be 0–max = %d (got %d)", a.Max, a.Min)
	}
	d := a.Desired
	if d == 0 {
		d = targets
	}
	if d < a.Min || d > a.Max {
		es.add(p+".desired", "must be min–max = %d–%d (got %d; 0 means fleet.targets)", a.Min, a.Max, d)
	} else if d != targets {
		es.add(p+".desired", "must be 0 or fleet.targets = %d: the run starts with fleet.targets in service (got %d)", targets, d)
	}
	dur := func(k string, v *time.Duration) {
		if v != nil && (*v < 0 || *v > maxCooldown) {
			es.add(p+"."+k, "must be 0s–3600s (got %v)", *v)
		}
	}
	dur("instance_warmup", a.InstanceWarmup)
	dur("scale_out_cooldown", a.ScaleOutCooldown)
	dur("scale_in_cooldown", a.ScaleInCooldown)
	if platform == ECS && a.InstanceWarmup != nil {
		es.add(p+".instance_warmup", "is for platform ec2 (EC2 Auto Scaling); ECS service auto scaling uses scale_out_cooldown and scale_in_cooldown")
	}
	if platform == EC2 && (a.ScaleOutCooldown != nil || a.ScaleInCooldown != nil) {
		es.add(p, "scale_out_cooldown and scale_in_cooldown are for platform ecs; EC2 target tracking and step scaling use instance_warmup")
	}
	if tt := a.TargetTracking; tt != nil {
		q := p + ".target_tracking"
		if !validMetric(tt.Metric) {
			es.add(q+".metric", "must be alb_request_count_per_target or utilisation (got %q)", tt.Metric)
		}
		a.validateMetric(c, q+".metric", tt.Metric, es)
		if !(tt.Target > 0) || (tt.Metric == MetricUtilisation && tt.Target > 100) || tt.Target > 1e9 {
			es.add(q+".target", "must be > 0 (percent ≤ 100 for utilisation, ≤ 1e9 requests per target per minute; got %v)", tt.Target)
		}
		if tt.ScaleInRatio != 0 && !(tt.ScaleInRatio >= 0.01 && tt.ScaleInRatio <= 1) {
			es.add(q+".scale_in_ratio", "must be 0.01–1 (got %v)", tt.ScaleInRatio)
		}
	}
	for i, s := range a.StepScaling {
		q := fmt.Sprintf("%s.step_scaling[%d]", p, i)
		if !validMetric(s.Metric) {
			es.add(q+".metric", "must be alb_request_count_per_target or utilisation (got %q)", s.Metric)
		}
		a.validateMetric(c, q+".metric", s.Metric, es)
		if math.IsNaN(s.Threshold) || math.IsInf(s.Threshold, 0) {
			es.add(q+".threshold", "must be a finite number (got %v)", s.Threshold)
		}
		if s.Comparison != "" && s.Comparison != "greater" && s.Comparison != "less" {
			es.add(q+".comparison", "must be greater or less (got %q)", s.Comparison)
		}
		n := s.periods()
		if n < 1 || n > 60 {
			es.add(q+".evaluation_periods", "must be 1–60 (got %d)", s.EvaluationPeriods)
		}
		if m := s.datapoints(); m < 1 || m > n {
			es.add(q+".datapoints_to_alarm", "must be 1–evaluation_periods = %d (got %d)", n, s.DatapointsToAlarm)
		}
		switch s.AdjustmentType {
		case "", ChangeInCapacity, PercentChangeInCapacity:
		case ExactCapacity:
			for j, st := range s.Steps {
				if st.Adjustment < 0 {
					es.add(fmt.Sprintf("%s.steps[%d].adjustment", q, j), "must be ≥ 0 for exact_capacity (got %d)", st.Adjustment)
				}
			}
		default:
			es.add(q+".adjustment_type", "must be change_in_capacity, exact_capacity or percent_change_in_capacity (got %q)", s.AdjustmentType)
		}
		if len(s.Steps) == 0 {
			es.add(q+".steps", "at least one step is required")
		}
		for j, st := range s.Steps {
			if st.Lower != nil && st.Upper != nil && !(*st.Lower < *st.Upper) {
				es.add(fmt.Sprintf("%s.steps[%d]", q, j), "lower must be below upper (got %v ≥ %v)", *st.Lower, *st.Upper)
			}
			if st.Adjustment < -maxCapacity || st.Adjustment > maxCapacity {
				es.add(fmt.Sprintf("%s.steps[%d].adjustment", q, j), "must be -%d–%d (got %d)", maxCapacity, maxCapacity, st.Adjustment)
			}
		}
	}
	var last time.Duration
	for i, s := range a.Scheduled {
		q := fmt.Sprintf("%s.scheduled[%d]", p, i)
		if s.At < 0 || s.At > MaxTime {
			es.add(q+".at", "must be 0s–87600h (got %v)", s.At)
		}
		if s.At < last {
			es.add(q+".at", "scheduled actions must be in time order (%v is before %v)", s.At, last)
		}
		last = s.At
		if s.Min == nil && s.Max == nil && s.Desired == nil {
			es.add(q, "sets none of min, max, desired")
		}
		for _, kv := range []struct {
			k string
			v *int
		}{{"min", s.Min}, {"max", s.Max}, {"desired", s.Desired}} {
			if kv.v != nil && (*kv.v < 0 || *kv.v > maxCapacity) {
				es.add(q+"."+kv.k, "must be 0–%d (got %d)", maxCapacity, *kv.v)
			}
		}
		if s.Min != nil && s.Max != nil && *s.Min > *s.Max {
			es.add(q+".min", "must be at most max = %d (got %d)", *s.Max, *s.Min)
		}
		if s.Desired != nil && platform == ECS {
			es.add(q+".desired", "is for platform ec2; an ECS scheduled action sets min and max only")
		}
	}
}

// validateMetric checks that scenario c has what metric m is made of.
func (a *Autoscaling) validateMetric(c *Config, path, m string, es *errs) {
	switch {
	case m == MetricUtilisation && c.Fleet.MaxConcurrency == 0:
		es.add(path, "utilisation needs fleet.max_concurrency (busy workers over the limit)")
	case m == MetricRequestCountPerTarget && c.LoadBalancer.Type != ALB:
		es.add(path, "alb_request_count_per_target needs an alb (load balancer is %s)", c.LoadBalancer.Type)
	}
}

func (s *StepScaling) periods() int {
	if s.EvaluationPeriods == 0 {
		return 1
	}
	return s.EvaluationPeriods
}

func (s *StepScaling) datapoints() int {
	if s.DatapointsToAlarm == 0 {
		return s.periods()
	}
	return s.DatapointsToAlarm
}
