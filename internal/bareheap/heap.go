// Package bareheap is the performance floor the engine is measured
// against (issue #5): a bare typed binary min-heap of {time, sequence}
// with no handle table, no payload and no interface. The sim and model
// benchmarks run the same M/M/∞ model on it, beside the engine.
package bareheap

import "time"

// Event is the heap's element. The low bit of Seq is the event kind
// (1 = arrival); the rest is the scheduling counter, so ordering by Seq
// is still scheduling order.
type Event struct {
	At  time.Duration
	Seq uint64
}

// Arrival reports the event's kind.
func (e Event) Arrival() bool { return e.Seq&1 != 0 }

// Heap is a typed binary min-heap ordered by (At, Seq). The zero value is
// empty and ready.
type Heap struct {
	h   []Event
	seq uint64
}

func less(a, b *Event) bool {
	if a.At != b.At {
		return a.At < b.At
	}
	return a.Seq < b.Seq
}

// Len returns the number of events held.
func (q *Heap) Len() int { return len(q.h) }

// Reserve grows the heap's capacity to n.
func (q *Heap) Reserve(n int) {
	if n > cap(q.h) {
		h := make([]Event, len(q.h), n)
		copy(h, q.h)
		q.h = h
	}
}

// Push adds an event at time at. O(log n).
func (q *Heap) Push(at time.Duration, arrival bool) {
	q.seq++
	x := Event{At: at, Seq: q.seq << 1}
	if arrival {
		x.Seq |= 1
	}
	h := append(q.h, x)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !less(&x, &h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = x
	q.h = h
}

// Pop removes and returns the earliest event; the heap must not be empty.
// O(log n).
func (q *Heap) Pop() Event {
	h := q.h
	top := h[0]
	last := len(h) - 1
	x := h[last]
	h = h[:last]
	if last > 0 {
		n := last
		i := 0
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
			i = c
		}
		h[i] = x
	}
	q.h = h
	return top
}
