package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/scenarios"
)

// The observed replication of --metrics and --timeline stops when the
// command's context is cancelled (Ctrl-C), for the per-target timeline
// and for a day under a scaling policy alike, and writes no file: before,
// they ran on context.Background(), so a month's --timeline (the full
// path, minutes) ignored Ctrl-C.
func TestWriteMetricsCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, name := range []string{"payments-api", "diurnal-api"} {
		cfg, err := scenarios.Builtin(name)
		require.NoError(t, err)
		dir := t.TempDir()
		_, files, err := writeMetrics(ctx, filepath.Join(dir, "m.csv"), filepath.Join(dir, "t.png"), cfg, 0, time.Minute)
		assert.ErrorIs(t, err, context.Canceled, name)
		assert.Empty(t, files, name)
		assert.Empty(t, dirNames(t, dir), name)
	}
}
