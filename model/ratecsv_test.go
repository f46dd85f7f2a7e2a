package model_test

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/metrics"
	"github.com/drainsim/drainsim/model"
)

// TestParseRateCSVErrors checks that every problem names file:line.
func TestParseRateCSVErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"empty", "", "r.csv: holds no rows"},
		{"header only", "time_s,RequestCount\n", "r.csv: holds no rows"},
		{"bad time", "0,5\nnoon,6\n", "r.csv:2: want a time in seconds or a timestamp"},
		{"bad count", "time_s,RequestCount\n0,5\n60,-1\n", `r.csv:3: want a request count, a number ≥ 0 (got "-1")`},
		{"not a number", "0,5\n\n60,lots\n", `r.csv:3: want a request count, a number ≥ 0 (got "lots")`},
		{"short", "a,b,RequestCount\n0,1,2\n60,1\n", "r.csv:3: has 2 fields; the request count is field 3"},
		{"repeat", "0,5\n60,5\n60,6\n", "r.csv:3: repeats the time of line 2"},
		{"mixed", "0,5\n2024-05-01T00:01:00Z,6\n", "r.csv:2: mixes timestamps and seconds"},
		{"quote", "0,5\n60,\"6\n", "r.csv:2: extraneous or missing \" in quoted-field"},
		{"too fast", "0,5\n60,1e12\n", "r.csv:2: 1e+12 requests in 60 s is above 1e+07 per second"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := model.ParseRateCSV("r.csv", []byte(tc.src))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestParseRateCSVCloudWatch reads a CloudWatch RequestCount export
// (timestamp and Sum per minute, newest first, one minute missing): each
// row becomes a one-minute step of count/60 per second counted from the
// earliest row, the missing minute sends nothing, and the last rate holds.
func TestParseRateCSVCloudWatch(t *testing.T) {
	src := "\ufeffTimestamp,RequestCount (Sum)\n" +
		"2024-05-01T10:03:00Z,600\n" +
		"2024-05-01T10:01:00Z,1200\n" +
		"2024-05-01 10:00:00,60\n"
	pts, err := model.ParseRateCSV("cw.csv", []byte(src))
	require.NoError(t, err)
	tr := model.Traffic{Profile: pts, Duration: model.Distribution{Distribution: model.Constant, Value: time.Second}}
	for _, c := range []struct {
		at   time.Duration
		want float64
	}{{0, 1}, {30 * time.Second, 1}, {time.Minute, 20}, {90 * time.Second, 20}, {2*time.Minute + time.Second, 0}, {3 * time.Minute, 10}, {time.Hour, 10}} {
		assert.InDelta(t, c.want, tr.RateAt(c.at), 1e-9, "at %v", c.at)
	}
	for m, want := range []float64{60, 1200, 0, 600} {
		assert.InDelta(t, want, tr.Expected(time.Duration(m)*time.Minute, time.Duration(m+1)*time.Minute), 1e-6, "minute %d", m)
	}
}

// TestRateCSVRoundTrip runs a scenario with a profile, writes its
// --metrics CSV, reads the CSV back as a profile, and runs that: the read
// profile holds exactly the recorded count in each minute; the recorded
// counts follow the first profile (Poisson: within 4√mean in each minute)
// and the second run's arrivals follow the read profile's integral.
func TestRateCSVRoundTrip(t *testing.T) {
	cfg := model.Default()
	cfg.Fleet.Targets = 3
	cfg.Horizon = 20 * time.Minute
	cfg.LoadBalancer.PropagationDelay = model.ConstantLag(0)
	cfg.Traffic = []model.Traffic{{
		Profile:  []model.RatePoint{{At: 0, Rate: 2}, {At: 10 * time.Minute, Rate: 30}, {At: 20 * time.Minute, Rate: 10}},
		Duration: model.Distribution{Distribution: model.Constant, Value: 200 * time.Millisecond},
	}}
	cfg.ScaleIn = []model.ScaleIn{{At: 15 * time.Minute, Targets: 1}}
	s, res, err := metrics.Record(&cfg, 0, time.Minute)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, s.WriteCSV(&buf))
	pts, err := model.ParseRateCSV("metrics.csv", buf.Bytes())
	require.NoError(t, err)

	read := model.Traffic{Profile: pts}
	var total int64
	for k := range s.Len() {
		a, b := s.Start[k], s.Start[k]+time.Minute
		assert.InDelta(t, float64(s.RequestCount[k]), read.Expected(a, b), 1e-6, "minute %d read back", k)
		m := cfg.Traffic[0].Expected(a, b)
		assert.InDelta(t, m, float64(s.RequestCount[k]), 4*math.Sqrt(m), "minute %d against the profile", k)
		total += s.RequestCount[k]
	}
	// No retries: RequestCount counts the arrivals, except those still in
	// flight at the horizon, which the recorder has not seen end.
	assert.Equal(t, res.Arrivals-res.InFlight, total)

	again := cfg
	again.Traffic = []model.Traffic{{Profile: pts, Duration: cfg.Traffic[0].Duration}}
	res2, err := model.Run(&again, 1)
	require.NoError(t, err)
	m := read.Expected(0, again.Horizon)
	assert.InDelta(t, m, float64(res2.Arrivals), 4*math.Sqrt(m))
}
