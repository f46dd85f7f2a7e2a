package model

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKeepAliveRaceClosedForm checks the keep-alive race model against its
// closed form (docs/model.md, "Keep-alive race"). One target receives
// Poisson requests at λ per second that last d; each reuses the connection
// the previous one left idle. The request after a gap G finds it idle for
// G − d and races when K < G − d ≤ K + w, so the expected number of races
// is N·(e^{−λ(K+d)} − e^{−λ(K+d+w)}). Races are rare and independent, so
// their count is Poisson and its standard error is √expected.
func TestKeepAliveRaceClosedForm(t *testing.T) {
	t.Parallel()
	const (
		lambda = 1.0
		k      = time.Second
		d      = time.Millisecond
		span   = 300000 * time.Second
	)
	// One pool: the closed form's one connection reused per request.
	res, c := runRace(t, lambda, k, d, span, 1)

	x := (k + d).Seconds()
	w := keepAliveRaceWindow.Seconds()
	p := math.Exp(-lambda*x) - math.Exp(-lambda*(x+w))
	want := float64(res.Arrivals) * p
	got := float64(res.DroppedByCause[CauseKeepaliveRace])
	se := math.Sqrt(want)
	t.Logf("races %v, expected %.1f ± %.1f (p = %.3g per request, %d requests)", got, want, se, p, res.Arrivals)
	require.Greater(t, want, 50.0, "the test needs enough expected races to be sharp")
	assert.InDelta(t, want, got, 4*se)
	// Nothing else fails before the scale-in at the very end.
	assert.Equal(t, res.DroppedByCause[CauseKeepaliveRace], res.Dropped-res.DroppedByCause[CauseNoTarget])

	// The same traffic with K above the idle timeout: the load balancer
	// closes idle connections first, so there is no race.
	c.App.KeepaliveTimeout = 75 * time.Second
	res, err := Run(&c, 0)
	require.NoError(t, err)
	assert.Zero(t, res.DroppedByCause[CauseKeepaliveRace])
}

// TestKeepAliveRacePerNodePools checks per-node pools (load_balancer.nodes)
// against the closed form: each request goes through one of N nodes drawn
// uniformly, so each node's pool to the target sees Poisson requests at
// λ/N, and the expected races are N_req·(e^{−(λ/N)(K+d)} − e^{−(λ/N)(K+d+w)}).
// A single pool (the model before per-node pools) expects a quarter of
// them here, far outside the tolerance.
func TestKeepAliveRacePerNodePools(t *testing.T) {
	t.Parallel()
	const (
		lambda = 4.0
		nodes  = 8
		k      = time.Second
		d      = time.Millisecond
		span   = 75000 * time.Second
	)
	res, _ := runRace(t, lambda, k, d, span, nodes)

	x := (k + d).Seconds()
	w := keepAliveRaceWindow.Seconds()
	p := func(rate float64) float64 { return math.Exp(-rate*x) - math.Exp(-rate*(x+w)) }
	want := float64(res.Arrivals) * p(lambda/nodes)
	one := float64(res.Arrivals) * p(lambda)
	got := float64(res.DroppedByCause[CauseKeepaliveRace])
	se := math.Sqrt(want)
	t.Logf("races %v, expected %.1f ± %.1f with %d pools, %.1f with one", got, want, se, nodes, one)
	require.Greater(t, want-one, 4*se+4*math.Sqrt(one), "the test must tell per-node pools from one pool")
	assert.InDelta(t, want, got, 4*se)
}

