package accesslog

import (
	"slices"
	"time"
)

// Sample describes the requests (or WebSocket connections) of one
// traffic class, or of a whole log.
//
// Rates are per second over the log's span, Time of the first entry to
// Time of the last: entries are written when a response ends, so in a
// steady state their rate is the arrival rate, and WebSockets opened long
// before the log began do not stretch it. The peak rate is the busiest
// calendar minute of arrivals ([Entry.Arrival]) divided by 60, and never
// less than the mean. Both are 0 when the span is.
//
// Durations are [Entry.Duration] in seconds; percentiles are
// nearest-rank: the smallest duration that at least the fraction p of
// them do not exceed. Every duration field is 0 when Measured is.
type Sample struct {
	// Requests counts the entries (connections, for WebSocket).
	Requests int64 `json:"requests"`
	// Incomplete counts the entries without a duration: a processing
	// time of −1 (not dispatched, or closed early by the target).
	Incomplete int64 `json:"incomplete"`
	// Measured counts the durations: Requests − Incomplete.
	Measured int64 `json:"measured"`
	// RatePerS is the mean rate of requests per second.
	RatePerS float64 `json:"rate_per_s"`
	// PeakRatePerS is the busiest minute's arrivals per second.
	PeakRatePerS float64 `json:"peak_rate_per_s"`
	// DurationMean … DurationMax are in seconds.
	DurationMean float64 `json:"duration_mean_s"`
	DurationP50  float64 `json:"duration_p50_s"`
	DurationP90  float64 `json:"duration_p90_s"`
	DurationP99  float64 `json:"duration_p99_s"`
	DurationP999 float64 `json:"duration_p999_s"`
	DurationMax  float64 `json:"duration_max_s"`
	// LognormalMu and LognormalSigma are the maximum-likelihood lognormal
	// of the durations (mean and standard deviation of ln seconds, σ
	// divided by n; durations under 1 µs count as 1 µs). They need two
	// durations.
	LognormalMu    float64 `json:"lognormal_mu"`
	LognormalSigma float64 `json:"lognormal_sigma"`
	// LognormalMedian and LognormalP99 are the fitted law's median e^μ
	// and p99 e^(μ+2.326σ) in seconds, as drainsim takes them.
	LognormalMedian float64 `json:"lognormal_median_s"`
	LognormalP99    float64 `json:"lognormal_p99_s"`
	// KSD is the Kolmogorov–Smirnov distance between the durations and
	// the fitted lognormal, sup |F_n − F|; 0 when σ is.
	KSD float64 `json:"ks_d"`
	// KSLimit is the distance under which the lognormal is suggested:
	// [KSThreshold], or 0.886/√Measured if larger.
	KSLimit float64 `json:"ks_limit"`
	// Suggested is the distribution to simulate the durations with:
	// "lognormal" when KSD < KSLimit, else "empirical" (the durations
	// themselves); "" without durations.
	Suggested string `json:"suggested_distribution"`
	// Durations are the measured durations in seconds, sorted. In a
	// Summary's top level they are nil when the log has both classes.
	Durations []float64 `json:"-"`
}

// ClassSummary is the Sample of one traffic class.
type ClassSummary struct {
	// Class is "http" or "websocket" in JSON.
	Class Class `json:"class"`
	// Kind is the drainsim traffic kind, "request" or "connection".
	Kind string `json:"kind"`
	Sample
}

// Summary describes a log: all of it in the embedded Sample (mixing the
// classes' durations, which are best read per class), and each class
// that has entries in Classes, HTTP first.
type Summary struct {
	// Start and End are the Time of the first and last entries.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// SpanS is End − Start in seconds.
	SpanS float64 `json:"span_s"`
	Sample
	// MalformedLines counts the lines the parser skipped, of the Stats
	// given to [Fitter.AddStats].
	MalformedLines int `json:"malformed_lines"`
	// Malformed holds the first MaxMalformed of them.
	Malformed []LineError    `json:"malformed,omitempty"`
	Classes   []ClassSummary `json:"classes"`
}

// Fitter summarises a stream of entries. The zero value is ready to use;
// it keeps 8 bytes per measured duration (for exact percentiles) and a
// counter per minute of the log.
type Fitter struct {
	classes    [numClasses]accumulator
	start, end time.Time
	malformed  int
	examples   []LineError
}

type accumulator struct {
	requests, incomplete int64
	durations            []float64
	minutes              map[int64]int64 // arrivals per Unix minute
}

