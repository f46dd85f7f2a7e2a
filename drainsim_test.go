package drainsim_test

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim"
	"github.com/drainsim/drainsim/sweep"
)

// small is a quick scenario (testdata/small.toml, shared with package
// plot's tests): 2 targets, 20 requests/s with a lognormal tail, one
// target removed after two minutes, and a [sweep] table.
var small = func() string {
	b, err := os.ReadFile("testdata/small.toml")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

func load(t *testing.T) *drainsim.Scenario {
	t.Helper()
	s, err := drainsim.Parse("small.toml", []byte(small))
	require.NoError(t, err)
	return s
}

func TestLoad(t *testing.T) {
	t.Parallel()
	s, err := drainsim.Load("payments-api")
	require.NoError(t, err)
	assert.Equal(t, "payments-api", s.Config.Name)
	assert.Contains(t, drainsim.Builtins(), "payments-api")

	dir := t.TempDir()
	path := filepath.Join(dir, "small.toml")
	require.NoError(t, os.WriteFile(path, []byte(small), 0o644))
	s, err = drainsim.Load(path)
	require.NoError(t, err)
	assert.Equal(t, "small", s.Config.Name)

	_, err = drainsim.Load("no-such-scenario")
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.ErrorContains(t, err, "payments-api", "the error lists the built-ins")

	_, err = drainsim.Parse("bad.toml", []byte("[fleet]\ntargets = 0\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad.toml:")
	assert.Contains(t, err.Error(), "fleet.targets")
}

func TestNoConfig(t *testing.T) {
	t.Parallel()
	var s *drainsim.Scenario
	_, err := s.Run(context.Background())
	assert.ErrorContains(t, err, "needs a Config")
	_, err = (&drainsim.Scenario{}).Sweep(context.Background(), drainsim.SweepOptions{})
	assert.ErrorContains(t, err, "needs a Config")
	_, err = (&drainsim.Scenario{}).Metrics(0, 0)
	assert.ErrorContains(t, err, "needs a Config")
}

func TestRun(t *testing.T) {
	t.Parallel()
	s := load(t)
	before := *s.Config
	ctx := context.Background()
	one, err := s.RunWith(ctx, drainsim.RunOptions{Workers: 1})
	require.NoError(t, err)
	many, err := s.RunWith(ctx, drainsim.RunOptions{Workers: 4})
	require.NoError(t, err)
	plain, err := s.Run(ctx)
	require.NoError(t, err)
	assert.Equal(t, one, many, "workers do not change the result")
	assert.Equal(t, one, plain)
	assert.Equal(t, 4, plain.Replications, "Config.Replications")
	assert.Equal(t, before, *s.Config, "Run does not modify Config")

	more, err := s.RunWith(ctx, drainsim.RunOptions{Replications: 7})
	require.NoError(t, err)
	assert.Equal(t, 7, more.Replications)
	assert.Equal(t, 4, s.Config.Replications)

	_, err = s.RunWith(ctx, drainsim.RunOptions{Replications: -1})
	assert.ErrorContains(t, err, "RunOptions.Replications: must be 0 (the scenario's) or more (got -1)")

	s.Config.Fleet.Targets = 0
	_, err = s.Run(ctx)
	assert.ErrorContains(t, err, `run scenario "small"`)
	assert.ErrorContains(t, err, "fleet.targets")
}

func TestRunProgress(t *testing.T) {
	t.Parallel()
	s := load(t)
	var calls []int
	_, err := s.RunWith(context.Background(), drainsim.RunOptions{Replications: 9, Workers: 3, Progress: func(done, total int) {
		assert.Equal(t, 9, total)
		calls = append(calls, done)
	}})
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2, 3, 4, 5, 6, 7, 8, 9}, calls)
}

func TestSweepDefaultsFromScenario(t *testing.T) {
	t.Parallel()
	s := load(t)
	sw, err := s.Sweep(context.Background(), drainsim.SweepOptions{})
	require.NoError(t, err)
	require.Len(t, sw.Rows, 3)
	assert.Equal(t, []float64{0, 10, 20}, []float64{sw.Rows[0].DelayS, sw.Rows[1].DelayS, sw.Rows[2].DelayS})
	rec := sw.Recommendation
	assert.Equal(t, "small", sw.Scenario)
	assert.Equal(t, 4, rec.Replications)
	assert.Equal(t, 0.5, rec.MaxDropped)
	assert.Equal(t, 0.01, rec.DropCost)
	assert.Equal(t, &rec.Rows[0], &sw.Rows[0], "Rows is Recommendation.Rows")

	sw2, err := s.Sweep(context.Background(), drainsim.SweepOptions{Delays: "0s:90s:45s", Replications: 3, MaxDropped: 2, DropCost: 1, Workers: 1, MaxReplications: 64})
	require.NoError(t, err)
	assert.Equal(t, []float64{0, 45, 90}, []float64{sw2.Rows[0].DelayS, sw2.Rows[1].DelayS, sw2.Rows[2].DelayS})
	assert.Equal(t, 3, sw2.Recommendation.Replications)
	assert.Equal(t, 2.0, sw2.Recommendation.MaxDropped)
	assert.Equal(t, 1.0, sw2.Recommendation.DropCost)
	d, ok := sw2.Recommended()
	require.True(t, ok)
	assert.Equal(t, *sw2.Recommendation.RecommendedDelayS, d.Seconds())
}

