package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/accesslog"
	"github.com/drainsim/drainsim/scenarios"
)

// The golden cases of fit and of run's output flags, added to cliCases
// (main_test.go) so that TestCLI runs them and TestGoldenFilesUsed knows
// their files. fit_sample.log and fit_sample2.log.gz are lines of
// `drainsim run testdata/roundtrip.toml --access-log` with malformed
// lines (a truncated one, garbage, a bad time, a bad status) and a
// blank one mixed in; fit_garbage.log has no valid line.
func init() {
	cliCases = append(cliCases, []cliCase{
		{"fit_table", "fit testdata/fit_sample.log testdata/fit_sample2.log.gz", exitOK},
		{"fit_json", "fit testdata/fit_sample.log testdata/fit_sample2.log.gz --format json", exitOK},
		{"fit_empirical", "fit testdata/fit_sample.log --distribution empirical --name api-", exitOK},
		{"fit_gz_lognormal", "fit testdata/fit_sample2.log.gz --distribution lognormal", exitOK},
		{"fit_skip_garbage", "fit testdata/fit_garbage.log testdata/fit_sample.log", exitOK},
		{"fit_garbage", "fit testdata/fit_garbage.log", exitUsage},
		{"fit_missing", "fit testdata/missing.log", exitUsage},
		{"fit_missing_second", "fit testdata/fit_sample.log testdata/missing.log", exitUsage},
		{"fit_not_gzip", "fit testdata/fit_bad.log.gz", exitUsage},
		{"fit_no_args", "fit", exitUsage},
		{"fit_distribution_bad", "fit testdata/fit_sample.log --distribution normal", exitUsage},
		{"fit_format_bad", "fit testdata/fit_sample.log --format csv", exitUsage},
		{"fit_traffic_no_dir", "fit testdata/fit_sample.log --traffic testdata/nodir/traffic.toml", exitUsage},
		{"fit_traffic_dir", "fit testdata/fit_sample.log --traffic testdata", exitUsage},
		{"fit_many_bad_flags", "fit testdata/fit_sample.log --format xml --distribution normal --name a/b", exitUsage},

		{"run_access_log_dir", "run testdata/small.toml --access-log testdata", exitUsage},
		{"run_access_log_no_dir", "run testdata/small.toml --access-log testdata/nodir/access.log", exitUsage},
		{"run_access_log_nlb", "run nlb-tcp-flows --access-log testdata/nlb.log", exitUsage},
		{"run_log_epoch_bad", "run testdata/small.toml --access-log testdata/access.log --log-epoch yesterday", exitUsage},
		{"run_log_epoch_alone", "run testdata/small.toml --log-epoch 2026-01-01T00:00:00Z", exitUsage},
		{"run_metrics_dir", "run testdata/small.toml --metrics testdata", exitUsage},
		{"run_period_short", "run testdata/small.toml --metrics testdata/metrics.csv --period 500ms", exitUsage},
		{"run_period_garbage", "run testdata/small.toml --metrics testdata/metrics.csv --period 60", exitUsage},
		{"run_period_alone", "run testdata/small.toml --period 10s", exitUsage},
		{"run_timeline_ext", "run testdata/small.toml --timeline testdata/timeline.jpg", exitUsage},
		{"run_outputs_many_bad", "run testdata/small.toml --access-log testdata --log-epoch never --metrics testdata/nodir/m.csv --timeline t.gif --period 0s", exitUsage},
	}...)
}

// fitJSON is the part of fit's JSON the tests read.
type fitJSON struct {
	Requests       int64   `json:"requests"`
	Incomplete     int64   `json:"incomplete"`
	RatePerS       float64 `json:"rate_per_s"`
	MalformedLines int     `json:"malformed_lines"`
	Classes        []struct {
		Class      string  `json:"class"`
		Requests   int64   `json:"requests"`
		Incomplete int64   `json:"incomplete"`
		Measured   int64   `json:"measured"`
		RatePerS   float64 `json:"rate_per_s"`
		P50        float64 `json:"duration_p50_s"`
		P99        float64 `json:"duration_p99_s"`
		Median     float64 `json:"lognormal_median_s"`
		FitP99     float64 `json:"lognormal_p99_s"`
		KSD        float64 `json:"ks_d"`
		Suggested  string  `json:"suggested_distribution"`
	} `json:"classes"`
}

// mustRun runs drainsim, requiring success, and returns its stdout and
// stderr.
func mustRun(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	stdout, stderr, code := drainsim(args...)
	require.Equal(t, exitOK, code, "drainsim %s\nstderr:\n%s", strings.Join(args, " "), stderr)
	return stdout, stderr
}

func TestFitJSONNames(t *testing.T) {
	t.Parallel()
	stdout, _ := mustRun(t, "fit", "testdata/fit_sample.log", "testdata/fit_sample2.log.gz", "--format", "json")
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &m))
	for _, k := range []string{"requests", "rate_per_s", "duration_p50_s", "duration_p90_s", "duration_p99_s",
		"duration_p999_s", "duration_max_s", "malformed_lines", "classes"} {
		assert.Contains(t, m, k)
	}
	var s fitJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &s))
	assert.Equal(t, int64(22), s.Requests)
	assert.Equal(t, 4, s.MalformedLines)
	require.Len(t, s.Classes, 2)
	assert.Equal(t, "http", s.Classes[0].Class)
	assert.Equal(t, "websocket", s.Classes[1].Class)
}

func TestFitTrafficFile(t *testing.T) {
	t.Parallel()
	for _, dist := range []string{"auto", "empirical", "lognormal"} {
		t.Run(dist, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "traffic.toml")
			stdout, stderr := mustRun(t, "fit", "testdata/fit_sample.log", "testdata/fit_sample2.log.gz",
				"--traffic", path, "--distribution", dist, "--name", "api-")
			assert.NotContains(t, stdout, "[[traffic]]", "the tables go to the file only")
			assert.Contains(t, stderr, "drainsim: wrote "+path)
			tables, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Contains(t, string(tables), `name = "api-http"`)
			assert.Contains(t, string(tables), `name = "api-websocket"`)

			want := []string{"traffic.toml"}
			if dist == "empirical" {
				want = []string{"api-http.durations.txt", "api-websocket.durations.txt", "traffic.toml"}
			}
			var got []string
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			for _, e := range entries {
				got = append(got, e.Name())
			}
			assert.Equal(t, want, got, "no temporary file is left behind")

			// The tables make a scenario the loader accepts, empirical
			// files included.
			scenario := "name = \"fitted\"\n[fleet]\ntargets = 2\n[[scale_in]]\nat = \"5m\"\ntargets = 1\n\n" + string(tables)
			sp := filepath.Join(dir, "fitted.toml")
			require.NoError(t, os.WriteFile(sp, []byte(scenario), 0o644))
			cfg, err := scenarios.Open(sp)
			require.NoError(t, err)
			require.Len(t, cfg.Traffic, 2)
			assert.Equal(t, "request", cfg.Traffic[0].Kind)
			assert.Equal(t, "connection", cfg.Traffic[1].Kind)
			if dist == "empirical" {
				assert.Len(t, cfg.Traffic[0].Duration.Samples, 16, "the http durations of the sample")
			}
		})
	}
}

