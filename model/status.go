package model

import (
	"time"

	"github.com/drainsim/drainsim/sim"
)

// ConnectTimeout is how long a load balancer tries to open a connection to
// a target before it gives up: an ALB answers 504 when it gets "no
// connection within 10 s" [ALB-TS], which is what a client sees when the
// target's instance, Fargate ENI or pod IP is gone during the propagation
// lag (aws-load-balancer-controller #1064; aws-behaviour §3). drainsim uses
// the same 10 s for a CLB (whose back-end connect timeout is not
// documented) and, for an NLB, as the client's own connect timeout, which
// varies by client (a modelling choice; docs/model.md).
const ConnectTimeout = 10 * time.Second

// failure is what the client and the load balancer's logs see of one
// failed attempt.
type failure struct {
	// code is the HTTP status the load balancer answers and logs in
	// HTTPCode_ELB_5XX_Count: 502, 503 or 504; 0 when there is none (an
	// NLB, which is TCP; an established long-lived connection cut after
	// its 101; an NLB connect that timed out).
	code int
	// reset: the client sees a TCP reset (NLB).
	reset bool
	// cut: an established long-lived connection was cut.
	cut bool
}

// failureOf returns what a failed attempt of class c with cause looks
// like. dispatched tells whether the target had it (cut in flight) rather
// than failing at routing or connecting.
//
// ALB [ALB-TS]: no_target 503; unreachable 504 (no connection within
// 10 s); every other cause 502 (refused, target closed, delay expired,
// keep-alive race, killed). CLB [CLB-ERR; repost 504-error-classic]:
// no_target 503; every other cause 504, as a CLB answers 504 where an
// instance closes or resets the connection (aws-behaviour §3). NLB: no
// HTTP status; a reset for every cause but unreachable, whose SYN simply
// goes unanswered. A long-lived connection (WebSocket) cut after it was
// established is not a 5xx on an ALB or CLB: the 101 was sent before.
func (r *runner) failureOf(c int, cause Cause, dispatched bool) failure {
	f := failure{cut: dispatched && r.classes[c].connection}
	switch lb := r.cfg.LoadBalancer.Type; {
	case lb == NLB:
		f.reset = cause != CauseUnreachable
	case f.cut:
	case cause == CauseNoTarget:
		f.code = 503
	case lb == CLB, cause == CauseUnreachable:
		f.code = 504
	default:
		f.code = 502
	}
	return f
}

// tally counts failure f of class c in the result.
func (r *runner) tally(c int, f failure) {
	cr := &r.res.Classes[c]
	switch f.code {
	case 502:
		r.res.ELB502++
		cr.ELB502++
	case 503:
		r.res.ELB503++
		cr.ELB503++
	case 504:
		r.res.ELB504++
		cr.ELB504++
	}
	if f.code != 0 {
		r.res.ELB5xx++
		cr.ELB5xx++
	}
	if f.reset {
		r.res.Resets++
		cr.Resets++
	}
	if f.cut {
		r.res.ConnectionCuts++
		cr.ConnectionCuts++
	}
}

// connectTimeout holds attempt n of class c, routed to target t whose
// instance, task or pod is gone, for ConnectTimeout: the load balancer
// waits for a connection that never comes, and only then answers 504
// [ALB-TS]. The attempt stays live, counted with the requests waiting to
// retry (the client holds it), and its retry backoff starts when the
// client learns of the failure. The event is awaited by a run without a
// horizon as a retry is (backoffEvent), and so is the retry it leads to.
func (r *runner) connectTimeout(c int, t int32, d time.Duration, n int) {
	r.classes[c].waiting++
	r.classes[c].connecting++
	arg := packRetry(min(n, 255), false, d)
	if r.pending > 0 || r.await {
		arg |= argAwaited
		r.client++
	}
	obj := int32(uint32(t)<<tcaClassBits | uint32(c))
	if r.classes[c].closed != nil {
		r.cl.timeouts = append(r.cl.timeouts, r.cl.cur) // closedloop.go
	}
	r.eng.After(ConnectTimeout, sim.Event{Kind: evTimeout, Obj: obj, Arg: arg})
}

// unreachable ends an attempt held by connectTimeout: it fails with cause
// unreachable, ConnectTimeout after it reached the load balancer.
func (r *runner) unreachable(obj int32, arg uint64) {
	c := int(uint32(obj) & (1<<tcaClassBits - 1))
	t := int32(uint32(obj) >> tcaClassBits)
	n := int(arg >> 56)
	d := time.Duration(arg & argDurationMask)
	cl := &r.classes[c]
	cl.waiting--
	cl.connecting--
	r.res.ConnectTimeouts++
	r.res.Classes[c].ConnectTimeouts++
	if r.obs != nil {
		r.observe(c, n, t, r.eng.Now()-ConnectTimeout, false, true, CauseUnreachable)
	}
	if cl.connection {
		// A connecting client's wait comes out of its session.
		d = max(d-ConnectTimeout, 0)
	}
	awaited := arg&argAwaited != 0
	r.await = awaited
	prev := r.cl.cur
	if cl.closed != nil {
		r.cl.cur, r.cl.timeouts = r.cl.timeouts[0], r.cl.timeouts[1:] // closedloop.go
	}
	r.fail(c, d, n, CauseUnreachable)
	r.cl.cur = prev
	r.await = false
	if awaited {
		r.client--
		r.maybeDone()
	}
}
