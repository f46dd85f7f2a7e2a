package accesslog_test

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/drainsim/drainsim/accesslog"
)

// fitLog parses a log in buf and fits it.
func fitLog(t *testing.T, buf *bytes.Buffer) accesslog.Summary {
	t.Helper()
	var f accesslog.Fitter
	st, err := accesslog.Parse(buf, "gen.log", func(e accesslog.Entry) error { f.Add(e); return nil })
	require.NoError(t, err)
	require.Zero(t, st.MalformedLines)
	f.AddStats(st)
	return f.Summary()
}

// nearestRank is the nearest-rank p-quantile of sorted x, by its
// definition: the smallest x[i] with (i+1)/n ≥ p.
func nearestRank(x []float64, p float64) float64 {
	for i, v := range x {
		if float64(i+1)/float64(len(x)) >= p-1e-12 {
			return v
		}
	}
	return x[len(x)-1]
}

// TestFitKnownLognormal writes a log of 100 000 requests at 100 per
// second whose durations are lognormal with median 2 s and p99 5 s,
// parses it and checks that Fit recovers the law within five standard
// errors for that sample size, and that the percentiles are exactly the
// sample's.
func TestFitKnownLognormal(t *testing.T) {
	const (
		n      = 25_000
		rate   = 100.0
		median = 2.0
		p99    = 5.0
	)
	var buf bytes.Buffer
	drawn := genLog(t, &buf, 1, "https", n, rate, lognormalLaw(1, median, p99))
	s := fitLog(t, &buf)
	out, err := json.MarshalIndent(s, "", "  ")
	require.NoError(t, err)
	t.Logf("summary: %s", out)

	require.Len(t, s.Classes, 1)
	c := s.Classes[0]
	assert.Equal(t, accesslog.HTTP, c.Class)
	assert.Equal(t, "request", c.Kind)
	assert.Equal(t, int64(n), c.Requests)
	assert.Equal(t, int64(n), c.Measured)
	assert.Zero(t, c.Incomplete)
	assert.Equal(t, c.Sample.DurationP99, s.DurationP99, "one class: the top level is the class")

	// Percentiles are exact nearest-rank percentiles of what was written.
	slices.Sort(drawn)
	assert.Equal(t, drawn, c.Durations)
	assert.Equal(t, nearestRank(drawn, 0.5), c.DurationP50)
	assert.Equal(t, nearestRank(drawn, 0.9), c.DurationP90)
	assert.Equal(t, nearestRank(drawn, 0.99), c.DurationP99)
	assert.Equal(t, nearestRank(drawn, 0.999), c.DurationP999)
	assert.Equal(t, drawn[n-1], c.DurationMax)

	// Sample percentiles are near the law's: the standard error of the
	// p-quantile is √(p(1−p)/n) / f(q_p), with f the lognormal density.
	mu := math.Log(median)
	sigma := (math.Log(p99) - mu) / z99
	law := distuv.LogNormal{Mu: mu, Sigma: sigma}
	for _, q := range []struct {
		p   float64
		got float64
	}{{0.5, c.DurationP50}, {0.9, c.DurationP90}, {0.99, c.DurationP99}, {0.999, c.DurationP999}} {
		want := law.Quantile(q.p)
		se := math.Sqrt(q.p*(1-q.p)/n) / law.Prob(want)
		assert.InDelta(t, want, q.got, 5*se, "p%g", 100*q.p)
	}

	// The maximum-likelihood fit: SE(μ̂) = σ/√n, SE(σ̂) ≈ σ/√(2n), and
	// ln p99 = μ + z σ has SE σ √((1 + z²/2)/n).
	assert.InDelta(t, mu, c.LognormalMu, 5*sigma/math.Sqrt(n))
	assert.InDelta(t, sigma, c.LognormalSigma, 5*sigma/math.Sqrt(2*n))
	assert.InDelta(t, median, c.LognormalMedian, median*5*sigma/math.Sqrt(n))
	assert.InDelta(t, p99, c.LognormalP99, p99*5*sigma*math.Sqrt((1+z99*z99/2)/n))

	// The true law fits: D is below Lilliefors's 1 % critical value.
	assert.Less(t, c.KSD, 1.031/math.Sqrt(n))
	assert.Equal(t, accesslog.KSThreshold, c.KSLimit)
	assert.Equal(t, "lognormal", c.Suggested)

	// n arrivals over about n/rate seconds; the busiest minute is above
	// the mean by a few Poisson standard deviations at most.
	assert.InEpsilon(t, rate, c.RatePerS, 0.03)
	assert.GreaterOrEqual(t, c.PeakRatePerS, c.RatePerS)
	assert.Less(t, c.PeakRatePerS, 1.1*rate)
	assert.InDelta(t, n/rate, s.SpanS, 0.03*n/rate)
}

