package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/sweep"
)

// defaultLogEpoch is the wall-clock time the simulation's start maps to
// in --access-log lines.
const defaultLogEpoch = "2026-01-01T00:00:00Z"

// observedReplication is the replication --access-log, --metrics and
// --timeline describe.
const observedReplication = 0

// runOutputsHelp is the part of run's help about the files it writes.
const runOutputsHelp = `

--access-log, --metrics and --timeline describe replication 0 only (the
first of the summary; run it again with another --seed to see another):
it is simulated once more with an observer, which changes nothing in it.
--access-log FILE writes an ALB access log line per attempt that ended
(a .gz name writes gzip), the simulation's start at --log-epoch; what was
in flight at a stationary start arrived before it: its
request_creation_time is that earlier arrival. See docs/data.md.
--metrics FILE writes CloudWatch's load balancer metrics per --period as
CSV; --timeline FILE.png (or .svg) plots what each target has in flight
and the 5xx per period around each scale-in, or, for a run under an
[autoscaling] policy (a day), the request rate, the fleet by target state
and the failed attempts per period over the whole horizon. Each file is written to a
temporary file and renamed. --stats reports the events simulated and the
wall time on standard error; standard output does not change.`

// runOutputs are the flags of run that write files describing one
// replication, and --stats.
type runOutputs struct {
	accessLog string
	logEpoch  string
	metrics   string
	timeline  string
	period    string
	stats     bool

	epoch time.Time     // logEpoch, parsed
	every time.Duration // period, parsed
}

func (o *runOutputs) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&o.accessLog, "access-log", "", "write replication 0's requests to `FILE` as ALB access log lines (gzip if FILE ends in .gz)")
	fl.StringVar(&o.logEpoch, "log-epoch", defaultLogEpoch, "with --access-log, the RFC 3339 `TIME` of the simulation's start, within 1970-01-01T00:00:00Z–9000-01-01T00:00:00Z")
	fl.StringVar(&o.metrics, "metrics", "", "write replication 0's CloudWatch metrics per period to `FILE` as CSV")
	fl.StringVar(&o.timeline, "timeline", "", "plot replication 0's in-flight requests per target and 5xx per period to `FILE` (.png or .svg)")
	fl.StringVar(&o.period, "period", "60s", "with --metrics or --timeline, the metrics period `P`, 1s–24h")
	fl.BoolVar(&o.stats, "stats", false, "report the events simulated and the wall time on standard error")
}

// The range of --log-epoch: a simulated span (at most 292 years, the
// range of a time.Duration) from any epoch in it ends before the year
// 10000, which RFC 3339 and the access log's format cannot write.
var (
	minLogEpoch = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	maxLogEpoch = time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC)
)

// maxPeriod is the largest --period: a day, far longer than a scale-in,
// whose drops a longer period would only blur.
const maxPeriod = 24 * time.Hour

// check checks the values of the flags and returns one usage error
// listing every bad one, or nil.
func (o *runOutputs) check(cmd *cobra.Command) error {
	fl := cmd.Flags()
	var bad []error
	if o.accessLog != "" {
		if err := checkOutputFile("--access-log", o.accessLog); err != nil {
			bad = append(bad, err)
		}
	}
	if fl.Changed("log-epoch") && o.accessLog == "" {
		bad = append(bad, errors.New("--log-epoch needs --access-log"))
	}
	t, err := time.Parse(time.RFC3339Nano, o.logEpoch)
	if err != nil {
		bad = append(bad, fmt.Errorf("invalid --log-epoch %q: want an RFC 3339 time such as %s", o.logEpoch, defaultLogEpoch))
	}
	if err == nil && (t.Before(minLogEpoch) || t.After(maxLogEpoch)) {
		bad = append(bad, fmt.Errorf("invalid --log-epoch %s: must be within %s–%s, so that every logged time is a four-digit year", o.logEpoch, minLogEpoch.Format(time.RFC3339), maxLogEpoch.Format(time.RFC3339)))
	}
	o.epoch = t.UTC()
	if o.metrics != "" {
		if err := checkOutputFile("--metrics", o.metrics); err != nil {
			bad = append(bad, err)
		}
	}
	if o.timeline != "" {
		if err := checkOutputFile("--timeline", o.timeline); err != nil {
			bad = append(bad, err)
		} else if timelineFormat(o.timeline) == "" {
			bad = append(bad, fmt.Errorf("invalid --timeline %s: the name must end in .png or .svg", o.timeline))
		}
	}
	if fl.Changed("period") && o.metrics == "" && o.timeline == "" {
		bad = append(bad, errors.New("--period needs --metrics or --timeline"))
	}
	d, err := time.ParseDuration(o.period)
	switch {
	case err != nil:
		if _, ferr := strconv.ParseFloat(o.period, 64); ferr == nil {
			bad = append(bad, fmt.Errorf("invalid --period %q: a duration needs a unit, such as %ss", o.period, o.period))
		} else {
			bad = append(bad, fmt.Errorf("invalid --period %q: not a duration; use one such as 60s or 10s", o.period))
		}
	case d < time.Second || d > maxPeriod:
		bad = append(bad, fmt.Errorf("invalid --period %s: must be 1s–24h", o.period))
	}
	o.every = d
	if len(bad) > 0 {
		return &usageError{errors.Join(bad...)}
	}
	return nil
}

