package scenarios

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/model"
)

// minimal is a valid scenario of 8 lines; cases append to it (their lines
// start at 9) or prepend top-level keys to it.
const minimal = `[fleet]
targets = 4
[[traffic]]
rate = 10
duration = { distribution = "constant", value = "1s" }
[[scale_in]]
at = "1m"
targets = 1
`

// withTraffic returns minimal with a second traffic class (lines 9–12)
// whose duration is dur, and extra lines after it.
func withTraffic(dur, extra string) string {
	return minimal + "[[traffic]]\nname = \"second\"\nrate = 5\nduration = " + dur + "\n" + extra
}

func TestParseErrors(t *testing.T) {
	fsys := fstest.MapFS{
		"durations.txt": {Data: []byte("# seconds\n1.5\n\n2 # ok\nabc\n-1\n3s\n")},
		"empty.txt":     {Data: []byte("# nothing\n\n")},
		"many.txt":      {Data: []byte(strings.Repeat("x\n", 12))},
	}
	tests := []struct {
		name string
		src  string
		want string // the whole error, one line per problem
	}{
		// TOML syntax.
		{"syntax: unclosed table", "name = \"x\"\n[fleet\ntargets = 2\n",
			`s.toml:2:7: expected '.' or ']' to end table name, but got '\n' instead`},
		{"syntax: string with newline", "name = \"x\n",
			`s.toml:1:10: strings cannot contain newlines`},
		{"syntax: junk after value", "seed = 1 2\n",
			`s.toml:1:9: expected a top-level item to end with a newline, comment, or EOF, but got '2' instead`},
		{"syntax: duplicate key", minimal + "targets = 2\ntargets = 3\n",
			`s.toml:9:1: Key 'scale_in.targets' has already been defined.`},
		{"syntax: NUL byte", "a\x00 = 1",
			`s.toml:1:2: files cannot contain NULL bytes; probably using UTF-16; TOML files must be UTF-8`},

		// Unknown keys.
		{"unknown top-level key", "colour = \"blue\"\n" + minimal,
			`s.toml:1:1: colour: unknown key; the keys here are ` + keysHere[model.Config]()},
		{"unknown table", minimal + "[colour]\nred = 1\n",
			`s.toml:9:2: colour: unknown key; the keys here are ` + keysHere[model.Config]()},
		{"misspelt nested key", "[target_group]\nderegistation_delay = \"60s\"\n" + minimal,
			`s.toml:2:1: target_group.deregistation_delay: unknown key; did you mean "deregistration_delay"?`},
		{"wrong case", strings.Replace(minimal, "targets = 4", "Targets = 4", 1),
			`s.toml:2:1: fleet.Targets: unknown key; did you mean "targets"?`},
		{"unknown key in second array element", withTraffic(`{ distribution = "constant", value = "1s" }`, "colour = \"red\"\n"),
			`s.toml:13:1: traffic[1].colour: unknown key; the keys here are ` + keysHere[model.Traffic]()},
		{"unknown key in inline table", withTraffic(`{ distribution = "constant", value = "1s", colur = 2 }`, ""),
			`s.toml:12:55: traffic[1].duration.colur: unknown key; the keys here are ` + keysHere[model.Distribution]()},
		{"unknown key in a dotted key", "[target_group]\ndelay.seconds = 30\n" + minimal,
			`s.toml:2:1: target_group.delay: unknown key; the keys here are ` + keysHere[model.TargetGroup]()},
		{"unknown keys and a validation error", "[fleet]\nsize = 3\n[[traffic]]\nrate = 10\nduration = { distribution = \"constant\", value = \"1s\" }\n[[scale_in]]\nat = \"1m\"\ntargets = 1\n",
			`s.toml:1:2: fleet.targets: must be 1–100000 (got 0)` + "\n" +
				`s.toml:2:1: fleet.size: unknown key; the keys here are ` + keysHere[model.Fleet]()},

		// Out of range (from model.Config.Validate), at the key.
		{"delay above 3600s", "[target_group]\nderegistration_delay = \"4000s\"\n" + minimal,
			`s.toml:2:1: target_group.deregistration_delay: must be 0s–3600s (got 4000s)`},
		{"clb delay 0", "[load_balancer]\ntype = \"clb\"\n[target_group]\nderegistration_delay = \"0s\"\n" + minimal,
			`s.toml:4:1: target_group.deregistration_delay: must be 1s–3600s for a clb with connection draining (got 0s)`},
		{"delay not whole seconds", "[target_group]\nderegistration_delay = \"1500ms\"\n" + minimal,
			`s.toml:2:1: target_group.deregistration_delay: must be a whole number of seconds, as AWS takes it (got 1.5s)`},
		{"several validation errors in file order", withTraffic(`{ distribution = "lognormal", median = "5s", p99 = "2s" }`, "") + "[[scale_in]]\nat = \"30s\"\ntargets = 9\npick = \"youngest\"\n",
			`s.toml:6:3: scale_in: removes 10 targets in all but the fleet has 4` + "\n" +
				`s.toml:12:57: traffic[1].duration.p99: must be greater than median (got p99 2s, median 5s)` + "\n" +
				`s.toml:14:1: scale_in[1].at: scale-in events must be in time order (30s is before 1m0s)` + "\n" +
				`s.toml:16:1: scale_in[1].pick: must be oldest, newest or random (got "youngest")`},
		{"unknown names of every enum, with the other problems", "[load_balancer]\ntype = \"elb\"\nalgorithm = \"fastest\"\n[platform]\ntype = \"ecz\"\n" +
			strings.Replace(minimal, "targets = 4", "targets = 0", 1) + "pick = \"youngest\"\n",
			`s.toml:2:1: load_balancer.type: must be alb, nlb or clb (got "elb")` + "\n" +
				`s.toml:3:1: load_balancer.algorithm: must be round_robin, least_outstanding_requests or random (got "fastest")` + "\n" +
				`s.toml:5:1: platform.type: must be ec2, ecs or eks (got "ecz")` + "\n" +
				`s.toml:7:1: fleet.targets: must be 1–100000 (got 0)` + "\n" +
				`s.toml:14:1: scale_in[0].pick: must be oldest, newest or random (got "youngest")`},
		{"absent key placed at its table", "[fleet]\nprice_per_hour = 0.1\n" + strings.TrimPrefix(minimal, "[fleet]\ntargets = 4\n"),
			`s.toml:1:2: fleet.targets: must be 1–100000 (got 0)`},
		{"absent key and table", "seed = 2\n",
			"s.toml: fleet.targets: must be 1–100000 (got 0)\n" +
				"s.toml: traffic: at least one [[traffic]] class is required\n" +
				"s.toml: scale_in: at least one [[scale_in]] event is required (or an [autoscaling] policy and a horizon)"},
		{"missing distribution placed at the inline table", withTraffic(`{ mean = "1s" }`, ""),
			`s.toml:12:1: traffic[1].duration.distribution: is required: one of exponential, lognormal, constant, uniform, gamma, weibull, pareto, empirical`},

		// Wrong types.
		{"rate as a word", withTraffic(`{ distribution = "constant", value = "1s" }`, "") + "[[traffic]]\nrate = \"fast\"\n",
			`s.toml:14:1: traffic[2].rate: must be a number (got string "fast")`},
		{"targets as a string", "[fleet]\ntargets = \"4\"\n",
			`s.toml:2:1: fleet.targets: must be a whole number (got string "4")`},
		{"targets as a float", "[fleet]\ntargets = 4.0\n",
			`s.toml:2:1: fleet.targets: must be a whole number (got 4.0)`},
		{"negative seed", "seed = -1\n" + minimal,
			`s.toml:1:1: seed: must not be negative (got -1)`},
		{"boolean as a string", "[target_group]\nconnection_draining = \"yes\"\n" + minimal,
			`s.toml:2:1: target_group.connection_draining: must be true or false (got string "yes")`},
		{"table as a value", "fleet = 4\n",
			`s.toml:1:1: fleet: must be a table: write a [fleet] section (got integer 4)`},
		{"array of tables as a value", "traffic = \"web\"\n",
			`s.toml:1:1: traffic: must be an array of tables: write [[traffic]] sections (got string "web")`},
		{"array of numbers", "traffic = [1, { rate = 2 }]\n",
			`s.toml:1:12: traffic[0]: must be a table (got integer 1)`},
		{"duration as a string", withTraffic(`"2s"`, ""),
			`s.toml:12:1: traffic[1].duration: must be a table such as { distribution = "lognormal", median = "2s", p99 = "5s" } (got string "2s")`},
		{"enum as a number", "[load_balancer]\ntype = 3\n" + minimal,
			`s.toml:2:1: load_balancer.type: must be a string (got integer 3)`},
		{"type errors stop before validation", "[fleet]\ntargets = true\n",
			`s.toml:2:1: fleet.targets: must be a whole number (got boolean true)`},

		// Durations.
		{"bare integer duration", withTraffic(`{ distribution = "lognormal", median = 2, p99 = "5s" }`, ""),
			`s.toml:12:42: traffic[1].duration.median: a duration needs a unit, e.g. "2s" (got 2)`},
		{"bare float duration", "horizon = 1.5\n" + minimal,
			`s.toml:1:1: horizon: a duration needs a unit, e.g. "1.5s" (got 1.5)`},
		{"duration string without unit", "[target_group]\nderegistration_delay = \"300\"\n" + minimal,
			`s.toml:2:1: target_group.deregistration_delay: a duration needs a unit, e.g. "300s" (got "300")`},
		{"negative duration", minimal + "[[scale_in]]\nat = \"-5m\"\ntargets = 1\n",
			`s.toml:10:1: scale_in[1].at: must not be negative (got "-5m")`},
		{"unparsable duration", "horizon = \"2 hours\"\n" + minimal,
			`s.toml:1:1: horizon: is not a duration (got "2 hours"); write a number and a unit, e.g. "90s", "5m" or "1h30m"; units are ns, us, ms, s, m and h, up to 2562047h`},
		{"duration as a date", "horizon = 10:00:00\n" + minimal,
			`s.toml:1:1: horizon: must be a duration string such as "90s" (got date-time 0000-01-01T10:00:00Z)`},

		// Empirical distributions.
		{"empirical bad lines", withTraffic(`{ distribution = "empirical", file = "durations.txt" }`, ""),
			`dir/durations.txt:5: traffic[1].duration.file: want a duration in seconds, a number ≥ 0 without a unit (got "abc")` + "\n" +
				`dir/durations.txt:6: traffic[1].duration.file: want a duration in seconds, a number ≥ 0 without a unit (got "-1")` + "\n" +
				`dir/durations.txt:7: traffic[1].duration.file: want a duration in seconds, a number ≥ 0 without a unit (got "3s")`},
		{"empirical missing file", withTraffic(`{ distribution = "empirical", file = "nope.txt" }`, ""),
			`s.toml:12:42: traffic[1].duration.file: cannot read dir/nope.txt: file does not exist`},
		{"empirical empty file", withTraffic(`{ distribution = "empirical", file = "empty.txt" }`, ""),
			`s.toml:12:42: traffic[1].duration.file: dir/empty.txt holds no durations; write one number of seconds per line`},
		{"empirical outside the directory", withTraffic(`{ distribution = "empirical", file = "../durations.txt" }`, ""),
			`s.toml:12:42: traffic[1].duration.file: must name a file in the scenario's directory or below it, with / separators and no ".." (got "../durations.txt")`},
		{"empirical without file", withTraffic(`{ distribution = "empirical" }`, ""),
			`s.toml:12:1: traffic[1].duration.file: an empirical distribution needs a file of durations in seconds (none loaded from "")`},
		{"empirical with too many bad lines", withTraffic(`{ distribution = "empirical", file = "many.txt" }`, ""),
			manyBad()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("dir/s.toml", []byte(tt.src), fsys)
			require.Error(t, err)
			assert.Nil(t, cfg)
			want := strings.ReplaceAll(tt.want, "s.toml:", "dir/s.toml:")
			assert.Equal(t, want, err.Error())
			var es Errors
			require.ErrorAs(t, err, &es)
			var first *Error
			require.ErrorAs(t, err, &first)
			assert.Same(t, es[0], first)
			t.Log("\n" + err.Error())
		})
	}
}

