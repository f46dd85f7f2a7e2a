package sweep

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/model"
)

// rich is small() with a connection class whose clients reconnect and a
// request class that retries, so that every field of an Outcome is used.
func rich() *model.Config {
	cfg := small()
	cfg.Traffic[0].Retry = &model.Retry{Attempts: 2}
	cfg.Traffic = append(cfg.Traffic, model.Traffic{Name: "ws", Kind: model.KindConnection, Rate: 0.5,
		Duration:  model.Distribution{Distribution: model.Exponential, Mean: 40 * time.Second},
		Reconnect: &model.Reconnect{}})
	return cfg
}

func TestShard(t *testing.T) {
	delays := []time.Duration{0, 10 * time.Second, 20 * time.Second}
	for _, c := range []struct{ reps, n int }{{4, 1}, {4, 3}, {4, 5}, {1, 2}, {2, 7}, {5, 12}} {
		t.Run(fmt.Sprintf("%dx%d/%d", len(delays), c.reps, c.n), func(t *testing.T) {
			grid := Grid(delays, c.reps)
			require.Len(t, grid, len(delays)*c.reps)
			seen := map[Cell]int{}
			for k := range c.n {
				cells := Shard(delays, c.reps, k, c.n)
				// Round robin: shard sizes differ by one at most.
				assert.InDelta(t, float64(len(grid))/float64(c.n), float64(len(cells)), 1)
				for j, cell := range cells {
					assert.Equal(t, grid[k+j*c.n], cell, "cell i of the grid goes to shard i mod n")
					seen[cell]++
				}
			}
			assert.Len(t, seen, len(grid), "the shards cover the grid")
			for cell, n := range seen {
				assert.Equal(t, 1, n, "%v is in one shard", cell)
			}
		})
	}
	assert.Panics(t, func() { Shard(delays, 2, 2, 2) })
	assert.Panics(t, func() { Shard(delays, 2, 0, 0) })
	assert.Panics(t, func() { Shard(delays, 2, -1, 2) })
}

