package model

import (
	"time"

	"github.com/drainsim/drainsim/sim"
)

// The load balancer's keep-alive connections to its targets (ALB and CLB).
//
// An ALB or CLB keeps its back-end connections open between requests and
// reuses them [ALB-ATTR]; a deregistering target completes early only when
// it has "no in-flight requests and no active connections" [ALB-TG, CLB-CD],
// so an idle connection left by the last request holds the target in
// draining until it closes (serverfault 919335, seek-oss/skuba#310,
// dfds/infrastructure-modules#150: "draining always reaches the delay").
//
// Each target keeps a pool of idle connections: the time each became idle,
// most recent last. A request takes the most recently idle one (LIFO, as
// nginx's upstream keep-alive cache and Go's http.Transport do; ALB's own
// policy is not documented) or opens a new one; a request that completes
// normally returns its connection to the pool while the target's process
// accepts (a gracefully stopping app closes each connection after its
// response, as Go's Server.Shutdown and nginx's graceful quit do). An idle
// connection closes idleFor = min(app keep-alive timeout, load balancer idle
// timeout) after its last use: whichever end times out first closes it. A
// graceful app closes its idle connections at SIGTERM, and a process that
// exits or is killed takes them with it (stopAccepting empties the pool).
//
// Pushes are in time order and reuse pops the top, so the pool is sorted by
// idle-since time and the top is the newest: an idle target's connections
// are all closed idleFor after its top entry. Entries below the top that
// have timed out are not removed until a reuse finds the top closed (then
// all are); they never decide anything, as only the top is read. The
// pool's length is at most the target's largest concurrency.
//
// An NLB keeps no connections of its own: a flow is open while it is in
// flight, so its draining ends with its last flow.

// initConnections decides, once per run, whether the pool is modelled and
// how long idle connections stay open.
func (r *runner) initConnections() {
	cfg := &r.cfg
	if cfg.LoadBalancer.Type == NLB {
		return
	}
	r.pool = true
	k, idle := cfg.App.KeepaliveTimeout, cfg.LoadBalancer.IdleTimeout
	r.idleFor = cfg.idleFor()
	// The race exists only where the target closes idle connections
	// before the load balancer does (aws-behaviour §3).
	if k < idle {
		r.race, r.raceK = true, k
	}
}

// idleFor is how long the load balancer's idle keep-alive connections to
// a target stay open after their last use: min(app keep-alive timeout, load
// balancer idle timeout), or 0 for an NLB, which keeps none. c must have
// its defaults filled in.
func (c *Config) idleFor() time.Duration {
	if c.LoadBalancer.Type == NLB {
		return 0
	}
	return min(c.App.KeepaliveTimeout, c.LoadBalancer.IdleTimeout)
}

// IdleConnectionLifetime returns how long the load balancer's idle
// keep-alive connections to a target stay open after their last use, with
// c's defaults applied: min(app.keepalive_timeout, load_balancer.idle_timeout)
// for an ALB or CLB, 0 for an NLB. A drained target's last idle connection
// holds it in draining for this long after its last request ends.
func (c *Config) IdleConnectionLifetime() time.Duration {
	e := c.withDefaults()
	return e.idleFor()
}

// reuse takes an idle keep-alive connection to target t for a request, most
// recently used first, and reports whether the request hit the keep-alive
// race: the connection had been idle longer than the target's keep-alive
// timeout K, so the target has closed it, but for less than K plus the
// time its FIN takes to arrive, so the load balancer still sent on it.
// A connection idle longer than that is known closed, as are all older
// ones; the load balancer opens a new connection instead.
func (r *runner) reuse(t int32) (race bool) {
	tg := &r.targets[t]
	n := len(tg.idle)
	if n == 0 {
		return false
	}
	age := r.eng.Now() - tg.idle[n-1]
	tg.idle = tg.idle[:n-1]
	switch {
	case age <= r.idleFor:
		return false
	case r.race && age <= r.raceK+r.cfg.LoadBalancer.FINWindow:
		return true
	default:
		tg.idle = tg.idle[:0]
		return false
	}
}

// openUntil returns when target t's last open idle connection closes, or
// ok = false if it has none open.
func (r *runner) openUntil(t int32) (at time.Duration, ok bool) {
	tg := &r.targets[t]
	n := len(tg.idle)
	if n == 0 {
		return 0, false
	}
	at = tg.idle[n-1] + r.idleFor
	return at, at > r.eng.Now()
}

// emptied acts on a deregistered target that the data plane no longer
// routes to and that has nothing in flight: it records the moment, and
// completes draining now if no connection is open, or when its last idle
// connection closes [ALB-TG]. Nothing new reaches the target, so that
// moment cannot move later; it can move earlier (SIGTERM, a kill), which
// calls emptied again.
func (r *runner) emptied(t int32) {
	tg := &r.targets[t]
	if rec := &r.res.Removed[tg.removed]; rec.Emptied < 0 {
		rec.Emptied = r.eng.Now()
	}
	at, open := r.openUntil(t)
	if !open {
		r.drained(t)
		return
	}
	if tg.idleClose == 0 {
		tg.idleClose = r.eng.At(sim.Event{At: at, Kind: evIdleClose, Obj: t})
	}
}

// idleClosed closes target t's last idle connection (its idle timeout
// ran out) and completes its draining.
func (r *runner) idleClosed(t int32) {
	tg := &r.targets[t]
	tg.idleClose = 0
	tg.idle = tg.idle[:0]
	if !tg.drained && len(tg.inflight) == 0 {
		r.drained(t)
	}
}
