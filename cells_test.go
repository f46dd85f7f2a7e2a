package drainsim_test

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim"
)

// A sweep split into shards run apart and merged, or cancelled and
// resumed from its Cells (through gob, as from a file), gives the result
// of one uninterrupted sweep, and runs only the cells it lacks.
func TestSweepShardsAndResume(t *testing.T) {
	t.Parallel()
	s := load(t)
	ctx := context.Background()
	o := drainsim.SweepOptions{Delays: "0s:20s:10s", Replications: 4, MaxDropped: 0.5}
	runs := 0
	o.Progress = func(done, total int) { runs = done }
	want, err := s.Sweep(ctx, o)
	require.NoError(t, err)
	full := runs

	merged := drainsim.NewCells()
	for k := range 3 {
		part, err := s.SweepShard(ctx, drainsim.SweepOptions{Delays: o.Delays, Replications: o.Replications}, k, 3)
		require.NoError(t, err)
		assert.Equal(t, 4, part.Len(), "shard %d: 12 cells dealt to 3 shards", k)
		require.NoError(t, merged.Merge(part))
	}
	o.Cells, runs = merged, 0
	got, err := s.Sweep(ctx, o)
	require.NoError(t, err)
	assert.Equal(t, want, got, "merged shards give the unsharded result")
	assert.Equal(t, full-12, runs, "only the refinements ran")

	// Cancel a sweep after 5 cells, keep its cells through gob, resume.
	cctx, cancel := context.WithCancel(ctx)
	cp := drainsim.NewCells()
	o.Cells = cp
	o.Progress = func(done, total int) {
		if done == 5 {
			cancel()
		}
	}
	_, err = s.Sweep(cctx, o)
	require.ErrorIs(t, err, context.Canceled)
	require.GreaterOrEqual(t, cp.Len(), 5)
	var file bytes.Buffer
	require.NoError(t, gob.NewEncoder(&file).Encode(cp))
	var back drainsim.Cells
	require.NoError(t, gob.NewDecoder(&file).Decode(&back))
	assert.Equal(t, cp.Len(), back.Len())
	o.Cells, o.Progress, runs = &back, func(done, total int) { runs = done }, 0
	got, err = s.Sweep(ctx, o)
	require.NoError(t, err)
	assert.Equal(t, want, got, "the resumed sweep gives the uninterrupted result")
	assert.Equal(t, full-cp.Len(), runs, "and runs only what was missing")

	// Cells are bound to their scenario.
	other := s.Clone()
	other.Config.Traffic[0].Rate *= 2
	_, err = other.Sweep(ctx, drainsim.SweepOptions{Delays: "0s", Replications: 2, Cells: merged})
	assert.Equal(t, "SweepOptions.Cells", asInvalid(t, err).Problems[0].Option)
	_, err = s.SweepShard(ctx, o, 3, 3)
	assert.Equal(t, "shard", asInvalid(t, err).Problems[0].Option)
}

// A sweep too long for one machine: run its shards apart (here one after
// another), merge them, and let Sweep finish with the refinements.
func ExampleScenario_SweepShard() {
	s, err := drainsim.Load("payments-api")
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	o := drainsim.SweepOptions{Delays: "0s:60s:20s", Replications: 4}
	all := drainsim.NewCells()
	for k := range 2 { // on two machines: encode each part with gob and copy it over
		part, err := s.SweepShard(ctx, o, k, 2)
		if err != nil {
			panic(err)
		}
		if err := all.Merge(part); err != nil {
			panic(err)
		}
	}
	o.Cells = all
	sw, err := s.Sweep(ctx, o)
	if err != nil {
		panic(err)
	}
	fmt.Println(all.Len() >= 16, len(sw.Rows))
	// Output:
	// true 4
}
