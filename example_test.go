package drainsim_test

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"strings"
	"time"

	"github.com/drainsim/drainsim"
)

// The whole tour: load a built-in, change a field, run it and sweep the
// delay.
func Example() {
	ctx := context.Background()
	s, err := drainsim.Load("payments-api")
	if err != nil {
		panic(err)
	}
	// A delay shorter than the ALB's propagation lag (unset: the field-
	// measured default, median 10 s) terminates targets still routed to.
	s.Config.TargetGroup.DeregistrationDelay = 3 * time.Second
	res, err := s.RunWith(ctx, drainsim.RunOptions{Replications: 5})
	if err != nil {
		panic(err)
	}
	fmt.Printf("at 3 s: %.1f dropped per scale-in, 95%% CI [%.1f, %.1f]\n", res.DroppedMean, res.DroppedCI95.Low, res.DroppedCI95.High)

	sw, err := s.Sweep(ctx, drainsim.SweepOptions{Delays: "0s:80s:20s", Replications: 5, MaxDropped: 0.5, MaxReplications: 40})
	if err != nil {
		panic(err)
	}
	if d, ok := sw.Recommended(); ok {
		fmt.Println("recommended delay:", d)
	} else {
		fmt.Println("no delay certified:", sw.Recommendation.Status)
	}
	// Charts: package github.com/drainsim/drainsim/plot (plot.Drops(sw, …)).
	// Output:
	// at 3 s: 606.2 dropped per scale-in, 95% CI [140.7, 1652.7]
	// no delay certified: undecided
}

func ExampleLoad() {
	s, err := drainsim.Load("payments-api") // or a path: "scenarios/my-service.toml"
	if err != nil {
		panic(err)
	}
	c := s.Config
	fmt.Println(c.Name, "-", c.Description)
	fmt.Println("targets:", c.Fleet.Targets, "delay:", c.TargetGroup.DeregistrationDelay, "scale-in at:", c.ScaleIn[0].At)
	// Output:
	// payments-api - REST payments API behind an ALB; requests take 2-5 s
	// targets: 10 delay: 1m0s scale-in at: 10m0s
}

// A scenario can live in the notebook itself, as TOML text.
func ExampleParse() {
	s, err := drainsim.Parse("inline.toml", []byte(`
name = "two-targets"
[fleet]
targets = 2
[[traffic]]
rate = 20
duration = { distribution = "lognormal", median = "1s", p99 = "10s" }
[[scale_in]]
at = "2m"
targets = 1
`))
	if err != nil {
		panic(err)
	}
	fmt.Println(s.Config.Name, s.Config.Fleet.Targets, s.Config.TargetGroup.DeregistrationDelay)

	_, err = drainsim.Parse("typo.toml", []byte("[fleet]\ntargest = 2\n"))
	fmt.Println(err)
	// Output:
	// two-targets 2 5m0s
	// typo.toml:1:2: fleet.targets: must be 1–100000 (got 0)
	// typo.toml:2:1: fleet.targest: unknown key; did you mean "targets"?
	// typo.toml: traffic: at least one [[traffic]] class is required
	// typo.toml: scale_in: at least one [[scale_in]] event is required (or an [autoscaling] policy and a horizon)
}

func ExampleBuiltins() {
	for _, name := range drainsim.Builtins()[:3] {
		fmt.Println(name)
	}
	// Output:
	// clb-legacy
	// diurnal-api
	// ec2-lifecycle-hook
}

func ExampleScenario_Run() {
	s, err := drainsim.Load("payments-api")
	if err != nil {
		panic(err)
	}
	s.Config.TargetGroup.DeregistrationDelay = 0
	res, err := s.Run(context.Background()) // Config.Replications (1 here)
	if err != nil {
		panic(err)
	}
	fmt.Println("arrivals:", res.Arrivals, "dropped:", res.Dropped, "by delay expiry:", res.DroppedByCause["delay_expired"])
	// Output:
	// arrivals: 21686 dropped: 1250 by delay expiry: 76
}

