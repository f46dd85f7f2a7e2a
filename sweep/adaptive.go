package sweep

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/drainsim/drainsim/model"
)

// DefaultMaxDropped is the criterion a recommendation uses when none is
// given: an upper 95 % bound of 0.1 dropped per scale-in. A bound of
// exactly 0 cannot be certified by any number of replications (with no
// drop seen the bound is 3.689/n), so 0 means "not set".
const DefaultMaxDropped = 0.1

// Verdict is what a delay's replications say about the criteria.
type Verdict uint8

const (
	// Undecided: the intervals straddle a limit; more replications
	// would tell.
	Undecided Verdict = iota
	// Meets: every criterion holds with 95 % confidence.
	Meets
	// Fails: some criterion fails with 95 % confidence.
	Fails
)

var verdictNames = [...]string{Undecided: "undecided", Meets: "meets", Fails: "fails"}

func (v Verdict) String() string { return verdictNames[v] }

// criteria returns the criteria that apply: those set (> 0), or the
// default bound if none is.
func (c Criteria) criteria() Criteria {
	if c.MaxDropped <= 0 && c.MaxExpectedDropped <= 0 && c.MaxPAnyDrop <= 0 {
		c.MaxDropped = DefaultMaxDropped
	}
	return c
}

// Text names the criteria that apply, in words, for explanations.
func (c Criteria) Text() string {
	c = c.criteria()
	var parts []string
	if c.MaxDropped > 0 {
		parts = append(parts, fmt.Sprintf("upper 95%% bound of dropped per scale-in ≤ %g", c.MaxDropped))
	}
	if c.MaxExpectedDropped > 0 {
		parts = append(parts, fmt.Sprintf("mean dropped per scale-in ≤ %g", c.MaxExpectedDropped))
	}
	if c.MaxPAnyDrop > 0 {
		parts = append(parts, fmt.Sprintf("upper 95%% bound of P(any drop) ≤ %g", c.MaxPAnyDrop))
	}
	return strings.Join(parts, " and ")
}

// Judge says whether row r meets the criteria: Meets when every one holds
// with 95 % confidence (the upper end of its interval is within the
// limit), Fails when one cannot (the lower end is above it), Undecided
// otherwise. A mean criterion (MaxExpectedDropped) is judged on the
// interval of the mean too, so that more replications decide it; when
// they run out, [Recommend] falls back to the point estimate for it.
func (c Criteria) Judge(r Row) Verdict {
	c = c.criteria()
	meets, fails := true, false
	check := func(limit, lo, hi float64) {
		if limit <= 0 {
			return
		}
		if hi > limit {
			meets = false
		}
		if lo > limit {
			fails = true
		}
	}
	check(c.MaxDropped, r.DroppedCI95[0], r.DroppedCI95[1])
	check(c.MaxExpectedDropped, r.DroppedCI95[0], r.DroppedCI95[1])
	check(c.MaxPAnyDrop, r.PAnyDropCI95[0], r.PAnyDropCI95[1])
	switch {
	case fails:
		return Fails
	case meets && r.Replications >= 2:
		return Meets
	}
	return Undecided
}

// pointMeets judges an undecided row whose only unsettled criterion is the
// mean's: by the point estimate.
func (c Criteria) pointMeets(r Row) bool {
	c = c.criteria()
	if c.MaxDropped > 0 || c.MaxPAnyDrop > 0 {
		return false
	}
	return r.DroppedMean <= c.MaxExpectedDropped
}

// evaluator runs and caches the outcomes of single delays, replication
// 0, 1, … in order, so every delay uses the same random streams for the
// same replication (common random numbers), and more replications extend
// what is there.
type evaluator struct {
	ctx   context.Context
	cfg   *model.Config
	reps  int // the replications every delay gets first
	max   int // the most any delay may get; ≤ reps: no adaptation
	crit  Criteria
	costs Costs
	opts  Options
	outs  map[time.Duration][]Outcome
	// spent is set when some delay ended undecided: its replications,
	// max of them, did not decide it.
	spent bool
	// judged holds each judged delay's row as it was judged, so that what
	// the recommendation reports is what it decided on (the burst-aware
	// bound of a row depends on the delays evaluated before it).
	judged map[time.Duration]Row
	// rare, if not nil, importance-samples the propagation lag of the
	// replications judge adds (docs/sweeps.md, "Rare-event sampling");
	// rareOuts holds them, replications 0, 1, … of each delay.
	rare     *model.RareLag
	rareOuts map[time.Duration][]Outcome
	// cond is set when P(any drop) is bounded by conditional sampling
	// (useConditional; docs/sweeps.md, "Conditional sampling"): opts
	// then asks every replication for its conditional values.
	cond bool
}

