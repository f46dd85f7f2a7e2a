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

// The load balancer type, algorithm, pick and platform read and write
// their names; an unknown name is an error listing the allowed ones, ""
// (the default) is accepted, and a Config decodes from JSON only with
// known names. Before, they were plain strings that took any text.
func TestConfigEnumText(t *testing.T) {
	t.Parallel()
	for _, v := range []interface {
		String() string
		MarshalText() ([]byte, error)
	}{model.ALB, model.NLB, model.CLB, model.RoundRobin, model.LeastOutstandingRequests, model.Random,
		model.PickOldest, model.PickNewest, model.PickRandom, model.EC2, model.ECS, model.EKS} {
		b, err := v.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, v.String(), string(b))
	}
	var lb model.LoadBalancer
	require.NoError(t, json.Unmarshal([]byte(`{"Type":"nlb","Algorithm":"random"}`), &lb))
	assert.Equal(t, model.LoadBalancer{Type: model.NLB, Algorithm: model.Random}, lb)
	assert.EqualError(t, json.Unmarshal([]byte(`{"Type":"elb"}`), &lb), `must be alb, nlb or clb (got "elb")`)
	assert.EqualError(t, json.Unmarshal([]byte(`{"Algorithm":"fastest"}`), &lb),
		`must be round_robin, least_outstanding_requests or random (got "fastest")`)
	var s model.ScaleIn
	assert.EqualError(t, json.Unmarshal([]byte(`{"Pick":"youngest"}`), &s), `must be oldest, newest or random (got "youngest")`)
	require.NoError(t, json.Unmarshal([]byte(`{"Pick":""}`), &s))
	var p model.Platform
	assert.EqualError(t, json.Unmarshal([]byte(`{"Type":"ecz"}`), &p), `must be ec2, ecs or eks (got "ecz")`)
	require.NoError(t, json.Unmarshal([]byte(`{"Type":"eks"}`), &p))
	assert.Equal(t, model.EKS, p.Type)

	_, err := model.LBType("elb").MarshalText()
	assert.Error(t, err)
	assert.Error(t, model.Pick("youngest").Valid())
	assert.NoError(t, model.Pick("").Valid())

	// Validate gives the same text for a value set in code.
	c := model.Default()
	c.LoadBalancer.Type = "elb"
	assert.ErrorContains(t, c.Validate(), `load_balancer.type: must be alb, nlb or clb (got "elb")`)
}
