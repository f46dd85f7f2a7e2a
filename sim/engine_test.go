package sim

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder is a Handler that records every delivered event and then calls
// fn, if set, so that a test can schedule or cancel from inside Handle.
type recorder struct {
	got []Event
	fn  func(e *Engine, ev Event)
}

func (r *recorder) Handle(e *Engine, ev Event) {
	r.got = append(r.got, ev)
	if r.fn != nil {
		r.fn(e, ev)
	}
}

// args returns the Arg of every recorded event, in delivery order.
func (r *recorder) args() []uint64 {
	out := make([]uint64, len(r.got))
	for i, ev := range r.got {
		out[i] = ev.Arg
	}
	return out
}

// times returns the At of every recorded event, in delivery order.
func (r *recorder) times() []time.Duration {
	out := make([]time.Duration, len(r.got))
	for i, ev := range r.got {
		out[i] = ev.At
	}
	return out
}

// checkInvariants verifies the heap order, that the handle table agrees
// with the heap and that sequence numbers are unique and below the next
// one to be issued. It must be called outside a handler.
func checkInvariants(t *testing.T, e *Engine) {
	t.Helper()
	require.Equal(t, uint8(rootSifted), e.root, "root sifted outside Step")
	seqs := make(map[uint64]bool, len(e.heap))
	for i := range e.heap {
		seq := e.heap[i].key >> 32
		require.Falsef(t, seqs[seq], "sequence number %d twice", seq)
		require.LessOrEqual(t, seq, e.seq, "sequence number not yet issued")
		seqs[seq] = true
		if i > 0 {
			p := (i - 1) / arity
			require.Falsef(t, less(&e.heap[i], &e.heap[p]), "heap order violated at %d", i)
		}
		require.Equalf(t, int32(i), e.data[e.heap[i].slot()].pos, "pos of slot %d", e.heap[i].slot())
	}
	live := 0
	for _, d := range e.data {
		if d.pos >= 0 {
			live++
		}
	}
	require.Equal(t, len(e.heap), live, "live slots")
	// The free list holds exactly the other slots, each once.
	free := 0
	for f := e.free; f != 0; f = uint32(e.data[f-1].arg) {
		require.Less(t, int(f-1), len(e.data), "free slot in range")
		require.Equal(t, int32(-1), e.data[f-1].pos, "free slot %d is free", f-1)
		free++
		require.LessOrEqual(t, free, len(e.data), "free list has no cycle")
	}
	require.Equal(t, len(e.data), len(e.heap)+free, "slots = live + free")
}

func TestDeliveryOrder(t *testing.T) {
	type sched struct {
		at  time.Duration
		arg uint64
	}
	tests := []struct {
		name  string
		sched []sched
		want  []uint64
	}{
		{"empty", nil, []uint64{}},
		{"single", []sched{{5, 1}}, []uint64{1}},
		{"ascending", []sched{{1, 1}, {2, 2}, {3, 3}}, []uint64{1, 2, 3}},
		{"descending", []sched{{3, 1}, {2, 2}, {1, 3}}, []uint64{3, 2, 1}},
		{"shuffled", []sched{{40, 1}, {10, 2}, {30, 3}, {0, 4}, {20, 5}}, []uint64{4, 2, 5, 3, 1}},
		{"all tied FIFO", []sched{{7, 1}, {7, 2}, {7, 3}, {7, 4}, {7, 5}}, []uint64{1, 2, 3, 4, 5}},
		{"ties interleaved", []sched{{2, 1}, {1, 2}, {2, 3}, {1, 4}, {2, 5}, {0, 6}, {1, 7}}, []uint64{6, 2, 4, 7, 1, 3, 5}},
		{"tie at zero", []sched{{0, 1}, {0, 2}}, []uint64{1, 2}},
		{"large times", []sched{{time.Duration(1 << 62), 1}, {time.Hour, 2}, {time.Nanosecond, 3}}, []uint64{3, 2, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{}
			e := New(r)
			for _, s := range tc.sched {
				e.At(Event{At: s.at, Arg: s.arg})
			}
			checkInvariants(t, e)
			e.Run()
			assert.Equal(t, tc.want, r.args())
			assert.True(t, slices.IsSorted(r.times()), "times must not go backwards")
			assert.Equal(t, 0, e.Pending())
			assert.Equal(t, uint64(len(tc.sched)), e.Handled())
		})
	}
}

func TestEventPayloadRoundTrip(t *testing.T) {
	r := &recorder{}
	e := New(r)
	in := Event{At: 42, Kind: 7, Obj: -3, Arg: 1<<64 - 1}
	e.At(in)
	require.True(t, e.Step())
	require.Len(t, r.got, 1)
	assert.Equal(t, in, r.got[0])
	assert.False(t, e.Step(), "Step on an empty engine")
}

func TestPastClampsToNow(t *testing.T) {
	tests := []struct {
		name     string
		schedule func(e *Engine) // called at Now() == 10
		wantAt   time.Duration
	}{
		{"At in the past", func(e *Engine) { e.At(Event{At: 3, Arg: 99}) }, 10},
		{"At at zero", func(e *Engine) { e.At(Event{At: 0, Arg: 99}) }, 10},
		{"At very negative", func(e *Engine) { e.At(Event{At: -time.Hour, Arg: 99}) }, 10},
		{"After negative", func(e *Engine) { e.After(-5, Event{At: 1000, Arg: 99}) }, 10},
		{"At now", func(e *Engine) { e.At(Event{At: 10, Arg: 99}) }, 10},
		{"After zero ignores At", func(e *Engine) { e.After(0, Event{At: 1000, Arg: 99}) }, 10},
		{"After positive", func(e *Engine) { e.After(5, Event{At: 1, Arg: 99}) }, 15},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{}
			e := New(r)
			// Two events already pending at now=10 (one delivered first to
			// advance the clock), and one later event.
			e.At(Event{At: 10, Arg: 1})
			e.At(Event{At: 10, Arg: 2})
			e.At(Event{At: 10, Arg: 3})
			e.At(Event{At: 20, Arg: 4})
			require.True(t, e.Step())
			require.Equal(t, time.Duration(10), e.Now())
			tc.schedule(e)
			e.Run()
			var got time.Duration = -1
			for _, ev := range r.got {
				if ev.Arg == 99 {
					got = ev.At
				}
			}
			assert.Equal(t, tc.wantAt, got)
			assert.True(t, slices.IsSorted(r.times()))
			if tc.wantAt == 10 {
				// A clamped event runs after the events already scheduled
				// for now.
				assert.Equal(t, []uint64{1, 2, 3, 99, 4}, r.args())
			}
		})
	}
}

func TestPastClampsFromHandler(t *testing.T) {
	r := &recorder{}
	r.fn = func(e *Engine, ev Event) {
		if ev.Arg == 1 {
			e.At(Event{At: 0, Arg: 10}) // in the past: runs at 5, after 2
		}
	}
	e := New(r)
	e.At(Event{At: 5, Arg: 1})
	e.At(Event{At: 5, Arg: 2})
	e.At(Event{At: 6, Arg: 3})
	e.Run()
	assert.Equal(t, []uint64{1, 2, 10, 3}, r.args())
	assert.Equal(t, []time.Duration{5, 5, 5, 6}, r.times())
}

func TestCancel(t *testing.T) {
	// Five events at distinct times 10..50 (arg i at 10*i) plus a tie at 30.
	ats := []time.Duration{10, 20, 30, 40, 50, 30}
	tests := []struct {
		name   string
		cancel []int // indices into ats
		want   []uint64
	}{
		{"none", nil, []uint64{0, 1, 2, 5, 3, 4}},
		{"middle", []int{3}, []uint64{0, 1, 2, 5, 4}},
		{"head", []int{0}, []uint64{1, 2, 5, 3, 4}},
		{"tail", []int{4}, []uint64{0, 1, 2, 5, 3}},
		{"last scheduled", []int{5}, []uint64{0, 1, 2, 3, 4}},
		{"first of tie", []int{2}, []uint64{0, 1, 5, 3, 4}},
		{"head and tail", []int{0, 4}, []uint64{1, 2, 5, 3}},
		{"all", []int{0, 1, 2, 3, 4, 5}, []uint64{}},
		{"all reversed", []int{5, 4, 3, 2, 1, 0}, []uint64{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{}
			e := New(r)
			hs := make([]Handle, len(ats))
			for i, at := range ats {
				hs[i] = e.At(Event{At: at, Arg: uint64(i)})
				require.NotZero(t, hs[i])
			}
			for _, i := range tc.cancel {
				require.True(t, e.Cancel(hs[i]), "first cancel of %d", i)
				checkInvariants(t, e)
			}
			for _, i := range tc.cancel {
				require.False(t, e.Cancel(hs[i]), "second cancel of %d", i)
			}
			assert.Equal(t, len(ats)-len(tc.cancel), e.Pending())
			e.Run()
			assert.Equal(t, tc.want, r.args())
			assert.Equal(t, uint64(len(tc.want)), e.Handled())
		})
	}
}

