package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/drainsim/drainsim/accesslog"
	"github.com/drainsim/drainsim/internal/pngcheck"
	"github.com/drainsim/drainsim/metrics"
)

// runJSON is the part of run's JSON the tests read.
type runJSON struct {
	Completed      int64 `json:"completed"`
	ELB5xx         int64 `json:"elb_5xx"`
	ConnectionCuts int64 `json:"connection_cuts"`
}

func parseRunJSON(t *testing.T, stdout string) runJSON {
	t.Helper()
	var r runJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &r))
	return r
}

// statuses counts the lines of an access log by elb_status_code and
// those without request_creation_time.
func statuses(t *testing.T, path string) (byStatus map[int]int64, noCreation int64) {
	t.Helper()
	byStatus = map[int]int64{}
	st, err := accesslog.ParseFile(path, func(e accesslog.Entry) error {
		byStatus[e.ELBStatus]++
		if e.RequestCreated.IsZero() {
			noCreation++
		}
		return nil
	})
	require.NoError(t, err)
	require.Zero(t, st.MalformedLines)
	return byStatus, noCreation
}

// TestAccessLogRoundTrip simulates requests whose durations are a known
// lognormal (median 2 s, p99 5 s), writes their access log, fits it and
// finds the law again: the sample percentiles and the fitted lognormal
// within 4 standard errors of the true values, and a 502 or 503 line for
// every failed attempt.
func TestAccessLogRoundTrip(t *testing.T) {
	t.Parallel()
	log := filepath.Join(t.TempDir(), "access.log")
	stdout, stderr := mustRun(t, "run", "testdata/roundtrip.toml", "--access-log", log, "--format", "json")
	res := parseRunJSON(t, stdout)
	require.Positive(t, res.ELB5xx)
	assert.Regexp(t, `^drainsim: wrote \S+access.log: \d+ lines of replication 0\n$`, stderr)

	byStatus, noCreation := statuses(t, log)
	assert.Zero(t, noCreation, "an empty start has nothing in flight at its start")
	assert.Equal(t, res.ELB5xx, byStatus[502]+byStatus[503]+byStatus[504], "a 5xx line per failed attempt")
	assert.Positive(t, res.ConnectionCuts, "sockets cut at 5 min")
	assert.Positive(t, byStatus[502], "the target cut at 5 min")
	assert.Positive(t, byStatus[503], "no target after 9 min 50 s")
	var lines int64
	for _, n := range byStatus {
		lines += n
	}
	assert.Equal(t, res.Completed+res.ELB5xx+res.ConnectionCuts, lines, "a line per attempt that ended; a cut socket is logged 101")

	stdout, _ = mustRun(t, "fit", log, "--format", "json")
	var fit fitJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &fit))
	assert.Equal(t, lines, fit.Requests)
	assert.Equal(t, res.ELB5xx+res.ConnectionCuts, fit.Incomplete, "failed attempts have -1 timings, so no duration")
	require.Len(t, fit.Classes, 2)
	api := fit.Classes[0]
	require.Equal(t, "http", api.Class)
	assert.InDelta(t, 50, api.RatePerS, 4*math.Sqrt(50/600.0), "Poisson rate 50/s over 10 min")

	// The true law and the standard error of a sample p-quantile,
	// √(p(1−p)/n) / f(q_p).
	sigma := math.Log(5.0/2.0) / distuv.UnitNormal.Quantile(0.99)
	law := distuv.LogNormal{Mu: math.Log(2), Sigma: sigma}
	n := float64(api.Measured)
	require.Greater(t, n, 20000.0)
	for _, q := range []struct {
		p   float64
		got float64
	}{{0.5, api.P50}, {0.99, api.P99}} {
		want := law.Quantile(q.p)
		se := math.Sqrt(q.p*(1-q.p)/n) / law.Prob(want)
		assert.InDelta(t, want, q.got, 4*se, "p%g: standard error %.4f s", 100*q.p, se)
	}
	// The maximum-likelihood fit: median e^μ̂ with μ̂ of standard error
	// σ/√n, p99 e^(μ̂+zσ̂) with that of μ̂ + zσ̂, σ√((1+z²/2)/n).
	z := distuv.UnitNormal.Quantile(0.99)
	assert.InDelta(t, 2, api.Median, 4*2*sigma/math.Sqrt(n))
	assert.InDelta(t, 5, api.FitP99, 4*5*sigma*math.Sqrt((1+z*z/2)/n))
	assert.Less(t, api.KSD, accesslog.KSThreshold)
	assert.Equal(t, "lognormal", api.Suggested)
}

