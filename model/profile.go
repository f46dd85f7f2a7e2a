package model

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// RatePoint is one point of a piecewise-linear rate profile
// (`[[traffic.profile]]`): at time At the class sends Rate arrivals per
// second. Between two points the rate is linear; two points at the same
// At make a step (the later one holds from At on).
type RatePoint struct {
	// At is the simulated time of the point; range 0–87600h ([MaxTime]).
	At time.Duration `toml:"at"`
	// Rate is arrivals per second at At; range [0, 10000000].
	Rate float64 `toml:"rate"`
}

// Diurnal is a built-in daily shape: the rate follows a raised cosine with
// period 24 h, Peak at PeakHour and Trough twelve hours away. Simulated
// time 0 is 00:00.
type Diurnal struct {
	// Peak is the highest rate, arrivals per second; range [Trough,
	// 10000000], above 0.
	Peak float64 `toml:"peak"`
	// Trough is the lowest rate, arrivals per second; range [0, Peak].
	Trough float64 `toml:"trough"`
	// PeakHour is the hour of the day of the peak, 0 ≤ PeakHour < 24
	// (fractions allowed: 13.5 is 13:30). Default 0.
	PeakHour float64 `toml:"peak_hour"`
}

// maxProfilePoints bounds a profile: a month of per-minute counts read
// from a CSV takes two points a minute (86,400).
const maxProfilePoints = 1 << 20

// day is the diurnal period in seconds.
const day = 86400.0

// curve is a rate that changes over time, in seconds.
type curve interface {
	// rate is λ(t).
	rate(t float64) float64
	// cum is Λ(t) = ∫ λ up to t from a fixed origin; Λ(b) − Λ(a) is the
	// expected number of arrivals in [a, b].
	cum(t float64) float64
	// bound returns an upper bound of λ on [t, until) with until > t
	// (+Inf when the bound holds for ever): thinning draws candidates at
	// this rate.
	bound(t float64) (lmax, until float64)
}

// flat is the rate of a class without a profile.
type flat float64

func (c flat) rate(float64) float64                { return float64(c) }
func (c flat) cum(t float64) float64               { return float64(c) * t }
func (c flat) bound(float64) (lmax, until float64) { return float64(c), math.Inf(1) }

// pieces is a piecewise-linear rate: segment i runs from x[i] to x[i+1]
// (x strictly increasing) with rate r0[i] at its start and r1[i] at its
// end; with no segment (every point at one time) x holds that time. Before x[0] the rate is head, after the last point tail: a profile
// holds its first and last rates for ever.
type pieces struct {
	x      []float64 // len n+1
	r0, r1 []float64 // len n
	c      []float64 // len n+1: Λ(x[i]) with Λ(x[0]) = 0
	head   float64
	tail   float64
}

func newPieces(pts []RatePoint) *pieces {
	p := &pieces{head: pts[0].Rate, tail: pts[len(pts)-1].Rate}
	for i := 0; i+1 < len(pts); i++ {
		a, b := pts[i].At.Seconds(), pts[i+1].At.Seconds()
		if b <= a {
			continue // a step: the later point starts the next segment
		}
		if len(p.x) == 0 {
			p.x = append(p.x, a)
			p.c = append(p.c, 0)
		}
		p.x = append(p.x, b)
		p.r0 = append(p.r0, pts[i].Rate)
		p.r1 = append(p.r1, pts[i+1].Rate)
		p.c = append(p.c, p.c[len(p.c)-1]+(b-a)*(pts[i].Rate+pts[i+1].Rate)/2)
	}
	if len(p.x) == 0 {
		// Every point at one time: no segment, but the step there still
		// holds (head before it, tail from it on).
		p.x = append(p.x, pts[0].At.Seconds())
		p.c = append(p.c, 0)
	}
	return p
}

// seg returns the segment holding t, or -1 before the first, n after the
// last.
func (p *pieces) seg(t float64) int {
	n := len(p.r0)
	if t < p.x[0] {
		return -1
	}
	if t >= p.x[n] {
		return n
	}
	return sort.Search(n, func(i int) bool { return p.x[i+1] > t })
}

