package model

import "time"

// Result is what one replication of a scenario produced. Counts are of
// requests and connections together unless the field says otherwise; Classes
// breaks them down per traffic class.
type Result struct {
	// Replication is the replication number, from 0.
	Replication int
	// Arrivals is how many requests and connections arrived.
	Arrivals int64
	// Completed is how many finished normally.
	Completed int64
	// Dropped is how many were dropped, all causes together.
	Dropped int64
	// DroppedByCause breaks Dropped down by Cause.
	DroppedByCause ByCause
	// InFlight is how many were still in flight when the run ended,
	// including requests waiting to be retried.
	InFlight int64
	// ELB5xx counts the failed attempts the load balancer answers with a
	// 5xx of its own, retried or not, as CloudWatch's
	// HTTPCode_ELB_5XX_Count does: ELB502 + ELB503 + ELB504. Dropped
	// counts what failed for good. An NLB logs none (see Resets), nor is
	// an established WebSocket that is cut one (see ConnectionCuts).
	ELB5xx int64
	// ELB502, ELB503 and ELB504 count those 5xx by status
	// (HTTPCode_ELB_502_Count, _503_, _504_). ALB: no_target 503,
	// unreachable 504, every other cause 502; CLB: no_target 503, every
	// other cause 504 [ALB-TS, CLB-ERR].
	ELB502, ELB503, ELB504 int64
	// Resets counts the TCP resets NLB clients see instead of a 5xx: a
	// refused or reset connection, a flow closed at delay expiry, at an
	// unhealthy verdict or when its target is killed, or no target.
	Resets int64
	// ConnectionCuts counts established long-lived connections
	// (kind = "connection", such as WebSockets) that were cut with a
	// cause rather than closed cleanly, on any load balancer. On an NLB
	// each is also a reset.
	ConnectionCuts int64
	// ConnectTimeouts counts the attempts routed to a target whose
	// instance, task or pod was gone (cause unreachable), each of which
	// the client learned of ConnectTimeout after it was sent. On an ALB
	// or CLB each is also a 504; on an NLB the client's connect timed
	// out (neither a 5xx nor a reset).
	ConnectTimeouts int64
	// Retries counts request attempts after the first.
	Retries int64
	// Reconnects counts connections opened again by clients after theirs
	// closed; each is also an arrival.
	Reconnects int64
	// Overloaded counts the attempts refused because every worker of
	// their target was busy and its backlog full (fleet.max_concurrency,
	// fleet.backlog); each is also a drop or retry of cause refused.
	Overloaded int64
	// Queued counts the attempts that waited in a target's backlog for a
	// worker; QueueWait is the total time they waited, counted as each
	// leaves the backlog (not for those still waiting when the run ends).
	Queued    int64
	QueueWait time.Duration
	// Latency counts the latencies of the completed requests (not
	// long-lived connections), arrival at the target to completion, wait
	// included, when targets have a worker limit (fleet.max_concurrency);
	// nil without one.
	Latency *LatencyHistogram `json:",omitempty"`
	// ReconnectPeakPerS is the highest reconnect rate, in connections per
	// second, over 100 ms windows.
	ReconnectPeakPerS float64
	// Classes holds per-class counts, in the order of Config.Traffic.
	Classes []ClassResult
	// Removed describes every target removed by a scale-in, in the order
	// they were picked.
	Removed []RemovedTarget
	// ScaleIns describes every scale-in event, in Config order, then one
	// per rolling update (its removals; RollingUpdateResult.ScaleIn).
	ScaleIns []ScaleInResult
	// CostUSD is the instance cost of the removed targets from each
	// scaling decision to the end of billing (RemovedTarget.BillingEnded),
	// plus that of the launched targets from their launch
	// (LaunchedTarget.CostUSD).
	CostUSD float64
	// CostBasis says what CostUSD prices: empty for the removed instances'
	// or tasks' own bills, CostPodShare for EKS, where price_per_hour is
	// a pod's share of its node and the node is saved only if the cluster
	// autoscaler or Karpenter removes it.
	CostBasis string
	// Events is how many engine events were processed.
	Events uint64
	// End is the simulated time at which the run stopped.
	End time.Duration
	// FastPath is empty when the scenario's fast is off; otherwise it says
	// whether the run took the fast path ("used (lead 3 min)") or, if not,
	// why ("not used: …").
	FastPath string `json:",omitempty"`
	// WarmupSkipped is the simulated time a stationary start did not
	// need to simulate (0 for an empty start).
	WarmupSkipped time.Duration

	// Launched describes every target launched by a scale-out or a
	// rolling update, in launch order; nil if none.
	Launched []LaunchedTarget `json:",omitempty"`
	// ScaleOuts describes every scale-out event, in Config order.
	ScaleOuts []ScaleOutResult `json:",omitempty"`
	// RollingUpdates describes every rolling update, in Config order.
	RollingUpdates []RollingUpdateResult `json:",omitempty"`
	// ScalingActions are the [autoscaling] policy's changes of desired
	// capacity, in time order; nil without a policy. A scale-in among
	// them is also a Result.ScaleIns entry, a scale-out a
	// Result.ScaleOuts entry (its targets in Launched).
	ScalingActions []ScalingAction
	// LagWeight is the likelihood ratio of the run's propagation lags
	// when RunOptions.RareLag drew them (importance sampling): estimates
	// weight the run's figures by it. It is 0 for a plain run, whose
	// weight is 1.
	LagWeight float64 `json:",omitempty"`
	// Conditional holds the run's conditional values when
	// RunOptions.Conditional asked for them and Config.ConditionalRule
	// holds; nil otherwise.
	Conditional *ConditionalDrops `json:",omitempty"`
}

