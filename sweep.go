package drainsim

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/sweep"
)

// Row is the outcome of one deregistration delay in a sweep. It is an
// alias: `go doc github.com/drainsim/drainsim/sweep Row` lists its
// fields; the main ones: DelayS, Replications, DroppedMean and
// DroppedCI95 (per replication), DroppedByCause, DroppedByClass,
// PAnyDrop, DrainSMean/P95, ScaleInSMean and
// Instance/Drop/TotalCostUSDMean. Times are float seconds with an S
// suffix, as results.csv and results.json carry them.
type Row = sweep.Row

// Recommendation answers "which delay?" three ways (the smallest delay
// that meets the drop bound, the cost optimum and the rule of thumb),
// with the figures behind each and an explanation. See
// sweep.Recommendation for its fields (`go doc
// github.com/drainsim/drainsim/sweep Recommendation`: an alias). Read
// its delays as time.Duration with [SweepResult.RecommendedDelay],
// [SweepResult.CostOptimalDelay] and [SweepResult.RuleOfThumbDelay].
type Recommendation = sweep.Recommendation

// SweepOptions control [Scenario.Sweep]. A zero field takes the value of
// the scenario's [sweep] table (Config.Sweep), whose own zero values are
// the grid 0s:300s:10s, 30 replications, no cost per drop and no drop
// allowed. To ask for zero where the scenario sets a value, set the field
// of Config.Sweep instead.
type SweepOptions struct {
	// Delays is the grid of deregistration delays: a range
	// "from:to:step", both ends included ("0s:120s:10s"), or a list
	// ("0s,30s,60s"). Each must be a whole number of seconds within
	// 0–3600 s, as AWS takes it. Set Delays or DelayList, not both.
	Delays string
	// DelayList is the grid as values, for a program that computes it
	// ([DelayRange] makes a range); sorted and deduplicated. Nil means
	// Delays, or the scenario's grid.
	DelayList []time.Duration
	// Replications is the number of replications per delay. Replication
	// r uses the same random streams at every delay (common random
	// numbers), so differences between delays are not noise.
	Replications int
	// DropCost is the cost in USD of one dropped request or connection,
	// for the cost optimum.
	DropCost float64
	// MaxDropped is the acceptable number dropped per replication (one
	// run of the scenario with all its scale-ins): the recommended delay
	// is the smallest whose upper 95 % bound is within it. With no
	// criterion set, sweep.DefaultMaxDropped (0.1) applies.
	MaxDropped float64
	// MaxExpectedDropped bounds the mean dropped per replication itself.
	MaxExpectedDropped float64
	// MaxPAnyDrop bounds the upper 95 % bound of the fraction of
	// scale-ins that drop anything (0.01: at most 1 % may).
	MaxPAnyDrop float64
	// MaxReplications lets the recommendation add replications (doubling)
	// at a delay whose intervals straddle a limit, up to this many per
	// delay; zero adds none. Rows report how many each delay got.
	MaxReplications int
	// Cells, if set, holds cells (replications at a delay) already run
	// for this scenario, which the sweep uses instead of running them
	// again, and receives each cell the sweep runs: a checkpoint to
	// resume a cancelled sweep from, or the merged shards of
	// [Scenario.SweepShard]. The result is the same as without it.
	Cells *Cells
	// Workers is how many replications run at once; zero means
	// GOMAXPROCS. The result does not depend on it.
	Workers int
	// Progress, if set, is called after each replication, from worker
	// goroutines but one call at a time, with the number done and the
	// total known so far: the grid's replications first, then the total
	// grows as the recommendation refines its answers between grid
	// points (a few delays more). The last call has done == total.
	Progress func(done, total int)
}

