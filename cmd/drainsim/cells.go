package main

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/drainsim/drainsim/sweep"
)

// checkpointFile is the name of the checkpoint of a sweep with --out DIR.
const checkpointFile = "drainsim-checkpoint.json"

// saveEvery is how often finished cells are saved while a sweep runs.
const saveEvery = time.Second

// program names this drainsim in part files and checkpoints: cells of
// different builds are not mixed. The module version alone does not
// tell builds apart (every build from a source tree is "(devel)"), so
// it is followed by the build's identity, [buildID].
func program() string { return "drainsim " + version() + " (" + buildID() + ")" }

// buildID identifies the code drainsim was built from, computed once.
var buildID = sync.OnceValue(func() string {
	bi, _ := debug.ReadBuildInfo()
	return buildIdentity(bi, os.Executable)
})

// buildIdentity returns what changes whenever the code does: the VCS
// revision of a clean checkout ("vcs 1a2b3c…"), else — a checkout with
// uncommitted changes, whose revision stays the same while its code
// does, or a build without VCS information (go test, go build -buildvcs
// false) — the SHA-256 of the running binary, after the revision if
// there is one ("vcs 1a2b3c…+modified, binary sha256 4d5e6f…"). If
// the binary cannot be read either, the result says so and never equals
// that of another build ("unidentified build (…)").
func buildIdentity(bi *debug.BuildInfo, exe func() (string, error)) string {
	var rev string
	modified := false
	if bi != nil {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if rev != "" && !modified {
		return "vcs " + rev
	}
	var parts []string
	if rev != "" {
		parts = append(parts, "vcs "+rev+"+modified")
	}
	sum, err := fileSHA256(exe)
	if err != nil {
		// Unique per process: cells of this run are never mixed with
		// another's, as they cannot be shown to come from the same code.
		return fmt.Sprintf("unidentified build (%v; pid %d, started %s)", err, os.Getpid(), time.Now().UTC().Format(time.RFC3339Nano))
	}
	return strings.Join(append(parts, "binary sha256 "+sum), ", ")
}

// fileSHA256 returns the hex SHA-256 of the file exe names.
func fileSHA256(exe func() (string, error)) (string, error) {
	path, err := exe()
	if err != nil {
		return "", err
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// cellStore holds the finished cells of a sweep, those read back from its
// file and those run since, and saves them to the file: the checkpoint of
// a sweep or the part file of a shard. It is safe for concurrent use.
type cellStore struct {
	path  string
	part  sweep.Part // the header; Cells is filled in by save
	start time.Time

	mu     sync.Mutex
	cells  map[sweep.Cell]sweep.Outcome
	read   int    // cells read back from the file
	runs   int    // cells run since
	events uint64 // their events
	dirty  bool   // cells not saved yet
	hook   func(runs int)
}

// openCheckpoint opens the checkpoint of a sweep with --out DIR, or a
// store that keeps no cells without --out.
func (f *sweepFlags) openCheckpoint(cmd *cobra.Command, p *plan) (*cellStore, error) {
	if f.out == "" {
		return openCells(cmd, p, "", 0, 0)
	}
	path := filepath.Join(f.out, checkpointFile)
	st, err := openCells(cmd, p, path, 0, 0)
	if err == nil && st.known() > 0 && !f.quiet {
		fmt.Fprintf(cmd.ErrOrStderr(), "drainsim: resuming from %s: %d %s done\n", path, st.known(), nounFor(st.known(), "cell", "cells"))
	}
	return st, err
}

// openCells reads the cells saved at path for the sweep p, shard k of n
// (n = 0: not sharded), or starts with none if there is no file. A file
// of another sweep, shard or program is an input error: it is not
// overwritten. With path "" the store only counts the cells run.
func openCells(cmd *cobra.Command, p *plan, path string, k, n int) (*cellStore, error) {
	id, err := sweep.NewIdentity(p.cfg, p.delays, p.reps, p.crit)
	if err != nil {
		return nil, &runError{err}
	}
	st := &cellStore{path: path, start: time.Now(), cells: map[sweep.Cell]sweep.Outcome{},
		part: sweep.Part{Program: program(), Sweep: id, Config: p.cfg, Shard: k, Shards: n}}
	st.hook, _ = cmd.Context().Value(cellHookKey{}).(func(int))
	if path == "" {
		return st, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, partError(path, err)
	}
	defer f.Close()
	old, err := sweep.ReadPart(newCapReader(f, maxPartBytes))
	if err != nil {
		return nil, partError(path, fmt.Errorf("cannot resume from it: %w; remove it to start again", err))
	}
	what := "part file"
	if n == 0 {
		what = "checkpoint"
	}
	if d := id.Diff(old.Sweep); len(d) > 0 {
		return nil, partError(path, fmt.Errorf("a %s of another sweep (%s): remove it or choose another %s", what, strings.Join(d, "; "), outFlag(n)))
	}
	if old.Shard != k || old.Shards != n {
		return nil, partError(path, fmt.Errorf("a %s of %s, not of %s: remove it or choose another %s", what, shardText(old.Shard, old.Shards), shardText(k, n), outFlag(n)))
	}
	if old.Program != st.part.Program {
		return nil, partError(path, fmt.Errorf("written by %s, not %s: its cells may differ; remove it to start again", old.Program, st.part.Program))
	}
	for _, c := range old.Cells {
		st.cells[c.Cell] = c.Outcome
	}
	st.read = len(old.Cells)
	return st, nil
}

func outFlag(shards int) string {
	if shards == 0 {
		return "--out"
	}
	return "--out or --part"
}

func shardText(k, n int) string {
	if n == 0 {
		return "a sweep that is not sharded"
	}
	return fmt.Sprintf("shard %d/%d", k, n)
}

// cellHookKey is the context key of a func(runs int) called after each
// cell run, with the number run so far (tests interrupt sweeps with it).
type cellHookKey struct{}

// saveEveryKey is the context key of a time.Duration replacing saveEvery
// (tests).
type saveEveryKey struct{}

func (f *scaleFlags) saveEvery(ctx context.Context) time.Duration {
	if d, ok := ctx.Value(saveEveryKey{}).(time.Duration); ok {
		return d
	}
	return saveEvery
}

// known returns the number of cells read back from the file.
func (st *cellStore) known() int { return st.read }

// options returns opts that look cells up in the store and add those
// run to it.
func (st *cellStore) options(ctx context.Context, opts sweep.Options) sweep.Options {
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

// autosave saves the cells while they change, every interval or, if a
// save takes longer than a tenth of that, ten times as long as the last
// save took (so that saving a large sweep costs at most a tenth of its
// time), until the returned function is called, which waits for a save
// under way.
func (st *cellStore) autosave(every time.Duration) (stop func()) {
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
			_ = st.save(false) // a failure shows at the final save
			t.Reset(max(every, 10*time.Since(start)))
		}
	}()
	return func() {
		close(quit)
		wg.Wait()
	}
}

// save writes the cells to the file, sorted by delay and replication, if
// any changed since the last save (always if complete), creating its
// directory if needed.
func (st *cellStore) save(complete bool) error {
	if st.path == "" {
		return nil
	}
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
	if err := os.MkdirAll(filepath.Dir(st.path), 0o755); err != nil {
		return err
	}
	err := writeFileAtomic(st.path, func(w io.Writer) error { return sweep.WritePart(w, &p) })
	if err != nil {
		st.mu.Lock()
		st.dirty = true
		st.mu.Unlock()
	}
	return err
}

// interrupted saves the cells after the sweep stopped with err and
// returns the error to report.
func (st *cellStore) interrupted(what string, err error) error {
	if st.path == "" {
		return &runError{fmt.Errorf("%s: %w", what, err)}
	}
	serr := st.save(false)
	st.mu.Lock()
	n := len(st.cells)
	st.mu.Unlock()
	switch {
	case serr != nil:
		return &runError{fmt.Errorf("%s: %w; saving the finished cells failed: write %s: %v", what, err, st.path, serr)}
	case errors.Is(err, context.Canceled):
		return &runError{fmt.Errorf("%s: interrupted; %d finished %s saved in %s: run the same command to resume", what, n, nounFor(n, "cell", "cells"), st.path)}
	}
	return &runError{fmt.Errorf("%s: %w (%d finished %s saved in %s)", what, err, n, nounFor(n, "cell", "cells"), st.path)}
}

// remove deletes the file.
func (st *cellStore) remove() error {
	if st.path == "" {
		return nil
	}
	err := os.Remove(st.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// printStats prints --stats: the cells run here and their events, the
// wall time since the store was opened, and the cells reused.
func (f *sweepFlags) printStats(cmd *cobra.Command, st *cellStore) {
	if !f.stats {
		return
	}
	st.mu.Lock()
	runs, events, read := st.runs, st.events, st.read
	st.mu.Unlock()
	printRunStats(cmd.ErrOrStderr(), runs, events, time.Since(st.start), f.workers, read, st.path)
}

// printRunStats prints one --stats line.
func printRunStats(w io.Writer, runs int, events uint64, wall time.Duration, workers, reused int, from string) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, runs))
	fmt.Fprintf(w, "drainsim: stats: %d %s, %d events in %s (%s events/s, %d %s)",
		runs, nounFor(runs, "run", "runs"), events, wall.Round(time.Microsecond), rate(events, wall), workers, nounFor(workers, "worker", "workers"))
	if reused > 0 {
		fmt.Fprintf(w, "; %d %s reused from %s", reused, nounFor(reused, "cell", "cells"), from)
	}
	fmt.Fprintln(w)
}

// barOptions returns sweep options with a progress bar on stderr, for
// about jobs runs, if it is a terminal and not quiet, and the function
// that removes the bar.
func barOptions(cmd *cobra.Command, f *sweepFlags, jobs int, what string) (sweep.Options, func()) {
	opts := sweep.Options{Workers: f.workers}
	if f.quiet || !isTerminal(cmd.ErrOrStderr()) {
		return opts, func() {}
	}
	pr := newProgress(cmd.ErrOrStderr(), jobs)
	pr.bar.Describe(what)
	opts.Progress = pr.update
	return opts, pr.finish
}
