package scenarios

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/model"
)

func TestBuiltinsLoadAndValidate(t *testing.T) {
	names := Names()
	require.NotEmpty(t, names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			cfg, err := Builtin(name)
			require.NoError(t, err)
			require.NoError(t, cfg.Validate())
			assert.Equal(t, name, cfg.Name, "the name key matches the file name")
			assert.NotEmpty(t, cfg.Description)
			assert.Equal(t, cfg.Description, Describe(name))
			for i, tr := range cfg.Traffic {
				assert.NotEmpty(t, tr.Name, "traffic[%d] is named", i)
			}

			// Builtin returns a fresh copy each time.
			cfg.Fleet.Targets = -1
			again, err := Builtin(name)
			require.NoError(t, err)
			assert.NotEqual(t, -1, again.Fleet.Targets)
		})
	}
}

func TestNamesMatchFiles(t *testing.T) {
	files, err := filepath.Glob("*.toml")
	require.NoError(t, err)
	field, err := filepath.Glob("field/*.toml")
	require.NoError(t, err)
	require.Len(t, field, 10, "one field scenario per report of issue #17")
	files = append(files, field...)
	var want []string
	for _, f := range files {
		want = append(want, strings.TrimSuffix(f, ".toml"))
	}
	slices.Sort(want)
	got := Names()
	assert.Equal(t, want, got)
	assert.True(t, slices.IsSorted(got))
	// The required built-ins are among them.
	for _, n := range []string{"payments-api", "websocket-app", "nlb-tcp-flows", "clb-legacy"} {
		assert.Contains(t, got, n)
	}
}

// TestPaymentsAPI pins the seed article's case to the exact scenario.
func TestPaymentsAPI(t *testing.T) {
	const article = `
name = "payments-api"
description = "REST payments API behind an ALB; requests take 2-5 s"
seed = 1
replications = 1
[load_balancer]
type = "alb"
algorithm = "round_robin"
[target_group]
deregistration_delay = "60s"
[fleet]
targets = 10
price_per_hour = 0.096
[[traffic]]
name = "api"
kind = "request"
rate = 200
duration = { distribution = "lognormal", median = "2s", p99 = "5s" }
[[scale_in]]
at = "10m"
targets = 2
pick = "oldest"
`
	want := model.Default()
	want.Name = "payments-api"
	want.Description = "REST payments API behind an ALB; requests take 2-5 s"
	want.TargetGroup.DeregistrationDelay = 60 * time.Second
	want.Fleet = model.Fleet{Targets: 10, PricePerHour: 0.096}
	want.Traffic = []model.Traffic{{
		Name: "api", Kind: model.KindRequest, Rate: 200,
		Duration: model.Distribution{Distribution: model.LogNormal, Median: 2 * time.Second, P99: 5 * time.Second},
	}}
	want.ScaleIn = []model.ScaleIn{{At: 10 * time.Minute, Targets: 2, Pick: model.PickOldest}}

	fromArticle, err := Parse("article.toml", []byte(article), nil)
	require.NoError(t, err)
	assert.Equal(t, &want, fromArticle)
	builtin, err := Builtin("payments-api")
	require.NoError(t, err)
	// The built-in adds only a [sweep] table: a grid over two minutes, past
	// the ALB's default propagation lag (p99 60 s), where its drops stop.
	assert.Equal(t, model.Sweep{Delays: model.DelayGrid{From: 0, To: 2 * time.Minute, Step: 4 * time.Second}, Replications: 30}, builtin.Sweep)
	builtin.Sweep = model.Sweep{}
	assert.Equal(t, &want, builtin)
}

func TestBuiltinsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the simulation")
	}
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			cfg, err := Builtin(name)
			require.NoError(t, err)
			if name == "large-fleet" {
				// Its full run simulates 66 million events (a benchmark,
				// docs/performance.md); here: its first step, at a tenth
				// of the traffic.
				cfg.Start = model.StartStationary
				cfg.ScaleIn = cfg.ScaleIn[:1]
				cfg.Horizon = cfg.ScaleIn[0].At + time.Second
				for i := range cfg.Traffic {
					cfg.Traffic[i].Rate /= 10
				}
			}
			if cfg.Autoscaling.Max > 0 && len(cfg.ScaleIn) == 0 && cfg.Horizon > 2*time.Hour {
				// A day under a scaling policy (diurnal-api): its first
				// two hours here; TestDiurnalAPIDay runs the day.
				cfg.Horizon = 2 * time.Hour
			}
			res, err := model.Run(cfg, 0)
			require.NoError(t, err)
			require.NotNil(t, res)
		})
	}
}

