package model

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Assumption is one setting that moves a run's numbers, the value the run
// uses, and whether that value came from drainsim's default rather than the
// scenario. Every report lists them, so that a default never makes an
// answer look better than the user's setup silently.
type Assumption struct {
	// Key is the TOML key path, e.g. "load_balancer.propagation_delay".
	Key string `json:"key"`
	// Value is the value the run uses, as a TOML scenario would write it.
	Value string `json:"value"`
	// Defaulted is true when the scenario did not set the key.
	Defaulted bool `json:"defaulted"`
	// Note says what a default rests on, or what the value does.
	Note string `json:"note,omitempty"`
	// Warning, when not empty, says how the value makes a figure read
	// low (price 0: cost reads 0).
	Warning string `json:"warning,omitempty"`
}

// String is "key = value (default: note)" with the warning appended.
func (a Assumption) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s = %s", a.Key, a.Value)
	switch {
	case a.Defaulted && a.Note != "":
		fmt.Fprintf(&b, " (default: %s)", a.Note)
	case a.Defaulted:
		b.WriteString(" (default)")
	case a.Note != "":
		fmt.Fprintf(&b, " (%s)", a.Note)
	}
	if a.Warning != "" {
		fmt.Fprintf(&b, " WARNING: %s", a.Warning)
	}
	return b.String()
}

