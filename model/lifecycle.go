package model

import (
	"fmt"
	"math"
	"time"
)

// Platform says who shuts the backend down, and when, after a scale-in
// decision (shared/docs/aws-behaviour.md §4; docs/model.md has the
// timelines). Every default is neutral: with the zero value the instance
// is terminated the moment draining completes, as in the foundation model.
type Platform struct {
	// Type is "ec2" (default: EC2 Auto Scaling), "ecs" or "eks".
	Type PlatformType `toml:"type"`

	// LifecycleHook is an EC2 Auto Scaling `Terminating:Wait` hook; nil
	// means none. It runs after draining, before termination [ASG-LC].
	LifecycleHook *LifecycleHook `toml:"lifecycle_hook"`
	// LifecycleHooksFile names the JSON output of `aws autoscaling
	// describe-lifecycle-hooks`, relative to the scenario file; the
	// scenario loader takes the terminating hook's heartbeat timeout and
	// default result from it (keys set in lifecycle_hook win). EC2 only.
	LifecycleHooksFile string `toml:"lifecycle_hooks_file"`
	// ShutdownGrace is, on EC2, the time from the OS shutdown's SIGTERM
	// to power-off. Default 0: power-off at once, everything still open is
	// killed.
	ShutdownGrace time.Duration `toml:"shutdown_grace"`
	// TerminationPolicy (EC2) picks the instances to terminate when a
	// scale-in does not set `pick`: "default", "oldest_instance",
	// "newest_instance" or "random" [ASG-TP]. Empty means pick oldest.
	TerminationPolicy string `toml:"termination_policy"`

	// StopTimeout (ECS) is the time from SIGTERM to SIGKILL. Default
	// 30s [ECS-CD]; Fargate allows at most 120s.
	StopTimeout time.Duration `toml:"stop_timeout"`
	// LaunchType (ECS) is "fargate" (default) or "ec2" (container
	// instances). Every Fargate task's stop timeout is at most 120s
	// [ECS-CD]; on EC2 the agent's ECS_CONTAINER_STOP_TIMEOUT has no
	// documented maximum.
	LaunchType string `toml:"launch_type"`
	// TasksPerHost (ECS with launch_type "ec2") is how many of the
	// service's tasks share one container instance: targets k·N … k·N+N−1
	// are host k's. Default 1 (0 means 1); range 1–100. With N > 1 a
	// scale-in removes whole hosts, N tasks together (scale_in.targets a
	// multiple of N) — the container instance's ASG taking them out at
	// once — and a host terminated early or without deregistration takes
	// all its tasks with it (PRX/Infrastructure#96: an ASG scale-in
	// without a drain hook terminates the instance's tasks, and the ALB
	// answers 5xx until health checks remove it; aws-cdk#13506).
	TasksPerHost int `toml:"tasks_per_host"`
	// Stop (ECS) is how the task stops: "service" (default: a service
	// scale-in drains first [ECS-CD]), "stop_task" (SIGTERM at once, no
	// draining first) or "fargate_spot" (SIGTERM with a two-minute notice
	// [ECS-SPOT]).
	Stop string `toml:"stop"`

	// PreStopSleep (EKS) is the preStop hook's sleep before SIGTERM;
	// it counts against the grace period [K8S]. Default 0; range 0–24h.
	PreStopSleep time.Duration `toml:"prestop_sleep"`
	// TerminationGracePeriod (EKS) is the time from pod deletion to
	// SIGKILL [K8S]. Default 30s. The kubelet gives at least 2s between
	// SIGTERM and SIGKILL: a preStop hook still running at the end of the
	// grace period gets a one-off 2s extension [K8S-HOOK].
	TerminationGracePeriod time.Duration `toml:"termination_grace_period"`
	// TargetType (EKS) is the AWS Load Balancer Controller's target type:
	// "ip" (default: the pod is the load balancer's target) or "instance"
	// (the node is the target through a NodePort; deleting a pod
	// deregisters nothing at the load balancer, and kube-proxy stops
	// forwarding to the pod when the endpoint removal reaches it — the
	// propagation_delay is then kube-proxy's endpoint update lag)
	// [LBC-TT].
	TargetType string `toml:"target_type"`
}

