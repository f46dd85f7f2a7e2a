package model

// Oracle tests: the simulator against the closed forms of
// shared/docs/oracles.md.
//
// Method. Each case runs R independent replications (rep = 0..R-1 of one
// seed), takes the sample mean of a per-replication figure and its standard
// error SE, and asserts
//
//	|mean − theory| ≤ 4·SE + warm-up + floor
//
// where
//
//   - theory is the formula of oracles.md, computed here from closed forms
//     written independently of the model (ExcessMean is checked against
//     them and against numerical integration below, not trusted);
//   - warm-up is the exact effect of starting the system empty at time 0
//     instead of in the stationary state: a run has seen arrivals only since
//     0, so every formula's E[(S − x)+] becomes E[(S − x)+] − E[(S − at − x)+].
//     The test computes that exact finite-start expectation and allows the
//     difference from the stationary formula, which is tiny because the
//     scale-in comes several p99.9 durations after the start (it is
//     reported in the log for every check);
//   - floor covers a standard error that collapses to zero: near-zero (or
//     near-certain) figures can come out identical in all R replications.
//     For counts and proportions it is 1/R, the resolution of a mean of R
//     integers; for drain times it is 1 ms (durations are whole
//     nanoseconds and the integrals are computed to 1e-9).
//
// With 4·SE a correct model fails a given check with probability about
// 6e-5 (about 0.5 % for the ~75 checks together); the seed is fixed, so
// the outcome is reproducible. Tolerances are
// derived from R only; they are never widened to make a check pass.

import (
	"fmt"
	"math"
	"testing"
	"time"

	"gonum.org/v1/gonum/integrate/quad"
)

// oracleSeed is the seed of every oracle run (replications 0..R-1).
const oracleSeed = 20250601

// refLaw is a duration law in closed form, written independently of the
// model and of gonum.
type refLaw struct {
	name   string
	mean   float64                 // E[S] in seconds
	excess func(x float64) float64 // E[(S − x)+] in seconds
	sf     func(x float64) float64 // P(S > x)
	dist   Distribution            // the same law for the model
}

// refNormCDF is Φ(z).
func refNormCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

// refZ99 is Φ⁻¹(0.99).
var refZ99 = math.Sqrt2 * math.Erfinv(2*0.99-1)

// refLognormal is S with median and p99 in seconds: μ = ln median,
// σ = (ln p99 − μ) / z0.99 (oracles.md §2).
func refLognormal(median, p99 float64) refLaw {
	mu := math.Log(median)
	sigma := (math.Log(p99) - mu) / refZ99
	return refLognormalMuSigma(mu, sigma, Distribution{
		Distribution: LogNormal,
		Median:       time.Duration(median * float64(time.Second)),
		P99:          time.Duration(p99 * float64(time.Second)),
	})
}

func refLognormalMuSigma(mu, sigma float64, d Distribution) refLaw {
	mean := math.Exp(mu + sigma*sigma/2)
	return refLaw{
		name: d.Distribution,
		mean: mean,
		excess: func(x float64) float64 {
			if x <= 0 {
				return mean - x
			}
			d := (mu - math.Log(x)) / sigma
			return mean*refNormCDF(d+sigma) - x*refNormCDF(d)
		},
		sf: func(x float64) float64 {
			if x <= 0 {
				return 1
			}
			return 1 - refNormCDF((math.Log(x)-mu)/sigma)
		},
		dist: d,
	}
}

// refExponential is S exponential with mean m seconds.
func refExponential(m float64) refLaw {
	return refLaw{
		name: Exponential,
		mean: m,
		excess: func(x float64) float64 {
			if x <= 0 {
				return m - x
			}
			return m * math.Exp(-x/m)
		},
		sf: func(x float64) float64 {
			if x <= 0 {
				return 1
			}
			return math.Exp(-x / m)
		},
		dist: Distribution{Distribution: Exponential, Mean: time.Duration(m * float64(time.Second))},
	}
}

