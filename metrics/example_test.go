package metrics_test

import (
	"fmt"
	"os"
	"time"

	"github.com/drainsim/drainsim/metrics"
	"github.com/drainsim/drainsim/scenarios"
)

// The built-in payments-api with its deregistration delay cut to 0 s:
// the two removed targets' requests in flight are cut at once (502s),
// and HealthyHostCount drops from 10 to 8. The horizon keeps the run
// going for two minutes after the scale-in; the stationary start begins
// it one minute before.
func ExampleRecord() {
	cfg, err := scenarios.Builtin("payments-api")
	if err != nil {
		panic(err)
	}
	cfg.TargetGroup.DeregistrationDelay = 0
	cfg.Start = "stationary"
	cfg.Horizon = 12 * time.Minute
	s, res, err := metrics.Record(cfg, 0, time.Minute)
	if err != nil {
		panic(err)
	}
	for k := range s.Len() {
		fmt.Printf("%.0fs  requests %5d  502 %3d  503 %d  healthy %2d  in flight %d\n",
			s.Start[k].Seconds(), s.RequestCount[k], s.ELB502[k], s.ELB503[k], s.HealthyHostCount[k], s.ActiveConnectionCount[k])
	}
	fmt.Println("removed targets:", s.Removed)
	fmt.Println("5xx in the result:", res.ELB5xx)
	// Output:
	// 540s  requests 12447  502   0  503 0  healthy 10  in flight 458
	// 600s  requests 11978  502  76  503 0  healthy  8  in flight 400
	// 660s  requests 11594  502   0  503 0  healthy  8  in flight 429
	// removed targets: [0 1]
	// 5xx in the result: 1250
}

// WriteCSV writes CloudWatch's column names, then one line per period.
func ExampleSeries_WriteCSV() {
	s := &metrics.Series{
		Period:                time.Minute,
		Start:                 []time.Duration{9 * time.Minute, 10 * time.Minute},
		RequestCount:          []int64{12000, 11950},
		ELB502:                []int64{0, 38},
		ELB503:                []int64{0, 0},
		ELB5XX:                []int64{0, 38},
		ActiveConnectionCount: []int64{41, 30},
		HealthyHostCount:      []int64{2, 1},
		InFlight:              [][]int64{{20, 0}, {21, 30}},
		Removed:               []int{0},
	}
	if err := s.WriteCSV(os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// time_s,RequestCount,HTTPCode_ELB_502_Count,HTTPCode_ELB_503_Count,HTTPCode_ELB_504_Count,HTTPCode_ELB_5XX_Count,ActiveConnectionCount,HealthyHostCount,TCP_ELB_Reset_Count,TCP_Target_Reset_Count,InFlight_target_0,InFlight_target_1
	// 540,12000,0,0,0,0,41,2,0,0,20,21
	// 600,11950,38,0,0,38,30,1,0,0,0,30
}
