package scenarios

import (
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/model"
)

const closedLoopScenario = `[fleet]
targets = 2
[[traffic]]
name = "load tool"
clients = 8
duration = { distribution = "constant", value = "100ms" }
think_time = { distribution = "empirical", file = "think.txt" }
[[scale_in]]
at = "5m"
targets = 1
`

// TestParseClosedLoop loads a closed-loop class whose think times come
// from an empirical file, and runs it: every client's requests are
// counted.
func TestParseClosedLoop(t *testing.T) {
	fsys := fstest.MapFS{"think.txt": {Data: []byte("0.5\n1.5\n")}}
	cfg, err := Parse("s.toml", []byte(closedLoopScenario), fsys)
	require.NoError(t, err)
	tc := cfg.Traffic[0]
	assert.Equal(t, 8, tc.Clients)
	assert.Equal(t, []float64{0.5, 1.5}, tc.ThinkTime.Samples)
	res, err := model.Run(cfg, 0)
	require.NoError(t, err)
	cr := res.Classes[0]
	assert.Len(t, cr.ClientErrors, 8)
	// 8 clients with cycles of 0.1 s + 1 s on average: about 7.3/s
	// from the start to the scale-in at 5 minutes, and on while it runs.
	assert.Greater(t, cr.Arrivals, int64(7*300*8/10))
	assert.Less(t, res.End, time.Hour)
}