// refIntegrate is adaptive Simpson quadrature of f over [a, b] to absolute
// error about tol.
func refIntegrate(f func(float64) float64, a, b, tol float64) float64 {
	if a == b {
		return 0
	}
	fa, fm, fb := f(a), f((a+b)/2), f(b)
	return refSimpson(f, a, b, fa, fm, fb, (b-a)/6*(fa+4*fm+fb), tol, 60)
}

func refSimpson(f func(float64) float64, a, b, fa, fm, fb, whole, tol float64, depth int) float64 {
	m := (a + b) / 2
	lm, rm := (a+m)/2, (m+b)/2
	flm, frm := f(lm), f(rm)
	left := (m - a) / 6 * (fa + 4*flm + fm)
	right := (b - m) / 6 * (fm + 4*frm + fb)
	if depth <= 0 || math.Abs(left+right-whole) <= 15*tol {
		return left + right + (left+right-whole)/15
	}
	return refSimpson(f, a, m, fa, flm, fm, left, tol/2, depth-1) +
		refSimpson(f, m, b, fm, frm, fb, right, tol/2, depth-1)
}

// refExcessIntegral is ∫_x^∞ sf(u) du for x ≥ 0, computed on
// u = x + c·t/(1−t), t ∈ [0, 1), so that the infinite range becomes
// finite; c sets the scale of the law. Each piece is integrated by
// 128-point Gauss–Legendre quadrature (gonum/integrate/quad), whose nodes
// avoid t = 1. It assumes sf(u)·u² → 0.
func refExcessIntegral(sf func(float64) float64, x, c float64) float64 {
	g := func(t float64) float64 {
		if t >= 1 {
			return 0
		}
		s := 1 - t
		return sf(x+c*t/s) * c / (s * s)
	}
	// Pieces shrink towards t = 1, where the tail is compressed.
	sum := 0.0
	cuts := []float64{0, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999, 1}
	for i := 1; i < len(cuts); i++ {
		sum += quad.Fixed(g, cuts[i-1], cuts[i], 128, quad.Legendre{}, 0)
	}
	return sum
}

// sampleMeanSE returns the sample mean of xs and its standard error.
func sampleMeanSE(xs []float64) (mean, se float64) {
	n := float64(len(xs))
	for _, x := range xs {
		mean += x
	}
	mean /= n
	ss := 0.0
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / (n - 1) / n)
}

// assertOracle asserts |mean − theory| ≤ 4·se + |exact − theory| + floor,
// where exact is the expectation for a system started empty at time 0
// (see the file comment), and logs the figures.
func assertOracle(t *testing.T, what string, mean, se, theory, exact, floor float64) {
	t.Helper()
	warm := math.Abs(exact - theory)
	tol := 4*se + warm + floor
	inSE := "    -"
	if se > 0 {
		inSE = fmt.Sprintf("%5.2f", math.Abs(mean-theory)/se)
	}
	t.Logf("%-36s got %10.4f  SE %8.4f  theory %10.4f  |diff| %8.4f = %s SE  tol %8.4f (warm-up %.2g, floor %.2g)",
		what, mean, se, theory, math.Abs(mean-theory), inSE, tol, warm, floor)
	if math.Abs(mean-theory) > tol {
		t.Errorf("%s: mean %.6g (SE %.3g) differs from theory %.6g by %.3g > tolerance %.3g",
			what, mean, se, theory, math.Abs(mean-theory), tol)
	}
}

// oracleConfig is a one-target ALB that receives lambda requests per
// second with durations l, scaled in at at with deregistration delay D.
// After the scale-in there is no target left, so later arrivals are
// no_target drops; the oracles count only what was in flight.
// oracleIdle is the load balancer's idle timeout in TestOracleSingleTarget.
const oracleIdle = 5 * time.Second

