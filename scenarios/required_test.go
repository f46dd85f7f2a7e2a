package scenarios

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/model"
)

// TestExplicitZeroAndRequired reproduces the inputs of issue 11: each was
// accepted, as if the key were absent (or 0 s), and ran something other
// than what the file says.
func TestExplicitZeroAndRequired(t *testing.T) {
	for _, c := range []struct {
		name, src, want string
	}{
		{"scale_in without at", strings.Replace(minimal, "at = \"1m\"\n", "", 1),
			`s.toml:6:3: scale_in[0].at: is required: when the scaling decision is made, e.g. at = "5m"`},
		{"second scale_in without at", minimal + "[[scale_in]]\ntargets = 1\n",
			`s.toml:9:3: scale_in[1].at: is required: when the scaling decision is made, e.g. at = "5m"`},
		{"delays step 0s", minimal + "[sweep]\ndelays = { from = \"0s\", to = \"300s\", step = \"0s\" }\n",
			`s.toml:10:38: sweep.delays.step: must be at least 1s: a step of 0 is no grid (got "0s")`},
		{"sweep replications 0", minimal + "[sweep]\nreplications = 0\n",
			`s.toml:10:1: sweep.replications: must be 1–100000 (got 0)`},
		{"stop_timeout 0s", minimal + "[platform]\ntype = \"ecs\"\nstop_timeout = \"0s\"\n",
			`s.toml:11:1: platform.stop_timeout: must be at least 1s (fargate up to 120 s, ec2 up to 600 s); leave it out for the 30 s default (got "0s")`},
		{"tasks_per_host 0", minimal + "[platform]\ntype = \"ecs\"\nlaunch_type = \"ec2\"\ntasks_per_host = 0\n",
			`s.toml:12:1: platform.tasks_per_host: must be 1–100; leave it out for one task per container instance (got 0)`},
		{"fin_window 0s", minimal + "[load_balancer]\nfin_window = \"0s\"\n",
			`s.toml:10:1: load_balancer.fin_window: must be 1µs–1s; leave it out for the 1ms default (got "0s")`},
		{"nodes 0", minimal + "[load_balancer]\nnodes = 0\n",
			`s.toml:10:1: load_balancer.nodes: must be 1–100; leave it out for the default (alb 2, clb 1) (got 0)`},
		{"keepalive_timeout 0s", minimal + "[app]\nkeepalive_timeout = \"0s\"\n",
			`s.toml:10:1: app.keepalive_timeout: must be more than 0s, at most 1 week (got "0s")`},
		{"horizon 0s", "horizon = \"0s\"\n" + minimal,
			`s.toml:1:1: horizon: must be after the last scale_in.at; leave it out to run until every scale-in has finished (got "0s")`},
		{"replications 0", "replications = 0\n" + minimal,
			`s.toml:1:1: replications: must be 1–100000 (got 0)`},
		{"idle_timeout 0s", minimal + "[load_balancer]\nidle_timeout = \"0s\"\n",
			`s.toml:10:1: load_balancer.idle_timeout: must be at least 1s: alb 1–4000 s, clb 1–3600 s, nlb 60–6000 s (got "0s")`},
		{"health check 0", minimal + "[health_check]\ninterval = \"0s\"\ntimeout = \"0ms\"\nhealthy_threshold = 0\nunhealthy_threshold = 0\n",
			"s.toml:10:1: health_check.interval: must be 5–300 s (got \"0s\")\n" +
				"s.toml:11:1: health_check.timeout: must be 2–120 s, clb 2–60 s (got \"0ms\")\n" +
				"s.toml:12:1: health_check.healthy_threshold: must be 2–10 (got 0)\n" +
				"s.toml:13:1: health_check.unhealthy_threshold: must be 2–10 (got 0)"},
		{"retry attempts 0", strings.Replace(minimal, "rate = 10\n", "rate = 10\nretry = { attempts = 0 }\n", 1),
			`s.toml:5:11: traffic[0].retry.attempts: must be 1–10, counting the first attempt (got 0)`},
		{"heartbeat 0s", minimal + "[platform]\nlifecycle_hook = { heartbeat_timeout = \"0s\" }\n",
			`s.toml:10:20: platform.lifecycle_hook.heartbeat_timeout: must be 30–7200 s (got "0s")`},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Parse("s.toml", []byte(c.src), nil)
			require.Error(t, err)
			assert.Nil(t, cfg)
			assert.Equal(t, c.want, err.Error())
		})
	}
	// What stays valid: at = "0s" (≥ 0), and a zero where zero is in
	// range (drop_cost, seed, shutdown_grace).
	_, err := Parse("s.toml", []byte(strings.Replace(minimal, `at = "1m"`, `at = "0s"`, 1)+
		"seed = 0\n"), nil)
	require.Error(t, err, "seed after a table belongs to it") // guard the test's own TOML
	cfg, err := Parse("s.toml", []byte("seed = 0\n"+strings.Replace(minimal, `at = "1m"`, `at = "0s"`, 1)+
		"[sweep]\ndrop_cost = 0\nmax_dropped = 0\n[platform]\nshutdown_grace = \"0s\"\n"), nil)
	require.NoError(t, err)
	assert.Zero(t, cfg.ScaleIn[0].At)
}

