package model

import (
	"fmt"
	"time"
)

// Rolling updates (issue #17): an ASG instance refresh, an ECS service
// deployment or a Kubernetes Deployment replaces old targets with new ones.
//
// drainsim takes one shape for all three: counts max_surge (new targets
// launched beyond the fleet's size at the update's start, n) and
// max_unavailable (how far below n the targets in service may fall). The
// update repeats, until every old target is replaced: launch new targets
// while old-not-yet-removed + launched < n + max_surge; remove the oldest
// old target through the platform's normal scale-in path (removeTargets:
// deregistration, delay, lifecycle hook, SIGTERM …) while the targets in
// service — old ones not yet removed and new ones that passed their health
// checks — stay at least n − max_unavailable after it. A removed target no
// longer counts against the surge (as Kubernetes does not count
// terminating pods). A new target counts as in service only once the load
// balancer reports it healthy (scaleout.go), which is what an instance
// refresh with ELB health checks, an ECS deployment and a Deployment with
// the AWS Load Balancer Controller's readiness gate wait for.
//
// Defaults, from the platform, with n the targets in service at the start:
//   - EC2 (instance refresh): MinHealthyPercentage 90, rounded up, and
//     MaxHealthyPercentage 100 [ASG-IR]: max_surge 0, max_unavailable
//     n − ⌈0.9 n⌉.
//   - ECS (deployment): minimumHealthyPercent 100 (rounded up) and
//     maximumPercent 200 (rounded down) [ECS-DC]: max_surge n,
//     max_unavailable 0.
//   - EKS (Deployment): maxSurge 25 % rounded up, maxUnavailable 25 %
//     rounded down [K8S-DEP].
//
// If both come to 0 the update replaces one target at a time with
// max_unavailable 1: Kubernetes does that when both round to 0 [K8S-DEP],
// and an instance refresh of a small group with the defaults still
// replaces instances (decision, docs/model.md).

// RollingUpdate replaces targets with new ones.
type RollingUpdate struct {
	// At is when the update starts; range 0–87600h ([MaxTime]).
	At time.Duration `toml:"at"`
	// Targets is how many of the targets in service at At to replace,
	// oldest first. Zero (the default) replaces them all.
	Targets int `toml:"targets"`
	// MaxSurge is how many new targets may be launched beyond the
	// fleet's size at At. Nil means the platform's default (see above).
	MaxSurge *int `toml:"max_surge"`
	// MaxUnavailable is how many targets below the fleet's size at At
	// the targets in service may fall. Nil means the platform's default.
	MaxUnavailable *int `toml:"max_unavailable"`
}

// RollingUpdateResult is one rolling update. Its removals are reported as
// a scale-in: ScaleIns[ScaleIn] and the Removed targets with that ScaleIn
// index; its launches are the Launched targets with its RollingUpdate
// index.
type RollingUpdateResult struct {
	// At is when the update started.
	At time.Duration
	// ScaleIn is the index in Result.ScaleIns that reports its removals.
	ScaleIn int
	// Targets is how many old targets it replaces.
	Targets int
	// InService is n, the targets in service when it started.
	InService int
	// MaxSurge and MaxUnavailable are the counts it used (defaults
	// resolved).
	MaxSurge, MaxUnavailable int
	// MinHealthy is the fewest targets in service (healthy, as
	// HealthyHostCount counts them) right after any of its removals.
	MinHealthy int
	// Finished is when it ended: its last new target healthy and its
	// last old target terminated, whichever is later; -1 if not reached.
	Finished time.Duration
}

// Duration returns Finished − At, or -1 if it did not finish.
func (u RollingUpdateResult) Duration() time.Duration {
	if u.Finished < 0 {
		return -1
	}
	return u.Finished - u.At
}

// rollRun is a rolling update in progress.
type rollRun struct {
	idx       int     // its index in Result.ScaleIns
	old       []int32 // the targets to replace, oldest first; old[:next] removed
	next      int
	base      int // in service at the start and not replaced
	n         int
	surge     int
	unavail   int
	launched  int
	ready     int
	lastReady time.Duration
}

// rollingDefaults returns the platform's max_surge and max_unavailable for
// a fleet of n in service.
func rollingDefaults(p Platform, n int) (surge, unavail int) {
	switch p.Type {
	case ECS:
		return n, 0 // [ECS-DC] 200 % / 100 %
	case EKS:
		return (n + 3) / 4, n / 4 // [K8S-DEP] 25 % up / 25 % down
	}
	return 0, n - (9*n+9)/10 // [ASG-IR] max 100 %, min 90 % rounded up
}

// initRolling schedules the rolling updates: each reports its removals as
// a scale-in appended after the configured ones.
func (r *runner) initRolling() {
	cfg := &r.cfg
	r.rolls = make([]rollRun, len(cfg.RollingUpdate))
	r.res.RollingUpdates = make([]RollingUpdateResult, len(cfg.RollingUpdate))
	for k, u := range cfg.RollingUpdate {
		idx := len(r.res.ScaleIns)
		r.rolls[k].idx = idx
		r.left = append(r.left, 0)
		r.res.ScaleIns = append(r.res.ScaleIns, ScaleInResult{At: u.At, Finished: -1})
		r.res.RollingUpdates[k] = RollingUpdateResult{At: u.At, ScaleIn: idx, Finished: -1}
		r.at(u.At, evRolling, int32(k))
	}
	// Each update waits for its removals (a scale-in) and its launches.
	r.pending += 2 * len(cfg.RollingUpdate)
}

