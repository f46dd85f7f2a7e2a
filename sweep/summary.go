package sweep

import (
	"context"
	"slices"

	"github.com/drainsim/drainsim/model"
)

// Summary aggregates the replications of one scenario at one delay. Counts
// (Arrivals, Completed, Dropped, InFlight, DroppedByCause, Events) are
// totals over all replications; fields ending in Mean are per replication
// (per scale-in run), except the drain and idle-hold figures, which are per
// removed target.
type Summary struct {
	Scenario     string  `json:"scenario"`
	Seed         uint64  `json:"seed"`
	Replications int     `json:"replications"`
	DelayS       float64 `json:"deregistration_delay_s"`
	// Assumptions lists the values that move the numbers and whether
	// each was defaulted (model.Config.Assumptions).
	Assumptions []model.Assumption `json:"assumptions,omitempty"`
	Arrivals    int64              `json:"arrivals"`
	Completed   int64              `json:"completed"`
	Dropped     int64              `json:"dropped"`
	InFlight    int64              `json:"in_flight"`
	// DroppedMean is the mean number dropped per replication.
	DroppedMean float64 `json:"dropped_mean"`
	// DroppedCI95 is its 95 % interval (CountMean95); not Valid, and
	// null in JSON, with fewer than two replications.
	DroppedCI95 Interval `json:"dropped_ci95"`
	// DroppedByCause totals drops by cause name; every cause is present.
	DroppedByCause map[string]int64 `json:"dropped_by_cause"`
	// PAnyDrop is the fraction of replications that dropped anything.
	PAnyDrop float64 `json:"p_any_drop"`
	// DrainSMean, DrainSP50, DrainSP95 and DrainSMax are the mean, median,
	// 95th percentile and largest draining time per removed target,
	// seconds.
	DrainSMean float64 `json:"drain_s_mean"`
	DrainSP50  float64 `json:"drain_s_p50"`
	DrainSP95  float64 `json:"drain_s_p95"`
	DrainSMax  float64 `json:"drain_s_max"`
	// IdleHoldSMean is the mean time per removed target that idle
	// keep-alive connections held it in draining after its last request
	// ended, seconds.
	IdleHoldSMean float64 `json:"idle_hold_s_mean"`
	// ScaleInSMean is the mean time from a scaling decision to its last
	// termination, seconds, over all scale-in events.
	ScaleInSMean float64 `json:"scale_in_s_mean"`
	// CostUSDMean is the mean instance cost of the removed targets per
	// replication, USD.
	CostUSDMean float64 `json:"cost_usd_mean"`
	// CostBasis is model.Result.CostBasis: empty when CostUSDMean is the
	// removed instances' or tasks' own bill, "pod_share" on EKS (a pod's
	// share of its node, saved only if the cluster autoscaler or
	// Karpenter removes the node).
	CostBasis string `json:"cost_basis,omitempty"`
	// ELB5xx totals failed attempts as the load balancer logs them
	// (502/503/504, what HTTPCode_ELB_5XX_Count counts), retried or not.
	ELB5xx int64 `json:"elb_5xx"`
	// ELB502, ELB503 and ELB504 break ELB5xx down by status.
	ELB502 int64 `json:"elb_502"`
	ELB503 int64 `json:"elb_503"`
	ELB504 int64 `json:"elb_504"`
	// Resets totals the TCP resets NLB clients saw (an NLB answers no
	// 5xx).
	Resets int64 `json:"resets"`
	// ConnectionCuts totals established long-lived connections
	// (WebSockets, flows) cut with a cause; on an ALB or CLB they are not
	// 5xx, on an NLB they are also resets.
	ConnectionCuts int64 `json:"connection_cuts"`
	// Retries totals request attempts after the first.
	Retries int64 `json:"retries"`
	// Reconnects totals connections opened again by clients.
	Reconnects int64 `json:"reconnects"`
	// ReconnectPeakPerS is the highest reconnect rate (connections per
	// second over 100 ms windows) seen in any replication.
	ReconnectPeakPerS float64 `json:"reconnect_peak_per_s"`
	// Events is the number of engine events processed.
	Events  uint64         `json:"events"`
	Traffic []ClassSummary `json:"traffic"`
	// AnalyticDropped and AnalyticDrainS are the closed-form expectations
	// of DroppedMean and DrainSMean ([model.Config.Estimate]), null where
	// the formulas do not apply; AnalyticNote says why, or what is only
	// approximate, or is empty.
	AnalyticDropped Opt    `json:"analytic_dropped"`
	AnalyticDrainS  Opt    `json:"analytic_drain_s"`
	AnalyticNote    string `json:"analytic_note,omitempty"`

	// Dropped95 is the full estimate behind DroppedMean and DroppedCI95.
	Dropped95 Estimate `json:"-"`

	// ClosedLoop summarizes the closed-loop clients; nil (absent in
	// JSON) without any (closedloop.go).
	ClosedLoop *ClosedLoopSummary `json:"closed_loop,omitempty"`
	// Scaling summarizes the scale-ins and scale-outs of a run under a
	// scaling policy, scale-outs or rolling updates, with the whole
	// fleet's cost per day; nil (absent in JSON) otherwise.
	Scaling *ScalingSummary `json:"scaling,omitempty"`
	// Latency gives the latency of completed requests (a queued
	// request's wait included) when targets have a worker limit
	// (fleet.max_concurrency); nil (absent in JSON) otherwise.
	Latency *LatencySummary `json:"latency,omitempty"`
}

