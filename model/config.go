package model

import (
	"errors"
	"fmt"
	"time"
)

// Config is a whole scenario. Start from [Default] (what a TOML scenario
// omits takes the values it sets), then change fields; [Config.Validate]
// says what is wrong. The zero value of each field is documented where it
// differs from Default.
type Config struct {
	// Name identifies the scenario in reports.
	Name string `toml:"name"`
	// Description is free text for people.
	Description string `toml:"description"`
	// Seed selects the random streams. Default 1.
	Seed uint64 `toml:"seed"`
	// Start is "auto" (default: "stationary" when there is no horizon,
	// no [autoscaling] and every traffic class has a finite mean duration
	// and a constant rate), "stationary" (begin one minute before
	// the first scale-in with every target already in its steady state)
	// or "empty" (begin at zero with idle targets and simulate the
	// warm-up). Empty is "auto".
	Start string `toml:"start"`
	// Fast is "off" (default, also empty: every request is simulated) or
	// "auto": under an [autoscaling] policy, skip the minutes away from
	// scale-ins, drawing only their request counts, where that is exact
	// (docs/model.md, "Fast path"; Result.FastPath says whether it was
	// used and, if not, why).
	Fast string `toml:"fast"`
	// Horizon stops the simulation at that time. Zero (the default) runs
	// until every scale-in has finished (its last instance terminated).
	// Range 0–87600h ([MaxTime]).
	Horizon time.Duration `toml:"horizon"`
	// Replications is how many independent replications `run` makes.
	// Default 1; range 1–100000.
	Replications int `toml:"replications"`

	LoadBalancer LoadBalancer `toml:"load_balancer"`
	TargetGroup  TargetGroup  `toml:"target_group"`
	Fleet        Fleet        `toml:"fleet"`
	Traffic      []Traffic    `toml:"traffic"`
	ScaleIn      []ScaleIn    `toml:"scale_in"`
	Sweep        Sweep        `toml:"sweep"`
	Platform     Platform     `toml:"platform"`
	App          App          `toml:"app"`
	HealthCheck  HealthCheck  `toml:"health_check"`

	// ScaleOut launches new targets (scaleout.go); empty: none.
	ScaleOut []ScaleOut `toml:"scale_out" json:",omitempty"`
	// RollingUpdate replaces targets with new ones (rolling.go); empty:
	// none.
	RollingUpdate []RollingUpdate `toml:"rolling_update" json:",omitempty"`
	// Autoscaling is the scaling policy (`[autoscaling]`); the zero
	// value means none.
	Autoscaling Autoscaling `toml:"autoscaling"`
}

