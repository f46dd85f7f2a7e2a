package model

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An unset propagation lag takes the type's field-measured default; an
// explicit "0s" stays 0. Before issue #9 every type defaulted to 0.
func TestDefaultLagPerType(t *testing.T) {
	for _, typ := range []LBType{ALB, NLB, CLB} {
		c := Default()
		c.LoadBalancer.Type = typ
		e := c.withDefaults()
		assert.Equal(t, DefaultPropagationDelay(typ), e.LoadBalancer.PropagationDelay, typ)
		assert.Equal(t, DefaultUnhealthyLag(typ), e.LoadBalancer.UnhealthyLag, typ)
		c.LoadBalancer.PropagationDelay = ConstantLag(0)
		c.LoadBalancer.UnhealthyLag = ConstantLag(0)
		e = c.withDefaults()
		assert.Equal(t, ConstantLag(0), e.LoadBalancer.PropagationDelay, typ)
		assert.Equal(t, ConstantLag(0), e.LoadBalancer.UnhealthyLag, typ)
	}
	// The laws' medians and tails are those docs/model.md cites.
	alb := DefaultPropagationDelay(ALB)
	nlb := DefaultPropagationDelay(NLB)
	assert.Equal(t, alb, DefaultPropagationDelay(CLB))
	mu, sigma := nlb.lognormal()
	assert.InDelta(t, 120, math.Exp(mu), 1e-9)
	assert.InDelta(t, 180, math.Exp(mu+2.3263*sigma), 0.01)
	// The ALB's Weibull against the reports it is fitted to (docs/model.md).
	law := alb.Law(Source(1, 0, 0))
	for _, x := range []struct {
		lag      float64 // seconds
		pAbove   float64 // P(lag > x)
		tol      float64
		reported string
	}{
		{5, 0.77, 0.01, "#1064: a 5 s preStop is not enough"},
		{9.4, 0.50, 0.01, "#1719: about 10 s of API propagation"},
		{25, 0.049, 0.005, "#1064: 25 s enough under load"},
		{40, 0.0022, 0.0005, "#2106: 40 s, very rare 502s"},
		{70, 0, 1e-5, "#2106: 70 s, none"},
	} {
		assert.InDelta(t, x.pAbove, 1-law.CDF(x.lag), x.tol, x.reported)
	}
	u := DefaultUnhealthyLag(NLB)
	assert.Equal(t, 30*time.Second, u.Min)
	assert.Equal(t, 40*time.Second, u.Max)

	// A bad unhealthy_lag is reported under its key.
	c := testScenario(2, 1, Distribution{Distribution: Constant, Value: time.Second}, time.Minute, 1)
	c.LoadBalancer.UnhealthyLag = Lag{Distribution{Distribution: Uniform, Min: 30 * time.Second, Max: 20 * time.Second}}
	assert.ErrorContains(t, c.Validate(), "load_balancer.unhealthy_lag.max")
}

// With no lag set, an ECS StopTask (SIGTERM at once, no draining first)
// drops the requests the ALB still routes during its lag; ALB and NLB give
// different numbers. Before, both dropped nothing.
func TestDefaultLagDrops(t *testing.T) {
	t.Parallel()
	run := func(typ LBType) float64 {
		c := Default()
		c.LoadBalancer.Type = typ
		c.Fleet.Targets = 4
		c.Platform = Platform{Type: ECS, Stop: StopTask}
		c.Traffic = []Traffic{{Rate: 8, Duration: Distribution{Distribution: Constant, Value: 100 * time.Millisecond}}}
		c.ScaleIn = []ScaleIn{{At: time.Minute, Targets: 1}}
		const reps = 20
		sum := 0.0
		for rep := range reps {
			res, err := Run(&c, rep)
			require.NoError(t, err)
			sum += float64(res.DroppedByCause[CauseRefused] + res.DroppedByCause[CauseUnreachable])
		}
		return sum / reps
	}
	alb, nlb := run(ALB), run(NLB)
	// 2 requests/s per target until routing stops: E[lag] ≈ 13.4 s (ALB)
	// and ≈ 122 s (NLB) of refused requests, less for the NLB once health
	// checks plus its 30–40 s unhealthy lag take the target out (~75 s).
	assert.Greater(t, alb, 5.0)
	assert.Greater(t, nlb, 3*alb)
}