func TestCancelEdgeCases(t *testing.T) {
	t.Run("zero handle", func(t *testing.T) {
		e := New(&recorder{})
		assert.False(t, e.Cancel(0))
		e.At(Event{At: 1})
		assert.False(t, e.Cancel(0))
		assert.Equal(t, 1, e.Pending())
	})
	t.Run("never issued handle", func(t *testing.T) {
		e := New(&recorder{})
		h := e.At(Event{At: 1})
		assert.False(t, e.Cancel(h+1000))
		assert.False(t, e.Cancel(Handle(1<<63)))
		assert.False(t, e.Cancel(^Handle(0)))
		assert.Equal(t, 1, e.Pending())
	})
	t.Run("twice", func(t *testing.T) {
		r := &recorder{}
		e := New(r)
		h := e.At(Event{At: 1, Arg: 1})
		e.At(Event{At: 2, Arg: 2})
		assert.True(t, e.Cancel(h))
		assert.False(t, e.Cancel(h))
		e.Run()
		assert.Equal(t, []uint64{2}, r.args())
	})
	t.Run("stale after delivery", func(t *testing.T) {
		r := &recorder{}
		e := New(r)
		h := e.At(Event{At: 1, Arg: 1})
		e.At(Event{At: 2, Arg: 2})
		require.True(t, e.Step())
		assert.False(t, e.Cancel(h))
		assert.Equal(t, 1, e.Pending())
		e.Run()
		assert.Equal(t, []uint64{1, 2}, r.args())
	})
	t.Run("slot reused after delivery", func(t *testing.T) {
		r := &recorder{}
		e := New(r)
		old := e.At(Event{At: 1, Arg: 1})
		require.True(t, e.Step())
		fresh := e.At(Event{At: 2, Arg: 2}) // reuses old's slot
		require.NotEqual(t, old, fresh)
		assert.False(t, e.Cancel(old), "stale handle must not cancel the new event")
		assert.Equal(t, 1, e.Pending())
		e.Run()
		assert.Equal(t, []uint64{1, 2}, r.args())
	})
	t.Run("slot reused after cancel", func(t *testing.T) {
		r := &recorder{}
		e := New(r)
		old := e.At(Event{At: 1, Arg: 1})
		require.True(t, e.Cancel(old))
		fresh := e.At(Event{At: 2, Arg: 2})
		assert.False(t, e.Cancel(old))
		assert.Equal(t, 1, e.Pending())
		assert.True(t, e.Cancel(fresh))
		assert.Equal(t, 0, e.Pending())
		e.Run()
		assert.Empty(t, r.got)
	})
	t.Run("slot reused many times", func(t *testing.T) {
		e := New(&recorder{})
		var stale []Handle
		for i := range 100 {
			h := e.At(Event{At: time.Duration(i)})
			for _, s := range stale {
				require.False(t, e.Cancel(s))
			}
			require.Equal(t, 1, e.Pending())
			require.True(t, e.Step())
			stale = append(stale, h)
		}
		assert.Len(t, e.data, 1, "one slot reused throughout")
	})
	t.Run("cancel own event from handler", func(t *testing.T) {
		r := &recorder{}
		e := New(r)
		var h Handle
		var res []bool
		r.fn = func(e *Engine, ev Event) { res = append(res, e.Cancel(h)) }
		h = e.At(Event{At: 1, Arg: 1})
		e.Run()
		assert.Equal(t, []bool{false}, res)
		assert.Equal(t, []uint64{1}, r.args())
	})
	t.Run("cancel other event from handler", func(t *testing.T) {
		r := &recorder{}
		e := New(r)
		var timeout Handle
		r.fn = func(e *Engine, ev Event) {
			if ev.Arg == 1 {
				assert.True(t, e.Cancel(timeout))
			}
		}
		e.At(Event{At: 1, Arg: 1})
		timeout = e.At(Event{At: 5, Arg: 2})
		e.At(Event{At: 9, Arg: 3})
		e.Run()
		assert.Equal(t, []uint64{1, 3}, r.args())
	})
	t.Run("cancel event at same time from handler", func(t *testing.T) {
		r := &recorder{}
		e := New(r)
		var hs []Handle
		r.fn = func(e *Engine, ev Event) {
			if ev.Arg == 0 {
				assert.True(t, e.Cancel(hs[2]))
			}
		}
		for i := range 4 {
			hs = append(hs, e.At(Event{At: 3, Arg: uint64(i)}))
		}
		e.Run()
		assert.Equal(t, []uint64{0, 1, 3}, r.args())
	})
}

