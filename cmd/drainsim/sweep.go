package main

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/drainsim/drainsim/chart"
	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/report"
	"github.com/drainsim/drainsim/scenarios"
	"github.com/drainsim/drainsim/sweep"
)

// maxReplications is the largest --replications, as model.Config takes it.
const maxReplications = 100000

// maxCells is the most delays × replications a sweep or recommend may
// run on its grid: every cell's outcome is kept in memory (for the rows,
// checkpoints and part files), about half a KiB each, so 10^6 cells take
// about 0.5 GiB. docs/reliability.md, "CLI limits and signals".
const maxCells = 1_000_000

// maxDropCost is the largest --drop-cost in USD: far above any real cost
// of a dropped request, and small enough that drop cost × drops stays
// finite.
const maxDropCost = 1e6

// maxDrops is the largest --max-dropped and --max-expected-dropped, in
// drops per replication: beyond any count a replication can reach.
const maxDrops = 1e12

// defaultMaxReplications is recommend's default --max-replications: enough
// for a limit of 0.01 drops per scale-in on the built-ins (with no drop
// seen, the bound is 3.689/n ≤ 0.01 from n = 369; with drops near the
// limit it takes thousands, importance-sampled where the lag is random).
// docs/sweeps.md, "Adaptive replications" and "Rare-event sampling".
const defaultMaxReplications = 4000

// Names of the result files --out writes besides the plots.
const (
	resultsCSV  = "results.csv"
	resultsJSON = "results.json"
)

// delaysHelp describes the value of --delays.
const delaysHelp = "delays to try, `GRID`: from:to:step (0s:300s:10s) or a list (0s,30s,60s) of whole seconds in 0s–3600s (default: the scenario's [sweep] delays, else 0s:300s:10s)"

// gridFlags are the flags sweep and recommend share.
type gridFlags struct {
	delays       string
	replications int
	dropCost     float64
	maxDropped   float64
	maxExpected  float64
	maxPAnyDrop  float64
	maxReps      int
	untilDecided bool
	adaptive     bool // recommend: adapt replications by default
	seed         uint64
	workers      int
	format       string
	quiet        bool
}

func (f *gridFlags) register(cmd *cobra.Command, formats string) {
	fl := cmd.Flags()
	fl.StringVar(&f.delays, "delays", "", delaysHelp)
	fl.IntVar(&f.replications, "replications", 0, fmt.Sprintf("replications `R` per delay, 1–%d (default: the scenario's [sweep] replications, else %d)", maxReplications, model.DefaultSweepReplications))
	fl.Float64Var(&f.dropCost, "drop-cost", 0, "cost of one dropped request or connection in `USD`, 0 or more, for the cost optimum (default: the scenario's [sweep] drop_cost, else 0)")
	fl.Float64Var(&f.maxDropped, "max-dropped", 0, "recommend a delay whose upper 95 % bound of drops per replication is at most `N` (default: the scenario's [sweep] max_dropped, else 0.1 unless another criterion is given; 0 is unset: no sample certifies 0)")
	fl.Float64Var(&f.maxExpected, "max-expected-dropped", 0, "recommend a delay whose mean drops per replication is at most `N` (more than 0)")
	fl.Float64Var(&f.maxPAnyDrop, "max-p-any-drop", 0, "recommend a delay whose upper 95 % bound of the fraction of scale-ins that drop anything is at most `P` (0–1; e.g. 0.01: at most 1 % of scale-ins may drop)")
	fl.IntVar(&f.maxReps, "max-replications", 0, fmt.Sprintf("add replications (doubling) at a delay whose intervals straddle a limit, up to `N` per delay (recommend's default %d; sweep adds none unless --until-decided)", defaultMaxReplications))
	fl.Uint64Var(&f.seed, "seed", 0, "random seed `N`, overriding the scenario's")
	fl.IntVar(&f.workers, "workers", 0, "run `N` replications at once; 0 means one per CPU (the output does not depend on it)")
	fl.StringVar(&f.format, "format", "table", "output `format`: "+formats)
	fl.BoolVar(&f.quiet, "quiet", false, "no progress bar (drawn only when standard error is a terminal) and no messages on standard error")
}

