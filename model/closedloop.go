package model

import (
	"time"

	"github.com/drainsim/drainsim/sim"
)

// Closed-loop clients (Traffic.Clients; docs/model.md, "Closed-loop
// clients"). A closed-loop class has N clients instead of an arrival rate.
// Each client sends a request, waits for its end — completed, or failed
// for good after its retries: refused or cut (502) at once, unreachable
// (504) after ConnectTimeout — thinks for a draw of ThinkTime, and sends
// the next. That is how load tools (hey, wrk, JMeter threads, k6 virtual
// users) and many real callers behave: a failure comes back and the next
// request follows it, where open Poisson arrivals keep coming whatever
// happened to the last one. The field reports measured their errors with
// such clients: a `while true; curl …; sleep 1; done` loop
// (aws-load-balancer-controller #1719) and Fortio's threads, each waiting
// for its response (#1065); docs/model.md, "Closed-loop clients".
//
// The request itself goes through the same lifecycle as an open arrival
// (attempt, start, complete, fail, retry, connectTimeout); the only state
// it adds is which client a request belongs to, carried as client+1 (0:
// none) in closedState.cur while the runner handles one of the client's
// requests, in closedState.owner per request slot while it is in flight,
// in a retry event's Obj (above the class's bits) while it waits for its
// backoff, and in closedState.timeouts while the load balancer waits for
// a connection that never comes (every such wait is ConnectTimeout long,
// so they end in the order they began).

// maxClients bounds Traffic.Clients: client+1 must fit in a retry event's
// Obj above the class's tcaClassBits (31 − 10 = 21 bits).
const maxClients = 1000000

// streamThinkBase is the base of the closed-loop streams: class i's think
// times and first phases are drawn from streamThinkBase+i, so no existing
// stream moves.
const streamThinkBase = 5 << 20

// ClientRoundTrip is the least time between a closed-loop client's
// request and its next one when the first ended the instant it was sent
// (an error answered at once) and the client has no think time: the
// round trip that brings the answer back, 1 ms as load_balancer.fin_window's default
// (about one round trip inside a VPC; a modelling choice, docs/model.md
// "Closed-loop clients").
const ClientRoundTrip = time.Millisecond

// closedLoop is the per-class state of a closed-loop class.
type closedLoop struct {
	think Law             // ThinkTime; nil for none (0)
	sent  []time.Duration // per client: when its current request was sent
}

// closedState is the runner's closed-loop bookkeeping; owner is nil when
// no class is closed-loop.
type closedState struct {
	cur      int32   // client+1 of the request being handled, or 0
	owner    []int32 // per request slot: its client+1, or 0
	timeouts []int32 // client+1 of each closed-loop attempt held by connectTimeout, oldest first
}

// validateClients checks a closed-loop class: Clients in range, no rate
// beside it, kind request, and its think time.
func (t *Traffic) validateClients(p string, es *errs) {
	if t.Clients == 0 {
		es.add(p+".think_time", "needs clients: only a closed-loop class thinks between requests")
		return
	}
	if t.Rate != 0 || t.Diurnal != nil || len(t.Profile) > 0 || t.RateFile != "" {
		es.add(p+".clients", "set either clients (closed loop) or one of rate, profile, diurnal and rate_file (open arrivals), not both")
	}
	if t.Clients < 1 || t.Clients > maxClients {
		es.add(p+".clients", "must be 1–%d (got %d)", maxClients, t.Clients)
	}
	if t.Kind == KindConnection {
		es.add(p+".clients", "applies to kind request only: a connection class's clients already hold one connection each (use reconnect)")
	}
	if t.ThinkTime.Distribution != "" {
		t.ThinkTime.validate(p+".think_time", es)
	}
}

// closedLoopCount returns how many classes of c are closed-loop.
func (c *Config) closedLoopCount() int {
	n := 0
	for i := range c.Traffic {
		if c.Traffic[i].Clients > 0 {
			n++
		}
	}
	return n
}

// startClients sets up closed-loop class c at time t0: every client sends
// its first request after an independent draw of the think time (all at
// t0 without one). The run starts empty: a closed-loop class disables the
// stationary start (stationaryStart), and the warm-up is simulated.
func (r *runner) startClients(c int, tc *Traffic, t0 time.Duration) {
	src := Source(r.cfg.Seed, r.res.Replication, streamThinkBase+uint64(c))
	cl := &closedLoop{}
	if tc.ThinkTime.Distribution != "" {
		cl.think = tc.ThinkTime.Law(src)
	}
	cl.sent = make([]time.Duration, tc.Clients)
	r.classes[c].closed = cl
	if r.cl.owner == nil {
		r.cl.owner = make([]int32, 0, cap(r.reqs))
	}
	cr := &r.res.Classes[c]
	cr.Clients = tc.Clients
	cr.ClientErrors = make([]int64, tc.Clients)
	cr.ClientFirstError = make([]time.Duration, tc.Clients)
	cr.ClientLastError = make([]time.Duration, tc.Clients)
	for k := range tc.Clients {
		cr.ClientFirstError[k], cr.ClientLastError[k] = -1, -1
		r.eng.At(sim.Event{At: t0 + r.thinkTime(cl), Kind: evClientSend, Obj: int32(c), Arg: uint64(k)})
	}
}