func (p *pieces) rate(t float64) float64 {
	i := p.seg(t)
	switch {
	case i < 0:
		return p.head
	case i == len(p.r0):
		return p.tail
	}
	f := (t - p.x[i]) / (p.x[i+1] - p.x[i])
	return p.r0[i] + f*(p.r1[i]-p.r0[i])
}

func (p *pieces) cum(t float64) float64 {
	i := p.seg(t)
	switch {
	case i < 0:
		return p.head * (t - p.x[0])
	case i == len(p.r0):
		n := len(p.r0)
		return p.c[n] + p.tail*(t-p.x[n])
	}
	dt := t - p.x[i]
	return p.c[i] + dt*(p.r0[i]+p.rate(t))/2
}

func (p *pieces) bound(t float64) (float64, float64) {
	i := p.seg(t)
	switch {
	case i < 0:
		return p.head, p.x[0]
	case i == len(p.r0):
		return p.tail, math.Inf(1)
	}
	return max(p.r0[i], p.r1[i]), p.x[i+1]
}

// diurnal is Diurnal in seconds: λ(t) = trough + (peak − trough)·(1 +
// cos(ω(t − tp)))/2 with ω = 2π/day.
type diurnal struct{ peak, trough, tp float64 }

const omega = 2 * math.Pi / day

func (d diurnal) rate(t float64) float64 {
	return d.trough + (d.peak-d.trough)*(1+math.Cos(omega*(t-d.tp)))/2
}

func (d diurnal) cum(t float64) float64 {
	return d.trough*t + (d.peak-d.trough)/2*(t+math.Sin(omega*(t-d.tp))/omega)
}

// bound bounds λ over the hour holding t: a raised cosine has one maximum
// per day, so over an interval without the peak its maximum is at an end.
func (d diurnal) bound(t float64) (float64, float64) {
	until := (math.Floor(t/3600) + 1) * 3600
	// The peaks are at tp + k·day; is one in [t, until]?
	k := math.Ceil((t - d.tp) / day)
	if d.tp+k*day <= until {
		return d.peak, until
	}
	return max(d.rate(t), d.rate(until)), until
}

// curve returns the class's rate over time.
func (t *Traffic) curve() curve {
	switch {
	case t.Diurnal != nil:
		return diurnal{peak: t.Diurnal.Peak, trough: t.Diurnal.Trough, tp: t.Diurnal.PeakHour * 3600}
	case len(t.Profile) > 0:
		return newPieces(t.Profile)
	}
	return flat(t.Rate)
}

// TimeVarying reports whether the class's rate changes over time (a
// profile, a diurnal shape or a rate file).
func (t *Traffic) TimeVarying() bool { return t.Diurnal != nil || len(t.Profile) > 0 }

// RateAt returns the class's arrival rate at simulated time at, in
// arrivals per second. It builds the curve, O(n) in the profile's
// points; [Traffic.RateCurve] answers repeated questions in O(log n).
func (t *Traffic) RateAt(at time.Duration) float64 { return t.RateCurve().At(at) }

// Expected returns the expected number of arrivals of the class in [a,
// b]: the integral of its rate. O(n) like RateAt.
func (t *Traffic) Expected(a, b time.Duration) float64 { return t.RateCurve().Expected(a, b) }

// RateCurve is a class's rate over time, built once by
// [Traffic.RateCurve]: what a scaling policy asks ("rate at time t",
// "expected arrivals in [a, b]"). Its methods are O(log n) in the
// profile's points, O(1) for a constant rate or a diurnal shape, and safe
// for concurrent use. It does not follow later changes to the Traffic.
// The zero value is a rate of 0.
type RateCurve struct{ c curve }

// RateCurve builds the class's rate curve, O(n) in the profile's points.
func (t *Traffic) RateCurve() RateCurve { return RateCurve{t.curve()} }

// At returns the rate at simulated time at, in arrivals per second.
func (r RateCurve) At(at time.Duration) float64 {
	if r.c == nil {
		return 0
	}
	return r.c.rate(at.Seconds())
}

// Expected returns the expected number of arrivals in [a, b], the
// integral of the rate (negative if b < a).
func (r RateCurve) Expected(a, b time.Duration) float64 {
	if r.c == nil {
		return 0
	}
	return r.c.cum(b.Seconds()) - r.c.cum(a.Seconds())
}

