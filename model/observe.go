package model

import (
	"context"
	"fmt"
	"time"

	"github.com/drainsim/drainsim/sim"
)

// Observer sees what a run does, for access logs and metric series. Its
// methods are called synchronously from the simulation, in time order;
// they must not keep the slices they are given.
type Observer interface {
	// Attempt is called once per attempt of a request or connection when
	// it ends: completed, failed at routing, or cut in flight.
	Attempt(AttemptRecord)
	// Sample is called every RunOptions.SamplePeriod.
	Sample(Sample)
}

// AttemptRecord is one attempt's outcome.
type AttemptRecord struct {
	// Class is the traffic class index; Attempt counts from 1.
	Class, Attempt int
	// Target is the target's index, or -1 if none was chosen.
	Target int
	// Arrived is when the attempt reached the load balancer; Ended when
	// it completed or failed. Both are times since the start.
	Arrived, Ended time.Duration
	// Dispatched is true when the target received the request: false
	// for no_target, refused, unreachable and keepalive_race (ALB logs
	// -1 timings).
	Dispatched bool
	// Failed tells whether it failed; Cause says why.
	Failed bool
	Cause  Cause
	// Code is the status the load balancer answered with: 200 on
	// success, else the 502, 503 or 504 it logs in
	// HTTPCode_ELB_5XX_Count (Result.ELB502 …), or 0 when there is none:
	// an NLB failure, or an established long-lived connection that was
	// cut (its 101 was sent before).
	Code int
	// Reset tells whether the client saw a TCP reset (NLB; Result.Resets).
	Reset bool
}

// Status returns Code, the status the load balancer answered with: 200 on
// success; ALB 503 with no target, 504 when the target is unreachable and
// 502 otherwise [ALB-TS]; CLB 503 with no target and 504 otherwise
// [CLB-ERR]; 0 where no 5xx is logged (an NLB, a WebSocket cut after its
// 101).
func (a AttemptRecord) Status() int { return a.Code }

// Sample is the fleet's state at one moment.
type Sample struct {
	At time.Duration
	// InFlight is what each target holds, by launch index.
	InFlight []int
	// States is each target's state, by launch index.
	States []TargetState
	// Healthy counts the targets in state healthy that health checks
	// have not failed (CloudWatch HealthyHostCount): a deregistered
	// target is draining, not healthy, even during the propagation lag.
	Healthy int
}

// RunOptions adds observation and cancellation to a run. The zero value
// observes nothing and cannot be cancelled.
type RunOptions struct {
	// Context, if not nil, cancels the run: it is looked at every
	// 16384 events, and once it is done the run stops and returns an
	// error wrapping Context.Err(). It does not change the result of a
	// run it does not stop.
	Context  context.Context
	Observer Observer
	// SamplePeriod is the interval between samples; zero means 60s (the
	// CloudWatch period).
	SamplePeriod time.Duration
	// RareLag, if not nil, draws the propagation lags from a mixture that
	// over-samples their tail and records the likelihood ratio in
	// Result.LagWeight (importance sampling, see RareLag). Nil draws them
	// from their law: the plain run.
	RareLag *RareLag
	// Conditional, if true, makes Result.Conditional carry the run's
	// conditional expectations of its drops and of a drop given the
	// requests in flight on the removed targets at deregistration
	// (conditional Monte Carlo, see ConditionalDrops) — when
	// Config.ConditionalRule holds; otherwise Result.Conditional stays
	// nil. It draws no random numbers and changes no other figure of the
	// result. False (the zero value): not computed.
	Conditional bool
}

// RunWith is Run with an observer and a context. Observation does not
// change the result: it draws no random numbers.
func RunWith(cfg *Config, rep int, opts RunOptions) (*Result, error) {
	e := cfg.withDefaults() // once: validate and simulate the same figures
	if err := e.validate(); err != nil {
		return nil, err
	}
	if opts.Context != nil {
		if err := opts.Context.Err(); err != nil {
			return nil, fmt.Errorf("model: replication %d not started: %w", rep, err)
		}
	}
	r := newRunnerWith(e, rep, opts)
	if err := r.run(); err != nil {
		return nil, err
	}
	if err := r.check(); err != nil {
		return nil, err
	}
	return r.res, nil
}

// observe reports an attempt to the observer.
func (r *runner) observe(c, n int, t int32, arrived time.Duration, dispatched, failed bool, cause Cause) {
	code, reset := 200, false
	if failed {
		f := r.failureOf(c, cause, dispatched)
		code, reset = f.code, f.reset
	}
	r.obs.Attempt(AttemptRecord{
		Class: c, Attempt: n, Target: int(t), Arrived: arrived, Ended: r.eng.Now(),
		Dispatched: dispatched, Failed: failed, Cause: cause, Code: code, Reset: reset,
	})
}

// sample reports the fleet's state and schedules the next sample.
func (r *runner) sample() {
	if len(r.sampleIn) != len(r.targets) { // launched targets grow the fleet
		r.sampleIn = make([]int, len(r.targets))
		r.sampleSt = make([]TargetState, len(r.targets))
	}
	healthy := 0
	for i := range r.targets {
		tg := &r.targets[i]
		r.sampleIn[i] = len(tg.inflight)
		r.sampleSt[i] = tg.state
		// CloudWatch counts target health states: a deregistered target
		// is draining at once, even while the data plane still routes to
		// it during the propagation lag [TH].
		if tg.state == StateHealthy && !tg.unhealthy {
			healthy++
		}
	}
	r.samples++
	r.obs.Sample(Sample{At: r.eng.Now(), InFlight: r.sampleIn, States: r.sampleSt, Healthy: healthy})
	r.eng.After(r.period, sim.Event{Kind: evSample})
}