// plan is a checked sweep: the scenario, the grid and the criteria.
type plan struct {
	cfg    *model.Config
	delays []time.Duration
	reps   int
	crit   sweep.Criteria
}

// checkFlags checks the values of the flags that need no scenario and
// returns one usage error listing every bad one, or nil.
func (f *gridFlags) checkFlags(cmd *cobra.Command, formats []string) (delays []time.Duration, err error) {
	fl := cmd.Flags()
	var bad []error
	if !slices.Contains(formats, f.format) {
		bad = append(bad, fmt.Errorf("invalid --format %q: must be %s", f.format, orList(formats)))
	}
	if f.workers < 0 {
		bad = append(bad, fmt.Errorf("invalid --workers %d: must be 0 (one per CPU) or more", f.workers))
	}
	if fl.Changed("delays") {
		d, err := sweep.ParseDelays(f.delays)
		if err != nil {
			bad = append(bad, delaysError(f.delays, err))
		}
		delays = d
	}
	if fl.Changed("replications") && (f.replications < 1 || f.replications > maxReplications) {
		bad = append(bad, fmt.Errorf("invalid --replications %d: must be 1–%d", f.replications, maxReplications))
	}
	if fl.Changed("drop-cost") && !(nonNegative(f.dropCost) && f.dropCost <= maxDropCost) {
		bad = append(bad, fmt.Errorf("invalid --drop-cost %s: must be a number of USD, 0–%g", fl.Lookup("drop-cost").Value, maxDropCost))
	}
	if fl.Changed("max-dropped") && !(nonNegative(f.maxDropped) && f.maxDropped <= maxDrops) {
		bad = append(bad, fmt.Errorf("invalid --max-dropped %s: must be a number of drops per replication, 0–%g", fl.Lookup("max-dropped").Value, maxDrops))
	}
	if fl.Changed("max-expected-dropped") && !(f.maxExpected > 0 && f.maxExpected <= maxDrops) {
		bad = append(bad, fmt.Errorf("invalid --max-expected-dropped %s: must be a number of drops per replication, more than 0 and at most %g", fl.Lookup("max-expected-dropped").Value, maxDrops))
	}
	if fl.Changed("max-p-any-drop") && !(f.maxPAnyDrop > 0 && f.maxPAnyDrop <= 1) {
		bad = append(bad, fmt.Errorf("invalid --max-p-any-drop %s: must be a fraction of scale-ins, more than 0 and at most 1", fl.Lookup("max-p-any-drop").Value))
	}
	if fl.Changed("max-replications") && (f.maxReps < 2 || f.maxReps > maxReplications) {
		bad = append(bad, fmt.Errorf("invalid --max-replications %d: must be 2–%d", f.maxReps, maxReplications))
	}
	if fl.Changed("replications") && f.replications < sweep.MinReplications && f.replications >= 1 {
		bad = append(bad, fmt.Errorf("invalid --replications %d: one replication is not a statistic; intervals and a recommendation need at least %d", f.replications, sweep.MinReplications))
	}
	if len(bad) > 0 {
		return nil, &usageError{errors.Join(bad...)}
	}
	return delays, nil
}