// thinkTime draws a client's think time.
func (r *runner) thinkTime(cl *closedLoop) time.Duration {
	if cl.think == nil {
		return 0
	}
	return toDuration(cl.think.Rand())
}

// send sends client k's next request of class c.
func (r *runner) send(c int, k int32) {
	prev := r.cl.cur
	r.cl.cur = k + 1
	r.classes[c].closed.sent[k] = r.eng.Now()
	d := toDuration(r.classes[c].law.Rand())
	r.admit(c)
	r.attempt(c, d, 1)
	r.cl.cur = prev
}

// clientEnd ends the request of client k+1 (as carried: k is client+1)
// of class c: a failure for good is counted against the client, and the
// client sends its next request after a think time.
func (r *runner) clientEnd(c int, k int32, failed bool) {
	i := k - 1
	if failed {
		cr := &r.res.Classes[c]
		now := r.eng.Now()
		cr.ClientErrors[i]++
		if cr.ClientFirstError[i] < 0 {
			cr.ClientFirstError[i] = now
		}
		cr.ClientLastError[i] = now
	}
	cl := r.classes[c].closed
	w := r.thinkTime(cl)
	if w == 0 && cl.sent[i] == r.eng.Now() {
		// A request that ended the instant it was sent (an error
		// answered at once: 503 with no target, a refused connection;
		// or a zero duration) would otherwise bring the next at the same
		// instant, for ever: the client needs at least the round trip
		// that brought the answer back.
		w = ClientRoundTrip
	}
	r.eng.After(w, sim.Event{Kind: evClientSend, Obj: int32(c), Arg: uint64(i)})
}

// own records the current client as the owner of request slot (start).
func (r *runner) own(slot int32) {
	if r.cl.owner == nil {
		return
	}
	for len(r.cl.owner) <= int(slot) {
		r.cl.owner = append(r.cl.owner, 0)
	}
	r.cl.owner[slot] = r.cl.cur
}

// ownerOf returns client+1 of the request in slot, or 0.
func (r *runner) ownerOf(slot int32) int32 {
	if int(slot) >= len(r.cl.owner) {
		return 0
	}
	return r.cl.owner[slot]
}

// clientObj returns a retry event's Obj for class c: the class, with the
// current client+1 above it (unchanged for an open class).
func (r *runner) clientObj(c int) int32 {
	return r.cl.cur<<tcaClassBits | int32(c)
}

// splitClientObj undoes clientObj.
func splitClientObj(obj int) (c int, k int32) {
	return obj & (1<<tcaClassBits - 1), int32(obj >> tcaClassBits)
}

// failureWindow returns last − first, or -1 when there is no error.
func failureWindow(first, last time.Duration) time.Duration {
	if first < 0 || last < 0 {
		return -1
	}
	return last - first
}

// FailureWindow returns LastError − FirstError: how long the class's
// failures went on, or -1 if it had none.
func (c ClassResult) FailureWindow() time.Duration { return failureWindow(c.FirstError, c.LastError) }

// ClientFailureWindow returns client k's failure window (its last error
// minus its first), or -1 if it had none or the class is not closed-loop.
func (c ClassResult) ClientFailureWindow(k int) time.Duration {
	if k < 0 || k >= len(c.ClientErrors) {
		return -1
	}
	return failureWindow(c.ClientFirstError[k], c.ClientLastError[k])
}

// FailureWindow returns the run's failure window over every class: from
// the first drop to the last, or -1 if there was none.
func (r *Result) FailureWindow() time.Duration {
	first, last := time.Duration(-1), time.Duration(-1)
	for _, c := range r.Classes {
		if c.FirstError >= 0 && (first < 0 || c.FirstError < first) {
			first = c.FirstError
		}
		last = max(last, c.LastError)
	}
	return failureWindow(first, last)
}

// ClosedLoopRate returns a closed-loop class's request rate per second
// with no queueing: Clients / (E[duration] + E[think_time]), the
// interactive response time law (exact when no worker limit makes
// requests wait, and no failure shortens a cycle); 0 for an open class.
func (t *Traffic) ClosedLoopRate() float64 {
	if t.Clients <= 0 {
		return 0
	}
	cycle := t.Duration.Law(Source(0, 0, 0)).Mean()
	if t.ThinkTime.Distribution != "" {
		cycle += t.ThinkTime.Law(Source(0, 0, 0)).Mean()
	}
	if !(cycle > 0) {
		return 0
	}
	return float64(t.Clients) / cycle
}
