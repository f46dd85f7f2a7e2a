package accesslog_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/accesslog"
	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/scenarios"
)

// mixedSummary fits a log of 20 000 lognormal HTTPS requests (median 2 s,
// p99 5 s) and 2 000 WebSocket connections with bimodal lifetimes (5–6 s
// or 30–36 s), both arriving for about 1000 s. Rates are over the log's
// span, to the last connection's close, so they come out a few per cent
// low: a real log window is full of traffic to its end.
func mixedSummary(t *testing.T) accesslog.Summary {
	t.Helper()
	var buf bytes.Buffer
	genLog(t, &buf, 1, "https", 20_000, 20, lognormalLaw(1, 2, 5))
	r := rand.New(rand.NewPCG(2, 3))
	genLog(t, &buf, 2, "wss", 2_000, 2, func() float64 {
		if r.IntN(2) == 0 {
			return 5 + r.Float64()
		}
		return 30 + 6*r.Float64()
	})
	return fitLog(t, &buf)
}

// readDurations reads a durations file as drainsim's loader does.
func readDurations(t *testing.T, text string) []float64 {
	t.Helper()
	var out []float64
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		v, err := strconv.ParseFloat(line, 64)
		require.NoError(t, err)
		out = append(out, v)
	}
	return out
}

// TestWriteTraffic writes the [[traffic]] tables of a fitted log and
// checks that drainsim reads them back: with the TOML library into
// model.Traffic (no unknown key, a valid configuration) and with the
// scenario loader itself, empirical file included.
func TestWriteTraffic(t *testing.T) {
	s := mixedSummary(t)
	require.Len(t, s.Classes, 2)
	require.Equal(t, "lognormal", s.Classes[0].Suggested)
	require.Equal(t, "empirical", s.Classes[1].Suggested)

	var out bytes.Buffer
	require.NoError(t, accesslog.WriteTraffic(&out, s, accesslog.TrafficOptions{Prefix: "api-"}))
	golden(t, "traffic.golden", out.Bytes())

	want, err := accesslog.Traffic(s, accesslog.TrafficOptions{Prefix: "api-"})
	require.NoError(t, err)
	require.Len(t, want, 2)
	assert.Equal(t, "api-http", want[0].Name)
	assert.Equal(t, model.KindRequest, want[0].Kind)
	assert.Equal(t, model.KindConnection, want[1].Kind)
	assert.Equal(t, "api-websocket.durations.txt", want[1].Duration.File)
	assert.Equal(t, s.Classes[1].Durations, want[1].Duration.Samples)

	var durations bytes.Buffer
	require.NoError(t, accesslog.WriteDurations(&durations, want[1].Duration.Samples))
	assert.Equal(t, s.Classes[1].Durations, readDurations(t, durations.String()))

	// The TOML library, strictly.
	var got struct {
		Traffic []model.Traffic `toml:"traffic"`
	}
	md, err := toml.Decode(out.String(), &got)
	require.NoError(t, err)
	assert.Empty(t, md.Undecoded())
	require.Len(t, got.Traffic, 2)
	for i, tr := range got.Traffic {
		assert.Equal(t, want[i].Name, tr.Name)
		assert.Equal(t, want[i].Kind, tr.Kind)
		assert.InEpsilon(t, want[i].Rate, tr.Rate, 1e-5)
		assert.Equal(t, want[i].Duration.Distribution, tr.Duration.Distribution)
		assert.Equal(t, want[i].Duration.Median, tr.Duration.Median)
		assert.Equal(t, want[i].Duration.P99, tr.Duration.P99)
		assert.Equal(t, want[i].Duration.File, tr.Duration.File)
	}
	c := s.Classes[0]
	assert.InDelta(t, c.LognormalMedian, got.Traffic[0].Duration.Median.Seconds(), 1e-6)
	assert.InDelta(t, c.LognormalP99, got.Traffic[0].Duration.P99.Seconds(), 1e-6)
	got.Traffic[1].Duration.Samples = readDurations(t, durations.String())
	cfg := model.Default()
	cfg.Fleet.Targets = 4
	cfg.Traffic = got.Traffic
	cfg.ScaleIn = []model.ScaleIn{{At: time.Minute, Targets: 1}}
	assert.NoError(t, cfg.Validate())

	// drainsim's scenario loader, with the durations file beside it.
	scenario := "[fleet]\ntargets = 4\n\n[[scale_in]]\nat = \"1m\"\ntargets = 1\n\n" + out.String()
	fsys := fstest.MapFS{"api-websocket.durations.txt": {Data: durations.Bytes()}}
	loaded, err := scenarios.Parse("fitted.toml", []byte(scenario), fsys)
	require.NoError(t, err)
	require.Len(t, loaded.Traffic, 2)
	assert.Equal(t, got.Traffic[0].Duration.Median, loaded.Traffic[0].Duration.Median)
	assert.Equal(t, s.Classes[1].Durations, loaded.Traffic[1].Duration.Samples)
}

func TestTrafficOptions(t *testing.T) {
	s := mixedSummary(t)
	ts, err := accesslog.Traffic(s, accesslog.TrafficOptions{Distribution: "empirical", PeakRate: true})
	require.NoError(t, err)
	require.Len(t, ts, 2)
	assert.Equal(t, "http", ts[0].Name)
	assert.Equal(t, "empirical", ts[0].Duration.Distribution)
	assert.Equal(t, "http.durations.txt", ts[0].Duration.File)
	assert.Equal(t, s.Classes[0].PeakRatePerS, ts[0].Rate)

	ts, err = accesslog.Traffic(s, accesslog.TrafficOptions{Distribution: "lognormal"})
	require.NoError(t, err)
	assert.Equal(t, "lognormal", ts[1].Duration.Distribution)
	assert.Equal(t, s.Classes[1].RatePerS, ts[1].Rate)
	assert.Equal(t, time.Duration(math.Round(s.Classes[1].LognormalMedian*1e6))*time.Microsecond, ts[1].Duration.Median)

	_, err = accesslog.Traffic(s, accesslog.TrafficOptions{Distribution: "gamma"})
	assert.EqualError(t, err, `distribution must be lognormal, empirical or empty (got "gamma")`)
}

func TestTrafficErrors(t *testing.T) {
	e := accesslog.Entry{Type: "http", Time: start.Add(time.Second), RequestCreated: start}
	_, err := accesslog.Traffic(accesslog.Fit([]accesslog.Entry{e}), accesslog.TrafficOptions{})
	assert.EqualError(t, err, "traffic http: no rate: the log spans 0 s")

	e2 := e
	e2.Time, e2.RequestCreated = e.Time.Add(time.Minute), e.RequestCreated.Add(time.Minute)
	_, err = accesslog.Traffic(accesslog.Fit([]accesslog.Entry{e, e2}), accesslog.TrafficOptions{Distribution: "lognormal"})
	assert.EqualError(t, err, "traffic http: every duration is 1 s; a lognormal needs some spread (use empirical)")
	ts, err := accesslog.Traffic(accesslog.Fit([]accesslog.Entry{e, e2}), accesslog.TrafficOptions{})
	require.NoError(t, err)
	assert.Equal(t, "empirical", ts[0].Duration.Distribution)

	e.TargetProcessing, e2.TargetProcessing = -1, -1
	err = accesslog.WriteTraffic(&bytes.Buffer{}, accesslog.Fit([]accesslog.Entry{e, e2}), accesslog.TrafficOptions{})
	assert.EqualError(t, err, "no traffic class has a duration: every entry has a processing time of -1")
}
