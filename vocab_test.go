package drainsim_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim"
)

func TestDelayList(t *testing.T) {
	t.Parallel()
	s := load(t)
	ctx := context.Background()
	byString, err := s.Sweep(ctx, drainsim.SweepOptions{Delays: "0s:20s:10s", Replications: 3})
	require.NoError(t, err)
	byList, err := s.Sweep(ctx, drainsim.SweepOptions{DelayList: drainsim.DelayRange(0, 20*time.Second, 10*time.Second), Replications: 3})
	require.NoError(t, err)
	assert.Equal(t, byString, byList, "a list of Durations is the same grid as its string")

	assert.Equal(t, []time.Duration{0, 30 * time.Second}, drainsim.DelayRange(0, 30*time.Second, 30*time.Second))
	assert.Empty(t, drainsim.DelayRange(0, time.Hour, time.Nanosecond), "too many delays")
	for _, o := range []drainsim.SweepOptions{
		{DelayList: drainsim.DelayRange(10*time.Second, 0, time.Second)},
		{DelayList: []time.Duration{1500 * time.Millisecond}},
		{DelayList: []time.Duration{0}, Delays: "0s"},
	} {
		_, err := s.Sweep(ctx, o)
		assert.Equal(t, "SweepOptions.DelayList", asInvalid(t, err).Problems[0].Option)
	}
}

func TestRecommendedDelay(t *testing.T) {
	t.Parallel()
	s := load(t)
	ctx := context.Background()
	// Nothing up to 2 s keeps the drops under the bound and the budget
	// cannot grow: undecided or none, never a delay.
	sw, err := s.Sweep(ctx, drainsim.SweepOptions{Delays: "0s,1s", Replications: 3, MaxDropped: 0.01})
	require.NoError(t, err)
	_, err = sw.RecommendedDelay()
	require.Error(t, err)
	switch sw.Recommendation.Status {
	case "undecided":
		assert.ErrorIs(t, err, drainsim.ErrUndecided)
	case "none":
		assert.ErrorIs(t, err, drainsim.ErrNoDelay)
	default:
		t.Fatalf("status %q", sw.Recommendation.Status)
	}
	_, ok := sw.Recommended()
	assert.False(t, ok)

	// A generous bound is met at 0 s: a delay of 0 is an answer.
	sw, err = s.Sweep(ctx, drainsim.SweepOptions{Delays: "0s,10s", Replications: 3, MaxDropped: 1e6})
	require.NoError(t, err)
	d, err := sw.RecommendedDelay()
	require.NoError(t, err)
	assert.Equal(t, time.Duration(0), d)
	c, ok := sw.CostOptimalDelay()
	assert.True(t, ok)
	assert.Equal(t, time.Duration(sw.Recommendation.CostOptimalDelayS*1e9), c)
	rt, ok := sw.RuleOfThumbDelay()
	assert.True(t, ok)
	assert.InDelta(t, sw.Recommendation.RuleOfThumbDelayS, rt.Seconds(), 1e-9)

	var empty drainsim.SweepResult
	_, err = empty.RecommendedDelay()
	assert.Error(t, err)
	assert.False(t, errors.Is(err, drainsim.ErrUndecided))
}

// Branch on why no delay was recommended.
func ExampleSweepResult_RecommendedDelay() {
	s, err := drainsim.Load("payments-api")
	if err != nil {
		panic(err)
	}
	sw, err := s.Sweep(context.Background(), drainsim.SweepOptions{
		DelayList: drainsim.DelayRange(0, 4*time.Second, 2*time.Second), Replications: 4,
	})
	if err != nil {
		panic(err)
	}
	d, err := sw.RecommendedDelay()
	switch {
	case errors.Is(err, drainsim.ErrUndecided):
		fmt.Println("undecided: allow more replications (SweepOptions.MaxReplications)")
	case errors.Is(err, drainsim.ErrNoDelay):
		fmt.Println("no delay up to 4s is enough: sweep longer delays")
	case err != nil:
		panic(err)
	default:
		fmt.Println("recommended:", d)
	}
	rt, _ := sw.RuleOfThumbDelay()
	fmt.Println("rule of thumb:", rt)
	// Output:
	// undecided: allow more replications (SweepOptions.MaxReplications)
	// rule of thumb: 7s
}