// The NLB keeps routing new flows to a target for unhealthy_lag after its
// health checks declared it unhealthy. A target that stops accepting at
// the scale-in (StopTask) while deregistration has not propagated is
// refused traffic from the SIGTERM until then: the lag adds rate × lag.
// Before issue #9 it added nothing.
func TestNLBUnhealthyLag(t *testing.T) {
	t.Parallel()
	const (
		reps = 40
		rate = 4.0 // across 2 targets, random routing: Poisson 2/s each
		lag  = 35 * time.Second
	)
	run := func(u Lag) []float64 {
		c := Default()
		c.LoadBalancer = LoadBalancer{Type: NLB, Algorithm: Random, PropagationDelay: ConstantLag(5 * time.Minute), UnhealthyLag: u}
		c.Fleet.Targets = 2
		c.Platform = Platform{Type: ECS, Stop: StopTask, StopTimeout: 10 * time.Minute, LaunchType: LaunchEC2}
		c.Traffic = []Traffic{{Rate: rate, Duration: Distribution{Distribution: Constant, Value: 10 * time.Millisecond}}}
		c.ScaleIn = []ScaleIn{{At: time.Minute, Targets: 1}}
		xs := make([]float64, reps)
		for rep := range reps {
			res, err := Run(&c, rep)
			require.NoError(t, err)
			xs[rep] = float64(res.DroppedByCause[CauseRefused] + res.DroppedByCause[CauseUnreachable])
		}
		return xs
	}
	with, without := run(ConstantLag(lag)), run(ConstantLag(0))
	// The arrival streams are shared, so the difference per replication
	// is the Poisson count of arrivals in the lag: mean and variance
	// 2/s × 35 s = 70.
	want := rate / 2 * lag.Seconds()
	diff := 0.0
	for i := range with {
		diff += with[i] - without[i]
	}
	diff /= reps
	se := math.Sqrt(want / reps)
	assert.InDelta(t, want, diff, 4*se, "refused added by the unhealthy lag")
	// Unset, an NLB takes the 30–40 s default (mean 35 s).
	def := run(Lag{})
	dd := 0.0
	for i := range def {
		dd += def[i] - without[i]
	}
	dd /= reps
	// Uniform 30–40 s adds variance 2²·(10²/12) ≈ 33 to the Poisson 70.
	assert.InDelta(t, want, dd, 4*math.Sqrt((want+4*100.0/12)/reps))
}

// Assumptions lists each value that moves the numbers, whether it was
// defaulted, and warns on a zero price. Before issue #9 there was none.
func TestAssumptions(t *testing.T) {
	c := Default()
	byKey := func(as []Assumption) map[string]Assumption {
		m := map[string]Assumption{}
		for _, a := range as {
			m[a.Key] = a
		}
		return m
	}
	m := byKey(c.Assumptions())
	lag := m["load_balancer.propagation_delay"]
	assert.True(t, lag.Defaulted)
	assert.Equal(t, "weibull scale=12s shape=1.5", lag.Value)
	assert.True(t, m["app.on_sigterm"].Defaulted)
	assert.Equal(t, `"graceful"`, m["app.on_sigterm"].Value)
	assert.Equal(t, "75s", m["app.keepalive_timeout"].Value)
	assert.Equal(t, "60s", m["load_balancer.idle_timeout"].Value)
	assert.Equal(t, "cost will read 0", m["fleet.price_per_hour"].Warning)
	assert.NotContains(t, m, "load_balancer.unhealthy_lag", "an ALB has none unless set")
	assert.NotContains(t, m, "platform.stop_timeout", "EC2 has none")

	c.LoadBalancer.Type = NLB
	c.LoadBalancer.PropagationDelay = ConstantLag(0)
	c.Fleet.PricePerHour = 0.096
	c.App.OnSigterm = Immediate
	c.Platform.Type = ECS
	m = byKey(c.Assumptions())
	lag = m["load_balancer.propagation_delay"]
	assert.False(t, lag.Defaulted)
	assert.Equal(t, "0s", lag.Value)
	assert.NotEmpty(t, lag.Note, "an explicit 0 lag says what field reports measure")
	assert.True(t, m["load_balancer.unhealthy_lag"].Defaulted)
	assert.Equal(t, "uniform min=30s max=40s", m["load_balancer.unhealthy_lag"].Value)
	assert.Equal(t, "350s", m["load_balancer.idle_timeout"].Value)
	assert.False(t, m["app.on_sigterm"].Defaulted)
	assert.Empty(t, m["fleet.price_per_hour"].Warning)
	assert.Equal(t, "30s", m["platform.stop_timeout"].Value)
	assert.True(t, m["platform.stop_timeout"].Defaulted)
	assert.Contains(t, m["fleet.price_per_hour"].String(), "fleet.price_per_hour = 0.096")
}

// TestAssumptionsPlatformDefaults: the defaults of the platform rules
// (launch type, target type, lame duck, the NLB's unhealthy settings) are
// listed where they apply, marked defaulted.
func TestAssumptionsPlatformDefaults(t *testing.T) {
	t.Parallel()
	keys := func(c Config) map[string]Assumption {
		m := map[string]Assumption{}
		for _, a := range c.Assumptions() {
			m[a.Key] = a
		}
		return m
	}
	c := testScenario(2, 1, testFixed(time.Second), time.Minute, 1)
	m := keys(c)
	assert.NotContains(t, m, "platform.launch_type", "EC2")
	assert.NotContains(t, m, "app.keep_accepting", "EC2 without shutdown_grace: SIGTERM never reaches the app")

	c.Platform = Platform{Type: ECS}
	m = keys(c)
	assert.Equal(t, `"fargate"`, m["platform.launch_type"].Value)
	assert.True(t, m["platform.launch_type"].Defaulted)
	assert.Equal(t, "0s", m["app.keep_accepting"].Value)
	assert.True(t, m["app.keep_accepting"].Defaulted)

	c.Platform = Platform{Type: EKS, TargetType: TargetInstance}
	m = keys(c)
	assert.Equal(t, `"instance"`, m["platform.target_type"].Value)
	assert.False(t, m["platform.target_type"].Defaulted)

	c.Platform = Platform{}
	c.LoadBalancer.Type = NLB
	m = keys(c)
	assert.Equal(t, "true", m["target_group.unhealthy_connection_termination"].Value)
	assert.True(t, m["target_group.unhealthy_connection_termination"].Defaulted)
	assert.NotContains(t, m, "target_group.unhealthy_draining_interval", "only with termination off")
}