func oracleConfig(l refLaw, lambda float64, delay, at time.Duration) Config {
	cfg := Default()
	// No propagation or unhealthy lag: these tests check other mechanisms
	// (docs/validation.md says how the oracles are kept neutral).
	cfg.LoadBalancer.PropagationDelay = ConstantLag(0)
	cfg.LoadBalancer.UnhealthyLag = ConstantLag(0)
	cfg.Seed = oracleSeed
	cfg.Fleet.Targets = 1
	cfg.Traffic = []Traffic{{Name: "oracle", Rate: lambda, Duration: l.dist}}
	cfg.ScaleIn = []ScaleIn{{At: at, Targets: 1}}
	cfg.TargetGroup.DeregistrationDelay = delay
	return cfg
}

// oracleReps is R for the heavier cases; -short quarters it for a quick
// edit-test loop (the full count runs under `make test`).
func oracleReps(r int) int {
	if testing.Short() {
		return r / 4
	}
	return r
}

// TestOracleSingleTarget checks oracles.md §1–4 on one drained target:
// (a) dropped at expiry (cause delay_expired) = λ·E[(S − D)+];
// (b) in flight at deregistration = λ·E[S];
// (c) P(nothing dropped at expiry) = exp(−λ·E[(S − D)+]);
// (d) time until nothing is in flight E[min(D, M)] = ∫_0^D (1 − exp(−λ·E[(S − x)+])) dx;
// (e) drain time with the load balancer's idle keep-alive connections,
// which close c after the last request ends: E[min(D, M + c)] = D for
// D ≤ c, else c + ∫_0^(D−c) (1 − exp(−λ·E[(S − x)+])) dx (oracles.md §4;
// M > 0 with probability 1 − e^(−λE[S]) ≈ 1 here);
// and, since both counts are Poisson with Poisson arrivals, that their
// variance equals their mean.
func TestOracleSingleTarget(t *testing.T) {
	t.Parallel()
	// Lognormal: median 2 s, p99 20 s (p99.9 ≈ 43 s), 25 req/s; the
	// scale-in comes at 180 s, four p99.9 durations in.
	logn := refLognormal(2, 20)
	// Exponential: mean 4 s (p99.9 ≈ 28 s), 25 req/s, scale-in at 120 s.
	expo := refExponential(4)
	cases := []struct {
		law    refLaw
		lambda float64
		delay  time.Duration
		at     time.Duration
		reps   int
	}{
		{logn, 25, 10 * time.Second, 180 * time.Second, 400},
		{logn, 25, 26 * time.Second, 180 * time.Second, 800},
		{logn, 25, 60 * time.Second, 180 * time.Second, 800},
		{expo, 25, 2 * time.Second, 120 * time.Second, 400},
		{expo, 25, 8 * time.Second, 120 * time.Second, 400},
		{expo, 25, 20 * time.Second, 120 * time.Second, 400},
	}
	for _, c := range cases {
		t.Run(c.law.name+"/D="+c.delay.String(), func(t *testing.T) {
			t.Parallel()
			cfg := oracleConfig(c.law, c.lambda, c.delay, c.at)
			// An idle timeout shorter than most delays, so that (e)
			// sees both terms; the app's keep-alive (75 s) is longer, so
			// there is no keep-alive race and (a)–(d) are unaffected.
			cfg.LoadBalancer.IdleTimeout = oracleIdle
			R := oracleReps(c.reps)
			dropped := make([]float64, R)
			inflight := make([]float64, R)
			none := make([]float64, R)
			empty := make([]float64, R)
			drain := make([]float64, R)
			for rep := range R {
				res, err := Run(&cfg, rep)
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Removed) != 1 {
					t.Fatalf("rep %d: %d removed targets, want 1", rep, len(res.Removed))
				}
				if k := res.DroppedByCause[CauseKilled]; k != 0 {
					t.Fatalf("rep %d: %d killed on an ALB", rep, k)
				}
				if res.Arrivals != res.Completed+res.Dropped+res.InFlight {
					t.Fatalf("rep %d: accounting identity violated: %+v", rep, res)
				}
				rt := res.Removed[0]
				n := res.DroppedByCause[CauseDelayExpired]
				dropped[rep] = float64(n)
				inflight[rep] = float64(rt.InFlightAtDeregistration)
				if n == 0 {
					none[rep] = 1
				}
				empty[rep] = (rt.Emptied - rt.Deregistered).Seconds()
				drain[rep] = rt.DrainTime().Seconds()
			}

			lam, D, at := c.lambda, c.delay.Seconds(), c.at.Seconds()
			e := c.law.excess
			// finite is E[(S − x)+] for a system started empty at 0 and
			// observed at at + x.
			finite := func(x float64) float64 { return e(x) - e(at+x) }
			floor := 1 / float64(R)

			// (a) dropped at expiry.
			m, se := sampleMeanSE(dropped)
			assertOracle(t, "(a) dropped at expiry", m, se, lam*e(D), lam*finite(D), floor)

			// (b) in flight at deregistration.
			m, se = sampleMeanSE(inflight)
			assertOracle(t, "(b) in flight at deregistration", m, se, lam*c.law.mean, lam*(c.law.mean-e(at)), floor)

			// With Poisson arrivals both counts are Poisson: variance =
			// mean. The sample variance of R Poisson(m) counts has
			// SE ≈ sqrt((m + 2m²)/R) (from μ4 = m + 3m²).
			for _, v := range []struct {
				what  string
				xs    []float64
				m, mx float64
			}{
				{"(a) variance of dropped at expiry", dropped, lam * e(D), lam * finite(D)},
				{"(b) variance of in flight at dereg", inflight, lam * c.law.mean, lam * (c.law.mean - e(at))},
			} {
				mean, _ := sampleMeanSE(v.xs)
				ss := 0.0
				for _, x := range v.xs {
					ss += (x - mean) * (x - mean)
				}
				assertOracle(t, v.what, ss/float64(R-1), math.Sqrt((v.m+2*v.m*v.m)/float64(R)), v.m, v.mx, floor)
			}

			// (c) P(nothing dropped), a proportion: its SE under the
			// formula is sqrt(p(1−p)/R).
			p := math.Exp(-lam * e(D))
			m, _ = sampleMeanSE(none)
			assertOracle(t, "(c) P(nothing dropped)", m, math.Sqrt(p*(1-p)/float64(R)), p, math.Exp(-lam*finite(D)), floor)

			// (d) time until nothing is in flight.
			busy := func(ex func(float64) float64, to float64) float64 {
				return refIntegrate(func(x float64) float64 { return 1 - math.Exp(-lam*ex(x)) }, 0, to, 1e-10)
			}
			m, se = sampleMeanSE(empty)
			assertOracle(t, "(d) nothing in flight E[min(D,M)] (s)", m, se, busy(e, D), busy(finite, D), 1e-3)

			// (e) drain time: idle connections hold it c longer.
			cS := oracleIdle.Seconds()
			theory, exact := D, D
			if D > cS {
				theory, exact = cS+busy(e, D-cS), cS+busy(finite, D-cS)
			}
			m, se = sampleMeanSE(drain)
			assertOracle(t, "(e) drain time E[min(D,M+c)] (s)", m, se, theory, exact, 1e-3)
		})
	}
}

