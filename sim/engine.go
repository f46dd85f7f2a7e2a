package sim

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"time"
)

// Kind tells a Handler what an event means. The engine never interprets it.
type Kind uint32

// Event is one scheduled occurrence. It is a plain value: the engine copies
// it into and out of its queue.
type Event struct {
	// At is when the event happens, as a duration since the start.
	At time.Duration
	// Kind is the caller's event type.
	Kind Kind
	// Obj and Arg are the caller's payload, for example a target index and
	// a request slot.
	Obj int32
	Arg uint64
}

// Handler receives events in (time, sequence) order. Handle may schedule
// and cancel events on the engine it is given.
type Handler interface {
	Handle(e *Engine, ev Event)
}

// Handle identifies a scheduled event so that it can be cancelled. The zero
// Handle is never issued and refers to no event.
type Handle uint64

// The queue is a 4-ary min-heap of 16-byte nodes ordered by (time,
// sequence): four children share a cache line, a sift visits half the
// levels of a binary heap, and the least of four children is found without
// branches (see lessBit). Each pending event owns a slot; per-slot tables
// hold what the heap does not need to move: the payload, the heap index
// (for Cancel and When) and a generation count (for Handle validity).
// Slots are reused last-freed first, so the tables stay as large as the
// most events ever pending at once.

// node is a queued event's ordering key: its time, then seq<<32 | slot.
// Sequence numbers are unique among pending events and fit in 32 bits
// (see renumber), so comparing key compares sequence numbers.
type node struct {
	at  time.Duration
	key uint64
}

func (n *node) slot() uint32 { return uint32(n.key) }

// slotData is what the engine keeps per slot: 24 bytes.
type slotData struct {
	// arg is the event's Arg; in a free slot, the next free slot + 1
	// (0 ends the free list).
	arg  uint64
	kind Kind
	obj  int32
	// gen counts the slot's releases, so that a stale Handle cannot
	// cancel a later event in the same slot.
	gen uint32
	// pos is the heap index of the slot's event, or -1 when the slot is
	// free.
	pos int32
}

// Engine is a discrete-event scheduler. The zero value is not usable; call
// [New].
type Engine struct {
	now     time.Duration
	seq     uint64 // sequence number of the last event scheduled
	handled uint64
	heap    []node
	data    []slotData
	// free is the first free slot + 1, or 0 if none; the free slots are
	// linked through slotData.arg, most recently freed first.
	free uint32
	h    Handler
	// root says whether heap[0] is the earliest pending event; see
	// rootSifted.
	root uint8
	// seqMax is the sequence number at which At renumbers: 2³² − 1, lower
	// in tests.
	seqMax uint64
	// same counts the events delivered at the current time; instantMax
	// is the most allowed (MaxSameInstant, lower in tests).
	same, instantMax uint64
	// err, once set (Stop or the same-instant limit), stops delivery.
	err error
}

// MaxSameInstant is the most events an engine delivers at one simulated
// instant before it stops with an error (see [Engine.Err]): 10⁸, far more
// than a model schedules at one time (it would need 10⁸ requests or
// timers due at the same nanosecond), so reaching it means a handler
// keeps scheduling events at the current time, a loop that would
// otherwise never end.
const MaxSameInstant = 100_000_000

// New returns an engine at time zero that delivers events to h.
func New(h Handler) *Engine {
	return &Engine{h: h, seqMax: math.MaxUint32, instantMax: MaxSameInstant}
}

// Stop makes the engine deliver no more events: Step returns false and
// Run and RunUntil return, leaving the clock where it is. Err then
// returns err. A handler may call it, for example when its run is
// cancelled. A nil err is ignored.
func (e *Engine) Stop(err error) {
	if err != nil && e.err == nil {
		e.err = err
	}
}

// Err returns why the engine stopped delivering events: the error given
// to Stop, or an error saying that more than MaxSameInstant events were
// delivered at one instant. It is nil while the engine runs normally.
func (e *Engine) Err() error { return e.err }

// Now returns the current simulated time: the time of the event being
// handled, or of the last one handled.
func (e *Engine) Now() time.Duration { return e.now }

// Handled returns how many events have been delivered so far.
func (e *Engine) Handled() uint64 { return e.handled }

// Pending returns how many events are scheduled and not yet delivered or
// cancelled.
func (e *Engine) Pending() int {
	if e.root == rootHole {
		return len(e.heap) - 1
	}
	return len(e.heap)
}

// Reserve grows the queue's capacity to hold n events without reallocating.
func (e *Engine) Reserve(n int) {
	if n > cap(e.heap) {
		h := make([]node, len(e.heap), n)
		copy(h, e.heap)
		e.heap = h
	}
	// The handle table must not reallocate either.
	if n > cap(e.data) {
		data := make([]slotData, len(e.data), n)
		copy(data, e.data)
		e.data = data
	}
}

