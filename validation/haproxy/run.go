package haproxy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Case is one validation setup: the real run and drainsim's equivalent use
// the same numbers. Times are real (wall-clock) durations; drainsim runs them
// multiplied by Scale (it takes whole seconds for the delay).
type Case struct {
	Name      string
	Mode      string  // "http" or "tcp"
	Balance   string  // HAProxy balance: "roundrobin", "random(1)", "random"
	Servers   int     // N; one is removed
	Rate      float64 // client arrivals per second (Poisson, open loop)
	Median    time.Duration
	P99       time.Duration // lognormal request or connection duration
	Warmup    time.Duration // scale-in at this time after the replication starts (empty start)
	Delay     time.Duration // deregistration delay (whole Scale-ths of a second)
	Tail      time.Duration // arrivals continue this long after the cut
	KeepAlive bool          // HTTP: clients reuse connections
	// Cut: what happens at expiry. HTTP always cuts (ALB). TCP: true is an
	// NLB with connection_termination; false keeps the flows until the
	// instance is terminated Hook after expiry (a lifecycle hook).
	Cut  bool
	Hook time.Duration
	Reps int
	Seed uint64
	// GoRetry, when above 0, models Go's transport's silent retry in
	// drainsim: a request cut on a reused connection is sent again at
	// once, with the same duration, to whatever server routing picks. It
	// is the fraction of requests sent on a reused connection
	// (traffic.idempotent), with retry attempts = 2 and a 1 ms backoff.
	GoRetry float64
}

// Scale is model seconds per real second: 10 real ms are 100 model ms, so a
// 0.1 s real delay is drainsim's whole second.
const Scale = 10

// Outcome is what the clients of one replication saw.
type Outcome struct {
	Arrivals int
	OK       int
	Dropped  int            // every request or connection that did not succeed
	ByKind   map[string]int // "503", "502", "reset", "eof", "timeout", "other"
	Retried  int            // requests Go's transport re-sent on its own (a second connection), whatever the end
	// RetriedOK counts the requests Go's transport re-sent on its own
	// and that then succeeded: cut by the scale-in, yet not seen as
	// dropped by the caller.
	RetriedOK int
	Reused    int // requests sent on a reused connection
	// Overheads, seconds.
	ClientExcessS float64 // mean (seen − asked) duration of the successful ones
	DrainLagS     float64 // runtime-API latency of "state drain"
	CutLagS       float64 // runtime-API latency of maint+shutdown
	OvershootS    float64 // cut sent after the planned time by this much (timer)
	// DelayErrS is how much longer than planned the server drained: the
	// moment the cut took effect (sent + half its round trip; for TCP
	// without cut, the kill) minus the moment the drain took effect,
	// minus Delay (and Hook).
	DelayErrS float64
	// Share is the fraction of the requests received before the drain
	// that went to s1 (1/N for a fair balance).
	Share float64
}

// lognormal draws in seconds from the law with that median and p99.
func lognormal(rng *rand.Rand, median, p99 time.Duration) float64 {
	mu := math.Log(median.Seconds())
	sigma := (math.Log(p99.Seconds()) - mu) / 2.3263478740408408
	return math.Exp(mu + sigma*rng.NormFloat64())
}

func classify(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	switch {
	case strings.Contains(s, "connection reset"):
		return "reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), strings.Contains(s, "EOF"):
		return "eof"
	case strings.Contains(s, "timeout"), strings.Contains(s, "deadline"):
		return "timeout"
	}
	return "other"
}