// rareStart is the number of importance-sampled replications a delay gets
// first; judge doubles it while the delay is undecided.
const rareStart = 500

// growRare runs importance-sampled replications len(rareOuts[d]) … n−1
// at delay d. They are not looked up nor reported as finished cells: a
// checkpoint holds plain cells.
func (e *evaluator) growRare(d time.Duration, n int) error {
	var cells []Cell
	for r := len(e.rareOuts[d]); r < n; r++ {
		cells = append(cells, Cell{Delay: d, Replication: r})
	}
	if len(cells) == 0 {
		return nil
	}
	opts := e.opts
	opts.Lookup, opts.Finished, opts.RareLag = nil, nil, e.rare
	outs, err := RunCells(e.ctx, e.cfg, cells, opts)
	if err != nil {
		return err
	}
	e.rareOuts[d] = append(e.rareOuts[d], outs...)
	return nil
}

// rareBurst returns the burst sizes (rareSample.ySize, zSize) of the
// longest delay shorter than d whose importance-sampled replications
// dropped in at least minBursts of them, or 0s: the counterpart of burst.
func (e *evaluator) rareBurst(d time.Duration) (y, z float64) {
	best := time.Duration(-1)
	for dd, outs := range e.rareOuts {
		if dd >= d || dd <= best {
			continue
		}
		if s := rareSampleOf(outs); s.k >= minBursts {
			best, y, z = dd, s.ySize, s.zSize
		}
	}
	return y, z
}

// refineRare is refine for importance-sampled replications: it grows
// those of the closest shorter delay evaluated until minBursts of them
// dropped (or the budget is spent).
func (e *evaluator) refineRare(d time.Duration) error {
	ref := e.closestShorter(d)
	if ref < 0 {
		return nil
	}
	for n := min(rareStart, e.max); ; n = min(2*n, e.max) {
		if err := e.growRare(ref, n); err != nil {
			return err
		}
		if rareSampleOf(e.rareOuts[ref]).k >= minBursts || n >= e.max {
			return nil
		}
	}
}

// judgeRare decides delay d by importance-sampled replications, doubling
// from rareStart up to e.max while it is undecided and not hopeless.
func (e *evaluator) judgeRare(d time.Duration) (Row, Verdict, error) {
	if err := e.refineRare(d); err != nil {
		return Row{}, Undecided, err
	}
	n := min(max(rareStart, e.reps), e.max)
	for {
		if err := e.growRare(d, n); err != nil {
			return Row{}, Undecided, err
		}
		r := e.rowOf(d)
		v := e.crit.Judge(r)
		if v != Undecided || n >= e.max || e.hopeless(d, r) {
			return r, v, nil
		}
		n = min(2*n, e.max)
	}
}

// grow runs replications len(outs[d]) … n−1 at each delay that has fewer
// than n, in one pool.
func (e *evaluator) grow(delays []time.Duration, n int) error {
	var cells []Cell
	for _, d := range delays {
		for r := len(e.outs[d]); r < n; r++ {
			cells = append(cells, Cell{Delay: d, Replication: r})
		}
	}
	if len(cells) == 0 {
		return nil
	}
	outs, err := RunCells(e.ctx, e.cfg, cells, e.opts)
	if err != nil {
		return err
	}
	for i, c := range cells {
		e.outs[c.Delay] = append(e.outs[c.Delay], outs[i])
	}
	return nil
}

// row returns the row of delay d with the replications it has, running
// the first e.reps if it has none. Its upper bound of dropped is
// burst-aware (burstBound).
func (e *evaluator) row(d time.Duration) (Row, error) {
	if err := e.grow([]time.Duration{d}, e.reps); err != nil {
		return Row{}, err
	}
	return e.final(d), nil
}

// final returns delay d's row for the report: as judged, if it was.
func (e *evaluator) final(d time.Duration) Row {
	if r, ok := e.judged[d]; ok {
		return r
	}
	return e.rowOf(d)
}