// LoadBalancer selects the load balancer type and its routing.
type LoadBalancer struct {
	// Type is "alb" (default), "nlb" or "clb".
	Type LBType `toml:"type"`
	// Algorithm is "round_robin" (default), "least_outstanding_requests"
	// (ALB and CLB only) or "random".
	Algorithm Algorithm `toml:"algorithm"`
	// PropagationDelay is how long the load balancer keeps routing new
	// requests and flows to a target after its deregistration starts, a
	// duration ("10s") or a distribution table drawn per target. Reported,
	// not documented (aws-behaviour §2). Unset (Distribution "") means the
	// type's field-measured default, [DefaultPropagationDelay]: ALB and
	// CLB Weibull with shape 1.5 and scale 12s (median 9.4s, p99 33s), NLB lognormal with
	// median 120s and p99 180s. "0s" turns the lag off.
	PropagationDelay Lag `toml:"propagation_delay"`
	// UnhealthyLag is how long an NLB keeps routing new flows to a target
	// after its health checks have declared it unhealthy; the flows are
	// reset (unhealthy.connection_termination) when it ends. Reported, not
	// documented: 30–40 s (containers-roadmap #470). Unset means the
	// type's default, [DefaultUnhealthyLag]: NLB uniform 30s–40s, ALB and
	// CLB 0 (no report of one). "0s" turns it off.
	UnhealthyLag Lag `toml:"unhealthy_lag"`
	// IdleTimeout is the ALB/CLB idle connection timeout or the NLB TCP
	// idle timeout. Zero means the type's default: 60s (ALB [ALB-ATTR],
	// CLB [CLB-CS]) or 350s (NLB [NLB-IDLE]).
	IdleTimeout time.Duration `toml:"idle_timeout"`
	// FINWindow (ALB, CLB) is how long after a target closes an idle
	// keep-alive connection the load balancer may still send a request on
	// it: the time the target's FIN takes to arrive. A request sent in it
	// is the keep-alive race (502) [ALB-TS]. Zero means the default, 1ms
	// (about one round trip inside a VPC; a modelling choice, docs/model.md
	// "Keep-alive race"); range 1µs–1s.
	FINWindow time.Duration `toml:"fin_window"`
	// Nodes (ALB, CLB) is how many load balancer nodes send requests to
	// each target, each with its own pool of keep-alive connections to it;
	// every request goes through one node drawn uniformly (clients spread
	// over the nodes' addresses by DNS). An ALB has at least one node per
	// enabled Availability Zone and at least two zones [ALB-AZ], and adds
	// nodes as its load grows (how many is not documented: the addresses
	// its DNS name resolves to are a lower bound). Zero means the default:
	// 2 for an ALB (the minimum), 1 for a CLB (one zone is allowed).
	// Range 1–100. Only the keep-alive race depends on it.
	Nodes int `toml:"nodes"`
	// PoolPolicy (ALB, CLB) is which idle keep-alive connection a node
	// reuses for a request: "lifo" (default: the most recently idle, as
	// nginx's upstream keep-alive cache and Go's http.Transport do),
	// "fifo" (the longest idle) or "random". The ALB's own policy is not
	// documented; the default is an assumption (docs/model.md).
	PoolPolicy PoolPolicy `toml:"pool_policy"`
}

// PoolPolicy is which idle keep-alive connection a load balancer node
// reuses: [PoolLIFO], [PoolFIFO] or [PoolRandom]. The zero value "" means
// the default, LIFO.
type PoolPolicy string

// The pool policies.
const (
	PoolLIFO   PoolPolicy = "lifo"
	PoolFIFO   PoolPolicy = "fifo"
	PoolRandom PoolPolicy = "random"
)

// TargetGroup holds the target group's deregistration settings.
type TargetGroup struct {
	// DeregistrationDelay is how long a deregistered target may drain
	// (ALB/NLB deregistration_delay.timeout_seconds, CLB connection
	// draining timeout). Default 300s; range 0–3600 s (CLB 1–3600 s).
	DeregistrationDelay time.Duration `toml:"deregistration_delay"`
	// ConnectionTermination closes an NLB target's flows when the delay
	// ends (deregistration_delay.connection_termination.enabled). NLB
	// only; default false.
	ConnectionTermination bool `toml:"connection_termination"`
	// ConnectionDraining enables CLB connection draining. CLB only;
	// default true. Without it, in-flight requests are not completed.
	ConnectionDraining bool `toml:"connection_draining"`
	// UnhealthyConnectionTermination resets an NLB target's flows when
	// it is declared unhealthy
	// (target_health_state.unhealthy.connection_termination.enabled
	// [TGA]). NLB only; nil means true (AWS's default).
	UnhealthyConnectionTermination *bool `toml:"unhealthy_connection_termination"`
	// UnhealthyDrainingInterval is how long an unhealthy NLB target stays
	// in unhealthy.draining, keeping its flows, before they are reset
	// (target_health_state.unhealthy.draining_interval_seconds [TGA]).
	// NLB only, and only with UnhealthyConnectionTermination false;
	// range 0–360000 s, default 0.
	UnhealthyDrainingInterval time.Duration `toml:"unhealthy_draining_interval"`
	// AttributesFile names the JSON output of `aws elbv2
	// describe-target-group-attributes`, relative to the scenario file;
	// the scenario loader applies its attributes (keys set in the
	// scenario itself win). Empty: none.
	AttributesFile string `toml:"attributes_file"`
}

