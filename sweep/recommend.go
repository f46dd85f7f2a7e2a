package sweep

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/drainsim/drainsim/model"
)

// RuleOfThumbFactor is the seed article's rule: delay = p99 of the request
// duration × 1.25 (it quotes 1.2–1.3).
const RuleOfThumbFactor = 1.25

// Criteria say what a good delay is.
type Criteria struct {
	// MaxDropped is the most dropped requests and connections per
	// replication (one scale-in run) that is acceptable; the recommended
	// delay is the smallest whose upper 95 % bound is within it.
	MaxDropped float64
	// DropCost is USD per dropped request, for the cost optimum.
	DropCost float64
}

// Recommendation answers "which delay?" three ways, with the figures
// behind each. JSON names are part of drainsim's interface.
type Recommendation struct {
	Scenario     string  `json:"scenario"`
	Replications int     `json:"replications"`
	MaxDropped   float64 `json:"max_dropped"`
	DropCost     float64 `json:"drop_cost"`
	// Assumptions lists the values that move the numbers and whether
	// each was defaulted (model.Config.Assumptions).
	Assumptions []model.Assumption `json:"assumptions,omitempty"`
	// RecommendedDelayS is the smallest delay whose upper 95 % bound of
	// dropped per replication is ≤ MaxDropped, refined to the second by
	// bisection between grid points; null if no delay in the grid meets
	// it.
	RecommendedDelayS *float64 `json:"recommended_delay_s"`
	Recommended       *Row     `json:"recommended"`
	// CostOptimalDelayS minimises instance cost + DropCost × dropped
	// (mean per replication), refined to the second around the best grid
	// point.
	CostOptimalDelayS float64 `json:"cost_optimal_delay_s"`
	CostOptimal       Row     `json:"cost_optimal"`
	// RuleOfThumbDelayS is p99 of the request duration × 1.25, rounded
	// up to a whole second; RequestP99S is that p99 (the largest over
	// request classes, 0 if there are none).
	RuleOfThumbDelayS float64 `json:"rule_of_thumb_delay_s"`
	RuleOfThumb       Row     `json:"rule_of_thumb"`
	RequestP99S       float64 `json:"request_p99_s"`
	// Explanation says in plain language why the three differ.
	Explanation []string `json:"explanation"`
	// Rows is the grid that was searched.
	Rows []Row `json:"rows"`
}

// evaluator runs and caches rows at single delays.
type evaluator struct {
	ctx   context.Context
	cfg   *model.Config
	reps  int
	costs Costs
	opts  Options
	cache map[time.Duration]Row
}

func (e *evaluator) row(d time.Duration) (Row, error) {
	if r, ok := e.cache[d]; ok {
		return r, nil
	}
	rows, err := Delays(e.ctx, e.cfg, []time.Duration{d}, e.reps, e.costs, e.opts)
	if err != nil {
		return Row{}, err
	}
	e.cache[d] = rows[0]
	return rows[0], nil
}

// Recommend sweeps the grid, then refines the drop-bound answer by
// bisection and the cost optimum by a ternary search, both on whole
// seconds, reusing the same replications (common random numbers).
func Recommend(ctx context.Context, cfg *model.Config, delays []time.Duration, reps int, c Criteria, opts Options) (*Recommendation, error) {
	if len(delays) == 0 {
		return nil, fmt.Errorf("recommend: empty delay grid")
	}
	if c.MaxDropped < 0 || math.IsNaN(c.MaxDropped) || c.DropCost < 0 || math.IsNaN(c.DropCost) {
		return nil, fmt.Errorf("recommend: max dropped and drop cost must be non-negative")
	}
	delays = slices.Clone(delays)
	slices.Sort(delays)
	costs := Costs{DropCost: c.DropCost}
	rows, err := Delays(ctx, cfg, delays, reps, costs, opts)
	if err != nil {
		return nil, err
	}
	ev := &evaluator{ctx: ctx, cfg: cfg, reps: reps, costs: costs, opts: opts, cache: map[time.Duration]Row{}}
	for i, d := range delays {
		ev.cache[d] = rows[i]
	}
	rec := &Recommendation{Scenario: cfg.Name, Replications: reps, MaxDropped: c.MaxDropped, DropCost: c.DropCost, Rows: rows,
		Assumptions: cfg.Assumptions()}

	meets := func(r Row) bool { return r.DroppedCI95[1] <= c.MaxDropped }
	if i := slices.IndexFunc(rows, meets); i >= 0 {
		lo, hi := delays[max(i-1, 0)], delays[i]
		best := rows[i]
		for i > 0 && hi-lo > time.Second {
			mid := lo + ((hi - lo) / 2).Truncate(time.Second)
			r, err := ev.row(mid)
			if err != nil {
				return nil, err
			}
			if meets(r) {
				hi, best = mid, r
			} else {
				lo = mid
			}
		}
		s := hi.Seconds()
		rec.RecommendedDelayS, rec.Recommended = &s, &best
	}

	opt, err := costOptimum(ev, delays, rows)
	if err != nil {
		return nil, err
	}
	rec.CostOptimal, rec.CostOptimalDelayS = opt, opt.DelayS

	p99 := requestP99(cfg)
	rec.RequestP99S = p99
	rot := min(time.Duration(math.Ceil(p99*RuleOfThumbFactor))*time.Second, model.MaxDeregistrationDelay)
	if rec.RuleOfThumb, err = ev.row(rot); err != nil {
		return nil, err
	}
	rec.RuleOfThumbDelayS = rot.Seconds()
	rec.Explanation = explain(cfg, rec)
	return rec, nil
}

