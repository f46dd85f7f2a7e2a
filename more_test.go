package drainsim_test

import (
	"context"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim"
)

// ParseFS reads the files a scenario names from the fs.FS given, not
// from the current directory.
func TestParseFS(t *testing.T) {
	t.Parallel()
	const src = `
[fleet]
targets = 2
[[traffic]]
rate = 5
duration = { distribution = "empirical", file = "durations.txt" }
[[scale_in]]
at = "2m"
targets = 1
`
	fsys := fstest.MapFS{"durations.txt": {Data: []byte("0.5\n1.5\n2.5\n")}}
	s, err := drainsim.ParseFS("mem.toml", []byte(src), fsys)
	require.NoError(t, err)
	assert.Len(t, s.Config.Traffic[0].Duration.Samples, 3)

	_, err = drainsim.ParseFS("mem.toml", []byte(src), fstest.MapFS{})
	require.Error(t, err, "the file is not in the empty FS")
	assert.Contains(t, err.Error(), "durations.txt")
}

func TestMetricsContext(t *testing.T) {
	t.Parallel()
	s := load(t)
	m, err := s.MetricsContext(context.Background(), 0, 10*time.Second)
	require.NoError(t, err)
	plain, err := s.Metrics(0, 10*time.Second)
	require.NoError(t, err)
	assert.Equal(t, plain, m, "the same series")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = s.MetricsContext(ctx, 0, 10*time.Second)
	assert.ErrorIs(t, err, context.Canceled)
}
