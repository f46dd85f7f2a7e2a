package drainsim

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/drainsim/drainsim/metrics"
	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/scenarios"
	"github.com/drainsim/drainsim/sweep"
)

// Summary aggregates the replications of a scenario at one delay: what
// [Scenario.Run] returns. It is an alias, so `go doc` shows its fields
// under `go doc github.com/drainsim/drainsim/sweep Summary`; the main
// ones: Arrivals, Completed, Dropped (totals), DroppedMean and
// DroppedCI95 (per replication, 95 % interval), DroppedByCause,
// PAnyDrop, DrainSMean/P50/P95/Max and ScaleInSMean (seconds, as the
// JSON carries them), CostUSDMean, ELB5xx and Assumptions.
type Summary = sweep.Summary

// Scenario is a drainsim scenario to simulate. Change any field of Config
// before calling its methods; they validate it (an invalid field gives an
// error naming its key path, such as "traffic[0].rate") and never modify
// it. A Scenario may be used from several goroutines as long as none
// changes Config meanwhile.
type Scenario struct {
	// Config is the whole scenario: load balancer, target group, fleet,
	// traffic, scale-in events, platform and the [sweep] defaults. See
	// model.Config for every field and its default.
	Config *model.Config
}

// Load returns the scenario nameOrPath names: a built-in (see [Builtins])
// if it contains no path separator and does not end in ".toml", else the
// TOML file at that path. A scenario with problems gives an
// *[InvalidError] listing each, with its file, line, column and key path.
func Load(nameOrPath string) (*Scenario, error) {
	cfg, err := scenarios.Open(nameOrPath)
	if err != nil {
		return nil, invalid(err)
	}
	return &Scenario{Config: cfg}, nil
}

// Parse reads a scenario from TOML text, as a file would hold it; name
// labels it in error messages ("inline.toml:3:8: …"). What the text
// omits takes model.Default's value. An empirical distribution's file is
// read relative to the current directory.
func Parse(name string, toml []byte) (*Scenario, error) {
	cfg, err := scenarios.Parse(name, toml, os.DirFS("."))
	if err != nil {
		return nil, invalid(err)
	}
	return &Scenario{Config: cfg}, nil
}

// ParseFS is [Parse] with the files a scenario names (an empirical
// distribution's samples, a target group's attributes file) read from
// fsys instead of the current directory: an embed.FS, a zip file's
// contents, fstest.MapFS in a test.
func ParseFS(name string, toml []byte, fsys fs.FS) (*Scenario, error) {
	cfg, err := scenarios.Parse(name, toml, fsys)
	if err != nil {
		return nil, invalid(err)
	}
	return &Scenario{Config: cfg}, nil
}

// Builtins returns the names of the built-in scenarios, sorted.
func Builtins() []string { return scenarios.Names() }

// name returns the scenario's name for error messages.
func (s *Scenario) name() string {
	if s.Config.Name == "" {
		return "scenario"
	}
	return fmt.Sprintf("scenario %q", s.Config.Name)
}

// check reports a Scenario without a Config.
func (s *Scenario) check() error {
	if s == nil || s.Config == nil {
		return errors.New("drainsim: a Scenario needs a Config (use Load or Parse)")
	}
	return nil
}

// RunOptions control [Scenario.RunWith]. The zero value runs the
// scenario's own number of replications on GOMAXPROCS workers without
// progress reports.
type RunOptions struct {
	// Replications is how many independent replications to run; zero
	// means Config.Replications (1 unless the scenario says).
	Replications int
	// Workers is how many replications run at once; zero means
	// GOMAXPROCS. The result does not depend on it.
	Workers int
	// Progress, if set, is called after each replication with the number
	// done so far (1, 2, … total) and the total, from worker goroutines
	// but one call at a time.
	Progress func(done, total int)
}

// Run replicates the scenario Config.Replications times and summarises
// the replications: RunWith with the zero RunOptions.
func (s *Scenario) Run(ctx context.Context) (Summary, error) {
	return s.RunWith(ctx, RunOptions{})
}

// RunWith replicates the scenario and summarises the replications:
// arrivals, completions and drops (totals, by cause and by traffic class),
// the mean dropped per replication with its 95 % interval, draining and
// scale-in times, cost and the load balancer's 5xx count. Replication r
// always uses the same random streams, so the Summary depends only on the
// scenario and o.Replications. Cancelling ctx stops it, within a
// replication too, with an error wrapping ctx.Err(). An invalid scenario
// or option gives an error wrapping an *[InvalidError].
func (s *Scenario) RunWith(ctx context.Context, o RunOptions) (Summary, error) {
	if err := s.check(); err != nil {
		return Summary{}, err
	}
	if o.Replications < 0 {
		return Summary{}, fmt.Errorf("run %s: %w", s.name(), badOption("RunOptions.Replications", "0 (the scenario's) or more", o.Replications))
	}
	if o.Workers < 0 {
		return Summary{}, fmt.Errorf("run %s: %w", s.name(), badOption("RunOptions.Workers", "0 (GOMAXPROCS) or more", o.Workers))
	}
	c := *s.Config
	if o.Replications > 0 {
		c.Replications = o.Replications
	}
	if err := invalid(c.Validate()); err != nil {
		return Summary{}, fmt.Errorf("run %s: %w", s.name(), err)
	}
	res, err := sweep.Run(ctx, &c, sweep.Options{Workers: o.Workers, Progress: cumulative(o.Progress)})
	if err != nil {
		return Summary{}, fmt.Errorf("run %s: %w", s.name(), err)
	}
	return res, nil
}

// MetricsContext is [Scenario.Metrics] that cancelling ctx stops, within
// the replication too, with an error wrapping ctx.Err().
func (s *Scenario) MetricsContext(ctx context.Context, rep int, period time.Duration) (*metrics.Series, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if rep < 0 {
		return nil, fmt.Errorf("metrics of %s: %w", s.name(), badOption("rep", "0 or more", rep))
	}
	if err := invalid(s.Config.Validate()); err != nil {
		return nil, fmt.Errorf("metrics of %s: %w", s.name(), err)
	}
	m, _, err := metrics.RecordContext(ctx, s.Config, rep, period)
	if err != nil {
		return nil, fmt.Errorf("metrics of %s: %w", s.name(), err)
	}
	return m, nil
}

// Metrics runs replication rep of the scenario and returns it as
// CloudWatch-style series, one value per period (zero means 60 s):
// RequestCount, the load balancer's 502/503/5XX counts, in-flight
// connections, HealthyHostCount and each target's in-flight. Write them
// with Series.WriteCSV, or draw them with Series.Timeline and [Render].
// See package metrics for how each figure is counted.
func (s *Scenario) Metrics(rep int, period time.Duration) (*metrics.Series, error) {
	return s.MetricsContext(context.Background(), rep, period)
}
