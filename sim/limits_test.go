package sim

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSameInstantLoopStops: a handler that reschedules itself at the
// current time (what a negative, overflowed delay clamped to now does)
// used to loop forever; the engine now stops after instantMax events at
// one instant and says why.
func TestSameInstantLoopStops(t *testing.T) {
	for _, run := range []struct {
		name string
		run  func(e *Engine)
	}{
		{"Run", func(e *Engine) { e.Run() }},
		{"RunUntil", func(e *Engine) { e.RunUntil(time.Hour) }},
	} {
		t.Run(run.name, func(t *testing.T) {
			rec := &recorder{fn: func(e *Engine, ev Event) { e.At(Event{At: -1}) }}
			e := New(rec)
			e.instantMax = 1000
			e.At(Event{At: 5 * time.Second})
			run.run(e)
			require.Error(t, e.Err())
			assert.Contains(t, e.Err().Error(), "more than 1000 events at 5s")
			assert.Len(t, rec.got, 1000)
			assert.Equal(t, 5*time.Second, e.Now(), "a stopped RunUntil leaves the clock alone")
			assert.False(t, e.Step(), "a stopped engine delivers nothing")
		})
	}
}

// TestSameInstantCountResets: many events at distinct instants, and
// exactly instantMax at one, run to the end without an error.
func TestSameInstantCountResets(t *testing.T) {
	rec := &recorder{}
	e := New(rec)
	e.instantMax = 10
	for i := range 10 {
		e.At(Event{At: time.Second, Arg: uint64(i)})
		e.At(Event{At: 2 * time.Second, Arg: uint64(i)})
	}
	for i := range 100 {
		e.At(Event{At: time.Duration(3+i) * time.Second})
	}
	e.Run()
	require.NoError(t, e.Err())
	assert.Len(t, rec.got, 120)
}

// TestStop: a handler's Stop ends Run and RunUntil after the current
// event, and Err returns the error given.
func TestStop(t *testing.T) {
	stop := errors.New("cancelled")
	rec := &recorder{}
	rec.fn = func(e *Engine, ev Event) {
		if len(rec.got) == 3 {
			e.Stop(stop)
		}
		e.Stop(nil) // ignored
	}
	e := New(rec)
	for i := range 10 {
		e.At(Event{At: time.Duration(i) * time.Second})
	}
	e.RunUntil(time.Hour)
	assert.ErrorIs(t, e.Err(), stop)
	assert.Len(t, rec.got, 3)
	assert.Equal(t, 2*time.Second, e.Now())
	assert.Equal(t, 7, e.Pending())
	e.Stop(errors.New("later")) // the first error stays
	assert.ErrorIs(t, e.Err(), stop)
}
