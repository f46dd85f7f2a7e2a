package scenarios_test

import (
	"fmt"

	"github.com/drainsim/drainsim/scenarios"
)

func ExampleParse() {
	src := `
[fleet]
targets = 4

[[traffic]]
rate = 100
duration = { distribution = "lognormal", median = 2, p99 = "5s" }

[[scale_in]]
at = "1m"
targets = 1
`
	_, err := scenarios.Parse("api.toml", []byte(src), nil)
	fmt.Println(err)
	// Output:
	// api.toml:7:42: traffic[0].duration.median: a duration needs a unit, e.g. "2s" (got 2)
}

func ExampleParse_validation() {
	src := `
[load_balancer]
type = "clb"

[target_group]
deregistration_delay = "0s"
connection_termination = true

[[traffic]]
rate = 100
duration = { distribution = "exponential", mean = "1s" }
`
	_, err := scenarios.Parse("legacy.toml", []byte(src), nil)
	fmt.Println(err)
	// Output:
	// legacy.toml:6:1: target_group.deregistration_delay: must be 1s–3600s for a clb with connection draining (got 0s)
	// legacy.toml:7:1: target_group.connection_termination: applies to nlb only (load balancer is clb)
	// legacy.toml: fleet.targets: must be 1–100000 (got 0)
	// legacy.toml: scale_in: at least one [[scale_in]] event is required
}

func ExampleNames() {
	for _, name := range scenarios.Names() {
		fmt.Printf("%-14s %s\n", name, scenarios.Describe(name))
	}
	// Output:
	// clb-legacy     Classic ELB with connection draining (300 s); short exponential requests (mean 1 s)
	// heavy-tail     ALB requests with a heavy tail (median 2 s, p99 20 s); the p99 × 1.3 rule gives 26 s
	// nlb-tcp-flows  NLB with long TCP flows (median 60 s, p99 20 min); 120 s delay, connection_termination off
	// payments-api   REST payments API behind an ALB; requests take 2-5 s
	// websocket-app  ALB with requests and long-lived WebSockets (median 10 min, p99 2 h); 900 s delay
}

func ExampleOpen() {
	cfg, err := scenarios.Open("payments-api")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.LoadBalancer.Type, cfg.TargetGroup.DeregistrationDelay, cfg.Fleet.Targets, cfg.Traffic[0].Rate)
	// Output:
	// alb 1m0s 10 200
}
