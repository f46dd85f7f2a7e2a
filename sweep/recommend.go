package sweep

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/drainsim/drainsim/model"
)

// RuleOfThumbFactor is the seed article's rule: delay = p99 of the request
// duration × 1.25 (it quotes 1.2–1.3).
const RuleOfThumbFactor = 1.25

// Criteria say what a good delay is. A limit of 0 is not set; with none
// set, MaxDropped is DefaultMaxDropped. Every limit set must hold.
type Criteria struct {
	// MaxDropped bounds the upper end of the 95 % interval of dropped
	// requests and connections per replication (one scale-in run).
	MaxDropped float64
	// MaxExpectedDropped bounds the mean dropped per replication itself,
	// for planners who want the expected value.
	MaxExpectedDropped float64
	// MaxPAnyDrop bounds the upper end of the 95 % (Clopper–Pearson)
	// interval of the fraction of scale-ins that drop anything: "at most
	// 1 % of scale-ins may drop anything" is 0.01. Where
	// model.Config.ConditionalRule holds, [Recommend] bounds it instead
	// by conditional sampling (BettingMean95 of each replication's
	// probability of a drop given the requests in flight;
	// Row.ConditionallySampled).
	MaxPAnyDrop float64
	// DropCost is USD per dropped request, for the cost optimum.
	DropCost float64
	// MaxReplications is the most replications [Recommend] may run at one
	// delay while its verdict is undecided; at most the replications
	// asked for (0 included), it adds none.
	MaxReplications int
}

// Recommendation answers "which delay?" three ways, with the figures
// behind each. JSON names are part of drainsim's interface.
type Recommendation struct {
	Scenario string `json:"scenario"`
	// Replications is how many replications every delay got first;
	// MaxReplications the most one could get. Each row says how many it
	// got.
	Replications    int `json:"replications"`
	MaxReplications int `json:"max_replications"`
	// MaxDropped, MaxExpectedDropped and MaxPAnyDrop are the criteria
	// applied (0: not applied); Criterion says them in words.
	MaxDropped         float64 `json:"max_dropped"`
	MaxExpectedDropped float64 `json:"max_expected_dropped"`
	MaxPAnyDrop        float64 `json:"max_p_any_drop"`
	Criterion          string  `json:"criterion"`
	DropCost           float64 `json:"drop_cost"`
	// Status is "recommended", "undecided" (no delay certified, and some
	// delay's intervals still straddled a limit when its replications ran
	// out) or "none" (every delay fails).
	Status string `json:"status"`
	// BudgetSpent reports that some delay ended undecided at
	// MaxReplications.
	BudgetSpent bool `json:"budget_spent"`
	// Assumptions lists the values that move the numbers and whether
	// each was defaulted (model.Config.Assumptions).
	Assumptions []model.Assumption `json:"assumptions,omitempty"`
	// RecommendedDelayS is the smallest delay that meets the criteria
	// (Criteria.Judge), refined to the second by bisection between grid
	// points; null if no delay is certified.
	RecommendedDelayS *float64 `json:"recommended_delay_s"`
	Recommended       *Row     `json:"recommended"`
	// CostOptimalDelayS minimises instance cost + DropCost × dropped
	// (mean per replication), refined to the second around the best grid
	// point.
	CostOptimalDelayS float64 `json:"cost_optimal_delay_s"`
	CostOptimal       Row     `json:"cost_optimal"`
	// RuleOfThumbDelayS is p99 of the request duration × 1.25, rounded
	// up to a whole second (at most model.MaxDeregistrationDelay);
	// RequestP99S is that p99, the largest over all traffic classes
	// (requests and long-lived connections), 0 if there are none.
	RuleOfThumbDelayS float64 `json:"rule_of_thumb_delay_s"`
	RuleOfThumb       Row     `json:"rule_of_thumb"`
	RequestP99S       float64 `json:"request_p99_s"`
	// Explanation says in plain language why the three differ.
	Explanation []string `json:"explanation"`
	// Rows is the grid that was searched; Probes the other delays
	// evaluated (bisection, cost refinement, rule of thumb), by delay.
	Rows   []Row `json:"rows"`
	Probes []Row `json:"probes"`
	// RareEventSampling says, when some delay's drops were estimated by
	// importance sampling of the propagation lag (Row.ImportanceSampled),
	// at which delays and on what; empty otherwise.
	RareEventSampling string `json:"rare_event_sampling,omitempty"`
	// ConditionalSampling says, when some delay's P(any drop) was
	// estimated by conditional sampling (Row.ConditionallySampled), at
	// which delays, from how many replications, and on what; empty
	// otherwise.
	ConditionalSampling string `json:"conditional_sampling,omitempty"`
}