// costOptimum finds the grid row of least mean total cost (the smaller
// delay on ties) and refines it between its neighbours by ternary search
// on whole seconds.
func costOptimum(ev *evaluator, delays []time.Duration, rows []Row) (Row, error) {
	bi := 0
	for i, r := range rows {
		if r.TotalCostUSDMean < rows[bi].TotalCostUSDMean {
			bi = i
		}
	}
	best := rows[bi]
	lo, hi := delays[max(bi-1, 0)], delays[min(bi+1, len(delays)-1)]
	for hi-lo > 2*time.Second {
		third := ((hi - lo) / 3).Truncate(time.Second)
		m1, m2 := lo+third, hi-third
		r1, err := ev.row(m1)
		if err != nil {
			return Row{}, err
		}
		r2, err := ev.row(m2)
		if err != nil {
			return Row{}, err
		}
		if r1.TotalCostUSDMean <= r2.TotalCostUSDMean {
			hi = m2
		} else {
			lo = m1
		}
	}
	for d := lo; d <= hi; d += time.Second {
		r, err := ev.row(d)
		if err != nil {
			return Row{}, err
		}
		if r.TotalCostUSDMean < best.TotalCostUSDMean || (r.TotalCostUSDMean == best.TotalCostUSDMean && r.DelayS < best.DelayS) {
			best = r
		}
	}
	return best, nil
}

// requestP99 is the largest p99 over the request classes, in seconds; a
// scenario of connections only (an NLB's flows) applies the rule to them.
func requestP99(cfg *model.Config) float64 {
	p, any := 0.0, false
	for i := range cfg.Traffic {
		t := &cfg.Traffic[i]
		if t.Kind == model.KindConnection {
			continue
		}
		any = true
		p = math.Max(p, t.Duration.Law(model.Source(0, 0, 0)).Quantile(0.99))
	}
	if !any {
		for i := range cfg.Traffic {
			p = math.Max(p, cfg.Traffic[i].Duration.Law(model.Source(0, 0, 0)).Quantile(0.99))
		}
	}
	return p
}

// causeAdvice says, for a cause that the delay does not control, what
// does.
var causeAdvice = map[model.Cause]string{
	model.CauseRefused: "requests routed during the propagation lag reached a target that had stopped listening; " +
		"no delay helps: keep the app serving until deregistration has propagated (EKS: a preStop sleep longer than the lag; " +
		"ECS: scale the service in rather than StopTask)",
	model.CauseKilled: "requests were still running when the process or instance was killed; lengthen what precedes " +
		"the kill (ECS stop_timeout, EKS termination_grace_period, EC2 shutdown_grace or lifecycle hook) or make requests shorter",
	model.CauseKeepaliveRace: "the app closes idle keep-alive connections the load balancer reuses; " +
		"set the app's keep-alive timeout above the load balancer's idle timeout",
	model.CauseNoTarget:       "no target was left to route to: keep capacity while scaling in",
	model.CauseUnhealthyReset: "the NLB reset the flows of targets its health checks had failed",
}

