package drainsim

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/drainsim/drainsim/accesslog"
	"github.com/drainsim/drainsim/model"
)

// defaultLogEpoch is the simulation's start in an access log when
// AccessLogOptions.Epoch is zero, as `drainsim run --log-epoch` defaults.
var defaultLogEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// The range of AccessLogOptions.Epoch: a simulated span (at most 292
// years, the range of a time.Duration) from any epoch in it ends before
// the year 10000, so every logged time has a four-digit year.
var (
	minLogEpoch = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	maxLogEpoch = time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC)
)

// AccessLogOptions control [Scenario.WriteAccessLog]. The zero value
// logs replication 0 starting at 2026-01-01T00:00:00Z.
type AccessLogOptions struct {
	// Replication is which replication to run and log, 0 or more.
	Replication int
	// Epoch is the wall-clock time of the simulation's start; zero means
	// 2026-01-01T00:00:00Z (`drainsim run --log-epoch`'s default). It
	// must be within 1970-01-01T00:00:00Z–9000-01-01T00:00:00Z, so that
	// every logged time has a four-digit year.
	Epoch time.Time
}

// AccessLogStats says what [Scenario.WriteAccessLog] wrote.
type AccessLogStats struct {
	// Lines is how many lines were written, one per attempt that ended.
	Lines int64
	// InFlightAtStart is how many of them are of attempts in flight at a
	// stationary start, which arrived before it.
	InFlightAtStart int64
	// Result is the replication's result.
	Result *model.Result
}

// WriteAccessLog runs one replication of the scenario and writes its
// requests to w as ALB access log lines, as `drainsim run --access-log`
// does (without its gzip: wrap w in a gzip.Writer for that): one line per
// attempt when it ends, in AWS's format, which [accesslog.Parse] reads
// back and [accesslog.FitFile] fits. accesslog.RunWriter says how each
// attempt becomes a line (status codes, processing times, addresses).
//
// A network load balancer writes no HTTP access log: a scenario with
// one gives an *InvalidError for load_balancer.type, as does an invalid
// scenario or option. Write errors are returned as they are; what was
// written before stays written.
func (s *Scenario) WriteAccessLog(ctx context.Context, w io.Writer, o AccessLogOptions) (AccessLogStats, error) {
	if err := s.check(); err != nil {
		return AccessLogStats{}, err
	}
	if o.Replication < 0 {
		return AccessLogStats{}, fmt.Errorf("access log of %s: %w", s.name(), badOption("AccessLogOptions.Replication", "0 or more", o.Replication))
	}
	epoch := o.Epoch
	if epoch.IsZero() {
		epoch = defaultLogEpoch
	}
	if epoch.Before(minLogEpoch) || epoch.After(maxLogEpoch) {
		return AccessLogStats{}, fmt.Errorf("access log of %s: %w", s.name(),
			badOption("AccessLogOptions.Epoch", minLogEpoch.Format(time.RFC3339)+"–"+maxLogEpoch.Format(time.RFC3339), epoch.Format(time.RFC3339)))
	}
	if err := invalid(s.Config.Validate()); err != nil {
		return AccessLogStats{}, fmt.Errorf("access log of %s: %w", s.name(), err)
	}
	if s.Config.LoadBalancer.Type == model.NLB {
		msg := "a network load balancer writes no HTTP access log"
		return AccessLogStats{}, fmt.Errorf("access log of %s: %w", s.name(),
			&InvalidError{Problems: []*Error{{Key: "load_balancer.type", Msg: msg}}})
	}
	rw := accesslog.NewRunWriter(w, s.Config, epoch.UTC())
	res, err := model.RunWith(s.Config, o.Replication, model.RunOptions{Observer: rw, Context: ctx})
	st := AccessLogStats{Lines: rw.Lines(), InFlightAtStart: rw.Early(), Result: res}
	if err != nil {
		return st, fmt.Errorf("access log of %s: run replication %d: %w", s.name(), o.Replication, err)
	}
	return st, rw.Err()
}