// delaysError says what is wrong with the value of --delays: the
// message of sweep.ParseDelays, without the value it repeats, or, for a
// delay out of range, one that quotes the delay as given ("4000s").
func delaysError(s string, err error) error {
	msg := err.Error()
	t := strings.TrimSpace(s)
	for _, p := range []string{fmt.Sprintf("delay range %q: ", t), fmt.Sprintf("delay list %q: ", t)} {
		msg = strings.TrimPrefix(msg, p)
	}
	var ends []string // the delays as given, and the step of a range
	step := ""
	if parts := strings.Split(t, ":"); len(parts) == 3 {
		ends, step = parts[:2], strings.TrimSpace(parts[2])
	} else if len(parts) == 1 {
		ends = strings.Split(t, ",")
	}
	if d, perr := time.ParseDuration(step); perr == nil && d > 0 && d%time.Second != 0 {
		msg = fmt.Sprintf("step %s is not a whole number of seconds", step)
	}
	for _, e := range ends {
		e = strings.TrimSpace(e)
		d, perr := time.ParseDuration(e)
		switch {
		case perr != nil:
		case d < 0 || d > model.MaxDeregistrationDelay:
			msg = fmt.Sprintf("%s is outside 0s–3600s", e)
		case d%time.Second != 0:
			msg = fmt.Sprintf("%s is not a whole number of seconds; AWS takes whole seconds within 0s–3600s", e)
		default:
			continue
		}
		break
	}
	if !strings.Contains(msg, "from:to:step") && !strings.Contains(msg, "0s–3600s") && !strings.Contains(msg, "step") {
		msg += "; want from:to:step or a list a,b,… of whole seconds within 0s–3600s"
	}
	return fmt.Errorf("invalid --delays %q: %s", s, msg)
}

func nonNegative(x float64) bool { return x >= 0 && !math.IsInf(x, 1) }