func explain(cfg *model.Config, rec *Recommendation) []string {
	var out []string
	rot := rec.RuleOfThumb
	what := "request duration"
	if !slices.ContainsFunc(cfg.Traffic, func(t model.Traffic) bool { return t.Kind != model.KindConnection }) {
		what = "connection duration (no request class)"
	}
	out = append(out, fmt.Sprintf("Rule of thumb: p99 of "+what+" %.1fs × %.2f = %gs, which drops %.3g per scale-in [%.3g, %.3g].",
		rec.RequestP99S, RuleOfThumbFactor, rec.RuleOfThumbDelayS, rot.DroppedMean, rot.DroppedCI95[0], rot.DroppedCI95[1]))
	if rec.RecommendedDelayS == nil {
		last := rec.Rows[len(rec.Rows)-1]
		out = append(out, fmt.Sprintf("No delay up to %gs keeps the upper 95%% bound of dropped per scale-in within %g: at %gs it is %.3g (%s).",
			last.DelayS, rec.MaxDropped, last.DelayS, last.DroppedCI95[1], causeText(last)))
		for c := range model.NumCauses {
			a, ok := causeAdvice[c]
			if c == model.CauseRefused && (cfg.Platform.Type == "" || cfg.Platform.Type == model.EC2) {
				// On EC2 the instance is terminated when the delay ends,
				// even while the data plane still routes to it.
				a = "the instance was terminated when the delay ended while the load balancer still routed to it " +
					"(propagation lag); a delay longer than the lag avoids it: search longer delays"
			}
			if ok && last.DroppedByCause[c.String()] > 0 {
				out = append(out, fmt.Sprintf("Cause %s (%.3g per scale-in at %gs): %s.", c, last.DroppedByCause[c.String()], last.DelayS, a))
			}
		}
	} else {
		r := rec.Recommended
		out = append(out, fmt.Sprintf("Recommended: %gs, the smallest delay whose upper 95%% bound of dropped per scale-in (%.3g) is within %g; draining takes %.1fs on average (p95 %.1fs).",
			*rec.RecommendedDelayS, r.DroppedCI95[1], rec.MaxDropped, r.DrainSMean, r.DrainSP95))
		switch {
		case *rec.RecommendedDelayS > rec.RuleOfThumbDelayS:
			out = append(out, "The rule of thumb is too short: "+tailText(cfg, rec.RuleOfThumbDelayS))
		case *rec.RecommendedDelayS < rec.RuleOfThumbDelayS:
			out = append(out, fmt.Sprintf("The rule of thumb (%gs) is longer than the drop bound needs; on EC2 the Auto Scaling group terminates as soon as a target is empty, so the longer delay costs instance time only while slow requests still run.", rec.RuleOfThumbDelayS))
		}
	}
	for _, c := range cfg.Traffic {
		if c.Kind != model.KindConnection {
			continue
		}
		l := c.Duration.Law(model.Source(0, 0, 0))
		out = append(out, fmt.Sprintf("Long-lived connections (%s, median %.0fs) outlive most delays: they are cut whatever the delay, so clients must reconnect (with jitter) — the delay cannot save them.",
			c.Name, l.Quantile(0.5)))
	}
	o := rec.CostOptimal
	if rec.DropCost > 0 {
		out = append(out, fmt.Sprintf("Cost optimum at $%g per drop: %gs, total $%.4g per scale-in (instances $%.4g + drops $%.4g).",
			rec.DropCost, o.DelayS, o.TotalCostUSDMean, o.InstanceCostUSDMean, o.DropCostUSDMean))
	} else {
		out = append(out, fmt.Sprintf("With no cost per drop the cheapest delay is %gs: only instance time counts.", o.DelayS))
	}
	return out
}

// tailText describes the request duration tail beyond delay d.
func tailText(cfg *model.Config, d float64) string {
	for _, c := range cfg.Traffic {
		if c.Kind == model.KindConnection {
			continue
		}
		l := c.Duration.Law(model.Source(0, 0, 0))
		p99, p999 := l.Quantile(0.99), l.Quantile(0.999)
		return fmt.Sprintf("class %s has p99 %.1fs but p99.9 %.1fs; at %d requests/s a fraction %.2g of requests still outlasts %gs, and each of them is cut when the delay expires.",
			c.Name, p99, p999, int(c.Rate), 1-l.CDF(d), d)
	}
	return "long-lived traffic outlasts it."
}

func causeText(r Row) string {
	s := ""
	for c := range model.NumCauses {
		if v := r.DroppedByCause[c.String()]; v > 0 {
			if s != "" {
				s += ", "
			}
			s += fmt.Sprintf("%s %.3g", c, v)
		}
	}
	if s == "" {
		return "no drops"
	}
	return s
}
