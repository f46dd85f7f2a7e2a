package sweep

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/drainsim/drainsim/model"
)

// Options control how replications are run. The zero value runs on
// GOMAXPROCS workers without progress reports.
type Options struct {
	// Workers is how many replications run at once; 0 means GOMAXPROCS.
	// The results do not depend on it.
	Workers int
	// Progress, if set, is called after each finished replication with
	// the number done and the total. It is called from worker goroutines,
	// one call at a time.
	Progress func(done, total int)
	// Lookup, if set, is asked for each cell before [Delays], [Recommend]
	// or [RunCells] runs it, from the goroutine that called them; a cell
	// it has (ok true) is not run again and its outcome is used as is.
	// A sweep resumed from a checkpoint or assembled from the parts of
	// sharded runs passes the cells it already has. It must return what
	// running the cell would: the same scenario, seed and replication.
	Lookup func(c Cell) (o Outcome, ok bool)
	// Finished, if set, is called with each cell that Delays, Recommend
	// or RunCells has run, as soon as it has finished: from worker
	// goroutines, one call at a time (with Progress). It is not called
	// for the cells Lookup supplied, nor for a cell whose run failed.
	Finished func(c Cell, o Outcome)
	// RareLag, if set, importance-samples every replication's
	// propagation lags (model.RunOptions.RareLag): each outcome carries
	// its likelihood ratio in Outcome.Weight. Nil runs plain
	// replications. Lookup and Finished see cells of one kind: Recommend
	// runs its importance-sampled cells without them.
	RareLag *model.RareLag
	// Conditional, if true, asks every replication for its conditional
	// values (model.RunOptions.Conditional), carried in
	// Outcome.Conditional; it changes no other figure.
	Conditional bool
}

func (o Options) workers(n int) int {
	w := o.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	return max(1, min(w, n))
}

// Job is one simulation: a configuration and a replication number.
type Job struct {
	Config      *model.Config
	Replication int
}

// RunJobs runs every job and returns the results in job order. Each job
// runs on one goroutine; jobs are handed out in order to opts.Workers
// goroutines. The first error (in job order) is returned; cancelling ctx
// stops the replications running (within a few thousand events) and
// handing out jobs, and returns ctx.Err().
func RunJobs(ctx context.Context, jobs []Job, opts Options) ([]*model.Result, error) {
	return runJobs(ctx, jobs, opts, nil)
}

// runJobs is RunJobs that also calls each, if not nil, with every job
// that succeeded, as soon as it finishes, one call at a time and before
// Progress.
func runJobs(ctx context.Context, jobs []Job, opts Options, each func(i int, r *model.Result)) ([]*model.Result, error) {
	res := make([]*model.Result, len(jobs))
	errs := make([]error, len(jobs))
	var next, done atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range opts.workers(len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) {
					return
				}
				// ctx reaches inside the replication: a long one stops
				// within a few thousand events of a cancel.
				res[i], errs[i] = model.RunWith(jobs[i].Config, jobs[i].Replication, model.RunOptions{Context: ctx, RareLag: opts.RareLag, Conditional: opts.Conditional})
				d := int(done.Add(1))
				if each != nil || opts.Progress != nil {
					mu.Lock()
					if each != nil && errs[i] == nil {
						each(i, res[i])
					}
					if opts.Progress != nil {
						opts.Progress(d, len(jobs))
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("replication %d: %w", jobs[i].Replication, err)
		}
	}
	return res, nil
}

// Replicate runs replications 0 … cfg.Replications−1 of cfg.
func Replicate(ctx context.Context, cfg *model.Config, opts Options) ([]*model.Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	jobs := make([]Job, cfg.Replications)
	for r := range jobs {
		jobs[r] = Job{Config: cfg, Replication: r}
	}
	return RunJobs(ctx, jobs, opts)
}