// TestOracleFleetRouting checks oracles.md §5: with n targets behind round
// robin or random routing and a total rate Λ, a drained target behaves as
// one that receives λ = Λ/n. Round robin gives each target an Erlang-n
// renewal stream rather than a Poisson one, so only the means (§1, §2)
// apply to it; random routing thins the Poisson stream, so the drain time
// (§4) applies too.
func TestOracleFleetRouting(t *testing.T) {
	t.Parallel()
	const (
		n      = 4
		total  = 40.0 // Λ, requests per second
		remove = 2    // drained at once, oldest first
	)
	expo := refExponential(2) // p99.9 ≈ 14 s
	delay, at := 4*time.Second, 60*time.Second
	for _, alg := range []Algorithm{RoundRobin, Random} {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			cfg := oracleConfig(expo, total, delay, at)
			cfg.Fleet.Targets = n
			cfg.ScaleIn[0].Targets = remove
			cfg.LoadBalancer.Algorithm = alg
			R := oracleReps(400)
			dropped := make([]float64, R)  // per drained target, mean of the two
			inflight := make([]float64, R) // per drained target, mean of the two
			drain := make([]float64, R)    // per drained target, mean of the two
			for rep := range R {
				res, err := Run(&cfg, rep)
				if err != nil {
					t.Fatal(err)
				}
				if res.Arrivals != res.Completed+res.Dropped+res.InFlight {
					t.Fatalf("rep %d: accounting identity violated: %+v", rep, res)
				}
				if len(res.Removed) != remove || res.DroppedByCause[CauseNoTarget] != 0 {
					t.Fatalf("rep %d: %d removed, %d no_target", rep, len(res.Removed), res.DroppedByCause[CauseNoTarget])
				}
				dropped[rep] = float64(res.DroppedByCause[CauseDelayExpired]) / remove
				for _, rt := range res.Removed {
					inflight[rep] += float64(rt.InFlightAtDeregistration) / remove
					drain[rep] += (rt.Emptied - rt.Deregistered).Seconds() / remove
				}
			}
			lam, D, atS := total/n, delay.Seconds(), at.Seconds()
			e := expo.excess
			finite := func(x float64) float64 { return e(x) - e(atS+x) }
			floor := 1 / float64(R*remove)

			m, se := sampleMeanSE(dropped)
			assertOracle(t, "(a) dropped at expiry per target", m, se, lam*e(D), lam*finite(D), floor)
			m, se = sampleMeanSE(inflight)
			assertOracle(t, "(b) in flight at dereg per target", m, se, lam*expo.mean, lam*(expo.mean-e(atS)), floor)
			if alg == Random {
				theory := refIntegrate(func(x float64) float64 { return 1 - math.Exp(-lam*e(x)) }, 0, D, 1e-10)
				exact := refIntegrate(func(x float64) float64 { return 1 - math.Exp(-lam*finite(x)) }, 0, D, 1e-10)
				m, se = sampleMeanSE(drain)
				assertOracle(t, "(d) nothing in flight per target (s)", m, se, theory, exact, 1e-3)
			}
		})
	}
}

