package sim

import (
	"fmt"
	"github.com/drainsim/drainsim/internal/bareheap"
	"math/rand/v2"
	"testing"
	"time"
)

// The benchmarks run an M/M/∞ model: Poisson arrivals at rate λ, each
// holding for an exponential time with mean 1s and then departing; nothing
// else. The mean number of holding (departure) events resident in the queue
// is λ·1s, so λ = N/s keeps about N+1 events pending. The queue is pre-filled
// to that steady state (by memorylessness the residual holding times are
// again exponential with mean 1s), and each benchmark iteration processes
// one event. BenchmarkEngine and BenchmarkBareHeap run the identical model
// with the identical sequence of random draws. The bare heap is the floor
// the engine is measured against: a typed binary heap with no payload, no
// handles and no interface call, which pops and then pushes. The engine
// differs in more than its extras — it is a 4-ary heap that fills the root
// the delivered event leaves with the handler's first new event — so their
// ratio is the engine's extras net of those gains, and can exceed 1.

var residents = []int{2_000, 20_000, 200_000}

// headroom is the capacity reserved for a resident size of n: the number
// pending fluctuates around n (Poisson, standard deviation √n), and neither
// queue should reallocate while it is timed.
func headroom(n int) int { return n + n/4 + 1024 }

const (
	mmArrival Kind = iota
	mmDeparture
)

// mmModel holds the model's parameters and random source.
type mmModel struct {
	r        *rand.Rand
	meanIA   float64 // mean inter-arrival time, ns
	meanHold float64 // mean holding time, ns
}

func newMM(n int) mmModel {
	return mmModel{
		r:        rand.New(rand.NewPCG(1, 2)),
		meanIA:   float64(time.Second) / float64(n),
		meanHold: float64(time.Second),
	}
}

func (m *mmModel) interArrival() time.Duration {
	return time.Duration(m.r.ExpFloat64() * m.meanIA)
}

func (m *mmModel) holding() time.Duration {
	return time.Duration(m.r.ExpFloat64() * m.meanHold)
}

// mmHandler drives the model on the Engine.
type mmHandler struct {
	mmModel
}

func (h *mmHandler) Handle(e *Engine, ev Event) {
	if ev.Kind == mmArrival {
		e.After(h.interArrival(), Event{Kind: mmArrival})
		e.After(h.holding(), Event{Kind: mmDeparture})
	}
}

func BenchmarkEngine(b *testing.B) {
	for _, n := range residents {
		b.Run(fmt.Sprintf("resident=%d", n), func(b *testing.B) {
			h := &mmHandler{newMM(n)}
			e := New(h)
			e.Reserve(headroom(n))
			for range n {
				e.After(h.holding(), Event{Kind: mmDeparture})
			}
			e.After(h.interArrival(), Event{Kind: mmArrival})
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				e.Step()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(e.Pending()), "pending")
		})
	}
}

func BenchmarkBareHeap(b *testing.B) {
	for _, n := range residents {
		b.Run(fmt.Sprintf("resident=%d", n), func(b *testing.B) {
			m := newMM(n)
			q := newBareHeap(headroom(n))
			for range n {
				q.Push(m.holding(), false)
			}
			q.Push(m.interArrival(), true)
			var now time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				ev := q.Pop()
				now = ev.At
				if ev.Arrival() {
					q.Push(now+m.interArrival(), true)
					q.Push(now+m.holding(), false)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(q.Len()), "pending")
		})
	}
}

// TestBareHeapMatchesEngine checks that the two benchmark models really are
// identical: the same events at the same times, in the same order.
func TestBareHeapMatchesEngine(t *testing.T) {
	const n, steps = 500, 20_000
	type rec struct {
		at      time.Duration
		arrival bool
	}
	var got []rec
	h := &mmHandler{newMM(n)}
	e := New(HandlerFunc(func(e *Engine, ev Event) {
		got = append(got, rec{ev.At, ev.Kind == mmArrival})
		h.Handle(e, ev)
	}))
	for range n {
		e.After(h.holding(), Event{Kind: mmDeparture})
	}
	e.After(h.interArrival(), Event{Kind: mmArrival})
	for range steps {
		e.Step()
	}

	m := newMM(n)
	q := &bareheap.Heap{}
	for range n {
		q.Push(m.holding(), false)
	}
	q.Push(m.interArrival(), true)
	for i := range steps {
		ev := q.Pop()
		r := rec{ev.At, ev.Arrival()}
		if r != got[i] {
			t.Fatalf("event %d: bare %+v, engine %+v", i, r, got[i])
		}
		if r.arrival {
			q.Push(ev.At+m.interArrival(), true)
			q.Push(ev.At+m.holding(), false)
		}
	}
	if q.Len() != e.Pending() {
		t.Fatalf("pending: bare %d, engine %d", q.Len(), e.Pending())
	}
	if e.Pending() < n/2 || e.Pending() > 2*n {
		t.Fatalf("pending %d is not near the steady state %d", e.Pending(), n)
	}
}

// HandlerFunc adapts a function to the Handler interface (test only).
type HandlerFunc func(e *Engine, ev Event)

func (f HandlerFunc) Handle(e *Engine, ev Event) { f(e, ev) }

func newBareHeap(n int) *bareheap.Heap {
	q := &bareheap.Heap{}
	q.Reserve(n)
	return q
}