// TestRowOfOutcomes checks that a row rebuilt from outcomes is the row of
// the results, bit for bit, whatever the cells were run with.
func TestRowOfOutcomes(t *testing.T) {
	cfg := rich()
	delays := []time.Duration{0, 15 * time.Second}
	const reps = 6
	costs := Costs{DropCost: 0.37}
	want, err := Delays(context.Background(), cfg, delays, reps, costs, Options{Workers: 3})
	require.NoError(t, err)
	var peak, retries, reconnects bool
	for i, d := range delays {
		var rs []*model.Result
		for r := range reps {
			res, err := model.Run(WithDelay(cfg, d), r)
			require.NoError(t, err)
			rs = append(rs, res)
			peak = peak || res.ReconnectPeakPerS > 0
			retries = retries || res.Retries > 0
			reconnects = reconnects || res.Reconnects > 0
		}
		assert.Equal(t, jsonOf(t, want[i]), jsonOf(t, MakeRow(d, rs, costs)))
	}
	assert.True(t, peak && retries && reconnects, "the scenario exercises retries and reconnects")
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// record runs cells with a Finished callback and returns what it heard.
func record(t *testing.T, cfg *model.Config, cells []Cell, opts Options) map[Cell]Outcome {
	t.Helper()
	got := map[Cell]Outcome{}
	opts.Finished = func(c Cell, o Outcome) { got[c] = o }
	outs, err := RunCells(context.Background(), cfg, cells, opts)
	require.NoError(t, err)
	require.Len(t, got, len(cells))
	for i, c := range cells {
		assert.Equal(t, outs[i], got[c])
	}
	return got
}

func TestRunCellsLookup(t *testing.T) {
	cfg := rich()
	delays := []time.Duration{0, 5 * time.Second, 30 * time.Second}
	const reps = 5
	costs := Costs{DropCost: 0.1}
	want, err := Delays(context.Background(), cfg, delays, reps, costs, Options{})
	require.NoError(t, err)

	// Three shards, run separately, then the rows from their cells alone:
	// nothing runs again.
	known := map[Cell]Outcome{}
	for k := range 3 {
		for c, o := range record(t, cfg, Shard(delays, reps, k, 3), Options{Workers: k + 1}) {
			known[c] = o
		}
	}
	runs := 0
	rows, err := Delays(context.Background(), cfg, delays, reps, costs, Options{
		Lookup:   func(c Cell) (Outcome, bool) { o, ok := known[c]; return o, ok },
		Finished: func(Cell, Outcome) { runs++ },
		Progress: func(int, int) { runs++ },
	})
	require.NoError(t, err)
	assert.Zero(t, runs)
	assert.Equal(t, jsonOf(t, want), jsonOf(t, rows))

	// Half of them known: the other half runs, and the rows are the same.
	half := map[Cell]Outcome{}
	for i, c := range Grid(delays, reps) {
		if i%2 == 0 {
			half[c] = known[c]
		}
	}
	var mu sync.Mutex
	ran := map[Cell]bool{}
	rows, err = Delays(context.Background(), cfg, delays, reps, costs, Options{
		Workers:  2,
		Lookup:   func(c Cell) (Outcome, bool) { o, ok := half[c]; return o, ok },
		Finished: func(c Cell, _ Outcome) { mu.Lock(); ran[c] = true; mu.Unlock() },
	})
	require.NoError(t, err)
	assert.Len(t, ran, len(known)-len(half))
	for c := range half {
		assert.False(t, ran[c], "%v was known", c)
	}
	assert.Equal(t, jsonOf(t, want), jsonOf(t, rows))
}

// TestRecommendFromCells is what merge and resume rely on: a
// recommendation whose grid (and some refinement) cells are looked up is
// the recommendation of a sweep that ran them all.
func TestRecommendFromCells(t *testing.T) {
	cfg := small()
	delays := []time.Duration{0, 20 * time.Second, 40 * time.Second}
	const reps = 8
	crit := Criteria{MaxDropped: 0.3, DropCost: 0.05}
	all := map[Cell]Outcome{}
	var mu sync.Mutex
	want, err := Recommend(context.Background(), cfg, delays, reps, crit, Options{
		Finished: func(c Cell, o Outcome) { mu.Lock(); all[c] = o; mu.Unlock() },
	})
	require.NoError(t, err)
	require.Greater(t, len(all), len(delays)*reps, "the refinement ran more cells")

	for name, keep := range map[string]func(c Cell) bool{
		"grid":  func(c Cell) bool { return slices.Contains(delays, c.Delay) }, // merge
		"every": func(Cell) bool { return true },
		"some":  func(c Cell) bool { return c.Replication%3 == 0 }, // resume
	} {
		t.Run(name, func(t *testing.T) {
			known := map[Cell]Outcome{}
			for c, o := range all {
				if keep(c) {
					known[c] = o
				}
			}
			got, err := Recommend(context.Background(), cfg, delays, reps, crit, Options{
				Lookup: func(c Cell) (Outcome, bool) { o, ok := known[c]; return o, ok },
			})
			require.NoError(t, err)
			assert.Equal(t, jsonOf(t, want), jsonOf(t, got))
		})
	}
}

func TestRunCellsCancelled(t *testing.T) {
	// Cancelled after 3 cells: the cells already started finish and are
	// reported, RunCells returns ctx.Err(), and what was reported is
	// what an uninterrupted run gives.
	cfg := small()
	cells := Grid([]time.Duration{0, 10 * time.Second}, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := map[Cell]Outcome{}
	_, err := RunCells(ctx, cfg, cells, Options{Workers: 2, Finished: func(c Cell, o Outcome) {
		got[c] = o
		if len(got) == 3 {
			cancel()
		}
	}})
	require.ErrorIs(t, err, context.Canceled)
	assert.GreaterOrEqual(t, len(got), 3)
	assert.Less(t, len(got), len(cells))
	all := record(t, cfg, cells, Options{})
	for c, o := range got {
		assert.Equal(t, all[c], o, "%v", c)
	}

	// A cancelled context runs nothing, even when every cell is known.
	_, err = RunCells(ctx, cfg, cells[:1], Options{Lookup: func(c Cell) (Outcome, bool) { return all[c], true }})
	require.ErrorIs(t, err, context.Canceled)
}

func TestRunCellsInvalidDelay(t *testing.T) {
	cfg := small()
	_, err := RunCells(context.Background(), cfg, []Cell{{Delay: -time.Second}}, Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "deregistration_delay")
}
