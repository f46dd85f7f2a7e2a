package model

import (
	"math"
	"strings"
	"testing"
	"time"
)

// plainConfig is oracleConfig with an explicit zero propagation lag: the
// formulas leave the lag out, and the default lag may change.
func plainConfig(l refLaw, lambda float64, delay, at time.Duration) Config {
	cfg := oracleConfig(l, lambda, delay, at)
	cfg.LoadBalancer.PropagationDelay = ConstantLag(0)
	return cfg
}

// refEin is the entire exponential integral Ein(z) = ∫_0^z (1 − e^(−y))/y dy:
// its power series for z ≤ 10, else γ + ln z + E1(z) with E1 from its
// continued fraction.
func refEin(z float64) float64 {
	if z <= 10 {
		sum, term := 0.0, 1.0
		for k := 1; k < 200; k++ {
			term *= z / float64(k) // z^k / k!
			s := term / float64(k)
			if k%2 == 0 {
				s = -s
			}
			sum += s
			if math.Abs(s) < 1e-18 {
				break
			}
		}
		return sum
	}
	// E1(z) = e^(−z) / (z + 1/(1 + 1/(z + 2/(1 + 2/(z + …))))), evaluated
	// from the bottom up.
	f := 0.0
	for k := 60; k >= 1; k-- {
		f = float64(k) / (1 + float64(k)/(z+f))
	}
	e1 := math.Exp(-z) / (z + f)
	const gamma = 0.57721566490153286061
	return gamma + math.Log(z) + e1
}

// TestEstimateClosedFormsExponential checks the estimate for one target
// with exponential durations (mean m) against closed forms derived here:
// dropped λm·e^(−D/m); P(no drop) its exponential; the time until nothing
// is in flight ∫_0^D (1 − exp(−λm·e^(−x/m))) dx = m·(Ein(λm) − Ein(λm·e^(−D/m)))
// (substitute y = λm·e^(−x/m)); the drain time with the idle connection
// hold c, c + m·(Ein(λm) − Ein(λm·e^(−(D−c)/m))); and the instance cost.
func TestEstimateClosedFormsExponential(t *testing.T) {
	t.Parallel()
	const lam, m, price = 3.0, 4.0, 0.36
	for _, c := range []struct{ D, idle float64 }{{2, 5}, {8, 5}, {20, 5}, {20, 60}, {0, 5}} {
		cfg := plainConfig(refExponential(m), lam, time.Duration(c.D*1e9), 120*time.Second)
		cfg.LoadBalancer.IdleTimeout = time.Duration(c.idle * 1e9)
		cfg.Fleet.PricePerHour = price
		est, err := cfg.Estimate()
		if err != nil {
			t.Fatal(err)
		}
		drops := lam * m * math.Exp(-c.D/m)
		empty := m * (refEin(lam*m) - refEin(lam*m*math.Exp(-c.D/m)))
		drain := c.D
		if c.D > c.idle {
			drain = c.idle + m*(refEin(lam*m)-refEin(lam*m*math.Exp(-(c.D-c.idle)/m)))
		}
		for _, v := range []struct {
			what      string
			got, want float64
		}{
			{"dropped", est.DroppedMean, drops},
			{"dropped delay_expired", est.DroppedByCause["delay_expired"], drops},
			{"P(no drop)", est.PNoDrop, math.Exp(-drops)},
			{"in flight at deregistration", est.InFlightMean, lam * m},
			{"E[min(D,M)]", est.EmptySMean, empty},
			{"drain time", est.DrainSMean, drain},
			{"scale-in time (one target)", est.ScaleInSMean, drain},
			{"cost", est.CostUSDMean, price / 3600 * drain},
		} {
			if math.Abs(v.got-v.want) > 1e-7*math.Max(1, v.want) {
				t.Errorf("D=%v idle=%v: %s = %.12g, want %.12g", c.D, c.idle, v.what, v.got, v.want)
			}
		}
	}
}

