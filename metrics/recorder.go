package metrics

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/drainsim/drainsim/model"
)

// DefaultPeriod is the period a zero Recorder.Period means: CloudWatch's
// standard 60 s for load balancer metrics.
const DefaultPeriod = time.Minute

// Recorder is a [model.Observer] that aggregates one replication into
// per-period series. Set Period, pass the Recorder to [model.RunWith] with
// the same SamplePeriod (or one that divides it), then call
// [Recorder.Series]. The zero value records 60 s periods.
//
// A Recorder records one run; use a new one for each. It is not safe for
// concurrent use, which model.RunWith never needs.
type Recorder struct {
	// Period is the length of each period; zero or negative means
	// DefaultPeriod. It must not change once recording has started.
	Period time.Duration

	base    int64 // index (start / Period) of periods[0]
	start   time.Duration
	started bool     // start is the time of the first sample
	periods []period // from base on, without gaps
	removed []bool   // by target: seen past the healthy state
}

// period is what one period has gathered so far.
type period struct {
	requests, e502, e503 int64
	e504, elbRST, tgtRST int64
	sampled              bool // a sample was taken in it
	healthy              int64
	inflight             []int64 // by target, at the first sample
}

var _ model.Observer = (*Recorder)(nil)

func (r *Recorder) period() time.Duration {
	if r.Period <= 0 {
		return DefaultPeriod
	}
	return r.Period
}

// at returns the period holding time t, growing the slice as needed.
func (r *Recorder) at(t time.Duration) *period {
	k := int64(t / r.period())
	if t < 0 {
		k-- // floor, not truncation; the model never reports t < 0
	}
	if len(r.periods) == 0 {
		r.base = k
	}
	if k < r.base {
		r.periods = slices.Insert(r.periods, 0, make([]period, r.base-k)...)
		r.base = k
	}
	i := int(k - r.base)
	for len(r.periods) <= i {
		r.periods = append(r.periods, period{})
	}
	return &r.periods[i]
}

// Attempt counts one attempt in RequestCount of the period it arrived in
// and, if it failed, its status (model.AttemptRecord.Status) in the
// period it ended in, when the load balancer answered it. It implements
// model.Observer.
//
// A request in flight at a stationary start arrived before the run began
// (model reports its age); it is counted in the first period.
func (r *Recorder) Attempt(a model.AttemptRecord) {
	arrived := a.Arrived
	if r.started && arrived < r.start {
		arrived = r.start
	}
	r.at(arrived).requests++
	switch a.Status() {
	case 502:
		r.at(a.Ended).e502++
	case 503:
		r.at(a.Ended).e503++
	case 504:
		r.at(a.Ended).e504++
	}
	if a.Reset {
		if targetReset(a.Cause) {
			r.at(a.Ended).tgtRST++
		} else {
			r.at(a.Ended).elbRST++
		}
	}
}

// targetReset tells whether an NLB reset of that cause comes from the
// target rather than the load balancer [NLB-CW]: a refused connection (the
// target host answers the SYN with a reset) or a killed process (its kernel
// resets the connections it held). The NLB itself resets flows when the
// delay expires with connection termination on, when it declares the
// target unhealthy, and when it has no target (a modelling choice,
// docs/model.md).
func targetReset(c model.Cause) bool { return c == model.CauseRefused || c == model.CauseKilled }

// Sample keeps the fleet's state if it is the first sample of its period
// and ignores it otherwise. It implements model.Observer.
func (r *Recorder) Sample(s model.Sample) {
	if !r.started {
		r.start, r.started = s.At, true
	}
	for len(r.removed) < len(s.States) {
		r.removed = append(r.removed, false)
	}
	for i, st := range s.States {
		if st != model.StateInitial && st != model.StateHealthy {
			r.removed[i] = true
		}
	}
	p := r.at(s.At)
	if p.sampled {
		return
	}
	p.sampled = true
	p.healthy = int64(s.Healthy)
	p.inflight = make([]int64, len(s.InFlight))
	for i, n := range s.InFlight {
		p.inflight[i] = int64(n)
	}
}