// LifecycleHook is an Auto Scaling lifecycle hook on instance termination
// [ASG-HOOK].
type LifecycleHook struct {
	// HeartbeatTimeout is how long the hook waits for its handler:
	// 30s–7200s; zero means the default 3600s.
	HeartbeatTimeout time.Duration `toml:"heartbeat_timeout"`
	// HandlerDuration is how long the handler takes before it completes
	// the action. If it exceeds HeartbeatTimeout the hook times out and
	// DefaultResult applies; either way the instance is terminated.
	HandlerDuration time.Duration `toml:"handler_duration"`
	// DefaultResult is "continue" or "abandon" (the API's default); both
	// terminate a terminating instance [ASG-HOOK].
	DefaultResult string `toml:"default_result"`
	// CompleteEarly is a misconfiguration: the handler completes the
	// lifecycle action HandlerDuration after the scale-in decision
	// without waiting for draining, so the instance is terminated while
	// its targets are still registered (aws-cdk#13506: a drain hook that
	// counted only RUNNING tasks). On ECS with launch_type "ec2" the hook
	// is the container instance's: every task on it dies with it.
	// Default false: the hook runs after draining [ASG-LC].
	CompleteEarly bool `toml:"complete_early"`
}

// Wait returns how long the hook holds the instance: the handler's time,
// capped by the heartbeat timeout.
func (h *LifecycleHook) Wait() time.Duration {
	if h == nil {
		return 0
	}
	return min(h.HandlerDuration, h.heartbeat())
}

func (h *LifecycleHook) heartbeat() time.Duration {
	if h.HeartbeatTimeout == 0 {
		return time.Hour // [ASG-HOOK] default
	}
	return h.HeartbeatTimeout
}

// App is how the application process behaves at shutdown.
type App struct {
	// OnSigterm is "graceful" (default: stop accepting, finish in-flight
	// requests, send close frames to long-lived connections, exit when
	// idle), "immediate" (exit at once: everything in flight is killed) or
	// "ignore" (keep serving until killed).
	OnSigterm string `toml:"on_sigterm"`
	// KeepaliveTimeout is the target's idle keep-alive timeout. When it is
	// shorter than the load balancer's idle timeout the target closes idle
	// connections the load balancer may be reusing: the keep-alive race
	// [ALB-TS]. Default 75s (longer than the ALB's 60s: no race).
	KeepaliveTimeout time.Duration `toml:"keepalive_timeout"`
	// KeepAccepting is a graceful app's lame-duck time: after SIGTERM it
	// keeps accepting and serving new requests for this long, then stops
	// accepting as without it. Default 0 (stop accepting at SIGTERM);
	// range 0–1h; graceful only.
	KeepAccepting time.Duration `toml:"keep_accepting"`
}

// HealthCheck is the target group's health check [ALB-HC, NLB-HC]; a
// CLB's own [CLB-HC]. A target that stops accepting connections is
// marked unhealthy after about Interval × UnhealthyThreshold.
type HealthCheck struct {
	// Interval between checks: 5s–300s, default 30s.
	Interval time.Duration `toml:"interval"`
	// Timeout of one check: 2s–120s (CLB 2s–60s), default 5s.
	Timeout time.Duration `toml:"timeout"`
	// HealthyThreshold: 2–10, default 5 (CLB 10).
	HealthyThreshold int `toml:"healthy_threshold"`
	// UnhealthyThreshold: 2–10, default 2.
	UnhealthyThreshold int `toml:"unhealthy_threshold"`
}

// Retry is a client's retry policy for failed requests, as in the AWS
// SDKs: attempt n waits min(MaxBackoff, Backoff × 2^(n−1)), with jitter.
type Retry struct {
	// Attempts is the number of attempts including the first; default 1
	// (no retry); range 1–10.
	Attempts int `toml:"attempts"`
	// Backoff is the base wait; default 100ms.
	Backoff time.Duration `toml:"backoff"`
	// MaxBackoff caps the wait; default 2s.
	MaxBackoff time.Duration `toml:"max_backoff"`
	// Jitter is "none", "full" (default: uniform in [0, wait]) or
	// "equal" (wait/2 + uniform in [0, wait/2]).
	Jitter string `toml:"jitter"`
}

// Reconnect is how clients of a connection class reconnect after their
// connection is closed; nil means they do not.
type Reconnect struct {
	// Backoff is the base wait before the first reconnect; default 1s.
	Backoff time.Duration `toml:"backoff"`
	// MaxBackoff caps the wait; default 30s.
	MaxBackoff time.Duration `toml:"max_backoff"`
	// Jitter is "none", "full" (default) or "equal".
	Jitter string `toml:"jitter"`
}