// Add counts one entry.
func (f *Fitter) Add(e Entry) {
	a := &f.classes[e.Class()]
	a.requests++
	if f.start.IsZero() || e.Time.Before(f.start) {
		f.start = e.Time
	}
	if e.Time.After(f.end) {
		f.end = e.Time
	}
	if d, ok := e.Duration(); ok {
		a.durations = append(a.durations, d)
	} else {
		a.incomplete++
	}
	if a.minutes == nil {
		a.minutes = map[int64]int64{}
	}
	a.minutes[minuteOf(e.Arrival())]++
}

// AddStats counts the malformed lines of a parse, for the Summary.
func (f *Fitter) AddStats(st Stats) {
	f.malformed += st.MalformedLines
	for _, e := range st.Malformed {
		if len(f.examples) < MaxMalformed {
			f.examples = append(f.examples, e)
		}
	}
}

// Summary returns the summary of the entries added so far. It sorts the
// durations in place, in O(n log n), and the Samples' Durations share
// them with the Fitter: do not Add after calling it.
func (f *Fitter) Summary() Summary {
	s := Summary{
		Start:          f.start,
		End:            f.end,
		SpanS:          f.end.Sub(f.start).Seconds(),
		MalformedLines: f.malformed,
		Malformed:      slices.Clone(f.examples),
	}
	all := accumulator{minutes: map[int64]int64{}}
	var measured [][]float64
	for c := range numClasses {
		a := &f.classes[c]
		if a.requests == 0 {
			continue
		}
		slices.Sort(a.durations)
		s.Classes = append(s.Classes, ClassSummary{Class: c, Kind: c.Kind(), Sample: a.sample(s.SpanS)})
		all.requests += a.requests
		all.incomplete += a.incomplete
		for m, n := range a.minutes {
			all.minutes[m] += n
		}
		if len(a.durations) > 0 {
			measured = append(measured, a.durations)
		}
	}
	switch len(measured) {
	case 1:
		all.durations = measured[0]
	case 2:
		all.durations = merge(measured[0], measured[1])
	}
	s.Sample = all.sample(s.SpanS)
	if len(measured) > 1 {
		s.Durations = nil
	}
	return s
}

// Fit summarises entries, with a [Fitter].
func Fit(entries []Entry) Summary {
	var f Fitter
	for _, e := range entries {
		f.Add(e)
	}
	return f.Summary()
}

// FitFiles parses the logs at paths (plain or gzip) with [ParseFile] and
// summarises them together. It stops at the first file that cannot be
// read or holds no entry.
func FitFiles(paths ...string) (Summary, error) {
	var f Fitter
	add := func(e Entry) error { f.Add(e); return nil }
	for _, p := range paths {
		st, err := ParseFile(p, add)
		if err != nil {
			return Summary{}, err
		}
		f.AddStats(st)
	}
	return f.Summary(), nil
}

// sample summarises an accumulator whose durations are sorted, over a
// span of seconds.
func (a *accumulator) sample(span float64) Sample {
	s := Sample{
		Requests:   a.requests,
		Incomplete: a.incomplete,
		Measured:   int64(len(a.durations)),
		Durations:  a.durations,
	}
	if span > 0 {
		s.RatePerS = float64(a.requests) / span
		peak := int64(0)
		for _, n := range a.minutes {
			peak = max(peak, n)
		}
		s.PeakRatePerS = max(float64(peak)/60, s.RatePerS)
	}
	d := a.durations
	if len(d) == 0 {
		return s
	}
	sum := 0.0
	for _, v := range d {
		sum += v
	}
	s.DurationMean = sum / float64(len(d))
	s.DurationP50 = quantile(d, 500, 1000)
	s.DurationP90 = quantile(d, 900, 1000)
	s.DurationP99 = quantile(d, 990, 1000)
	s.DurationP999 = quantile(d, 999, 1000)
	s.DurationMax = d[len(d)-1]
	s.fitLognormal()
	return s
}

// quantile returns the nearest-rank num/den quantile of the sorted,
// non-empty x: its ⌈n·num/den⌉-th smallest value, computed in integers so
// that p99 of 100 000 values is the 99 000th exactly.
func quantile(x []float64, num, den int) float64 {
	n := len(x)
	k := (n*num + den - 1) / den
	return x[min(max(k, 1), n)-1]
}

// merge returns the sorted union of the sorted a and b.
func merge(a, b []float64) []float64 {
	out := make([]float64, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if a[i] <= b[j] {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	return append(append(out, a[i:]...), b[j:]...)
}

// minuteOf returns t's minute since the Unix epoch.
func minuteOf(t time.Time) int64 {
	u := t.Unix()
	m := u / 60
	if u%60 < 0 {
		m--
	}
	return m
}