// SweepResult is a sweep of the deregistration delay and the
// recommendation drawn from it. Its fields are exported and it encodes
// with encoding/gob, so a notebook can cache it (see
// [SweepResult.GobEncode]). encoding/json encodes it exactly as the
// command line's results.json (and `sweep --format json`), and
// [SweepResult.WriteJSON] and [SweepResult.WriteCSV] write those files
// byte for byte.
type SweepResult struct {
	// Scenario is the scenario's name.
	Scenario string
	// Seed is the scenario's seed.
	Seed uint64
	// Replications is the number of replications per delay of the grid
	// (the recommendation may add some where it was undecided: each
	// row's Replications says how many it got).
	Replications int
	// Assumptions are the scenario's values that move the numbers
	// (model.Config.Assumptions), as results.json lists them.
	Assumptions []model.Assumption
	// AnalyticNote says why the rows' analytic figures are null or what
	// in them is approximate, or is empty (sweep.AnalyticOf).
	AnalyticNote string
	// Rows holds one row per delay of the grid, in increasing order of
	// delay: the same slice as Recommendation.Rows.
	Rows []Row
	// Recommendation is the answer; its Explanation says in plain words
	// why its three delays differ.
	Recommendation *Recommendation
}

// Sweep runs the scenario at every delay of the grid, o.Replications
// times each, then recommends a delay three ways: the smallest that keeps
// the upper 95 % bound of dropped per replication within o.MaxDropped
// (refined to the second by bisection), the one of least instance cost +
// o.DropCost × dropped (refined to the second), and the rule of thumb
// (p99 of the request duration × 1.25). The refinements run a few more
// delays. Cancelling ctx stops it between replications with an error
// wrapping ctx.Err(). An invalid scenario or option gives an error
// wrapping an *[InvalidError] whose problems name the key path or the
// option (Error.Option, such as "SweepOptions.Delays").
func (s *Scenario) Sweep(ctx context.Context, o SweepOptions) (*SweepResult, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	cfg := s.Config
	p, err := s.plan(o)
	if err != nil {
		return nil, fmt.Errorf("sweep %s: %w", s.name(), err)
	}
	opts, err := o.Cells.options(cfg, sweep.Options{Workers: o.Workers, Progress: cumulative(o.Progress)})
	if err != nil {
		return nil, fmt.Errorf("sweep %s: %w", s.name(), err)
	}
	rec, err := sweep.Recommend(ctx, cfg, p.delays, p.reps, p.crit, opts)
	if err != nil {
		return nil, fmt.Errorf("sweep %s: %w", s.name(), err)
	}
	return &SweepResult{Scenario: cfg.Name, Seed: cfg.Seed, Replications: p.reps, Assumptions: cfg.Assumptions(),
		AnalyticNote: sweep.AnalyticOf(cfg).Note, Rows: rec.Rows, Recommendation: rec}, nil
}

// sweepPlan is a sweep's grid, replications and criteria, defaults
// applied.
type sweepPlan struct {
	delays []time.Duration
	reps   int
	crit   sweep.Criteria
}

// plan checks o and the scenario and returns the sweep they describe.
func (s *Scenario) plan(o SweepOptions) (sweepPlan, error) {
	cfg := s.Config
	var delays []time.Duration
	var err error
	switch {
	case o.Delays != "" && o.DelayList != nil:
		err = badOption("SweepOptions.DelayList", "nil when Delays is set", o.DelayList)
	case o.Delays != "":
		delays, err = sweep.ParseDelays(o.Delays)
	case o.DelayList != nil && len(o.DelayList) == 0:
		err = badOption("SweepOptions.DelayList", "at least one delay (nil: Delays or the scenario's grid)", "[]")
	case o.DelayList != nil:
		if delays, err = sweep.Normalize(o.DelayList); err != nil {
			err = &InvalidError{Problems: []*Error{{Option: "SweepOptions.DelayList", Msg: err.Error()}}}
		}
	default:
		delays, err = sweep.Normalize(cfg.DefaultDelays())
	}
	if err != nil {
		if o.Delays != "" && o.DelayList == nil {
			err = &InvalidError{Problems: []*Error{{Option: "SweepOptions.Delays", Msg: err.Error()}}}
		}
		return sweepPlan{}, err
	}
	if err := o.check(); err != nil {
		return sweepPlan{}, err
	}
	// The sweep sets the delay itself: validate the rest at the grid's first.
	base := *cfg
	base.TargetGroup.DeregistrationDelay = delays[0]
	if err := invalid(base.Validate()); err != nil {
		return sweepPlan{}, err
	}
	reps := firstPositive(o.Replications, cfg.Sweep.Replications, model.DefaultSweepReplications)
	crit := sweep.Criteria{DropCost: o.DropCost, MaxDropped: o.MaxDropped, MaxExpectedDropped: o.MaxExpectedDropped,
		MaxPAnyDrop: o.MaxPAnyDrop, MaxReplications: o.MaxReplications}
	if crit.DropCost == 0 {
		crit.DropCost = cfg.Sweep.DropCost
	}
	if crit.MaxDropped == 0 {
		crit.MaxDropped = cfg.Sweep.MaxDropped
	}
	return sweepPlan{delays: delays, reps: reps, crit: crit}, nil
}