// TestFitWrongLaw: durations that are not lognormal give a large D and
// the empirical suggestion.
func TestFitWrongLaw(t *testing.T) {
	tests := []struct {
		name string
		law  func(r *rand.Rand) float64
	}{
		// Two modes: fast cache hits and slow misses.
		{"bimodal", func(r *rand.Rand) float64 {
			if r.Float64() < 0.7 {
				return 0.05 * math.Exp(0.2*r.NormFloat64())
			}
			return 3 * math.Exp(0.2*r.NormFloat64())
		}},
		// Nearly constant work.
		{"uniform", func(r *rand.Rand) float64 { return 1 + r.Float64() }},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(i), 3))
			var buf bytes.Buffer
			genLog(t, &buf, uint64(i), "https", 20_000, 50, func() float64 { return tt.law(r) })
			c := fitLog(t, &buf).Classes[0]
			assert.Greater(t, c.KSD, 0.05)
			assert.Equal(t, "empirical", c.Suggested)
		})
	}
}

// TestFitEdge fits testdata/edge.log, whose durations are known, and
// compares the JSON with testdata/edge.summary.golden.
func TestFitEdge(t *testing.T) {
	s, err := accesslog.FitFiles("testdata/edge.log")
	require.NoError(t, err)

	assert.Equal(t, int64(9), s.Requests)
	assert.Equal(t, int64(2), s.Incomplete)
	assert.Equal(t, 7, s.MalformedLines)
	assert.Len(t, s.Malformed, accesslog.MaxMalformed)
	span := time.Date(2026, 11, 25, 8, 41, 2, 0, time.UTC).Sub(time.Date(2026, 11, 25, 8, 31, 2, 123456000, time.UTC)).Seconds()
	assert.InDelta(t, span, s.SpanS, 1e-9)
	assert.InDelta(t, 9/span, s.RatePerS, 1e-12)
	assert.InDelta(t, 9.0/60, s.PeakRatePerS, 1e-12, "every arrival is in 08:31")

	require.Len(t, s.Classes, 2)
	h, ws := s.Classes[0], s.Classes[1]
	assert.Equal(t, accesslog.HTTP, h.Class)
	assert.Equal(t, int64(7), h.Requests)
	assert.Equal(t, int64(2), h.Incomplete)
	assert.InDeltaSlice(t, []float64{0.010, 0.021, 0.172, 0.303, 1.252001}, h.Durations, 1e-9)
	assert.InDelta(t, 0.172, h.DurationP50, 1e-9)
	assert.InDelta(t, 1.252001, h.DurationP90, 1e-9)
	assert.InDelta(t, 1.252001, h.DurationMax, 1e-9)
	assert.InDelta(t, (0.010+0.021+0.172+0.303+1.252001)/5, h.DurationMean, 1e-9)
	assert.InDelta(t, 7/span, h.RatePerS, 1e-12)
	assert.InDelta(t, 7.0/60, h.PeakRatePerS, 1e-12)
	assert.InDelta(t, 0.886/math.Sqrt(5), h.KSLimit, 1e-12, "a small sample gets Lilliefors's limit")

	assert.Equal(t, accesslog.WebSocket, ws.Class)
	assert.Equal(t, "connection", ws.Kind)
	assert.Equal(t, []float64{60, 597}, ws.Durations)
	assert.Equal(t, 60.0, ws.DurationP50)
	assert.Equal(t, 597.0, ws.DurationP99)

	assert.Nil(t, s.Durations, "both classes: no shared top-level slice")
	assert.Equal(t, 597.0, s.DurationMax)
	assert.InDelta(t, 0.303, s.DurationP50, 1e-9, "4th of the 7 merged durations")

	out, err := json.MarshalIndent(s, "", "  ")
	require.NoError(t, err)
	golden(t, "edge.summary.golden", append(out, '\n'))

	// The JSON names are drainsim's interface.
	var m map[string]any
	require.NoError(t, json.Unmarshal(out, &m))
	for _, k := range []string{"requests", "rate_per_s", "peak_rate_per_s", "duration_p50_s", "duration_p90_s",
		"duration_p99_s", "duration_p999_s", "duration_max_s", "malformed_lines", "lognormal_mu",
		"lognormal_sigma", "ks_d", "classes"} {
		assert.Contains(t, m, k)
	}
	class := m["classes"].([]any)[1].(map[string]any)
	assert.Equal(t, "websocket", class["class"])
	assert.Equal(t, "connection", class["kind"])
	assert.Contains(t, class, "duration_p99_s")
	assert.Contains(t, class, "ks_d")
}

