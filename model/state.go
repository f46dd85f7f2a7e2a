package model

// TargetState is the state of a target (and, at the end, of its instance)
// as the load balancer reports it [TH]. Transitions, in the style of
// net/http.ConnState:
type TargetState uint8

const (
	// StateInitial: registered, health checks not yet passed; receives no
	// traffic. Moves to StateHealthy.
	StateInitial TargetState = iota
	// StateHealthy: in service; receives new requests and connections.
	// Moves to StateDraining when deregistered.
	StateHealthy
	// StateDraining: deregistered; no new traffic is routed to it, and
	// what it has in flight may finish until the deregistration delay
	// expires [ALB-TG, NLB-TG, CLB-CD]. Moves to StateUnused.
	StateDraining
	// StateUnused: deregistration is complete, because nothing was left
	// in flight or the delay expired. The ASG terminates the instance
	// from here [ASG-LC]. AWS keeps showing an ALB target as draining
	// until the delay ends even when it finished early; no traffic is
	// routed either way. Moves to StateTerminated. An NLB target's flows
	// may live on in this state when connection termination is off.
	StateUnused
	// StateTerminated: the instance is gone; whatever it still had open
	// was dropped (cause killed). Final.
	StateTerminated
)

var stateNames = [...]string{
	StateInitial:    "initial",
	StateHealthy:    "healthy",
	StateDraining:   "draining",
	StateUnused:     "unused",
	StateTerminated: "terminated",
}

func (s TargetState) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "TargetState(?)"
}

// Cause says why a request or connection was dropped.
type Cause uint8

const (
	// CauseDelayExpired: still in flight when the deregistration delay
	// expired and the load balancer closed it (ALB 502 [ALB-TS]; CLB
	// forced close [CLB-CD]; NLB with connection termination [NLB-TG]);
	// also everything in flight on a CLB with connection draining
	// disabled, closed at deregistration.
	CauseDelayExpired Cause = iota
	// CauseKilled: still open when the instance or process was
	// terminated.
	CauseKilled
	// CauseNoTarget: arrived when no target could take it (ALB 503
	// [ALB-TS], CLB 503 [CLB-ERR]).
	CauseNoTarget
	// CauseRefused: routed (during the propagation lag, or failing open)
	// to a target whose process had stopped listening or exited while its
	// host is up: the host answers with a reset at once (ALB 502
	// "connection refused" [ALB-TS]). Compare CauseUnreachable.
	CauseRefused
	// CauseKeepaliveRace: sent on an idle keep-alive connection that the
	// target was closing (ALB 502 [ALB-TS]; aws-behaviour §3).
	CauseKeepaliveRace
	// CauseUnhealthyReset: an NLB flow reset because its target was
	// declared unhealthy ([TGA]
	// target_health_state.unhealthy.connection_termination.enabled).
	CauseUnhealthyReset
	// CauseUnreachable: routed during the propagation lag to a target
	// whose instance, Fargate task ENI or pod IP is gone: nothing answers
	// the load balancer's connection attempt, so it gives up after its
	// 10 s connect timeout (ALB 504 [ALB-TS]; aws-load-balancer-controller
	// #1064) and the client learns of the failure only then. Appended
	// last so that the indices and names of the causes above stay.
	CauseUnreachable
	// NumCauses is the number of causes; arrays indexed by Cause have
	// this length.
	NumCauses
)

var causeNames = [...]string{
	CauseDelayExpired:   "delay_expired",
	CauseKilled:         "killed",
	CauseNoTarget:       "no_target",
	CauseRefused:        "refused",
	CauseKeepaliveRace:  "keepalive_race",
	CauseUnhealthyReset: "unhealthy_reset",
	CauseUnreachable:    "unreachable",
}

func (c Cause) String() string {
	if int(c) < len(causeNames) {
		return causeNames[c]
	}
	return "Cause(?)"
}

// ByCause counts drops per cause, indexed by Cause.
type ByCause [NumCauses]int64

// Total returns the sum over all causes.
func (b *ByCause) Total() int64 {
	var t int64
	for _, v := range b {
		t += v
	}
	return t
}