// TestExcessMeanClosedForms checks ExcessMean for the lognormal and
// exponential laws against the closed forms of oracles.md §2 (written
// again here) and against numerical integration of the survival function.
func TestExcessMeanClosedForms(t *testing.T) {
	t.Parallel()
	laws := []refLaw{
		refLognormal(2, 20),
		refLognormal(0.05, 0.4),
		refLognormalMuSigma(0, 0.5, Distribution{Distribution: LogNormal, Mu: 0, Sigma: 0.5}),
		refLognormalMuSigma(1, 2, Distribution{Distribution: LogNormal, Mu: 1, Sigma: 2}),
		refExponential(4),
		refExponential(0.25),
	}
	for _, l := range laws {
		ml := l.dist.Law(Source(1, 0, 0))
		if rel := math.Abs(ml.Mean()-l.mean) / l.mean; rel > 1e-12 {
			t.Errorf("%s %+v: Law mean %v, want %v", l.name, l.dist, ml.Mean(), l.mean)
		}
		for _, x := range []float64{0, 0.01, 0.5, 2, 4, 10, 26, 60, 200} {
			got := ExcessMean(ml, x)
			closed := l.excess(x)
			numeric := refExcessIntegral(l.sf, x, l.mean)
			// The closed form and ExcessMean are the same formula in
			// floating point; the integral is accurate to ~1e-12
			// absolute.
			if math.Abs(got-closed) > 1e-12*math.Max(1, closed) {
				t.Errorf("%s %+v: ExcessMean(%v) = %.15g, closed form %.15g", l.name, l.dist, x, got, closed)
			}
			if math.Abs(got-numeric) > 1e-9*math.Max(1e-3, closed) {
				t.Errorf("%s %+v: ExcessMean(%v) = %.15g, numerical integral %.15g", l.name, l.dist, x, got, numeric)
			}
		}
		// At 0, E[(S − 0)+] is the mean.
		if got := ExcessMean(ml, 0); math.Abs(got-l.mean) > 1e-12*l.mean {
			t.Errorf("%s: ExcessMean(0) = %v, want the mean %v", l.name, got, l.mean)
		}
	}
	// The exponential closed form m·e^(−D/m) written out.
	e4 := refExponential(4)
	ml := e4.dist.Law(Source(1, 0, 0))
	for _, D := range []float64{2, 8, 20} {
		if got, want := ExcessMean(ml, D), 4*math.Exp(-D/4); math.Abs(got-want) > 1e-14 {
			t.Errorf("exponential mean 4: ExcessMean(%v) = %v, want %v", D, got, want)
		}
	}
}

