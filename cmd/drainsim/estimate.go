package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/report"
	"github.com/drainsim/drainsim/scenarios"
	"github.com/drainsim/drainsim/sweep"
)

type estimateFlags struct {
	delay  string
	delays string
	format string
}

func newEstimateCmd() *cobra.Command {
	var f estimateFlags
	cmd := &cobra.Command{
		Use:   "estimate FILE|NAME",
		Short: "Compute the closed-form expectation of a scenario, without simulating",
		Long: `Estimate computes, in about a millisecond and without a simulation, what the
closed forms of the model expect for one replication of a scenario (a
built-in name or a TOML file): drops at delay expiry, the probability of no
drop, the time until a removed target has nothing in flight, the drain time
with the load balancer's idle keep-alive connections, the scale-in time and
the instance cost. It then says where the scenario departs from the plain
case the formulas describe: "does not apply" (a propagation lag, ECS or EKS,
a lifecycle hook, retries, …: simulate it with run or sweep), "approximate"
or "note". docs/estimate.md explains the formulas.`,
		Example: `  drainsim estimate payments-api
  drainsim estimate my.toml --delay 30s
  drainsim estimate my.toml --delays 0s:120s:10s --format json`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("estimate needs one scenario, a built-in name or a file (got %d arguments)", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEstimate(cmd, args[0], &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.delay, "delay", "", "deregistration delay `D`, overriding the scenario's: a duration such as 30s ("+delayRange+")")
	fl.StringVar(&f.delays, "delays", "", "delays to estimate, `GRID`: from:to:step (0s:300s:10s) or a list (0s,30s,60s) of whole seconds in 0s–3600s")
	fl.StringVar(&f.format, "format", "table", "output `format`: table or json")
	return cmd
}

func runEstimate(cmd *cobra.Command, arg string, f *estimateFlags) error {
	fl := cmd.Flags()
	switch f.format {
	case "table", "json":
	default:
		return usagef("invalid --format %q: must be table or json", f.format)
	}
	if fl.Changed("delay") && fl.Changed("delays") {
		return usagef("--delay and --delays do not go together: give one delay or a grid")
	}
	var delays []time.Duration
	if fl.Changed("delay") {
		d, err := parseDelay(f.delay)
		if err != nil {
			return err
		}
		delays = []time.Duration{d}
	}
	if fl.Changed("delays") {
		d, err := sweep.ParseDelays(f.delays)
		if err != nil {
			return &usageError{delaysError(f.delays, err)}
		}
		delays = d
	}
	cfg, err := scenarios.Open(arg)
	if err != nil {
		return &inputError{err: err}
	}
	if delays == nil {
		delays = []time.Duration{cfg.TargetGroup.DeregistrationDelay}
	}
	ests, err := cfg.EstimateDelays(delays)
	if err != nil {
		if fl.Changed("delays") {
			// Name the delay of the grid that does not suit the load
			// balancer (a CLB with connection draining takes 1s–3600s).
			for _, d := range delays {
				var fe *model.FieldError
				if verr := sweep.WithDelay(cfg, d).Validate(); errors.As(verr, &fe) && fe.Path == "target_group.deregistration_delay" {
					return usagef("invalid --delays %q: delay %v: %s", f.delays, d, fe.Msg)
				}
			}
		}
		return flagError(err, cmd, &runFlags{delay: f.delay})
	}
	res := report.Estimates{Scenario: cfg.Name, Estimates: ests}
	w := cmd.OutOrStdout()
	if f.format == "json" {
		err = report.WriteJSON(w, res)
	} else {
		err = report.WriteEstimateTable(w, res)
	}
	if err != nil {
		return &runError{fmt.Errorf("write results: %w", err)}
	}
	return nil
}
