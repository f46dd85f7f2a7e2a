package sweep_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/sweep"
)

// benchScenario is payments-api (scenarios/payments-api.toml) built in
// code: an ALB with round robin over 10 targets, 200 requests/s lasting a
// lognormal time with median 2 s and p99 5 s, two targets removed at
// 10 min.
func benchScenario() *model.Config {
	c := model.Default()
	c.Name = "payments-api"
	c.Fleet = model.Fleet{Targets: 10, PricePerHour: 0.096}
	c.Traffic = []model.Traffic{{
		Name: "api",
		Kind: model.KindRequest,
		Rate: 200,
		Duration: model.Distribution{
			Distribution: model.LogNormal,
			Median:       2 * time.Second,
			P99:          5 * time.Second,
		},
	}}
	c.ScaleIn = []model.ScaleIn{{At: 10 * time.Minute, Targets: 2, Pick: model.PickOldest}}
	return &c
}

// BenchmarkSweep runs a small grid, 4 delays (0–300 s) × 8 replications of
// payments-api, on 1 and 2 workers; one iteration is the whole grid. The
// speed-up is the ratio of the two cells/s figures.
func BenchmarkSweep(b *testing.B) {
	cfg := benchScenario()
	delays := []time.Duration{0, 100 * time.Second, 200 * time.Second, 300 * time.Second}
	const reps = 8
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			var events uint64
			cells := 0
			b.ReportAllocs()
			for b.Loop() {
				rows, err := sweep.Delays(context.Background(), cfg, delays, reps, sweep.Costs{}, sweep.Options{Workers: workers})
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range rows {
					events += r.Events
					cells += r.Replications
				}
			}
			b.ReportMetric(float64(cells)/b.Elapsed().Seconds(), "cells/s")
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
