package metrics

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/model"
)

func TestTimelineLegend(t *testing.T) {
	t.Parallel()
	s := &Series{
		Period:                10 * time.Second,
		Start:                 []time.Duration{0, 10 * time.Second},
		RequestCount:          []int64{5, 5},
		ELB502:                []int64{0, 1},
		ELB503:                []int64{0, 0},
		ELB5XX:                []int64{0, 1},
		ActiveConnectionCount: []int64{3, 1},
		HealthyHostCount:      []int64{3, 2},
		InFlight:              [][]int64{{1, 1}, {1, 0}, {1, 0}},
		Removed:               []int{1},
	}
	cfg := &model.Config{Name: "x", ScaleIn: []model.ScaleIn{{At: 5 * time.Second, Targets: 1}, {At: 15 * time.Second, Targets: 1}}}
	_, labels, err := s.timeline(cfg, TimelineOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"ELB 5xx per period (502 + 503)", "scale-in decision", "other targets", "target 1 (removed)"}, labels)

	s.Removed = []int{0, 1, 2, 3, 4, 5, 6}
	s.InFlight = make([][]int64, 7)
	for i := range s.InFlight {
		s.InFlight[i] = []int64{1, 0}
	}
	_, labels, err = s.timeline(nil, TimelineOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"ELB 5xx per period (502 + 503)", "removed targets (7)"}, labels)
}