// orList joins xs as "a, b or c".
func orList(xs []string) string {
	if len(xs) == 1 {
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}

// load opens the scenario and applies the flags over its [sweep] table
// and the defaults.
func (f *gridFlags) load(cmd *cobra.Command, arg string, flagDelays []time.Duration) (*plan, error) {
	fl := cmd.Flags()
	cfg, err := scenarios.Open(arg)
	if err != nil {
		return nil, &inputError{err: err}
	}
	if fl.Changed("seed") {
		cfg.Seed = f.seed
	}
	p := &plan{cfg: cfg, delays: flagDelays, reps: cfg.Sweep.Replications,
		crit: sweep.Criteria{MaxDropped: cfg.Sweep.MaxDropped, DropCost: cfg.Sweep.DropCost}}
	if !fl.Changed("delays") {
		p.delays = cfg.DefaultDelays() // the default grid if unset
	}
	if fl.Changed("replications") {
		p.reps = f.replications
	}
	if p.reps == 0 {
		p.reps = model.DefaultSweepReplications
	}
	if fl.Changed("drop-cost") {
		p.crit.DropCost = f.dropCost
	}
	if fl.Changed("max-dropped") {
		p.crit.MaxDropped = f.maxDropped
	}
	p.crit.MaxExpectedDropped, p.crit.MaxPAnyDrop = f.maxExpected, f.maxPAnyDrop
	if f.maxReps == 0 && (f.adaptive || f.untilDecided) {
		f.maxReps = defaultMaxReplications
	}
	if f.untilDecided || f.adaptive {
		p.crit.MaxReplications = f.maxReps
	}
	if p.reps < sweep.MinReplications {
		return nil, &inputError{err: fmt.Errorf("%s: sweep.replications: %d is not a statistic; intervals and a recommendation need at least %d", arg, p.reps, sweep.MinReplications)}
	}
	if len(p.delays) == 0 {
		return nil, &inputError{err: fmt.Errorf("%s: sweep.delays: no delays to try", arg)}
	}
	if n := len(p.delays) * p.reps; n > maxCells {
		return nil, usagef("too much work: %d delays × %d replications = %d runs, more than the limit of %d (each run's outcome is kept in memory); use fewer delays (a coarser --delays step) or fewer --replications", len(p.delays), p.reps, n, maxCells)
	}
	// Every delay must suit the load balancer (a CLB with connection
	// draining takes 1s–3600s): the smallest and largest tell.
	for _, d := range []time.Duration{p.delays[0], p.delays[len(p.delays)-1]} {
		err := sweep.WithDelay(cfg, d).Validate()
		if err == nil {
			continue
		}
		var fe *model.FieldError
		if errors.As(err, &fe) && fe.Path == "target_group.deregistration_delay" {
			if fl.Changed("delays") {
				return nil, usagef("invalid --delays %q: delay %v: %s", f.delays, d, fe.Msg)
			}
			return nil, &inputError{err: fmt.Errorf("%s: sweep.delays: delay %v: %s; give others with --delays", arg, d, fe.Msg)}
		}
		return nil, &inputError{err: fmt.Errorf("%s: %w", arg, err)}
	}
	return p, nil
}

// options returns the sweep options with a progress bar on stderr if it
// is a terminal and not quiet, and the function that removes the bar.
func (f *gridFlags) options(cmd *cobra.Command, p *plan) (sweep.Options, func()) {
	opts := sweep.Options{Workers: f.workers}
	if f.quiet || !isTerminal(cmd.ErrOrStderr()) {
		return opts, func() {}
	}
	pr := newProgress(cmd.ErrOrStderr(), len(p.delays)*p.reps)
	opts.Progress = pr.update
	return opts, pr.finish
}

type sweepFlags struct {
	gridFlags
	out  string
	svg  bool
	logY bool
	scaleFlags
}

func newSweepCmd() *cobra.Command {
	var f sweepFlags
	cmd := &cobra.Command{
		Use:   "sweep FILE|NAME",
		Short: "Try a grid of deregistration delays and tabulate, save and plot the outcome",
		Long: `Sweep runs the replications of a scenario (a built-in name or a TOML file)
at every deregistration delay of a grid and prints one row per delay: dropped
requests and connections per replication with a 95 % confidence interval, the
fraction of replications with a drop, the main causes, draining and scale-in
times, and the instance, drop and total cost per replication. A replication
is one run of the scenario, with all its scale-in events; replication r uses
the same random numbers at every delay, so the rows compare like with like.

The grid, the replications per delay, --drop-cost and --max-dropped default
to the scenario's [sweep] table, then to 0s:300s:10s, 30, 0 and 0.

Sweep also computes what 'drainsim recommend' prints, and marks it in the
table and the plots: the recommended delay (the smallest whose upper 95 %
bound of dropped per replication is within --max-dropped), the cost-optimal
delay (least instance cost + --drop-cost × dropped) and the rule of thumb
(p99 of the request duration × 1.25). The first two are refined to the
second between grid points, which runs a handful of delays more than the
grid (7 more for payments-api on 0s:300s:10s, a quarter more work). A marked
delay off the grid gets a row of its own in the table and a point of its own
in the plots (so that each curve passes through its marks); the rows of
results.csv and results.json are the grid's alone.

With --format json the output is an object {"scenario", "seed",
"replications" (per delay), "rows": [one per delay], "recommendation": {as
'drainsim recommend --format json', without its rows}}. With --format csv it
is the rows alone, one line per delay, with the JSON names flattened
(dropped_ci95_low, dropped_by_cause.killed, …); numbers read back exactly.

--out DIR creates DIR if needed and writes results.csv, results.json (the
--format json output) and the plots drops_vs_delay.png, cost_vs_delay.png
and drain_vs_delay.png (and .svg with --svg) into it, replacing files of
those names. Each file is written to a temporary file and renamed, so none
is ever half-written. Standard output still gets the table (or --format).

A progress bar is drawn on standard error when it is a terminal, unless
--quiet. The output depends only on the scenario and the flags, not on
--workers.` + scaleHelp,
		Example: `  drainsim sweep payments-api --delays 0s:300s:10s --replications 30 --out results/
  drainsim sweep my-service.toml --delays 0s,30s,60s,120s,300s --format csv
  drainsim sweep payments-api --drop-cost 0.50 --max-dropped 0.01 --out results/ --svg --log-y
  drainsim sweep payments-api --shard auto/8 --out parts/    # in each of 8 jobs, then:
  drainsim merge parts/part-*-of-8.json --out results/`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("sweep needs one scenario, a built-in name or a file (got %d arguments)", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSweep(cmd, args[0], &f)
		},
	}
	f.register(cmd, "table, json or csv")
	fl := cmd.Flags()
	fl.StringVar(&f.out, "out", "", "also write results.csv, results.json and the plots into directory `DIR`, created if needed")
	fl.BoolVar(&f.svg, "svg", false, "with --out, also write each plot as SVG")
	fl.BoolVar(&f.logY, "log-y", false, "with --out, draw dropped and cost on a log scale")
	fl.BoolVar(&f.untilDecided, "until-decided", false, "add replications at the delays near the recommendation's boundary until their intervals decide the criteria, up to --max-replications (default 4000)")
	f.registerScale(cmd)
	return cmd
}

func runSweep(cmd *cobra.Command, arg string, f *sweepFlags) error {
	delays, err := f.checkFlags(cmd, []string{"table", "json", "csv"})
	if err := errors.Join(err, f.checkOut(cmd), f.checkShard(cmd)); err != nil {
		return joinUsage(err)
	}
	p, err := f.load(cmd, arg, delays)
	if err != nil {
		return err
	}
	if f.sharded() {
		return runShard(cmd, arg, f, p)
	}
	if f.out != "" {
		unlock, err := lockDir(f.out)
		if err != nil {
			return err
		}
		defer unlock()
	}

	st, err := f.openCheckpoint(cmd, p)
	if err != nil {
		return err
	}
	opts, done := f.options(cmd, p)
	stop := st.Autosave(f.saveEvery(cmd.Context()))
	rec, err := sweep.Recommend(cmd.Context(), p.cfg, p.delays, p.reps, p.crit, st.Options(opts))
	stop()
	done()
	f.printStats(cmd, st)
	if err != nil {
		return interrupted(st, "sweep "+arg, err)
	}
	if err := f.emit(cmd, p.cfg, p.reps, rec); err != nil {
		return err
	}
	if err := removeStore(st); err != nil {
		return &runError{fmt.Errorf("remove the checkpoint: %w", err)}
	}
	return nil
}

// emit prints the results of a sweep (or merge) and writes them to --out.
func (f *sweepFlags) emit(cmd *cobra.Command, cfg *model.Config, reps int, rec *sweep.Recommendation) error {
	as := cfg.Assumptions()
	res := report.Sweep{Scenario: cfg.Name, Seed: cfg.Seed, Replications: reps, Assumptions: as, Rows: rec.Rows, Recommendation: rec,
		AnalyticNote: sweep.AnalyticOf(cfg).Note}

	var js bytes.Buffer // the --format json output and results.json
	if f.format == "json" || f.out != "" {
		if err := report.WriteJSON(&js, res); err != nil {
			return &runError{fmt.Errorf("encode results: %w", err)}
		}
	}
	if f.out != "" {
		files, err := writeOut(f.out, res, js.Bytes(), chart.MarksFrom(rec), chart.Options{Title: cfg.Name, LogY: f.logY, Caption: model.AssumptionsLine(as)}, f.svg)
		if err != nil {
			return &runError{fmt.Errorf("write results to %s: %w", f.out, err)}
		}
		if !f.quiet {
			fmt.Fprintf(cmd.ErrOrStderr(), "drainsim: wrote %s\n", strings.Join(files, ", "))
		}
	}

	w := cmd.OutOrStdout()
	var err error
	switch f.format {
	case "json":
		_, err = w.Write(js.Bytes())
	case "csv":
		err = report.WriteSweepCSV(w, res)
	default:
		err = report.WriteSweepTable(w, res)
	}
	if err != nil {
		return &runError{fmt.Errorf("write results: %w", err)}
	}
	return nil
}

// joinUsage merges usage errors into one, so that every bad flag gets a
// line.
func joinUsage(err error) error {
	var msgs []error
	for _, e := range leaves(err) {
		var ue *usageError
		if errors.As(e, &ue) {
			msgs = append(msgs, leaves(ue.err)...)
			continue
		}
		msgs = append(msgs, e)
	}
	return &usageError{errors.Join(msgs...)}
}

// checkOut checks the --out, --svg and --log-y flags: DIR must be a
// directory or not exist yet.
func (f *sweepFlags) checkOut(cmd *cobra.Command) error {
	fl := cmd.Flags()
	var bad []error
	if fl.Changed("out") {
		if f.out == "" {
			bad = append(bad, errors.New("invalid --out \"\": must name a directory"))
		} else if fi, err := os.Stat(f.out); err == nil && !fi.IsDir() {
			bad = append(bad, fmt.Errorf("invalid --out %s: not a directory (--out names a directory for results.csv, results.json and the plots)", f.out))
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			bad = append(bad, fmt.Errorf("invalid --out %s: %v", f.out, unwrapPath(err)))
		} else if err == nil {
			// Files of ours that could not be replaced.
			for _, name := range outFiles(f.svg) {
				path := filepath.Join(f.out, name)
				if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
					bad = append(bad, fmt.Errorf("invalid --out %s: %s is in the way: not a regular file", f.out, path))
				}
			}
		}
	}
	for _, name := range []string{"svg", "log-y"} {
		if fl.Changed(name) && f.out == "" {
			bad = append(bad, fmt.Errorf("--%s applies to the plots: it needs --out DIR", name))
		}
	}
	if len(bad) > 0 {
		return &usageError{errors.Join(bad...)}
	}
	return nil
}