// Series returns what has been recorded, one entry per period from the
// first period anything happened in to the last. A period without a
// sample (the run stopped before it, or SamplePeriod is longer than
// Period) repeats the state of the period before it. It returns an empty
// Series if nothing was recorded.
func (r *Recorder) Series() *Series {
	n := len(r.periods)
	targets := 0
	for _, p := range r.periods {
		targets = max(targets, len(p.inflight))
	}
	s := &Series{
		Period:                r.period(),
		Start:                 make([]time.Duration, n),
		RequestCount:          make([]int64, n),
		ELB502:                make([]int64, n),
		ELB503:                make([]int64, n),
		ELB504:                make([]int64, n),
		TCPELBReset:           make([]int64, n),
		TCPTargetReset:        make([]int64, n),
		ELB5XX:                make([]int64, n),
		ActiveConnectionCount: make([]int64, n),
		HealthyHostCount:      make([]int64, n),
		InFlight:              make([][]int64, targets),
	}
	for t := range s.InFlight {
		s.InFlight[t] = make([]int64, n)
	}
	last := -1 // the last sampled period
	for i, p := range r.periods {
		s.Start[i] = time.Duration(r.base+int64(i)) * s.Period
		s.RequestCount[i] = p.requests
		s.ELB502[i], s.ELB503[i], s.ELB504[i], s.ELB5XX[i] = p.e502, p.e503, p.e504, p.e502+p.e503+p.e504
		s.TCPELBReset[i], s.TCPTargetReset[i] = p.elbRST, p.tgtRST
		if p.sampled {
			last = i
		}
		if last < 0 {
			continue
		}
		q := &r.periods[last]
		s.HealthyHostCount[i] = q.healthy
		for t, v := range q.inflight {
			s.InFlight[t][i] = v
			s.ActiveConnectionCount[i] += v
		}
	}
	for t, gone := range r.removed {
		if gone {
			s.Removed = append(s.Removed, t)
		}
	}
	return s
}

// Series is one replication's metrics, one value per period in each
// column. Every slice has Len() entries, except InFlight, which has one
// slice of Len() entries per target, and Removed.
type Series struct {
	// Period is the length of each period.
	Period time.Duration
	// Start is when each period starts, since the start of the
	// simulation: consecutive multiples of Period.
	Start []time.Duration
	// RequestCount is the number of attempts that arrived in the period
	// and ended before the run stopped: completed, answered 502 or 503,
	// or cut in flight. Retries and reconnects count too.
	RequestCount []int64
	// ELB502 (HTTPCode_ELB_502_Count), ELB503 (HTTPCode_ELB_503_Count)
	// and ELB504 (HTTPCode_ELB_504_Count) count the attempts the load
	// balancer answered with that status in the period, by when it
	// answered (a request cut when the delay expires counts then, not
	// when it arrived; an unreachable target's 504 comes ConnectTimeout
	// after the request); ELB5XX (HTTPCode_ELB_5XX_Count) is their sum.
	ELB502, ELB503, ELB504, ELB5XX []int64
	// TCPELBReset (TCP_ELB_Reset_Count) and TCPTargetReset
	// (TCP_Target_Reset_Count) count an NLB's resets in the period by
	// when they were sent: from the load balancer (delay expiry with
	// connection termination, unhealthy target, no target) or from the
	// target (refused, killed). Zero for an ALB or CLB.
	TCPELBReset, TCPTargetReset []int64
	// ActiveConnectionCount is the number of requests and connections in
	// flight, summed over the targets, at the period's first sample: an
	// approximation of CloudWatch's count of open TCP connections.
	ActiveConnectionCount []int64
	// HealthyHostCount is the number of targets in service at the
	// period's first sample.
	HealthyHostCount []int64
	// InFlight[t][k] is what target t (launch order, 0 is the oldest) had
	// in flight at period k's first sample.
	InFlight [][]int64
	// Removed lists the targets, by launch index in increasing order,
	// that were seen draining, unused or terminated: those a scale-in
	// removed.
	Removed []int
}