// Progress reports come from worker goroutines, one at a time, counting up
// to the total.
func ExampleScenario_RunWith() {
	s, err := drainsim.Load("payments-api")
	if err != nil {
		panic(err)
	}
	s.Config.TargetGroup.DeregistrationDelay = 2 * time.Second
	var last string
	res, err := s.RunWith(context.Background(), drainsim.RunOptions{
		Replications: 20,
		Progress:     func(done, total int) { last = fmt.Sprintf("%d/%d", done, total) },
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("progress:", last)
	fmt.Printf("dropped per scale-in: %.2f [%.2f, %.2f]; P(any drop) %.2f\n",
		res.DroppedMean, res.DroppedCI95.Low, res.DroppedCI95.High, res.PAnyDrop)
	// Output:
	// progress: 20/20
	// dropped per scale-in: 507.00 [362.65, 689.69]; P(any drop) 1.00
}

func ExampleScenario_Sweep() {
	s, err := drainsim.Load("payments-api")
	if err != nil {
		panic(err)
	}
	sw, err := s.Sweep(context.Background(), drainsim.SweepOptions{
		Delays: "0s:120s:40s", Replications: 5, MaxDropped: 0.5, DropCost: 0.5, MaxReplications: 80,
	})
	if err != nil {
		panic(err)
	}
	for _, r := range sw.Rows {
		fmt.Printf("delay %.0fs  replications %2d  dropped %5.2f  upper 95%% %5.2f\n", r.DelayS, r.Replications, r.DroppedMean, r.DroppedCI95[1])
	}
	rec := sw.Recommendation
	if d, ok := sw.Recommended(); ok {
		fmt.Println("recommended:", d)
	} else {
		fmt.Println(rec.Status + ": no delay certified") // more MaxReplications would decide
	}
	fmt.Println("cost optimum:", rec.CostOptimalDelayS, "rule of thumb:", rec.RuleOfThumbDelayS)
	// Output:
	// delay 0s  replications  5  dropped 715.40  upper 95% 1637.76
	// delay 40s  replications 80  dropped  0.34  upper 95%  0.86
	// delay 80s  replications 80  dropped  0.00  upper 95%  0.20
	// delay 120s  replications  5  dropped  0.00  upper 95% 373.31
	// recommended: 44s
	// cost optimum: 46 rule of thumb: 7
}

func ExampleSweepResult_Recommended() {
	s, err := drainsim.Load("payments-api")
	if err != nil {
		panic(err)
	}
	sw, err := s.Sweep(context.Background(), drainsim.SweepOptions{Delays: "0s,2s", Replications: 5})
	if err != nil {
		panic(err)
	}
	if _, ok := sw.Recommended(); !ok {
		fmt.Println("no delay up to 2s keeps the drops within the bound")
	}
	// Output:
	// no delay up to 2s keeps the drops within the bound
}

// A sweep is worth caching: gob writes it to a file and reads it back
// equal, a recommended 0 s included.
func ExampleSweepResult_GobEncode() {
	s, err := drainsim.Load("payments-api")
	if err != nil {
		panic(err)
	}
	sw, err := s.Sweep(context.Background(), drainsim.SweepOptions{Delays: "0s:6s:3s", Replications: 4, MaxDropped: 1000})
	if err != nil {
		panic(err)
	}
	var file bytes.Buffer // an *os.File in a notebook
	if err := gob.NewEncoder(&file).Encode(sw); err != nil {
		panic(err)
	}
	var cached drainsim.SweepResult
	if err := gob.NewDecoder(&file).Decode(&cached); err != nil {
		panic(err)
	}
	d, ok := cached.Recommended()
	fmt.Println(d, ok, len(cached.Rows), cached.Rows[1].DroppedMean == sw.Rows[1].DroppedMean)
	// Output:
	// 0s false 3 true
}

// One replication as CloudWatch would chart it, written as CSV.
func ExampleScenario_Metrics() {
	s, err := drainsim.Load("payments-api")
	if err != nil {
		panic(err)
	}
	s.Config.TargetGroup.DeregistrationDelay = 0
	m, err := s.Metrics(0, time.Minute)
	if err != nil {
		panic(err)
	}
	var csv strings.Builder
	if err := m.WriteCSV(&csv); err != nil {
		panic(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(csv.String()), "\n") {
		fields := strings.Split(line, ",")
		fmt.Println(strings.Join(fields[:7], ","))
	}
	// Output:
	// time_s,RequestCount,HTTPCode_ELB_502_Count,HTTPCode_ELB_503_Count,HTTPCode_ELB_504_Count,HTTPCode_ELB_5XX_Count,ActiveConnectionCount
	// 540,12447,0,0,0,0,458
	// 600,8834,76,0,1174,1250,400
}