// TestPoolPolicy checks which idle connection each policy reuses. Node 0's
// pool to target 0 holds three connections idle for 10 s (known closed:
// past K + w), 5.0005 s (closed by the target, its FIN not yet arrived)
// and 1 s, with K = 5 s and w = 1 ms. LIFO reuses the 1 s one (no race);
// FIFO drops the known-closed one and reuses the 5.0005 s one (race);
// random picks uniformly between the two still open to the load balancer.
func TestPoolPolicy(t *testing.T) {
	t.Parallel()
	pool := func(policy PoolPolicy) *runner {
		c := Default()
		c.Fleet.Targets = 1
		c.App.KeepaliveTimeout = 5 * time.Second
		c.LoadBalancer.IdleTimeout = 60 * time.Second
		c.LoadBalancer.PoolPolicy = policy
		c.ScaleIn = []ScaleIn{{At: time.Minute, Targets: 1}}
		c.Traffic = []Traffic{{Rate: 1, Duration: Distribution{Distribution: Constant, Value: time.Millisecond}}}
		require.NoError(t, c.Validate())
		return newRunner(&c, 0)
	}
	fill := func(r *runner) {
		r.targets[0].idle = [][]time.Duration{{-10 * time.Second, -5000500 * time.Microsecond, -time.Second}, nil}
	}
	r := pool(PoolLIFO)
	fill(r)
	assert.False(t, r.reuse(0, 0), "lifo takes the newest")
	assert.Len(t, r.targets[0].idle[0], 2)
	r = pool(PoolFIFO)
	fill(r)
	assert.True(t, r.reuse(0, 0), "fifo takes the oldest still open: the race")
	assert.Equal(t, []time.Duration{-time.Second}, r.targets[0].idle[0], "the known-closed one is dropped")
	assert.False(t, r.reuse(0, 1), "node 1's pool is empty")

	r = pool(PoolRandom)
	const n = 2000
	races := 0
	for range n {
		fill(r)
		if r.reuse(0, 0) {
			races++
		}
	}
	// Binomial(n, 1/2): 4 standard errors.
	assert.InDelta(t, n/2, races, 4*math.Sqrt(n/4.0))
}

// TestNodesAndPoolPolicyValidate checks the settings' ranges and key paths.
func TestNodesAndPoolPolicyValidate(t *testing.T) {
	t.Parallel()
	base := func() Config {
		c := Default()
		c.Fleet.Targets = 2
		c.Traffic = []Traffic{{Rate: 1, Duration: Distribution{Distribution: Constant, Value: time.Millisecond}}}
		c.ScaleIn = []ScaleIn{{At: time.Minute, Targets: 1}}
		return c
	}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string // "" for valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"nodes 100", func(c *Config) { c.LoadBalancer.Nodes = 100 }, ""},
		{"nodes 101", func(c *Config) { c.LoadBalancer.Nodes = 101 }, "load_balancer.nodes: must be 1–100 (got 101)"},
		{"nodes negative", func(c *Config) { c.LoadBalancer.Nodes = -1 }, "load_balancer.nodes"},
		{"policy", func(c *Config) { c.LoadBalancer.PoolPolicy = "mru" }, `load_balancer.pool_policy: must be lifo, fifo or random (got "mru")`},
		{"nlb nodes", func(c *Config) { c.LoadBalancer.Type = NLB; c.LoadBalancer.Nodes = 2 }, "load_balancer.nodes: applies to alb and clb only"},
		{"nlb policy", func(c *Config) { c.LoadBalancer.Type = NLB; c.LoadBalancer.PoolPolicy = PoolFIFO }, "load_balancer.pool_policy: applies to alb and clb only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := base()
			tc.edit(&c)
			err := c.Validate()
			if tc.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	c := base()
	assert.Equal(t, 2, c.withDefaults().LoadBalancer.Nodes, "an ALB: two nodes")
	c.LoadBalancer.Type = CLB
	assert.Equal(t, 1, c.withDefaults().LoadBalancer.Nodes, "a CLB: one")
	assert.Equal(t, PoolLIFO, c.withDefaults().LoadBalancer.PoolPolicy)
}

// runRace runs one target for span at lambda requests/s of constant
// duration d, with the app's keep-alive timeout k below the load
// balancer's 60 s idle timeout (so the race is on) and nodes pools, and
// returns its result and configuration: the setting of the keep-alive
// race's closed forms.
func runRace(t *testing.T, lambda float64, k, d, span time.Duration, nodes int) (*Result, Config) {
	t.Helper()
	c := Default()
	c.Horizon = span
	c.Fleet.Targets = 1
	c.LoadBalancer.Nodes = nodes
	c.App.KeepaliveTimeout = k
	c.LoadBalancer.IdleTimeout = 60 * time.Second
	c.Traffic = []Traffic{{Rate: lambda, Duration: Distribution{Distribution: Constant, Value: d}}}
	c.ScaleIn = []ScaleIn{{At: span - time.Second, Targets: 1}}
	res, err := Run(&c, 0)
	require.NoError(t, err)
	return res, c
}
