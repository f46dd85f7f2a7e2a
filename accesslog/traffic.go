package accesslog

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/drainsim/drainsim/model"
)

// TrafficOptions controls [Traffic] and [WriteTraffic]. The zero value
// names the classes "http" and "websocket", takes each class's suggested
// distribution and its mean rate.
type TrafficOptions struct {
	// Prefix is put before each class's name to name its traffic:
	// "api-" gives "api-http". Default "".
	Prefix string
	// Distribution is "lognormal" or "empirical" to use that law for
	// every class; "" (the default) takes each class's Suggested.
	Distribution string
	// PeakRate sets each class's rate to its busiest minute's
	// (PeakRatePerS) instead of its mean (RatePerS).
	PeakRate bool
}

// DurationsFile returns the name of the empirical durations file of the
// traffic named name: name + ".durations.txt".
func DurationsFile(name string) string { return name + ".durations.txt" }

// maxSeconds bounds the durations written to a scenario, well inside
// time.Duration's range (292 years).
const maxSeconds = 1e9

// Traffic returns one drainsim traffic class for each class of s that
// has durations (classes whose entries all lack one are left out), in
// the order of s.Classes.
//
// A lognormal class has Median and P99 from the fit, rounded to the
// microsecond. An empirical class has File [DurationsFile](name) and
// Samples set to the class's sorted durations (shared with s), which the
// caller writes to that file, next to the scenario, with
// [WriteDurations]. Traffic fails when no class has durations, when the
// log spans no time (so has no rate), when opts.Distribution is unknown,
// or when a lognormal is asked of a class whose durations are all equal.
func Traffic(s Summary, opts TrafficOptions) ([]model.Traffic, error) {
	_, ts, err := traffic(s, opts)
	return ts, err
}

// traffic returns the classes of s that have durations and their traffic.
func traffic(s Summary, opts TrafficOptions) ([]ClassSummary, []model.Traffic, error) {
	switch opts.Distribution {
	case "", model.LogNormal, model.Empirical:
	default:
		return nil, nil, fmt.Errorf("distribution must be lognormal, empirical or empty (got %q)", opts.Distribution)
	}
	var (
		cs []ClassSummary
		ts []model.Traffic
	)
	for _, c := range s.Classes {
		if c.Measured == 0 {
			continue
		}
		name := opts.Prefix + c.Class.String()
		rate := c.RatePerS
		if opts.PeakRate {
			rate = c.PeakRatePerS
		}
		if !(rate > 0) {
			return nil, nil, fmt.Errorf("traffic %s: no rate: the log spans %g s", name, s.SpanS)
		}
		t := model.Traffic{Name: name, Kind: c.Kind, Rate: rate}
		dist := opts.Distribution
		if dist == "" {
			dist = c.Suggested
		}
		switch dist {
		case model.LogNormal:
			if !(c.LognormalSigma > 0) {
				return nil, nil, fmt.Errorf("traffic %s: every duration is %g s; a lognormal needs some spread (use empirical)", name, c.DurationMax)
			}
			median, err := toDuration(c.LognormalMedian)
			if err != nil {
				return nil, nil, fmt.Errorf("traffic %s: median: %w", name, err)
			}
			p99, err := toDuration(c.LognormalP99)
			if err != nil {
				return nil, nil, fmt.Errorf("traffic %s: p99: %w", name, err)
			}
			p99 = max(p99, median+time.Microsecond)
			t.Duration = model.Distribution{Distribution: model.LogNormal, Median: median, P99: p99}
		default:
			t.Duration = model.Distribution{Distribution: model.Empirical, File: DurationsFile(name), Samples: c.Durations}
		}
		cs = append(cs, c)
		ts = append(ts, t)
	}
	if len(ts) == 0 {
		return nil, nil, errors.New("no traffic class has a duration: every entry has a processing time of -1")
	}
	return cs, ts, nil
}

// toDuration rounds seconds to the microsecond, and to at least 1 µs.
func toDuration(s float64) (time.Duration, error) {
	if !(s <= maxSeconds) {
		return 0, fmt.Errorf("%g s is longer than drainsim takes", s)
	}
	return max(time.Duration(math.Round(s*1e6))*time.Microsecond, time.Microsecond), nil
}

