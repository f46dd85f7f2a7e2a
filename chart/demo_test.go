package chart_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot"

	"github.com/drainsim/drainsim/chart"
	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/sweep"
)

// Demo scenario prices: an m5.xlarge-like instance and a tenth of a cent
// per dropped request.
const (
	demoPricePerHour = 0.192
	demoDropCost     = 0.001
	demoReps         = 10
)

// demoConfig is a fleet of 10 targets behind an ALB serving one request
// class (lognormal, median 2 s, p99 20 s, 250/s) that scales in by one
// target at 5 min.
func demoConfig() *model.Config {
	cfg := model.Default()
	cfg.Name = "demo"
	cfg.Fleet = model.Fleet{Targets: 10, PricePerHour: demoPricePerHour}
	cfg.Traffic = []model.Traffic{{
		Name: "api", Kind: model.KindRequest, Rate: 250,
		Duration: model.Distribution{Distribution: model.LogNormal, Median: 2 * time.Second, P99: 20 * time.Second},
	}}
	cfg.ScaleIn = []model.ScaleIn{{At: 5 * time.Minute, Targets: 1}}
	return &cfg
}

// demoSweep runs the demo scenario at delays 0 s … 120 s every 10 s and
// returns its rows and the marks of its recommendation (at most one
// dropped request per scale-in).
func demoSweep(t testing.TB) ([]sweep.Row, chart.Marks) {
	t.Helper()
	cfg := demoConfig()
	delays, err := sweep.Range(0, 120*time.Second, 10*time.Second)
	require.NoError(t, err)
	ctx := context.Background()
	rows, err := sweep.Delays(ctx, cfg, delays, demoReps, sweep.Costs{DropCost: demoDropCost}, sweep.Options{})
	require.NoError(t, err)
	rec, err := sweep.Recommend(ctx, cfg, delays, demoReps, sweep.Criteria{MaxDropped: 1, DropCost: demoDropCost}, sweep.Options{})
	require.NoError(t, err)
	return rows, chart.MarksFrom(rec)
}

// TestDemo writes the demo charts to $CHART_DEMO_DIR (e.g. /tmp/chart-demo),
// for people to look at; it is skipped when the variable is unset.
func TestDemo(t *testing.T) {
	dir := os.Getenv("CHART_DEMO_DIR")
	if dir == "" {
		t.Skip("set CHART_DEMO_DIR to write the demo charts")
	}
	rows, m := demoSweep(t)
	o := chart.Options{Title: demoConfig().Name}
	paths, err := chart.WriteFiles(dir, rows, m, o, os.Getenv("CHART_DEMO_SVG") != "")
	require.NoError(t, err)
	o.LogY = true
	for name, draw := range map[string]func() (*plot.Plot, error){
		chart.DropsFile: func() (*plot.Plot, error) { return chart.DropsVsDelay(rows, m, o) },
		chart.CostFile:  func() (*plot.Plot, error) { return chart.CostVsDelay(rows, m, o) },
	} {
		p, err := draw()
		require.NoError(t, err)
		var buf bytes.Buffer
		require.NoError(t, chart.Render(p, &buf, chart.DefaultWidth, chart.DefaultHeight, "png"))
		path := filepath.Join(dir, name+"_log.png")
		require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
		paths = append(paths, path)
	}
	// The hand-made sweep has two causes and two classes: the busiest
	// legend.
	for _, logY := range []bool{false, true} {
		p, err := chart.DropsVsDelay(handRows(), handMarks, chart.Options{Title: "hand-made", LogY: logY})
		require.NoError(t, err)
		var buf bytes.Buffer
		require.NoError(t, chart.Render(p, &buf, chart.DefaultWidth, chart.DefaultHeight, "png"))
		path := filepath.Join(dir, fmt.Sprintf("hand_drops_log%v.png", logY))
		require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
		paths = append(paths, path)
	}
	t.Logf("wrote %v", paths)
}