// MinReplications is the fewest replications a recommendation accepts: an
// interval needs two.
const MinReplications = 2

// Recommend sweeps the grid with reps replications per delay, then finds
// the smallest delay that meets the criteria: in increasing order it adds
// replications (doubling, up to c.MaxReplications) at each grid delay
// while its verdict is undecided, stops at the first that meets, and
// bisects to the second between it and the delay before, adapting each
// probe the same way. Every delay uses replications 0, 1, … (common random
// numbers). A delay whose intervals still straddle a limit when its
// budget is spent is undecided and never recommended (except by point
// estimate for a mean-only criterion). Where the propagation lag is
// random and a criterion on dropped per scale-in is set, a delay that its
// first reps replications do not show to fail is decided by replications
// that importance-sample the lag instead (model.RareLag; rows say so in
// ImportanceSampled, and RareEventSampling names the delays); if no delay is certified, the
// recommendation is null and Status says "undecided" or "none". The cost
// optimum is refined by a ternary search on whole seconds.
func Recommend(ctx context.Context, cfg *model.Config, delays []time.Duration, reps int, c Criteria, opts Options) (*Recommendation, error) {
	if len(delays) == 0 {
		return nil, fmt.Errorf("recommend: empty delay grid")
	}
	if reps < MinReplications {
		return nil, fmt.Errorf("recommend: %d replication per delay is not a statistic: a 95 %% interval needs at least %d (30 is the default)", reps, MinReplications)
	}
	if err := validCriteria(c); err != nil {
		return nil, err
	}
	delays = slices.Clone(delays)
	slices.Sort(delays)
	costs := Costs{DropCost: c.DropCost}
	ev := &evaluator{ctx: ctx, cfg: cfg, reps: reps, max: max(c.MaxReplications, reps), crit: c, costs: costs, opts: opts,
		outs: map[time.Duration][]Outcome{}, judged: map[time.Duration]Row{}}
	if useConditional(cfg, c) {
		// P(any drop) from each replication's conditional probability
		// of a drop (docs/sweeps.md, "Conditional sampling").
		ev.cond, ev.opts.Conditional = true, true
	}
	if err := ev.grow(delays, reps); err != nil {
		return nil, err
	}
	if applied := c.criteria(); ev.max > reps && (applied.MaxDropped > 0 || applied.MaxExpectedDropped > 0) {
		// Rare-event sampling of a random lag, for the replications
		// added (docs/sweeps.md, "Rare-event sampling"); Draws from the
		// removed targets a replication drains. A criterion on P(any
		// drop) alone does not need it: its exact Clopper–Pearson bound
		// does not depend on burst sizes, and is tighter than the
		// weighted one at the probabilities it is given (0.05 on
		// docs/sweeps.md's example: 45 s plain, 50 s weighted).
		draws := 0
		for _, outs := range ev.outs {
			for _, o := range outs {
				draws = max(draws, len(o.Drains))
			}
		}
		ev.rare, ev.rareOuts = rareLag(cfg, draws), map[time.Duration][]Outcome{}
	}
	applied := c.criteria()
	rec := &Recommendation{Scenario: cfg.Name, Replications: reps, MaxReplications: ev.max,
		MaxDropped: applied.MaxDropped, MaxExpectedDropped: applied.MaxExpectedDropped, MaxPAnyDrop: applied.MaxPAnyDrop,
		DropCost: c.DropCost, Criterion: c.Text(), Assumptions: cfg.Assumptions()}

	first := -1
	for i, d := range delays {
		r, ok, err := ev.ok(d)
		if err != nil {
			return nil, err
		}
		if ok {
			first = i
			break
		}
		if r.DroppedMean == 0 && ev.max > reps && ev.crit.Judge(r) == Undecided && ev.hopeless(d, r) {
			// Undecided and not one drop, with a budget that cannot
			// decide it: a longer delay, with the same bursts before it
			// to fear, cannot be decided by the same budget either.
			break
		}
	}
	if first >= 0 {
		lo, hi := delays[max(first-1, 0)], delays[first]
		for first > 0 && hi-lo > time.Second {
			mid := lo + ((hi - lo) / 2).Truncate(time.Second)
			if mid == lo {
				break // a grid not in whole seconds: no whole second between
			}
			_, ok, err := ev.ok(mid)
			if err != nil {
				return nil, err
			}
			if ok {
				hi = mid
			} else {
				lo = mid
			}
		}
		best := ev.final(hi)
		s := hi.Seconds()
		rec.RecommendedDelayS, rec.Recommended = &s, &best
		rec.Status = "recommended"
	} else if ev.spent {
		rec.Status = "undecided"
	} else {
		rec.Status = "none"
	}
	rec.BudgetSpent = ev.spent
	rows := make([]Row, len(delays))
	for i, d := range delays {
		rows[i] = ev.final(d)
	}
	rec.Rows = rows

	opt, err := costOptimum(ev, delays, rows)
	if err != nil {
		return nil, err
	}
	rec.CostOptimal, rec.CostOptimalDelayS = opt, opt.DelayS

	p99, _ := requestP99(cfg)
	rec.RequestP99S = p99
	rot := min(time.Duration(math.Ceil(p99*RuleOfThumbFactor))*time.Second, model.MaxDeregistrationDelay)
	if rec.RuleOfThumb, err = ev.row(rot); err != nil {
		return nil, err
	}
	rec.RuleOfThumbDelayS = rot.Seconds()
	for d := range ev.outs {
		if !slices.Contains(delays, d) {
			rec.Probes = append(rec.Probes, ev.final(d))
		}
	}
	slices.SortFunc(rec.Probes, func(a, b Row) int { return cmp.Compare(a.DelayS, b.DelayS) })
	// The closed-form expectation beside each row shown, once per delay.
	analytic := map[float64]Analytic{}
	set := func(r *Row) {
		a, ok := analytic[r.DelayS]
		if !ok {
			a = AnalyticOf(WithDelay(cfg, r.Delay()))
			analytic[r.DelayS] = a
		}
		r.AnalyticDropped, r.AnalyticDrainS = a.Dropped, a.DrainS
	}
	for _, rs := range [][]Row{rec.Rows, rec.Probes} {
		for i := range rs {
			set(&rs[i])
		}
	}
	for _, r := range []*Row{rec.Recommended, &rec.CostOptimal, &rec.RuleOfThumb} {
		if r != nil {
			set(r)
		}
	}
	rec.RareEventSampling = rareText(cfg, append(slices.Clone(rec.Rows), rec.Probes...))
	rec.Explanation = explain(cfg, rec)
	if rec.RareEventSampling != "" {
		rec.Explanation = append(rec.Explanation, rec.RareEventSampling)
	}
	shown := append(slices.Clone(rec.Rows), rec.Probes...)
	if rec.Recommended != nil {
		shown = append(shown, *rec.Recommended)
	}
	rec.ConditionalSampling = conditionalText(shown, reps)
	if rec.ConditionalSampling != "" {
		rec.Explanation = append(rec.Explanation, rec.ConditionalSampling)
	}
	if u := PerUnit(cfg); u != "scale-in" {
		// A replication is a day (or a horizon) of many scale-ins: every
		// "per scale-in" figure is per that.
		per := func(s string) string { return strings.ReplaceAll(s, "per scale-in", "per "+u) }
		rec.Criterion = per(rec.Criterion)
		for i := range rec.Explanation {
			rec.Explanation[i] = per(rec.Explanation[i])
		}
	}
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
		if third == 0 {
			break // a grid not in whole seconds
		}
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
		if cheaper(r, best) {
			best = r
		}
	}
	// Every delay evaluated on the way (the drop bound's bisection, too)
	// is a candidate: the cost curve need not be unimodal between grid
	// points, e.g. where idle keep-alive connections make draining run
	// the whole delay. The order of the map does not matter: cheaper is a
	// strict total order on (cost, delay).
	for d := range ev.outs {
		if r := ev.final(d); cheaper(r, best) {
			best = r
		}
	}
	return best, nil
}

