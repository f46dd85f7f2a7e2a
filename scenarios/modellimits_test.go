package scenarios

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestModelLimits: the exact inputs of issue #11 that passed validation
// and then hung a run, refused with their line and key path.
func TestModelLimits(t *testing.T) {
	for _, c := range []struct{ name, toml, want string }{
		{"rate 1e-12", strings.Replace(minimal, "rate = 10", "rate = 1e-12", 1),
			`s.toml:4:1: traffic[0].rate: must be in [1e-06, 1e+07] arrivals per second (got 1e-12)`},
		{"constant lag of a day", "[load_balancer]\npropagation_delay = \"24h\"\n" + minimal,
			`s.toml:2:1: load_balancer.propagation_delay: must be 0s–1h (got 24h0m0s)`},
		{"heavy-tailed lag", "[load_balancer]\npropagation_delay = { distribution = \"pareto\", shape = 0.01, scale = \"1s\" }\n" + minimal,
			`s.toml:2:1: load_balancer.propagation_delay: median must be at most 1h`},
		{"horizon of a century", "horizon = \"876000h\"\n" + minimal,
			`s.toml:1:1: horizon: must be 0s–87600h (got 876000h0m0s)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("s.toml", []byte(c.toml), nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}
