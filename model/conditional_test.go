package model

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The conditional values are unbiased for the plain run's drops and
// P(any drop): over the same replications, the paired differences
// (count − Σq, indicator − (1 − Π(1 − q))) average to zero within 4
// standard errors, on one and on two scale-ins, stationary and empty
// starts. A q that ignored the requests' ages (P(S > D)) or that summed
// the wrong requests fails (measured: the age-blind q is off by more than 15 SE).
// The conditional values also vary far less than the indicator.
func TestConditionalUnbiased(t *testing.T) {
	law := Distribution{Distribution: LogNormal, Median: 2 * time.Second, P99: 20 * time.Second}
	one := testScenario(3, 30, law, 3*time.Minute, 1)
	two := testScenario(4, 40, law, 3*time.Minute, 1)
	two.ScaleIn = append(two.ScaleIn, ScaleIn{At: 4 * time.Minute, Targets: 1})
	empty := one
	empty.Start = StartEmpty
	for name, cfg := range map[string]Config{"one": one, "two": two, "empty": empty} {
		cfg.TargetGroup.DeregistrationDelay = 25 * time.Second
		rule, err := cfg.ConditionalRule()
		require.NoError(t, err)
		require.Empty(t, rule, name)
		n := 1000
		if name == "empty" {
			n = 200
		}
		var dDrop, dDrop2, dAny, dAny2, any, cond, cond2 float64
		for rep := range n {
			p, err := RunWith(&cfg, rep, RunOptions{})
			require.NoError(t, err)
			require.Nil(t, p.Conditional)
			q, err := RunWith(&cfg, rep, RunOptions{Conditional: true})
			require.NoError(t, err)
			require.NotNil(t, q.Conditional, name)
			c := *q.Conditional
			q.Conditional = nil
			require.Equal(t, p, q, "%s rep %d: the option changes nothing else", name, rep)
			require.GreaterOrEqual(t, c.PAnyDrop, 0.0)
			require.LessOrEqual(t, c.PAnyDrop, 1.0)
			require.LessOrEqual(t, c.PAnyDrop, c.Dropped+1e-12)
			x := float64(p.Dropped) - c.Dropped
			dDrop += x
			dDrop2 += x * x
			ind := 0.0
			if p.Dropped > 0 {
				ind = 1
			}
			y := ind - c.PAnyDrop
			dAny += y
			dAny2 += y * y
			any += ind
			cond += c.PAnyDrop
			cond2 += c.PAnyDrop * c.PAnyDrop
		}
		fn := float64(n)
		se := func(s, s2 float64) float64 { return math.Sqrt((s2/fn - (s/fn)*(s/fn)) / fn) }
		t.Logf("%s: P(any drop) plain %.4f, conditional %.4f; drops diff %.4f ± %.4f, P diff %.4f ± %.4f",
			name, any/fn, cond/fn, dDrop/fn, se(dDrop, dDrop2), dAny/fn, se(dAny, dAny2))
		require.Greater(t, any, 10.0, name)
		assert.InDelta(t, 0, dDrop/fn, 4*se(dDrop, dDrop2), "%s: drops", name)
		assert.InDelta(t, 0, dAny/fn, 4*se(dAny, dAny2), "%s: P(any drop)", name)
		pa := any / fn
		assert.Less(t, se(cond, cond2), math.Sqrt(pa*(1-pa)/fn), "%s: the conditional SE is below the indicator's", name)
	}
}

// The rule: a propagation lag, retries, a worker limit or a connection
// class make the values inexact, and a run then leaves them nil.
func TestConditionalRule(t *testing.T) {
	law := Distribution{Distribution: LogNormal, Median: 2 * time.Second, P99: 20 * time.Second}
	base := testScenario(3, 30, law, 3*time.Minute, 1)
	lag := base
	lag.LoadBalancer.PropagationDelay = ConstantLag(5 * time.Second)
	retry := base
	retry.Traffic = []Traffic{{Rate: 30, Duration: law, Retry: &Retry{Attempts: 2}}}
	limit := base
	limit.Fleet.MaxConcurrency = 100
	conn := base
	conn.Traffic = []Traffic{{Rate: 30, Duration: law, Kind: KindConnection}}
	for name, cfg := range map[string]Config{"lag": lag, "retry": retry, "limit": limit, "connection": conn} {
		rule, err := cfg.ConditionalRule()
		require.NoError(t, err, name)
		assert.NotEmpty(t, rule, name)
		res, err := RunWith(&cfg, 0, RunOptions{Conditional: true})
		require.NoError(t, err, name)
		assert.Nil(t, res.Conditional, name)
	}
}

// q is the duration's conditional survival, precise in the far tail.
func TestConditionalQ(t *testing.T) {
	d := Distribution{Distribution: Exponential, Mean: 2 * time.Second}
	l := d.Law(Source(1, 0, 0))
	// Memoryless: q = exp(−D/m) whatever the age.
	for _, a := range []float64{0, 3, 100, 2000} {
		assert.InDelta(t, math.Exp(-5), conditionalQ(l, a, 10), 1e-12, "age %g", a)
	}
	ln := Distribution{Distribution: LogNormal, Median: 2 * time.Second, P99: 20 * time.Second}
	ll := ln.Law(Source(1, 0, 0))
	// A decreasing hazard: older requests outlast the delay more often.
	assert.Less(t, conditionalQ(ll, 1, 130), conditionalQ(ll, 60, 130))
	assert.Greater(t, conditionalQ(ll, 1e4, 130), 0.0) // 1 − CDF would be 0/0 there
	assert.Less(t, conditionalQ(ll, 1e4, 130), 1.0)
}
