package main

import (
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
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/drainsim/drainsim/internal/cli"
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

// openCheckpoint opens the checkpoint of a sweep with --out DIR, or a
// store that keeps no cells without --out.
func (f *sweepFlags) openCheckpoint(cmd *cobra.Command, p *plan) (*cli.Store, error) {
	if f.out == "" {
		return openCells(cmd, p, "", 0, 0)
	}
	path := filepath.Join(f.out, checkpointFile)
	st, err := openCells(cmd, p, path, 0, 0)
	if err == nil && st.Known() > 0 && !f.quiet {
		fmt.Fprintf(cmd.ErrOrStderr(), "drainsim: resuming from %s: %d %s done\n", path, st.Known(), nounFor(st.Known(), "cell", "cells"))
	}
	return st, err
}

// openCells reads the cells saved at path for the sweep p, shard k of n
// (n = 0: not sharded), or starts with none if there is no file. A file
// of another sweep, shard or program is an input error: it is not
// overwritten. With path "" the store only counts the cells run.
func openCells(cmd *cobra.Command, p *plan, path string, k, n int) (*cli.Store, error) {
	id, err := sweep.NewIdentity(p.cfg, p.delays, p.reps, p.crit)
	if err != nil {
		return nil, &runError{err}
	}
	hook, _ := cmd.Context().Value(cellHookKey{}).(func(int))
	prog := program()
	st := cli.NewStore(path, sweep.Part{Program: prog, Sweep: id, Config: p.cfg, Shard: k, Shards: n}, writePart, hook)
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
	if old.Program != prog {
		return nil, partError(path, fmt.Errorf("written by %s, not %s: its cells may differ; remove it to start again", old.Program, prog))
	}
	st.Load(old.Cells)
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

// writePart writes the part p to path atomically, creating its directory
// if needed: how a cli.Store saves.
func writePart(path string, p *sweep.Part) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return writeFileAtomic(path, func(w io.Writer) error { return sweep.WritePart(w, p) })
}

// interrupted saves the cells after the sweep stopped with err and
// returns the error to report.
func interrupted(st *cli.Store, what string, err error) error {
	if st.Path() == "" {
		return &runError{fmt.Errorf("%s: %w", what, err)}
	}
	serr := st.Save(false)
	n := st.Len()
	switch {
	case serr != nil:
		return &runError{fmt.Errorf("%s: %w; saving the finished cells failed: write %s: %v", what, err, st.Path(), serr)}
	case errors.Is(err, context.Canceled):
		return &runError{fmt.Errorf("%s: interrupted; %d finished %s saved in %s: run the same command to resume", what, n, nounFor(n, "cell", "cells"), st.Path())}
	}
	return &runError{fmt.Errorf("%s: %w (%d finished %s saved in %s)", what, err, n, nounFor(n, "cell", "cells"), st.Path())}
}

// removeStore deletes the store's file.
func removeStore(st *cli.Store) error {
	if st.Path() == "" {
		return nil
	}
	err := os.Remove(st.Path())
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// printStats prints --stats: the cells run here and their events, the
// wall time since the store was opened, and the cells reused.
func (f *sweepFlags) printStats(cmd *cobra.Command, st *cli.Store) {
	if !f.stats {
		return
	}
	runs, events := st.Runs()
	printRunStats(cmd.ErrOrStderr(), runs, events, st.Elapsed(), f.workers, st.Known(), st.Path())
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
