package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/sweep"
)

// small is a cheap sweep: 2 targets, 20 requests/s, one removed after a
// minute; a replication is a few thousand events.
func small(t *testing.T) (*model.Config, []time.Duration, sweep.Identity) {
	t.Helper()
	c := model.Default()
	c.Name = "small"
	c.Fleet = model.Fleet{Targets: 2, PricePerHour: 0.1}
	c.Traffic = []model.Traffic{{Name: "api", Rate: 20, Duration: model.Distribution{
		Distribution: model.LogNormal, Median: time.Second, P99: 10 * time.Second}}}
	c.ScaleIn = []model.ScaleIn{{At: time.Minute, Targets: 1}}
	delays := []time.Duration{0, 5 * time.Second, 10 * time.Second, 20 * time.Second}
	id, err := sweep.NewIdentity(&c, delays, 6, sweep.Criteria{})
	require.NoError(t, err)
	return &c, delays, id
}

// checkedWrite returns a write function for a Store that writes the part
// to path through a temporary file and a rename (as drainsim does), reads
// every file it wrote back and checks it on t (from whichever goroutine
// saves), and counts the saves.
func checkedWrite(t *testing.T, total int, saves *atomic.Int32) func(string, *sweep.Part) error {
	return func(path string, p *sweep.Part) error {
		var b bytes.Buffer
		if err := sweep.WritePart(&b, p); err != nil {
			return err
		}
		back, err := sweep.ReadPart(bytes.NewReader(b.Bytes()))
		if err != nil {
			t.Errorf("a saved part does not read back: %v", err)
			return err
		}
		if len(back.Cells) > total {
			t.Errorf("a save holds %d cells of %d", len(back.Cells), total)
		}
		for i := 1; i < len(back.Cells); i++ {
			a, c := back.Cells[i-1], back.Cells[i]
			if a.Delay > c.Delay || (a.Delay == c.Delay && a.Replication >= c.Replication) {
				t.Errorf("a save's cells are not sorted by delay and replication at %d", i)
			}
		}
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, b.Bytes(), 0o644); err != nil {
			return err
		}
		saves.Add(1)
		return os.Rename(tmp, path)
	}
}

// The store under a sweep's workers, with its autosave goroutine saving
// every millisecond and a hook on every cell: under the race detector
// (make test) this is where a lock the store lacks shows. The file it
// leaves holds every cell, equal to the sweep's outcomes, and a store
// loaded from half of them runs only the other half and gives the same.
func TestStoreUnderAWorkerPool(t *testing.T) {
	cfg, delays, id := small(t)
	cells := sweep.Grid(delays, id.Replications)
	path := filepath.Join(t.TempDir(), "checkpoint.json")
	var saves atomic.Int32
	var hooked atomic.Int32
	// The first cell's hook waits for an autosave, so that one runs while
	// the workers do (the race detector needs the overlap to see a
	// missing lock).
	hook := func(runs int) {
		if hooked.Add(1) == 1 {
			for deadline := time.Now().Add(10 * time.Second); saves.Load() == 0 && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
		}
	}
	st := NewStore(path, sweep.Part{Program: "test", Sweep: id, Config: cfg}, checkedWrite(t, len(cells), &saves), hook)
	stop := st.Autosave(time.Millisecond)
	outs, err := sweep.RunCells(context.Background(), cfg, cells, st.Options(sweep.Options{Workers: 4}))
	stop()
	require.NoError(t, err)
	require.GreaterOrEqual(t, saves.Load(), int32(1), "an autosave ran during the sweep")
	require.NoError(t, st.Save(true))

	runs, events := st.Runs()
	var want uint64
	for _, o := range outs {
		want += o.Events
	}
	assert.Equal(t, len(cells), runs)
	assert.Equal(t, want, events)
	assert.Equal(t, int32(len(cells)), hooked.Load(), "the hook is called once a cell")
	assert.Equal(t, len(cells), st.Len())
	assert.Zero(t, st.Known())

	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	part, err := sweep.ReadPart(f)
	require.NoError(t, err)
	assert.True(t, part.Complete)
	require.Len(t, part.Cells, len(cells))
	for i, c := range part.Cells { // sorted by delay and replication: the grid's order
		assert.Equal(t, cells[i], c.Cell)
		assert.Equal(t, outs[i].Events, c.Outcome.Events, "cell %v", c.Cell)
		assert.Equal(t, outs[i].Dropped, c.Outcome.Dropped, "cell %v", c.Cell)
		assert.InDelta(t, outs[i].CostUSD, c.Outcome.CostUSD, 1e-9, "cell %v", c.Cell)
	}

	// Resume from half of the cells.
	half := part.Cells[:len(part.Cells)/2]
	st2 := NewStore(filepath.Join(t.TempDir(), "resume.json"), sweep.Part{Program: "test", Sweep: id, Config: cfg},
		checkedWrite(t, len(cells), &saves), nil)
	st2.Load(half)
	st2.Load(half[:1]) // again: counted once
	assert.Equal(t, len(half), st2.Known())
	stop2 := st2.Autosave(time.Millisecond)
	outs2, err := sweep.RunCells(context.Background(), cfg, cells, st2.Options(sweep.Options{Workers: 3}))
	stop2()
	require.NoError(t, err)
	runs2, _ := st2.Runs()
	assert.Equal(t, len(cells)-len(half), runs2, "cells loaded are not run again")
	for i := range outs {
		assert.Equal(t, outs[i].Events, outs2[i].Events, "cell %v", cells[i])
	}
}

