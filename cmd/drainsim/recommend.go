package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/drainsim/drainsim/report"
	"github.com/drainsim/drainsim/sweep"
)

func newRecommendCmd() *cobra.Command {
	var f gridFlags
	cmd := &cobra.Command{
		Use:   "recommend FILE|NAME",
		Short: "Recommend a deregistration delay",
		Long: `Recommend sweeps a grid of deregistration delays for a scenario (a built-in
name or a TOML file) and answers "which delay?" three ways, each with its
figures (dropped per replication, mean [95 % CI]; the fraction of
replications with a drop; draining time, mean/p95; instance, drop and total
cost per replication):

  recommended    the smallest delay whose upper 95 % bound of dropped per
                 replication is within --max-dropped, refined to the second
                 by bisection between grid points ("none" if no delay of
                 the grid meets it);
  cost-optimal   the delay of least mean instance cost + --drop-cost ×
                 dropped, refined to the second around the best grid point;
  rule of thumb  p99 of the duration of the slowest traffic class
                 (connections included) × 1.25, rounded up to a second.

Then it explains, in plain words, why they differ. A replication is one run
of the scenario with all its scale-in events. The grid, the replications per
delay, --drop-cost and --max-dropped default to the scenario's [sweep] table,
then to 0s:300s:10s, 30, 0 and 0.

With --format json the output is the recommendation as an object with
recommended_delay_s (null if none), recommended, cost_optimal_delay_s,
cost_optimal, rule_of_thumb_delay_s, rule_of_thumb, request_p99_s,
explanation and the rows of the grid searched.

A progress bar is drawn on standard error when it is a terminal, unless
--quiet. The output depends only on the scenario and the flags, not on
--workers.`,
		Example: `  drainsim recommend payments-api --max-dropped 0.01 --drop-cost 0.50
  drainsim recommend my.toml --delays 0s:120s:5s --format json`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("recommend needs one scenario, a built-in name or a file (got %d arguments)", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRecommend(cmd, args[0], &f)
		},
	}
	f.adaptive = true
	f.register(cmd, "table or json")
	return cmd
}

func runRecommend(cmd *cobra.Command, arg string, f *gridFlags) error {
	delays, err := f.checkFlags(cmd, []string{"table", "json"})
	if err != nil {
		return err
	}
	p, err := f.load(cmd, arg, delays)
	if err != nil {
		return err
	}
	opts, done := f.options(cmd, p)
	rec, err := sweep.Recommend(cmd.Context(), p.cfg, p.delays, p.reps, p.crit, opts)
	done()
	if err != nil {
		return &runError{fmt.Errorf("recommend %s: %w", arg, err)}
	}
	w := cmd.OutOrStdout()
	if f.format == "json" {
		err = report.WriteJSON(w, rec)
	} else {
		err = report.WriteRecommendationTable(w, rec)
	}
	if err != nil {
		return &runError{fmt.Errorf("write results: %w", err)}
	}
	return nil
}