// Assumptions lists the settings that move the numbers of a run of c, in a
// fixed order, each with the value the run uses and whether it was
// defaulted: the propagation lag, the NLB's unhealthy lag, the app's
// behaviour at SIGTERM and keep-alive timeout, the load balancer's idle
// timeout, the price, the NLB's unhealthy-target settings, and the platform
// settings that apply (ECS launch_type and stop_timeout; EKS target_type,
// termination_grace_period and prestop_sleep; app.keep_accepting where
// SIGTERM reaches the app).
func (c *Config) Assumptions() []Assumption {
	e := c.withDefaults()
	lb, raw := e.LoadBalancer, c.LoadBalancer
	var as []Assumption
	add := func(key, value string, defaulted bool, note string) *Assumption {
		as = append(as, Assumption{Key: key, Value: value, Defaulted: defaulted, Note: note})
		return &as[len(as)-1]
	}

	lagSet := raw.PropagationDelay.Distribution.Distribution != ""
	note := "field-measured ALB lag (aws-load-balancer-controller #1064, #1719, #2106)"
	switch lb.Type {
	case NLB:
		note = "field-measured NLB lag, ~2 min after DeregisterTargets (containers-roadmap #470; aws-load-balancer-controller #2366, #3270)"
	case CLB:
		note = "no CLB report: the ALB's field-measured lag"
	}
	a := add("load_balancer.propagation_delay", lb.PropagationDelay.String(), !lagSet, note)
	if lagSet {
		a.Note = ""
		if lb.PropagationDelay.isZero() {
			a.Note = "routing stops the instant deregistration starts; field reports measure seconds (ALB) to minutes (NLB)"
		}
	}
	if uSet := raw.UnhealthyLag.Distribution.Distribution != ""; uSet || lb.Type == NLB {
		a := add("load_balancer.unhealthy_lag", lb.UnhealthyLag.String(), !uSet,
			"the NLB routes to an unhealthy target for 30-40 s more (containers-roadmap #470)")
		if uSet {
			a.Note = ""
		}
	}
	add("load_balancer.idle_timeout", secs(lb.IdleTimeout), raw.IdleTimeout == 0, "AWS's default for "+string(lb.Type))
	add("app.on_sigterm", strconv.Quote(e.App.OnSigterm), c.App.OnSigterm == "",
		"stops accepting, finishes in-flight requests, closes long-lived connections, exits when idle")
	ka := add("app.keepalive_timeout", secs(e.App.KeepaliveTimeout), c.App.KeepaliveTimeout == 0, "")
	if lb.Type != NLB && e.App.KeepaliveTimeout >= lb.IdleTimeout {
		if ka.Defaulted {
			ka.Note = "longer than the idle timeout: no keep-alive race; Node.js's default is 5s"
		}
	}
	if lb.Type != NLB && e.App.KeepaliveTimeout < lb.IdleTimeout {
		add("load_balancer.fin_window", secs(lb.FINWindow), raw.FINWindow == 0,
			"about one round trip inside a VPC: the keep-alive race's window (a modelling choice)")
		add("load_balancer.nodes", strconv.Itoa(lb.Nodes), raw.Nodes == 0,
			"the fewest an ALB has (one per zone, two zones); a busy ALB has more, each with its own connections")
		add("load_balancer.pool_policy", strconv.Quote(string(lb.PoolPolicy)), raw.PoolPolicy == "",
			"reuse the most recently idle connection: the ALB's policy is not documented (an assumption)")
	}
	pa := add("fleet.price_per_hour", strconv.FormatFloat(e.Fleet.PricePerHour, 'g', -1, 64), c.Fleet.PricePerHour == 0, "")
	if e.Fleet.PricePerHour == 0 {
		pa.Note = ""
		pa.Warning = "cost will read 0"
	}
	if lb.Type == NLB {
		tg, rt := e.TargetGroup, c.TargetGroup
		add("target_group.unhealthy_connection_termination", strconv.FormatBool(tg.unhealthyTermination()),
			rt.UnhealthyConnectionTermination == nil, "AWS's default: an unhealthy target's flows are reset [TGA]")
		if !tg.unhealthyTermination() {
			add("target_group.unhealthy_draining_interval", secs(tg.UnhealthyDrainingInterval), rt.UnhealthyDrainingInterval == 0, "AWS's default [TGA]")
		}
	}
	p, rp := e.Platform, c.Platform
	switch p.Type {
	case ECS:
		add("platform.launch_type", strconv.Quote(p.LaunchType), rp.LaunchType == "",
			"Fargate: a stopped task's ENI is gone (504s), stop_timeout at most 120 s [ECS-CD]")
		add("platform.stop_timeout", secs(p.StopTimeout), rp.StopTimeout == 0, "ECS's default [ECS-CD]")
	case EKS:
		add("platform.target_type", strconv.Quote(p.TargetType), rp.TargetType == "",
			"the AWS Load Balancer Controller's ip mode: the pod is the target [LBC-TT]")
		add("platform.termination_grace_period", secs(p.TerminationGracePeriod), rp.TerminationGracePeriod == 0, "Kubernetes' default [K8S]")
		add("platform.prestop_sleep", secs(p.PreStopSleep), rp.PreStopSleep == 0, "no preStop hook")
	}
	if p.Type != EC2 || p.ShutdownGrace > 0 {
		// SIGTERM reaches the app: whether it keeps serving for a while
		// moves the drops during the lag.
		if e.App.OnSigterm == Graceful {
			add("app.keep_accepting", secs(e.App.KeepAccepting), c.App.KeepAccepting == 0,
				"stops accepting at SIGTERM (no lame-duck time)")
		}
	}
	// Misconfigurations users have: each a warning, since the drops
	// they cause are the setup's, not draining's.
	if h := p.LifecycleHook; h != nil && h.CompleteEarly {
		add("platform.lifecycle_hook.complete_early", "true", false, "").Warning =
			"the instance is terminated " + secs(h.Wait()) + " after the decision, while its targets are still registered (aws-cdk#13506)"
	}
	if n := p.TasksPerHost; n > 1 {
		add("platform.tasks_per_host", strconv.Itoa(n), false, "").Warning =
			fmt.Sprintf("%d tasks per container instance are removed together: each host takes %d targets' traffic and connections with it at once", n, n)
	}
	for i, s := range e.ScaleIn {
		if s.Kind == KindTerminate {
			add(fmt.Sprintf("scale_in[%d].kind", i), strconv.Quote(s.Kind), false, "").Warning =
				"terminated without deregistration: the load balancer finds out only through health checks, plus its unhealthy lag (kops#11256)"
		}
	}
	if a := c.Autoscaling; a.Max > 0 {
		// The policy's defaults move when and how much it scales.
		if tt := a.TargetTracking; tt != nil && !tt.DisableScaleIn {
			ratio, src := scaleInRatioEC2, "observed in EC2 target-tracking alarms, not documented by AWS [TT-ALARMS]"
			if p.Type == ECS {
				ratio, src = scaleInRatioECS, "observed in ECS target-tracking alarms; AWS: scale-in \"usually more than 10% lower\" [TT-ALARMS, AAS-TT]"
			}
			if tt.ScaleInRatio != 0 {
				ratio = tt.ScaleInRatio
			}
			add("autoscaling.target_tracking.scale_in_ratio", strconv.FormatFloat(ratio, 'g', -1, 64), tt.ScaleInRatio == 0,
				"the low alarm's threshold as a fraction of the target; "+src)
		}
		switch p.Type {
		case EC2:
			add("autoscaling.instance_warmup", secs(orDefault(a.InstanceWarmup, defaultCooldown)), a.InstanceWarmup == nil,
				"no scale-in while an instance warms up [ASG-WU]")
		case ECS:
			add("autoscaling.scale_out_cooldown", secs(orDefault(a.ScaleOutCooldown, defaultCooldown)), a.ScaleOutCooldown == nil, "[AAS-CD]")
			add("autoscaling.scale_in_cooldown", secs(orDefault(a.ScaleInCooldown, defaultCooldown)), a.ScaleInCooldown == nil, "[AAS-CD]")
		}
	}
	if len(c.ScaleOut) > 0 || len(c.RollingUpdate) > 0 || c.Autoscaling.Max > 0 {
		// Only scenarios that launch targets (a policy may): others list
		// as before.
		add("fleet.launch_time", secs(e.launchTime()), c.Fleet.LaunchTime == 0,
			"an assumption for "+string(p.Type)+", not an AWS figure: boot, task start or pod readiness before the health checks")
	}
	if c.Fast == FastAuto {
		// Only scenarios that ask for the fast path: whether it applies,
		// and if not why (docs/model.md, "Fast path").
		add("fast", strconv.Quote(c.Fast), false, c.FastPathNote())
	}
	return as
}