func TestRunUntil(t *testing.T) {
	ats := []time.Duration{1, 2, 3, 3, 5, 8}
	tests := []struct {
		name        string
		until       time.Duration
		wantArgs    []uint64
		wantNow     time.Duration
		wantPending int
	}{
		{"before first", 0, []uint64{}, 0, 6},
		{"between", 2, []uint64{0, 1}, 2, 4},
		{"inclusive tie", 3, []uint64{0, 1, 2, 3}, 3, 2},
		{"gap advances clock", 4, []uint64{0, 1, 2, 3}, 4, 2},
		{"exactly last", 8, []uint64{0, 1, 2, 3, 4, 5}, 8, 0},
		{"past last", 100, []uint64{0, 1, 2, 3, 4, 5}, 100, 0},
		{"negative", -1, []uint64{}, 0, 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{}
			e := New(r)
			for i, at := range ats {
				e.At(Event{At: at, Arg: uint64(i)})
			}
			e.RunUntil(tc.until)
			assert.Equal(t, tc.wantArgs, r.args())
			assert.Equal(t, tc.wantNow, e.Now())
			assert.Equal(t, tc.wantPending, e.Pending())
			assert.Equal(t, uint64(len(tc.wantArgs)), e.Handled())
			if tc.wantPending > 0 {
				next, ok := e.NextAt()
				require.True(t, ok)
				assert.Greater(t, next, tc.until)
			}
		})
	}
}

func TestRunUntilSequence(t *testing.T) {
	r := &recorder{}
	e := New(r)
	e.At(Event{At: 10, Arg: 1})
	e.At(Event{At: 30, Arg: 2})

	e.RunUntil(20)
	assert.Equal(t, time.Duration(20), e.Now())
	assert.Equal(t, []uint64{1}, r.args())

	// The clock never goes back.
	e.RunUntil(5)
	assert.Equal(t, time.Duration(20), e.Now())

	// After schedules relative to the advanced clock; At in the past
	// clamps to it.
	e.After(5, Event{Arg: 3})
	e.At(Event{At: 0, Arg: 4})
	e.RunUntil(25)
	assert.Equal(t, []uint64{1, 4, 3}, r.args())
	assert.Equal(t, []time.Duration{10, 20, 25}, r.times())
	assert.Equal(t, time.Duration(25), e.Now())
	assert.Equal(t, 1, e.Pending())
}

func TestRunUntilDeliversEventsScheduledByHandler(t *testing.T) {
	r := &recorder{}
	r.fn = func(e *Engine, ev Event) {
		// Each event schedules the next 3ns later, forever.
		e.After(3, Event{Arg: ev.Arg + 1})
	}
	e := New(r)
	e.At(Event{At: 0, Arg: 0})
	e.RunUntil(10)
	assert.Equal(t, []time.Duration{0, 3, 6, 9}, r.times())
	assert.Equal(t, time.Duration(10), e.Now())
	assert.Equal(t, 1, e.Pending())
	next, ok := e.NextAt()
	require.True(t, ok)
	assert.Equal(t, time.Duration(12), next)
}

