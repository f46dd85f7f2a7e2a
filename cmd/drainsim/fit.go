package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/drainsim/drainsim/accesslog"
	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/report"
)

// distributionAuto is the --distribution that takes each class's
// suggestion.
const distributionAuto = "auto"

type fitFlags struct {
	format       string
	traffic      string
	distribution string
	name         string
}

func newFitCmd() *cobra.Command {
	var f fitFlags
	cmd := &cobra.Command{
		Use:   "fit LOG...",
		Short: "Summarise ALB access logs and fit [[traffic]] classes to them",
		Long: `Fit reads Application Load Balancer access logs (plain or gzip, as AWS
delivers them, recognised by content) and prints, for HTTP requests (types
http, https, h2, grpcs: a "request" class) and WebSocket connections (ws,
wss: a "connection" class) separately: the number of entries, the arrival
rate (mean over the logs' span, and the busiest minute), the duration
percentiles p50, p90, p99, p99.9 and max, the maximum-likelihood lognormal
with its Kolmogorov–Smirnov distance, and the distribution to simulate
with: lognormal if the distance is under the limit, else empirical.

A duration is time − request_creation_time: from the load balancer
receiving the request to it sending the response (a WebSocket: from the
upgrade request to the connection closing). Entries with a processing
time of -1 (not dispatched, or the target closed the connection early)
have no duration; they count as requests.

The table ends with the [[traffic]] tables for a scenario. --traffic FILE
writes them to FILE instead (and, for an empirical class, its durations
file beside FILE, named after the class), each file written to a
temporary file and renamed. --format json prints the summary as JSON.

Malformed lines are skipped and counted; the first few are reported on
standard error as "file:line: msg". A log without a single entry is
skipped with a message; the exit status is 2 only if no log has one, or
if a log cannot be read.`,
		Example: `  drainsim fit logs/*.log.gz
  drainsim fit logs/*.log.gz --traffic traffic.toml --name api-
  drainsim fit access.log --format json --distribution empirical`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("fit needs at least one access log file")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runFit(cmd, args, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "table", "output `format`: table or json")
	fl.StringVar(&f.traffic, "traffic", "", "write the [[traffic]] tables to `FILE` (and empirical durations beside it) instead of printing them")
	fl.StringVar(&f.distribution, "distribution", distributionAuto, "duration `law` of the [[traffic]] tables: auto (each class's suggestion), lognormal or empirical")
	fl.StringVar(&f.name, "name", "", "`PREFIX` of the traffic names: api- gives api-http and api-websocket")
	return cmd
}

// check returns one usage error listing every bad flag, or nil.
func (f *fitFlags) check() (accesslog.TrafficOptions, error) {
	var bad []error
	if f.format != "table" && f.format != "json" {
		bad = append(bad, fmt.Errorf("invalid --format %q: must be table or json", f.format))
	}
	opts := accesslog.TrafficOptions{Prefix: f.name}
	switch f.distribution {
	case distributionAuto:
	case model.LogNormal, model.Empirical:
		opts.Distribution = f.distribution
	default:
		bad = append(bad, fmt.Errorf("invalid --distribution %q: must be auto, lognormal or empirical", f.distribution))
	}
	if strings.ContainsAny(f.name, "/\\\x00") {
		bad = append(bad, fmt.Errorf("invalid --name %q: the prefix names files too, so it must not hold a slash", f.name))
	}
	if f.traffic != "" {
		if err := checkOutputFile("--traffic", f.traffic); err != nil {
			bad = append(bad, err)
		}
	}
	if len(bad) > 0 {
		return opts, &usageError{errors.Join(bad...)}
	}
	return opts, nil
}

func runFit(cmd *cobra.Command, logs []string, f *fitFlags) error {
	opts, err := f.check()
	if err := errors.Join(err, duplicateLogs(logs)); err != nil {
		return joinUsage(err)
	}
	stderr := cmd.ErrOrStderr()
	s, err := fitLogs(stderr, logs)
	if err != nil {
		return err
	}

	// The [[traffic]] tables: into --traffic, else after the table.
	var toml bytes.Buffer
	trafficErr := accesslog.WriteTraffic(&toml, s, opts)
	if f.traffic != "" {
		if trafficErr != nil {
			return &inputError{err: fmt.Errorf("fit: no [[traffic]] tables for %s: %w", f.traffic, trafficErr)}
		}
		files, err := writeTraffic(f.traffic, toml.Bytes(), s, opts)
		if err != nil {
			return &runError{fmt.Errorf("write %s: %w", f.traffic, err)}
		}
		fmt.Fprintf(stderr, "drainsim: wrote %s\n", strings.Join(files, ", "))
	}

	var out bytes.Buffer
	if f.format == "json" {
		if err := report.WriteJSON(&out, s); err != nil {
			return &runError{fmt.Errorf("encode summary: %w", err)}
		}
	} else {
		writeFitTable(&out, logs, s)
		if f.traffic == "" {
			out.WriteByte('\n')
			if trafficErr != nil {
				fmt.Fprintf(&out, "# No [[traffic]] tables: %v.\n", trafficErr)
			} else {
				out.WriteString("# [[traffic]] tables for a scenario; --traffic FILE writes them (and any\n# empirical durations file beside FILE).\n")
				out.Write(toml.Bytes())
			}
		}
	}
	if _, err := cmd.OutOrStdout().Write(out.Bytes()); err != nil {
		return &runError{fmt.Errorf("write results: %w", err)}
	}
	return nil
}

// duplicateLogs returns a usage error naming every log given more than
// once — the same path, or another name of the same file (a link, a
// relative and an absolute path) — or nil: fit counts every line it
// reads, so a log read twice would double the rates (issue 11).
func duplicateLogs(logs []string) error {
	type seen struct {
		arg string
		fi  os.FileInfo
	}
	var (
		bad    []error
		firsts []seen
	)
	byPath := map[string]string{}
	for _, arg := range logs {
		p := filepath.Clean(arg)
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		if first, ok := byPath[p]; ok {
			bad = append(bad, fmt.Errorf("%s is given twice (as %s too): each log is read once, or its requests would count twice", arg, first))
			continue
		}
		byPath[p] = arg
		fi, err := os.Stat(arg)
		if err != nil {
			continue // reported when it is read
		}
		dup := false
		for _, s := range firsts {
			if os.SameFile(s.fi, fi) {
				bad = append(bad, fmt.Errorf("%s is the same file as %s: each log is read once, or its requests would count twice", arg, s.arg))
				dup = true
				break
			}
		}
		if !dup {
			firsts = append(firsts, seen{arg, fi})
		}
	}
	if len(bad) > 0 {
		return &usageError{errors.Join(bad...)}
	}
	return nil
}

// fitLogs parses and summarises the logs, reporting the first malformed
// lines and the logs without an entry on stderr. It fails, with an input
// error, when a log cannot be read or no log has an entry.
func fitLogs(stderr io.Writer, logs []string) (accesslog.Summary, error) {
	var (
		fit   accesslog.Fitter
		empty []error // the logs without an entry
	)
	add := func(e accesslog.Entry) error { fit.Add(e); return nil }
	entries := 0
	for _, path := range logs {
		st, err := accesslog.ParseFile(path, add)
		fit.AddStats(st)
		entries += st.Entries
		switch {
		case errors.Is(err, accesslog.ErrNoEntries):
			empty = append(empty, noEntries(st))
		case err != nil:
			return accesslog.Summary{}, &inputError{err: fmt.Errorf("fit: %w", err)}
		}
	}
	s := fit.Summary()
	for _, e := range s.Malformed {
		fmt.Fprintln(stderr, e)
	}
	if n := s.MalformedLines - len(s.Malformed); n > 0 {
		fmt.Fprintf(stderr, "drainsim: … and %d more malformed %s\n", n, nounFor(n, "line", "lines"))
	}
	if entries == 0 {
		return s, &inputError{err: errors.Join(empty...)}
	}
	for _, e := range empty {
		fmt.Fprintf(stderr, "drainsim: %v; skipped\n", e)
	}
	if s.MalformedLines > 0 {
		fmt.Fprintf(stderr, "drainsim: skipped %d malformed %s (of %d non-blank)\n", s.MalformedLines, nounFor(s.MalformedLines, "line", "lines"), entries+s.MalformedLines)
	}
	return s, nil
}

// noEntries describes a log without an entry.
func noEntries(st accesslog.Stats) error {
	switch {
	case st.Lines == 0:
		return fmt.Errorf("%s: %w: the file is empty", st.File, accesslog.ErrNoEntries)
	case st.MalformedLines == 0:
		return fmt.Errorf("%s: %w: %d blank %s", st.File, accesslog.ErrNoEntries, st.Lines, nounFor(st.Lines, "line", "lines"))
	}
	return fmt.Errorf("%s: %w: %d of %d %s malformed", st.File, accesslog.ErrNoEntries,
		st.MalformedLines, st.Lines, nounFor(st.Lines, "line is", "lines are"))
}

// nounFor returns one if n is 1, else many.
func nounFor(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// writeTraffic writes the [[traffic]] tables to path and the durations
// of each empirical class beside it, each atomically, and returns the
// names of the files written.
func writeTraffic(path string, tables []byte, s accesslog.Summary, opts accesslog.TrafficOptions) ([]string, error) {
	ts, err := accesslog.Traffic(s, opts)
	if err != nil {
		return nil, err
	}
	// The durations first, so that the tables never name a file that is
	// not there.
	var files []string
	for _, t := range ts {
		if t.Duration.Distribution != model.Empirical {
			continue
		}
		name := filepath.Join(filepath.Dir(path), t.Duration.File)
		err := writeFileAtomic(name, func(w io.Writer) error { return accesslog.WriteDurations(w, t.Duration.Samples) })
		if err != nil {
			return files, err
		}
		files = append(files, name)
	}
	if err := writeFileAtomic(path, func(w io.Writer) error { _, err := w.Write(tables); return err }); err != nil {
		return files, err
	}
	return append([]string{path}, files...), nil
}

// writeFitTable writes the summary s of logs as aligned text: the logs,
// their span and malformed lines, then one column per traffic class.
func writeFitTable(buf *bytes.Buffer, logs []string, s accesslog.Summary) {
	tw := tabwriter.NewWriter(buf, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "logs\t%s\n", strings.Join(logs, ", "))
	fmt.Fprintf(tw, "entries\t%d\n", s.Requests)
	fmt.Fprintf(tw, "malformed lines (skipped)\t%d\n", s.MalformedLines)
	fmt.Fprintf(tw, "span\t%s to %s (%s s)\n", s.Start.Format(time.RFC3339Nano), s.End.Format(time.RFC3339Nano), fixedDec(s.SpanS, 3))
	tw.Flush()

	rows := [][]string{{"class"}, {"kind"}}
	add := func(label string, cell func(c accesslog.ClassSummary) string) {
		row := []string{label}
		for _, c := range s.Classes {
			row = append(row, cell(c))
		}
		rows = append(rows, row)
	}
	for _, c := range s.Classes {
		rows[0] = append(rows[0], c.Class.String())
		rows[1] = append(rows[1], c.Kind)
	}
	secs := func(get func(c accesslog.ClassSummary) float64) func(c accesslog.ClassSummary) string {
		return func(c accesslog.ClassSummary) string {
			if c.Measured == 0 {
				return "-"
			}
			return fixedDec(get(c), 3)
		}
	}
	fitted := func(get func(c accesslog.ClassSummary) string) func(c accesslog.ClassSummary) string {
		return func(c accesslog.ClassSummary) string {
			if !(c.LognormalSigma > 0) {
				return "-"
			}
			return get(c)
		}
	}
	add("requests or connections", func(c accesslog.ClassSummary) string { return strconv.FormatInt(c.Requests, 10) })
	add("  without a duration (-1)", func(c accesslog.ClassSummary) string { return strconv.FormatInt(c.Incomplete, 10) })
	add("rate, mean (/s)", func(c accesslog.ClassSummary) string { return fixedDec(c.RatePerS, 3) })
	add("rate, busiest minute (/s)", func(c accesslog.ClassSummary) string { return fixedDec(c.PeakRatePerS, 3) })
	add("duration p50 (s)", secs(func(c accesslog.ClassSummary) float64 { return c.DurationP50 }))
	add("duration p90 (s)", secs(func(c accesslog.ClassSummary) float64 { return c.DurationP90 }))
	add("duration p99 (s)", secs(func(c accesslog.ClassSummary) float64 { return c.DurationP99 }))
	add("duration p99.9 (s)", secs(func(c accesslog.ClassSummary) float64 { return c.DurationP999 }))
	add("duration max (s)", secs(func(c accesslog.ClassSummary) float64 { return c.DurationMax }))
	add("lognormal fit: median (s)", fitted(func(c accesslog.ClassSummary) string { return fixedDec(c.LognormalMedian, 3) }))
	add("lognormal fit: p99 (s)", fitted(func(c accesslog.ClassSummary) string { return fixedDec(c.LognormalP99, 3) }))
	add("KS distance D (limit)", fitted(func(c accesslog.ClassSummary) string {
		return fixedDec(c.KSD, 4) + " (" + fixedDec(c.KSLimit, 4) + ")"
	}))
	add("suggested distribution", func(c accesslog.ClassSummary) string {
		if c.Suggested == "" {
			return "-"
		}
		return c.Suggested
	})

	buf.WriteByte('\n')
	tw = tabwriter.NewWriter(buf, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t")+"\t")
	}
	tw.Flush()
	trimTrailingSpaces(buf)
}

// trimTrailingSpaces removes the spaces tabwriter leaves at the ends of lines.
func trimTrailingSpaces(buf *bytes.Buffer) {
	lines := strings.SplitAfter(buf.String(), "\n")
	buf.Reset()
	for _, l := range lines {
		if t, ok := strings.CutSuffix(l, "\n"); ok {
			buf.WriteString(strings.TrimRight(t, " "))
			buf.WriteByte('\n')
			continue
		}
		buf.WriteString(l)
	}
}

// fixedDec formats x with prec decimals, without a minus sign on zero.
func fixedDec(x float64, prec int) string {
	s := strconv.FormatFloat(x, 'f', prec, 64)
	if strings.Trim(s, "-0.") == "" {
		return strings.TrimPrefix(s, "-")
	}
	return s
}