// TestAccessLogStationary: a stationary start begins with requests in
// flight whose arrival is before the simulation; their lines carry that
// arrival as request_creation_time, and every attempt that ended still
// has a line.
func TestAccessLogStationary(t *testing.T) {
	t.Parallel()
	log := filepath.Join(t.TempDir(), "access.log")
	stdout, stderr := mustRun(t, "run", "payments-api", "--delay", "0s", "--access-log", log, "--format", "json")
	res := parseRunJSON(t, stdout)
	byStatus, noCreation := statuses(t, log)
	assert.Equal(t, res.ELB5xx, byStatus[502]+byStatus[503]+byStatus[504])
	assert.Equal(t, res.Completed+res.ELB5xx, byStatus[200]+byStatus[502]+byStatus[503]+byStatus[504])
	// Requests in flight at the stationary start carry their true
	// arrival (the model reports their age): every line has one.
	assert.Zero(t, noCreation)
	assert.Regexp(t, ` \(\d+ of them in flight at the stationary start\)\n`, stderr)
}

// TestRunHelpStationaryCreationTime: run --help says what
// TestAccessLogStationary checks, that lines in flight at a stationary
// start have a request_creation_time (issue #12: the help said they had
// none).
func TestRunHelpStationaryCreationTime(t *testing.T) {
	stdout, _, code := drainsim("run", "--help")
	require.Equal(t, exitOK, code)
	help := strings.Join(strings.Fields(stdout), " ")
	assert.NotContains(t, help, "has no request_creation_time")
	assert.Contains(t, help, "in flight at a stationary start arrived before it: its request_creation_time is that earlier arrival")
}

func TestAccessLogGzipAndDeterminism(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	plain, gz, other := filepath.Join(dir, "a.log"), filepath.Join(dir, "a.log.gz"), filepath.Join(dir, "b.log")
	mustRun(t, "run", "testdata/small.toml", "--access-log", plain, "--replications", "1", "--workers", "1")
	mustRun(t, "run", "testdata/small.toml", "--access-log", gz)
	// Replication 0 does not depend on the number of replications or
	// workers.
	mustRun(t, "run", "testdata/small.toml", "--access-log", other, "--replications", "5", "--workers", "3")

	want, err := os.ReadFile(plain)
	require.NoError(t, err)
	raw, err := os.ReadFile(gz)
	require.NoError(t, err)
	assert.Equal(t, []byte{0x1f, 0x8b}, raw[:2], "a .gz name writes gzip")
	assert.Equal(t, string(want), readGz(t, gz))
	got, err := os.ReadFile(other)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	// Lines are in the order the requests ended, as the load balancer
	// writes them, and the WebSocket-like class is ws.
	var last time.Time
	types := map[string]int{}
	_, err = accesslog.ParseFile(plain, func(e accesslog.Entry) error {
		assert.False(t, e.Time.Before(last), "line at %v after %v", e.Time, last)
		last = e.Time
		types[e.Type]++
		return nil
	})
	require.NoError(t, err)
	assert.Positive(t, types["http"])
	assert.Positive(t, types["ws"])
	assert.Len(t, types, 2)
}

func TestAccessLogEpoch(t *testing.T) {
	t.Parallel()
	log := filepath.Join(t.TempDir(), "access.log")
	mustRun(t, "run", "testdata/roundtrip.toml", "--access-log", log, "--log-epoch", "2030-06-01T12:00:00+02:00")
	var first, last time.Time
	_, err := accesslog.ParseFile(log, func(e accesslog.Entry) error {
		if first.IsZero() {
			first = e.RequestCreated
		}
		last = e.Time
		return nil
	})
	require.NoError(t, err)
	epoch := time.Date(2030, 6, 1, 10, 0, 0, 0, time.UTC)
	assert.True(t, !first.Before(epoch) && first.Before(epoch.Add(time.Second)), "first arrival %v", first)
	assert.True(t, !last.After(epoch.Add(10*time.Minute)), "horizon 10m, last %v", last)
}

// TestMetricsFiles checks the CSV against the run (every 5xx of the
// run, periods of --period) and smoke-tests the timeline images.
func TestMetricsFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	csvPath, pngPath, svgPath := filepath.Join(dir, "m.csv"), filepath.Join(dir, "t.png"), filepath.Join(dir, "t.svg")
	stdout, stderr := mustRun(t, "run", "testdata/roundtrip.toml", "--format", "json",
		"--metrics", csvPath, "--timeline", pngPath, "--period", "30s")
	res := parseRunJSON(t, stdout)
	assert.Equal(t, "drainsim: wrote "+csvPath+", "+pngPath+" of replication 0\n", stderr)

	f, err := os.Open(csvPath)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Greater(t, len(recs), 1)
	assert.Equal(t, []string{"time_s", "RequestCount", "HTTPCode_ELB_502_Count", "HTTPCode_ELB_503_Count",
		"HTTPCode_ELB_504_Count", "HTTPCode_ELB_5XX_Count", "ActiveConnectionCount", "HealthyHostCount",
		"TCP_ELB_Reset_Count", "TCP_Target_Reset_Count",
		"InFlight_target_0", "InFlight_target_1", "InFlight_target_2", "InFlight_target_3"}, recs[0])
	assert.Len(t, recs, 1+20, "10 minutes of 30 s periods")
	var sum [5]int64 // RequestCount, 502, 503, 504, 5XX
	for i, r := range recs[1:] {
		assert.Equal(t, strconv.Itoa(30*i), r[0])
		for c := range sum {
			v, err := strconv.ParseInt(r[1+c], 10, 64)
			require.NoError(t, err)
			sum[c] += v
		}
	}
	assert.Equal(t, res.ELB5xx, sum[4], "HTTPCode_ELB_5XX_Count sums to elb_5xx")
	assert.Equal(t, sum[4], sum[1]+sum[2]+sum[3])
	assert.Equal(t, res.Completed+res.ELB5xx+res.ConnectionCuts, sum[0], "an empty start counts every attempt that ended")
	first, last := recs[1], recs[len(recs)-1]
	assert.Equal(t, "4", first[7], "HealthyHostCount")
	assert.Equal(t, "3", last[7], "HealthyHostCount at 570 s: one target removed at 5 min, the others at 590 s")
	assert.NotEqual(t, "0", last[3], "503s after 590 s")

	raw, err := os.ReadFile(pngPath)
	require.NoError(t, err)
	_, err = pngcheck.Check(raw, 800, 500)
	assert.NoError(t, err)

	// The timeline alone, as SVG, from the same series.
	_, stderr = mustRun(t, "run", "testdata/roundtrip.toml", "--timeline", svgPath, "--period", "30s")
	assert.Equal(t, "drainsim: wrote "+svgPath+" of replication 0\n", stderr)
	svg, err := os.ReadFile(svgPath)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(svg, []byte("<?xml")))
}

func TestMetricsDefaultPeriod(t *testing.T) {
	t.Parallel()
	csvPath := filepath.Join(t.TempDir(), "m.csv")
	stdout, _ := mustRun(t, "run", "payments-api", "--delay", "0s", "--metrics", csvPath, "--format", "json")
	res := parseRunJSON(t, stdout)
	raw, err := os.ReadFile(csvPath)
	require.NoError(t, err)
	recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	require.NoError(t, err)
	var e5xx int64
	for i, r := range recs[1:] {
		assert.Equal(t, strconv.Itoa(540+60*i), r[0], "60 s periods from the stationary start at 9 min")
		v, err := strconv.ParseInt(r[slices.Index(recs[0], metrics.ELB5XXCount)], 10, 64)
		require.NoError(t, err)
		e5xx += v
	}
	assert.Equal(t, res.ELB5xx, e5xx)
	assert.Equal(t, metrics.InFlightColumn(9), recs[0][len(recs[0])-1])
}

func TestRunStats(t *testing.T) {
	t.Parallel()
	args := []string{"run", "testdata/small.toml", "--replications", "2", "--workers", "1"}
	plain, _ := mustRun(t, args...)
	dir := t.TempDir()
	stdout, stderr := mustRun(t, append(args, "--stats", "--access-log", filepath.Join(dir, "a.log"), "--metrics", filepath.Join(dir, "m.csv"))...)
	assert.Equal(t, plain, stdout, "--stats writes to stderr only")
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	require.Len(t, lines, 5, stderr)
	assert.Regexp(t, `^drainsim: stats: 2 replications, \d+ events in \S+ \(\S+ events/s, 1 worker\)$`, lines[0])
	assert.Regexp(t, `^drainsim: stats: --access-log: replication 0 simulated again \(\d+ events\) and written in \S+$`, lines[2])
	assert.Regexp(t, `^drainsim: stats: --metrics: replication 0 simulated again \(\d+ events\) and written in \S+$`, lines[4])
}

func TestRunOutputsBadInputWritesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	log := filepath.Join(dir, "a.log")
	_, stderr, code := drainsim("run", "nlb-tcp-flows", "--access-log", log, "--metrics", filepath.Join(dir, "m.csv"))
	assert.Equal(t, exitUsage, code, stderr)
	_, _, code = drainsim("run", "testdata/bad_range.toml", "--access-log", log)
	assert.Equal(t, exitUsage, code)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)
}

func TestEventRate(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "-", rate(10, 0))
	assert.Equal(t, "500", rate(500, time.Second))
	assert.Equal(t, "12.3k", rate(12345, time.Second))
	assert.Equal(t, "2.5M", rate(5e6, 2*time.Second))
}
