package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// cliCases are the golden tests: drainsim is run with args (split on
// spaces) in this directory, so scenario files are named testdata/….
// Its stdout and stderr must equal testdata/NAME.stdout and
// testdata/NAME.stderr (a missing file means empty output) and it must
// exit with code. go test -update rewrites the files.
var cliCases = []cliCase{
	// Runs.
	{"run_table", "run payments-api --replications 3", exitOK},
	{"run_json", "run payments-api --replications 3 --format json", exitOK},
	{"run_small_json", "run testdata/small.toml --delay 30s --format json", exitOK},
	{"run_small_table", "run testdata/small.toml --seed 11 --replications 2", exitOK},
	{"run_closed_loop", "run testdata/closed_loop.toml", exitOK},
	{"scenarios", "scenarios", exitOK},
	{"scenarios_json", "scenarios --format json", exitOK},
	{"scenarios_format_bad", "scenarios --format csv", exitUsage},

	// Validation.
	{"validate_ok", "validate testdata/small.toml payments-api", exitOK},
	{"validate_syntax", "validate testdata/bad_syntax.toml", exitUsage},
	{"validate_unknown_key", "validate testdata/bad_unknown_key.toml", exitUsage},
	{"validate_range", "validate testdata/bad_range.toml", exitUsage},
	{"validate_type", "validate testdata/bad_type.toml", exitUsage},
	{"validate_bare_duration", "validate testdata/bad_bare_duration.toml", exitUsage},
	{"validate_missing", "validate testdata/missing.toml", exitUsage},
	{"validate_mixed", "validate testdata/small.toml testdata/bad_range.toml testdata/bad_type.toml", exitUsage},
	{"validate_multi", "validate testdata/bad_multi.toml", exitUsage},
	{"validate_no_args", "validate", exitUsage},
	{"validate_json", "validate testdata/small.toml testdata/bad_range.toml testdata/missing.toml --format json", exitUsage},
	{"validate_format_bad", "validate testdata/small.toml --format csv", exitUsage},

	// Bad input to run.
	{"run_bad_file", "run testdata/bad_unknown_key.toml", exitUsage},
	{"run_bad_multi", "run testdata/bad_multi.toml", exitUsage},
	{"run_missing", "run testdata/missing.toml", exitUsage},
	{"run_unknown_builtin", "run payments", exitUsage},
	{"run_delay_no_unit", "run testdata/small.toml --delay 30", exitUsage},
	{"run_delay_garbage", "run testdata/small.toml --delay soon", exitUsage},
	{"run_delay_range", "run testdata/small.toml --delay 4000s", exitUsage},
	{"run_horizon_bad", "run testdata/small.toml --horizon xx", exitUsage},
	{"run_horizon_early", "run testdata/small.toml --horizon 1s", exitUsage},
	{"run_delay_negative", "run testdata/small.toml --delay=-5s", exitUsage},
	{"run_delay_fraction", "run testdata/small.toml --delay 1.5s", exitUsage},
	{"run_delay_clb_zero", "run clb-legacy --delay 0s", exitUsage},
	{"run_replications_range", "run testdata/small.toml --replications 0", exitUsage},
	{"run_seed_bad", "run testdata/small.toml --seed minus-one", exitUsage},
	{"run_seed_huge", "run testdata/small.toml --seed 99999999999999999999999", exitUsage},
	{"run_replications_garbage", "run testdata/small.toml --replications 1e9", exitUsage},
	{"run_workers_garbage", "run testdata/small.toml --workers many", exitUsage},
	{"run_format_bad", "run testdata/small.toml --format xml", exitUsage},
	{"run_workers_bad", "run testdata/small.toml --workers -1", exitUsage},
	{"run_unknown_flag", "run testdata/small.toml --frobnicate", exitUsage},
	{"run_no_args", "run", exitUsage},
	{"run_two_args", "run testdata/small.toml payments-api", exitUsage},
	{"run_two_bad_flags", "run payments-api --delay 9999s --replications 0", exitUsage},

	// Sweeps and recommendations of a small scenario.
	{"sweep_table", "sweep testdata/sweep.toml --delays 0s:40s:20s --replications 4", exitOK},
	{"sweep_json", "sweep testdata/sweep.toml --delays 0s:40s:20s --replications 4 --format json", exitOK},
	{"sweep_csv", "sweep testdata/sweep.toml --delays 0s:40s:20s --replications 4 --format csv", exitOK},
	{"sweep_criteria", "sweep testdata/sweep.toml --delays 0s,10s,30s --replications 4 --max-dropped 2 --drop-cost 0.001", exitOK},
	{"sweep_defaults", "sweep testdata/sweep_defaults.toml --format csv", exitOK},
	{"sweep_defaults_table", "sweep testdata/sweep_defaults.toml --seed 5 --replications 2 --delays 0s,10s --drop-cost 0", exitOK},
	{"recommend_table", "recommend testdata/sweep.toml --delays 0s:40s:20s --replications 4 --max-replications 64", exitOK},
	{"recommend_json", "recommend testdata/sweep.toml --delays 0s:40s:20s --replications 4 --max-replications 64 --format json", exitOK},
	{"recommend_criteria", "recommend testdata/sweep.toml --delays 0s:40s:20s --replications 4 --max-dropped 2 --drop-cost 0.001 --max-replications 64", exitOK},
	{"recommend_defaults", "recommend testdata/sweep_defaults.toml --max-replications 48", exitOK},
	{"recommend_undecided", "recommend testdata/sweep.toml --delays 0s,40s --replications 4 --max-dropped 0.01 --max-replications 16", exitOK},
	{"recommend_p_any_drop", "recommend testdata/sweep.toml --delays 0s:40s:20s --replications 4 --max-p-any-drop 0.2 --max-replications 64", exitOK},
	{"recommend_expected", "recommend testdata/sweep.toml --delays 0s:40s:20s --replications 4 --max-expected-dropped 0.5 --max-replications 64", exitOK},
	{"recommend_one_replication", "recommend testdata/sweep.toml --replications 1", exitUsage},
	{"recommend_bad_criteria", "recommend testdata/sweep.toml --max-p-any-drop 2 --max-expected-dropped 0 --max-replications 1", exitUsage},
	{"sweep_until_decided", "sweep testdata/sweep.toml --delays 0s:40s:20s --replications 4 --until-decided --max-replications 64", exitOK},
	{"recommend_none", "recommend testdata/sweep.toml --delays 0s,5s --replications 3 --max-dropped 0.1 --max-replications 24", exitOK},

	// Bad input to sweep and recommend.
	{"sweep_delays_arity", "sweep testdata/sweep.toml --delays 0s:10s", exitUsage},
	{"sweep_delays_no_unit", "sweep testdata/sweep.toml --delays 30", exitUsage},
	{"sweep_delays_range", "sweep testdata/sweep.toml --delays 4000s", exitUsage},
	{"sweep_delays_range_end", "sweep testdata/sweep.toml --delays 0s:4000s:10s", exitUsage},
	{"sweep_delays_step", "sweep testdata/sweep.toml --delays 0s:60s:0s", exitUsage},
	{"sweep_delays_fraction", "sweep testdata/sweep.toml --delays 0s,1.5s", exitUsage},
	{"sweep_delays_empty", "sweep testdata/sweep.toml --delays=", exitUsage},
	{"sweep_delays_clb_zero", "sweep clb-legacy --delays 0s:60s:30s", exitUsage},
	{"sweep_drop_cost_negative", "sweep testdata/sweep.toml --drop-cost=-0.5", exitUsage},
	{"sweep_drop_cost_nan", "sweep testdata/sweep.toml --drop-cost NaN", exitUsage},
	{"sweep_drop_cost_garbage", "sweep testdata/sweep.toml --drop-cost cheap", exitUsage},
	{"sweep_max_dropped_negative", "sweep testdata/sweep.toml --max-dropped=-1", exitUsage},
	{"sweep_out_file", "sweep testdata/sweep.toml --out testdata/sweep.toml", exitUsage},
	{"sweep_out_below_file", "sweep testdata/sweep.toml --out testdata/sweep.toml/results", exitUsage},
	{"sweep_svg_no_out", "sweep testdata/sweep.toml --svg --log-y", exitUsage},
	{"sweep_replications_range", "sweep testdata/sweep.toml --replications 0", exitUsage},
	{"sweep_format_bad", "sweep testdata/sweep.toml --format xml", exitUsage},
	{"sweep_workers_bad", "sweep testdata/sweep.toml --workers -2", exitUsage},
	{"sweep_many_bad_flags", "sweep testdata/sweep.toml --delays 0s:10s --drop-cost=-1 --max-dropped=-2 --replications 200000", exitUsage},
	{"sweep_missing", "sweep testdata/missing.toml", exitUsage},
	{"sweep_bad_file", "sweep testdata/bad_unknown_key.toml", exitUsage},
	{"sweep_no_args", "sweep", exitUsage},
	{"recommend_delays_range", "recommend testdata/sweep.toml --delays 4000s", exitUsage},
	{"recommend_drop_cost_negative", "recommend testdata/sweep.toml --drop-cost=-1", exitUsage},
	{"recommend_max_dropped_negative", "recommend testdata/sweep.toml --max-dropped=-0.01", exitUsage},
	{"recommend_p_any_drop_garbage", "recommend testdata/sweep.toml --max-p-any-drop lots", exitUsage},
	{"sweep_quiet_bad", "sweep testdata/sweep.toml --quiet=maybe", exitUsage},
	{"recommend_format_csv", "recommend testdata/sweep.toml --format csv", exitUsage},
	{"recommend_out", "recommend testdata/sweep.toml --out results", exitUsage},
	{"recommend_two_args", "recommend testdata/sweep.toml payments-api", exitUsage},
	{"sweep_too_many_cells", "sweep testdata/sweep.toml --delays 0s:3600s:1s --replications 100000", exitUsage},
	{"recommend_too_many_cells", "recommend testdata/sweep.toml --delays 0s:3600s:1s --replications 1000", exitUsage},
	{"sweep_drop_cost_huge", "sweep testdata/sweep.toml --drop-cost 1e308", exitUsage},
	{"sweep_max_dropped_huge", "sweep testdata/sweep.toml --max-dropped 1e308 --max-expected-dropped 1e300", exitUsage},
	{"run_log_epoch_far", "run testdata/small.toml --access-log x.log --log-epoch 9999-12-31T23:59:00Z", exitUsage},
	{"run_log_epoch_early", "run testdata/small.toml --access-log x.log --log-epoch 1969-12-31T23:59:00Z", exitUsage},
	{"run_period_huge", "run testdata/small.toml --metrics x.csv --period 100000h", exitUsage},

	// Closed-form estimates.
	{"estimate_table", "estimate payments-api", exitOK},
	{"estimate_delay", "estimate testdata/sweep.toml --delay 13s", exitOK},
	{"estimate_grid", "estimate testdata/sweep.toml --delays 0s:40s:10s", exitOK},
	{"estimate_json", "estimate testdata/sweep.toml --delays 0s,20s --format json", exitOK},
	{"estimate_docs", "estimate testdata/estimate.toml --delays 0s:60s:10s", exitOK},
	{"estimate_docs_run", "run testdata/estimate.toml --delay 20s --replications 200", exitOK},
	{"estimate_not_applicable", "estimate ecs-stop-task", exitOK},
	{"estimate_delay_and_delays", "estimate testdata/sweep.toml --delay 5s --delays 0s,5s", exitUsage},
	{"estimate_delay_range", "estimate testdata/sweep.toml --delay 9999s", exitUsage},
	{"estimate_delays_clb_zero", "estimate clb-legacy --delays 0s:60s:30s", exitUsage},
	{"estimate_format_bad", "estimate testdata/sweep.toml --format csv", exitUsage},
	{"estimate_missing", "estimate testdata/missing.toml", exitUsage},
	{"estimate_no_args", "estimate", exitUsage},

	{"unknown_command", "frobnicate", exitUsage},
	{"unknown_command_suggest", "rnu", exitUsage},
	{"unknown_root_flag", "--frobnicate", exitUsage},
}