// rowOf is RowOf for delay d's outcomes with the burst-aware bound.
func (e *evaluator) rowOf(d time.Duration) Row {
	r := RowOf(d, e.outs[d], e.costs)
	r.Per = perField(e.cfg)
	if ro := e.rareOuts[d]; len(ro) > 0 {
		y, z := e.rareBurst(d)
		applyRare(&r, e.outs[d], ro, y, z, e.costs.DropCost)
		return r
	}
	if e.cond {
		if zs, ok := conditionalValues(e.outs[d]); ok {
			applyConditional(&r, zs)
		}
	}
	r.DroppedCI95[1] = max(r.DroppedCI95[1], r.PAnyDropCI95[1]*e.burst(d, r))
	return r
}

// burst returns the drops a replication of delay d drops when it drops
// anything: the larger of its own DropsPerBurst and that of the longest
// shorter delay evaluated that has seen at least minBursts bursts; with no
// such delay, its own. Drops often come in bursts —
// one rare long propagation lag makes a target refuse for seconds — and a
// bound from a sample that has not seen a burst cannot know its size
// (docs/sweeps.md, "Bounds"). With common random numbers a shorter delay
// has seen the same replications' bursts, at least as large: so
// P(any drop)'s upper bound × that size bounds the mean (burstBound).
func (e *evaluator) burst(d time.Duration, r Row) float64 {
	// A delay's own bursts, when it has a few, understate their size:
	// the largest bursts are the rarest. The shorter delay saw the same
	// replications' bursts, larger (issue #10: payments-api certified at
	// 51 s on one burst of 3 drops dropped 0.013 per scale-in with
	// another seed, in bursts of 25). So the larger of the two is used.
	// A reference of one or two bursts is as fragile (payments-api
	// certified 53 s on a shorter delay's single 1-drop burst).
	// With no shorter delay of minBursts bursts (a grid of fewer than
	// minBursts replications never has one), the largest burst any
	// shorter delay has seen stands in: with common random numbers the
	// bursts shrink as the delay grows, so it is conservative. Without
	// this a delay's own zero drops sized its bursts at 0, and 3 clean
	// days of diurnal-api certified "at most 10 dropped per day" at 41 s
	// with a bound of 1.23 beside a 30 s that dropped ~100 per burst.
	best, size, fallback := time.Duration(-1), 0.0, 0.0
	for dd, outs := range e.outs {
		if dd >= d {
			continue
		}
		bursts, dropped := 0, int64(0)
		for _, o := range outs {
			if o.Dropped > 0 {
				bursts++
				dropped += o.Dropped
			}
		}
		if bursts == 0 {
			continue
		}
		per := float64(dropped) / float64(bursts)
		fallback = max(fallback, per)
		if bursts >= minBursts && dd > best {
			best, size = dd, per
		}
	}
	if best < 0 {
		size = fallback
	}
	return max(size, r.DropsPerBurst)
}

// A shorter delay serves as the reference for the size of a burst when at
// least minBursts of its replications dropped anything. Even one where
// every replication drops serves: its bursts are larger than those of the
// delay judged, so the bound is conservative, and refine makes the closest
// shorter delay the reference. (A first version also required its drops
// to be rare, P(any drop) ≤ 0.5; a grid of few replications then had no
// reference at all, and a delay with no drop in 4 replications was
// certified by the bare 3.689/n bound that bursts defeat.)
const minBursts = 5

// judge returns delay d's row and verdict after adding replications —
// doubling, up to e.max — while the verdict is Undecided.
func (e *evaluator) judge(d time.Duration) (Row, Verdict, error) {
	if err := e.grow([]time.Duration{d}, e.reps); err != nil {
		return Row{}, Undecided, err
	}
	var r Row
	var v Verdict
	if e.rare != nil {
		// The plain replications decide a delay that fails; any other
		// is decided by rare-event sampling (a plain sample that meets
		// may not have seen the rare bursts).
		r = e.rowOf(d)
		if v = e.crit.Judge(r); v != Fails {
			var err error
			if r, v, err = e.judgeRare(d); err != nil {
				return Row{}, Undecided, err
			}
		}
	} else {
		if err := e.refine(d); err != nil {
			return Row{}, Undecided, err
		}
		r = e.rowOf(d)
		v = e.crit.Judge(r)
	}
	for v == Undecided && r.Replications < e.max && !r.ImportanceSampled {
		if e.hopeless(d, r) {
			break
		}
		if err := e.grow([]time.Duration{d}, min(2*r.Replications, e.max)); err != nil {
			return Row{}, Undecided, err
		}
		r = e.rowOf(d)
		v = e.crit.Judge(r)
	}
	if v == Undecided {
		e.spent = true
	}
	e.judged[d] = r
	return r, v, nil
}

