package sweep

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/model"
)

// small is a fast scenario: 2 targets, 20 requests/s with a lognormal tail
// (median 1 s, p99 10 s), one target removed after a 2-minute warm-up
// (many times the p99.9 of ≈ 16 s).
func small() *model.Config {
	c := model.Default()
	c.Name = "small"
	c.Fleet = model.Fleet{Targets: 2, PricePerHour: 0.1}
	c.Traffic = []model.Traffic{{Name: "api", Rate: 20, Duration: model.Distribution{
		Distribution: model.LogNormal, Median: time.Second, P99: 10 * time.Second}}}
	c.ScaleIn = []model.ScaleIn{{At: 2 * time.Minute, Targets: 1}}
	// No propagation lag: these tests are about the sweep's mechanics and
	// the delay's own drops, not the ALB's default lag.
	c.LoadBalancer.PropagationDelay = model.ConstantLag(0)
	return &c
}

// With common random numbers, replication r sees the same arrivals,
// durations and routing at every delay, so what is in flight at expiry can
// only shrink as the delay grows: dropped-at-expiry is non-increasing in the
// delay for every single replication, not just on average.
func TestCommonRandomNumbersMonotone(t *testing.T) {
	cfg := small()
	// Without a propagation lag: with one, a short delay terminates the
	// target while it is still routed and its late requests are refused
	// rather than cut at expiry, so delay_expired alone is not monotone.
	cfg.LoadBalancer.PropagationDelay = model.ConstantLag(0)
	cfg.Traffic = append(cfg.Traffic, model.Traffic{Name: "ws", Kind: model.KindConnection, Rate: 0.2,
		Duration: model.Distribution{Distribution: model.Exponential, Mean: 40 * time.Second}})
	delays, err := ParseDelays("0s:60s:5s")
	require.NoError(t, err)
	for r := range 30 {
		prev := int64(-1)
		var prevArrivals int64
		for i, d := range delays {
			res, err := model.Run(WithDelay(cfg, d), r)
			require.NoError(t, err)
			got := res.DroppedByCause[model.CauseDelayExpired]
			if i > 0 {
				assert.LessOrEqual(t, got, prev, "replication %d: dropped at expiry rose from %d to %d at %v", r, prev, got, d)
				// Arrivals up to the decision are identical; later ones
				// differ only because the run lasts longer.
				assert.GreaterOrEqual(t, res.Arrivals, prevArrivals)
			}
			prev, prevArrivals = got, res.Arrivals
		}
	}
}

func TestDelaysIndependentOfWorkers(t *testing.T) {
	cfg := small()
	delays := []time.Duration{0, 5 * time.Second, 30 * time.Second}
	var outs [][]byte
	for _, w := range []int{1, 2, 7} {
		rows, err := Delays(context.Background(), cfg, delays, 12, Costs{DropCost: 0.5}, Options{Workers: w})
		require.NoError(t, err)
		require.Len(t, rows, 3)
		b, err := json.Marshal(rows)
		require.NoError(t, err)
		outs = append(outs, b)
	}
	assert.Equal(t, string(outs[0]), string(outs[1]))
	assert.Equal(t, string(outs[0]), string(outs[2]))
}