// LatencySummary is the latency, arrival at the target to completion, of
// the requests completed over all replications (model.Result.Latency
// merged), each quantile within 1 % (the histogram's bins).
type LatencySummary struct {
	Requests int64   `json:"requests"`
	P50S     float64 `json:"p50_s"`
	P99S     float64 `json:"p99_s"`
}

// summarizeLatency merges the replications' latency histograms, or
// returns nil if none has one or none completed a request.
func summarizeLatency(results []*model.Result) *LatencySummary {
	var h model.LatencyHistogram
	for _, r := range results {
		h.Merge(r.Latency)
	}
	if h.N == 0 {
		return nil
	}
	return &LatencySummary{Requests: h.N, P50S: h.Quantile(0.5).Seconds(), P99S: h.Quantile(0.99).Seconds()}
}

// ClassSummary totals one traffic class over all replications.
type ClassSummary struct {
	Name           string           `json:"name"`
	Kind           string           `json:"kind"`
	Arrivals       int64            `json:"arrivals"`
	Completed      int64            `json:"completed"`
	Dropped        int64            `json:"dropped"`
	DroppedMean    float64          `json:"dropped_mean"`
	DroppedByCause map[string]int64 `json:"dropped_by_cause"`
}

func causeMap(b *model.ByCause) map[string]int64 {
	m := make(map[string]int64, model.NumCauses)
	for c := range model.NumCauses {
		m[c.String()] = b[c]
	}
	return m
}

// Summarize aggregates results of the same configuration. Results are read
// in the order given, so the same results give the same bits.
func Summarize(cfg *model.Config, results []*model.Result) Summary {
	s := Summary{
		Scenario:     cfg.Name,
		Seed:         cfg.Seed,
		Replications: len(results),
		DelayS:       cfg.TargetGroup.DeregistrationDelay.Seconds(),
		Assumptions:  cfg.Assumptions(),
	}
	var byCause model.ByCause
	classes := make([]model.ClassResult, len(cfg.Traffic))
	dropped := make([]float64, len(results))
	var drains, holds, scaleIns []float64
	var cost float64
	any := 0
	for i, r := range results {
		s.Arrivals += r.Arrivals
		s.Completed += r.Completed
		s.Dropped += r.Dropped
		s.InFlight += r.InFlight
		s.Events += r.Events
		s.ELB5xx += r.ELB5xx
		s.ELB502 += r.ELB502
		s.ELB503 += r.ELB503
		s.ELB504 += r.ELB504
		s.Resets += r.Resets
		s.ConnectionCuts += r.ConnectionCuts
		s.Retries += r.Retries
		s.Reconnects += r.Reconnects
		s.ReconnectPeakPerS = max(s.ReconnectPeakPerS, r.ReconnectPeakPerS)
		for c := range byCause {
			byCause[c] += r.DroppedByCause[c]
		}
		for k, c := range r.Classes {
			cl := &classes[k]
			cl.Name, cl.Kind = c.Name, c.Kind
			cl.Arrivals += c.Arrivals
			cl.Completed += c.Completed
			cl.Dropped += c.Dropped
			for j := range cl.DroppedByCause {
				cl.DroppedByCause[j] += c.DroppedByCause[j]
			}
		}
		dropped[i] = float64(r.Dropped)
		if r.Dropped > 0 {
			any++
		}
		for _, t := range r.Removed {
			if d := t.DrainTime(); d >= 0 {
				drains = append(drains, d.Seconds())
			}
			if h := t.IdleHold(); h >= 0 {
				holds = append(holds, h.Seconds())
			}
		}
		for _, si := range r.ScaleIns {
			if d := si.Duration(); d >= 0 {
				scaleIns = append(scaleIns, d.Seconds())
			}
		}
		cost += r.CostUSD
	}
	s.Dropped95 = CountMean95(dropped)
	s.DroppedMean = s.Dropped95.Mean
	if s.Dropped95.Defined() {
		ci := interval(s.Dropped95)
		s.DroppedCI95 = Interval{Low: ci[0], High: ci[1], Valid: true}
	}
	s.DroppedByCause = causeMap(&byCause)
	n := float64(max(len(results), 1))
	s.PAnyDrop = float64(any) / n
	s.DrainSMean = Mean95(drains).Mean
	if len(drains) > 0 {
		s.DrainSP50, s.DrainSP95, s.DrainSMax = Quantile(drains, 0.5), Quantile(drains, 0.95), slices.Max(drains)
	}
	s.IdleHoldSMean = Mean95(holds).Mean
	s.ScaleInSMean = Mean95(scaleIns).Mean
	s.CostUSDMean = cost / n
	if len(results) > 0 {
		s.CostBasis = results[0].CostBasis
	}
	for _, c := range classes {
		s.Traffic = append(s.Traffic, ClassSummary{
			Name: c.Name, Kind: c.Kind,
			Arrivals: c.Arrivals, Completed: c.Completed, Dropped: c.Dropped,
			DroppedMean:    float64(c.Dropped) / n,
			DroppedByCause: causeMap(&c.DroppedByCause),
		})
	}
	s.ClosedLoop = summarizeClosedLoop(results)
	s.Scaling = summarizeScaling(cfg, results)
	s.Latency = summarizeLatency(results)
	a := AnalyticOf(cfg)
	s.AnalyticDropped, s.AnalyticDrainS, s.AnalyticNote = a.Dropped, a.DrainS, a.Note
	return s
}

// Run replicates cfg and summarizes it: what `drainsim run` prints.
func Run(ctx context.Context, cfg *model.Config, opts Options) (Summary, error) {
	res, err := Replicate(ctx, cfg, opts)
	if err != nil {
		return Summary{}, err
	}
	return Summarize(cfg, res), nil
}
