package model

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testProfile ramps from 10/s at 0 to 50/s at 10 min, steps down to 5/s
// at 10 min, and holds 5/s until 20 min, then ramps to 0 at 30 min.
func testProfile() []RatePoint {
	return []RatePoint{
		{At: 0, Rate: 10},
		{At: 10 * time.Minute, Rate: 50},
		{At: 10 * time.Minute, Rate: 5},
		{At: 20 * time.Minute, Rate: 5},
		{At: 30 * time.Minute, Rate: 0},
	}
}

// TestProfileRateAndIntegral checks RateAt and Expected against values
// worked by hand, and Expected against a numerical integral of RateAt.
func TestProfileRateAndIntegral(t *testing.T) {
	tr := Traffic{Profile: testProfile()}
	for _, c := range []struct {
		at   time.Duration
		want float64
	}{{-time.Minute, 10}, {0, 10}, {5 * time.Minute, 30}, {10*time.Minute - time.Nanosecond, 50}, {10 * time.Minute, 5},
		{15 * time.Minute, 5}, {25 * time.Minute, 2.5}, {30 * time.Minute, 0}, {time.Hour, 0}} {
		assert.InDelta(t, c.want, tr.RateAt(c.at), 1e-6, "rate at %v", c.at)
	}
	// (10+50)/2·600 + 5·600 + 5/2·600
	assert.InDelta(t, 18000+3000+1500, tr.Expected(0, time.Hour), 1e-6)
	assert.InDelta(t, 3000, tr.Expected(10*time.Minute, 20*time.Minute), 1e-6)
	assert.InDelta(t, 600, tr.Expected(-time.Minute, 0), 1e-6, "the first rate holds before the first point")
	rc := tr.RateCurve()
	assert.InDelta(t, 2.5, rc.At(25*time.Minute), 1e-9)
	assert.InDelta(t, 3000, rc.Expected(10*time.Minute, 20*time.Minute), 1e-6)
	assert.Zero(t, RateCurve{}.At(time.Minute))
	assert.Zero(t, RateCurve{}.Expected(0, time.Minute))

	d := Traffic{Diurnal: &Diurnal{Peak: 100, Trough: 20, PeakHour: 14.5}}
	assert.InDelta(t, 100, d.RateAt(14*time.Hour+30*time.Minute), 1e-9)
	assert.InDelta(t, 20, d.RateAt(2*time.Hour+30*time.Minute), 1e-9)
	assert.InDelta(t, 60*86400, d.Expected(0, 24*time.Hour), 1e-6, "a day holds the mean rate (peak+trough)/2")
	for _, tc := range []Traffic{tr, d} {
		a, b := 3*time.Minute, 17*time.Hour+3*time.Minute
		n := 200000
		h := (b - a).Seconds() / float64(n)
		sum := 0.0
		for k := range n {
			sum += tc.RateAt(a + time.Duration((float64(k)+0.5)*h*1e9))
		}
		assert.InDelta(t, sum*h, tc.Expected(a, b), 1e-3*tc.Expected(a, b))
	}
}

// TestCurveBound checks that thinning's bound holds: λ(t) ≤ λmax over
// the whole of [t, until).
func TestCurveBound(t *testing.T) {
	curves := []curve{newPieces(testProfile()), diurnal{peak: 100, trough: 20, tp: 14.5 * 3600}, diurnal{peak: 9, trough: 0, tp: 0}}
	for _, c := range curves {
		for t0 := -100.0; t0 < 2*day; t0 += 337 {
			lmax, until := c.bound(t0)
			require.Greater(t, until, t0)
			end := min(until, t0+day)
			for k := 0; k <= 50; k++ {
				s := t0 + (end-t0)*float64(k)/51
				assert.LessOrEqual(t, c.rate(s), lmax+1e-9, "%T at %v (bound from %v)", c, s, t0)
			}
		}
	}
}

// arrivalsIn draws a class's arrivals by thinning up to end seconds and
// counts them in windows of width w.
func arrivalsIn(c curve, seed uint64, end, w float64) []int {
	r := &runner{}
	cl := &classRun{curve: c, arrivals: rand.New(rand.NewPCG(seed, 1)), thin: rand.New(rand.NewPCG(seed, 2))}
	counts := make([]int, int(end/w))
	for {
		r.scheduleVarying(cl)
		if cl.next >= end {
			return counts
		}
		counts[int(cl.next/w)]++
	}
}

