package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/report"
	"github.com/drainsim/drainsim/scenarios"
	"github.com/drainsim/drainsim/sweep"
)

// delayRange is the range --delay accepts, for messages.
const delayRange = "0s–3600s, whole seconds"

type runFlags struct {
	delay        string
	horizon      string
	fast         string
	seed         uint64
	replications int
	format       string
	workers      int
	out          runOutputs // --access-log, --metrics, --timeline, --stats
}

func newRunCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run FILE|NAME",
		Short: "Run a scenario's replications and print the summary",
		Long: `Run simulates the replications of a scenario (a built-in name or a TOML
file) and prints a summary: drops per replication with a 95 % confidence
interval, drops by cause and per traffic class, draining and scale-in
times, and cost. The output depends only on the scenario and the flags,
not on --workers. A progress bar is drawn on standard error when it is a
terminal.` + runOutputsHelp,
		Example: `  drainsim run payments-api --replications 30
  drainsim run my.toml --delay 30s --format json
  drainsim run payments-api --access-log access.log --metrics metrics.csv --timeline timeline.png`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("run needs one scenario, a built-in name or a file (got %d arguments)", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRun(cmd, args[0], &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.delay, "delay", "", "deregistration delay `D`, overriding the scenario's: a duration such as 30s ("+delayRange+")")
	fl.StringVar(&f.horizon, "horizon", "", "simulated span `H`, overriding the scenario's horizon: a duration such as 24h (after its last scale-in; 0s–87600h); a scenario under an [autoscaling] policy needs one")
	fl.StringVar(&f.fast, "fast", "", "the scenario's fast path `mode`, overriding it: auto (under an [autoscaling] policy, simulate requests only from minutes before each scale-in, where that is exact; the assumptions say whether it applied) or off")
	fl.Uint64Var(&f.seed, "seed", 0, "random seed `N`, overriding the scenario's")
	fl.IntVar(&f.replications, "replications", 0, "number of replications `R`, overriding the scenario's (1–100000)")
	fl.StringVar(&f.format, "format", "table", "output `format`: table or json")
	fl.IntVar(&f.workers, "workers", 0, "run `N` replications at once; 0 means one per CPU (the output does not depend on it)")
	f.out.register(cmd)
	return cmd
}

func runRun(cmd *cobra.Command, arg string, f *runFlags) error {
	write := report.WriteTable
	switch f.format {
	case "table":
	case "json":
		write = func(w io.Writer, s sweep.Summary) error { return report.WriteJSON(w, s) }
	default:
		return usagef("invalid --format %q: must be table or json", f.format)
	}
	if f.workers < 0 {
		return usagef("invalid --workers %d: must be 0 (one per CPU) or more", f.workers)
	}
	if err := f.out.check(cmd); err != nil {
		return err
	}
	var delay time.Duration
	fl := cmd.Flags()
	if fl.Changed("delay") {
		d, err := parseDelay(f.delay)
		if err != nil {
			return err
		}
		delay = d
	}

	var horizon time.Duration
	if fl.Changed("horizon") {
		h, err := time.ParseDuration(f.horizon)
		if err != nil || h < 0 {
			return usagef("invalid --horizon %q: not a duration; use one such as 24h or 90m (0s–87600h)", f.horizon)
		}
		horizon = h
	}

	if fl.Changed("fast") && f.fast != model.FastAuto && f.fast != model.FastOff {
		return usagef("invalid --fast %q: must be auto or off", f.fast)
	}

	cfg, err := scenarios.Open(arg)
	if err != nil {
		return &inputError{err: err}
	}
	if fl.Changed("delay") {
		cfg.TargetGroup.DeregistrationDelay = delay
	}
	if fl.Changed("horizon") {
		cfg.Horizon = horizon
	}
	if fl.Changed("fast") {
		cfg.Fast = f.fast
	}
	if fl.Changed("seed") {
		cfg.Seed = f.seed
	}
	if fl.Changed("replications") {
		cfg.Replications = f.replications
	}
	if err := cfg.Validate(); err != nil {
		return flagError(err, cmd, f)
	}
	if err := f.out.checkScenario(arg, cfg); err != nil {
		return err
	}

	start := time.Now()
	opts := sweep.Options{Workers: f.workers}
	done := func() {}
	if isTerminal(cmd.ErrOrStderr()) {
		// A progress bar, as sweep draws (never into a pipe or file).
		pr := newProgress(cmd.ErrOrStderr(), cfg.Replications)
		pr.bar.Describe("run")
		opts.Progress, done = pr.update, pr.finish
	}
	s, err := sweep.Run(cmd.Context(), cfg, opts)
	done()
	if errors.Is(err, context.Canceled) {
		return &runError{fmt.Errorf("run %s: interrupted", arg)}
	}
	if err != nil {
		return &runError{fmt.Errorf("run %s: %w", arg, err)}
	}
	if err := f.out.observe(cmd, cfg, s, time.Since(start), f.workers); err != nil {
		return err
	}
	if err := write(cmd.OutOrStdout(), s); err != nil {
		return &runError{fmt.Errorf("write results: %w", err)}
	}
	return nil
}

// parseDelay parses the value of --delay.
func parseDelay(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err == nil {
		return d, nil
	}
	if _, ferr := strconv.ParseFloat(s, 64); ferr == nil {
		return 0, usagef("invalid --delay %q: a duration needs a unit, such as %ss (%s)", s, s, delayRange)
	}
	return 0, usagef("invalid --delay %q: not a duration; use one such as 30s or 5m (%s)", s, delayRange)
}

// flagError turns a validation error of an overridden configuration into
// usage errors naming the flags responsible; problems the flags did not
// cause (which the loader should have caught) are input errors.
func flagError(err error, cmd *cobra.Command, f *runFlags) error {
	flags := map[string]string{} // key path → flag and value
	if cmd.Flags().Changed("delay") {
		flags["target_group.deregistration_delay"] = "--delay " + f.delay
	}
	if cmd.Flags().Changed("replications") {
		flags["replications"] = "--replications " + strconv.Itoa(f.replications)
	}
	if cmd.Flags().Changed("horizon") {
		flags["horizon"] = "--horizon " + f.horizon
	}
	var msgs []error
	usage := false
	for _, e := range leaves(err) {
		var fe *model.FieldError
		if errors.As(e, &fe) {
			if name, ok := flags[fe.Path]; ok {
				msgs = append(msgs, fmt.Errorf("invalid %s: %s", name, fe.Msg))
				usage = true
				continue
			}
		}
		msgs = append(msgs, e)
	}
	joined := errors.Join(msgs...)
	if usage {
		return &usageError{joined}
	}
	return &inputError{err: joined}
}

// leaves flattens a tree of joined errors.
func leaves(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, leaves(e)...)
		}
		return out
	}
	return []error{err}
}
