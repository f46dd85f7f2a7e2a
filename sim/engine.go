package sim

import (
	"math"
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

// entry is a queued event with its ordering key and its slot in the
// handle table.
type entry struct {
	at   time.Duration
	seq  uint64
	arg  uint64
	kind Kind
	obj  int32
	slot uint32
}

// Engine is a discrete-event scheduler. The zero value is not usable; call
// [New].
type Engine struct {
	now     time.Duration
	seq     uint64
	handled uint64
	heap    []entry
	// pos[slot] is the heap index of the entry in that slot, or -1 when
	// the slot is free; gen[slot] counts its reuses so that a stale Handle
	// cannot cancel a later event.
	pos  []int32
	gen  []uint32
	free []uint32
	h    Handler
}

// New returns an engine at time zero that delivers events to h.
func New(h Handler) *Engine {
	return &Engine{h: h}
}

// Now returns the current simulated time: the time of the event being
// handled, or of the last one handled.
func (e *Engine) Now() time.Duration { return e.now }

// Handled returns how many events have been delivered so far.
func (e *Engine) Handled() uint64 { return e.handled }

// Pending returns how many events are scheduled and not yet delivered or
// cancelled.
func (e *Engine) Pending() int { return len(e.heap) }

// Reserve grows the queue's capacity to hold n events without reallocating.
func (e *Engine) Reserve(n int) {
	if n > cap(e.heap) {
		h := make([]entry, len(e.heap), n)
		copy(h, e.heap)
		e.heap = h
	}
	// The handle table must not reallocate either.
	if n > cap(e.pos) {
		pos := make([]int32, len(e.pos), n)
		copy(pos, e.pos)
		e.pos = pos
	}
	if n > cap(e.gen) {
		gen := make([]uint32, len(e.gen), n)
		copy(gen, e.gen)
		e.gen = gen
	}
	if n > cap(e.free) {
		free := make([]uint32, len(e.free), n)
		copy(free, e.free)
		e.free = free
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
	if n := len(e.free); n > 0 {
		slot = e.free[n-1]
		e.free = e.free[:n-1]
	} else {
		if len(e.pos) >= math.MaxInt32 {
			panic("sim: too many pending events")
		}
		slot = uint32(len(e.pos))
		e.pos = append(e.pos, -1)
		e.gen = append(e.gen, 0)
	}
	e.seq++
	i := len(e.heap)
	e.heap = append(e.heap, entry{at: ev.At, seq: e.seq, arg: ev.Arg, kind: ev.Kind, obj: ev.Obj, slot: slot})
	e.pos[slot] = int32(i)
	e.up(i)
	return Handle(uint64(e.gen[slot])<<32 | uint64(slot) + 1)
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
	if int(slot) >= len(e.pos) || e.gen[slot] != g || e.pos[slot] < 0 {
		return false
	}
	i := int(e.pos[slot])
	e.release(slot)
	last := len(e.heap) - 1
	if i != last {
		e.heap[i] = e.heap[last]
		e.pos[e.heap[i].slot] = int32(i)
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
	if int(slot) >= len(e.pos) || e.gen[slot] != g || e.pos[slot] < 0 {
		return 0, false
	}
	return e.heap[e.pos[slot]].at, true
}

// Step delivers the earliest pending event and reports whether there was
// one. Complexity O(log n) plus the handler's work.
func (e *Engine) Step() bool {
	if len(e.heap) == 0 {
		return false
	}
	top := e.heap[0]
	e.release(top.slot)
	last := len(e.heap) - 1
	if last > 0 {
		e.heap[0] = e.heap[last]
		e.pos[e.heap[0].slot] = 0
	}
	e.heap = e.heap[:last]
	if last > 1 {
		e.down(0)
	}
	e.now = top.at
	e.handled++
	e.h.Handle(e, Event{At: top.at, Kind: top.kind, Obj: top.obj, Arg: top.arg})
	return true
}

// Run delivers events until none are pending.
func (e *Engine) Run() {
	for e.Step() {
	}
}

// RunUntil delivers every event due at or before t, then sets the clock to
// t (if it is later than now). Events after t stay pending.
func (e *Engine) RunUntil(t time.Duration) {
	for len(e.heap) > 0 && e.heap[0].at <= t {
		e.Step()
	}
	if t > e.now {
		e.now = t
	}
}

// NextAt returns the time of the earliest pending event and whether there
// is one.
func (e *Engine) NextAt() (time.Duration, bool) {
	if len(e.heap) == 0 {
		return 0, false
	}
	return e.heap[0].at, true
}

func (e *Engine) release(slot uint32) {
	e.pos[slot] = -1
	e.gen[slot]++
	e.free = append(e.free, slot)
}

func less(a, b *entry) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

func (e *Engine) up(i int) {
	h := e.heap
	x := h[i]
	for i > 0 {
		p := (i - 1) / 2
		if !less(&x, &h[p]) {
			break
		}
		h[i] = h[p]
		e.pos[h[i].slot] = int32(i)
		i = p
	}
	h[i] = x
	e.pos[x.slot] = int32(i)
}

// down sifts the entry at i towards the leaves and reports whether it moved.
func (e *Engine) down(i0 int) bool {
	h := e.heap
	n := len(h)
	x := h[i0]
	i := i0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		c := l
		if r := l + 1; r < n && less(&h[r], &h[l]) {
			c = r
		}
		if !less(&h[c], &x) {
			break
		}
		h[i] = h[c]
		e.pos[h[i].slot] = int32(i)
		i = c
	}
	h[i] = x
	e.pos[x.slot] = int32(i)
	return i > i0
}