// TestThinningMatchesIntegral checks the arrival counts of thinning
// against the profile's integral: in each window the count is Poisson
// with mean Λ(b) − Λ(a), so the variance equals the mean and the count
// must fall within 4 standard deviations (√mean); the counts summed over
// all windows likewise, and the dispersion (Σ (n−m)²/m over k windows,
// mean k and standard deviation √(2k)) within 4 of its standard
// deviations — a process at a constant rate, or one thinned wrongly, fails
// the first; a non-Poisson one the last.
func TestThinningMatchesIntegral(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tr     Traffic
		end, w float64
	}{
		{"points", Traffic{Profile: testProfile()}, 3600, 60},
		// A step up: a candidate drawn at the low rate lands far past the
		// step, where the draw must restart at the high rate.
		{"step up", Traffic{Profile: []RatePoint{{At: 0, Rate: 0.002}, {At: 10 * time.Minute, Rate: 0.002}, {At: 10 * time.Minute, Rate: 20}}}, 1200, 60},
		{"diurnal", Traffic{Diurnal: &Diurnal{Peak: 2, Trough: 0.1, PeakHour: 9}}, 2 * day, 1800},
	} {
		t.Run(tc.name, func(t *testing.T) {
			counts := arrivalsIn(tc.tr.curve(), 7, tc.end, tc.w)
			total, mean, chi := 0, 0.0, 0.0
			k := 0
			for i, n := range counts {
				m := tc.tr.Expected(time.Duration(float64(i)*tc.w*1e9), time.Duration(float64(i+1)*tc.w*1e9))
				total += n
				mean += m
				if m == 0 {
					assert.Zero(t, n, "window %d has rate 0", i)
					continue
				}
				assert.InDelta(t, m, float64(n), 4*math.Sqrt(m)+1, "window %d", i)
				chi += (float64(n) - m) * (float64(n) - m) / m
				k++
			}
			assert.InDelta(t, mean, float64(total), 4*math.Sqrt(mean))
			assert.InDelta(t, float64(k), chi, 4*math.Sqrt(2*float64(k)), "dispersion: the counts' variance must equal their mean")
		})
	}
}

// TestRunWithProfile runs a whole scenario with a profile: the arrivals
// follow its integral, a run with a profile does not start stationary
// (auto is empty) and refuses start = "stationary", and a class without
// one is unchanged by another class's profile (its own streams).
func TestRunWithProfile(t *testing.T) {
	cfg := testScenario(4, 0, testFixed(100*time.Millisecond), 25*time.Minute, 1)
	cfg.Traffic[0].Profile = testProfile()
	cfg.Horizon = 40 * time.Minute
	res := mustRun(t, cfg, 0)
	m := cfg.Traffic[0].Expected(0, cfg.Horizon)
	assert.InDelta(t, m, float64(res.Arrivals), 4*math.Sqrt(m))
	assert.Zero(t, res.WarmupSkipped)

	noH := cfg
	noH.Horizon = 0
	res = mustRun(t, noH, 0)
	assert.Zero(t, res.WarmupSkipped, "auto start with a profile is empty")
	noH.Start = StartStationary
	err := noH.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "start: stationary needs")

	// A second class with a constant rate draws exactly as before.
	plain := testScenario(4, 3, testFixed(100*time.Millisecond), 25*time.Minute, 1)
	plain.Traffic = append(plain.Traffic, Traffic{Rate: 1, Duration: testFixed(time.Second)})
	plain.Horizon = 40 * time.Minute
	both := plain
	both.Traffic = append([]Traffic(nil), plain.Traffic...)
	both.Traffic[1] = Traffic{Profile: []RatePoint{{At: 0, Rate: 0.5}, {At: time.Hour, Rate: 2}}, Duration: testFixed(time.Second)}
	a, b := mustRun(t, plain, 3), mustRun(t, both, 3)
	assert.Equal(t, a.Classes[0].Arrivals, b.Classes[0].Arrivals)
}