// TestExcessMeanOtherLaws checks ExcessMean's numerical path (gamma,
// Weibull, uniform) and its closed forms for the constant and empirical
// laws against integrals computed here. The model integrates with
// Simpson's rule on 20000 panels; a survival function with a square-root
// corner at 0 (shape 0.5) limits that to about 1e-4 relative, hence the
// 1e-3 tolerance on that path.
func TestExcessMeanOtherLaws(t *testing.T) {
	t.Parallel()
	cases := []struct {
		d     Distribution
		sf    func(x float64) float64
		scale float64
	}{
		{Distribution{Distribution: Gamma, Shape: 2, Scale: time.Second},
			func(x float64) float64 { return (1 + x) * math.Exp(-x) }, 2},
		{Distribution{Distribution: Weibull, Shape: 0.5, Scale: time.Second},
			func(x float64) float64 { return math.Exp(-math.Sqrt(x)) }, 2},
		{Distribution{Distribution: Weibull, Shape: 1.5, Scale: 3 * time.Second},
			func(x float64) float64 { return math.Exp(-math.Pow(x/3, 1.5)) }, 3},
		{Distribution{Distribution: Uniform, Min: time.Second, Max: 3 * time.Second},
			func(x float64) float64 { return math.Min(1, math.Max(0, (3-x)/2)) }, 2},
	}
	for _, c := range cases {
		l := c.d.Law(Source(1, 0, 0))
		for _, x := range []float64{0, 0.5, 1, 2, 5, 10} {
			got := ExcessMean(l, x)
			want := refExcessIntegral(c.sf, x, c.scale)
			if math.Abs(got-want) > 1e-3*math.Max(want, 1e-3) {
				t.Errorf("%s shape %v: ExcessMean(%v) = %.9g, integral %.9g", c.d.Distribution, c.d.Shape, x, got, want)
			}
		}
		// Below the support, E[(S − x)+] = E[S] − x exactly.
		if got, want := ExcessMean(l, -1), l.Mean()+1; math.Abs(got-want) > 1e-12 {
			t.Errorf("%s: ExcessMean(-1) = %v, want %v", c.d.Distribution, got, want)
		}
	}
	cd := Distribution{Distribution: Constant, Value: 5 * time.Second}
	c := cd.Law(nil)
	for x, want := range map[float64]float64{-1: 6, 0: 5, 2: 3, 5: 0, 7: 0} {
		if got := ExcessMean(c, x); got != want {
			t.Errorf("constant 5s: ExcessMean(%v) = %v, want %v", x, got, want)
		}
	}
	ed := Distribution{Distribution: Empirical, Samples: []float64{1, 2, 3, 10}}
	emp := ed.Law(Source(1, 0, 0))
	for x, want := range map[float64]float64{-1: 5, 0: 4, 2: (1 + 8) / 4.0, 3: 7 / 4.0, 10: 0} {
		if got := ExcessMean(emp, x); math.Abs(got-want) > 1e-15 {
			t.Errorf("empirical: ExcessMean(%v) = %v, want %v", x, got, want)
		}
	}
}

