package sweep

import (
	"strings"
	"testing"
	"time"

	"github.com/drainsim/drainsim/model"
)

// TestTailTextProfile checks that the tail advice of a class with a rate
// profile states its rate at the first scale-in, not the unset rate (0).
func TestTailTextProfile(t *testing.T) {
	cfg := model.Default()
	cfg.Traffic = []model.Traffic{{
		Name:     "api",
		Profile:  []model.RatePoint{{At: 0, Rate: 10}, {At: 20 * time.Minute, Rate: 50}},
		Duration: model.Distribution{Distribution: model.Exponential, Mean: time.Second},
	}}
	cfg.ScaleIn = []model.ScaleIn{{At: 10 * time.Minute, Targets: 1}}
	rot := Row{DelayS: 5, Replications: 30, DroppedMean: 1, DroppedByCause: map[string]float64{model.CauseDelayExpired.String(): 1}}
	if got := tooShortText(&cfg, rot); !strings.Contains(got, "at 30 requests/s") {
		t.Errorf("tooShortText = %q, want the rate at the scale-in, 30 requests/s", got)
	}
}