// check returns an *InvalidError naming the first option out of its
// range.
func (o SweepOptions) check() error {
	if o.Replications < 0 || o.Replications == 1 {
		return badOption("SweepOptions.Replications", fmt.Sprintf("0 (the scenario's, else %d) or at least %d: a 95 %% interval needs %d", model.DefaultSweepReplications, sweep.MinReplications, sweep.MinReplications), o.Replications)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"DropCost", o.DropCost}, {"MaxDropped", o.MaxDropped}, {"MaxExpectedDropped", o.MaxExpectedDropped}, {"MaxPAnyDrop", o.MaxPAnyDrop}} {
		if !(f.v >= 0) || math.IsInf(f.v, 1) {
			return badOption("SweepOptions."+f.name, "finite and non-negative", f.v)
		}
	}
	if o.MaxPAnyDrop > 1 {
		return badOption("SweepOptions.MaxPAnyDrop", "0–1 (a fraction of scale-ins)", o.MaxPAnyDrop)
	}
	if o.MaxReplications < 0 {
		return badOption("SweepOptions.MaxReplications", "0 (none added) or more", o.MaxReplications)
	}
	if o.Workers < 0 {
		return badOption("SweepOptions.Workers", "0 (GOMAXPROCS) or more", o.Workers)
	}
	return nil
}

// firstPositive returns the first of xs above zero, or the last.
func firstPositive(xs ...int) int {
	for _, x := range xs {
		if x > 0 {
			return x
		}
	}
	return xs[len(xs)-1]
}

// cumulative turns the per-batch progress of sweep.RunJobs into one
// count over a whole run or sweep: sweep.Recommend runs the grid, then
// one batch per refined delay, each counting from 1. It counts calls, not
// the done values passed in, which workers may report out of order: every
// job of a batch makes exactly one call, so a batch ends when its total
// is reached. Calls are serialised within a batch and batches run one
// after another, so the state needs no lock.
func cumulative(f func(done, total int)) func(done, total int) {
	if f == nil {
		return nil
	}
	var base, n int
	return func(_, total int) {
		n++
		f(base+n, base+total)
		if n >= total {
			base, n = base+total, 0
		}
	}
}

// Sentinel errors of [SweepResult.RecommendedDelay], for errors.Is.
var (
	// ErrUndecided: no delay was certified, but some delay's interval
	// still straddled the limit when the replication budget ran out;
	// more SweepOptions.MaxReplications may decide (Status "undecided").
	ErrUndecided = errors.New("undecided: no delay certified within the replication budget")
	// ErrNoDelay: no delay of the grid meets the criteria, however many
	// replications (Status "none"); try longer delays.
	ErrNoDelay = errors.New("no delay of the grid meets the criteria")
)

// RecommendedDelay returns the recommended delay, the smallest that meets
// the criteria with 95 % confidence, or an error wrapping [ErrUndecided]
// or [ErrNoDelay] (or saying the result holds no recommendation). It is
// the way to read the answer; Recommendation.RecommendedDelayS and
// Recommendation.Recommended carry the same value for JSON and CSV.
func (r *SweepResult) RecommendedDelay() (time.Duration, error) {
	if r == nil || r.Recommendation == nil {
		return 0, errors.New("drainsim: the sweep result holds no recommendation")
	}
	rec := r.Recommendation
	if rec.RecommendedDelayS != nil {
		return seconds(*rec.RecommendedDelayS), nil
	}
	if rec.Status == "undecided" {
		return 0, fmt.Errorf("%w (criterion: %s)", ErrUndecided, rec.Criterion)
	}
	return 0, fmt.Errorf("%w (criterion: %s)", ErrNoDelay, rec.Criterion)
}

