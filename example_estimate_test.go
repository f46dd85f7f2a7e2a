package drainsim_test

import (
	"fmt"

	"github.com/drainsim/drainsim"
)

// A first answer without a simulation: the closed forms for a plain
// scenario at a grid of delays, and what they leave out of a built-in
// that is not plain.
func ExampleScenario_Estimate() {
	s, err := drainsim.Parse("plain.toml", []byte(`
name = "plain"
[load_balancer]
algorithm = "random"
propagation_delay = "0s"
idle_timeout = "10s"
[fleet]
targets = 4
[[traffic]]
rate = 100
duration = { distribution = "lognormal", median = "2s", p99 = "20s" }
[[scale_in]]
at = "5m"
targets = 1
`))
	if err != nil {
		panic(err)
	}
	ests, err := s.EstimateDelays("20s,60s")
	if err != nil {
		panic(err)
	}
	for _, e := range ests {
		fmt.Printf("delay %2.0f s: %.2f dropped, P(none) %.3f, drain %.1f s, applies %v\n",
			e.DelayS, e.DroppedMean, e.PNoDrop, e.DrainSMean, e.Applies())
	}

	ecs, err := drainsim.Load("ecs-stop-task")
	if err != nil {
		panic(err)
	}
	e, err := ecs.Estimate()
	if err != nil {
		panic(err)
	}
	fmt.Println("ecs-stop-task:", e.NotApplicable())
	// Output:
	// delay 20 s: 2.40 dropped, P(none) 0.091, drain 20.0 s, applies true
	// delay 60 s: 0.15 dropped, P(none) 0.864, drain 45.2 s, applies true
	// ecs-stop-task: propagation lag lognormal, mean 5.59s (requests routed during the lag are not in the formula); platform ecs (its shutdown timers, SIGTERM and SIGKILL, are not in the formula)
}
