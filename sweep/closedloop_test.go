package sweep

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/model"
)

// TestSummarizeClosedLoop: errors per client and failure windows over
// replications; nil without closed-loop clients.
func TestSummarizeClosedLoop(t *testing.T) {
	t.Parallel()
	s := time.Second
	open := model.ClassResult{FirstError: 5 * s, LastError: 40 * s}
	closed := func(errs []int64, first, last []time.Duration) model.ClassResult {
		c := model.ClassResult{Clients: len(errs), ClientErrors: errs, ClientFirstError: first, ClientLastError: last,
			FirstError: -1, LastError: -1}
		for k := range errs {
			if first[k] >= 0 && (c.FirstError < 0 || first[k] < c.FirstError) {
				c.FirstError = first[k]
			}
			c.LastError = max(c.LastError, last[k])
		}
		return c
	}
	assert.Nil(t, summarizeClosedLoop([]*model.Result{{Classes: []model.ClassResult{open}}}))
	assert.Nil(t, summarizeClosedLoop(nil))
	r0 := &model.Result{Classes: []model.ClassResult{open,
		closed([]int64{2, 0}, []time.Duration{10 * s, -1}, []time.Duration{14 * s, -1})}}
	r1 := &model.Result{Classes: []model.ClassResult{{FirstError: -1, LastError: -1},
		closed([]int64{1, 3}, []time.Duration{20 * s, 21 * s}, []time.Duration{20 * s, 27 * s})}}
	got := summarizeClosedLoop([]*model.Result{r0, r1})
	require.NotNil(t, got)
	assert.Equal(t, 2, got.Clients)
	assert.InDelta(t, 6.0/4, got.ErrorsPerClientMean, 1e-12, "6 errors, 2 clients, 2 replications")
	assert.Equal(t, int64(3), got.ErrorsPerClientMax)
	assert.InDelta(t, (35.0+7)/2, got.FailureWindowSMean, 1e-12, "5–40 s over both classes, then 20–27 s")
	assert.InDelta(t, (4.0+0+6)/3, got.ClientFailureWindowSMean, 1e-12)
}

// TestTailTextClosedLoop checks that the tail advice of a closed-loop
// class states its rate N/(R+Z), not the unset rate (0).
func TestTailTextClosedLoop(t *testing.T) {
	t.Parallel()
	cfg := model.Default()
	cfg.Traffic = []model.Traffic{{
		Name:      "load tool",
		Clients:   40,
		Duration:  model.Distribution{Distribution: model.Exponential, Mean: time.Second},
		ThinkTime: model.Distribution{Distribution: model.Constant, Value: time.Second},
	}}
	cfg.ScaleIn = []model.ScaleIn{{At: 10 * time.Minute, Targets: 1}}
	rot := Row{DelayS: 5, Replications: 30, DroppedMean: 1, DroppedByCause: map[string]float64{model.CauseDelayExpired.String(): 1}}
	assert.Contains(t, tooShortText(&cfg, rot), "at 20 requests/s", "40 clients with cycles of 1 s + 1 s")
}
