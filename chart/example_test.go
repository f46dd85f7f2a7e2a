package chart_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"math"
	"time"

	"github.com/drainsim/drainsim/chart"
	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/sweep"
)

// The data behind a chart is plain slices: check it, or plot it with
// another tool.
func ExampleDropsSeries() {
	rows := []sweep.Row{
		{DelayS: 0, DroppedMean: 80, DroppedCI95: [2]float64{70, 90},
			DroppedByCause: map[string]float64{"delay_expired": 80, "killed": 0}},
		{DelayS: 30, DroppedMean: 4, DroppedCI95: [2]float64{2, 6},
			DroppedByCause: map[string]float64{"delay_expired": 3, "killed": 1}},
		{DelayS: 60, DroppedMean: 0.5, DroppedCI95: [2]float64{-0.3, 1.3},
			DroppedByCause: map[string]float64{"delay_expired": 0.5, "killed": 0}},
	}
	for _, s := range chart.DropsSeries(rows) {
		fmt.Printf("%-22s x=%v y=%v low=%v high=%v\n", s.Name, s.X, s.Y, s.Low, s.High)
	}
	// Output:
	// total                  x=[0 30 60] y=[80 4 0.5] low=[70 2 0] high=[90 6 1.3]
	// cause: delay_expired   x=[0 30 60] y=[80 3 0.5] low=[80 3 0.5] high=[80 3 0.5]
	// cause: killed          x=[0 30 60] y=[0 1 0] low=[0 1 0] high=[0 1 0]
}

// A sweep of a seeded scenario, drawn and rendered in memory as a
// notebook would.
func ExampleRender() {
	cfg := model.Default()
	cfg.Seed = 7
	cfg.Fleet = model.Fleet{Targets: 4, PricePerHour: 0.1}
	cfg.Traffic = []model.Traffic{{Name: "api", Rate: 40,
		Duration: model.Distribution{Distribution: model.LogNormal, Median: time.Second, P99: 10 * time.Second}}}
	cfg.ScaleIn = []model.ScaleIn{{At: time.Minute, Targets: 1}}
	delays := []time.Duration{0, 15 * time.Second, 30 * time.Second}
	rows, err := sweep.Delays(context.Background(), &cfg, delays, 5, sweep.Costs{DropCost: 0.01}, sweep.Options{})
	if err != nil {
		panic(err)
	}
	m := chart.Marks{RuleOfThumbS: 13, RecommendedS: math.NaN(), CostOptimalS: math.NaN()}
	p, err := chart.DropsVsDelay(rows, m, chart.Options{Title: "example", LogY: true})
	if err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	if err := chart.Render(p, &buf, 800, 500, "png"); err != nil {
		panic(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Title.Text)
	fmt.Println(img.Bounds().Dx(), "×", img.Bounds().Dy(), "px")
	fmt.Println("drops at 0 s:", rows[0].DroppedMean > 0)
	// Output:
	// example: dropped per scale-in vs deregistration delay
	// 800 × 500 px
	// drops at 0 s: true
}
