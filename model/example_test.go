package model_test

import (
	"fmt"
	"time"

	"github.com/drainsim/drainsim/model"
)

// One replication of the oracles.md example: a single ALB target that
// serves 25 requests per second with lognormal durations (median 2 s,
// p99 20 s) is scaled in after three minutes with a 26 s deregistration
// delay and no propagation lag. In the long run it drops about 1.35 requests per scale-in
// (25·E[(S − 26 s)+]); one replication gives one draw.
func ExampleRun() {
	cfg := model.Default()
	cfg.Seed = 7
	cfg.Fleet.Targets = 1
	cfg.Traffic = []model.Traffic{{
		Name: "api",
		Rate: 25,
		Duration: model.Distribution{
			Distribution: model.LogNormal,
			Median:       2 * time.Second,
			P99:          20 * time.Second,
		},
	}}
	cfg.ScaleIn = []model.ScaleIn{{At: 3 * time.Minute, Targets: 1}}
	cfg.TargetGroup.DeregistrationDelay = 26 * time.Second
	// The oracle assumes the ALB stops routing at once; unset, the lag
	// would take the ALB's field-measured default (median 10 s).
	cfg.LoadBalancer.PropagationDelay = model.ConstantLag(0)

	res, err := model.Run(&cfg, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	rt := res.Removed[0]
	fmt.Println("in flight at deregistration:", rt.InFlightAtDeregistration)
	fmt.Println("drained after:", rt.DrainTime().Round(time.Millisecond))
	fmt.Println("dropped at expiry (502):", res.DroppedByCause[model.CauseDelayExpired])
	fmt.Println("scale-in finished at:", res.ScaleIns[0].Finished.Round(time.Millisecond))
	fmt.Println("arrivals = completed + dropped + in flight:",
		res.Arrivals == res.Completed+res.Dropped+res.InFlight)

	law := cfg.Traffic[0].Duration.Law(model.Source(cfg.Seed, 0, 0))
	fmt.Printf("expected drops per scale-in: %.2f\n", 25*model.ExcessMean(law, 26))
	// Output:
	// in flight at deregistration: 65
	// drained after: 26s
	// dropped at expiry (502): 1
	// scale-in finished at: 3m26s
	// arrivals = completed + dropped + in flight: true
	// expected drops per scale-in: 1.35
}