// checkScenario checks that the scenario suits the flags: an access log
// is an ALB's (or a CLB's, which has the same fields up to the ALB's
// additions); an NLB logs only TLS connections, in another format.
func (o *runOutputs) checkScenario(arg string, cfg *model.Config) error {
	if o.accessLog != "" && cfg.LoadBalancer.Type == model.NLB {
		return usagef("invalid --access-log: %s has a network load balancer, which writes no HTTP access log", arg)
	}
	return nil
}

// observe runs replication 0 again for the files the flags ask for,
// writes them and, with --stats, reports the work on stderr: the
// replications of the summary s, which took wall, and the runs here.
func (o *runOutputs) observe(cmd *cobra.Command, cfg *model.Config, s sweep.Summary, wall time.Duration, workers int) error {
	stderr := cmd.ErrOrStderr()
	if o.stats {
		if workers == 0 {
			workers = runtime.GOMAXPROCS(0)
		}
		fmt.Fprintf(stderr, "drainsim: stats: %d %s, %d events in %s (%s events/s, %d %s)\n",
			s.Replications, nounFor(s.Replications, "replication", "replications"), s.Events,
			wall.Round(time.Microsecond), rate(s.Events, wall), min(workers, s.Replications), nounFor(min(workers, s.Replications), "worker", "workers"))
	}
	if o.accessLog != "" {
		start := time.Now()
		res, n, err := writeAccessLog(o.accessLog, cfg, observedReplication, o.epoch)
		if err != nil {
			return &runError{fmt.Errorf("write %s: %w", o.accessLog, err)}
		}
		fmt.Fprintf(stderr, "drainsim: wrote %s: %d %s of replication %d", o.accessLog, n.lines, nounFor(int(n.lines), "line", "lines"), observedReplication)
		if n.early > 0 {
			fmt.Fprintf(stderr, " (%d of them in flight at the stationary start)", n.early)
		}
		fmt.Fprintln(stderr)
		o.report(stderr, "--access-log", res, time.Since(start))
	}
	if o.metrics != "" || o.timeline != "" {
		start := time.Now()
		res, files, err := writeMetrics(cmd.Context(), o.metrics, o.timeline, cfg, observedReplication, o.every)
		if err != nil {
			return &runError{err}
		}
		fmt.Fprintf(stderr, "drainsim: wrote %s of replication %d\n", strings.Join(files, ", "), observedReplication)
		var flags []string
		if o.metrics != "" {
			flags = append(flags, "--metrics")
		}
		if o.timeline != "" {
			flags = append(flags, "--timeline")
		}
		o.report(stderr, strings.Join(flags, " and "), res, time.Since(start))
	}
	return nil
}

// report prints the stats of a run made for flag: its events and the
// wall time of simulating it and writing its files together.
func (o *runOutputs) report(w io.Writer, flag string, res *model.Result, wall time.Duration) {
	if !o.stats {
		return
	}
	fmt.Fprintf(w, "drainsim: stats: %s: replication %d simulated again (%d events) and written in %s\n",
		flag, res.Replication, res.Events, wall.Round(time.Microsecond))
}

// rate formats events per second of wall time with 3 significant digits.
func rate(events uint64, wall time.Duration) string {
	if wall <= 0 {
		return "-"
	}
	r := float64(events) / wall.Seconds()
	switch {
	case r >= 1e6:
		return fmt.Sprintf("%.3gM", r/1e6)
	case r >= 1e3:
		return fmt.Sprintf("%.3gk", r/1e3)
	}
	return fmt.Sprintf("%.3g", r)
}

// checkOutputFile checks that a file can be written at path: it is not
// a directory and its directory exists.
func checkOutputFile(flag, path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("invalid %s %s: is a directory, not a file", flag, path)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("invalid %s %s: directory %s does not exist", flag, path, dir)
	case err != nil:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("invalid %s %s: %w", flag, path, err)
	case !fi.IsDir():
		return fmt.Errorf("invalid %s %s: %s is not a directory", flag, path, dir)
	}
	return nil
}