// docKeys returns the key paths docs/scenarios.md documents, by section
// ("load_balancer.type", "traffic[].rate", "start"), with whether each is
// marked **required**. Distribution and nested tables (retry, reconnect,
// lifecycle_hook) are documented inside their row and are not listed.
func docKeys(t *testing.T) map[string]bool {
	t.Helper()
	doc, err := os.ReadFile("../docs/scenarios.md")
	require.NoError(t, err)
	section := regexp.MustCompile("^## (?:Top level|`\\[\\[?([a-z_]+)\\]\\]?`)")
	row := regexp.MustCompile("^\\| `([a-z_]+)` \\|([^|]*)\\|([^|]*)\\|")
	keys := map[string]bool{}
	prefix, in := "", false
	for _, line := range strings.Split(string(doc), "\n") {
		if m := section.FindStringSubmatch(line); m != nil {
			in = true
			switch {
			case m[1] == "":
				prefix = ""
			case strings.HasPrefix(line, "## `[["):
				prefix = m[1] + "[]."
			default:
				prefix = m[1] + "."
			}
			continue
		}
		if strings.HasPrefix(line, "#") {
			in = false // "### Distribution tables": keys of another shape
			continue
		}
		if m := row.FindStringSubmatch(line); in && m != nil {
			keys[prefix+m[1]] = strings.Contains(m[3], "**required**")
		}
	}
	require.NotEmpty(t, keys)
	return keys
}

// loaderKeys returns the key paths the loader accepts at the top level
// and one table down, as docKeys names them.
func loaderKeys() []string {
	var out []string
	for _, f := range fields(reflect.TypeFor[model.Config]()) {
		t := f.typ
		prefix := f.name + "."
		if t.Kind() == reflect.Slice {
			t, prefix = t.Elem(), f.name+"[]."
		}
		if !isTable(t) {
			out = append(out, f.name)
			continue
		}
		for _, g := range fields(t) {
			out = append(out, prefix+g.name)
		}
	}
	return out
}

// TestDocsKeyTable checks docs/scenarios.md against the loader: every key
// the loader accepts is documented (issue 11: `start` was not), every
// documented key exists, and every key marked **required** is refused
// when absent, naming the key.
func TestDocsKeyTable(t *testing.T) {
	doc := docKeys(t)
	accepted := loaderKeys()
	for _, k := range accepted {
		_, ok := doc[k]
		assert.True(t, ok, "docs/scenarios.md does not document %s", k)
	}
	for k := range doc {
		assert.True(t, slices.Contains(accepted, k), "docs/scenarios.md documents %s, which the loader does not accept", k)
	}

	// minimal, with a scale-out and a rolling update, has every required
	// key; without each one it is refused.
	lines := strings.Split(minimal+"[[scale_out]]\nat = \"2m\"\ntargets = 1\n[[rolling_update]]\nat = \"3m\"\n", "\n")
	var required []string
	for k, req := range doc {
		if req {
			required = append(required, k)
		}
	}
	slices.Sort(required)
	assert.Equal(t, []string{"fleet.targets", "rolling_update[].at", "scale_in[].at", "scale_in[].targets",
		"scale_out[].at", "scale_out[].targets", "traffic[].duration", "traffic[].rate"}, required)
	for _, k := range required {
		table, key, _ := strings.Cut(k, ".")
		header := "[" + table + "]"
		if t, ok := strings.CutSuffix(table, "[]"); ok {
			header = "[[" + t + "]]"
		}
		var src []string
		in, done := false, false
		for _, l := range lines {
			if strings.HasPrefix(l, "[") {
				in = l == header
			}
			if in && !done && strings.HasPrefix(l, key+" = ") {
				done = true
				continue
			}
			src = append(src, l)
		}
		require.Len(t, src, len(lines)-1, k)
		_, err := Parse("s.toml", []byte(strings.Join(src, "\n")), nil)
		require.Error(t, err, "%s absent", k)
		assert.Contains(t, err.Error(), " "+strings.Replace(k, "[]", "[0]", 1), "%s absent", k)
	}
}
