package accesslog

import (
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/drainsim/drainsim/model"
)

// RunWriter is a [model.Observer] that writes every attempt of a
// simulated run as an ALB access log line (with a [Writer]) when it ends:
// completed, failed at routing, or cut in flight. Attempts still in flight when the run stops are not written,
// as the load balancer writes a line only once a request ends.
//
// A run that starts stationary begins with requests and connections
// already in flight, which arrived before the simulation; the model
// reports their age, so their lines' request_creation_time is that
// arrival, before the run's start (docs/data.md).
//
// Pass it as model.RunOptions.Observer, then read Err, Lines and Early.
// [drainsim.Scenario.WriteAccessLog] does all of it.
type RunWriter struct {
	w       *Writer
	epoch   time.Time
	types   []string // per traffic class: http or ws
	reqs    []string // per traffic class: the request line
	start   time.Duration
	started bool // start is the first sample's time
	lines   int64
	early   int64 // lines of attempts in flight at a stationary start
	err     error // the first write error; nothing is written after it
}

var _ model.Observer = (*RunWriter)(nil)

// NewRunWriter returns an observer of cfg's run that writes to w, the
// simulation's start at epoch: a line's time is epoch plus the simulated
// time. Each traffic class's lines request /NAME (traffic0, traffic1, …
// for a class without a name); a connection class's are WebSockets (ws).
func NewRunWriter(w io.Writer, cfg *model.Config, epoch time.Time) *RunWriter {
	o := &RunWriter{w: NewWriter(w), epoch: epoch}
	for i, t := range cfg.Traffic {
		name := t.Name
		if name == "" {
			name = fmt.Sprintf("traffic%d", i)
		}
		typ := "http"
		if t.Kind == model.KindConnection {
			typ = "ws"
		}
		o.types = append(o.types, typ)
		o.reqs = append(o.reqs, "GET http://drainsim.example:80/"+url.PathEscape(name)+" HTTP/1.1")
	}
	return o
}

// Attempt writes the attempt's line.
func (o *RunWriter) Attempt(a model.AttemptRecord) {
	if o.err != nil {
		return
	}
	// The model samples the fleet at the start before anything ends; an
	// attempt that arrived before it was in flight at a stationary start
	// (the model reports its age, so its request_creation_time is
	// right).
	early := o.started && a.Arrived < o.start
	rec := attemptRecord(a, o.epoch, o.types[a.Class], o.reqs[a.Class], uint64(o.lines))
	o.err = o.w.Write(rec)
	if o.err == nil {
		o.lines++
		if early {
			o.early++
		}
	}
}

// Sample notes the time of the first sample, the start of the run.
func (o *RunWriter) Sample(s model.Sample) {
	if !o.started {
		o.start, o.started = s.At, true
	}
}

// attemptRecord converts one attempt into the access log record of the
// load balancer, of type typ (http or ws) with the given request line;
// seq numbers the attempts, for the client's address.
//
// Time is epoch + a.Ended and RequestCreated epoch + a.Arrived, so that
// the duration accesslog measures, Time − RequestCreated, is the
// attempt's. elb_status_code is a.Status(): 200 for a completed request,
// 503 when no target was chosen, 504 when the target was unreachable, 502
// for every other failure (an ALB; a CLB answers 504 for those). A
// WebSocket connection is logged as ALB logs it, 101 (Switching
// Protocols) from the load balancer, and from the target if it completed:
// one cut after it was established got its 101 before. The processing times follow
// AWS (aws-behaviour §6): for a completed attempt 0, the whole duration,
// 0; for an attempt that never reached its target (no_target, refused,
// keepalive_race) -1 -1 -1; for one the target closed early (cut in
// flight) 0 -1 -1. A failed attempt has no target status ("-").
func attemptRecord(a model.AttemptRecord, epoch time.Time, typ, request string, seq uint64) Record {
	rec := Record{
		Type:           typ,
		Time:           epoch.Add(a.Ended),
		RequestCreated: epoch.Add(a.Arrived),
		Client:         clientAddr(seq),
		Target:         targetAddr(a.Target),
		ELBStatus:      a.Status(),
		Request:        request,
		UserAgent:      "drainsim",
	}
	if typ == "ws" && a.Dispatched {
		rec.ELBStatus = 101
	}
	switch {
	case !a.Failed:
		rec.TargetProcessing = max(a.Ended-a.Arrived, 0).Seconds()
		rec.TargetStatus = rec.ELBStatus
	case a.Dispatched:
		rec.TargetProcessing, rec.ResponseProcessing = -1, -1
	default:
		rec.RequestProcessing, rec.TargetProcessing, rec.ResponseProcessing = -1, -1, -1
	}
	return rec
}

// targetAddr returns the address of the target with launch index i,
// 10.0.<i/256>.<i%256>:8080 (10.<i/65536>.… beyond 65535), or "-" for
// none (i < 0).
func targetAddr(i int) string {
	if i < 0 {
		return "-"
	}
	return fmt.Sprintf("10.%d.%d.%d:8080", i>>16, (i>>8)&0xff, i&0xff)
}

// clientAddr returns a client address from the documentation range
// 198.51.100.0/24 (RFC 5737) with an ephemeral port, varying with seq.
func clientAddr(seq uint64) string {
	return fmt.Sprintf("198.51.100.%d:%d", 1+seq%254, 1024+seq%64000)
}

// Err returns the first error writing a line; after it nothing more was
// written.
func (o *RunWriter) Err() error { return o.err }

// Lines returns how many lines were written.
func (o *RunWriter) Lines() int64 { return o.lines }

// Early returns how many of the lines are of attempts in flight at a
// stationary start (they arrived before it).
func (o *RunWriter) Early() int64 { return o.early }