// cheaper reports whether a costs less than b, or the same at a shorter
// delay.
func cheaper(a, b Row) bool {
	return a.TotalCostUSDMean < b.TotalCostUSDMean || (a.TotalCostUSDMean == b.TotalCostUSDMean && a.DelayS < b.DelayS)
}

// requestP99 is the largest p99 over all traffic classes, requests and
// long-lived connections alike, in seconds, and the name of that class:
// the rule of thumb must cover the slowest traffic a target serves (a
// 30 s stream class beside 3 s requests sets it at 38 s, not 4 s).
func requestP99(cfg *model.Config) (float64, string) {
	p, name := 0.0, ""
	for i := range cfg.Traffic {
		t := &cfg.Traffic[i]
		if q := t.Duration.Law(model.Source(0, 0, 0)).Quantile(0.99); q > p || name == "" {
			p, name = q, t.Name
		}
	}
	return p, name
}

// platformAdvice says, per platform, what keeps a target serving (or
// alive) until deregistration has propagated, and what precedes the kill.
var platformAdvice = map[model.PlatformType]struct{ refused, unreachable, killed string }{
	model.EC2: {
		refused:     "a deregistration delay or lifecycle hook longer than the lag",
		unreachable: "a deregistration delay or lifecycle hook longer than the lag",
		killed:      "lengthen shutdown_grace or the lifecycle hook",
	},
	model.ECS: {
		refused:     "an app.keep_accepting longer than the lag",
		unreachable: "a deregistration delay longer than the lag: the service stops a task only after it",
		killed:      "lengthen stop_timeout",
	},
	model.EKS: {
		refused:     "a preStop sleep longer than the lag",
		unreachable: "a preStop sleep longer than the lag, within termination_grace_period",
		killed:      "lengthen termination_grace_period",
	},
}