// Fleet is the set of targets in service at the start.
type Fleet struct {
	// Targets is how many targets are registered and healthy at time
	// zero; range 1–100000.
	Targets int `toml:"targets"`
	// PricePerHour is the instance price in USD per target-hour, billed
	// per second while running. Default 0 (no cost reported).
	PricePerHour float64 `toml:"price_per_hour"`
	// MaxConcurrency is how many requests and connections each target
	// serves at once (the app's worker pool); range 0–1000000, 0 (the
	// default) for no limit. Beyond it a request waits in the backlog.
	MaxConcurrency int `toml:"max_concurrency"`
	// Backlog is how many requests each target holds waiting for a
	// worker (its accept queue), first in first out; range 0–10000000,
	// default 0. Needs MaxConcurrency. A request that finds the workers
	// busy and the backlog full is refused (ALB 502, cause refused).
	Backlog int `toml:"backlog"`
	// LaunchTime is how long a new target (a [[scale_out]] or
	// [[rolling_update]] launch) takes from the decision to register
	// with its app listening: instance boot, task start or pod
	// readiness. Zero means the platform's default, [DefaultLaunchTime]
	// (an assumption, listed by Assumptions); range 0–1h.
	LaunchTime time.Duration `toml:"launch_time" json:",omitempty"`
}

// Traffic is one class of arrivals.
type Traffic struct {
	// Name labels the class in reports; default "traffic[i]".
	Name string `toml:"name"`
	// Kind is "request" (default: each arrival is routed on its own) or
	// "connection" (a long-lived WebSocket, stream or TCP flow that stays
	// on one target for its whole life).
	Kind string `toml:"kind"`
	// Rate is arrivals per second across the load balancer (Poisson);
	// range [0.000001, 10000000]: below one arrival in about 12 days a
	// class sends nothing to a scale-in, and its gaps would outrun the
	// simulated clock (MaxTime). Zero (unset) when Profile, Diurnal or
	// RateFile gives the rate instead: exactly one of the four is set.
	Rate float64 `toml:"rate"`
	// Profile makes the rate change over time: piecewise-linear points
	// in time order, the first rate held before the first point and the
	// last after the last (non-homogeneous Poisson arrivals). Nil: none.
	Profile []RatePoint `toml:"profile"`
	// Diurnal makes the rate follow a daily raised cosine. Nil: none.
	Diurnal *Diurnal `toml:"diurnal"`
	// RateFile names a CSV of request counts per period (a CloudWatch
	// RequestCount export or drainsim's --metrics CSV), relative to the
	// scenario file; the scenario loader reads it into Profile with
	// [ParseRateCSV]. Empty: none.
	RateFile string `toml:"rate_file"`
	// Duration is how long each request or connection lasts.
	Duration Distribution `toml:"duration"`
	// Retry is the clients' retry policy for failed requests; nil means
	// no retry.
	Retry *Retry `toml:"retry"`
	// Reconnect is how clients of a connection class reconnect after
	// their connection closes; nil means they do not.
	Reconnect *Reconnect `toml:"reconnect"`
	// Idempotent is the fraction of requests a client may retry; nil
	// means 1 (all).
	Idempotent *float64 `toml:"idempotent"`
	// Clients makes the class closed-loop (docs/model.md, "Closed-loop
	// clients"): that many clients, each sending a request, waiting for
	// its end (completed, or failed for good after its retries), thinking
	// for ThinkTime, then sending the next, as load tools and many real
	// callers do. Range 1–1000000; 0 (the default) for open Poisson
	// arrivals. Set instead of Rate, Profile, Diurnal and RateFile; kind
	// request only.
	Clients int `toml:"clients"`
	// ThinkTime is how long a closed-loop client waits after a request
	// ends before it sends the next, a distribution as Duration is.
	// Unset (Distribution "") means 0. Needs Clients.
	ThinkTime Distribution `toml:"think_time"`
}