// closestShorter returns the longest delay evaluated that is shorter than
// d, or −1 if there is none: the reference refine and refineRare grow.
func (e *evaluator) closestShorter(d time.Duration) time.Duration {
	ref := time.Duration(-1)
	for dd := range e.outs {
		if dd < d && dd > ref {
			ref = dd
		}
	}
	return ref
}

// refine adds replications — doubling, up to e.max — to the closest
// shorter delay evaluated until it has minBursts bursts (or the full
// budget), so
// that it can size the bursts delay d must fear (burst). Without it the
// reference is whichever shorter delay happened to have seen five bursts
// in the first replications: on payments-api's grid that was one 16 s
// shorter, whose bursts (112 drops) were four times the size of those near
// the boundary, and no budget could certify a limit of 0.01 per scale-in.
// Bursts near the boundary are rare, so this costs a few hundred to a few
// thousand replications at one delay; they also decide that delay better.
func (e *evaluator) refine(d time.Duration) error {
	ref := e.closestShorter(d)
	if ref < 0 {
		return nil
	}
	for {
		outs := e.outs[ref]
		bursts := 0
		for _, o := range outs {
			if o.Dropped > 0 {
				bursts++
			}
		}
		if bursts >= minBursts || len(outs) >= e.max {
			return nil
		}
		if err := e.grow([]time.Duration{ref}, min(2*len(outs), e.max)); err != nil {
			return err
		}
	}
}

// hopeless reports that delay d, undecided with row r, cannot meet the
// criteria within the budget whatever its remaining replications show:
// even if every one of them, up to e.max, dropped nothing, its bounds
// would still exceed a limit. Adding replications then only spends time
// (issue #10: a delay whose mean is near the limit took the whole budget
// to end undecided, and the search paid that at several delays). More
// replications can only add drops, and the bounds grow with drops, so the
// best case decides. A mean-only criterion (MaxExpectedDropped) falls back
// to its point estimate at the full budget (pointMeets), so it is never
// hopeless.
func (e *evaluator) hopeless(d time.Duration, r Row) bool {
	c := e.crit.criteria()
	if c.MaxDropped <= 0 && c.MaxPAnyDrop <= 0 {
		return false
	}
	if r.ImportanceSampled {
		// The best case: every remaining importance-sampled
		// replication, up to e.max, drops nothing.
		outs := e.rareOuts[d]
		padded := make([]Outcome, max(e.max, len(outs)))
		copy(padded, outs)
		best := r
		y, z := e.rareBurst(d)
		applyRare(&best, e.outs[d], padded, y, z, e.costs.DropCost)
		return c.Judge(best) != Meets
	}
	outs := e.outs[d]
	n := max(e.max, len(outs))
	xs := make([]float64, n)
	k := 0
	for i, o := range outs {
		xs[i] = float64(o.Dropped)
		if o.Dropped > 0 {
			k++
		}
	}
	best := r
	best.Replications = n
	p := ClopperPearson95(k, n)
	best.PAnyDropCI95 = [2]float64{p.Low, p.High}
	if r.ConditionallySampled {
		// The best case: the remaining replications' conditional
		// probabilities are all 0.
		zs, _ := conditionalValues(outs)
		applyConditional(&best, append(zs, make([]float64, n-len(zs))...))
	}
	best.DroppedCI95 = interval(CountMean95(xs))
	best.DroppedCI95[1] = max(best.DroppedCI95[1], p.High*e.burst(d, r))
	return c.Judge(best) != Meets
}

// ok reports whether delay d qualifies for the recommendation: it meets
// the criteria, or, undecided when replications ran out, its point
// estimate meets a mean-only criterion.
func (e *evaluator) ok(d time.Duration) (Row, bool, error) {
	r, v, err := e.judge(d)
	if err != nil {
		return Row{}, false, err
	}
	return r, v == Meets || (v == Undecided && r.Replications >= max(e.max, e.reps) && e.crit.pointMeets(r)), nil
}

// validCriteria checks c's numbers.
func validCriteria(c Criteria) error {
	for _, x := range []float64{c.MaxDropped, c.MaxExpectedDropped, c.MaxPAnyDrop, c.DropCost} {
		if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("recommend: criteria and drop cost must be finite and non-negative")
		}
	}
	if c.MaxPAnyDrop > 1 {
		return fmt.Errorf("recommend: max P(any drop) must be at most 1 (got %g)", c.MaxPAnyDrop)
	}
	if c.MaxReplications < 0 {
		return fmt.Errorf("recommend: max replications must not be negative (got %d)", c.MaxReplications)
	}
	return nil
}
