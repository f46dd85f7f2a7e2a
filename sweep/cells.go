package sweep

import (
	"context"
	"fmt"
	"time"

	"github.com/drainsim/drainsim/model"
)

// Cell is one simulation of a sweep: replication Replication of the
// scenario at deregistration delay Delay. It is a pure function of the
// scenario, the delay and the replication.
type Cell struct {
	Delay       time.Duration
	Replication int
}

// Grid lists the cells of a sweep of delays × replications 0 … reps−1 in
// the order [Delays] runs them: by delay, then by replication. Cell i is
// (delays[i / reps], i mod reps).
func Grid(delays []time.Duration, reps int) []Cell {
	cells := make([]Cell, 0, len(delays)*max(reps, 0))
	for _, d := range delays {
		for r := range reps {
			cells = append(cells, Cell{Delay: d, Replication: r})
		}
	}
	return cells
}

// Shard returns shard k (0-based) of n of a sweep's grid: cell i of
// [Grid] belongs to shard i mod n. Dealing cells round robin gives every
// shard the same share of each delay, so shards take about as long as
// each other although long delays cost more to simulate than short ones.
// It panics unless 0 ≤ k < n.
func Shard(delays []time.Duration, reps, k, n int) []Cell {
	if n < 1 || k < 0 || k >= n {
		panic(fmt.Sprintf("sweep: shard %d of %d", k, n))
	}
	grid := Grid(delays, reps)
	cells := make([]Cell, 0, (len(grid)+n-1-k)/n)
	for i := k; i < len(grid); i += n {
		cells = append(cells, grid[i])
	}
	return cells
}

// RunCells runs each cell of cfg and returns their outcomes in the order
// given. Cells opts.Lookup has are not run; each cell run is reported to
// opts.Finished as soon as it finishes. Every delay must be valid for
// cfg. The runs use one pool of opts.Workers goroutines; the outcomes do
// not depend on their number. Cancelling ctx stops handing out cells and
// returns ctx.Err(), after the cells already started have finished (and
// been reported).
func RunCells(ctx context.Context, cfg *model.Config, cells []Cell, opts Options) ([]Outcome, error) {
	cfgs := map[time.Duration]*model.Config{}
	outs := make([]Outcome, len(cells))
	var jobs []Job
	var idx []int // idx[j] is the cell of jobs[j]
	for i, c := range cells {
		if opts.Lookup != nil {
			if o, ok := opts.Lookup(c); ok {
				outs[i] = o
				continue
			}
		}
		dc, ok := cfgs[c.Delay]
		if !ok {
			dc = WithDelay(cfg, c.Delay)
			if err := dc.Validate(); err != nil {
				return nil, err
			}
			cfgs[c.Delay] = dc
		}
		jobs = append(jobs, Job{Config: dc, Replication: c.Replication})
		idx = append(idx, i)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(jobs) == 0 {
		return outs, nil
	}
	_, err := runJobs(ctx, jobs, opts, func(j int, r *model.Result) {
		o := OutcomeOf(r)
		if c := jobs[j].Config; c.Autoscaling.Max > 0 && c.Horizon > 0 {
			// A day under a policy: the delay changes what the whole
			// fleet costs, not only its removed targets (Row.Per).
			o.CostUSD = fleetSeconds(c, r, r.WarmupSkipped) / 3600 * c.Fleet.PricePerHour
		}
		outs[idx[j]] = o
		if opts.Finished != nil {
			opts.Finished(cells[idx[j]], o)
		}
	})
	if err != nil {
		return nil, err
	}
	return outs, nil
}
