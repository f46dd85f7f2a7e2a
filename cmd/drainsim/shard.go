package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/drainsim/drainsim/sweep"
)

// maxShards is the largest N of --shard K/N: Kubernetes takes up to
// 100000 completions in an Indexed Job, AWS Batch up to 10000 array
// children.
const maxShards = 100000

// Environment variables that give a shard its number with --shard auto/N,
// in the order they are read.
var shardIndexEnv = []struct{ name, what string }{
	{"JOB_COMPLETION_INDEX", "Kubernetes Indexed Job"},
	{"AWS_BATCH_JOB_ARRAY_INDEX", "AWS Batch array job"},
}

// scaleFlags are sweep's flags for running beyond one process: --shard,
// --part and --stats.
type scaleFlags struct {
	shard string // "K/N" or "auto/N"
	part  string
	stats bool

	k, n int // the shard, parsed
}

const scaleHelp = `

--shard K/N runs only shard K (0-based) of N of the grid's cells (a cell
is one replication at one delay; cell i, counting by delay then
replication, belongs to shard i mod N) and writes them to a part file,
DIR/part-K-of-N.json with --out DIR or the file --part FILE, instead of
printing results. 'drainsim merge' turns the N parts into the output
this command would print and write without --shard, byte for byte; it
also runs the handful of delays that refine the recommendation.
--shard auto/N takes K from $JOB_COMPLETION_INDEX (a Kubernetes Indexed
Job) or else $AWS_BATCH_JOB_ARRAY_INDEX (an AWS Batch array job).

With --out (or --shard), finished cells are saved in DIR/` + checkpointFile + `
(or in the part file itself) every second, less often if saving takes
more than a tenth of that, and when the sweep is interrupted (SIGINT,
SIGTERM). Running the same command again resumes: it skips the cells
saved, refuses a file of another sweep, and gives the same output as an
uninterrupted run. The checkpoint is removed once the results are
written.

--stats reports the runs, the events simulated and the wall time on
standard error (even with --quiet); standard output does not change.`

func (s *scaleFlags) registerScale(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&s.shard, "shard", "", "run shard `K/N` of the grid only (K from 0; auto/N reads K from $JOB_COMPLETION_INDEX or $AWS_BATCH_JOB_ARRAY_INDEX) and write a part file for 'drainsim merge'")
	fl.StringVar(&s.part, "part", "", "with --shard, write the part to `FILE` (default: DIR/part-K-of-N.json with --out DIR)")
	fl.BoolVar(&s.stats, "stats", false, "report the runs, events simulated and wall time on standard error")
}

// sharded reports whether --shard was given.
func (s *scaleFlags) sharded() bool { return s.shard != "" }

// checkShard checks --shard and --part against the other flags of sweep
// and returns one usage error listing every problem, or nil.
func (f *sweepFlags) checkShard(cmd *cobra.Command) error {
	fl := cmd.Flags()
	var bad []error
	if !fl.Changed("shard") {
		if fl.Changed("part") {
			bad = append(bad, errors.New("--part names the part file of a shard: it needs --shard K/N"))
		}
		return usageOrNil(bad)
	}
	k, n, err := parseShard(f.shard, envLookup(cmd.Context()))
	if err != nil {
		bad = append(bad, err)
	}
	f.k, f.n = k, n
	for _, name := range []string{"format", "svg", "log-y"} {
		if fl.Changed(name) {
			bad = append(bad, fmt.Errorf("--%s applies to the results; with --shard a sweep writes a part file only ('drainsim merge' writes the results)", name))
		}
	}
	switch {
	case fl.Changed("part") && fl.Changed("out"):
		bad = append(bad, errors.New("with --shard give --out DIR or --part FILE, not both"))
	case fl.Changed("part") && f.part == "":
		bad = append(bad, errors.New("invalid --part \"\": must name a file"))
	case fl.Changed("part"):
		if fi, err := os.Stat(f.part); err == nil && !fi.Mode().IsRegular() {
			bad = append(bad, fmt.Errorf("invalid --part %s: not a regular file", f.part))
		} else if fi, err := os.Stat(filepath.Dir(f.part)); err != nil || !fi.IsDir() {
			bad = append(bad, fmt.Errorf("invalid --part %s: directory %s does not exist", f.part, filepath.Dir(f.part)))
		}
	case !fl.Changed("out"):
		bad = append(bad, errors.New("--shard writes a part file: give --out DIR (for DIR/part-K-of-N.json) or --part FILE"))
	}
	return usageOrNil(bad)
}