// Platform types, ECS stop modes, SIGTERM behaviours and jitter kinds.
const (
	EC2 PlatformType = "ec2"
	ECS PlatformType = "ecs"
	EKS PlatformType = "eks"

	LaunchFargate = "fargate"
	LaunchEC2     = "ec2"

	TargetIP       = "ip"
	TargetInstance = "instance"

	StopService     = "service"
	StopTask        = "stop_task"
	StopFargateSpot = "fargate_spot"

	Graceful  = "graceful"
	Immediate = "immediate"
	Ignore    = "ignore"

	JitterNone  = "none"
	JitterFull  = "full"
	JitterEqual = "equal"
)

// FargateSpotNotice is the warning a Fargate Spot task gets before it is
// stopped [ECS-SPOT].
const FargateSpotNotice = 2 * time.Minute

// SpotInterruptionNotice is the warning an EC2 Spot Instance gets before
// EC2 stops or terminates it [EC2-SPOT].
const SpotInterruptionNotice = 2 * time.Minute

// FargateMaxStopTimeout is the largest stop timeout of a Fargate task
// [ECS-CD].
const FargateMaxStopTimeout = 120 * time.Second

// kubeletMinGrace is the least time the kubelet leaves between SIGTERM
// and SIGKILL: a preStop hook that overruns the grace period gets a
// one-off 2s extension [K8S-HOOK] (the kubelet's
// minimumGracePeriodInSeconds).
const kubeletMinGrace = 2 * time.Second

// backoff returns the wait before attempt n ≥ 1 of a retry or reconnect:
// min(maxB, base × 2^(n−1)) with jitter drawn from u in [0, 1).
func backoff(base, maxB time.Duration, jitter string, n int, u float64) time.Duration {
	w := float64(base) * math.Pow(2, float64(n-1))
	w = math.Min(w, float64(maxB))
	switch jitter {
	case JitterNone:
	case JitterEqual:
		w = w/2 + u*w/2
	default:
		w *= u
	}
	return nanos(w, clockLimit)
}

