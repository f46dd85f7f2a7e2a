package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/drainsim/drainsim/sim"
)

// policyRun is a run's scaling policy ([autoscaling]): the engine and
// what it needs to build each minute's sample.
type policyRun struct {
	p    *Policy
	last int64 // requests received by the end of the previous minute
}

// initAutoscaling starts the once-a-minute policy evaluation when the
// scenario has an [autoscaling] table; without one nothing is scheduled,
// so other runs' event sequences are unchanged.
func (r *runner) initAutoscaling() {
	a := r.cfg.Autoscaling
	if a.Max == 0 {
		return
	}
	r.scaling = &policyRun{p: NewPolicy(a, r.cfg.Platform.Type, r.cfg.Fleet.Targets), last: r.requests()}
	r.eng.At(sim.Event{At: r.eng.Now() + time.Minute, Kind: evAutoscale})
}

// requests counts the requests and connections the load balancer has
// received: first attempts, retries and reconnects (each is a new request
// to it, as ALB RequestCount counts them [ALB-CW]).
func (r *runner) requests() int64 { return r.res.Arrivals + r.res.Retries + r.res.Reconnects }

// autoscale ends a one-minute period: it builds the period's sample
// (ALBRequestCountPerTarget: the minute's requests over the in-service
// targets; utilisation: their busy workers now, in percent), lets the
// policy evaluate it, records its actions and carries out a scale-in with
// the scale-in machinery (the termination policy picks the targets) and a
// scale-out with the scale-out machinery (scaleout.go: launch time, then
// the health checks before the new targets get traffic).
func (r *runner) autoscale() {
	pr := r.scaling
	now := r.eng.Now()
	skipped := false
	if r.fast != nil {
		skipped = r.fast.skip
		r.fastMinuteEnd()
	}
	req := r.requests()
	ready, busy := 0, 0.0
	for t := range r.targets {
		if r.targets[t].state == StateHealthy {
			ready++
			busy += r.utilisation(int32(t))
		}
	}
	s := MetricSample{At: now, RequestCountPerTarget: math.NaN(), Utilisation: math.NaN(), Ready: ready}
	if ready > 0 {
		s.RequestCountPerTarget = float64(req-pr.last) / float64(ready)
		if r.workers < math.MaxInt {
			s.Utilisation = 100 * busy / float64(ready)
		}
	}
	pr.last = req
	for _, a := range pr.p.Evaluate(s) {
		r.res.ScalingActions = append(r.res.ScalingActions, a)
		// Remove what is in service beyond the new desired capacity (the
		// desired capacity may count targets a scale-out decided but
		// nothing launched).
		if k := ready - a.To; a.To < a.From && k > 0 {
			if skipped && r.fast.err == nil {
				// A bug, never an approximation: stop after this event.
				r.fast.err = errUnforeseen
				r.eng.Stop(errUnforeseen)
			}
			r.policyScaleIn(k)
			ready -= k
		}
		// Launch what the new desired capacity adds beyond the targets
		// in service and those still launching.
		if a.To > a.From {
			launching := 0
			for t := range r.targets {
				if r.targets[t].state == StateInitial {
					launching++
				}
			}
			// Targets are never reused: the index space (maxTargets)
			// bounds how many a run may launch in all.
			if k := min(a.To-ready-launching, maxTargets-len(r.targets)); k > 0 {
				r.policyScaleOut(k)
			}
		}
	}
	r.eng.After(time.Minute, sim.Event{Kind: evAutoscale})
	if r.fast != nil {
		r.fastStart()
	}
}

// policyScaleIn starts a scale-in of k targets as a new entry of
// Result.ScaleIns, decided now; the termination policy picks them.
func (r *runner) policyScaleIn(k int) {
	i := len(r.cfg.ScaleIn)
	// Clip: the scenario's slice may be shared with other replications.
	r.cfg.ScaleIn = append(slices.Clip(r.cfg.ScaleIn), ScaleIn{At: r.eng.Now(), Targets: k})
	r.left = append(r.left, 0)
	r.res.ScaleIns = append(r.res.ScaleIns, ScaleInResult{At: r.eng.Now(), Finished: -1})
	r.pending++
	r.scaleIn(i)
}

// policyScaleOut launches k targets now as a new entry of
// Result.ScaleOuts.
func (r *runner) policyScaleOut(k int) {
	i := len(r.cfg.ScaleOut)
	now := r.eng.Now()
	// Clip: the scenario's slice may be shared with other replications.
	r.cfg.ScaleOut = append(slices.Clip(r.cfg.ScaleOut), ScaleOut{At: now, Targets: k})
	if r.launchHealth == nil {
		r.launchHealth = rand.New(Source(r.cfg.Seed, r.res.Replication, streamLaunch))
	}
	r.outLeft = append(r.outLeft, 0)
	r.res.ScaleOuts = append(r.res.ScaleOuts, ScaleOutResult{At: now, Targets: k, Finished: -1})
	r.pending++
	r.scaleOut(i)
}
