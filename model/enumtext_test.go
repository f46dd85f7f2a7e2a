package model_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/model"
)

// Causes and target states read as words in JSON, map keys included, and
// round-trip; unknown names and values are errors.
func TestEnumText(t *testing.T) {
	t.Parallel()
	for c := range model.NumCauses {
		b, err := json.Marshal(c)
		require.NoError(t, err)
		assert.Equal(t, `"`+c.String()+`"`, string(b))
		var back model.Cause
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, c, back)
	}
	b, err := json.Marshal(map[model.Cause]int{model.CauseKilled: 2})
	require.NoError(t, err)
	assert.Equal(t, `{"killed":2}`, string(b))
	var c model.Cause
	assert.ErrorContains(t, c.UnmarshalText([]byte("kiled")), "must be one of delay_expired, killed")
	_, err = model.NumCauses.MarshalText()
	assert.Error(t, err)
	_, err = model.ParseCause("")
	assert.Error(t, err)

	for s := model.StateInitial; s <= model.StateTerminated; s++ {
		b, err := s.MarshalText()
		require.NoError(t, err)
		var back model.TargetState
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, s, back)
		assert.Equal(t, s.String(), string(b))
	}
	var s model.TargetState
	assert.Error(t, s.UnmarshalText([]byte("gone")))
	_, err = model.TargetState(99).MarshalText()
	assert.Error(t, err)
}
