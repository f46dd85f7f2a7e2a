package model

import (
	"math/rand/v2"
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
// Each target keeps, per load balancer node (load_balancer.nodes [ALB-AZ]),
// a pool of idle connections: the time each became idle, most recent last.
// A request goes through one node, drawn uniformly, and takes one of that
// node's idle connections by load_balancer.pool_policy — by default the
// most recently idle (LIFO, as nginx's upstream keep-alive cache and Go's
// http.Transport do; ALB's own policy is not documented) — or opens a new
// one; a request that completes normally returns its connection to its
// node's pool while the target's process accepts (a gracefully stopping app closes each connection after its
// response, as Go's Server.Shutdown and nginx's graceful quit do). An idle
// connection closes idleFor = min(app keep-alive timeout, load balancer idle
// timeout) after its last use: whichever end times out first closes it. A
// graceful app closes its idle connections at SIGTERM, and a process that
// exits or is killed takes them with it (stopAccepting empties the pool).
//
// Pushes are in time order and reuse removes one entry, so each pool is
// sorted by idle-since time and its top is the newest: an idle target's
// connections are all closed idleFor after the newest top of its pools.
// Entries that have timed out are not removed until a reuse meets them
// (LIFO: until it finds the top closed, then all are); they never decide
// anything. A pool's length is at most the target's largest concurrency.
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
	r.known = r.idleFor
	// The race exists only where the target closes idle connections
	// before the load balancer does (aws-behaviour §3).
	if k < idle {
		r.race, r.raceK = true, k
		r.known = k + cfg.LoadBalancer.FINWindow
	}
	r.nodes = max(cfg.LoadBalancer.Nodes, 1)
	r.policy = cfg.LoadBalancer.PoolPolicy
	if r.nodes > 1 {
		r.nodeRand = rand.New(Source(cfg.Seed, r.res.Replication, streamNode))
	}
	if r.policy == PoolRandom {
		r.poolRand = rand.New(Source(cfg.Seed, r.res.Replication, streamPool))
	}
}

// DefaultNodes returns the number of load balancer nodes drainsim assumes
// send requests to each target when load_balancer.nodes is unset: 2 for an
// ALB, which has at least one node in each of at least two Availability
// Zones [ALB-AZ] and, with cross-zone load balancing (an ALB's
// default), routes from every node to every target; 1 for a CLB, which may
// have a single zone; 0 for an NLB, which keeps no connections.
func DefaultNodes(t LBType) int {
	switch t {
	case NLB:
		return 0
	case CLB:
		return 1
	default:
		return 2
	}
}

// maxNodes bounds load_balancer.nodes.
const maxNodes = 100

// chooseNode draws the load balancer node an attempt goes through,
// uniformly: clients resolve the load balancer's name to its nodes'
// addresses and spread over them. 0 with one node (no draw).
func (r *runner) chooseNode() int {
	if r.nodes <= 1 {
		r.curNode = 0
		return 0
	}
	r.curNode = r.nodeRand.IntN(r.nodes)
	return r.curNode
}

// slotNode returns the node request slot went through.
func (r *runner) slotNode(slot int32) int {
	if r.nodes <= 1 {
		return 0
	}
	return int(r.node[slot])
}

// keepIdle returns a connection of node k to target t's pool, idle from
// now.
func (r *runner) keepIdle(t int32, k int) {
	tg := &r.targets[t]
	if tg.idle == nil {
		tg.idle = make([][]time.Duration, r.nodes)
	}
	tg.idle[k] = append(tg.idle[k], r.eng.Now())
}

// clearPools closes every idle connection to tg.
func clearPools(tg *target) {
	for k := range tg.idle {
		tg.idle[k] = tg.idle[k][:0]
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

// reuse takes an idle keep-alive connection of node k to target t for a
// request, by the pool policy, and reports whether the request hit the
// keep-alive race: the connection had been idle longer than the target's
// keep-alive timeout K, so the target has closed it, but for less than K
// plus the time its FIN takes to arrive (r.known), so the load balancer
// still sent on it. A connection idle longer than that is known closed, as
// are all older ones: they leave the pool, and if none is left the load
// balancer opens a new connection.
//
// The pool is sorted by idle-since time, oldest first: "lifo" takes the
// last, "fifo" the first still open, "random" a uniform one among those
// still open. Taking any entry keeps the order.
func (r *runner) reuse(t int32, k int) (race bool) {
	tg := &r.targets[t]
	if tg.idle == nil {
		return false
	}
	p := tg.idle[k]
	n := len(p)
	if n == 0 {
		return false
	}
	now := r.eng.Now()
	var i int
	switch r.policy {
	case PoolFIFO, PoolRandom:
		// Drop the connections known closed: the oldest ones.
		j := 0
		for j < n && now-p[j] > r.known {
			j++
		}
		if j == n {
			tg.idle[k] = p[:0]
			return false
		}
		if j > 0 {
			p = append(p[:0], p[j:]...)
			n = len(p)
		}
		if r.policy == PoolRandom {
			i = r.poolRand.IntN(n)
		}
	default:
		i = n - 1
	}
	age := now - p[i]
	p = append(p[:i], p[i+1:]...)
	tg.idle[k] = p
	switch {
	case age <= r.idleFor:
		return false
	case r.race && age <= r.known:
		return true
	default:
		// Known closed, and so is everything older (LIFO: all).
		tg.idle[k] = p[:0]
		return false
	}
}

// openUntil returns when target t's last open idle connection closes, or
// ok = false if it has none open.
func (r *runner) openUntil(t int32) (at time.Duration, ok bool) {
	tg := &r.targets[t]
	for _, p := range tg.idle {
		if n := len(p); n > 0 && (!ok || p[n-1]+r.idleFor > at) {
			at, ok = p[n-1]+r.idleFor, true
		}
	}
	if !ok {
		return 0, false
	}
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
	clearPools(tg)
	if !tg.drained && len(tg.inflight) == 0 {
		r.drained(t)
	}
}
