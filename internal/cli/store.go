package cli

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/drainsim/drainsim/sweep"
)

// A Store holds the finished cells of a sweep, those read back from its
// file (Load) and those run since (through Options), and saves them to
// the file: the checkpoint of a sweep or the part file of a shard. It is
// safe for concurrent use: a sweep's workers add cells while Autosave's
// goroutine saves them.
//
// Lifecycle: NewStore, Load the cells of an earlier run if any, pass
// Options to the sweep and run it with Autosave's goroutine beside it,
// stop that, then Save(true) once the sweep is complete (or Save(false)
// after an interruption).
type Store struct {
	path  string
	part  sweep.Part // the header; Cells is filled in by Save
	write func(path string, p *sweep.Part) error
	hook  func(runs int)
	start time.Time

	saveMu sync.Mutex // held by a Save from its snapshot to its write
	mu     sync.Mutex
	cells  map[sweep.Cell]sweep.Outcome
	read   int    // distinct cells Load added
	runs   int    // cells run since
	events uint64 // their events
	dirty  bool   // cells not saved yet
}

// NewStore returns an empty store of the cells of the sweep that part's
// header describes (its Cells are ignored), saved to path by write. With
// path "" it keeps the cells Load gives it but not those run, and Save
// does nothing. hook, if not nil, is called after each cell run with the
// number run so far, from the worker that ran it. The store's clock
// (Elapsed) starts now.
func NewStore(path string, part sweep.Part, write func(path string, p *sweep.Part) error, hook func(runs int)) *Store {
	part.Cells = nil
	return &Store{path: path, part: part, write: write, hook: hook, start: time.Now(), cells: map[sweep.Cell]sweep.Outcome{}}
}

// Path returns the file the store saves to ("" for none).
func (st *Store) Path() string { return st.path }

// Load adds cells read back from a file (or from other shards' part
// files): a sweep given Options does not run them again. They count in
// Known, not in Runs.
func (st *Store) Load(cells []sweep.CellOutcome) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, c := range cells {
		if _, ok := st.cells[c.Cell]; !ok {
			st.read++
		}
		st.cells[c.Cell] = c.Outcome
	}
}

// Known returns the number of distinct cells Load added.
func (st *Store) Known() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.read
}

// Len returns the number of cells held: those loaded and those run.
func (st *Store) Len() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.cells)
}

// Runs returns the number of cells run through Options and their events.
func (st *Store) Runs() (runs int, events uint64) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.runs, st.events
}

// Elapsed returns the wall time since NewStore (for --stats; it does
// not enter a result).
func (st *Store) Elapsed() time.Duration { return time.Since(st.start) }

// Options returns opts that look cells up in the store and add those
// run to it (sweep.Options.Lookup and Finished).
func (st *Store) Options(opts sweep.Options) sweep.Options {
	opts.Lookup = func(c sweep.Cell) (sweep.Outcome, bool) {
		st.mu.Lock()
		defer st.mu.Unlock()
		o, ok := st.cells[c]
		return o, ok
	}
	opts.Finished = func(c sweep.Cell, o sweep.Outcome) {
		st.mu.Lock()
		if st.path != "" {
			st.cells[c] = o
		}
		st.runs++
		st.events += o.Events
		st.dirty = true
		runs := st.runs
		st.mu.Unlock()
		if st.hook != nil {
			st.hook(runs)
		}
	}
	return opts
}

// Autosave saves the cells while they change, every interval or, if a
// save takes longer than a tenth of that, ten times as long as the last
// save took (so that saving a large sweep costs at most a tenth of its
// time), until the returned function is called, which waits for a save
// under way. A failed save is retried at the next; Save reports it.
func (st *Store) Autosave(every time.Duration) (stop func()) {
	if st.path == "" {
		return func() {}
	}
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTimer(every)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
			}
			start := time.Now()
			_ = st.Save(false) // a failure shows at the final save
			t.Reset(max(every, 10*time.Since(start)))
		}
	}()
	return func() {
		close(quit)
		wg.Wait()
	}
}

// Save writes the cells, sorted by delay and replication, with the
// header and Complete set to complete, if any changed since the last
// save (always if complete). Saves may run concurrently with a sweep and
// with each other: one at a time, each writes a consistent snapshot, the
// last one taken last.
func (st *Store) Save(complete bool) error {
	if st.path == "" {
		return nil
	}
	st.saveMu.Lock()
	defer st.saveMu.Unlock()
	st.mu.Lock()
	if !st.dirty && !complete {
		st.mu.Unlock()
		return nil
	}
	p := st.part
	p.Complete = complete
	p.Cells = make([]sweep.CellOutcome, 0, len(st.cells))
	for c, o := range st.cells {
		p.Cells = append(p.Cells, sweep.CellOutcome{Cell: c, Outcome: o})
	}
	st.dirty = false
	st.mu.Unlock()
	slices.SortFunc(p.Cells, func(a, b sweep.CellOutcome) int {
		return cmp.Or(cmp.Compare(a.Delay, b.Delay), cmp.Compare(a.Replication, b.Replication))
	})
	err := st.write(st.path, &p)
	if err != nil {
		st.mu.Lock()
		st.dirty = true
		st.mu.Unlock()
	}
	return err
}
