package sim

import (
	"slices"
	"testing"
	"time"
)

// fuzzRecorder records delivered events and checks, as they arrive, that
// time never goes backwards and that ties come out in scheduling order.
type fuzzRecorder struct {
	t         *testing.T
	got       []Event
	last      Event
	delivered []bool // delivered[id], grown by the test as it schedules
	during    func(e *Engine)
}

func (r *fuzzRecorder) Handle(e *Engine, ev Event) {
	if len(r.got) > 0 {
		if ev.At < r.last.At {
			r.t.Fatalf("time went backwards: %v after %v", ev.At, r.last.At)
		}
		// Arg is the scheduling order, so equal times must come out with
		// increasing Arg (FIFO ties, clamped events after existing ones).
		if ev.At == r.last.At && ev.Arg <= r.last.Arg {
			r.t.Fatalf("tie at %v out of order: %d after %d", ev.At, ev.Arg, r.last.Arg)
		}
	}
	if ev.At != e.Now() {
		r.t.Fatalf("Now() = %v while handling an event at %v", e.Now(), ev.At)
	}
	if ev.Arg >= uint64(len(r.delivered)) || r.delivered[ev.Arg] {
		r.t.Fatalf("event %d delivered twice or never scheduled", ev.Arg)
	}
	r.delivered[ev.Arg] = true
	r.got = append(r.got, ev)
	r.last = ev
	if r.during != nil {
		r.during(e)
	}
}

// FuzzEngine interprets the input as a program of engine operations:
//
//	op%4 == 0, 1: schedule at now+delta, delta = next byte - 16 (may be
//	              negative, which clamps to now; small, so ties are common)
//	op%4 == 2:    cancel the handle with index (next byte) mod issued
//	op%4 == 3:    step (op&4 set: RunUntil(now + op>>3) instead); with
//	              op&12 == 8 the handler of that step schedules an event at
//	              now + op>>4 - 4 and then cancels handle op>>4 mod issued
//
// then runs the engine dry. It requires that popped times never go
// backwards, that Cancel reports true exactly for events still pending, and
// that the delivered multiset equals the scheduled minus the cancelled.
func FuzzEngine(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 5, 0, 5, 0, 5, 3, 3, 3})
	f.Add([]byte{0, 10, 1, 20, 2, 0, 3, 3, 2, 0, 2, 1})
	f.Add([]byte{0, 0, 0, 255, 0, 16, 3, 0, 0, 2, 1, 7, 2, 2, 3, 3})
	f.Add([]byte{1, 40, 1, 30, 1, 20, 2, 1, 0, 16, 2, 3, 3, 15, 3, 3, 2, 0})
	f.Add([]byte{0, 20, 0, 20, 0, 30, 0x5b, 0x1b, 0x4b, 0xfb, 3, 0x0b, 3})
	f.Fuzz(func(t *testing.T, prog []byte) {
		rec := &fuzzRecorder{t: t}
		e := New(rec)
		var handles []Handle
		var scheduledAt []time.Duration // scheduledAt[id], after clamping
		var cancelled []bool
		nCancelled := 0
		schedule := func(delta time.Duration) {
			id := len(handles)
			handles = append(handles, e.At(Event{At: e.Now() + delta, Arg: uint64(id)}))
			scheduledAt = append(scheduledAt, max(e.Now(), e.Now()+delta))
			cancelled = append(cancelled, false)
			rec.delivered = append(rec.delivered, false)
		}
		cancel := func(id int) {
			want := !cancelled[id] && !rec.delivered[id]
			if got := e.Cancel(handles[id]); got != want {
				t.Fatalf("Cancel(handle %d) = %v, want %v", id, got, want)
			}
			if want {
				cancelled[id] = true
				nCancelled++
			}
		}
		for i := 0; i < len(prog); i++ {
			op := prog[i]
			var arg byte
			if op%4 != 3 && i+1 < len(prog) {
				i++
				arg = prog[i]
			}
			switch op % 4 {
			case 0, 1:
				schedule(time.Duration(int(arg) - 16))
			case 2:
				if len(handles) == 0 {
					if e.Cancel(0) {
						t.Fatal("Cancel(0) = true")
					}
					continue
				}
				cancel(int(arg) % len(handles))
			case 3:
				before := e.Now()
				if op&4 != 0 {
					until := before + time.Duration(op>>3)
					e.RunUntil(until)
					if e.Now() != until {
						t.Fatalf("RunUntil(%v): Now() = %v", until, e.Now())
					}
					if next, ok := e.NextAt(); ok && next <= until {
						t.Fatalf("RunUntil(%v) left an event at %v", until, next)
					}
				} else {
					if op&8 != 0 {
						rec.during = func(e *Engine) {
							schedule(time.Duration(op>>4) - 4)
							cancel(int(op>>4) % len(handles))
							if got, want := e.Pending(), len(handles)-nCancelled-len(rec.got); got != want {
								t.Fatalf("Pending() = %d in Handle, want %d", got, want)
							}
						}
					}
					had := e.Pending() > 0
					if e.Step() != had {
						t.Fatalf("Step() with %d pending", e.Pending())
					}
					rec.during = nil
				}
				if e.Now() < before {
					t.Fatalf("clock went backwards: %v -> %v", before, e.Now())
				}
			}
			if got, want := e.Pending(), len(handles)-nCancelled-len(rec.got); got != want {
				t.Fatalf("Pending() = %d, want %d", got, want)
			}
			if e.Handled() != uint64(len(rec.got)) {
				t.Fatalf("Handled() = %d, delivered %d", e.Handled(), len(rec.got))
			}
		}
		e.Run()

		// Delivered multiset == scheduled minus cancelled.
		var want, got []Event
		for id, at := range scheduledAt {
			if !cancelled[id] {
				want = append(want, Event{At: at, Arg: uint64(id)})
			}
		}
		got = slices.Clone(rec.got)
		slices.SortFunc(got, func(a, b Event) int { return int(a.Arg) - int(b.Arg) })
		if !slices.Equal(got, want) {
			t.Fatalf("delivered %v\nwant       %v", got, want)
		}
		if !slices.IsSortedFunc(rec.got, func(a, b Event) int {
			return int(a.At - b.At)
		}) {
			t.Fatalf("delivery not in time order: %v", rec.got)
		}
		if e.Pending() != 0 {
			t.Fatalf("Pending() = %d after Run", e.Pending())
		}
	})
}