// TestOraclesDocExamples checks the figures quoted in oracles.md: a
// lognormal with p99 20 s and median 2 s at 25 req/s per target drops
// about 1.35 requests per drained target with a 26 s delay and about 0.15
// with a 60 s delay. The document gives two decimals, so the tolerance is
// half a unit of the last digit.
func TestOraclesDocExamples(t *testing.T) {
	t.Parallel()
	d := Distribution{Distribution: LogNormal, Median: 2 * time.Second, P99: 20 * time.Second}
	l := d.Law(Source(1, 0, 0))
	for D, want := range map[float64]float64{26: 1.35, 60: 0.15} {
		got := 25 * ExcessMean(l, D)
		t.Logf("D = %v s: 25·E[(S−D)+] = %.4f (oracles.md: ≈ %.2f)", D, got, want)
		if math.Abs(got-want) > 0.005 {
			t.Errorf("D = %v s: 25·E[(S−D)+] = %.4f, oracles.md says ≈ %.2f", D, got, want)
		}
	}
	// σ from the p99: (ln 20 − ln 2) / 2.3263 ≈ 0.98979.
	if s := math.Log(10) / refZ99; math.Abs(s-0.98979) > 5e-5 {
		t.Errorf("σ = %v", s)
	}
}

// TestExcessMeanEdgeCases guards two fixed ExcessMean bugs: the exponential
// closed form m·e^(−x/m) was applied to negative x (E[(S − x)+] = E[S] − x
// there), and Pareto went through Simpson's rule, which cannot follow a
// survival curve that is 1 up to x_m and then a power-law tail (it now has
// a closed form).
func TestExcessMeanEdgeCases(t *testing.T) {
	t.Parallel()
	e4 := refExponential(4)
	el := e4.dist.Law(Source(1, 0, 0))
	for _, x := range []float64{-1, -10} {
		if got, want := ExcessMean(el, x), 4-x; math.Abs(got-want) > 1e-12 {
			t.Errorf("exponential mean 4: ExcessMean(%v) = %v, want E[S] − x = %v", x, got, want)
		}
	}
	// Pareto(x_m, α): E[(S − x)+] = α·x_m/(α−1) − x for x ≤ x_m and
	// x_m·(x_m/x)^(α−1)/(α−1) above.
	for _, alpha := range []float64{1.1, 2, 3} {
		d := Distribution{Distribution: Pareto, Shape: alpha, Scale: time.Second}
		l := d.Law(Source(1, 0, 0))
		for _, x := range []float64{0, 0.5, 2, 10} {
			want := alpha/(alpha-1) - x
			if x > 1 {
				want = math.Pow(1/x, alpha-1) / (alpha - 1)
			}
			if got := ExcessMean(l, x); math.Abs(got-want) > 1e-3*want {
				t.Errorf("pareto shape %v: ExcessMean(%v) = %.6g, want %.6g", alpha, x, got, want)
			}
		}
	}
}

// TestArrivalRateAtMaximum guards a fixed bug: each inter-arrival gap was
// truncated to whole nanoseconds, so rates near the 10⁷/s maximum came out
// 0.5 % high. Arrival times are now accumulated in float64 seconds and
// rounded once.
func TestArrivalRateAtMaximum(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates six million events")
	}
	t.Parallel()
	cfg := Default()
	cfg.Fleet.Targets = 2
	cfg.Traffic = []Traffic{{Rate: 1e7, Duration: Distribution{Distribution: Constant}}}
	cfg.ScaleIn = []ScaleIn{{At: 50 * time.Millisecond, Targets: 1}}
	cfg.Horizon = 100 * time.Millisecond
	const R = 3
	xs := make([]float64, R)
	for rep := range R {
		res, err := Run(&cfg, rep)
		if err != nil {
			t.Fatal(err)
		}
		xs[rep] = float64(res.Arrivals)
	}
	m, _ := sampleMeanSE(xs)
	// Poisson: the SE of the mean is sqrt(λT/R).
	assertOracle(t, "arrivals in 0.1 s at 1e7/s", m, math.Sqrt(1e6/R), 1e6, 1e6, 1.0/R)
}
