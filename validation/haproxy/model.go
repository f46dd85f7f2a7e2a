package haproxy

import (
	"fmt"
	"math"
	"time"

	"github.com/drainsim/drainsim/model"
)

// Scenario is drainsim's equivalent of c, in model time (real × Scale): an
// ALB (HTTP) or NLB (TCP) with no propagation or unhealthy lag (the runtime
// API acts at once), N targets, one removed at Warmup from an empty start,
// Poisson arrivals at Rate/Scale per model second lasting the lognormal
// (Median, P99) × Scale, and a horizon Tail after expiry (arrivals stop
// there in the real run too).
func Scenario(c Case) (model.Config, error) {
	cfg := model.Default()
	cfg.Name = "haproxy-" + c.Name
	cfg.Seed = c.Seed + 1000
	cfg.Start = model.StartEmpty
	cfg.LoadBalancer.PropagationDelay = model.ConstantLag(0)
	cfg.LoadBalancer.UnhealthyLag = model.ConstantLag(0)
	switch c.Balance {
	case "roundrobin":
		cfg.LoadBalancer.Algorithm = model.RoundRobin
	case "random(1)", "random":
		// random(2) (HAProxy's default) is power of two choices; drainsim
		// has uniform random only. The mean drops do not depend on it
		// (validation.md says why), so both are compared with it.
		cfg.LoadBalancer.Algorithm = model.Random
	default:
		return cfg, fmt.Errorf("balance %q has no drainsim equivalent", c.Balance)
	}
	kind := model.KindRequest
	if c.Mode == "tcp" {
		cfg.LoadBalancer.Type = model.NLB
		kind = model.KindConnection
		cfg.TargetGroup.ConnectionTermination = c.Cut
		if !c.Cut && c.Hook > 0 {
			cfg.Platform.LifecycleHook = &model.LifecycleHook{
				HeartbeatTimeout: 7200 * time.Second,
				HandlerDuration:  c.Hook * Scale,
			}
		}
	}
	cfg.Fleet.Targets = c.Servers
	cfg.Traffic = []model.Traffic{{
		Name: "client", Kind: kind, Rate: c.Rate / Scale,
		Duration: model.Distribution{Distribution: "lognormal", Median: c.Median * Scale, P99: c.P99 * Scale},
	}}
	if c.GoRetry > 0 {
		p := c.GoRetry
		cfg.Traffic[0].Idempotent = &p
		cfg.Traffic[0].Retry = &model.Retry{Attempts: 2, Backoff: time.Millisecond, MaxBackoff: time.Millisecond, Jitter: "none"}
	}
	cfg.ScaleIn = []model.ScaleIn{{At: c.Warmup * Scale, Targets: 1}}
	cfg.TargetGroup.DeregistrationDelay = c.Delay * Scale
	cfg.Horizon = (c.Warmup + c.Delay + c.Hook + c.Tail) * Scale
	return cfg, cfg.Validate()
}

// Simulated is drainsim's result for a case.
type Simulated struct {
	Mean, SE float64
	SD       float64            // per replication
	ByCause  map[string]float64 // mean per replication
}

// Simulate runs reps replications of Scenario(c).
func Simulate(c Case, reps int) (Simulated, error) {
	var s Simulated
	cfg, err := Scenario(c)
	if err != nil {
		return s, err
	}
	s.ByCause = map[string]float64{}
	x := make([]float64, 0, reps)
	for r := range reps {
		res, err := model.Run(&cfg, r)
		if err != nil {
			return s, err
		}
		x = append(x, float64(res.Dropped))
		for cause, n := range res.DroppedByCause {
			if n > 0 {
				s.ByCause[model.Cause(cause).String()] += float64(n) / float64(reps)
			}
		}
	}
	s.Mean, s.SE = meanSE(x)
	s.SD = s.SE * math.Sqrt(float64(len(x)))
	return s, nil
}
