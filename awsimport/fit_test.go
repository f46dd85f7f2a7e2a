package awsimport

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A lognormal's own percentiles give back its parameters, with no error.
func TestFitQuantilesExact(t *testing.T) {
	mu, sigma := math.Log(0.25), 0.8
	q := func(i int) float64 { return math.Exp(mu + sigma*fitZ[i]) }
	f, err := FitQuantiles(q(0), q(1), q(2))
	require.NoError(t, err)
	assert.InDelta(t, mu, f.Mu, 1e-12)
	assert.InDelta(t, sigma, f.Sigma, 1e-12)
	assert.InDelta(t, 0, f.MaxError(), 1e-12)
	assert.InDelta(t, 0.25, f.Median(), 1e-12)
}

// Percentiles of a heavier tail than a lognormal's show as a fit error.
func TestFitQuantilesShowsMisfit(t *testing.T) {
	f, err := FitQuantiles(0.1, 0.2, 2.0)
	require.NoError(t, err)
	assert.Greater(t, f.MaxError(), 0.2)
	_, err = FitQuantiles(0.3, 0.2, 0.1)
	assert.ErrorContains(t, err, "do not increase")
	_, err = FitQuantiles(0, 0.2, 0.3)
	assert.ErrorContains(t, err, "p50 = 0 s")
}

func TestSuggest(t *testing.T) {
	names := []string{"payments-tg", "payments-tg-blue", "orders-tg", "legacy"}
	assert.Equal(t, []string{"payments-tg"}, suggest("paymnts-tg", names))
	assert.Equal(t, []string{"payments-tg", "payments-tg-blue"}, suggest("payments", names), "a name that contains it")
	assert.Equal(t, []string{"orders-tg"}, suggest("order-tg", names))
	assert.Empty(t, suggest("zzzzzz", names))
	assert.Equal(t, "payments-tg", nameOf("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/payments-tg/0123456789abcdef"))
}