// Recommended is [SweepResult.RecommendedDelay] with a bool: the delay
// and true, or 0 and false.
func (r *SweepResult) Recommended() (time.Duration, bool) {
	d, err := r.RecommendedDelay()
	return d, err == nil
}

// CostOptimalDelay returns the delay of least instance cost + drop cost
// per replication (Recommendation.CostOptimalDelayS as a Duration), and
// false without a recommendation.
func (r *SweepResult) CostOptimalDelay() (time.Duration, bool) {
	if r == nil || r.Recommendation == nil {
		return 0, false
	}
	return seconds(r.Recommendation.CostOptimalDelayS), true
}

// RuleOfThumbDelay returns the rule of thumb, p99 of the request
// duration × 1.25 (Recommendation.RuleOfThumbDelayS as a Duration), and
// false without a recommendation.
func (r *SweepResult) RuleOfThumbDelay() (time.Duration, bool) {
	if r == nil || r.Recommendation == nil {
		return 0, false
	}
	return seconds(r.Recommendation.RuleOfThumbDelayS), true
}

// seconds turns float seconds into a Duration, rounded to the
// nanosecond.
func seconds(s float64) time.Duration { return time.Duration(math.Round(s * float64(time.Second))) }

// DelayRange returns the delays from, from+step, … up to to included, as
// SweepOptions.DelayList takes them. It returns an empty list, which
// Sweep rejects, if step is not positive, to is before from, or the range
// holds more delays than a sweep takes (3601, every second of 0–3600 s).
func DelayRange(from, to, step time.Duration) []time.Duration {
	if step <= 0 || to < from || (to-from)/step >= 3601 {
		return []time.Duration{}
	}
	var ds []time.Duration
	for d := from; d <= to; d += step {
		ds = append(ds, d)
	}
	return ds
}

// sweepGob is what a SweepResult encodes to. A *float64 that points to 0
// would come back from gob as nil (gob leaves zero values out), which
// would turn "0 s is enough" into "no delay is enough"; Recommended
// carries that fact explicitly.
type sweepGob struct {
	Scenario          string
	Seed              uint64
	Replications      int
	Assumptions       []model.Assumption
	AnalyticNote      string
	Recommendation    *Recommendation
	Recommended       bool
	RecommendedDelayS float64
}

// GobEncode encodes r for encoding/gob, keeping a recommended delay of
// 0 s (gob alone would decode its pointer as nil: "none"). Rows is
// encoded once, as part of the Recommendation. It implements
// gob.GobEncoder.
func (r SweepResult) GobEncode() ([]byte, error) {
	g := sweepGob{Scenario: r.Scenario, Seed: r.Seed, Replications: r.Replications, Assumptions: r.Assumptions,
		AnalyticNote: r.AnalyticNote, Recommendation: r.Recommendation}
	if r.Recommendation == nil && r.Rows != nil {
		g.Recommendation = &Recommendation{Rows: r.Rows}
	}
	if d, ok := r.Recommended(); ok {
		g.Recommended, g.RecommendedDelayS = true, d.Seconds()
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(g); err != nil {
		return nil, fmt.Errorf("drainsim: encode sweep result: %w", err)
	}
	return buf.Bytes(), nil
}

// GobDecode decodes what GobEncode encoded into r. It implements
// gob.GobDecoder.
func (r *SweepResult) GobDecode(data []byte) error {
	var g sweepGob
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&g); err != nil {
		return fmt.Errorf("drainsim: decode sweep result: %w", err)
	}
	*r = SweepResult{Scenario: g.Scenario, Seed: g.Seed, Replications: g.Replications, Assumptions: g.Assumptions,
		AnalyticNote: g.AnalyticNote, Recommendation: g.Recommendation}
	if rec := g.Recommendation; rec != nil {
		r.Rows = rec.Rows
		if g.Recommended {
			d := g.RecommendedDelayS
			rec.RecommendedDelayS = &d
		}
	}
	return nil
}