// TestEstimateClosedFormsLognormal checks the estimate for lognormal
// durations (median 2 s, p99 20 s) against oracles.md's closed form,
// written again in refLognormal, and its integrals computed here, with two
// targets drained at once behind random routing: per-target rate Λ/n, and a
// scale-in that lasts the longer of two independent drains,
// E = c + ∫_0^(D−c) (1 − exp(−2λ·E[(S − x)+])) dx.
func TestEstimateClosedFormsLognormal(t *testing.T) {
	t.Parallel()
	l := refLognormal(2, 20)
	const total, n, k, c = 100.0, 4, 2, 5.0
	lam := total / n
	for _, D := range []float64{3, 10, 26, 60} {
		cfg := plainConfig(l, total, time.Duration(D*1e9), 180*time.Second)
		cfg.Fleet.Targets = n
		cfg.ScaleIn[0].Targets = k
		cfg.LoadBalancer.Algorithm = Random
		cfg.LoadBalancer.IdleTimeout = c * time.Second
		est, err := cfg.Estimate()
		if err != nil {
			t.Fatal(err)
		}
		busy := func(rate, to float64) float64 {
			return refIntegrate(func(x float64) float64 { return 1 - math.Exp(-rate*l.excess(x)) }, 0, to, 1e-11)
		}
		drain, scaleIn := D, D
		if D > c {
			drain, scaleIn = c+busy(lam, D-c), c+busy(k*lam, D-c)
		}
		for _, v := range []struct {
			what      string
			got, want float64
		}{
			{"dropped", est.DroppedMean, k * lam * l.excess(D)},
			{"P(no drop)", est.PNoDrop, math.Exp(-k * lam * l.excess(D))},
			{"in flight per target", est.InFlightMean, lam * l.mean},
			{"E[min(D,M)]", est.EmptySMean, busy(lam, D)},
			{"drain time", est.DrainSMean, drain},
			{"scale-in time", est.ScaleInSMean, scaleIn},
		} {
			if math.Abs(v.got-v.want) > 1e-6*math.Max(1, v.want) {
				t.Errorf("D=%v: %s = %.12g, want %.12g", D, v.what, v.got, v.want)
			}
		}
		if len(est.Caveats) != 0 {
			t.Errorf("D=%v: caveats %v on a plain scenario", D, est.Caveats)
		}
	}
	// oracles.md's figures: 26 s drops about 1.35 per target at 25/s.
	cfg := plainConfig(l, 25, 26*time.Second, 180*time.Second)
	est, err := cfg.Estimate()
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(est.DroppedMean-1.35) > 0.005 {
		t.Errorf("oracles.md example: %v dropped, want about 1.35", est.DroppedMean)
	}
}

// TestEstimateShrinkingFleet checks a second scale-in shortly after a
// first: the target it removes received Λ/4 until the first and Λ/3 since,
// Δ seconds, so with exponential durations what it holds x seconds after
// its deregistration has mean (Λ/3)·m·e^(−x/m) + (Λ/4 − Λ/3)·m·e^(−(x+Δ)/m).
// An empty start (a horizon) truncates the history at time zero.
func TestEstimateShrinkingFleet(t *testing.T) {
	t.Parallel()
	const total, m, D, delta = 12.0, 4.0, 6.0, 3.0
	cfg := plainConfig(refExponential(m), total, D*time.Second, 100*time.Second)
	cfg.Fleet.Targets = 4
	cfg.LoadBalancer.Algorithm = Random
	cfg.ScaleIn = []ScaleIn{{At: 100 * time.Second, Targets: 1}, {At: (100 + delta) * time.Second, Targets: 1}}
	est, err := cfg.Estimate()
	if err != nil {
		t.Fatal(err)
	}
	first := total / 4 * m * math.Exp(-D/m)
	second := total/3*m*math.Exp(-D/m) + (total/4-total/3)*m*math.Exp(-(D+delta)/m)
	if got := est.ScaleIns[0].DroppedPerTarget; math.Abs(got-first) > 1e-12 {
		t.Errorf("first scale-in: %v dropped per target, want %v", got, first)
	}
	if got := est.ScaleIns[1].DroppedPerTarget; math.Abs(got-second) > 1e-12 {
		t.Errorf("second scale-in: %v dropped per target, want %v", got, second)
	}
	if got := est.ScaleIns[1].InService; got != 3 {
		t.Errorf("second scale-in: %d in service, want 3", got)
	}
	if got, want := est.DroppedMean, first+second; math.Abs(got-want) > 1e-12 {
		t.Errorf("dropped %v, want %v", got, want)
	}

	// Empty start at 0, scale-in at a: E[(S − D)+] − E[(S − D − a)+].
	cfg = plainConfig(refExponential(m), 2, D*time.Second, 5*time.Second)
	cfg.Start = StartEmpty
	est, err = cfg.Estimate()
	if err != nil {
		t.Fatal(err)
	}
	want := 2 * m * (math.Exp(-D/m) - math.Exp(-(D+5)/m))
	if math.Abs(est.DroppedMean-want) > 1e-12 {
		t.Errorf("empty start: %v dropped, want %v", est.DroppedMean, want)
	}
}