// CostPodShare is Result.CostBasis for EKS: the cost is the removed pods'
// share of their nodes.
const CostPodShare = "pod_share"

// ClassResult counts one traffic class.
type ClassResult struct {
	Name           string
	Kind           string
	Arrivals       int64
	Completed      int64
	Dropped        int64
	DroppedByCause ByCause
	InFlight       int64
	ELB5xx         int64
	Retries        int64
	Reconnects     int64
	// ELB502 … ConnectTimeouts break the class's failures down as
	// Result's fields of the same names do.
	ELB502, ELB503, ELB504 int64
	Resets                 int64
	ConnectionCuts         int64
	ConnectTimeouts        int64
	// FirstError and LastError are when the class's first and last
	// request or connection failed for good (a drop), -1 if none: its
	// failure window ([ClassResult.FailureWindow]) is the span between.
	FirstError, LastError time.Duration
	// Clients is Traffic.Clients: 0 for open arrivals. For a closed-loop
	// class, ClientErrors counts each client's requests that failed for
	// good (after its retries), and ClientFirstError and ClientLastError
	// are the times of its first and last, -1 if none.
	Clients                           int
	ClientErrors                      []int64
	ClientFirstError, ClientLastError []time.Duration
}

// RemovedTarget is the life of one target after the scaling decision.
// Times are since the start of the simulation; a stage not reached before
// the run ended is -1.
type RemovedTarget struct {
	// Target is the target's index in launch order (0 is the oldest).
	Target int
	// ScaleIn is the index of the scale-in event that removed it.
	ScaleIn int
	// Decided is when the scaling decision was made.
	Decided time.Duration
	// Deregistered is when deregistration started.
	Deregistered time.Duration
	// Emptied is when the target, no longer routed, first had nothing in
	// flight: its last request or connection had ended (or was closed at
	// delay expiry).
	Emptied time.Duration
	// Drained is when draining completed: no longer routed, nothing in
	// flight and no keep-alive connection open, or the delay expired
	// [ALB-TG].
	Drained time.Duration
	// Terminated is when the instance was terminated.
	Terminated time.Duration
	// BillingEnded is when billing stopped: on EC2 when the instance
	// entered shutting-down (the OS shutdown began) [EC2-STATE], for an
	// ECS task or EKS pod when it ended.
	BillingEnded time.Duration
	// InFlightAtDeregistration is how many it had in flight when
	// deregistration started.
	InFlightAtDeregistration int64
	// CostUSD is price × (BillingEnded − Decided), or up to the end of
	// the run if billing had not ended.
	CostUSD float64
}

// DrainTime returns Drained − Deregistered, or -1 if draining did not
// complete or never started (a target terminated without deregistration).
func (r RemovedTarget) DrainTime() time.Duration {
	if r.Drained < 0 || r.Deregistered < 0 {
		return -1
	}
	return r.Drained - r.Deregistered
}

// IdleHold returns Drained − Emptied: how long idle keep-alive
// connections held the target in draining after its last request ended,
// or -1 if either did not happen.
func (r RemovedTarget) IdleHold() time.Duration {
	if r.Drained < 0 || r.Emptied < 0 {
		return -1
	}
	return r.Drained - r.Emptied
}

// ScaleInResult is one scale-in event.
type ScaleInResult struct {
	// At is the decision time.
	At time.Duration
	// Targets is how many targets it removed.
	Targets int
	// Finished is when its last instance was terminated, or -1.
	Finished time.Duration
}

// Duration returns Finished − At, or -1 if it did not finish.
func (s ScaleInResult) Duration() time.Duration {
	if s.Finished < 0 {
		return -1
	}
	return s.Finished - s.At
}