func TestMakeRow(t *testing.T) {
	cfg := small()
	rows, err := Delays(context.Background(), cfg, []time.Duration{10 * time.Second}, 8, Costs{DropCost: 2}, Options{})
	require.NoError(t, err)
	r := rows[0]
	res, err := Replicate(context.Background(), WithDelay(cfg, 10*time.Second), Options{})
	require.NoError(t, err)
	require.Len(t, res, 1)
	// Recompute a few figures by hand from the per-replication results.
	var dropped, cost, anyDrop float64
	var events uint64
	for rep := range 8 {
		x, err := model.Run(WithDelay(cfg, 10*time.Second), rep)
		require.NoError(t, err)
		dropped += float64(x.Dropped)
		cost += x.CostUSD
		events += x.Events
		if x.Dropped > 0 {
			anyDrop++
		}
	}
	assert.Equal(t, 10.0, r.DelayS)
	assert.Equal(t, 8, r.Replications)
	assert.InDelta(t, dropped/8, r.DroppedMean, 1e-12)
	assert.InDelta(t, anyDrop/8, r.PAnyDrop, 1e-12)
	assert.InDelta(t, cost/8, r.InstanceCostUSDMean, 1e-12)
	assert.InDelta(t, 2*dropped/8, r.DropCostUSDMean, 1e-12)
	assert.InDelta(t, cost/8+2*dropped/8, r.TotalCostUSDMean, 1e-12)
	assert.Equal(t, events, r.Events)
	assert.LessOrEqual(t, r.DroppedCI95[0], r.DroppedMean)
	assert.GreaterOrEqual(t, r.DroppedCI95[1], r.DroppedMean)
	assert.LessOrEqual(t, r.DrainSMean, 10.0)
	assert.LessOrEqual(t, r.DrainSP95, 10.0)
	var byCause float64
	for _, v := range r.DroppedByCause {
		byCause += v
	}
	assert.InDelta(t, r.DroppedMean, byCause, 1e-9)
	require.Len(t, r.DroppedByClass, 1)
	assert.InDelta(t, r.DroppedMean, r.DroppedByClass[0].DroppedMean, 1e-12)
}

func TestRecommend(t *testing.T) {
	cfg := small()
	delays, err := ParseDelays("0s:60s:20s")
	require.NoError(t, err)
	const reps = 20
	// 20 replications alone cannot certify a mean of 1 when drops come
	// in bursts of about 20 (P(any drop) would have to be bounded by
	// 0.05): the search adds replications where it must.
	crit := Criteria{MaxDropped: 1, DropCost: 0.05, MaxReplications: 640}
	rec, err := Recommend(context.Background(), cfg, delays, reps, crit, Options{})
	require.NoError(t, err)
	require.NotNil(t, rec.RecommendedDelayS)
	d := time.Duration(*rec.RecommendedDelayS) * time.Second
	assert.LessOrEqual(t, rec.Recommended.DroppedCI95[1], crit.MaxDropped)
	// Bisection keeps a lower end that does not meet the criteria, one
	// second below the answer.
	if d > 0 {
		i := slices.IndexFunc(append(rec.Rows, rec.Probes...), func(r Row) bool { return r.Delay() == d-time.Second })
		require.GreaterOrEqual(t, i, 0, "%v was evaluated", d-time.Second)
		below := append(rec.Rows, rec.Probes...)[i]
		assert.NotEqual(t, Meets, crit.Judge(below), "%v should not meet the bound", d-time.Second)
	}
	// Refinement goes below the grid's 20 s step.
	assert.NotZero(t, int(*rec.RecommendedDelayS)%20, "expected a refined, off-grid answer, got %v", d)

	// The cost optimum is no worse than any grid point.
	for _, r := range rec.Rows {
		assert.LessOrEqual(t, rec.CostOptimal.TotalCostUSDMean, r.TotalCostUSDMean)
	}
	// p99 = 10 s, × 1.25 = 12.5 s, rounded up to 13 s.
	assert.InDelta(t, 10.0, rec.RequestP99S, 1e-9)
	assert.Equal(t, 13.0, rec.RuleOfThumbDelayS)
	assert.Equal(t, 13.0, rec.RuleOfThumb.DelayS)
	assert.NotEmpty(t, rec.Explanation)
	assert.Contains(t, rec.Explanation[0], "Rule of thumb")
}

func TestRecommendNoDelayMeets(t *testing.T) {
	cfg := small()
	rec, err := Recommend(context.Background(), cfg, []time.Duration{0, time.Second}, 5, Criteria{MaxDropped: 0}, Options{})
	require.NoError(t, err)
	assert.Nil(t, rec.RecommendedDelayS)
	assert.Contains(t, rec.Explanation[1], "No delay up to 1s")
	// With no drop cost, the cheapest delay is the shortest.
	assert.Equal(t, 0.0, rec.CostOptimalDelayS)
}

func TestRunJobsCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Delays(ctx, small(), []time.Duration{0}, 4, Costs{}, Options{})
	require.ErrorIs(t, err, context.Canceled)
}

// When the drops do not depend on the delay, the explanation says what
// does.
func TestRecommendExplainsCausesTheDelayCannotFix(t *testing.T) {
	cfg := small()
	cfg.LoadBalancer.PropagationDelay = model.ConstantLag(5 * time.Second)
	cfg.Platform = model.Platform{Type: model.ECS, Stop: model.StopTask}
	rec, err := Recommend(context.Background(), cfg, []time.Duration{0, 30 * time.Second}, 4, Criteria{MaxDropped: 0.5}, Options{})
	require.NoError(t, err)
	require.Nil(t, rec.RecommendedDelayS)
	assert.Contains(t, strings.Join(rec.Explanation, "\n"), "Cause refused")
	assert.Contains(t, strings.Join(rec.Explanation, "\n"), "scale the service in rather than StopTask")

	// Connections only: the rule of thumb applies to them.
	c := small()
	c.Traffic = []model.Traffic{{Name: "flows", Kind: model.KindConnection, Rate: 1,
		Duration: model.Distribution{Distribution: model.Constant, Value: 8 * time.Second}}}
	rec, err = Recommend(context.Background(), c, []time.Duration{0, 20 * time.Second}, 2, Criteria{}, Options{})
	require.NoError(t, err)
	assert.Equal(t, 10.0, rec.RuleOfThumbDelayS)
	assert.Contains(t, rec.Explanation[0], "p99 of class flows 8.0s")
}

// TestRowDrainDistribution: a row reports the drain time per removed
// target as a distribution (mean, median, p95, max) and the part held by
// idle keep-alive connections, from the outcomes' per-target figures.
func TestRowDrainDistribution(t *testing.T) {
	s := time.Second
	outs := []Outcome{
		{Drains: []time.Duration{10 * s, 60 * s}, IdleHolds: []time.Duration{0, 50 * s}},
		{Drains: []time.Duration{20 * s, 70 * s}, IdleHolds: []time.Duration{10 * s, 60 * s}},
	}
	r := RowOf(300*s, outs, Costs{})
	assert.InDelta(t, 40.0, r.DrainSMean, 1e-12)
	assert.InDelta(t, 40.0, r.DrainSP50, 1e-12, "type-7 median of 10, 20, 60, 70")
	assert.InDelta(t, 70.0, r.DrainSMax, 1e-12)
	assert.InDelta(t, Quantile([]float64{10, 20, 60, 70}, 0.95), r.DrainSP95, 1e-12)
	assert.InDelta(t, 30.0, r.IdleHoldSMean, 1e-12)
}

