package sweep

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDelays(t *testing.T) {
	s := time.Second
	for _, c := range []struct {
		in   string
		want []time.Duration
		err  string
	}{
		{in: "0s:30s:10s", want: []time.Duration{0, 10 * s, 20 * s, 30 * s}},
		{in: "0s:25s:10s", want: []time.Duration{0, 10 * s, 20 * s}},
		{in: "1m:2m:30s", want: []time.Duration{60 * s, 90 * s, 120 * s}},
		{in: "60s, 0s,30s,30s", want: []time.Duration{0, 30 * s, 60 * s}},
		{in: "300s", want: []time.Duration{300 * s}},
		{in: "", err: "empty delay list"},
		{in: "0s:10s", err: "want from:to:step"},
		{in: "0s:10s:0s", err: "step must be positive"},
		{in: "20s:10s:1s", err: "is before from"},
		{in: "0s:3610s:10s", err: "outside 0s–3600s"},
		{in: "30", err: `"30" is not a duration with a unit`},
		{in: "1.5s", err: "not a whole number of seconds"},
		{in: "-1s", err: "outside 0s–3600s"},
		{in: "0s:3600s:1ms", err: "more than the 3601 a sweep takes"},
	} {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseDelays(c.in)
			if c.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), c.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}