// causeAdvice says, for a cause that the delay does not control, what
// does on cfg's platform; "" for a cause with no advice.
func causeAdvice(cfg *model.Config, c model.Cause) string {
	pt := cfg.Platform.Type
	if pt == "" {
		pt = model.EC2
	}
	pa := platformAdvice[pt]
	if pt == model.ECS && cfg.Platform.Stop == model.StopTask {
		// StopTask skips the service's deregistration wait [ECS-CD].
		pa.refused = "scale the service in rather than StopTask"
		pa.unreachable = pa.refused
	}
	switch c {
	case model.CauseRefused:
		if pt == model.EC2 {
			// On EC2 the instance is terminated when the delay ends,
			// even while the data plane still routes to it.
			return "the instance was terminated when the delay ended while the load balancer still routed to it " +
				"(propagation lag); a delay longer than the lag avoids it: search longer delays"
		}
		return "requests routed during the propagation lag reached a target that had stopped listening; " +
			"no delay helps: keep the app serving until deregistration has propagated (" + pa.refused + ")"
	case model.CauseKilled:
		return "requests were still running when the process or instance was killed; " + pa.killed + ", or make requests shorter"
	case model.CauseKeepaliveRace:
		return "the app closes idle keep-alive connections the load balancer reuses; " +
			"set the app's keep-alive timeout above the load balancer's idle timeout"
	case model.CauseNoTarget:
		return "no target was left to route to: keep capacity while scaling in"
	case model.CauseUnhealthyReset:
		return "the NLB reset the flows of targets its health checks had failed"
	case model.CauseUnreachable:
		return "requests routed during the propagation lag reached a target whose instance, task or pod was already gone; " +
			"each waited for the load balancer's 10 s connect timeout (504) before the client could retry; keep it " +
			"alive until deregistration has propagated (" + pa.unreachable + ")"
	}
	return ""
}

