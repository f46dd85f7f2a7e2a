package drainsim

import (
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/scenarios"
)

// noAlias fails if a and b, deep copies of each other, share any memory
// through a pointer, slice or map, and if any struct reachable from
// model.Config has an unexported field that could (deepCopy cannot copy
// those).
func noAlias(t *testing.T, path string, a, b reflect.Value) {
	t.Helper()
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() {
			return
		}
		assert.NotEqual(t, a.Pointer(), b.Pointer(), "%s is shared", path)
		noAlias(t, path, a.Elem(), b.Elem())
	case reflect.Slice:
		if a.Len() == 0 {
			return
		}
		assert.NotEqual(t, a.Pointer(), b.Pointer(), "%s is shared", path)
		for i := range a.Len() {
			noAlias(t, path+"[i]", a.Index(i), b.Index(i))
		}
	case reflect.Map:
		if a.Len() > 0 {
			assert.NotEqual(t, a.Pointer(), b.Pointer(), "%s is shared", path)
		}
	case reflect.Struct:
		for i := range a.NumField() {
			f := a.Type().Field(i)
			if !f.IsExported() {
				switch f.Type.Kind() {
				case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface, reflect.Func, reflect.Chan:
					t.Errorf("%s.%s is unexported and of kind %v: Clone would share it", path, f.Name, f.Type.Kind())
				}
				continue
			}
			noAlias(t, path+"."+f.Name, a.Field(i), b.Field(i))
		}
	}
}

func TestCloneNoAlias(t *testing.T) {
	t.Parallel()
	for _, name := range scenarios.Names() {
		cfg, err := scenarios.Open(name)
		require.NoError(t, err, name)
		// Fill the optional pointers and slices the built-ins may leave nil.
		f := false
		cfg.TargetGroup.UnhealthyConnectionTermination = &f
		cfg.Sweep.Delays.List = []time.Duration{0, time.Second}
		for i := range cfg.Traffic {
			half := 0.5
			cfg.Traffic[i].Idempotent = &half
			cfg.Traffic[i].Retry = &model.Retry{Attempts: 2}
			cfg.Traffic[i].Reconnect = &model.Reconnect{Backoff: time.Second}
		}
		s := &Scenario{Config: cfg}
		c := s.Clone()
		require.Equal(t, s.Config, c.Config, "%s: the clone is equal", name)
		noAlias(t, name, reflect.ValueOf(s.Config), reflect.ValueOf(c.Config))
	}
}

func TestCloneEditsStayInCopy(t *testing.T) {
	t.Parallel()
	cfg, err := scenarios.Open("payments-api")
	require.NoError(t, err)
	s := &Scenario{Config: cfg}
	rate := s.Config.Traffic[0].Rate
	c := s.Clone()
	c.Config.Traffic[0].Rate *= 2
	c.Config.ScaleIn = append(c.Config.ScaleIn[:0], model.ScaleIn{At: time.Minute, Targets: 1})
	c.Config.Fleet.Targets++
	assert.Equal(t, rate, s.Config.Traffic[0].Rate, "editing the clone's traffic changed the original")
	assert.Equal(t, 10*time.Minute, s.Config.ScaleIn[0].At)
	assert.Equal(t, 10, s.Config.Fleet.Targets)

	// New copies its argument too.
	in := *cfg
	n, err := New(in)
	require.NoError(t, err)
	in.Traffic[0].Rate = 1
	assert.Equal(t, rate, n.Config.Traffic[0].Rate, "New shares the caller's traffic slice")

	assert.Nil(t, (*Scenario)(nil).Clone().Config)
}