// unwrapPath drops the "stat PATH: " of a *fs.PathError.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// plotRows returns the rows to plot: the grid's and those of the marked
// delays (recommended, cost-optimal, rule of thumb), in delay order, so
// that a curve passes through its marks instead of interpolating across
// them between grid points.
func plotRows(res report.Sweep) []sweep.Row {
	rows := slices.Clone(res.Rows)
	if rec := res.Recommendation; rec != nil {
		for _, r := range []*sweep.Row{rec.Recommended, &rec.CostOptimal, &rec.RuleOfThumb} {
			if r != nil && !slices.ContainsFunc(rows, func(x sweep.Row) bool { return x.DelayS == r.DelayS }) {
				rows = append(rows, *r)
			}
		}
	}
	slices.SortStableFunc(rows, func(a, b sweep.Row) int { return cmp.Compare(a.DelayS, b.DelayS) })
	return rows
}

// outFiles returns the names of the files --out writes.
func outFiles(svg bool) []string {
	names := []string{resultsCSV, resultsJSON}
	for _, c := range []string{chart.DropsFile, chart.CostFile, chart.DrainFile} {
		names = append(names, c+".png")
		if svg {
			names = append(names, c+".svg")
		}
	}
	return names
}

// writeOut writes the plots, results.csv and results.json into dir,
// creating it if needed, and returns the paths written. Everything is
// rendered before the first file is written, and each file is written to
// a temporary file and renamed into place.
func writeOut(dir string, res report.Sweep, js []byte, m chart.Marks, o chart.Options, svg bool) ([]string, error) {
	var csv bytes.Buffer
	if err := report.WriteSweepCSV(&csv, res); err != nil {
		return nil, err
	}
	plots, err := chart.WriteFiles(dir, plotRows(res), m, o, svg) // creates dir
	if err != nil {
		return nil, err
	}
	var files []string
	for _, f := range []struct {
		name string
		data []byte
	}{{resultsCSV, csv.Bytes()}, {resultsJSON, js}} {
		path := filepath.Join(dir, f.name)
		if err := writeFileAtomic(path, func(w io.Writer) error { _, err := w.Write(f.data); return err }); err != nil {
			return nil, err
		}
		files = append(files, path)
	}
	return append(files, plots...), nil
}