func TestCounts(t *testing.T) {
	e := New(&recorder{})
	assert.Equal(t, 0, e.Pending())
	assert.Equal(t, uint64(0), e.Handled())
	assert.Equal(t, time.Duration(0), e.Now())
	_, ok := e.NextAt()
	assert.False(t, ok)

	var hs []Handle
	for i := range 10 {
		hs = append(hs, e.At(Event{At: time.Duration(10 - i)}))
		assert.Equal(t, i+1, e.Pending())
	}
	next, ok := e.NextAt()
	require.True(t, ok)
	assert.Equal(t, time.Duration(1), next)

	require.True(t, e.Cancel(hs[0]))
	assert.Equal(t, 9, e.Pending())
	assert.Equal(t, uint64(0), e.Handled(), "cancel does not count as handled")

	for i := range 4 {
		require.True(t, e.Step())
		assert.Equal(t, uint64(i+1), e.Handled())
		assert.Equal(t, 8-i, e.Pending())
	}
	e.Run()
	assert.Equal(t, uint64(9), e.Handled())
	assert.Equal(t, 0, e.Pending())
	assert.Equal(t, time.Duration(9), e.Now())
	assert.False(t, e.Step())
	assert.Equal(t, uint64(9), e.Handled())
}

func TestHandlerSchedulesDuringHandle(t *testing.T) {
	r := &recorder{}
	var inHandler []int
	r.fn = func(e *Engine, ev Event) {
		inHandler = append(inHandler, e.Pending())
		switch ev.Kind {
		case 1: // spawn: a child now (after pending same-time events) and one later
			e.After(0, Event{Kind: 2, Arg: ev.Arg*10 + 1})
			e.After(4, Event{Kind: 2, Arg: ev.Arg*10 + 2})
		}
		assert.Equal(t, ev.At, e.Now(), "Now is the time of the event being handled")
	}
	e := New(r)
	e.At(Event{At: 1, Kind: 1, Arg: 1})
	e.At(Event{At: 1, Kind: 2, Arg: 2})
	e.At(Event{At: 3, Kind: 1, Arg: 3})
	e.Run()
	assert.Equal(t, []uint64{1, 2, 11, 3, 31, 12, 32}, r.args())
	assert.Equal(t, []time.Duration{1, 1, 1, 3, 3, 5, 7}, r.times())
	// The delivered event is no longer pending while it is handled.
	assert.Equal(t, []int{2, 3, 2, 1, 2, 1, 0}, inHandler)
	assert.Equal(t, uint64(7), e.Handled())
}

func TestReserve(t *testing.T) {
	r := &recorder{}
	e := New(r)
	e.At(Event{At: 2, Arg: 2})
	e.At(Event{At: 1, Arg: 1})
	e.Reserve(100)
	assert.GreaterOrEqual(t, cap(e.heap), 100)
	assert.Equal(t, 2, e.Pending())
	e.Reserve(1) // shrinking is a no-op
	assert.GreaterOrEqual(t, cap(e.heap), 100)
	checkInvariants(t, e)
	e.Run()
	assert.Equal(t, []uint64{1, 2}, r.args())
}

// nopHandler reschedules each event a fixed distance ahead, keeping the
// number of pending events constant.
type nopHandler struct{}

func (nopHandler) Handle(e *Engine, ev Event) { e.After(1000, ev) }

func TestSteadyStateDoesNotAllocate(t *testing.T) {
	e := New(nopHandler{})
	var hs []Handle
	for i := range 1000 {
		hs = append(hs, e.At(Event{At: time.Duration(i)}))
	}
	// Warm up so that the free list has grown to its working size.
	for range 2000 {
		e.Step()
	}
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		e.Step()
		e.Cancel(hs[i%len(hs)]) // mostly stale: a no-op
		i++
	})
	assert.Zero(t, allocs)
	assert.Equal(t, 1000, e.Pending())
	assert.LessOrEqual(t, len(e.data), 1001, "slots are reused, memory tracks pending events")
}

// refEvent is a pending event in the naive reference model.
type refEvent struct {
	at  time.Duration
	seq uint64
	id  uint64
}

// refEngine is a naive reference: a slice kept sorted by (at, seq).
type refEngine struct {
	now     time.Duration
	seq     uint64
	pending []refEvent
}