// TestEstimateAgreesWithSimulation runs a plain scenario (random routing,
// no lag, EC2) with two scale-ins from a shrinking fleet and checks the
// estimate's drops, time until nothing is in flight, drain time, scale-in
// time and cost against the simulated means, within 4 standard errors plus
// the floor the oracle tests use (1/R for counts, 1 ms for times).
func TestEstimateAgreesWithSimulation(t *testing.T) {
	t.Parallel()
	cfg := plainConfig(refExponential(2), 40, 6*time.Second, 60*time.Second)
	cfg.Fleet.Targets = 4
	cfg.Fleet.PricePerHour = 3.6
	cfg.LoadBalancer.Algorithm = Random
	cfg.LoadBalancer.IdleTimeout = 2 * time.Second
	cfg.ScaleIn = []ScaleIn{{At: 60 * time.Second, Targets: 1}, {At: 63 * time.Second, Targets: 2}}
	est, err := cfg.Estimate()
	if err != nil {
		t.Fatal(err)
	}
	if !est.Applies() || len(est.Caveats) != 0 {
		t.Fatalf("caveats on a plain scenario: %v", est.Caveats)
	}
	R := oracleReps(200)
	var dropped, none, empty, drain, scaleIn, cost []float64
	for rep := range R {
		res, err := Run(&cfg, rep)
		if err != nil {
			t.Fatal(err)
		}
		if res.Dropped != res.DroppedByCause[CauseDelayExpired] {
			t.Fatalf("rep %d: drops other than delay_expired: %v", rep, res.DroppedByCause)
		}
		dropped = append(dropped, float64(res.Dropped))
		p := 0.0
		if res.Dropped == 0 {
			p = 1
		}
		none = append(none, p)
		var e, d float64
		for _, rt := range res.Removed {
			e += (rt.Emptied - rt.Deregistered).Seconds()
			d += rt.DrainTime().Seconds()
		}
		empty = append(empty, e/float64(len(res.Removed)))
		drain = append(drain, d/float64(len(res.Removed)))
		s := 0.0
		for _, si := range res.ScaleIns {
			s += si.Duration().Seconds()
		}
		scaleIn = append(scaleIn, s/float64(len(res.ScaleIns)))
		cost = append(cost, res.CostUSD)
	}
	floor := 1 / float64(R)
	m, se := sampleMeanSE(dropped)
	assertOracle(t, "dropped per replication", m, se, est.DroppedMean, est.DroppedMean, floor)
	m, _ = sampleMeanSE(none)
	p := est.PNoDrop
	assertOracle(t, "P(no drop)", m, math.Sqrt(p*(1-p)/float64(R)), p, p, floor)
	m, se = sampleMeanSE(empty)
	assertOracle(t, "E[min(D,M)] per target (s)", m, se, est.EmptySMean, est.EmptySMean, 1e-3)
	m, se = sampleMeanSE(drain)
	assertOracle(t, "drain time per target (s)", m, se, est.DrainSMean, est.DrainSMean, 1e-3)
	m, se = sampleMeanSE(scaleIn)
	assertOracle(t, "scale-in time (s)", m, se, est.ScaleInSMean, est.ScaleInSMean, 1e-3)
	m, se = sampleMeanSE(cost)
	assertOracle(t, "cost per replication (USD)", m, se, est.CostUSDMean, est.CostUSDMean, 1e-9)
}