// At schedules ev at absolute time ev.At and returns its handle. An event
// in the past is moved to the current time (it runs after the events
// already scheduled for now). Complexity O(log n).
func (e *Engine) At(ev Event) Handle {
	if ev.At < e.now {
		ev.At = e.now
	}
	var slot uint32
	if e.free != 0 {
		slot = e.free - 1
		e.free = uint32(e.data[slot].arg)
	} else {
		if len(e.data) >= math.MaxInt32 {
			panic("sim: too many pending events")
		}
		slot = uint32(len(e.data))
		e.data = append(e.data, slotData{pos: -1})
	}
	if e.seq >= e.seqMax {
		e.renumber()
	}
	e.seq++
	d := &e.data[slot]
	d.arg, d.kind, d.obj = ev.Arg, ev.Kind, ev.Obj
	x := node{at: ev.At, key: e.seq<<32 | uint64(slot)}
	switch e.root {
	case rootHole:
		// Hold the event at the root until the handler returns or
		// schedules another.
		e.heap[0] = x
		d.pos = 0
		e.root = rootUnsifted
	case rootUnsifted:
		// The earlier of the two takes the root, the other a leaf.
		e.root = rootSifted
		if y := e.heap[0]; less(&x, &y) {
			e.heap[0], x = x, y
		}
		e.down(0)
		e.heap = append(e.heap, x)
		e.up(len(e.heap) - 1)
	default:
		e.heap = append(e.heap, x)
		e.up(len(e.heap) - 1)
	}
	return Handle(uint64(d.gen)<<32 | uint64(slot) + 1)
}

// After schedules ev at d after the current time, ignoring ev.At.
func (e *Engine) After(d time.Duration, ev Event) Handle {
	ev.At = e.now + d
	return e.At(ev)
}

// Cancel removes a pending event. It reports whether the event was still
// pending; cancelling a delivered, cancelled or zero Handle is a no-op that
// returns false. Complexity O(log n).
func (e *Engine) Cancel(h Handle) bool {
	if h == 0 {
		return false
	}
	v := uint64(h) - 1
	slot, g := uint32(v), uint32(v>>32)
	if int(slot) >= len(e.data) || e.data[slot].gen != g || e.data[slot].pos < 0 {
		return false
	}
	i := int(e.data[slot].pos)
	if i == 0 && e.root == rootUnsifted {
		// The handler's own new event, not yet sifted: the root is
		// empty again.
		e.release(slot)
		e.root = rootHole
		return true
	}
	e.settle()
	i = int(e.data[slot].pos)
	e.release(slot)
	last := len(e.heap) - 1
	if i != last {
		e.heap[i] = e.heap[last]
	}
	e.heap = e.heap[:last]
	if i != last {
		if !e.down(i) {
			e.up(i)
		}
	}
	return true
}

// When returns the time of a pending event and true, or 0 and false if the
// handle refers to no pending event. Complexity O(1).
func (e *Engine) When(h Handle) (time.Duration, bool) {
	if h == 0 {
		return 0, false
	}
	v := uint64(h) - 1
	slot, g := uint32(v), uint32(v>>32)
	if int(slot) >= len(e.data) || e.data[slot].gen != g || e.data[slot].pos < 0 {
		return 0, false
	}
	return e.heap[e.data[slot].pos].at, true
}

// Step delivers the earliest pending event and reports whether there was
// one. It delivers nothing and returns false once the engine has stopped
// (see [Engine.Err]). Complexity O(log n) plus the handler's work.
func (e *Engine) Step() bool {
	e.settle()
	if len(e.heap) == 0 || e.err != nil {
		return false
	}
	top := e.heap[0]
	if top.at == e.now {
		e.same++
		if e.same > e.instantMax {
			e.err = fmt.Errorf("sim: more than %d events at %v: a handler keeps scheduling events at the current time", e.instantMax, e.now)
			return false
		}
	} else {
		e.same = 1
	}
	slot := top.slot()
	d := e.data[slot]
	e.release(slot)
	// The root stays empty while the handler runs, for an event it
	// schedules (see rootHole).
	e.root = rootHole
	e.now = top.at
	e.handled++
	e.h.Handle(e, Event{At: top.at, Kind: d.kind, Obj: d.obj, Arg: d.arg})
	e.settle()
	return true
}

// Run delivers events until none are pending or the engine stops.
func (e *Engine) Run() {
	for e.Step() {
	}
}

// RunUntil delivers every event due at or before t, then sets the clock to
// t (if it is later than now). Events after t stay pending. If the engine
// stops (see [Engine.Err]) it returns at once and leaves the clock alone.
func (e *Engine) RunUntil(t time.Duration) {
	for {
		if next, ok := e.NextAt(); !ok || next > t {
			break
		}
		if !e.Step() {
			return
		}
	}
	if t > e.now {
		e.now = t
	}
}