func TestSweepMatchesPackageSweep(t *testing.T) {
	t.Parallel()
	s := load(t)
	sw, err := s.Sweep(context.Background(), drainsim.SweepOptions{Delays: "0s,20s", Replications: 3, MaxDropped: 1})
	require.NoError(t, err)
	delays := []time.Duration{0, 20 * time.Second}
	rec, err := sweep.Recommend(context.Background(), s.Config, delays, 3,
		sweep.Criteria{MaxDropped: 1, DropCost: s.Config.Sweep.DropCost}, sweep.Options{})
	require.NoError(t, err)
	assert.Equal(t, rec, sw.Recommendation)
}

func TestSweepErrors(t *testing.T) {
	t.Parallel()
	s := load(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		o    drainsim.SweepOptions
		want string
	}{
		{"bad grid", drainsim.SweepOptions{Delays: "0s:10s"}, "from:to:step"},
		{"fraction", drainsim.SweepOptions{Delays: "1.5s"}, "whole number of seconds"},
		{"negative replications", drainsim.SweepOptions{Replications: -2}, "SweepOptions.Replications: must be 0"},
		{"negative drop cost", drainsim.SweepOptions{DropCost: -1}, "non-negative"},
		{"NaN bound", drainsim.SweepOptions{MaxDropped: math.NaN()}, "non-negative"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Sweep(ctx, tt.o)
			require.Error(t, err)
			assert.Contains(t, err.Error(), `sweep scenario "small"`)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestSweepProgress(t *testing.T) {
	t.Parallel()
	s := load(t)
	var calls atomic.Int64
	last, lastTotal := 0, 0
	sw, err := s.Sweep(context.Background(), drainsim.SweepOptions{Replications: 5, Workers: 3, Progress: func(done, total int) {
		calls.Add(1)
		assert.Equal(t, last+1, done, "done counts up by one")
		assert.GreaterOrEqual(t, total, lastTotal, "total never shrinks")
		assert.LessOrEqual(t, done, total)
		last, lastTotal = done, total
	}})
	require.NoError(t, err)
	assert.Equal(t, lastTotal, last, "the last call has done == total")
	assert.GreaterOrEqual(t, last, 3*5, "at least the grid")
	assert.Equal(t, int64(last), calls.Load())
	assert.NotNil(t, sw)
}

func TestCancel(t *testing.T) {
	t.Parallel()
	s := load(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Run(ctx)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = s.Sweep(ctx, drainsim.SweepOptions{})
	assert.ErrorIs(t, err, context.Canceled)

	// Cancelled by the first progress report: the sweep stops handing out
	// replications and returns promptly.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	var done atomic.Int64
	_, err = s.Sweep(ctx, drainsim.SweepOptions{Delays: "0s:600s:1s", Replications: 50, Workers: 2, Progress: func(d, _ int) {
		done.Store(int64(d))
		cancel()
	}})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, done.Load(), int64(10), "stopped long before the 30050 replications")
}

// noNaN fails if v holds a NaN anywhere: reflect.DeepEqual (and so
// assert.Equal) would call a NaN unequal to itself.
func noNaN(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		assert.False(t, math.IsNaN(v.Float()), "NaN at %s", path)
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			noNaN(t, v.Elem(), path)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			noNaN(t, v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			noNaN(t, v.Index(i), path+"[]")
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			noNaN(t, v.MapIndex(k), path+"["+k.String()+"]")
		}
	}
}

func roundTrip[T any](t *testing.T, in T) T {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, gob.NewEncoder(&buf).Encode(in))
	var out T
	require.NoError(t, gob.NewDecoder(&buf).Decode(&out))
	return out
}

func TestGobRoundTrip(t *testing.T) {
	t.Parallel()
	s := load(t)
	ctx := context.Background()
	for _, reps := range []int{1, 6} {
		res, err := s.RunWith(ctx, drainsim.RunOptions{Replications: reps})
		require.NoError(t, err)
		noNaN(t, reflect.ValueOf(res), "Summary")
		assert.Equal(t, reps > 1, res.DroppedCI95.Valid)
		if reps == 1 {
			// One replication: no interval, and reading it does not panic.
			assert.Equal(t, [2]float64{0, 0}, [2]float64{res.DroppedCI95.Low, res.DroppedCI95.High})
		}
		assert.Equal(t, res, roundTrip(t, res), "Summary with %d replications", reps)
	}

	for _, tt := range []struct {
		o    drainsim.SweepOptions
		want string // the recommended delay, "none" if none
	}{
		{drainsim.SweepOptions{Replications: 4, Delays: "0s:90s:30s", MaxDropped: 2, MaxReplications: 64}, "30s"}, // the ALB default lag (median 9.4 s) must pass first; its rare long lags are importance-sampled (46 s with plain replications and the shorter delays' bursts)
		{drainsim.SweepOptions{Replications: 3, MaxDropped: 1000}, "0s"},                                          // a pointer to 0
		{drainsim.SweepOptions{Replications: 3, Delays: "0s,1s"}, "none"},
		{drainsim.SweepOptions{Replications: 2, Delays: "5s", DropCost: 0.5}, "none"},
	} {
		o := tt.o
		sw, err := s.Sweep(ctx, o)
		require.NoError(t, err)
		if d, ok := sw.Recommended(); ok {
			assert.Equal(t, tt.want, d.String(), "%+v", o)
		} else {
			assert.Equal(t, tt.want, "none", "%+v", o)
		}
		noNaN(t, reflect.ValueOf(sw), "SweepResult")
		got := roundTrip(t, sw)
		assert.Equal(t, sw, got, "%+v", o)
		d0, ok0 := sw.Recommended()
		d1, ok1 := got.Recommended()
		assert.Equal(t, ok0, ok1)
		assert.Equal(t, d0, d1)
		assert.Equal(t, &got.Recommendation.Rows[0], &got.Rows[0], "Rows is Recommendation.Rows after decoding")
		// By value too.
		assert.Equal(t, *sw, roundTrip(t, *sw))
	}

	var zero drainsim.SweepResult
	assert.Equal(t, zero, roundTrip(t, zero))
}

// Gob leaves out zero values, even behind a pointer: a recommended delay
// of 0 s would decode as nil ("no delay is enough"). SweepResult's
// GobEncode exists for this; if gob ever changes, this test says so.
func TestGobDropsPointerToZero(t *testing.T) {
	t.Parallel()
	zero := 0.0
	rec := sweep.Recommendation{RecommendedDelayS: &zero, Rows: []sweep.Row{{Replications: 1}}}
	got := roundTrip(t, rec)
	assert.Nil(t, got.RecommendedDelayS)

	sw := &drainsim.SweepResult{Rows: rec.Rows, Recommendation: &rec}
	d, ok := roundTrip(t, sw).Recommended()
	assert.True(t, ok)
	assert.Zero(t, d)
}

func TestGobDecodeError(t *testing.T) {
	t.Parallel()
	var sw drainsim.SweepResult
	assert.ErrorContains(t, sw.GobDecode([]byte("not gob")), "decode sweep result")
}

// The library never prints: a run, a sweep and its plots leave standard
// output and standard error untouched. Not parallel: it swaps os.Stdout.
func TestNeverPrints(t *testing.T) {
	s := load(t)
	outR, outW, err := os.Pipe()
	require.NoError(t, err)
	stdout, stderr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = outW, outW
	func() {
		defer func() { os.Stdout, os.Stderr = stdout, stderr }()
		_, err = s.Run(context.Background())
		require.NoError(t, err)
		sw, err := s.Sweep(context.Background(), drainsim.SweepOptions{Replications: 2})
		require.NoError(t, err)
		require.NotEmpty(t, sw.Rows)
		_, err = s.Metrics(0, 0)
		require.NoError(t, err)
	}()
	require.NoError(t, outW.Close())
	got, err := io.ReadAll(outR)
	require.NoError(t, err)
	assert.Empty(t, string(got))
}

func TestErrorsWrap(t *testing.T) {
	t.Parallel()
	s := load(t)
	s.Config.Traffic[0].Rate = -1
	_, err := s.Sweep(context.Background(), drainsim.SweepOptions{Replications: 2})
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "traffic[0].rate"), err.Error())
	assert.False(t, errors.Is(err, context.Canceled))
}
