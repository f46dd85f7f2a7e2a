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
	// Means over the replications, seconds (see Outcome).
	ClientExcessS, DrainLagS, CutLagS, OvershootS float64
	RetriedOK                                     float64 // mean per replication
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
	r.Z = (r.Real.Mean - r.Sim.Mean) / math.Hypot(r.Real.SE, r.Sim.SE)
	n := float64(len(r.Real.Outcomes))
	for _, o := range r.Real.Outcomes {
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
	return r, nil
}

// Pooled is the z of the summed differences of rows (independent runs):
// Σ(real − sim) / sqrt(Σ(se_real² + se_sim²)).
func Pooled(rows []Row) float64 {
	var d, v float64
	for _, r := range rows {
		d += r.Real.Mean - r.Sim.Mean
		v += r.Real.SE*r.Real.SE + r.Sim.SE*r.Sim.SE
	}
	return d / math.Sqrt(v)
}

func ms(d time.Duration) string { return fmt.Sprintf("%g", float64(d)/1e6) }

// Table renders rows as Markdown.
func Table(rows []Row) string {
	var b strings.Builder
	b.WriteString("| case | mode | balance | N | λ (/s) | keep-alive | delay (ms) | reps | real cut ± SE | drainsim ± SE | z | seen dropped | silently retried | 502 | 503 | reset | EOF | client excess (ms) | API drain / cut (ms) | timer overshoot (ms) |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
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
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %g | %s | %s | %d | %.2f ± %.2f | %.3f ± %.3f | %+.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f / %.2f | %.2f |\n",
			c.Name, mode, c.Balance, c.Servers, c.Rate, ka, ms(c.Delay), c.Reps,
			r.Real.Mean, r.Real.SE, r.Sim.Mean, r.Sim.SE, r.Z, r.Real.Visible, r.RetriedOK,
			r.Status502, r.Status503, r.Resets, r.EOFs,
			r.ClientExcessS*1e3, r.DrainLagS*1e3, r.CutLagS*1e3, r.OvershootS*1e3)
	}
	return b.String()
}