// ScaleIn removes targets at a given time.
type ScaleIn struct {
	// At is when the scaling decision is made; range 0–87600h ([MaxTime]).
	At time.Duration `toml:"at"`
	// Targets is how many targets to remove; at least 1.
	Targets int `toml:"targets"`
	// Pick is "oldest" (default), "newest" or "random".
	Pick Pick `toml:"pick"`
	// Kind is "scale_in" (default: the Auto Scaling group removes the
	// instances) or "spot_interruption" (EC2 only: a Spot interruption
	// notice; the instances are deregistered at the notice and EC2 shuts
	// them down two minutes later whatever the draining, hook or delay)
	// or "terminate" (EC2, or ECS on EC2 container instances; a
	// misconfiguration: the instances are
	// terminated directly — TerminateInstances, a node roll — without
	// deregistration; the load balancer notices only through its health
	// checks, plus its unhealthy lag; kops#11256).
	Kind string `toml:"kind"`
}

// Load balancer types.
const (
	ALB LBType = "alb"
	NLB LBType = "nlb"
	CLB LBType = "clb"
)

// Routing algorithms.
const (
	RoundRobin               Algorithm = "round_robin"
	LeastOutstandingRequests Algorithm = "least_outstanding_requests"
	Random                   Algorithm = "random"
)

// Traffic kinds.
const (
	KindRequest    = "request"
	KindConnection = "connection"
)

// Scale-in kinds.
const (
	KindScaleIn          = "scale_in"
	KindSpotInterruption = "spot_interruption"
	KindTerminate        = "terminate"
)

// Pick policies.
const (
	PickOldest Pick = "oldest"
	PickNewest Pick = "newest"
	PickRandom Pick = "random"
)

// Limits from AWS (docs/model.md cites them).
const (
	// MaxDeregistrationDelay is the largest deregistration delay and CLB
	// draining timeout AWS accepts: 3600 s [TGA, CLB-CD].
	MaxDeregistrationDelay = 3600 * time.Second
	// DefaultDeregistrationDelay is AWS's default: 300 s [TGA, CLB-CD].
	DefaultDeregistrationDelay = 300 * time.Second
	maxTargets                 = 100000 // < 2^17, see request.tca
	maxReplications            = 100000
	maxRate                    = 1e7
	minRate                    = 1e-6
	maxClasses                 = 1000 // < 2^10, see request.tca
	maxConcurrency             = 1000000
	maxBacklog                 = 10000000
)

// maxUnhealthyDraining is the largest NLB unhealthy draining interval:
// 360000 s [TGA].
const maxUnhealthyDraining = 360000 * time.Second

// Default returns the configuration a TOML scenario starts from before its
// keys are applied: seed 1, one replication, an ALB with round robin, a
// 300 s deregistration delay and CLB connection draining enabled.
func Default() Config {
	return Config{
		Seed:         1,
		Replications: 1,
		LoadBalancer: LoadBalancer{Type: ALB, Algorithm: RoundRobin},
		TargetGroup: TargetGroup{
			DeregistrationDelay: DefaultDeregistrationDelay,
			ConnectionDraining:  true,
		},
	}
}

// FieldError is a configuration error tied to a key path such as
// "traffic[1].rate".
type FieldError struct {
	Path string
	Msg  string
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Msg }

type errs []error

