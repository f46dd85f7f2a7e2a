package report_test

import (
	"os"

	"github.com/drainsim/drainsim/report"
	"github.com/drainsim/drainsim/sweep"
)

// sample is a small, hand-made summary of three replications.
func sample() sweep.Summary {
	return sweep.Summary{
		Scenario:       "payments-api",
		Seed:           1,
		Replications:   3,
		DelayS:         30,
		Arrivals:       3000,
		Completed:      2994,
		Dropped:        6,
		InFlight:       0,
		DroppedMean:    2,
		DroppedCI95:    &[2]float64{-0.4845, 4.4845},
		DroppedByCause: map[string]int64{"delay_expired": 4, "killed": 2, "no_target": 0},
		PAnyDrop:       2.0 / 3,
		DrainSMean:     12.3456,
		ScaleInSMean:   31.5,
		CostUSDMean:    0.00123,
		Events:         6123,
		Traffic: []sweep.ClassSummary{
			{Name: "api", Kind: "request", Arrivals: 2900, Completed: 2898, Dropped: 2, DroppedMean: 2.0 / 3,
				DroppedByCause: map[string]int64{"delay_expired": 2, "killed": 0, "no_target": 0}},
			{Name: "websocket", Kind: "connection", Arrivals: 100, Completed: 96, Dropped: 4, DroppedMean: 4.0 / 3,
				DroppedByCause: map[string]int64{"delay_expired": 2, "killed": 2, "no_target": 0}},
		},
	}
}

func ExampleWriteTable() {
	if err := report.WriteTable(os.Stdout, sample()); err != nil {
		panic(err)
	}
	// Output:
	// scenario                  payments-api
	// seed                      1
	// replications              3
	// deregistration delay (s)  30
	//
	// metric                                               value
	// arrivals (total)                                     3000
	// completed (total)                                    2994
	// in flight at end (total)                             0
	// dropped (total)                                      6
	//   delay_expired                                      4
	//   killed                                             2
	//   no_target                                          0
	// dropped per replication, mean [95 % CI]              2.00 [-0.48, 4.48]
	// replications with a drop (fraction)                  0.667
	// drain time per removed target, mean (s)              12.346
	// scale-in time, mean (s)                              31.500
	// cost of removed targets per replication, mean (USD)  0.001230
	// events (total)                                       6123
	//
	// traffic class  kind        arrivals  completed  dropped  dropped/replication  dropped by cause
	// api            request         2900       2898        2                 0.67  delay_expired 2
	// websocket      connection       100         96        4                 1.33  delay_expired 2, killed 2
}

func ExampleWriteJSON() {
	s := sample()
	s.Traffic = s.Traffic[:1]
	if err := report.WriteJSON(os.Stdout, s); err != nil {
		panic(err)
	}
	// Output:
	// {
	//   "scenario": "payments-api",
	//   "seed": 1,
	//   "replications": 3,
	//   "deregistration_delay_s": 30,
	//   "arrivals": 3000,
	//   "completed": 2994,
	//   "dropped": 6,
	//   "in_flight": 0,
	//   "dropped_mean": 2,
	//   "dropped_ci95": [
	//     -0.4845,
	//     4.4845
	//   ],
	//   "dropped_by_cause": {
	//     "delay_expired": 4,
	//     "killed": 2,
	//     "no_target": 0
	//   },
	//   "p_any_drop": 0.6666666666666666,
	//   "drain_s_mean": 12.3456,
	//   "scale_in_s_mean": 31.5,
	//   "cost_usd_mean": 0.00123,
	//   "events": 6123,
	//   "traffic": [
	//     {
	//       "name": "api",
	//       "kind": "request",
	//       "arrivals": 2900,
	//       "completed": 2898,
	//       "dropped": 2,
	//       "dropped_mean": 0.6666666666666666,
	//       "dropped_by_cause": {
	//         "delay_expired": 2,
	//         "killed": 0,
	//         "no_target": 0
	//       }
	//     }
	//   ]
	// }
}