// peakRate returns the class's highest rate (its rate, the diurnal peak,
// or the profile's highest point).
func (t *Traffic) peakRate() float64 {
	switch {
	case t.Diurnal != nil:
		return t.Diurnal.Peak
	case len(t.Profile) > 0:
		m := 0.0
		for _, p := range t.Profile {
			m = max(m, p.Rate)
		}
		return m
	}
	return t.Rate
}

// validateRate checks the class's rate or its profile.
func (t *Traffic) validateRate(p string, es *errs) {
	if t.Clients != 0 || t.ThinkTime.Distribution != "" {
		t.validateClients(p, es) // closedloop.go
		return
	}
	set := 0
	if t.Rate != 0 {
		set++
	}
	if t.Diurnal != nil {
		set++
	}
	if len(t.Profile) > 0 || t.RateFile != "" {
		set++
	}
	if set > 1 {
		es.add(p+".rate", "set one of rate, profile, diurnal and rate_file")
		return
	}
	if t.RateFile != "" && len(t.Profile) == 0 {
		es.add(p+".rate_file", "is read by the scenario loader (scenarios.Load); a library user sets profile, e.g. from ParseRateCSV")
		return
	}
	switch {
	case t.Diurnal != nil:
		d := t.Diurnal
		if !(d.Peak > 0 && d.Peak <= maxRate) {
			es.add(p+".diurnal.peak", "must be in (0, %g] arrivals per second (got %v)", float64(maxRate), d.Peak)
		} else if !(d.Trough >= 0 && d.Trough <= d.Peak) {
			es.add(p+".diurnal.trough", "must be 0–peak (%v) arrivals per second (got %v)", d.Peak, d.Trough)
		}
		if !(d.PeakHour >= 0 && d.PeakHour < 24) {
			es.add(p+".diurnal.peak_hour", "must be in [0, 24) (got %v)", d.PeakHour)
		}
	case len(t.Profile) > 0:
		if len(t.Profile) > maxProfilePoints {
			es.add(p+".profile", "at most %d points (got %d)", maxProfilePoints, len(t.Profile))
			return
		}
		peak := 0.0
		for i, pt := range t.Profile {
			q := fmt.Sprintf("%s.profile[%d]", p, i)
			if pt.At < 0 || pt.At > MaxTime {
				es.add(q+".at", "must be 0s–87600h (got %v)", pt.At)
			}
			if i > 0 && pt.At < t.Profile[i-1].At {
				es.add(q+".at", "points must be in time order (%v is before %v)", pt.At, t.Profile[i-1].At)
			}
			if !(pt.Rate >= 0 && pt.Rate <= maxRate) {
				es.add(q+".rate", "must be in [0, %g] arrivals per second (got %v)", float64(maxRate), pt.Rate)
			}
			peak = max(peak, pt.Rate)
		}
		if peak == 0 {
			es.add(p+".profile", "every rate is 0: the class would send nothing")
		}
	default:
		if !(t.Rate >= minRate && t.Rate <= maxRate) {
			es.add(p+".rate", "must be in [%g, %g] arrivals per second (got %v)", minRate, float64(maxRate), t.Rate)
		}
	}
}

// scheduleVarying moves cl.next to the class's next arrival under its
// time-varying rate, or to +Inf if there is none before the clock's limit.
// It thins exactly (Lewis and Shedler 1979): candidates form a Poisson
// process at the bound λmax of the current piece (drawn from the class's
// arrival stream), each kept with probability λ(t)/λmax (drawn from its
// own thinning stream). A candidate past the piece's end is discarded
// and the draw starts again there, which memorylessness makes exact.
func (r *runner) scheduleVarying(cl *classRun) {
	t := cl.next
	for t < maxTimeSeconds {
		lmax, until := cl.curve.bound(t)
		if !(lmax > 0) {
			t = until
			continue
		}
		t += cl.arrivals.ExpFloat64() / lmax
		if t >= until {
			t = until
			continue
		}
		if cl.thin.Float64()*lmax < cl.curve.rate(t) {
			cl.next = t
			return
		}
	}
	cl.next = math.Inf(1)
}
