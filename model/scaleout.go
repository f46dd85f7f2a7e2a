package model

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/drainsim/drainsim/sim"
)

// Scale-out: new targets join the fleet (issue #16's primitive, and the
// launch half of a rolling update, rolling.go).
//
// A launched target is appended to the runner's targets, so launch order
// stays index order (pick = "oldest"/"newest" keep their meaning). It
// starts in StateInitial: registered, health checks not yet passed, and the
// load balancer sends it nothing [TH, ALB-HC, NLB-HC]. Its app listens
// after the launch time (instance boot, task start, pod readiness:
// Fleet.LaunchTime); the load balancer then needs healthy_threshold
// consecutive passing checks, the first of which falls uniformly within an
// interval, so the target becomes healthy (U + healthy_threshold − 1) ×
// interval after its app listens, U uniform in [0, 1) on its own stream
// (streamLaunch) — the rule stopAccepting uses for the unhealthy verdict.
// It then joins the healthy and routed sets, at their end (launch order).

// ScaleOut launches targets at a given time.
type ScaleOut struct {
	// At is when the scaling decision is made; range 0–87600h ([MaxTime]).
	At time.Duration `toml:"at"`
	// Targets is how many targets to launch; at least 1.
	Targets int `toml:"targets"`
}

// LaunchedTarget is the life of one target launched by a scale-out or a
// rolling update. Times are since the start; a stage not reached before
// the run ended is -1.
type LaunchedTarget struct {
	// Target is the target's index in launch order.
	Target int
	// ScaleOut is the index of the [[scale_out]] that launched it, or -1.
	ScaleOut int
	// RollingUpdate is the index of the [[rolling_update]] that launched
	// it, or -1.
	RollingUpdate int
	// Launched is when the launch was decided; billing starts here.
	Launched time.Duration
	// Healthy is when it passed its health checks and started to receive
	// traffic.
	Healthy time.Duration
	// CostUSD is price × (the end of billing − Launched), where billing
	// ends at the run's end or, if the target was removed later, at that
	// removal's decision (RemovedTarget.CostUSD counts from there on).
	CostUSD float64
}

// DefaultLaunchTime returns the launch time a platform's new target takes
// when fleet.launch_time is unset. These are assumptions, not AWS figures
// (docs/model.md, "Scale-out"): EC2 90 s (boot and user data), ECS on
// Fargate 60 s (image pull and task start), ECS on EC2 20 s (task start on
// a running container instance), EKS 15 s (a pod scheduled on a running
// node with its image cached, until its readiness probe passes).
func DefaultLaunchTime(p Platform) time.Duration {
	switch p.Type {
	case ECS:
		if p.LaunchType == LaunchEC2 {
			return 20 * time.Second
		}
		return 60 * time.Second
	case EKS:
		return 15 * time.Second
	}
	return 90 * time.Second
}

// streamLaunch draws the phase of a launched target's first health check.
const streamLaunch = 6

// maxLaunchTime bounds fleet.launch_time.
const maxLaunchTime = time.Hour

// launchTime is the launch time of this run: the configured one or the
// platform's default.
func (c *Config) launchTime() time.Duration {
	if c.Fleet.LaunchTime > 0 {
		return c.Fleet.LaunchTime
	}
	return DefaultLaunchTime(c.Platform)
}

// initScaling schedules the scale-outs and rolling updates and sizes their
// results. Nothing is drawn or scheduled for a scenario without them, so
// existing scenarios run exactly as before.
func (r *runner) initScaling() {
	cfg := &r.cfg
	if len(cfg.ScaleOut) == 0 && len(cfg.RollingUpdate) == 0 {
		return
	}
	r.launchHealth = rand.New(Source(cfg.Seed, r.res.Replication, streamLaunch))
	r.outLeft = make([]int, len(cfg.ScaleOut))
	r.res.ScaleOuts = make([]ScaleOutResult, len(cfg.ScaleOut))
	for i, s := range cfg.ScaleOut {
		r.res.ScaleOuts[i] = ScaleOutResult{At: s.At, Targets: s.Targets, Finished: -1}
		r.eng.At(sim.Event{At: s.At, Kind: evScaleOut, Obj: int32(i)})
	}
	r.pending += len(cfg.ScaleOut)
	r.initRolling()
}

// scaleOut launches the targets of scale-out i.
func (r *runner) scaleOut(i int) {
	n := r.cfg.ScaleOut[i].Targets
	r.outLeft[i] = n
	for range n {
		r.launch(i, -1)
	}
}

