package drainsim_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim"
	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/scenarios"
)

// asInvalid returns the *InvalidError in err's tree, failing without one.
func asInvalid(t *testing.T, err error) *drainsim.InvalidError {
	t.Helper()
	var inv *drainsim.InvalidError
	require.True(t, errors.As(err, &inv), "an *InvalidError in %v", err)
	require.NotEmpty(t, inv.Problems)
	return inv
}

func TestInvalidErrorFromFile(t *testing.T) {
	t.Parallel()
	_, err := drainsim.Parse("typo.toml", []byte("[fleet]\ntargets = 0\ntargest = 2\n"))
	inv := asInvalid(t, err)
	assert.Equal(t, err.Error(), inv.Error(), "the same text as before")
	p := inv.Problems[0]
	assert.Equal(t, drainsim.Error{Key: "fleet.targets", File: "typo.toml", Line: 2, Col: 1, Msg: "must be 1–100000 (got 0)", Allowed: "1–100000"},
		drainsim.Error{Option: p.Option, Key: p.Key, File: p.File, Line: p.Line, Col: p.Col, Msg: p.Msg, Allowed: p.Allowed})
	assert.Equal(t, "fleet.targest", inv.Problems[1].Key)
	assert.Equal(t, 3, inv.Problems[1].Line)
	assert.Empty(t, inv.Problems[1].Allowed, "an unknown key has no range")

	var first *drainsim.Error
	require.True(t, errors.As(err, &first))
	assert.Same(t, p, first, "errors.As finds the first problem")
	var se *scenarios.Error
	assert.True(t, errors.As(err, &se), "the loader's own error is still reachable")

	_, err = drainsim.Load("no-such-scenario")
	assert.False(t, errors.As(err, new(*drainsim.InvalidError)), "an unknown name is not an invalid value")
}

func TestInvalidErrorInCode(t *testing.T) {
	t.Parallel()
	_, err := drainsim.New(model.Default())
	inv := asInvalid(t, err)
	var keys []string
	for _, p := range inv.Problems {
		keys = append(keys, p.Key)
		assert.Zero(t, p.Line, "no file position for a scenario built in code")
	}
	assert.Equal(t, []string{"fleet.targets", "traffic", "scale_in"}, keys)
	var fe *model.FieldError
	assert.True(t, errors.As(err, &fe), "model's FieldError is still reachable")

	s := load(t)
	s.Config.Traffic[0].Rate = -1
	for name, call := range map[string]func() error{
		"run":     func() error { _, err := s.Run(context.Background()); return err },
		"sweep":   func() error { _, err := s.Sweep(context.Background(), drainsim.SweepOptions{}); return err },
		"metrics": func() error { _, err := s.Metrics(0, 0); return err },
	} {
		inv := asInvalid(t, call())
		assert.Equal(t, "traffic[0].rate", inv.Problems[0].Key, name)
		assert.Equal(t, "[1e-06, 1e+07] arrivals per second", inv.Problems[0].Msg[len("must be in "):len("must be in [1e-06, 1e+07] arrivals per second")], name)
	}
}

func TestInvalidOptions(t *testing.T) {
	t.Parallel()
	s := load(t)
	ctx := context.Background()
	for _, tt := range []struct {
		o       drainsim.SweepOptions
		option  string
		allowed string
	}{
		{drainsim.SweepOptions{Delays: "0s:10s"}, "SweepOptions.Delays", ""},
		{drainsim.SweepOptions{Replications: 1}, "SweepOptions.Replications", "0 (the scenario's, else 30) or at least 2: a 95 % interval needs 2"},
		{drainsim.SweepOptions{MaxPAnyDrop: 2}, "SweepOptions.MaxPAnyDrop", "0–1 (a fraction of scale-ins)"},
		{drainsim.SweepOptions{DropCost: -1}, "SweepOptions.DropCost", "finite and non-negative"},
		{drainsim.SweepOptions{MaxReplications: -1}, "SweepOptions.MaxReplications", "0 (none added) or more"},
		{drainsim.SweepOptions{Workers: -1}, "SweepOptions.Workers", "0 (GOMAXPROCS) or more"},
	} {
		_, err := s.Sweep(ctx, tt.o)
		inv := asInvalid(t, err)
		require.Len(t, inv.Problems, 1)
		p := inv.Problems[0]
		assert.Equal(t, tt.option, p.Option)
		assert.Empty(t, p.Key)
		assert.Equal(t, tt.allowed, p.Allowed, tt.option)
		assert.Contains(t, err.Error(), tt.option+": ")
	}
	_, err := s.RunWith(ctx, drainsim.RunOptions{Workers: -1})
	assert.Equal(t, "RunOptions.Workers", asInvalid(t, err).Problems[0].Option)

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = s.Run(cctx)
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, errors.As(err, new(*drainsim.InvalidError)), "cancelling is not invalid input")
}

// A notebook can tell a bad value from anything else, and say which key
// or option and what range.
func ExampleInvalidError() {
	s, err := drainsim.Load("payments-api")
	if err != nil {
		panic(err)
	}
	s.Config.Fleet.Targets = 0
	_, err = s.Sweep(context.Background(), drainsim.SweepOptions{Delays: "0s:60s:10s"})
	var inv *drainsim.InvalidError
	if errors.As(err, &inv) {
		for _, p := range inv.Problems {
			fmt.Printf("key %s: allowed %s\n", p.Key, p.Allowed)
		}
	}

	s.Config.Fleet.Targets = 10
	_, err = s.Sweep(context.Background(), drainsim.SweepOptions{Delays: "0s:60s:10s", MaxPAnyDrop: 5})
	var p *drainsim.Error
	if errors.As(err, &p) {
		fmt.Printf("option %s: allowed %s\n", p.Option, p.Allowed)
	}
	fmt.Println(err)
	// Output:
	// key fleet.targets: allowed 1–100000
	// option SweepOptions.MaxPAnyDrop: allowed 0–1 (a fraction of scale-ins)
	// sweep scenario "payments-api": SweepOptions.MaxPAnyDrop: must be 0–1 (a fraction of scale-ins) (got 5)
}