func TestFitTrafficFails(t *testing.T) {
	t.Parallel()
	// A log whose only entries failed has no duration to fit: the table
	// says so, --traffic is an input error and writes nothing.
	dir := t.TempDir()
	var failed bytes.Buffer
	for _, l := range strings.Split(readGz(t, "testdata/fit_sample2.log.gz"), "\n") {
		if strings.Contains(l, " -1 -1 ") {
			failed.WriteString(l + "\n")
		}
	}
	log := filepath.Join(dir, "failed.log")
	require.NoError(t, os.WriteFile(log, failed.Bytes(), 0o644))
	stdout, _ := mustRun(t, "fit", log)
	assert.Contains(t, stdout, "# No [[traffic]] tables: no traffic class has a duration")

	_, stderr, code := drainsim("fit", log, "--traffic", filepath.Join(dir, "t.toml"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "no traffic class has a duration")
	assert.NoFileExists(t, filepath.Join(dir, "t.toml"))
}

// readGz returns the content of a gzip log.
func readGz(t *testing.T, path string) string {
	t.Helper()
	r, err := accesslog.Open(path)
	require.NoError(t, err)
	defer r.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(r)
	require.NoError(t, err)
	return b.String()
}

func TestFitWriteFailureIsRunError(t *testing.T) {
	t.Parallel()
	var errb bytes.Buffer
	code := run([]string{"fit", "testdata/fit_sample.log"}, errWriter{}, &errb)
	assert.Equal(t, exitRun, code)
	assert.Contains(t, errb.String(), "drainsim: write results: broken pipe\n")
}

func TestFitRefusesDuplicateLogs(t *testing.T) {
	t.Parallel()
	// fit f.log f.log doubled the rate (issue 11): a log given twice,
	// under any name, is a usage error that names both.
	dir := t.TempDir()
	log := filepath.Join(dir, "a.log")
	data, err := os.ReadFile("testdata/fit_sample.log")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(log, data, 0o644))
	link := filepath.Join(dir, "link.log")
	require.NoError(t, os.Symlink(log, link))
	hard := filepath.Join(dir, "hard.log")
	require.NoError(t, os.Link(log, hard))
	for _, c := range []struct {
		args []string
		err  string
	}{
		{[]string{log, log}, log + " is given twice (as " + log + " too)"},
		{[]string{log, dir + "/./a.log"}, dir + "/./a.log is given twice (as " + log + " too)"},
		{[]string{log, link}, link + " is the same file as " + log},
		{[]string{hard, "testdata/fit_sample2.log.gz", log}, log + " is the same file as " + hard},
	} {
		stdout, stderr, code := drainsim(append([]string{"fit"}, c.args...)...)
		assert.Equal(t, exitUsage, code, c.args)
		assert.Empty(t, stdout, c.args)
		assert.Contains(t, stderr, c.err, c.args)
		assert.Contains(t, stderr, ": each log is read once, or its requests would count twice\n", c.args)
	}
	// A copy is another log.
	other := filepath.Join(dir, "b.log")
	require.NoError(t, os.WriteFile(other, data, 0o644))
	mustRun(t, "fit", log, other)
}

func TestFitEndBeforeStartIsMalformed(t *testing.T) {
	t.Parallel()
	// A line whose time precedes its request_creation_time was fitted
	// as a duration (issue 11: p99 = 64,441 s); it is malformed, shown
	// as file:line and counted.
	lines := strings.SplitAfter(strings.TrimSuffix(readFile(t, "testdata/fit_sample.log"), "\n"), "\n")
	require.True(t, strings.HasPrefix(lines[0], "http 2026-01-01T00:00:01.724555Z "))
	require.Contains(t, lines[0], " 2026-01-01T00:00:00.105390Z ")
	bad := strings.Replace(lines[0], "2026-01-01T00:00:01.724555Z", "2025-12-31T06:06:00.000000Z", 1)
	dir := t.TempDir()
	log := filepath.Join(dir, "bad.log")
	require.NoError(t, os.WriteFile(log, []byte(strings.Join(append([]string{bad}, lines[1:]...), "")), 0o644))

	stdout, stderr, code := drainsim("fit", log, "--format", "json")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, log+":1: field 2 (time) 2025-12-31T06:06:00.000000Z is before field 22 (request_creation_time) 2026-01-01T00:00:00.105390Z")
	var got, want fitJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &got))
	wantOut, _ := mustRun(t, "fit", "testdata/fit_sample.log", "--format", "json")
	require.NoError(t, json.Unmarshal([]byte(wantOut), &want))
	assert.Equal(t, want.MalformedLines+1, got.MalformedLines)
	assert.Equal(t, want.Requests-1, got.Requests)
	for i, c := range got.Classes {
		assert.LessOrEqual(t, c.P99, want.Classes[i].P99, c.Class)
	}
}
