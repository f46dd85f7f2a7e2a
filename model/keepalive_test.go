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
	c := Default()
	c.Horizon = span
	c.Fleet.Targets = 1
	c.App.KeepaliveTimeout = k
	c.LoadBalancer.IdleTimeout = 60 * time.Second
	c.Traffic = []Traffic{{Rate: lambda, Duration: Distribution{Distribution: Constant, Value: d}}}
	c.ScaleIn = []ScaleIn{{At: span - time.Second, Targets: 1}}
	res, err := Run(&c, 0)
	require.NoError(t, err)

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
	res, err = Run(&c, 0)
	require.NoError(t, err)
	assert.Zero(t, res.DroppedByCause[CauseKeepaliveRace])
}
