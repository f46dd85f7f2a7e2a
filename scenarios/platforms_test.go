package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/model"
)

// TestParsePlatformKeys: the keys of issue #9 §4 decode strictly, and their
// range errors name the key path.
func TestParsePlatformKeys(t *testing.T) {
	src := `[load_balancer]
type = "nlb"
[target_group]
unhealthy_connection_termination = false
unhealthy_draining_interval = "30s"
[platform]
type = "ecs"
launch_type = "ec2"
stop_timeout = "300s"
[app]
keep_accepting = "10s"
` + minimal
	cfg, err := Parse("s.toml", []byte(src), nil)
	require.NoError(t, err)
	require.NotNil(t, cfg.TargetGroup.UnhealthyConnectionTermination)
	assert.False(t, *cfg.TargetGroup.UnhealthyConnectionTermination)
	assert.Equal(t, 30*time.Second, cfg.TargetGroup.UnhealthyDrainingInterval)
	assert.Equal(t, model.LaunchEC2, cfg.Platform.LaunchType)
	assert.Equal(t, 10*time.Second, cfg.App.KeepAccepting)

	spot := "[platform]\ntarget_type = \"instance\"\ntype = \"eks\"\n" + minimal + "kind = \"spot_interruption\"\n"
	_, err = Parse("s.toml", []byte(spot), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "scale_in[0].kind: spot_interruption is for platform ec2 only")

	bad := "[target_group]\nunhealthy_draining_interval = \"400000s\"\n[platform]\ntype = \"ecs\"\nstop_timeout = \"200s\"\n" + minimal
	_, err = Parse("s.toml", []byte(bad), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "target_group.unhealthy_draining_interval: applies to nlb only")
	assert.Contains(t, err.Error(), "platform.stop_timeout: Fargate allows at most 120s (got 200s)")

	typo := "[app]\nkeep_acepting = \"1s\"\n" + minimal
	_, err = Parse("s.toml", []byte(typo), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `app.keep_acepting: unknown key; did you mean "keep_accepting"?`)
}

// TestAWSFilesUnhealthyAttributes: an NLB target group's
// target_health_state.unhealthy.* attributes from describe-target-group-
// attributes are applied [TGA].
func TestAWSFilesUnhealthyAttributes(t *testing.T) {
	fsys := awsFS(t)
	fsys["tg-attributes.json"].Data = []byte(`{"Attributes": [
		{"Key": "target_health_state.unhealthy.connection_termination.enabled", "Value": "false"},
		{"Key": "target_health_state.unhealthy.draining_interval_seconds", "Value": "90"}]}`)
	src := awsBase + "[load_balancer]\ntype = \"nlb\"\n"
	cfg, err := Parse("s.toml", []byte(src), fsys)
	require.NoError(t, err)
	require.NotNil(t, cfg.TargetGroup.UnhealthyConnectionTermination)
	assert.False(t, *cfg.TargetGroup.UnhealthyConnectionTermination)
	assert.Equal(t, 90*time.Second, cfg.TargetGroup.UnhealthyDrainingInterval)

	fsys["tg-attributes.json"].Data = []byte(`{"Attributes": [
		{"Key": "target_health_state.unhealthy.draining_interval_seconds", "Value": "soon"}]}`)
	_, err = Parse("s.toml", []byte(src), fsys)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `target_health_state.unhealthy.draining_interval_seconds = "soon": want whole seconds, 0–360000`)
}