func TestCLI(t *testing.T) {
	for _, tc := range cliCases {
		runCLICase(t, tc)
	}
}

// cliCase is one golden CLI case: drainsim ARGS must print
// testdata/NAME.stdout and .stderr and exit with code.
type cliCase struct {
	name string
	args string
	code int
}

// runCLICase runs golden case tc as a parallel subtest: its stdout and
// stderr against testdata/NAME.stdout and .stderr, and its exit code.
func runCLICase(t *testing.T, tc cliCase) {
	t.Run(tc.name, func(t *testing.T) {
		t.Parallel()
		stdout, stderr, code := drainsim(strings.Fields(tc.args)...)
		golden(t, tc.name+".stdout", stdout)
		golden(t, tc.name+".stderr", stderr)
		assert.Equal(t, tc.code, code, "exit code of drainsim %s\nstderr:\n%s", tc.args, stderr)
	})
}

// TestGoldenFilesUsed fails on golden files no case produces, so that a
// renamed case does not leave stale expectations behind.
func TestGoldenFilesUsed(t *testing.T) {
	known := map[string]bool{}
	for _, tc := range cliCases {
		known[tc.name] = true
	}
	for _, ext := range []string{"stdout", "stderr"} {
		files, err := filepath.Glob(filepath.Join("testdata", "*."+ext))
		require.NoError(t, err)
		for _, f := range files {
			name := strings.TrimSuffix(filepath.Base(f), "."+ext)
			assert.True(t, known[name], "%s belongs to no case", f)
		}
	}
}