// WriteTraffic writes the [Traffic] of s as TOML [[traffic]] tables for a
// drainsim scenario, each after comments giving the figures it comes
// from. Durations are strings in seconds ("2.000963s"); an empirical
// class names its durations file, which the caller writes with
// [WriteDurations].
func WriteTraffic(w io.Writer, s Summary, opts TrafficOptions) error {
	cs, ts, err := traffic(s, opts)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Fitted from ALB access logs: %d entries from %s to %s (%s s).\n",
		s.Requests, s.Start.Format(time.RFC3339Nano), s.End.Format(time.RFC3339Nano), fmtG(s.SpanS))
	if s.MalformedLines > 0 {
		fmt.Fprintf(&b, "# %d malformed lines were skipped.\n", s.MalformedLines)
	}
	for i, t := range ts {
		c := cs[i]
		unit := "request"
		if c.Class == WebSocket {
			unit = "connection"
		}
		if c.Requests != 1 {
			unit += "s"
		}
		fmt.Fprintf(&b, "\n# %s: %d %s (%d without a duration); rate %s/s mean, %s/s in the busiest minute.\n",
			t.Name, c.Requests, unit, c.Incomplete, fmtG(c.RatePerS), fmtG(c.PeakRatePerS))
		fmt.Fprintf(&b, "# Durations: p50 %ss, p90 %ss, p99 %ss, p99.9 %ss, max %ss.\n",
			fmtG(c.DurationP50), fmtG(c.DurationP90), fmtG(c.DurationP99), fmtG(c.DurationP999), fmtG(c.DurationMax))
		if c.LognormalSigma > 0 {
			verdict := "fits"
			if c.KSD >= c.KSLimit {
				verdict = "does not fit"
			}
			fmt.Fprintf(&b, "# Lognormal fit: median %ss, p99 %ss; KS distance %s (limit %s): it %s.\n",
				fmtG(c.LognormalMedian), fmtG(c.LognormalP99), fmtG(c.KSD), fmtG(c.KSLimit), verdict)
		}
		b.WriteString("[[traffic]]\n")
		fmt.Fprintf(&b, "name = %s\n", tomlString(t.Name))
		fmt.Fprintf(&b, "kind = %s\n", tomlString(t.Kind))
		fmt.Fprintf(&b, "rate = %s\n", tomlFloat(t.Rate))
		d := t.Duration
		if d.Distribution == model.LogNormal {
			fmt.Fprintf(&b, "duration = { distribution = %q, median = %s, p99 = %s }\n",
				d.Distribution, tomlString(seconds(d.Median)), tomlString(seconds(d.P99)))
		} else {
			fmt.Fprintf(&b, "duration = { distribution = %q, file = %s }\n", d.Distribution, tomlString(d.File))
		}
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// WriteDurations writes durations in seconds, one per line, as drainsim
// reads an empirical distribution's file.
func WriteDurations(w io.Writer, durations []float64) error {
	bw := bufio.NewWriter(w)
	var buf []byte
	for _, d := range durations {
		buf = strconv.AppendFloat(buf[:0], d, 'f', -1, 64)
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// seconds formats d in seconds with a unit: "2.000963s".
func seconds(d time.Duration) string {
	// Whole nanoseconds as an exact decimal: d.Seconds() would print
	// float noise such as "1.9293230000000001s".
	neg := ""
	if d < 0 {
		neg, d = "-", -d
	}
	frac := strings.TrimRight(fmt.Sprintf("%09d", d%time.Second), "0")
	if frac == "" {
		return fmt.Sprintf("%s%ds", neg, d/time.Second)
	}
	return fmt.Sprintf("%s%d.%ss", neg, d/time.Second, frac)
}

// fmtG formats x with 4 significant digits, for comments.
func fmtG(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }

// tomlFloat formats x with 6 significant digits as a TOML float.
func tomlFloat(x float64) string {
	s := strconv.FormatFloat(x, 'g', 6, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// tomlString quotes s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\u%04X", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