// keysHere lists the TOML keys of struct T as the unknown-key message
// does.
func keysHere[T any]() string {
	var names []string
	for _, f := range fields(reflect.TypeFor[T]()) {
		names = append(names, f.name)
	}
	return strings.Join(names, ", ")
}

func manyBad() string {
	var b strings.Builder
	for i := 1; i <= maxBadLines; i++ {
		b.WriteString("dir/many.txt:" + strconv.Itoa(i) + `: traffic[1].duration.file: want a duration in seconds, a number ≥ 0 without a unit (got "x")` + "\n")
	}
	b.WriteString("s.toml:12:42: traffic[1].duration.file: dir/many.txt has 2 more bad lines")
	return b.String()
}

func TestParseEmpirical(t *testing.T) {
	src := withTraffic(`{ distribution = "empirical", file = "data/d.txt" }`, "")
	fsys := fstest.MapFS{"data/d.txt": {Data: []byte("\ufeff0.25\r\n1e1\r\n# end\r\n")}}
	cfg, err := Parse("s.toml", []byte(src), fsys)
	require.NoError(t, err)
	assert.Equal(t, []float64{0.25, 10}, cfg.Traffic[1].Duration.Samples)

	t.Run("no file system", func(t *testing.T) {
		_, err := Parse("s.toml", []byte(src), nil)
		assert.EqualError(t, err, `s.toml:12:42: traffic[1].duration.file: cannot read "data/d.txt": files are only read for a scenario loaded from a directory`)
	})
}

