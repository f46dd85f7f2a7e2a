package model

import (
	"math"
	"slices"
	"time"

	"github.com/drainsim/drainsim/sim"
)

// Target capacity (fleet.max_concurrency, fleet.backlog): each target
// serves at most that many requests and connections at once (its worker
// pool) and holds at most backlog more waiting, first in first out (its
// accept queue). A waiting request is in flight for the load balancer
// (it counts for least outstanding requests and keeps draining going)
// but has no completion event until a worker takes it; then it runs for
// its whole duration, so its wait adds to its life. docs/model.md,
// "Target capacity".

// queued is a request waiting in a target's backlog.
type queued struct {
	slot  int32
	d     time.Duration // its service time, which starts when a worker takes it
	since time.Duration // when it arrived
}

// busy returns how many of target t's requests are being served.
func (r *runner) busy(t int32) int {
	tg := &r.targets[t]
	return len(tg.inflight) - len(tg.queue)
}

// full reports whether target t has every worker busy and a full backlog.
func (r *runner) full(t int32) bool {
	return r.workers < math.MaxInt && r.busy(t) >= r.workers && len(r.targets[t].queue) >= r.cfg.Fleet.Backlog
}

// Utilisation returns the share of target t's workers that are busy, in
// [0, 1]; 0 without a worker limit.
func (r *runner) utilisation(t int32) float64 {
	if r.workers == math.MaxInt {
		return 0
	}
	return float64(r.busy(t)) / float64(r.workers)
}

// queuedFor returns the service time of the waiting request slot of
// target t.
func (r *runner) queuedFor(t int32, slot int32) time.Duration {
	q := r.targets[t].queue
	if k := queueIndex(q, slot); k >= 0 {
		return q[k].d
	}
	return 0
}

// release updates target t's backlog after request slot left it (already
// detached from inflight): a waiting one leaves the queue; a served one
// frees a worker for the oldest waiting request.
func (r *runner) release(t int32, slot int32, waiting bool) {
	tg := &r.targets[t]
	if waiting {
		if k := queueIndex(tg.queue, slot); k >= 0 {
			r.res.QueueWait += r.eng.Now() - tg.queue[k].since
			tg.queue = slices.Delete(tg.queue, k, k+1)
		}
		return
	}
	for len(tg.queue) > 0 && r.busy(t) < r.workers {
		e := tg.queue[0]
		tg.queue = tg.queue[1:]
		r.res.QueueWait += r.eng.Now() - e.since
		r.reqs[e.slot].ev = r.eng.After(e.d, sim.Event{Kind: evComplete, Arg: uint64(e.slot)})
	}
}

// queueIndex returns the index of slot in q, or -1. It searches from the
// back: closeAll empties a backlog from its newest end, so each look-up
// there is O(1).
func queueIndex(q []queued, slot int32) int {
	for k := len(q) - 1; k >= 0; k-- {
		if q[k].slot == slot {
			return k
		}
	}
	return -1
}