// drainsim runs the command line in process.
func drainsim(args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return out.String(), errb.String(), code
}

// golden compares got with testdata/file, or rewrites the file with
// -update (removing it when got is empty).
func golden(t *testing.T, file, got string) {
	t.Helper()
	path := filepath.Join("testdata", file)
	if *update {
		if got == "" {
			if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			return
		}
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test -update rewrites it); - want, + got:\n%s", path, lineDiff(string(want), got))
	}
}

// lineDiff returns a line diff of a and b: the lines of a longest common
// subsequence prefixed by two spaces, the others by "- " (only in a) and
// "+ " (only in b), with up to two lines of context around each change.
func lineDiff(a, b string) string {
	split := func(s string) []string {
		ls := strings.SplitAfter(s, "\n")
		if ls[len(ls)-1] == "" {
			ls = ls[:len(ls)-1]
		}
		return ls
	}
	x, y := split(a), split(b)
	// lcs[i][j] is the LCS length of x[i:] and y[j:].
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type line struct {
		op   byte
		text string
	}
	var ls []line
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			ls = append(ls, line{' ', x[i]})
			i, j = i+1, j+1
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			ls = append(ls, line{'-', x[i]})
			i++
		default:
			ls = append(ls, line{'+', y[j]})
			j++
		}
	}
	const context = 2
	var out strings.Builder
	skipped := false
	for k, l := range ls {
		near := false
		for d := max(0, k-context); d <= min(len(ls)-1, k+context); d++ {
			near = near || ls[d].op != ' '
		}
		if !near {
			skipped = true
			continue
		}
		if skipped {
			out.WriteString("  …\n")
			skipped = false
		}
		text := l.text
		if !strings.HasSuffix(text, "\n") {
			text += "⏎ (no newline at end)\n"
		}
		out.WriteByte(l.op)
		out.WriteByte(' ')
		out.WriteString(text)
	}
	return out.String()
}