// Len returns the number of periods.
func (s *Series) Len() int { return len(s.Start) }

// Record runs replication rep of cfg with a Recorder of the given period
// (zero means DefaultPeriod) sampling once per period, and returns the
// series, without a last period that would start when the run stopped
// and count nothing, and the run's result. The result is the one [model.Run] gives:
// recording draws no random numbers.
func Record(cfg *model.Config, rep int, period time.Duration) (*Series, *model.Result, error) {
	return RecordContext(context.Background(), cfg, rep, period)
}

// RecordContext is [Record] that cancelling ctx stops, within the
// replication too, with an error wrapping ctx.Err(). A run it does not
// stop gives the same series as Record.
func RecordContext(ctx context.Context, cfg *model.Config, rep int, period time.Duration) (*Series, *model.Result, error) {
	if period < 0 {
		return nil, nil, fmt.Errorf("metrics: record: period must not be negative (got %v)", period)
	}
	r := &Recorder{Period: period}
	res, err := model.RunWith(cfg, rep, model.RunOptions{Context: ctx, Observer: r, SamplePeriod: r.period()})
	if err != nil {
		return nil, nil, fmt.Errorf("metrics: record: %w", err)
	}
	s := r.Series()
	s.truncate(res.End)
	return s, res, nil
}

// truncate drops the last period if it starts at or after end, the time
// the run stopped, and counts nothing: a run that stops on a period
// boundary takes a last sample there, which would otherwise open a period
// with no traffic. (A period that starts at end and holds the 502s of
// requests cut at that instant stays.)
func (s *Series) truncate(end time.Duration) {
	n := s.Len()
	if n > 1 && s.Start[n-1] >= end && s.RequestCount[n-1] == 0 && s.ELB5XX[n-1] == 0 &&
		s.TCPELBReset[n-1] == 0 && s.TCPTargetReset[n-1] == 0 {
		n--
	}
	s.Start, s.RequestCount = s.Start[:n], s.RequestCount[:n]
	s.ELB502, s.ELB503, s.ELB504, s.ELB5XX = s.ELB502[:n], s.ELB503[:n], s.ELB504[:n], s.ELB5XX[:n]
	s.TCPELBReset, s.TCPTargetReset = s.TCPELBReset[:n], s.TCPTargetReset[:n]
	s.ActiveConnectionCount, s.HealthyHostCount = s.ActiveConnectionCount[:n], s.HealthyHostCount[:n]
	for t := range s.InFlight {
		s.InFlight[t] = s.InFlight[t][:n]
	}
}

// Story returns a copy of cfg whose run, for a timeline, goes on past
// run res of cfg to show what follows the last scale-in: a run without a
// horizon stops when the last scale-in finishes, at the very moment
// connections are cut, before their clients come back. The copy's horizon
// is res.End plus the longest of a minute, six periods (zero: the
// default), and four times the longest reconnect or retry backoff cap of
// cfg's traffic (a storm of reconnects is over within a few caps); it
// keeps res's stationary start (a horizon alone would simulate the
// warm-up instead), so that up to res.End its run is res's. A cfg with a
// horizon is returned unchanged.
func Story(cfg *model.Config, res *model.Result, period time.Duration) *model.Config {
	story := *cfg
	if cfg.Horizon > 0 {
		return &story
	}
	if period <= 0 {
		period = DefaultPeriod
	}
	tail := max(time.Minute, 6*period)
	for _, tc := range cfg.Traffic {
		if tc.Reconnect != nil {
			tail = max(tail, 4*tc.Reconnect.MaxBackoff)
		}
		if tc.Retry != nil {
			tail = max(tail, 4*tc.Retry.MaxBackoff)
		}
	}
	story.Horizon = min(res.End+tail, model.MaxTime)
	if res.WarmupSkipped > 0 {
		story.Start = model.StartStationary
	}
	return &story
}
