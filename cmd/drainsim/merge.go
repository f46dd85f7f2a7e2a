package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/drainsim/drainsim/internal/cli"
	"github.com/drainsim/drainsim/sweep"
)

func newMergeCmd() *cobra.Command {
	var f sweepFlags
	cmd := &cobra.Command{
		Use:   "merge PART...",
		Short: "Merge the part files of a sharded sweep into its results",
		Long: `Merge reads the part files that 'drainsim sweep --shard K/N' wrote, one per
shard, and prints and writes exactly what 'drainsim sweep' would have
without --shard: the same table (or --format json or csv), and with
--out DIR the same results.csv and results.json, byte for byte, and the
plots.

Every part must be complete and of the same sweep (scenario and its
configuration, delays, replications, seed, --drop-cost, --max-dropped,
and drainsim build), and all N shards must be there, each once. Each part
carries the scenario's configuration, so merge needs nothing else.

The shards run the grid only. Refining the recommended and cost-optimal
delays to the second needs a few delays more, chosen from the grid's
results, so merge runs them itself: a handful of delays × the
replications, on --workers goroutines. A progress bar is drawn on standard
error when it is a terminal, unless --quiet; --stats reports those runs.`,
		Example: `  drainsim merge parts/part-*-of-8.json --out results/
  drainsim merge a/part-0-of-2.json b/part-1-of-2.json --format csv`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("merge needs the part files of a sharded sweep (drainsim sweep --shard K/N)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMerge(cmd, args, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "table", "output `format`: table, json or csv")
	fl.IntVar(&f.workers, "workers", 0, "run `N` replications of the refinement at once; 0 means one per CPU (the output does not depend on it)")
	fl.BoolVar(&f.quiet, "quiet", false, "no progress bar (drawn only when standard error is a terminal) and no messages on standard error")
	fl.StringVar(&f.out, "out", "", "also write results.csv, results.json and the plots into directory `DIR`, created if needed")
	fl.BoolVar(&f.svg, "svg", false, "with --out, also write each plot as SVG")
	fl.BoolVar(&f.logY, "log-y", false, "with --out, draw dropped and cost on a log scale")
	fl.BoolVar(&f.stats, "stats", false, "report the runs, events simulated and wall time on standard error")
	return cmd
}

func runMerge(cmd *cobra.Command, paths []string, f *sweepFlags) error {
	_, err := f.checkFlags(cmd, []string{"table", "json", "csv"})
	if err := errors.Join(err, f.checkOut(cmd)); err != nil {
		return joinUsage(err)
	}
	if f.out != "" {
		unlock, err := lockDir(f.out)
		if err != nil {
			return err
		}
		defer unlock()
	}
	parts, err := readParts(paths)
	if err != nil {
		return err
	}
	first := parts[0]
	id := first.Sweep
	if err := first.Config.Validate(); err != nil {
		return &inputError{err: fmt.Errorf("%s: the configuration: %w", paths[0], err)}
	}

	st := cli.NewStore("", sweep.Part{}, nil, nil)
	var cells []sweep.CellOutcome
	for _, p := range parts {
		cells = append(cells, p.Cells...)
	}
	st.Load(cells)
	opts, done := barOptions(cmd, f, 0, "refine")
	crit := sweep.Criteria{DropCost: id.DropCost, MaxDropped: id.MaxDropped}
	rec, err := sweep.Recommend(cmd.Context(), first.Config, id.Delays, id.Replications, crit, st.Options(opts))
	done()
	if f.stats {
		runs, events := st.Runs()
		printRunStats(cmd.ErrOrStderr(), runs, events, st.Elapsed(), f.workers, st.Known(),
			fmt.Sprintf("%d %s", len(parts), nounFor(len(parts), "part", "parts")))
	}
	if err != nil {
		return &runError{fmt.Errorf("merge: %w", err)}
	}
	return f.emit(cmd, first.Config, id.Replications, rec)
}

// readParts reads the part files and checks that they are the complete
// shards of one sweep, each once, with the cells of their shard. It
// returns them in shard order, or an input error with a line per
// problem.
func readParts(paths []string) ([]*sweep.Part, error) {
	var bad []error
	var parts []*sweep.Part
	var names []string
	for _, path := range paths {
		p, err := readPart(path)
		if err != nil {
			bad = append(bad, err)
			continue
		}
		switch {
		case p.Shards == 0:
			bad = append(bad, fmt.Errorf("%s: the checkpoint of a sweep that is not sharded, not a shard's part: run that sweep again to finish it", path))
		case !p.Complete:
			bad = append(bad, fmt.Errorf("%s: shard %d/%d is incomplete (%d of %d cells): run it again, the same command, to finish it",
				path, p.Shard, p.Shards, len(p.Cells), len(sweep.Shard(p.Sweep.Delays, p.Sweep.Replications, p.Shard, p.Shards))))
		default:
			parts = append(parts, p)
			names = append(names, path)
		}
	}
	if len(bad) > 0 {
		return nil, &inputError{err: errors.Join(bad...)}
	}
	first, n := parts[0], parts[0].Shards
	byShard := make([]int, n) // index in parts + 1, 0 for none
	for i, p := range parts {
		if d := first.Sweep.Diff(p.Sweep); len(d) > 0 {
			bad = append(bad, fmt.Errorf("%s: a shard of another sweep than %s (%s)", names[i], names[0], strings.Join(d, "; ")))
			continue
		}
		if p.Shards != n {
			bad = append(bad, fmt.Errorf("%s: shard %d/%d, but %s is one of %d shards", names[i], p.Shard, p.Shards, names[0], n))
			continue
		}
		if p.Program != first.Program {
			bad = append(bad, fmt.Errorf("%s: written by %s, but %s by %s: run every shard with one build", names[i], p.Program, names[0], first.Program))
			continue
		}
		if j := byShard[p.Shard]; j > 0 {
			bad = append(bad, fmt.Errorf("%s: shard %d/%d again (%s is too)", names[i], p.Shard, n, names[j-1]))
			continue
		}
		byShard[p.Shard] = i + 1
		if err := checkShardCells(p); err != nil {
			bad = append(bad, fmt.Errorf("%s: %w", names[i], err))
		}
	}
	var missing []string
	for k, j := range byShard {
		if j == 0 {
			missing = append(missing, fmt.Sprint(k))
		}
	}
	if len(missing) > 0 && len(bad) == 0 {
		const most = 20
		list := strings.Join(missing[:min(len(missing), most)], ", ")
		if len(missing) > most {
			list += fmt.Sprintf(" and %d more", len(missing)-most)
		}
		bad = append(bad, fmt.Errorf("missing %s %s of %d (part-K-of-%d.json): merge needs every shard's part",
			nounFor(len(missing), "shard", "shards"), list, n, n))
	}
	if len(bad) > 0 {
		return nil, &inputError{err: errors.Join(bad...)}
	}
	ordered := make([]*sweep.Part, n)
	for k, j := range byShard {
		ordered[k] = parts[j-1]
	}
	return ordered, nil
}

// readPart reads one part file.
func readPart(path string) (*sweep.Part, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	defer f.Close()
	p, err := sweep.ReadPart(newCapReader(f, maxPartBytes))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// checkShardCells checks that a complete part holds exactly the cells of
// its shard.
func checkShardCells(p *sweep.Part) error {
	want := sweep.Shard(p.Sweep.Delays, p.Sweep.Replications, p.Shard, p.Shards)
	if len(p.Cells) != len(want) {
		return fmt.Errorf("%d cells, but shard %d/%d has %d", len(p.Cells), p.Shard, p.Shards, len(want))
	}
	in := make(map[sweep.Cell]bool, len(want))
	for _, c := range want {
		in[c] = true
	}
	for _, c := range p.Cells {
		if !in[c.Cell] {
			return fmt.Errorf("delay %v replication %d is not a cell of shard %d/%d", c.Delay, c.Replication, p.Shard, p.Shards)
		}
	}
	return nil
}