// TestFitFiles sums several files, plain and gzip, and their malformed
// lines, keeping the first MaxMalformed.
func TestFitFiles(t *testing.T) {
	dir := t.TempDir()
	plain, err := os.ReadFile("testdata/edge.log")
	require.NoError(t, err)
	var gz bytes.Buffer
	genGzip(t, &gz, plain)
	a, b := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log.gz")
	require.NoError(t, os.WriteFile(a, plain, 0o644))
	require.NoError(t, os.WriteFile(b, gz.Bytes(), 0o644))

	s, err := accesslog.FitFiles(a, b)
	require.NoError(t, err)
	assert.Equal(t, int64(18), s.Requests)
	assert.Equal(t, 14, s.MalformedLines)
	require.Len(t, s.Malformed, accesslog.MaxMalformed)
	assert.Equal(t, a, s.Malformed[4].File)

	empty := filepath.Join(dir, "empty.log")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	_, err = accesslog.FitFiles(a, empty)
	assert.ErrorIs(t, err, accesslog.ErrNoEntries)
	assert.Contains(t, err.Error(), empty)
}

// TestFitDegenerate: no entries, one entry, equal durations.
func TestFitDegenerate(t *testing.T) {
	s := accesslog.Fit(nil)
	assert.Zero(t, s.Requests)
	assert.Empty(t, s.Classes)
	_, err := json.Marshal(s)
	assert.NoError(t, err, "no NaN in an empty summary")

	e := accesslog.Entry{Type: "http", Time: start.Add(time.Second), RequestCreated: start}
	s = accesslog.Fit([]accesslog.Entry{e})
	assert.Equal(t, 1.0, s.DurationP50)
	assert.Zero(t, s.RatePerS, "a log without a span has no rate")
	assert.Equal(t, "empirical", s.Suggested, "one duration cannot fit a lognormal")

	e2 := e
	e2.Time, e2.RequestCreated = e.Time.Add(time.Minute), e.RequestCreated.Add(time.Minute)
	s = accesslog.Fit([]accesslog.Entry{e, e2})
	assert.Zero(t, s.LognormalSigma)
	assert.Zero(t, s.KSD)
	assert.Equal(t, "empirical", s.Suggested, "equal durations cannot fit a lognormal")
	assert.InDelta(t, 2.0/60, s.RatePerS, 1e-12)

	// A negative duration (an Entry not from Parse, which refuses the
	// line) counts as 0, and 0 fits as 1 µs.
	e3 := e
	e3.Time, e3.RequestCreated = e.RequestCreated, e.Time
	s = accesslog.Fit([]accesslog.Entry{e, e3})
	assert.Equal(t, []float64{0, 1}, s.Durations)
	assert.InDelta(t, math.Log(1e-6)/2, s.LognormalMu, 1e-12)
}