func usageOrNil(bad []error) error {
	if len(bad) == 0 {
		return nil
	}
	return &usageError{errors.Join(bad...)}
}

// parseShard reads "K/N" or "auto/N"; for auto, K comes from the first
// of shardIndexEnv that lookup finds.
func parseShard(s string, lookup func(string) (string, bool)) (k, n int, err error) {
	ks, ns, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return 0, 0, fmt.Errorf("invalid --shard %q: want K/N (e.g. 0/4, K from 0) or auto/N", s)
	}
	n, err = strconv.Atoi(ns)
	if err != nil || n < 1 || n > maxShards {
		return 0, 0, fmt.Errorf("invalid --shard %q: N must be a number of shards, 1–%d", s, maxShards)
	}
	if ks != "auto" {
		k, err = strconv.Atoi(ks)
		if err != nil || k < 0 || k >= n {
			return 0, 0, fmt.Errorf("invalid --shard %q: K must be auto or a shard number, 0–%d (shards are numbered from 0)", s, n-1)
		}
		return k, n, nil
	}
	for _, e := range shardIndexEnv {
		v, ok := lookup(e.name)
		if !ok {
			continue
		}
		k, err = strconv.Atoi(strings.TrimSpace(v))
		switch {
		case err != nil:
			return 0, 0, fmt.Errorf("--shard %s: %s=%q is not a shard number", s, e.name, v)
		case k < 0 || k >= n:
			return 0, 0, fmt.Errorf("--shard %s: %s=%d is outside 0–%d: the %s must have exactly %d children, numbered from 0", s, e.name, k, n-1, e.what, n)
		}
		return k, n, nil
	}
	return 0, 0, fmt.Errorf("--shard %s: neither %s (%s) nor %s (%s) is set: give the shard's number, --shard K/%d",
		s, shardIndexEnv[0].name, shardIndexEnv[0].what, shardIndexEnv[1].name, shardIndexEnv[1].what, n)
}

// envKey is the context key of a replacement for os.LookupEnv (tests).
type envKey struct{}

func envLookup(ctx context.Context) func(string) (string, bool) {
	if f, ok := ctx.Value(envKey{}).(func(string) (string, bool)); ok {
		return f
	}
	return os.LookupEnv
}

// partPath returns the part file of shard k of n.
func (f *sweepFlags) partPath() string {
	if f.part != "" {
		return f.part
	}
	return filepath.Join(f.out, fmt.Sprintf("part-%d-of-%d.json", f.k, f.n))
}

// runShard runs the cells of one shard, resuming from its part file if
// there is one, and writes the complete part.
func runShard(cmd *cobra.Command, arg string, f *sweepFlags, p *plan) error {
	path := f.partPath()
	cells := sweep.Shard(p.delays, p.reps, f.k, f.n)
	st, err := openCells(cmd, p, path, f.k, f.n)
	if err != nil {
		return err
	}
	if n := st.Known(); n > 0 && !f.quiet {
		fmt.Fprintf(cmd.ErrOrStderr(), "drainsim: resuming from %s: %d of %d %s done\n", path, n, len(cells), nounFor(len(cells), "cell", "cells"))
	}
	opts, done := barOptions(cmd, f, len(cells)-st.Known(), "shard")
	opts = st.Options(opts)
	stop := st.Autosave(f.saveEvery(cmd.Context()))
	_, err = sweep.RunCells(cmd.Context(), p.cfg, cells, opts)
	stop()
	done()
	f.printStats(cmd, st)
	if err != nil {
		return interrupted(st, fmt.Sprintf("sweep %s --shard %d/%d", arg, f.k, f.n), err)
	}
	if err := st.Save(true); err != nil {
		return &runError{fmt.Errorf("write %s: %w", path, err)}
	}
	if !f.quiet {
		fmt.Fprintf(cmd.ErrOrStderr(), "drainsim: wrote %s: shard %d of %d, %d %s\n", path, f.k, f.n, len(cells), nounFor(len(cells), "cell", "cells"))
	}
	return nil
}

// partError says what is wrong with a part or checkpoint file: an input
// error.
func partError(path string, err error) error {
	return &inputError{err: fileError(path, err)}
}

// fileError prefixes err with path, once.
func fileError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == path {
		err = pe.Err
	}
	return fmt.Errorf("%s: %w", path, err)
}