// withDefaults returns a copy of c with every zero value that stands for a
// default replaced by that default, so the simulation and Validate see the
// same figures. Slices and pointers it changes are copied, never modified.
func (c *Config) withDefaults() Config {
	e := *c
	if e.LoadBalancer.Type == "" {
		e.LoadBalancer.Type = ALB
	}
	if e.LoadBalancer.Algorithm == "" {
		e.LoadBalancer.Algorithm = RoundRobin
	}
	if e.LoadBalancer.IdleTimeout == 0 {
		switch e.LoadBalancer.Type {
		case NLB:
			e.LoadBalancer.IdleTimeout = 350 * time.Second // [NLB-IDLE]
		default:
			e.LoadBalancer.IdleTimeout = 60 * time.Second // [ALB-ATTR], [CLB-CS]
		}
	}
	if e.LoadBalancer.FINWindow == 0 && e.LoadBalancer.Type != NLB {
		e.LoadBalancer.FINWindow = keepAliveRaceWindow
	}
	if e.LoadBalancer.Type != NLB {
		if e.LoadBalancer.Nodes == 0 {
			e.LoadBalancer.Nodes = DefaultNodes(e.LoadBalancer.Type)
		}
		if e.LoadBalancer.PoolPolicy == "" {
			e.LoadBalancer.PoolPolicy = PoolLIFO
		}
	}
	if e.LoadBalancer.PropagationDelay.Distribution.Distribution == "" {
		e.LoadBalancer.PropagationDelay = DefaultPropagationDelay(e.LoadBalancer.Type)
	}
	if e.LoadBalancer.UnhealthyLag.Distribution.Distribution == "" {
		e.LoadBalancer.UnhealthyLag = DefaultUnhealthyLag(e.LoadBalancer.Type)
	}
	p := &e.Platform
	if p.Type == "" {
		p.Type = EC2
	}
	if p.Stop == "" {
		p.Stop = StopService
	}
	if p.StopTimeout == 0 {
		p.StopTimeout = 30 * time.Second // [ECS-CD]
	}
	if p.LaunchType == "" && p.Type == ECS {
		p.LaunchType = LaunchFargate
	}
	if p.TargetType == "" && p.Type == EKS {
		p.TargetType = TargetIP
	}
	if p.TerminationGracePeriod == 0 {
		p.TerminationGracePeriod = 30 * time.Second // [K8S]
	}
	if h := p.LifecycleHook; h != nil {
		hc := *h
		if hc.HeartbeatTimeout == 0 {
			hc.HeartbeatTimeout = time.Hour // [ASG-HOOK]
		}
		if hc.DefaultResult == "" {
			hc.DefaultResult = "abandon"
		}
		p.LifecycleHook = &hc
	}
	if e.App.OnSigterm == "" {
		e.App.OnSigterm = Graceful
	}
	if e.App.KeepaliveTimeout == 0 {
		e.App.KeepaliveTimeout = 75 * time.Second
	}
	hc := &e.HealthCheck
	if hc.Interval == 0 {
		hc.Interval = 30 * time.Second // [ALB-HC]
	}
	if hc.Timeout == 0 {
		hc.Timeout = 5 * time.Second
	}
	if hc.HealthyThreshold == 0 {
		hc.HealthyThreshold = 5
		if e.LoadBalancer.Type == CLB {
			hc.HealthyThreshold = 10 // [CLB-HC]
		}
	}
	if hc.UnhealthyThreshold == 0 {
		hc.UnhealthyThreshold = 2
	}
	e.Traffic = append([]Traffic(nil), c.Traffic...)
	for i := range e.Traffic {
		t := &e.Traffic[i]
		if t.Kind == "" {
			t.Kind = KindRequest
		}
		if t.Name == "" {
			t.Name = fmt.Sprintf("traffic[%d]", i)
		}
		if t.Retry != nil {
			r := *t.Retry
			if r.Attempts == 0 {
				r.Attempts = 1
			}
			if r.Backoff == 0 {
				r.Backoff = 100 * time.Millisecond
			}
			if r.MaxBackoff == 0 {
				r.MaxBackoff = max(2*time.Second, r.Backoff)
			}
			if r.Jitter == "" {
				r.Jitter = JitterFull
			}
			t.Retry = &r
		}
		if t.Reconnect != nil {
			r := *t.Reconnect
			if r.Backoff == 0 {
				r.Backoff = time.Second
			}
			if r.MaxBackoff == 0 {
				r.MaxBackoff = max(30*time.Second, r.Backoff)
			}
			if r.Jitter == "" {
				r.Jitter = JitterFull
			}
			t.Reconnect = &r
		}
		if t.Idempotent == nil {
			one := 1.0
			t.Idempotent = &one
		}
	}
	return e
}