// TestEstimateCaveats checks that each setting the formulas leave out
// gives its caveat, with its key and kind, and that a plain scenario gives
// none.
func TestEstimateCaveats(t *testing.T) {
	t.Parallel()
	base := func() Config {
		cfg := plainConfig(refExponential(2), 40, 10*time.Second, 60*time.Second)
		cfg.Fleet.Targets = 4
		cfg.LoadBalancer.Algorithm = Random
		return cfg
	}
	cases := []struct {
		name string
		set  func(*Config)
		key  string
		kind CaveatKind
		msg  string
	}{
		{"lag", func(c *Config) { c.LoadBalancer.PropagationDelay = ConstantLag(10 * time.Second) },
			"load_balancer.propagation_delay", DoesNotApply, "propagation lag 10s"},
		{"lag law", func(c *Config) {
			c.LoadBalancer.PropagationDelay = Lag{Distribution{Distribution: Exponential, Mean: 5 * time.Second}}
		}, "load_balancer.propagation_delay", DoesNotApply, "exponential, mean 5s"},
		{"ecs", func(c *Config) { c.Platform.Type = ECS }, "platform.type", DoesNotApply, "platform ecs"},
		{"eks", func(c *Config) { c.Platform.Type = EKS }, "platform.type", DoesNotApply, "platform eks"},
		{"hook", func(c *Config) { c.Platform.LifecycleHook = &LifecycleHook{HandlerDuration: time.Minute} },
			"platform.lifecycle_hook", DoesNotApply, "lifecycle hook"},
		{"shutdown grace", func(c *Config) { c.Platform.ShutdownGrace = 30 * time.Second },
			"platform.shutdown_grace", DoesNotApply, "shutdown_grace 30s"},
		{"sigterm on ecs", func(c *Config) { c.Platform.Type = ECS; c.App.OnSigterm = Immediate },
			"app.on_sigterm", DoesNotApply, "on_sigterm immediate"},
		{"retries", func(c *Config) { c.Traffic[0].Retry = &Retry{Attempts: 3} },
			"traffic[0].retry", DoesNotApply, "retries on oracle"},
		{"reconnects", func(c *Config) {
			c.Traffic[0].Kind = KindConnection
			c.Traffic[0].Reconnect = &Reconnect{}
		}, "traffic[0].reconnect", DoesNotApply, "reconnects on oracle"},
		{"profile", func(c *Config) {
			c.Traffic[0].Profile = []RatePoint{{At: 0, Rate: c.Traffic[0].Rate}, {At: time.Hour, Rate: 1}}
			c.Traffic[0].Rate = 0
		}, "traffic[0].rate", DoesNotApply, "time-varying rate on oracle"},
		{"closed loop", func(c *Config) {
			c.Traffic[0].Clients = 20
			c.Traffic[0].Rate = 0
		}, "traffic[0].clients", DoesNotApply, "closed-loop clients on oracle"},
		{"worker limit", func(c *Config) { c.Fleet.MaxConcurrency = 100 }, "fleet.max_concurrency", DoesNotApply, "worker limit of 100"},
		{"keep-alive race", func(c *Config) { c.App.KeepaliveTimeout = 30 * time.Second },
			"app.keepalive_timeout", DoesNotApply, "keep-alive race"},
		{"no target left", func(c *Config) { c.ScaleIn[0].Targets = 4 }, "scale_in", DoesNotApply, "no target in service"},
		{"horizon", func(c *Config) { c.Horizon = 65 * time.Second }, "horizon", DoesNotApply, "before the last delay expires"},
		{"infinite mean", func(c *Config) {
			c.Traffic[0].Duration = Distribution{Distribution: Pareto, Shape: 1, Scale: time.Second}
			c.Start = StartEmpty
		}, "traffic[0].duration", DoesNotApply, "no finite mean"},
		{"round robin", func(c *Config) { c.LoadBalancer.Algorithm = RoundRobin }, "load_balancer.algorithm", Approximate, "round robin"},
		{"least outstanding", func(c *Config) { c.LoadBalancer.Algorithm = LeastOutstandingRequests },
			"load_balancer.algorithm", Approximate, "least outstanding requests"},
		{"idle targets", func(c *Config) { c.Traffic[0].Rate = 0.4 }, "traffic", Approximate, "idle at deregistration"},
		{"nlb", func(c *Config) { c.LoadBalancer.Type = NLB }, "target_group.connection_termination", Note, "killed"},
		{"clb", func(c *Config) {
			c.LoadBalancer.Type = CLB
			c.TargetGroup.ConnectionDraining = false
		}, "target_group.connection_draining", Note, "at deregistration"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := base()
			plain, err := cfg.Estimate()
			if err != nil {
				t.Fatal(err)
			}
			if len(plain.Caveats) != 0 {
				t.Fatalf("plain scenario has caveats %v", plain.Caveats)
			}
			c.set(&cfg)
			est, err := cfg.Estimate()
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, cv := range est.Caveats {
				if cv.Key == c.key && cv.Kind == c.kind && strings.Contains(cv.Msg, c.msg) {
					found = true
				}
			}
			if !found {
				t.Errorf("no %s caveat on %s containing %q: %v", c.kind, c.key, c.msg, est.Caveats)
			}
			if got := est.Applies(); got != (c.kind != DoesNotApply) {
				t.Errorf("Applies() = %v with %v", got, est.Caveats)
			}
			if c.kind == DoesNotApply && !strings.Contains(est.NotApplicable(), c.msg) {
				t.Errorf("NotApplicable() = %q, want it to contain %q", est.NotApplicable(), c.msg)
			}
		})
	}
	// On EC2 without a shutdown grace the app never sees SIGTERM: an
	// immediate app changes nothing.
	cfg := base()
	cfg.App.OnSigterm = Immediate
	cfg.Traffic[0].Retry = &Retry{Attempts: 1}
	est, err := cfg.Estimate()
	if err != nil {
		t.Fatal(err)
	}
	if len(est.Caveats) != 0 {
		t.Errorf("on_sigterm immediate on plain EC2, retry attempts 1: caveats %v", est.Caveats)
	}
}