func TestBuiltinUnknown(t *testing.T) {
	for _, name := range []string{"nope", "", "../scenarios/payments-api", "payments-api.toml", `a\b`} {
		_, err := Builtin(name)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "the built-ins are "+strings.Join(Names(), ", "))
		assert.Empty(t, Describe(name))
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "mine.toml")
	require.NoError(t, os.WriteFile(file, []byte(minimal), 0o644))
	// A file named like a built-in, to show that a path wins.
	named := filepath.Join(dir, "payments-api")
	require.NoError(t, os.WriteFile(named, []byte(minimal), 0o644))

	tests := []struct {
		arg     string
		targets int    // of the scenario opened
		err     string // if it fails
	}{
		{arg: "payments-api", targets: 10},
		{arg: "heavy-tail", targets: 10},
		{arg: file, targets: 4},
		{arg: named, targets: 4},
		{arg: "paymnts-api", err: `scenario "paymnts-api" is neither a file nor a built-in; the built-ins are ` + strings.Join(Names(), ", ") + `: file does not exist`},
		{arg: filepath.Join(dir, "payments-api.toml"), err: `(did you mean the built-in "payments-api"?)`},
		{arg: filepath.Join(dir, "missing.toml"), err: "the built-ins are " + strings.Join(Names(), ", ")},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.arg), func(t *testing.T) {
			cfg, err := Open(tt.arg)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				assert.ErrorIs(t, err, fs.ErrNotExist)
				assert.Nil(t, cfg)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.targets, cfg.Fleet.Targets)
		})
	}
}

func TestOpenBadFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bad.toml")
	require.NoError(t, os.WriteFile(file, []byte("[fleet]\ntargets = \"4\"\n"), 0o644))
	_, err := Open(file)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, file+`:2:1: fleet.targets: must be a whole number (got string "4")`, e.Error())
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "data"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "data", "durations.txt"), []byte("# seconds\n0.5\n1.5 # slow one\n\n2\n"), 0o644))
	src := strings.Replace(minimal, `{ distribution = "constant", value = "1s" }`,
		`{ distribution = "empirical", file = "data/durations.txt" }`, 1)
	file := filepath.Join(dir, "s.toml")
	require.NoError(t, os.WriteFile(file, []byte(src), 0o644))

	cfg, err := Load(file)
	require.NoError(t, err)
	assert.Equal(t, []float64{0.5, 1.5, 2}, cfg.Traffic[0].Duration.Samples)

	t.Run("missing scenario", func(t *testing.T) {
		missing := filepath.Join(dir, "missing.toml")
		_, err := Load(missing)
		require.Error(t, err)
		assert.ErrorIs(t, err, fs.ErrNotExist)
		assert.Equal(t, "load scenario: open "+missing+": no such file or directory", err.Error())
	})
	t.Run("missing empirical file", func(t *testing.T) {
		require.NoError(t, os.Remove(filepath.Join(dir, "data", "durations.txt")))
		_, err := Load(file)
		require.Error(t, err)
		assert.Equal(t, file+`:5:42: traffic[0].duration.file: cannot read `+
			filepath.Join(dir, "data", "durations.txt")+`: no such file or directory`, err.Error())
	})
}

// TestErrorsAs checks that errors.As finds the first problem and that
// Errors prints one line per problem.
func TestErrorsAs(t *testing.T) {
	_, err := Parse("s.toml", []byte("colour = 1\n[fleet]\ntargets = 0\n"), nil)
	require.Error(t, err)
	var first *Error
	require.ErrorAs(t, err, &first)
	assert.Equal(t, "colour", first.Key)
	assert.Equal(t, 1, first.Line)
	var all Errors
	require.ErrorAs(t, err, &all)
	assert.Len(t, strings.Split(err.Error(), "\n"), len(all))
	assert.Greater(t, len(all), 1)

	var none *Error
	assert.False(t, errors.As(errors.New("x"), &none))
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		e    Error
		want string
	}{
		{Error{File: "s.toml", Line: 3, Col: 7, Key: "fleet.targets", Msg: "bad"}, "s.toml:3:7: fleet.targets: bad"},
		{Error{File: "s.toml", Line: 3, Key: "fleet.targets", Msg: "bad"}, "s.toml:3: fleet.targets: bad"},
		{Error{File: "s.toml", Key: "fleet.targets", Msg: "bad"}, "s.toml: fleet.targets: bad"},
		{Error{File: "s.toml", Line: 3, Col: 7, Msg: "bad"}, "s.toml:3:7: bad"},
		{Error{Key: "fleet.targets", Msg: "bad"}, "fleet.targets: bad"},
		{Error{Msg: "bad"}, "bad"},
		{Error{File: "s.toml", Col: 7, Msg: "bad"}, "s.toml: bad"}, // a column without a line is not shown
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.e.Error())
		})
	}
}