// A failed save leaves the cells unsaved: the next save writes them even
// if nothing changed since, and Save reports the failure.
func TestStoreSaveFailureRetried(t *testing.T) {
	cfg, delays, id := small(t)
	fail := errors.New("disk full")
	var calls []bool // complete flag of each write
	failNext := true
	st := NewStore("x.json", sweep.Part{Program: "test", Sweep: id, Config: cfg}, func(_ string, p *sweep.Part) error {
		calls = append(calls, p.Complete)
		if failNext {
			failNext = false
			return fail
		}
		return nil
	}, nil)
	cells := sweep.Grid(delays[:1], 2)
	_, err := sweep.RunCells(context.Background(), cfg, cells, st.Options(sweep.Options{Workers: 1}))
	require.NoError(t, err)
	assert.ErrorIs(t, st.Save(false), fail)
	assert.NoError(t, st.Save(false), "retried: the cells are still unsaved")
	assert.NoError(t, st.Save(false), "nothing changed: no write")
	assert.Equal(t, []bool{false, false}, calls)
	assert.NoError(t, st.Save(true), "complete: always written")
	assert.Equal(t, []bool{false, false, true}, calls)
}

// Without a path the store keeps the cells Load gives it (a merge's) and
// counts those run, but keeps none of them, saves nothing and starts no
// goroutine.
func TestStoreWithoutPath(t *testing.T) {
	cfg, delays, _ := small(t)
	st := NewStore("", sweep.Part{}, nil, nil) // a nil write is never called
	cells := sweep.Grid(delays[:2], 2)
	first, err := sweep.RunCells(context.Background(), cfg, cells[:2], sweep.Options{Workers: 1})
	require.NoError(t, err)
	st.Load([]sweep.CellOutcome{{Cell: cells[0], Outcome: first[0]}, {Cell: cells[1], Outcome: first[1]}})
	st.Autosave(time.Millisecond)() // returns at once
	_, err = sweep.RunCells(context.Background(), cfg, cells, st.Options(sweep.Options{Workers: 2}))
	require.NoError(t, err)
	runs, _ := st.Runs()
	assert.Equal(t, 2, runs, "the two loaded cells are looked up, not run")
	assert.Equal(t, 2, st.Len(), "cells run are not kept without a path")
	assert.Equal(t, 2, st.Known())
	assert.NoError(t, st.Save(true))
}