// isZero reports whether l is a constant 0.
func (l *Lag) isZero() bool {
	return l.Distribution.Distribution == Constant && l.Value == 0
}

// String writes the lag as a scenario would: a duration for a constant,
// otherwise the law and its parameters, e.g. "lognormal median=10s
// p99=60s".
func (l Lag) String() string {
	d := l.Distribution
	if d.Distribution == Constant || d.Distribution == "" {
		return secs(d.Value)
	}
	parts := []string{d.Distribution}
	for _, f := range []struct {
		k string
		v time.Duration
	}{{"mean", d.Mean}, {"median", d.Median}, {"p99", d.P99}, {"min", d.Min}, {"max", d.Max}, {"scale", d.Scale}} {
		if f.v != 0 {
			parts = append(parts, f.k+"="+secs(f.v))
		}
	}
	for _, f := range []struct {
		k string
		v float64
	}{{"mu", d.Mu}, {"sigma", d.Sigma}, {"shape", d.Shape}} {
		if f.v != 0 {
			parts = append(parts, f.k+"="+strconv.FormatFloat(f.v, 'g', -1, 64))
		}
	}
	return strings.Join(parts, " ")
}

// AssumptionsLine writes as on one line for a CSV comment or a plot
// caption: "assumptions (* = default): key=value*; key=value …", a
// warning in parentheses after its value.
func AssumptionsLine(as []Assumption) string {
	parts := make([]string, len(as))
	for i, a := range as {
		p := a.Key + "=" + a.Value
		if a.Defaulted {
			p += "*"
		}
		if a.Warning != "" {
			p += " (" + a.Warning + ")"
		}
		parts[i] = p
	}
	return "assumptions (* = default): " + strings.Join(parts, "; ")
}

// orDefault returns *v, or d when v is nil.
func orDefault(v *time.Duration, d time.Duration) time.Duration {
	if v != nil {
		return *v
	}
	return d
}