// TestEstimateNLBWithoutTermination checks that an NLB without connection
// termination puts its drops at termination (cause killed), as the
// simulation does, and with connection termination at expiry.
func TestEstimateNLBWithoutTermination(t *testing.T) {
	t.Parallel()
	cfg := plainConfig(refExponential(4), 3, 8*time.Second, 120*time.Second)
	cfg.LoadBalancer.Type = NLB
	est, err := cfg.Estimate()
	if err != nil {
		t.Fatal(err)
	}
	want := 3 * 4 * math.Exp(-2.0)
	if got := est.DroppedByCause["killed"]; math.Abs(got-want) > 1e-12 || est.DroppedByCause["delay_expired"] != 0 {
		t.Errorf("nlb: by cause %v, want killed %v", est.DroppedByCause, want)
	}
	if est.IdleHoldS != 0 {
		t.Errorf("nlb: idle hold %v, want 0", est.IdleHoldS)
	}
	cfg.TargetGroup.ConnectionTermination = true
	est, err = cfg.Estimate()
	if err != nil {
		t.Fatal(err)
	}
	if got := est.DroppedByCause["delay_expired"]; math.Abs(got-want) > 1e-12 {
		t.Errorf("nlb with termination: by cause %v, want delay_expired %v", est.DroppedByCause, want)
	}
}

// TestEstimateInvalid checks that an invalid configuration gives its
// validation error.
func TestEstimateInvalid(t *testing.T) {
	t.Parallel()
	cfg := plainConfig(refExponential(4), 3, 8*time.Second, 120*time.Second)
	cfg.TargetGroup.DeregistrationDelay = 4000 * time.Second
	if _, err := cfg.Estimate(); err == nil || !strings.Contains(err.Error(), "target_group.deregistration_delay") {
		t.Errorf("err = %v, want a deregistration_delay error", err)
	}
}

// TestEstimateExcessTables checks the estimate's fast E[(S − x)+] for the
// empirical law (suffix sums) and the laws ExcessMean integrates
// (a table) against ExcessMean itself.
func TestEstimateExcessTables(t *testing.T) {
	t.Parallel()
	for _, d := range []Distribution{
		{Distribution: Empirical, Samples: []float64{0.5, 1, 1, 2, 3, 10}},
		{Distribution: Gamma, Shape: 2, Scale: time.Second},
		{Distribution: Weibull, Shape: 1.5, Scale: 3 * time.Second},
		{Distribution: Uniform, Min: time.Second, Max: 3 * time.Second},
	} {
		l := d.Law(Source(1, 0, 0))
		f := excessFunc(l)
		for _, x := range []float64{-1, 0, 0.5, 1, 1.7, 2, 2.5, 5, 10, 20} {
			got, want := f(x), ExcessMean(l, x)
			if math.Abs(got-want) > 1e-5*math.Max(want, 1e-3) {
				t.Errorf("%s: E[(S − %v)+] = %.9g, ExcessMean %.9g", d.Distribution, x, got, want)
			}
		}
	}
}