func (es *errs) add(path, format string, args ...any) {
	*es = append(*es, &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// Validate checks every field against its allowed values and AWS's ranges.
// It returns nil or an error joining one *FieldError per problem, in key
// order.
func (c *Config) Validate() error {
	e := c.withDefaults()
	return e.validate()
}

// validate is Validate for a configuration whose defaults are filled in.
func (c *Config) validate() error {
	var es errs
	if c.Horizon < 0 || c.Horizon > MaxTime {
		es.add("horizon", "must be 0s–87600h (got %v)", c.Horizon)
	}
	switch c.Start {
	case "", StartAuto, StartEmpty:
	case StartStationary:
		if _, ok := c.stationaryStart(); !ok {
			es.add("start", "stationary needs a first scale-in after %v (the longer of 1m and the idle keep-alive timeout) and durations whose tail ends within 10^7 s (a finite mean; not a pareto shape near 1), traffic without a profile or clients and no fleet.max_concurrency", max(stationaryLead, c.idleFor()))
		}
	default:
		es.add("start", "must be auto, stationary or empty (got %q)", c.Start)
	}
	switch c.Fast {
	case "", FastOff, FastAuto:
	default:
		es.add("fast", "must be off or auto (got %q)", c.Fast)
	}
	if c.Replications < 1 || c.Replications > maxReplications {
		es.add("replications", "must be 1–%d (got %d)", maxReplications, c.Replications)
	}
	lb := c.LoadBalancer
	switch lb.Type {
	case ALB, NLB, CLB:
	default:
		es.add("load_balancer.type", "must be alb, nlb or clb (got %q)", lb.Type)
	}
	switch lb.Algorithm {
	case RoundRobin, Random:
	case LeastOutstandingRequests:
		if lb.Type == NLB {
			es.add("load_balancer.algorithm", "least_outstanding_requests is for alb and clb only; an nlb routes flows by hash (use round_robin or random)")
		}
	default:
		es.add("load_balancer.algorithm", "must be round_robin, least_outstanding_requests or random (got %q)", lb.Algorithm)
	}
	tg := c.TargetGroup
	d := tg.DeregistrationDelay
	if lb.Type == CLB && tg.ConnectionDraining {
		if d < time.Second || d > MaxDeregistrationDelay {
			es.add("target_group.deregistration_delay", "must be 1s–3600s for a clb with connection draining (got %s)", secs(d))
		}
	} else if d < 0 || d > MaxDeregistrationDelay {
		es.add("target_group.deregistration_delay", "must be 0s–3600s (got %s)", secs(d))
	}
	if d%time.Second != 0 {
		es.add("target_group.deregistration_delay", "must be a whole number of seconds, as AWS takes it (got %v)", d)
	}
	if tg.UnhealthyConnectionTermination != nil && lb.Type != NLB {
		es.add("target_group.unhealthy_connection_termination", "applies to nlb only (load balancer is %s)", lb.Type)
	}
	if ui := tg.UnhealthyDrainingInterval; ui != 0 {
		switch {
		case lb.Type != NLB:
			es.add("target_group.unhealthy_draining_interval", "applies to nlb only (load balancer is %s)", lb.Type)
		case ui < 0 || ui > maxUnhealthyDraining:
			es.add("target_group.unhealthy_draining_interval", "must be 0s–360000s (got %s)", secs(ui))
		case ui%time.Second != 0:
			es.add("target_group.unhealthy_draining_interval", "must be a whole number of seconds, as AWS takes it (got %v)", ui)
		case tg.unhealthyTermination():
			es.add("target_group.unhealthy_draining_interval", "needs unhealthy_connection_termination = false (AWS accepts an interval only then)")
		}
	}
	if tg.ConnectionTermination && lb.Type != NLB {
		es.add("target_group.connection_termination", "applies to nlb only (load balancer is %s)", lb.Type)
	}
	if !tg.ConnectionDraining && lb.Type != CLB {
		es.add("target_group.connection_draining", "applies to clb only (load balancer is %s); other types always drain", lb.Type)
	}
	if c.Fleet.Targets < 1 || c.Fleet.Targets > maxTargets {
		es.add("fleet.targets", "must be 1–%d (got %d)", maxTargets, c.Fleet.Targets)
	}
	if c.Fleet.PricePerHour < 0 || c.Fleet.PricePerHour > 1000 || c.Fleet.PricePerHour != c.Fleet.PricePerHour {
		es.add("fleet.price_per_hour", "must be 0–1000 USD (got %v)", c.Fleet.PricePerHour)
	}
	if mc := c.Fleet.MaxConcurrency; mc < 0 || mc > maxConcurrency {
		es.add("fleet.max_concurrency", "must be 0–%d (0: no limit; got %d)", maxConcurrency, mc)
	}
	if b := c.Fleet.Backlog; b < 0 || b > maxBacklog {
		es.add("fleet.backlog", "must be 0–%d (got %d)", maxBacklog, b)
	} else if b > 0 && c.Fleet.MaxConcurrency == 0 {
		es.add("fleet.backlog", "needs fleet.max_concurrency: without a worker limit nothing waits")
	}
	if len(c.Traffic) == 0 {
		es.add("traffic", "at least one [[traffic]] class is required")
	}
	if len(c.Traffic) > maxClasses {
		es.add("traffic", "at most %d [[traffic]] classes (got %d)", maxClasses, len(c.Traffic))
	}
	for i, t := range c.Traffic {
		p := fmt.Sprintf("traffic[%d]", i)
		switch t.Kind {
		case "", KindRequest, KindConnection:
		default:
			es.add(p+".kind", "must be request or connection (got %q)", t.Kind)
		}
		t.validateRate(p, &es)
		t.Duration.validate(p+".duration", &es)
	}
	if len(c.ScaleIn) == 0 && len(c.ScaleOut) == 0 && len(c.RollingUpdate) == 0 {
		switch {
		case c.Autoscaling.Max > 0 && c.Horizon > 0:
			// The policy makes the scale-ins: a day under its control.
		case c.Autoscaling.Max > 0:
			es.add("horizon", "an [autoscaling] policy without [[scale_in]] events needs a horizon, e.g. horizon = \"24h\" (the run has no other end)")
		default:
			es.add("scale_in", "at least one [[scale_in]] event is required (or an [autoscaling] policy and a horizon)")
		}
	}
	removed := 0
	var last time.Duration
	for i, s := range c.ScaleIn {
		p := fmt.Sprintf("scale_in[%d]", i)
		if s.At < 0 || s.At > MaxTime {
			es.add(p+".at", "must be 0s–87600h (got %v)", s.At)
		}
		if i > 0 && s.At < last {
			es.add(p+".at", "scale-in events must be in time order (%v is before %v)", s.At, last)
		}
		last = s.At
		if s.Targets < 1 {
			es.add(p+".targets", "must be at least 1 (got %d)", s.Targets)
		}
		removed += s.Targets
		if n := c.Platform.TasksPerHost; n > 1 && s.Targets%n != 0 {
			es.add(p+".targets", "must be a multiple of platform.tasks_per_host = %d: whole hosts are removed (got %d)", n, s.Targets)
		}
		switch s.Pick {
		case "", PickOldest, PickNewest, PickRandom:
		default:
			es.add(p+".pick", "must be oldest, newest or random (got %q)", s.Pick)
		}
		switch s.Kind {
		case "", KindScaleIn:
		case KindSpotInterruption:
			if c.Platform.Type != EC2 {
				es.add(p+".kind", "spot_interruption is for platform ec2 only (platform is %s; ECS has stop = \"fargate_spot\")", c.Platform.Type)
			}
		case KindTerminate:
			if c.Platform.Type != EC2 && (c.Platform.Type != ECS || c.Platform.LaunchType != LaunchEC2) {
				es.add(p+".kind", "terminate is for platform ec2, or ecs with launch_type = \"ec2\", only (platform is %s)", c.Platform.Type)
			}
		default:
			es.add(p+".kind", "must be scale_in, spot_interruption or terminate (got %q)", s.Kind)
		}
	}
	if c.Fleet.Targets >= 1 && removed > c.Fleet.Targets+c.scaledOut() {
		es.add("scale_in", "removes %d targets in all but the fleet has %d", removed, c.Fleet.Targets+c.scaledOut())
	}
	c.validateScaling(&es)
	c.Sweep.validate(&es)
	c.validateLifecycle(&es)
	c.Autoscaling.validate(c, &es)
	if c.Horizon > 0 && len(c.ScaleIn) > 0 && c.Horizon <= last {
		es.add("horizon", "must be after the last scale-in at %v (got %v)", last, c.Horizon)
	}
	return errors.Join(es...)
}

// unhealthyTermination reports whether an NLB resets an unhealthy
// target's flows (true unless set false) [TGA].
func (tg *TargetGroup) unhealthyTermination() bool {
	return tg.UnhealthyConnectionTermination == nil || *tg.UnhealthyConnectionTermination
}

// secs formats d in seconds ("4000s") when it is whole seconds, as the
// ranges in messages are, and as Go does otherwise ("1.5s", "250ms").
func secs(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.String()
}