// startRolling starts rolling update k.
func (r *runner) startRolling(k int) {
	u, c := &r.rolls[k], r.cfg.RollingUpdate[k]
	var cand []int32
	for t := range r.targets {
		if r.targets[t].state == StateHealthy {
			cand = append(cand, int32(t))
		}
	}
	u.n = len(cand)
	m := u.n
	if c.Targets > 0 {
		m = min(c.Targets, u.n)
	}
	u.old = cand[:m]
	u.base = u.n - m
	u.surge, u.unavail = rollingDefaults(r.cfg.Platform, u.n)
	if c.MaxSurge != nil {
		u.surge = *c.MaxSurge
	}
	if c.MaxUnavailable != nil {
		u.unavail = *c.MaxUnavailable
	}
	if u.surge == 0 && u.unavail == 0 {
		u.unavail = 1
	}
	res := &r.res.RollingUpdates[k]
	res.Targets, res.InService, res.MaxSurge, res.MaxUnavailable, res.MinHealthy = m, u.n, u.surge, u.unavail, u.n
	r.left[u.idx] = m
	r.res.ScaleIns[u.idx].Targets = m
	if m == 0 {
		r.finishScaleIn(u.idx)
		r.launchesDone(k)
		return
	}
	r.rollStep(k)
}

// rollStep launches and removes what rolling update k's limits allow now.
func (r *runner) rollStep(k int) {
	u := &r.rolls[k]
	for {
		oldLeft := len(u.old) - u.next
		switch {
		case u.launched < len(u.old) && u.base+oldLeft+u.launched < u.n+u.surge:
			u.launched++
			r.launch(-1, k)
		case u.next < len(u.old) && u.base+oldLeft+u.ready-1 >= u.n-u.unavail:
			t := u.old[u.next]
			u.next++
			if r.targets[t].state != StateHealthy {
				// Another scale-in took it: it is not this update's
				// to remove.
				r.left[u.idx]--
				r.res.ScaleIns[u.idx].Targets--
				if r.left[u.idx] == 0 {
					r.finishScaleIn(u.idx)
				}
				continue
			}
			r.removeTargets(u.idx, []int32{t}, KindScaleIn)
			res := &r.res.RollingUpdates[k]
			res.MinHealthy = min(res.MinHealthy, r.inService())
		default:
			return
		}
	}
}

// rolled counts a new target of rolling update k that became healthy.
func (r *runner) rolled(k int) {
	u := &r.rolls[k]
	u.ready++
	u.lastReady = r.eng.Now()
	if u.ready == len(u.old) {
		r.launchesDone(k)
	}
	r.rollStep(k)
}

// launchesDone ends the wait for rolling update k's launches.
func (r *runner) launchesDone(k int) {
	r.pending--
	r.maybeDone()
}

// inService counts the targets in state healthy that health checks have
// not failed, as a Sample's Healthy does.
func (r *runner) inService() int {
	n := 0
	for i := range r.targets {
		if tg := &r.targets[i]; tg.state == StateHealthy && !tg.unhealthy {
			n++
		}
	}
	return n
}

// finishRolling records when each rolling update finished.
func (r *runner) finishRolling() {
	for k := range r.res.RollingUpdates {
		u, res := &r.rolls[k], &r.res.RollingUpdates[k]
		if u.ready < len(u.old) || u.next < len(u.old) {
			continue
		}
		if fin := r.res.ScaleIns[u.idx].Finished; fin >= 0 {
			res.Finished = max(fin, u.lastReady, res.At)
		}
	}
}

// validateRolling checks the rolling updates and returns how many targets
// they launch at most.
func (c *Config) validateRolling(es *errs) int {
	launched := 0
	var last time.Duration
	for i, u := range c.RollingUpdate {
		p := fmt.Sprintf("rolling_update[%d]", i)
		if u.At < 0 || u.At > MaxTime {
			es.add(p+".at", "must be 0s–87600h (got %v)", u.At)
		}
		if i > 0 && u.At < last {
			es.add(p+".at", "rolling updates must be in time order (%v is before %v)", u.At, last)
		}
		last = u.At
		if u.Targets < 0 || u.Targets > maxTargets {
			es.add(p+".targets", "must be 0–%d, 0 for all (got %d)", maxTargets, u.Targets)
		}
		if u.MaxSurge != nil && (*u.MaxSurge < 0 || *u.MaxSurge > maxTargets) {
			es.add(p+".max_surge", "must be 0–%d (got %d)", maxTargets, *u.MaxSurge)
		}
		if u.MaxUnavailable != nil && (*u.MaxUnavailable < 0 || *u.MaxUnavailable > maxTargets) {
			es.add(p+".max_unavailable", "must be 0–%d (got %d)", maxTargets, *u.MaxUnavailable)
		}
		if u.MaxSurge != nil && u.MaxUnavailable != nil && *u.MaxSurge == 0 && *u.MaxUnavailable == 0 {
			es.add(p, "max_surge and max_unavailable cannot both be 0: the update could not start")
		}
		if c.Horizon > 0 && c.Horizon <= u.At {
			es.add("horizon", "must be after rolling_update[%d] at %v (got %v)", i, u.At, c.Horizon)
		}
		// At most every target in service: the fleet and what was
		// launched before.
		all := c.Fleet.Targets
		for _, s := range c.ScaleOut {
			all += max(s.Targets, 0)
		}
		if u.Targets > 0 {
			all = min(all, u.Targets)
		}
		launched += max(all, 0)
	}
	return launched
}
