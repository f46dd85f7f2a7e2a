package scenarios

import (
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const profileScenario = `[fleet]
targets = 4
[[traffic]]
duration = { distribution = "constant", value = "1s" }
[[traffic.profile]]
at = "0s"
rate = 10
[[traffic.profile]]
at = "10m"
rate = 30
[[traffic]]
duration = { distribution = "constant", value = "1s" }
diurnal = { peak = 20, trough = 2, peak_hour = 14 }
[[traffic]]
duration = { distribution = "constant", value = "1s" }
rate_file = "rc.csv"
[[scale_in]]
at = "5m"
targets = 1
`

// TestParseProfiles loads the three kinds of profile from TOML.
func TestParseProfiles(t *testing.T) {
	fsys := fstest.MapFS{"rc.csv": {Data: []byte("time_s,RequestCount\n0,60\n60,120\n")}}
	cfg, err := Parse("s.toml", []byte(profileScenario), fsys)
	require.NoError(t, err)
	require.Len(t, cfg.Traffic, 3)
	assert.InDelta(t, 20, cfg.Traffic[0].RateAt(5*time.Minute), 1e-9)
	assert.InDelta(t, 20, cfg.Traffic[1].RateAt(14*time.Hour), 1e-9)
	assert.InDelta(t, 2, cfg.Traffic[2].RateAt(90*time.Second), 1e-9)
	assert.InDelta(t, 180, cfg.Traffic[2].Expected(0, 2*time.Minute), 1e-9)
}

// TestParseRateFileErrors checks that a bad rate file is reported with
// its name and line, under the key that names it.
func TestParseRateFileErrors(t *testing.T) {
	for _, tc := range []struct {
		name, csv, extra, want string
	}{
		{"bad line", "0,60\n60,x\n", "", `traffic[2].rate_file: rc.csv:2: want a request count, a number ≥ 0 (got "x")`},
		{"missing", "", "", "traffic[2].rate_file: cannot read rc.csv"},
		{"both", "0,1\n", "[[traffic.profile]]\nat = \"0s\"\nrate = 1\n", "traffic[2].rate_file: set either rate_file or [[traffic.profile]] points, not both"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			if tc.csv != "" {
				fsys["rc.csv"] = &fstest.MapFile{Data: []byte(tc.csv)}
			}
			src := profileScenario[:len(profileScenario)-len("[[scale_in]]\nat = \"5m\"\ntargets = 1\n")] + tc.extra + "[[scale_in]]\nat = \"5m\"\ntargets = 1\n"
			_, err := Parse("s.toml", []byte(src), fsys)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestParseProfilePointRequired checks that a profile point must say
// both when and what rate: a missing at would silently be 0s.
func TestParseProfilePointRequired(t *testing.T) {
	for _, tc := range []struct{ point, want string }{
		{"rate = 5", `traffic[0].profile[1].at: is required: when the point's rate holds, e.g. at = "10m"`},
		{`at = "20m"`, "traffic[0].profile[1].rate: is required: arrivals per second at that time"},
	} {
		src := "[fleet]\ntargets = 2\n[[traffic]]\nduration = { distribution = \"constant\", value = \"1s\" }\n" +
			"[[traffic.profile]]\nat = \"0s\"\nrate = 1\n[[traffic.profile]]\n" + tc.point + "\n[[scale_in]]\nat = \"5m\"\ntargets = 1\n"
		_, err := Parse("s.toml", []byte(src), nil)
		require.Error(t, err, tc.point)
		assert.Contains(t, err.Error(), tc.want)
	}
}