// TestIdleConnectionsDrainAndCost: on an ALB (idle timeout 60 s) the
// removed target drains until its idle keep-alive connections close: for
// the whole delay up to 60 s, and for about 60 s past its last request
// beyond; so instance cost grows with the delay up to there. The
// recommendation says what holds draining.
func TestIdleConnectionsDrainAndCost(t *testing.T) {
	cfg := small()
	delays := []time.Duration{30 * time.Second, 60 * time.Second, 300 * time.Second}
	rows, err := Delays(context.Background(), cfg, delays, 4, Costs{}, Options{})
	require.NoError(t, err)
	assert.InDelta(t, 30.0, rows[0].DrainSMean, 1e-9, "held for the whole 30 s delay")
	assert.InDelta(t, 60.0, rows[1].DrainSMean, 1e-9, "and the whole 60 s delay")
	assert.Greater(t, rows[2].DrainSMean, 60.0, "last request end + 60 s")
	assert.Less(t, rows[2].DrainSMean, 300.0)
	assert.InDelta(t, 60.0, rows[2].IdleHoldSMean, 1e-9, "the last idle connection closes 60 s after the last request")
	assert.Less(t, rows[0].InstanceCostUSDMean, rows[1].InstanceCostUSDMean)
	assert.Less(t, rows[1].InstanceCostUSDMean, rows[2].InstanceCostUSDMean)

	rec, err := Recommend(context.Background(), cfg, delays, 4, Criteria{MaxDropped: 5}, Options{})
	require.NoError(t, err)
	require.NotNil(t, rec.RecommendedDelayS)
	text := strings.Join(rec.Explanation, "\n")
	assert.Contains(t, text, "idle keep-alive connections hold draining until they close, 60s after their last use")
	assert.NotContains(t, text, "terminates as soon as a target is empty")

	// On an NLB there are no idle connections: targets drain with their
	// last flow, and the explanation says requests hold it.
	nlb := *cfg
	nlb.LoadBalancer.Type = model.NLB
	rec, err = Recommend(context.Background(), &nlb, delays, 4, Criteria{MaxDropped: 5}, Options{})
	require.NoError(t, err)
	require.NotNil(t, rec.RecommendedDelayS)
	assert.Contains(t, strings.Join(rec.Explanation, "\n"), "mostly waiting for requests in flight to finish")
}

// TestCostOptimumConsidersEveryEvaluatedDelay: a delay evaluated by the
// drop bound's bisection that is cheaper than the grid's best is the cost
// optimum.
func TestCostOptimumConsidersEveryEvaluatedDelay(t *testing.T) {
	cfg := small()
	cfg.Seed = 3
	delays := []time.Duration{0, 30 * time.Second}
	rec, err := Recommend(context.Background(), cfg, delays, 3, Criteria{MaxDropped: 0.5, DropCost: 0.25, MaxReplications: 192}, Options{})
	require.NoError(t, err)
	require.NotNil(t, rec.RecommendedDelayS)
	for _, r := range append(append(rec.Rows, rec.Probes...), *rec.Recommended) {
		assert.LessOrEqual(t, rec.CostOptimal.TotalCostUSDMean, r.TotalCostUSDMean, "delay %gs", r.DelayS)
	}
}

// TestRecommendationReportsWhatItJudged: a recommended delay's reported
// row meets the criteria it was judged by — its bound is the one the
// verdict used, though delays evaluated later (bisection, cost search)
// change the bursts a fresh bound would see — and a budget of no extra
// replications leaves undecided delays "undecided", not "none".
func TestRecommendationReportsWhatItJudged(t *testing.T) {
	cfg := small()
	cfg.LoadBalancer.PropagationDelay = model.Lag{} // the ALB's default lag: drops in bursts
	delays := []time.Duration{0, 30 * time.Second, 60 * time.Second, 90 * time.Second}
	for _, c := range []Criteria{
		{MaxDropped: 2, MaxReplications: 128, DropCost: 0.1},
		{MaxPAnyDrop: 0.2, MaxReplications: 128},
	} {
		rec, err := Recommend(context.Background(), cfg, delays, 8, c, Options{})
		require.NoError(t, err)
		require.Equal(t, "recommended", rec.Status, "%+v", c)
		r := rec.Recommended
		assert.Equal(t, Meets, c.Judge(*r), "%+v: the reported row meets the criteria", c)
		for _, row := range append(rec.Rows, rec.Probes...) {
			if row.DelayS == r.DelayS {
				assert.Equal(t, *r, row, "one row per delay")
			}
		}
	}
	rec, err := Recommend(context.Background(), cfg, []time.Duration{2 * time.Second, 4 * time.Second}, 4, Criteria{MaxDropped: 0.5}, Options{})
	require.NoError(t, err)
	for _, r := range rec.Rows {
		require.Equal(t, Undecided, Criteria{MaxDropped: 0.5}.Judge(r), "the premise: %gs is undecided", r.DelayS)
	}
	assert.Equal(t, "undecided", rec.Status)
}
