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
	// legacy.toml: scale_in: at least one [[scale_in]] event is required (or an [autoscaling] policy and a horizon)
}

func ExampleNames() {
	for _, name := range scenarios.Names() {
		fmt.Printf("%-18s %s\n", name, scenarios.Describe(name))
	}
	// Output:
	// clb-legacy         Classic ELB with connection draining (300 s); short exponential requests (mean 1 s)
	// diurnal-api        ALB + EC2 ASG, target tracking on request count per target, a diurnal day (peak 200/s at 14:00, trough 20/s)
	// ec2-lifecycle-hook EC2 ASG with a 20 s termination hook: runs after draining, adds billed time, no drops
	// ecs-diurnal        ALB + ECS Fargate service, target tracking on request count per target with ECS cooldowns, a diurnal day (peak 100/s at 14:00, trough 10/s)
	// ecs-fargate-spot   ECS Fargate Spot: SIGTERM first, SIGKILL after a 30 s stop_timeout kills long requests
	// ecs-stop-task      ECS+ALB: stop_task drops requests for a few seconds (2-3 req/s per task); try stop = "service"
	// eks-prestop        EKS+ALB, 300 s delay, ~10 s lag: preStop 0 drops requests (try 40 s, or 70 s with a 100 s grace)
	// eks-short-delay    EKS+ALB, 30 s delay, ~10 s lag: preStop 5 s still drops; 25 s with a 60 s grace drops none
	// field/alb-ip-prestop-1064 Field report aws-load-balancer-controller#1064: ALB ip targets, 30 s delay, preStop 5 s vs 25 s
	// field/ecs-drainhook-13506 Field report aws-cdk#13506: an ECS drain hook completes early, the instance dies still registered
	// field/ecs-stoptask-2316 Field report amazon-ecs-agent#2316: ECS StopTask, 502s for 3-5 s while the ALB still routes
	// field/eks-prestop-2106 Field report aws-load-balancer-controller#2106: EKS instance mode, 300 s delay, preStop 0/40/70 s
	// field/keepalive-race-2253 Field reports medplum#2253, skuba#1111: Node.js keep-alive 5 s under an ALB: ~1 in 20,000 requests 502
	// field/kops-nlb-11256 Field report kops#11256: a node roll terminates without deregistering; ~90 s of NLB failures
	// field/nlb-lag-470  Field report containers-roadmap#470: an NLB opens flows for ~120 s after deregistration
	// field/nlb-termination NLB connection_termination: off keeps flows past the delay until the instance goes; on resets them
	// field/rolling-restart-3min Field report: a 3-minute rolling restart of 10 pods, preStop 40 s: 12/3/0 errors in ~770k requests
	// field/websocket-storm-5518 Field report omi#5518: WebSocket reconnect storm after a mass restart (~10x volume, >40 % 5xx)
	// heavy-tail         ALB requests with a heavy tail (median 2 s, p99 20 s); the p99 × 1.3 rule gives 26 s
	// keepalive-race     App keep-alive 5 s under an ALB idle timeout of 60 s: a small steady 502 rate (try 75s)
	// large-fleet        500 targets, 50,000 requests/s plus WebSockets, ten scale-in steps of 25 (performance)
	// nlb-flows-hook     NLB, long TCP flows, termination off: flows outlive the 120 s delay until the instance goes
	// nlb-tcp-flows      NLB with long TCP flows (median 60 s, p99 20 min); 120 s delay, connection_termination off
	// payments-api       REST payments API behind an ALB; requests take 2-5 s
	// rolling-update     EKS Deployment update, 6 pods, 25 % surge/unavailable: preStop 0 drops requests at each deploy (try 40 s)
	// websocket-app      ALB with requests and long-lived WebSockets (median 10 min, p99 2 h); 900 s delay
	// websocket-storm    ALB WebSockets, 8 targets, half drained at once, reconnect without jitter (try jitter = "full")
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