// launch registers a new target now, for scale-out so or rolling update
// ru (the other is -1), and schedules its first healthy verdict. It
// returns its index.
func (r *runner) launch(so, ru int) int32 {
	t := int32(len(r.targets))
	now := r.eng.Now()
	r.targets = append(r.targets, target{state: StateInitial, removed: -1, launched: int32(len(r.res.Launched)),
		accepting: true, alive: true})
	r.res.Launched = append(r.res.Launched, LaunchedTarget{
		Target: int(t), ScaleOut: so, RollingUpdate: ru, Launched: now, Healthy: -1,
	})
	wait := r.cfg.launchTime()
	// In EKS instance mode the load balancer checks the node, which is
	// already healthy: kube-proxy forwards to the pod once it is ready
	// (the launch time) [LBC-TT].
	if !r.nodeTarget() {
		hc := r.cfg.HealthCheck
		u := r.launchPhase()
		wait += nanos((u+float64(hc.HealthyThreshold-1))*float64(hc.Interval), clockLimit)
	}
	r.at(now+wait, evHealthy, t)
	if r.fast != nil {
		r.fast.healthAt = append(r.fast.healthAt, now+wait)
	}
	return t
}

// healthy puts launched target t in service: it passed its health checks,
// so the load balancer routes to it from now on (at the end of the
// launch-ordered sets).
func (r *runner) becomeHealthy(t int32) {
	tg := &r.targets[t]
	if tg.state != StateInitial {
		return
	}
	if r.fast != nil && r.fast.skip {
		// Round robin's cursor: the skipped arrivals before now were
		// routed over the old set (fast.go).
		r.consume(r.eng.Now(), false)
	}
	tg.state = StateHealthy
	tg.routed = true
	r.healthy = append(r.healthy, t)
	r.routed = append(r.routed, t)
	rec := &r.res.Launched[tg.launched]
	rec.Healthy = r.eng.Now()
	if so := rec.ScaleOut; so >= 0 {
		r.outLeft[so]--
		if r.outLeft[so] == 0 {
			r.res.ScaleOuts[so].Finished = r.eng.Now()
			r.pending--
			r.maybeDone()
		}
	}
	if ru := rec.RollingUpdate; ru >= 0 {
		r.rolled(ru)
	}
}

// launchCost adds the launched targets' cost up to their removal decision
// or the end of the run.
func (r *runner) launchCost(price float64) {
	for i := range r.res.Launched {
		lt := &r.res.Launched[i]
		end := r.res.End
		if rm := r.targets[lt.Target].removed; rm >= 0 {
			end = r.res.Removed[rm].Decided
		}
		lt.CostUSD = price * (end - lt.Launched).Seconds()
		r.res.CostUSD += lt.CostUSD
	}
}

// ScaleOutResult is one scale-out event.
type ScaleOutResult struct {
	// At is the decision time.
	At time.Duration
	// Targets is how many targets it launched.
	Targets int
	// Finished is when its last target became healthy, or -1.
	Finished time.Duration
}

// Duration returns Finished − At, or -1 if it did not finish.
func (s ScaleOutResult) Duration() time.Duration {
	if s.Finished < 0 {
		return -1
	}
	return s.Finished - s.At
}

// scaledOut is how many targets the scale-outs launch in all: scale-ins
// may remove them too.
func (c *Config) scaledOut() int {
	n := 0
	for _, s := range c.ScaleOut {
		n += max(s.Targets, 0)
	}
	return n
}

// validateScaling checks fleet.launch_time, the scale-outs and the rolling
// updates.
func (c *Config) validateScaling(es *errs) {
	if lt := c.Fleet.LaunchTime; lt < 0 || lt > maxLaunchTime {
		es.add("fleet.launch_time", "must be 0s–1h (got %v)", lt)
	}
	launched := 0
	var last time.Duration
	for i, s := range c.ScaleOut {
		p := fmt.Sprintf("scale_out[%d]", i)
		if s.At < 0 || s.At > MaxTime {
			es.add(p+".at", "must be 0s–87600h (got %v)", s.At)
		}
		if i > 0 && s.At < last {
			es.add(p+".at", "scale-out events must be in time order (%v is before %v)", s.At, last)
		}
		last = s.At
		if s.Targets < 1 || s.Targets > maxTargets {
			es.add(p+".targets", "must be 1–%d (got %d)", maxTargets, s.Targets)
		}
		launched += max(s.Targets, 0)
		if c.Horizon > 0 && c.Horizon <= s.At {
			es.add("horizon", "must be after scale_out[%d] at %v (got %v)", i, s.At, c.Horizon)
		}
	}
	launched += c.validateRolling(es)
	// A request stores its target's index in 17 bits (request.tca).
	if c.Fleet.Targets >= 1 && c.Fleet.Targets <= maxTargets && c.Fleet.Targets+launched > maxTargets {
		es.add("fleet.targets", "the fleet and every target launched by scale-outs and rolling updates must be at most %d in all (got %d + %d)",
			maxTargets, c.Fleet.Targets, launched)
	}
}