// NextAt returns the time of the earliest pending event and whether there
// is one.
func (e *Engine) NextAt() (time.Duration, bool) {
	e.settle()
	if len(e.heap) == 0 {
		return 0, false
	}
	return e.heap[0].at, true
}

func (e *Engine) release(slot uint32) {
	d := &e.data[slot]
	d.pos = -1
	d.gen++
	d.arg = uint64(e.free)
	e.free = slot + 1
}

// States of the heap's root (Engine.root). Step takes the earliest event
// out of the root but leaves the root empty while the handler runs: a
// handler usually schedules one or two events, and the root is the
// cheapest place for the earliest of them (it sifts down a level or two,
// where the last node, which fills an empty root, sifts down to the
// leaves). Every operation that needs the heap in order settles it first.
const (
	// rootSifted: heap[0] is the earliest pending event, or the heap is
	// empty. The state outside Step.
	rootSifted = iota
	// rootHole: heap[0] is the event being handled, no longer pending.
	// An At moves to rootUnsifted; settling fills the root with the last
	// node.
	rootHole
	// rootUnsifted: heap[0] is the one event the handler has scheduled,
	// not yet sifted down. A second At sifts the earlier of the two
	// down from the root and the other up from a leaf (rootSifted);
	// cancelling the event returns to rootHole; settling sifts it down.
	rootUnsifted
)

// settle restores rootSifted.
func (e *Engine) settle() {
	switch e.root {
	case rootHole:
		last := len(e.heap) - 1
		x := e.heap[last]
		e.heap = e.heap[:last]
		if last > 0 {
			e.heap[0] = x
			e.down(0)
		}
	case rootUnsifted:
		e.down(0)
	}
	e.root = rootSifted
}

// renumber gives the pending events the sequence numbers 1 … n in their
// (time, sequence) order, so that sequence numbers fit in 32 bits however
// many events a run schedules. A sorted array is a valid heap. It runs
// once per 2³² − n events scheduled, in O(n log n).
func (e *Engine) renumber() {
	e.settle()
	slices.SortFunc(e.heap, func(a, b node) int {
		if a.at != b.at {
			return cmp.Compare(a.at, b.at)
		}
		return cmp.Compare(a.key, b.key)
	})
	for i := range e.heap {
		x := &e.heap[i]
		x.key = uint64(i+1)<<32 | uint64(x.slot())
		e.data[x.slot()].pos = int32(i)
	}
	e.seq = uint64(len(e.heap))
}

// arity is the number of children of a node in the heap: node i has
// children arity·i+1 … arity·i+arity.
const arity = 4

// less reports whether a is delivered before b.
func less(a, b *node) bool { return lessBit(a, b) != 0 }

// up sifts the node at i towards the root.
func (e *Engine) up(i int) {
	h := e.heap
	x := h[i]
	for i > 0 {
		p := (i - 1) / arity
		if !less(&x, &h[p]) {
			break
		}
		h[i] = h[p]
		e.data[h[i].slot()].pos = int32(i)
		i = p
	}
	h[i] = x
	e.data[x.slot()].pos = int32(i)
}

// down sifts the node at i towards the leaves and reports whether it moved.
func (e *Engine) down(i0 int) bool {
	h := e.heap
	n := len(h)
	x := h[i0]
	i := i0
	for {
		c := arity*i + 1
		var m int
		if c+arity <= n {
			// A full group of four children: the least without
			// branches, which a sift mispredicts half the time (two
			// pairs, then their winners, selected arithmetically).
			g := (*[arity]node)(h[c : c+arity])
			a := lessBit(&g[1], &g[0])
			b := 2 + lessBit(&g[3], &g[2])
			t := lessBit(&g[b&3], &g[a&3])
			m = c + int(a^((a^b)&-t))
		} else if c < n {
			m = c
			for j := c + 1; j < n; j++ {
				if less(&h[j], &h[m]) {
					m = j
				}
			}
		} else {
			break
		}
		if !less(&h[m], &x) {
			break
		}
		h[i] = h[m]
		e.data[h[i].slot()].pos = int32(i)
		i = m
	}
	h[i] = x
	e.data[x.slot()].pos = int32(i)
	return i > i0
}

// lessBit is less as 0 or 1, computed without branches: the borrow of the
// 128-bit subtraction (a.at, a.key) − (b.at, b.key). Times are never
// negative (At clamps them to Now, which starts at zero), so comparing them
// as unsigned numbers is exact.
func lessBit(a, b *node) uint64 {
	_, borrow := bits.Sub64(a.key, b.key, 0)
	_, borrow = bits.Sub64(uint64(a.at), uint64(b.at), borrow)
	return borrow
}