// TestValidateRate checks the errors of rate, profile and diurnal.
func TestValidateRate(t *testing.T) {
	for _, tc := range []struct {
		name string
		tr   Traffic
		want string // "" when valid
	}{
		{"rate", Traffic{Rate: 1}, ""},
		{"no rate", Traffic{}, "traffic[0].rate: must be in [1e-06, 1e+07]"},
		{"both", Traffic{Rate: 1, Diurnal: &Diurnal{Peak: 1}}, "traffic[0].rate: set one of rate, profile, diurnal and rate_file"},
		{"profile", Traffic{Profile: testProfile()}, ""},
		{"order", Traffic{Profile: []RatePoint{{At: time.Minute, Rate: 1}, {At: 0, Rate: 1}}}, "traffic[0].profile[1].at: points must be in time order (0s is before 1m0s)"},
		{"negative", Traffic{Profile: []RatePoint{{At: 0, Rate: -1}, {At: time.Minute, Rate: 1}}}, "traffic[0].profile[0].rate: must be in [0, 1e+07] arrivals per second (got -1)"},
		{"all zero", Traffic{Profile: []RatePoint{{At: 0, Rate: 0}}}, "traffic[0].profile: every rate is 0"},
		{"late", Traffic{Profile: []RatePoint{{At: MaxTime + time.Hour, Rate: 1}}}, "traffic[0].profile[0].at: must be 0s–87600h"},
		{"diurnal", Traffic{Diurnal: &Diurnal{Peak: 10, Trough: 1, PeakHour: 23.5}}, ""},
		{"trough", Traffic{Diurnal: &Diurnal{Peak: 10, Trough: 11}}, "traffic[0].diurnal.trough: must be 0–peak (10) arrivals per second (got 11)"},
		{"hour", Traffic{Diurnal: &Diurnal{Peak: 10, PeakHour: 24}}, "traffic[0].diurnal.peak_hour: must be in [0, 24) (got 24)"},
		{"peak", Traffic{Diurnal: &Diurnal{Peak: math.NaN()}}, "traffic[0].diurnal.peak: must be in (0, 1e+07]"},
		{"file unread", Traffic{RateFile: "r.csv"}, "traffic[0].rate_file: is read by the scenario loader"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testScenario(2, 0, testFixed(time.Second), time.Hour, 1)
			tc.tr.Duration = testFixed(time.Second)
			cfg.Traffic[0] = tc.tr
			err := cfg.Validate()
			if tc.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Equal(t, 1, strings.Count(err.Error(), "traffic[0]"), err.Error())
		})
	}
}

// TestProfileStepOnly checks a profile whose points all share one time:
// a step there, the first rate before it and the last from it on (the
// documented rule for two points at the same time). With no segment
// between distinct times the curve held the first rate for ever, so a
// profile that steps from 0 to 5/s at 1 h sent nothing.
func TestProfileStepOnly(t *testing.T) {
	tr := Traffic{Profile: []RatePoint{{At: time.Hour, Rate: 0}, {At: time.Hour, Rate: 5}}}
	assert.InDelta(t, 0, tr.RateAt(30*time.Minute), 1e-9)
	assert.InDelta(t, 5, tr.RateAt(time.Hour), 1e-9)
	assert.InDelta(t, 5, tr.RateAt(2*time.Hour), 1e-9)
	assert.InDelta(t, 5*3600, tr.Expected(0, 2*time.Hour), 1e-6)
	c := newPieces(tr.Profile)
	lmax, until := c.bound(0)
	assert.Equal(t, 0.0, lmax)
	assert.Equal(t, 3600.0, until)
	lmax, until = c.bound(3600)
	assert.Equal(t, 5.0, lmax)
	assert.True(t, math.IsInf(until, 1))
	// One point: its rate for ever.
	one := Traffic{Profile: []RatePoint{{At: time.Hour, Rate: 3}}}
	assert.InDelta(t, 3, one.RateAt(0), 1e-9)
	assert.InDelta(t, 3, one.RateAt(2*time.Hour), 1e-9)
	assert.InDelta(t, 3*7200, one.Expected(0, 2*time.Hour), 1e-6)
}
