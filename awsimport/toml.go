package awsimport

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// sections are the scenario's tables in the order written.
var sections = []struct{ name, header string }{
	{"", ""},
	{"load_balancer", "[load_balancer]"},
	{"target_group", "[target_group]"},
	{"health_check", "[health_check]"},
	{"platform", "[platform]"},
	{"platform.lifecycle_hook", "[platform.lifecycle_hook]"},
	{"fleet", "[fleet]"},
	{"traffic", "[[traffic]]"},
	{"scale_in", "[[scale_in]]"},
}

// HourlyRates is the mean rate per second in each UTC hour of the day
// over the window from the first datapoint, the diurnal profile; ok is
// false without datapoints.
func (r *Result) HourlyRates() (rates [24]float64, ok bool) {
	if len(r.Requests) == 0 {
		return rates, false
	}
	var sum, hours [24]float64
	for _, p := range r.Requests {
		sum[p.Time.Hour()] += p.Value
	}
	for t := r.Requests[0].Time.Truncate(time.Hour); t.Before(r.End); t = t.Add(time.Hour) {
		from, to := t, t.Add(time.Hour)
		if first := r.Requests[0].Time; from.Before(first) {
			from = first
		}
		if to.After(r.End) {
			to = r.End
		}
		hours[t.Hour()] += to.Sub(from).Seconds()
	}
	for h := range rates {
		if hours[h] > 0 {
			rates[h] = sum[h] / hours[h]
		}
	}
	return rates, true
}

// WriteRateCSV writes the per-minute series as "time,count,rate_per_s".
func (r *Result) WriteRateCSV(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "time,count,rate_per_s")
	for _, p := range r.Requests {
		fmt.Fprintf(bw, "%s,%s,%s\n", p.Time.Format(time.RFC3339), strconv.FormatFloat(p.Value, 'f', -1, 64), strconv.FormatFloat(p.Value/60, 'f', 4, 64))
	}
	return bw.Flush()
}

// WriteTOML writes the scenario, each value commented with its source.
// rateCSV names the side file holding the per-minute series ("" if none
// was written).
func (r *Result) WriteTOML(w io.Writer, rateCSV string) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	p("# drainsim scenario imported by `drainsim import` from target group %s\n", r.TargetGroupName)
	p("#   %s\n", r.TargetGroupARN)
	p("# in %s; CloudWatch read from %s to %s.\n", r.Region, r.Start.Format(time.RFC3339), r.End.Format(time.RFC3339))
	p("# Each value's comment names the API call and field it came from.\n")
	if len(r.Missing) > 0 {
		p("#\n# Not read, and the default used instead:\n")
		for _, m := range r.Missing {
			p("#   - %s = %s: %s\n", m.Key, m.Default, m.Why)
		}
	}
	if len(r.Notes) > 0 {
		p("#\n# Read, with no drainsim key, or observed (to compare with the simulation):\n")
		for _, n := range r.Notes {
			p("#   - %s\n", n)
		}
	}
	for _, s := range sections {
		var vs []Value
		for _, v := range r.Values {
			if v.Section == s.name {
				vs = append(vs, v)
			}
		}
		if len(vs) == 0 {
			continue
		}
		p("\n")
		if s.name == "traffic" {
			r.profileComment(p, rateCSV)
		}
		if s.header != "" {
			p("%s\n", s.header)
		}
		for _, v := range vs {
			p("%s = %s # %s\n", v.Key, v.TOML, oneLine(v.Source))
		}
	}
	return bw.Flush()
}

func (r *Result) profileComment(p func(string, ...any), rateCSV string) {
	rates, ok := r.HourlyRates()
	if ok {
		p("# Rate profile: the scenario takes the mean rate (a rate profile is issue #16).\n")
		p("# Mean requests per second by UTC hour of day, from the per-minute series:\n")
		for row := range 4 {
			p("#  ")
			for h := row * 6; h < row*6+6; h++ {
				p(" %02dh %-9s", h, strconv.FormatFloat(round(rates[h], 2), 'f', -1, 64))
			}
			p("\n")
		}
		if rateCSV != "" {
			p("# The per-minute series is in %s.\n", rateCSV)
		}
	}
	if f := r.Fit; f != nil {
		e := f.Errors()
		p("# Duration fit: lognormal mu %.4f sigma %.4f (ln seconds); observed p50 %s p90 %s p99 %s,\n",
			f.Mu, f.Sigma, secs(f.Observed[0]), secs(f.Observed[1]), secs(f.Observed[2]))
		p("#   fitted p50 %s p90 %s p99 %s: errors %+.1f%% %+.1f%% %+.1f%% (largest %.1f%%).\n",
			secs(f.Quantile(0.5)), secs(f.Quantile(0.9)), secs(f.Quantile(0.99)), e[0]*100, e[1]*100, e[2]*100, f.MaxError()*100)
	}
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }
