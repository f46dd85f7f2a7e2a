package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/model"
)

const awsBase = `
name = "aws"
[target_group]
attributes_file = "tg-attributes.json"
[platform]
type = "ec2"
lifecycle_hooks_file = "lifecycle-hooks.json"
lifecycle_hook = { handler_duration = "20s" }
[fleet]
targets = 2
[[traffic]]
rate = 5
duration = { distribution = "exponential", mean = "1s" }
[[scale_in]]
at = "2m"
targets = 1
`

func TestAWSFiles(t *testing.T) {
	cfg, err := Load("testdata/aws/scenario.toml")
	require.NoError(t, err)
	assert.Equal(t, 45*time.Second, cfg.TargetGroup.DeregistrationDelay)
	assert.Equal(t, model.LeastOutstandingRequests, cfg.LoadBalancer.Algorithm)
	require.NotNil(t, cfg.Platform.LifecycleHook)
	assert.Equal(t, model.LifecycleHook{HeartbeatTimeout: 120 * time.Second, HandlerDuration: 20 * time.Second, DefaultResult: "continue"},
		*cfg.Platform.LifecycleHook, "the terminating hook, not the launching one")
	_, err = model.Run(cfg, 0)
	require.NoError(t, err)
}

func TestAWSFilesScenarioKeysWin(t *testing.T) {
	src := awsBase + `
`
	src = replaceOnce(src, `attributes_file = "tg-attributes.json"`, `attributes_file = "tg-attributes.json"
deregistration_delay = "10s"`)
	src = replaceOnce(src, `lifecycle_hook = { handler_duration = "20s" }`, `lifecycle_hook = { handler_duration = "20s", heartbeat_timeout = "60s" }`)
	fsys := awsFS(t)
	cfg, err := Parse("s.toml", []byte(src), fsys)
	require.NoError(t, err)
	assert.Equal(t, 10*time.Second, cfg.TargetGroup.DeregistrationDelay)
	assert.Equal(t, 60*time.Second, cfg.Platform.LifecycleHook.HeartbeatTimeout)
	assert.Equal(t, "continue", cfg.Platform.LifecycleHook.DefaultResult)
}

func TestAWSFilesErrors(t *testing.T) {
	for _, c := range []struct {
		name, file, body, want string
	}{
		{"missing", "", "", "s.toml:4:1: target_group.attributes_file: cannot read tg-attributes.json: file does not exist"},
		{"syntax", "tg-attributes.json", "{\n  \"Attributes\": [\n    {\"Key\": 1,}\n]}", "tg-attributes.json:3: not the JSON of the AWS CLI"},
		{"type", "tg-attributes.json", `{"Attributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": 300}]}`, "Attributes.Value must be a string"},
		{"empty", "tg-attributes.json", `{}`, `has no "Attributes"`},
		{"range", "tg-attributes.json", `{"Attributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "4000"}]}`, "target_group.deregistration_delay: must be 0s–3600s (got 4000s)"},
		{"not a number", "tg-attributes.json", `{"Attributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "soon"}]}`, `deregistration_delay.timeout_seconds = "soon": want whole seconds, 0–3600`},
		{"algorithm", "tg-attributes.json", `{"Attributes": [{"Key": "load_balancing.algorithm.type", "Value": "fastest"}]}`, "want round_robin, least_outstanding_requests or weighted_random"},
		{"no terminating hook", "lifecycle-hooks.json", `{"LifecycleHooks": [{"LifecycleTransition": "autoscaling:EC2_INSTANCE_LAUNCHING", "HeartbeatTimeout": 30}]}`, "no hook with LifecycleTransition autoscaling:EC2_INSTANCE_TERMINATING"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fsys := awsFS(t)
			if c.file == "" {
				delete(fsys, "tg-attributes.json")
			} else {
				fsys[c.file] = &fstest.MapFile{Data: []byte(c.body)}
			}
			_, err := Parse("s.toml", []byte(awsBase), fsys)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	// Not for ecs.
	src := replaceOnce(awsBase, `type = "ec2"`, `type = "ecs"`)
	src = replaceOnce(src, `lifecycle_hook = { handler_duration = "20s" }`, ``)
	_, err := Parse("s.toml", []byte(src), awsFS(t))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "platform.lifecycle_hooks_file: applies to ec2 only")
}

func awsFS(t *testing.T) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, n := range []string{"tg-attributes.json", "lifecycle-hooks.json"} {
		data, err := readTestdata("aws/" + n)
		require.NoError(t, err)
		fsys[n] = &fstest.MapFile{Data: data}
	}
	return fsys
}

func replaceOnce(s, old, new string) string { return strings.Replace(s, old, new, 1) }

func readTestdata(name string) ([]byte, error) { return os.ReadFile(filepath.Join("testdata", name)) }