// explain says in plain language why the three answers differ. Each
// sentence states only what holds for cfg and rec: the platform's own
// advice, the causes actually present, the slowest class.
func explain(cfg *model.Config, rec *Recommendation) []string {
	var out []string
	rot := rec.RuleOfThumb
	_, slowest := requestP99(cfg)
	what := "class " + slowest
	if len(cfg.Traffic) > 1 {
		what += " (the slowest)"
	}
	capped := ""
	if math.Ceil(rec.RequestP99S*RuleOfThumbFactor) > model.MaxDeregistrationDelay.Seconds() {
		capped = fmt.Sprintf(" (capped at the %gs maximum delay)", model.MaxDeregistrationDelay.Seconds())
	}
	out = append(out, fmt.Sprintf("Rule of thumb: p99 of %s %.1fs × %.2f = %gs%s, which drops %.3g per scale-in [%.3g, %.3g].",
		what, rec.RequestP99S, RuleOfThumbFactor, rec.RuleOfThumbDelayS, capped, rot.DroppedMean, rot.DroppedCI95[0], rot.DroppedCI95[1]))
	if rec.RecommendedDelayS == nil {
		last := rec.Rows[len(rec.Rows)-1]
		if rec.Status == "undecided" {
			out = append(out, fmt.Sprintf("Undecided: no delay up to %gs was certified to meet %s within %d replications per delay; the intervals still straddle the limit. Best estimate at %gs: %s. More replications (--max-replications) or a looser limit would decide.",
				last.DelayS, rec.Criterion, rec.MaxReplications, last.DelayS, rowFigures(last)))
			if last.Replications < rec.MaxReplications {
				out = append(out, fmt.Sprintf("At %gs the search stopped after %d replications: even if none of the rest, up to %d, dropped anything, the bound would still exceed the limit (drops come in bursts as large as those of the shorter delays).",
					last.DelayS, last.Replications, rec.MaxReplications))
			}
		} else {
			out = append(out, fmt.Sprintf("No delay up to %gs meets %s: at %gs, %s (%s).",
				last.DelayS, rec.Criterion, last.DelayS, rowFigures(last), causeText(last)))
		}
		for c := range model.NumCauses {
			if a := causeAdvice(cfg, c); a != "" && last.DroppedByCause[c.String()] > 0 {
				out = append(out, fmt.Sprintf("Cause %s (%.3g per scale-in at %gs): %s.", c, last.DroppedByCause[c.String()], last.DelayS, a))
			}
		}
	} else {
		r := rec.Recommended
		out = append(out, fmt.Sprintf("Recommended: %gs, the smallest delay that meets %s with 95%% confidence: %s; draining takes %.1fs on average (p95 %.1fs).",
			*rec.RecommendedDelayS, rec.Criterion, rowFigures(*r), r.DrainSMean, r.DrainSP95))
		if rec.BudgetSpent {
			out = append(out, fmt.Sprintf("Some shorter delays stayed undecided after %d replications: they may meet the criteria too, but could not be certified.", rec.MaxReplications))
		}
		switch {
		case *rec.RecommendedDelayS > rec.RuleOfThumbDelayS:
			out = append(out, "The rule of thumb is too short: "+tooShortText(cfg, rot))
		case *rec.RecommendedDelayS < rec.RuleOfThumbDelayS:
			out = append(out, fmt.Sprintf("The rule of thumb (%gs) is longer than the drop bound needs; %s", rec.RuleOfThumbDelayS, longerDelayText(cfg)))
		}
		if s := holdText(cfg, r); s != "" {
			out = append(out, s)
		}
	}
	if s := retriesText(rec); s != "" {
		out = append(out, s)
	}
	calm := zeroDropRow(rec)
	for _, c := range cfg.Traffic {
		if c.Kind != model.KindConnection {
			continue
		}
		l := c.Duration.Law(model.Source(0, 0, 0))
		if calm != nil {
			out = append(out, fmt.Sprintf("Long-lived connections (%s, median %.0fs) outlive most delays, yet at %gs no replication dropped anything: they were closed without a drop, and their clients must reconnect (with jitter).",
				c.Name, l.Quantile(0.5), calm.DelayS))
			continue
		}
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

// zeroDropRow is the shortest delay evaluated (grid or probe) at which no
// replication dropped anything, or nil.
func zeroDropRow(rec *Recommendation) *Row {
	var z *Row
	for _, rs := range [][]Row{rec.Rows, rec.Probes} {
		for i := range rs {
			if rs[i].Replications > 0 && rs[i].DroppedMean == 0 && (z == nil || rs[i].DelayS < z.DelayS) {
				z = &rs[i]
			}
		}
	}
	return z
}

// retriesText says when client retries hide failures: a row shown
// (recommended, cost-optimal, rule of thumb) whose load balancer logged
// more 5xx than the drops counted, because clients retried them. It is
// empty when no row shown does.
func retriesText(rec *Recommendation) string {
	var parts []string
	seen := map[float64]bool{}
	for _, r := range []*Row{rec.Recommended, &rec.CostOptimal, &rec.RuleOfThumb} {
		if r == nil || seen[r.DelayS] || r.RetriesMean <= 0 || r.ELB5xxMean <= r.DroppedMean {
			continue
		}
		seen[r.DelayS] = true
		parts = append(parts, fmt.Sprintf("at %gs, %.3g dropped but %.3g ELB 5xx and %.3g retries per scale-in", r.DelayS, r.DroppedMean, r.ELB5xxMean, r.RetriesMean))
	}
	if len(parts) == 0 {
		return ""
	}
	s := parts[0]
	for _, p := range parts[1:] {
		s += "; " + p
	}
	return "Retries hide failures: " + s + ". Clients retried the failed attempts, so they show in the load balancer's HTTPCode_ELB_5XX_Count and in latency, not as drops."
}

// longerDelayText says what a delay longer than needed costs.
func longerDelayText(cfg *model.Config) string {
	if c := cfg.IdleConnectionLifetime(); c > 0 {
		return fmt.Sprintf("draining ends once no request is in flight and the load balancer's idle keep-alive connections have closed (%gs after their last use), so a longer delay costs instance time up to that point.", c.Seconds())
	}
	return "draining ends once the last flow closes, so a longer delay costs instance time only while slow flows still run."
}

// holdText says what keeps targets draining at row r: requests still in
// flight, or idle keep-alive connections after the last request ended
// [ALB-TG] (docs/model.md, "Deregistration and draining"). It is empty
// when targets do not drain.
func holdText(cfg *model.Config, r *Row) string {
	if r.DrainSMean <= 0 {
		return ""
	}
	c := cfg.IdleConnectionLifetime().Seconds()
	hold := r.IdleHoldSMean
	if c == 0 || hold < 0.25*r.DrainSMean {
		return fmt.Sprintf("Targets drain for %.1fs on average (median %.1fs, max %.1fs), mostly waiting for requests in flight to finish.",
			r.DrainSMean, r.DrainSP50, r.DrainSMax)
	}
	return fmt.Sprintf("Targets drain for %.1fs on average (median %.1fs, max %.1fs), %.1fs of it after their last request ended: "+
		"idle keep-alive connections hold draining until they close, %gs after their last use (the shorter of the app's keep-alive timeout and the load balancer's idle timeout). "+
		"A shorter timeout would end draining sooner; an app keep-alive below the load balancer's idle timeout also causes the keep-alive race (about 1 in 20,000 requests).",
		r.DrainSMean, r.DrainSP50, r.DrainSMax, hold, c)
}

// rowFigures gives a row's drops, P(any drop) and replications in words.
func rowFigures(r Row) string {
	return fmt.Sprintf("dropped per scale-in %.3g [%.3g, %.3g], P(any drop) %.3g [%.3g, %.3g], %d replications",
		r.DroppedMean, r.DroppedCI95[0], r.DroppedCI95[1], r.PAnyDrop, r.PAnyDropCI95[0], r.PAnyDropCI95[1], r.Replications)
}

// tooShortText says why the rule-of-thumb row rot drops: requests cut
// when the delay expires (the tail of the request class most of whose
// requests outlast it), or the causes it actually has.
// classRate is class c's rate in requests/s; for a profile, its rate at
// the first scale-in; for closed-loop clients, N/(R+Z).
func classRate(cfg *model.Config, c *model.Traffic) float64 {
	if c.Clients > 0 {
		return c.ClosedLoopRate() // closed-loop clients: N/(R+Z)
	}
	if c.TimeVarying() && len(cfg.ScaleIn) > 0 {
		return c.RateAt(cfg.ScaleIn[0].At)
	}
	if c.TimeVarying() && cfg.Horizon > 0 {
		// No hand-placed scale-in (a scaling policy's day): the mean
		// rate over the horizon. c.Rate is 0 for a profile, and the
		// explanation once said "at 0 requests/s" on diurnal-api.
		return c.Expected(0, cfg.Horizon) / cfg.Horizon.Seconds()
	}
	return c.Rate
}

// rateText says at what rate classRate takes c: "N requests/s", or for a
// time-varying rate without a hand-placed scale-in "N requests/s (the
// mean over the horizon)".
func rateText(cfg *model.Config, c *model.Traffic) string {
	t := fmt.Sprintf("%d requests/s", int(math.Round(classRate(cfg, c))))
	if c.Clients == 0 && c.TimeVarying() && len(cfg.ScaleIn) == 0 && cfg.Horizon > 0 {
		t += " (the mean over the horizon)"
	}
	return t
}

func tooShortText(cfg *model.Config, rot Row) string {
	d := rot.DelayS
	if rot.DroppedByCause[model.CauseDelayExpired.String()] > 0 {
		best, frac := -1, 0.0
		for i, c := range cfg.Traffic {
			if c.Kind == model.KindConnection {
				continue
			}
			if f := classRate(cfg, &c) * (1 - c.Duration.Law(model.Source(0, 0, 0)).CDF(d)); best < 0 || f > frac {
				best, frac = i, f
			}
		}
		if best >= 0 {
			c := cfg.Traffic[best]
			l := c.Duration.Law(model.Source(0, 0, 0))
			return fmt.Sprintf("class %s has p99 %.1fs but p99.9 %.1fs; at %s a fraction %.2g of requests still outlasts %gs, and each of them is cut when the delay expires.",
				c.Name, l.Quantile(0.99), l.Quantile(0.999), rateText(cfg, &c), 1-l.CDF(d), d)
		}
		return "long-lived traffic outlasts it, and is cut when the delay expires."
	}
	if rot.DroppedMean == 0 {
		return fmt.Sprintf("no replication dropped anything at %gs, but %d replications cannot certify the criterion there.", d, rot.Replications)
	}
	return fmt.Sprintf("at %gs it drops %s per scale-in, none of it cut by the delay expiring.", d, causeText(rot))
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
