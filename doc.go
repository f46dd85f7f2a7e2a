// Package drainsim is the library face of drainsim, for programs and
// notebooks: load a scenario, change it, simulate it, sweep the
// deregistration delay, and get the answer and its charts as values and
// bytes.
//
// A capacity-planning notebook needs five lines:
//
//	s, err := drainsim.Load("payments-api") // a built-in name or a TOML file
//	s.Config.TargetGroup.DeregistrationDelay = 45 * time.Second
//	res, err := s.Run(ctx) // a Summary: counts, drops by cause, 95 % intervals
//	sw, err := s.Sweep(ctx, drainsim.SweepOptions{Delays: "0s:60s:5s", MaxDropped: 0.01})
//	png, err := plot.Drops(sw, plot.Options{}) // package drainsim/plot: PNG bytes, ready to display
//
// A [Scenario] wraps a *model.Config, whose every field may be changed
// before a run; [Scenario.Run] and [Scenario.Sweep] validate it and never
// modify it. [Scenario.Run] replicates the scenario and summarises it
// ([Summary]); [Scenario.Sweep] runs a grid of deregistration delays and
// recommends one three ways ([SweepResult]: the rows and a
// [Recommendation]). [Scenario.Metrics] gives one replication as
// CloudWatch-style series (package metrics). [New] builds a scenario
// from a model.Config written in code, and [Scenario.Clone] copies one
// deeply, so a variant can be edited without touching the original.
//
// Charts live in package github.com/drainsim/drainsim/plot (plot.Drops,
// plot.Cost, plot.Drain, plot.Timeline, plot.Render), so that a program
// that only simulates and sweeps does not compile in gonum.org/v1/plot.
//
// Input the package cannot take (a scenario field out of range, a bad
// option) gives an error wrapping an *[InvalidError], whose [Error]
// problems carry the key path or option name, the file position and the
// allowed range; [ErrUndecided] and [ErrNoDelay] say why a sweep
// recommended no delay ([SweepResult.RecommendedDelay]).
//
// Results are plain structs with exported fields: print them, compare
// them, or cache them with encoding/gob (see [SweepResult.GobEncode]).
// The same scenario, seed and options give the same results whatever the
// number of workers.
//
// Long runs take a [context.Context], which cancels them between
// replications, and an optional progress callback. The package never
// prints and never imports a notebook kernel's package: display the bytes
// it returns with the kernel's own functions (gonbui.DisplayPng in GoNB).
// docs/library.md is the tour, and docs/notebooks/capacity-planning.ipynb
// a notebook that a test runs.
package drainsim