func (r *refEngine) at(at time.Duration, id uint64) {
	at = max(at, r.now)
	r.seq++
	ev := refEvent{at: at, seq: r.seq, id: id}
	i, _ := slices.BinarySearchFunc(r.pending, ev, func(a, b refEvent) int {
		if c := cmp.Compare(a.at, b.at); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	r.pending = slices.Insert(r.pending, i, ev)
}

func (r *refEngine) cancel(id uint64) bool {
	for i, ev := range r.pending {
		if ev.id == id {
			r.pending = slices.Delete(r.pending, i, i+1)
			return true
		}
	}
	return false
}

func (r *refEngine) pop() (refEvent, bool) {
	if len(r.pending) == 0 {
		return refEvent{}, false
	}
	ev := r.pending[0]
	r.pending = r.pending[1:]
	r.now = ev.at
	return ev, true
}

// TestAgainstReference drives the engine and a naive sorted-slice model with
// the same random mix of schedule, cancel, step and RunUntil operations,
// including events scheduled and cancelled from inside Handle, and requires
// identical delivery sequences and identical Pending and NextAt answers
// inside Handle. It runs once with the real sequence-number limit and once
// with limits low enough that the engine renumbers many times.
func TestAgainstReference(t *testing.T) {
	for _, seqMax := range []uint64{math.MaxUint32, 700, 40, 1} {
		t.Run(fmt.Sprintf("seqMax=%d", seqMax), func(t *testing.T) {
			for seed := range uint64(25) {
				t.Run("", func(t *testing.T) { againstReference(t, seed, seqMax) })
			}
		})
	}
}

// query is what a handler saw: Pending and NextAt after its own
// scheduling and cancelling.
type query struct {
	pending int
	next    time.Duration
	ok      bool
}

func againstReference(t *testing.T, seed, seqMax uint64) {
	// children returns the delays of the events that delivering the event
	// with this id schedules from inside Handle (none, one, two or three,
	// the earliest first, last or between); victims the ids it then
	// cancels, given the id of its first child: an earlier event (maybe
	// delivered, maybe itself) or its own new children.
	children := func(id uint64) []time.Duration {
		switch id % 10 {
		case 0:
			return []time.Duration{time.Duration(id % 7)}
		case 1:
			return []time.Duration{time.Duration(id % 11), time.Duration(id % 3)}
		case 2:
			return []time.Duration{time.Duration(id % 4), time.Duration(id % 13), 0}
		}
		return nil
	}
	victims := func(id, first uint64) []uint64 {
		var v []uint64
		if id%3 == 1 {
			v = append(v, id/2)
		}
		if n := len(children(id)); n > 0 && id%4 != 3 {
			v = append(v, first+id%uint64(n))
		}
		return v
	}
	kindOf := func(id uint64) Kind { return Kind(id % 3) }

	rng := rand.New(rand.NewPCG(seed, 0x5eed))

	// Engine side: ids are allocated by engID, both by the test and by
	// the handler; handles[id] is the engine's handle.
	var engID uint64
	var handles []Handle
	var engSaw, refSaw []query
	rec := &recorder{}
	rec.fn = func(e *Engine, ev Event) {
		first := engID
		for _, d := range children(ev.Arg) {
			id := engID
			engID++
			handles = append(handles, e.After(d, Event{Arg: id, Kind: kindOf(id)}))
		}
		for _, v := range victims(ev.Arg, first) {
			e.Cancel(handles[v])
		}
		next, ok := e.NextAt()
		engSaw = append(engSaw, query{e.Pending(), next, ok})
	}
	eng := New(rec)
	eng.seqMax = seqMax

	// Reference side, with its own id counter.
	ref := &refEngine{}
	var refID uint64
	var want []Event
	refPop := func() bool {
		ev, ok := ref.pop()
		if !ok {
			return false
		}
		want = append(want, Event{At: ev.at, Arg: ev.id, Kind: kindOf(ev.id)})
		first := refID
		for _, d := range children(ev.id) {
			ref.at(ref.now+d, refID)
			refID++
		}
		for _, v := range victims(ev.id, first) {
			ref.cancel(v)
		}
		q := query{pending: len(ref.pending)}
		if q.pending > 0 {
			q.next, q.ok = ref.pending[0].at, true
		}
		refSaw = append(refSaw, q)
		return true
	}

	for op := 0; op < 3000; op++ {
		switch k := rng.IntN(100); {
		case k < 45: // schedule; negative deltas exercise clamping
			delta := time.Duration(rng.IntN(40) - 5)
			id := engID
			engID++
			if rng.IntN(2) == 0 {
				handles = append(handles, eng.At(Event{At: eng.Now() + delta, Arg: id, Kind: kindOf(id)}))
			} else {
				handles = append(handles, eng.After(delta, Event{At: -1, Arg: id, Kind: kindOf(id)}))
			}
			ref.at(ref.now+delta, refID)
			refID++
		case k < 65: // cancel a previously issued handle, maybe stale
			if len(handles) == 0 {
				continue
			}
			id := rng.IntN(len(handles))
			require.Equal(t, ref.cancel(uint64(id)), eng.Cancel(handles[id]), "Cancel(%d)", id)
		case k < 97:
			require.Equal(t, refPop(), eng.Step(), "Step result")
		default:
			until := eng.Now() + time.Duration(rng.IntN(30)-5)
			eng.RunUntil(until)
			for len(ref.pending) > 0 && ref.pending[0].at <= until {
				refPop()
			}
			ref.now = max(ref.now, until)
		}
		require.Equal(t, refID, engID, "ids allocated")
		require.Equal(t, len(want), len(rec.got), "delivered count")
		if len(want) > 0 {
			require.Equal(t, want[len(want)-1], rec.got[len(rec.got)-1], "last delivered")
			require.Equal(t, refSaw[len(refSaw)-1], engSaw[len(engSaw)-1], "Pending and NextAt in Handle")
		}
		require.Equal(t, ref.now, eng.Now(), "clock")
		require.Equal(t, len(ref.pending), eng.Pending(), "pending")
		if op%97 == 0 {
			checkInvariants(t, eng)
		}
	}
	eng.Run()
	for refPop() {
	}
	require.Empty(t, ref.pending)
	require.Equal(t, want, rec.got, "delivery sequence")
	require.Equal(t, refSaw, engSaw, "Pending and NextAt in Handle")
	require.Equal(t, uint64(len(rec.got)), eng.Handled())
	require.Greater(t, len(rec.got), 500, "test exercised enough deliveries")
	checkInvariants(t, eng)
}

// TestRenumberKeepsTieOrder schedules many events at a few instants with a
// tiny sequence-number limit, so that the engine renumbers on almost every
// At, including from inside Handle; ties must still come out in scheduling
// order.
func TestRenumberKeepsTieOrder(t *testing.T) {
	r := &recorder{}
	var next uint64 = 100
	r.fn = func(e *Engine, ev Event) {
		if ev.Arg < 20 {
			// Ties with events already pending at now and at now+1.
			e.After(0, Event{Arg: next})
			e.After(1, Event{Arg: next + 1})
			next += 2
		}
	}
	e := New(r)
	e.seqMax = 3
	for i := range uint64(40) {
		e.At(Event{At: time.Duration(i % 4), Arg: i})
		checkInvariants(t, e)
	}
	e.Run()
	checkInvariants(t, e)
	require.Len(t, r.got, 80)
	for i := 1; i < len(r.got); i++ {
		a, b := r.got[i-1], r.got[i]
		require.True(t, a.At < b.At || a.At == b.At && a.Arg < b.Arg,
			"event %d: %+v after %+v", i, b, a)
	}
}

func TestReserveAvoidsAllocation(t *testing.T) {
	const n = 1000
	e := New(nopHandler{})
	e.Reserve(n)
	hs := make([]Handle, 0, n)
	// Not testing.AllocsPerRun: its warm-up run would grow the engine.
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range n {
		hs = append(hs, e.At(Event{At: time.Duration(n - i)}))
	}
	for _, h := range hs[:n/2] {
		e.Cancel(h)
	}
	e.RunUntil(time.Duration(n / 4))
	runtime.ReadMemStats(&after)
	assert.Zero(t, after.Mallocs-before.Mallocs,
		"scheduling, cancelling and running up to the reserved number of events must not allocate")
	assert.Equal(t, n/2, e.Pending())
}
