package drainsim_test

import (
	"context"
	"fmt"
	"time"

	"github.com/drainsim/drainsim"
	"github.com/drainsim/drainsim/model"
)

// A scenario built entirely in code, with no TOML: start from
// model.Default (what a TOML file would omit), set the fleet, traffic and
// scale-in, then compare it with an edited copy. Clone copies deeply, so
// doubling the copy's traffic leaves the original's as it was.
func ExampleNew() {
	cfg := model.Default()
	cfg.Name = "in-code"
	cfg.Seed = 7
	cfg.Fleet = model.Fleet{Targets: 4, PricePerHour: 0.1}
	cfg.Traffic = []model.Traffic{{
		Name:     "api",
		Rate:     40,
		Duration: model.Distribution{Distribution: model.LogNormal, Median: time.Second, P99: 8 * time.Second},
	}}
	cfg.ScaleIn = []model.ScaleIn{{At: 3 * time.Minute, Targets: 1}}
	s, err := drainsim.New(cfg)
	if err != nil {
		panic(err)
	}

	busy := s.Clone()
	busy.Config.Name = "in-code ×2"
	busy.Config.Traffic[0].Rate *= 2 // the original keeps 40/s

	ctx := context.Background()
	opts := drainsim.SweepOptions{Delays: "0s:20s:10s", Replications: 4}
	for _, sc := range []*drainsim.Scenario{s, busy} {
		sw, err := sc.Sweep(ctx, opts)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%-11s rate %3.0f/s:", sc.Config.Name, sc.Config.Traffic[0].Rate)
		for _, r := range sw.Rows {
			fmt.Printf("  %2.0fs %6.2f", r.DelayS, r.DroppedMean)
		}
		fmt.Println()
	}

	_, err = drainsim.New(model.Default()) // no fleet, traffic or scale-in
	fmt.Println(err != nil)
	// Output:
	// in-code     rate  40/s:   0s 166.50  10s  86.75  20s  33.25
	// in-code ×2  rate  80/s:   0s 328.00  10s 168.25  20s  63.25
	// true
}
