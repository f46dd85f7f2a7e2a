package haproxy

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
)

// Row is one case's verdict: the real mean drops per scale-in against
// drainsim's, z in their combined standard error.
type Row struct {
	Case Case
	Real Measured
	Sim  Simulated
	Z    float64
	// Shift is the change in mean drops the measured timing error
	// (DelayErrS) causes: a server drained δ longer loses (λ/N)·P(S > D)·δ
	// fewer requests (d/dD of (λ/N)·E[(S − D)+]; P(S > D + Hook) for TCP
	// without cut). Z compares the real mean with drainsim's plus Shift.
	Shift, DelayErrS float64
	// ZRaw is Z without the shift.
	ZRaw float64
	// SE0 is the real mean's standard error under the hypothesis tested
	// (the real drops per scale-in have drainsim's law): drainsim's
	// per-replication SD / √reps. Z and ZRaw use it; ZSample uses the
	// real replications' own sample SE instead, which at a few tenths of
	// a drop per replication is itself noisy and shrinks with the count
	// observed (3 drops in 30 give 0.06 where 0.10 is expected).
	SE0, ZSample float64
	// Keep-alive only: drainsim with Go's silent retry modelled
	// (Case.GoRetry = the measured fraction of reused connections)
	// against the drops the callers saw, and its z.
	Reuse      float64
	SimVisible Simulated
	ZVisible   float64
	// Means over the replications, seconds (see Outcome).
	ClientExcessS, DrainLagS, CutLagS, OvershootS float64
	RetriedOK                                     float64 // mean per replication
	Share                                         float64 // s1's mean share of the requests before the drain
	Status503, Status502, Resets, EOFs            float64 // mean per replication
}

// Compare measures c on a real HAProxy and simulates it with simReps
// replications.
func Compare(ctx context.Context, c Case, simReps int) (Row, error) {
	r := Row{Case: c}
	var err error
	if r.Sim, err = Simulate(c, simReps); err != nil {
		return r, err
	}
	if r.Real, err = Measure(ctx, c); err != nil {
		return r, err
	}
	n := float64(len(r.Real.Outcomes))
	for _, o := range r.Real.Outcomes {
		r.DelayErrS += o.DelayErrS / n
		r.Share += o.Share / n
		r.ClientExcessS += o.ClientExcessS / n
		r.DrainLagS += o.DrainLagS / n
		r.CutLagS += o.CutLagS / n
		r.OvershootS += o.OvershootS / n
		r.RetriedOK += float64(o.RetriedOK) / n
		r.Status503 += float64(o.ByKind["503"]) / n
		r.Status502 += float64(o.ByKind["502"]) / n
		r.Resets += float64(o.ByKind["reset"]) / n
		r.EOFs += float64(o.ByKind["eof"]) / n
	}
	r.Shift = -c.Rate / float64(c.Servers) * survival(c, c.Delay+c.Hook) * r.DelayErrS
	r.SE0 = r.Sim.SD / math.Sqrt(n)
	r.ZRaw = (r.Real.Mean - r.Sim.Mean) / math.Hypot(r.SE0, r.Sim.SE)
	r.Z = (r.Real.Mean - r.Sim.Mean - r.Shift) / math.Hypot(r.SE0, r.Sim.SE)
	r.ZSample = (r.Real.Mean - r.Sim.Mean - r.Shift) / math.Hypot(r.Real.SE, r.Sim.SE)
	if c.KeepAlive {
		var reused, arrivals int
		for _, o := range r.Real.Outcomes {
			reused += o.Reused
			arrivals += o.Arrivals
		}
		r.Reuse = float64(reused) / float64(arrivals)
		c2 := c
		c2.GoRetry = r.Reuse
		if r.SimVisible, err = Simulate(c2, simReps); err != nil {
			return r, err
		}
		// The same timing shift, scaled to the share of cuts seen.
		seen := 1.0
		if r.Sim.Mean > 0 {
			seen = r.SimVisible.Mean / r.Sim.Mean
		}
		r.ZVisible = (r.Real.Visible - r.SimVisible.Mean - r.Shift*seen) / math.Hypot(r.SimVisible.SD/math.Sqrt(n), r.SimVisible.SE)
	}
	return r, nil
}

// survival is P(S > x) for the case's lognormal law.
func survival(c Case, x time.Duration) float64 {
	if x <= 0 {
		return 1
	}
	mu := math.Log(c.Median.Seconds())
	sigma := (math.Log(c.P99.Seconds()) - mu) / 2.3263478740408408
	return 0.5 * math.Erfc((math.Log(x.Seconds())-mu)/(sigma*math.Sqrt2))
}

// Pooled is the z of the summed differences of rows (independent runs):
// Σ(real − sim − shift) / sqrt(Σ(SE0² + se_sim²)).
func Pooled(rows []Row) float64 {
	var d, v float64
	for _, r := range rows {
		d += r.Real.Mean - r.Sim.Mean - r.Shift
		v += r.SE0*r.SE0 + r.Sim.SE*r.Sim.SE
	}
	return d / math.Sqrt(v)
}

func ms(d time.Duration) string { return fmt.Sprintf("%g", float64(d)/1e6) }

// Table renders rows as Markdown.
func Table(rows []Row) string {
	var b strings.Builder
	b.WriteString("| case | mode | balance | N | λ (/s) | keep-alive | delay (ms) | reps | s1 share | real cut ± SE (sample) | drainsim ± SE | timing δ (ms) → shift | z (raw) [sample SE] | seen dropped ± SE | drainsim with Go's retry (reused fraction) | z seen | silently retried | 502 | 503 | reset | EOF | client excess (ms) | API drain / cut (ms) | timer overshoot (ms) |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		c := r.Case
		ka := "no"
		if c.KeepAlive {
			ka = "yes"
		}
		mode := c.Mode
		if c.Mode == "tcp" {
			if c.Cut {
				mode = "tcp, cut at expiry"
			} else {
				mode = fmt.Sprintf("tcp, no cut, killed %s ms later", ms(c.Hook))
			}
		}
		retry, zv := "—", "—"
		if c.KeepAlive {
			retry = fmt.Sprintf("%.3f ± %.3f (%.2f)", r.SimVisible.Mean, r.SimVisible.SE, r.Reuse)
			zv = fmt.Sprintf("%+.2f", r.ZVisible)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %g | %s | %s | %d | %.3f | %.2f ± %.2f (%.2f) | %.3f ± %.3f | %.2f → %+.3f | %+.2f (%+.2f) [%+.2f] | %.2f ± %.2f | %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f / %.2f | %.2f |\n",
			c.Name, mode, c.Balance, c.Servers, c.Rate, ka, ms(c.Delay), c.Reps, r.Share,
			r.Real.Mean, r.SE0, r.Real.SE, r.Sim.Mean, r.Sim.SE, r.DelayErrS*1e3, r.Shift, r.Z, r.ZRaw, r.ZSample, r.Real.Visible, r.Real.VisibleSE, retry, zv, r.RetriedOK,
			r.Status502, r.Status503, r.Resets, r.EOFs,
			r.ClientExcessS*1e3, r.DrainLagS*1e3, r.CutLagS*1e3, r.OvershootS*1e3)
	}
	return b.String()
}