func TestLineDiff(t *testing.T) {
	assert.Equal(t, "", lineDiff("a\nb\n", "a\nb\n"))
	assert.Equal(t, "  a\n- b\n+ B\n  c\n", lineDiff("a\nb\nc\n", "a\nB\nc\n"))
	assert.Equal(t, "+ x\n", lineDiff("", "x\n"))
	assert.Equal(t, "- x\n+ x⏎ (no newline at end)\n", lineDiff("x\n", "x"))
	assert.Equal(t, "  1\n  2\n- 3\n  4\n  5\n  …\n  8\n  9\n+ 9b\n  10\n",
		lineDiff("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "1\n2\n4\n5\n6\n7\n8\n9\n9b\n10\n"))
}

func TestDeterminism(t *testing.T) {
	t.Parallel()
	runOK := func(args string) string {
		stdout, stderr, code := drainsim(strings.Fields(args)...)
		require.Equal(t, exitOK, code, "drainsim %s: %s", args, stderr)
		require.Empty(t, stderr)
		return stdout
	}
	// The same command twice, and one worker against four (the default
	// is one per CPU, which may be either).
	t.Run("table", func(t *testing.T) {
		t.Parallel()
		base := "run payments-api --replications 2"
		w4 := runOK(base + " --workers 4")
		assert.Equal(t, w4, runOK(base+" --workers 4"), "same command twice")
		assert.Equal(t, w4, runOK(base+" --workers 1"), "--workers 1 and 4")
	})
	t.Run("json", func(t *testing.T) {
		t.Parallel()
		base := "run payments-api --replications 2 --format json"
		assert.Equal(t, runOK(base+" --workers 4"), runOK(base+" --workers 1"), "--workers 1 and 4")
	})
	t.Run("small", func(t *testing.T) {
		t.Parallel()
		base := "run testdata/small.toml --replications 8 --format json"
		assert.Equal(t, runOK(base+" --workers 1"), runOK(base+" --workers 4"))
	})
}

func TestDelayOverride(t *testing.T) {
	t.Parallel()
	// Overriding the delay with the scenario's own value changes nothing;
	// another value changes the reported delay.
	stdout300, _, code := drainsim("run", "testdata/small.toml", "--format", "json", "--delay", "5m")
	require.Equal(t, exitOK, code)
	stdoutFile, _, code := drainsim("run", "testdata/small.toml", "--format", "json")
	require.Equal(t, exitOK, code)
	assert.Equal(t, stdoutFile, stdout300)
	assert.Contains(t, stdout300, `"deregistration_delay_s": 300,`)

	stdout0, _, code := drainsim("run", "testdata/small.toml", "--format", "json", "--delay", "0s")
	require.Equal(t, exitOK, code)
	assert.Contains(t, stdout0, `"deregistration_delay_s": 0,`)
}

func TestVersion(t *testing.T) {
	t.Parallel()
	stdout, stderr, code := drainsim("--version")
	assert.Equal(t, exitOK, code)
	assert.Empty(t, stderr)
	assert.Regexp(t, `^drainsim \S+\n$`, stdout)
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--help"}, {"run", "--help"}, {"help", "validate"}, {"sweep", "--help"}, {"recommend", "-h"}, {}} {
		stdout, stderr, code := drainsim(args...)
		assert.Equal(t, exitOK, code, "%q", args)
		assert.Empty(t, stderr, "%q", args)
		assert.Contains(t, stdout, "Usage:", "%q", args)
	}
}

// errWriter fails every write.
type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestWriteFailureIsRunError(t *testing.T) {
	t.Parallel()
	var errb bytes.Buffer
	code := run([]string{"run", "testdata/small.toml", "--replications", "1"}, errWriter{}, &errb)
	assert.Equal(t, exitRun, code)
	assert.Equal(t, "drainsim: write results: broken pipe\n", errb.String())
}

// TestUncheckedWriteFailure: a command whose output is printed without
// checking each write (validate, scenarios, --help) still fails when
// standard output does; before, `validate x > /dev/full` exited 0.
func TestUncheckedWriteFailure(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"validate", "testdata/small.toml"}, {"scenarios"}, {"--help"}} {
		var errb bytes.Buffer
		code := run(args, errWriter{}, &errb)
		assert.Equal(t, exitRun, code, "%v", args)
		assert.Contains(t, errb.String(), "broken pipe", "%v", args)
	}
	// A failing standard error fails too, with nothing to say it on.
	var out bytes.Buffer
	assert.Equal(t, exitRun, run([]string{"sweep", "testdata/sweep.toml", "--delays", "0s", "--replications", "2", "--out", t.TempDir()}, &out, errWriter{}))
	assert.NotEmpty(t, out.String())
}