// TestUnknownKeysMatchUndecoded checks the checker's unknown keys against
// BurntSushi/toml's MetaData.Undecoded on the same input.
func TestUnknownKeysMatchUndecoded(t *testing.T) {
	src := "colour = 1\n" + withTraffic(`{ distribution = "constant", value = "1s", x = 1 }`, "y = 2\n") + "[extra]\nz = 1\n"
	_, err := Parse("s.toml", []byte(src), nil)
	var es Errors
	require.ErrorAs(t, err, &es)
	var keys []string
	for _, e := range es {
		keys = append(keys, e.Key)
	}
	assert.Equal(t, []string{"colour", "traffic[1].duration.x", "traffic[1].y", "extra"}, keys)

	// The decoder leaves the same keys (and those under them) undecoded.
	cfg := model.Default()
	md, err := toml.Decode(src, &cfg)
	require.NoError(t, err)
	var undecoded []string
	for _, k := range md.Undecoded() {
		undecoded = append(undecoded, k.String())
	}
	assert.Equal(t, []string{"colour", "traffic.duration.x", "traffic.y", "extra", "extra.z"}, undecoded)
}

func TestParseSweepErrorsFromModel(t *testing.T) {
	// model.DelayGrid decodes itself; its error is placed at its key.
	_, err := Parse("s.toml", []byte(minimal+"[sweep]\ndelays = [\"0s\", 5]\n"), nil)
	var e *Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, "sweep.delays", e.Key)
	assert.Equal(t, 10, e.Line)
	assert.Equal(t, 1, e.Col)

	cfg, err := Parse("s.toml", []byte(minimal+"[sweep]\ndelays = { from = \"0s\", to = \"60s\", step = \"30s\" }\n"), nil)
	require.NoError(t, err)
	assert.Len(t, cfg.Sweep.Delays.Values(), 3)
}