// Replicate runs one scale-in of server s1 on a running lab. It returns
// once the arrivals have stopped and the scale-in is done: s1 then holds
// nothing (its sessions were cut or killed), so the next replication may
// start while the requests on the other servers finish. wait blocks until
// every request has ended (bounded by a 20 s client timeout) and gives the
// outcome.
func (l *Lab) Replicate(ctx context.Context, c Case, rep int) (wait func() (Outcome, error)) {
	o := Outcome{ByKind: map[string]int{}}
	if _, err := l.Command("set server be/s1 state ready"); err != nil {
		return func() (Outcome, error) { return o, err }
	}
	rng := rand.New(rand.NewPCG(c.Seed, uint64(rep)))
	tr := l.transport(c.KeepAlive)
	client := &http.Client{Transport: tr, Timeout: 20 * time.Second}

	var (
		mu     sync.Mutex
		wg     sync.WaitGroup
		excess float64
		nOK    int
	)
	record := func(kind string, retried, reused bool, ex float64) {
		mu.Lock()
		defer mu.Unlock()
		if retried {
			o.Retried++
		}
		if reused {
			o.Reused++
		}
		if kind == "" {
			if retried {
				o.RetriedOK++
			}
			o.OK++
			excess += ex
			nOK++
			return
		}
		o.Dropped++
		o.ByKind[kind]++
	}
	doHTTP := func(d float64) {
		defer wg.Done()
		var conns atomic.Int32
		var reused atomic.Bool
		trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) {
			if conns.Add(1) == 1 && i.Reused {
				reused.Store(true)
			}
		}}
		url := fmt.Sprintf("http://%s/?d=%d", l.Frontend, int64(d*1e6))
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), "GET", url, nil)
		t0 := time.Now()
		resp, err := client.Do(req)
		kind := classify(err)
		if err == nil {
			_, rerr := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			switch {
			case resp.StatusCode != 200:
				kind = fmt.Sprint(resp.StatusCode)
			case rerr != nil:
				kind = classify(rerr)
			}
		}
		record(kind, conns.Load() > 1, reused.Load(), time.Since(t0).Seconds()-d)
	}
	doTCP := func(d float64) {
		defer wg.Done()
		t0 := time.Now()
		kind := func() string {
			cn, err := net.DialTimeout("tcp", l.Frontend, 2*time.Second)
			if err != nil {
				return classify(err)
			}
			defer cn.Close()
			cn.SetDeadline(time.Now().Add(20 * time.Second))
			if _, err := fmt.Fprintf(cn, "%d\n", int64(d*1e6)); err != nil {
				return classify(err)
			}
			line, err := bufio.NewReader(cn).ReadString('\n')
			if err != nil {
				return classify(err)
			}
			if line != "ok\n" {
				return "other"
			}
			return ""
		}()
		record(kind, false, false, time.Since(t0).Seconds()-d)
	}

	before := l.served()
	start := time.Now()
	cutAt := c.Warmup + c.Delay
	stopAt := cutAt + c.Hook + c.Tail
	// The scale-in runs on its own goroutine and timers, so a runtime-API
	// round trip never delays an arrival.
	adminErr := make(chan error, 1)
	go func() {
		adminErr <- func() error {
			time.Sleep(time.Until(start.Add(c.Warmup)))
			t := time.Now()
			if _, err := l.Command("set server be/s1 state drain"); err != nil {
				return err
			}
			o.DrainLagS = time.Since(t).Seconds()
			drained := t.Add(time.Since(t) / 2)
			var s1, all int64
			for i, n := range l.served() {
				if i == 0 {
					s1 = n - before[i]
				}
				all += n - before[i]
			}
			if all > 0 {
				o.Share = float64(s1) / float64(all)
			}
			time.Sleep(time.Until(start.Add(cutAt)))
			t = time.Now()
			o.OvershootS = t.Sub(start.Add(cutAt)).Seconds()
			if c.Mode == "http" || c.Cut {
				if _, err := l.Command("set server be/s1 state maint; shutdown sessions server be/s1"); err != nil {
					return err
				}
			} else {
				// NLB without connection termination: routing stops, flows
				// stay until the instance is terminated Hook later.
				if _, err := l.Command("set server be/s1 state maint"); err != nil {
					return err
				}
			}
			o.CutLagS = time.Since(t).Seconds()
			o.DelayErrS = (t.Sub(drained) + time.Since(t)/2 - c.Delay).Seconds()
			if c.Mode == "tcp" && !c.Cut {
				time.Sleep(time.Until(start.Add(cutAt + c.Hook)))
				o.DelayErrS = (time.Since(drained) - c.Delay - c.Hook).Seconds()
				l.killServer(1)
			}
			return nil
		}()
	}()
	var at float64
	for n := 0; n < 1_000_000; n++ {
		at += rng.ExpFloat64() / c.Rate
		d := lognormal(rng, c.Median, c.P99)
		if at >= stopAt.Seconds() {
			break
		}
		if err := ctx.Err(); err != nil {
			break
		}
		time.Sleep(time.Until(start.Add(time.Duration(at * 1e9))))
		o.Arrivals++
		wg.Add(1)
		if c.Mode == "http" {
			go doHTTP(d)
		} else {
			go doTCP(d)
		}
	}
	err := <-adminErr
	return func() (Outcome, error) {
		wg.Wait()
		if nOK > 0 {
			o.ClientExcessS = excess / float64(nOK)
		}
		return o, err
	}
}

// Measured is a case's real result over its replications.
type Measured struct {
	Case     Case
	Dropped  []float64 // per replication: Outcome.Dropped + Outcome.RetriedOK, every request the scale-in cut
	Mean, SE float64
	// Visible is the mean of Outcome.Dropped alone: what the callers saw
	// fail after Go's silent retries.
	Visible, VisibleSE float64
	Outcomes           []Outcome
}

// Measure starts a lab, runs c.Reps replications and stops it.
func Measure(ctx context.Context, c Case) (Measured, error) {
	m := Measured{Case: c}
	l, err := Start(LabConfig{Servers: c.Servers, Mode: c.Mode, Balance: c.Balance})
	if err != nil {
		return m, err
	}
	defer l.Close()
	if c.KeepAlive {
		// One replication, not counted, fills the client's connection
		// pool: the share of requests sent on a reused connection is then
		// the same before every scale-in, as for a long-running client
		// (with an empty pool at each start it grew during the
		// replication, and the requests the cut hits were reused more
		// often than the average over the replication).
		if _, err := l.Replicate(ctx, c, -1)(); err != nil {
			return m, err
		}
	}
	var vis []float64
	var waits []func() (Outcome, error)
	for r := range c.Reps {
		if err := ctx.Err(); err != nil {
			break
		}
		waits = append(waits, l.Replicate(ctx, c, r))
	}
	for r, wait := range waits {
		o, err := wait()
		if err != nil {
			return m, fmt.Errorf("%s rep %d: %w", c.Name, r, err)
		}
		m.Outcomes = append(m.Outcomes, o)
		m.Dropped = append(m.Dropped, float64(o.Dropped+o.RetriedOK))
		vis = append(vis, float64(o.Dropped))
	}
	if err := ctx.Err(); err != nil {
		return m, err
	}
	m.Mean, m.SE = meanSE(m.Dropped)
	m.Visible, m.VisibleSE = meanSE(vis)
	return m, nil
}

func meanSE(x []float64) (mean, se float64) {
	n := float64(len(x))
	if n == 0 {
		return 0, 0
	}
	for _, v := range x {
		mean += v
	}
	mean /= n
	if n < 2 {
		return mean, math.Inf(1)
	}
	var ss float64
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(ss / (n - 1) / n)
}