func (c *Config) validateLifecycle(es *errs) {
	p := c.Platform
	switch p.Type {
	case EC2, ECS, EKS:
	default:
		es.add("platform.type", "must be ec2, ecs or eks (got %q)", p.Type)
	}
	notFor := func(key string, typ PlatformType, set bool) {
		if set && p.Type != typ {
			es.add("platform."+key, "applies to %s only (platform is %s)", typ, p.Type)
		}
	}
	// An ECS container instance's ASG may run a drain hook too; only a
	// hook that completes early moves the tasks (CompleteEarly): one that
	// waits for them to drain is the service's own timeline.
	if p.LifecycleHook != nil && p.Type != EC2 && (p.Type != ECS || p.LaunchType != LaunchEC2) {
		es.add("platform.lifecycle_hook", "applies to ec2, or ecs with launch_type = \"ec2\", only (platform is %s)", p.Type)
	}
	notFor("lifecycle_hooks_file", EC2, p.LifecycleHooksFile != "")
	notFor("shutdown_grace", EC2, p.ShutdownGrace != 0)
	notFor("termination_policy", EC2, p.TerminationPolicy != "")
	notFor("stop", ECS, p.Stop != "" && p.Stop != StopService)
	notFor("prestop_sleep", EKS, p.PreStopSleep != 0)
	notFor("launch_type", ECS, p.LaunchType != "")
	if p.TasksPerHost != 0 && (p.Type != ECS || p.LaunchType != LaunchEC2) {
		es.add("platform.tasks_per_host", "applies to ecs with launch_type = \"ec2\" only (platform is %s)", p.Type)
	} else if p.TasksPerHost < 0 || p.TasksPerHost > 100 {
		es.add("platform.tasks_per_host", "must be 1–100 (got %d)", p.TasksPerHost)
	}
	notFor("target_type", EKS, p.TargetType != "")
	switch p.LaunchType {
	case "", LaunchFargate, LaunchEC2:
	default:
		es.add("platform.launch_type", "must be fargate or ec2 (got %q)", p.LaunchType)
	}
	switch p.TargetType {
	case "", TargetIP, TargetInstance:
	default:
		es.add("platform.target_type", "must be ip or instance (got %q)", p.TargetType)
	}
	if h := p.LifecycleHook; h != nil {
		if hb := h.heartbeat(); hb < 30*time.Second || hb > 7200*time.Second {
			es.add("platform.lifecycle_hook.heartbeat_timeout", "must be 30s–7200s (got %s)", secs(hb))
		}
		if h.HandlerDuration < 0 {
			es.add("platform.lifecycle_hook.handler_duration", "must not be negative (got %v)", h.HandlerDuration)
		}
		switch h.DefaultResult {
		case "", "continue", "abandon":
		default:
			es.add("platform.lifecycle_hook.default_result", "must be continue or abandon (got %q)", h.DefaultResult)
		}
	}
	if p.ShutdownGrace < 0 || p.ShutdownGrace > time.Hour {
		es.add("platform.shutdown_grace", "must be 0s–1h (got %v)", p.ShutdownGrace)
	}
	switch p.TerminationPolicy {
	case "", "default", "oldest_instance", "newest_instance", "random":
	default:
		es.add("platform.termination_policy", "must be default, oldest_instance, newest_instance or random (got %q)", p.TerminationPolicy)
	}
	switch p.Stop {
	case "", StopService, StopTask, StopFargateSpot:
	default:
		es.add("platform.stop", "must be service, stop_task or fargate_spot (got %q)", p.Stop)
	}
	if p.StopTimeout < 0 || p.StopTimeout > 10*time.Minute {
		es.add("platform.stop_timeout", "must be 0s–600s (got %s)", secs(p.StopTimeout))
	}
	// Every Fargate task's stop timeout is at most 120 s [ECS-CD]; on
	// EC2 the agent's ECS_CONTAINER_STOP_TIMEOUT has no documented
	// maximum, so the 600 s above stands.
	if p.Type == ECS && (p.LaunchType == LaunchFargate || p.Stop == StopFargateSpot) && p.StopTimeout > FargateMaxStopTimeout {
		es.add("platform.stop_timeout", "Fargate allows at most 120s (got %s)", secs(p.StopTimeout))
	}
	if p.Stop == StopFargateSpot && p.LaunchType == LaunchEC2 {
		es.add("platform.stop", "fargate_spot needs launch_type = \"fargate\" (got %q)", p.LaunchType)
	}
	if p.PreStopSleep < 0 || p.PreStopSleep > 24*time.Hour {
		es.add("platform.prestop_sleep", "must be 0s–24h (got %v)", p.PreStopSleep)
	}
	if p.TerminationGracePeriod < 0 || p.TerminationGracePeriod > 24*time.Hour {
		es.add("platform.termination_grace_period", "must be 0s–24h (got %v)", p.TerminationGracePeriod)
	}
	switch c.App.OnSigterm {
	case Graceful, Immediate, Ignore:
	default:
		es.add("app.on_sigterm", "must be graceful, immediate or ignore (got %q)", c.App.OnSigterm)
	}
	if ka := c.App.KeepAccepting; ka < 0 || ka > time.Hour {
		es.add("app.keep_accepting", "must be 0s–1h (got %v)", ka)
	} else if ka > 0 && c.App.OnSigterm != Graceful {
		es.add("app.keep_accepting", "applies to on_sigterm = \"graceful\" only (got %q)", c.App.OnSigterm)
	}
	if c.App.KeepaliveTimeout <= 0 || c.App.KeepaliveTimeout > 7*24*time.Hour {
		es.add("app.keepalive_timeout", "must be positive, at most a week (got %v)", c.App.KeepaliveTimeout)
	}
	lb := c.LoadBalancer
	switch lb.Type {
	case ALB:
		if lb.IdleTimeout < time.Second || lb.IdleTimeout > 4000*time.Second {
			es.add("load_balancer.idle_timeout", "must be 1s–4000s for an alb (got %s)", secs(lb.IdleTimeout))
		}
	case NLB:
		if lb.IdleTimeout != 0 && (lb.IdleTimeout < 60*time.Second || lb.IdleTimeout > 6000*time.Second) {
			es.add("load_balancer.idle_timeout", "must be 60s–6000s for an nlb (got %s)", secs(lb.IdleTimeout))
		}
	case CLB:
		if lb.IdleTimeout < time.Second || lb.IdleTimeout > 3600*time.Second {
			es.add("load_balancer.idle_timeout", "must be 1s–3600s for a clb (got %s)", secs(lb.IdleTimeout))
		}
	}
	if lb.Type == NLB && lb.FINWindow != 0 {
		es.add("load_balancer.fin_window", "applies to alb and clb only: an nlb reuses no connections (load balancer is nlb)")
	} else if lb.Type != NLB && (lb.FINWindow < time.Microsecond || lb.FINWindow > time.Second) {
		es.add("load_balancer.fin_window", "must be 1µs–1s (got %v)", lb.FINWindow)
	}
	if lb.Type == NLB {
		if lb.Nodes != 0 {
			es.add("load_balancer.nodes", "applies to alb and clb only: an nlb reuses no connections (load balancer is nlb)")
		}
		if lb.PoolPolicy != "" {
			es.add("load_balancer.pool_policy", "applies to alb and clb only: an nlb reuses no connections (load balancer is nlb)")
		}
	} else {
		if lb.Nodes < 1 || lb.Nodes > maxNodes {
			es.add("load_balancer.nodes", "must be 1–%d (got %d)", maxNodes, lb.Nodes)
		}
		switch lb.PoolPolicy {
		case PoolLIFO, PoolFIFO, PoolRandom:
		default:
			es.add("load_balancer.pool_policy", "must be lifo, fifo or random (got %q)", lb.PoolPolicy)
		}
	}
	lb.PropagationDelay.validate("load_balancer.propagation_delay", es)
	lb.UnhealthyLag.validate("load_balancer.unhealthy_lag", es)
	hc := c.HealthCheck
	if hc.Interval < 5*time.Second || hc.Interval > 300*time.Second {
		es.add("health_check.interval", "must be 5s–300s (got %s)", secs(hc.Interval))
	}
	if lb.Type == CLB && (hc.Timeout < 2*time.Second || hc.Timeout > 60*time.Second) {
		es.add("health_check.timeout", "must be 2s–60s for a clb (got %s)", secs(hc.Timeout))
	} else if hc.Timeout < 2*time.Second || hc.Timeout > 120*time.Second {
		es.add("health_check.timeout", "must be 2s–120s (got %s)", secs(hc.Timeout))
	}
	if hc.HealthyThreshold < 2 || hc.HealthyThreshold > 10 {
		es.add("health_check.healthy_threshold", "must be 2–10 (got %d)", hc.HealthyThreshold)
	}
	if hc.UnhealthyThreshold < 2 || hc.UnhealthyThreshold > 10 {
		es.add("health_check.unhealthy_threshold", "must be 2–10 (got %d)", hc.UnhealthyThreshold)
	}
	for i, t := range c.Traffic {
		path := fmt.Sprintf("traffic[%d]", i)
		if r := t.Retry; r != nil {
			if r.Attempts < 1 || r.Attempts > 10 {
				es.add(path+".retry.attempts", "must be 1–10, counting the first attempt (got %d)", r.Attempts)
			}
			validateBackoff(path+".retry", r.Backoff, r.MaxBackoff, r.Jitter, es)
		}
		if t.Retry != nil && t.Kind == KindConnection {
			es.add(path+".retry", "applies to request classes only (use reconnect for connections)")
		}
		if r := t.Reconnect; r != nil {
			if t.Kind != KindConnection {
				es.add(path+".reconnect", "applies to connection classes only (use retry for requests)")
			}
			validateBackoff(path+".reconnect", r.Backoff, r.MaxBackoff, r.Jitter, es)
		}
		if f := *t.Idempotent; f < 0 || f > 1 || math.IsNaN(f) {
			es.add(path+".idempotent", "must be a fraction 0–1 (got %v)", f)
		}
	}
}

func validateBackoff(p string, base, maxB time.Duration, jitter string, es *errs) {
	// Below a millisecond a jittered wait can round to zero and a client
	// would retry in the same instant forever.
	if base < time.Millisecond || base > time.Hour {
		es.add(p+".backoff", "must be 1ms–1h (got %v)", base)
	}
	if maxB < base || maxB > time.Hour {
		es.add(p+".max_backoff", "must be at least backoff and at most 1h (got %v)", maxB)
	}
	switch jitter {
	case JitterNone, JitterFull, JitterEqual:
	default:
		es.add(p+".jitter", "must be none, full or equal (got %q)", jitter)
	}
}
