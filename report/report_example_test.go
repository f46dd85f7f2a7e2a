package report_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/drainsim/drainsim/report"
	"github.com/drainsim/drainsim/sweep"
)

// sample is a small, hand-made summary of three replications.
func sample() sweep.Summary {
	return sweep.Summary{
		Scenario:          "payments-api",
		Seed:              1,
		Replications:      3,
		DelayS:            30,
		Arrivals:          3000,
		Completed:         2994,
		Dropped:           6,
		InFlight:          0,
		DroppedMean:       2,
		DroppedCI95:       sweep.Interval{Low: 0, High: 4.4845, Valid: true},
		DroppedByCause:    map[string]int64{"delay_expired": 4, "killed": 2, "no_target": 0},
		PAnyDrop:          2.0 / 3,
		DrainSMean:        12.3456,
		DrainSP50:         10,
		DrainSP95:         25.5,
		DrainSMax:         30,
		IdleHoldSMean:     8.25,
		ScaleInSMean:      31.5,
		CostUSDMean:       0.00123,
		Events:            6123,
		ELB5xx:            5,
		ELB502:            5,
		ConnectionCuts:    4,
		Retries:           3,
		Reconnects:        4,
		ReconnectPeakPerS: 20,
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
	// metric                                                    value
	// arrivals (total)                                          3000
	// completed (total)                                         2994
	// in flight at end (total)                                  0
	// dropped (total)                                           6
	//   delay_expired                                           4
	//   killed                                                  2
	//   no_target                                               0
	// ELB 5xx, failed attempts incl. retried (total)            5
	//   502 / 503 / 504                                         5 / 0 / 0
	// NLB resets (total)                                        0
	// long-lived connections cut (total)                        4
	// client retries (total)                                    3
	// reconnects (total)                                        4
	// reconnect peak, max over replications (per s)             20
	// dropped per replication, mean [95 % CI]                   2.00 [0.00, 4.48]
	// replications with a drop (fraction)                       0.667
	// drain time per removed target, mean (s)                   12.346
	// drain time per removed target, p50 / p95 / max (s)        10.000 / 25.500 / 30.000
	//   of which held by idle keep-alive connections, mean (s)  8.250
	// scale-in time, mean (s)                                   31.500
	// cost of removed targets per replication, mean (USD)       0.001230
	// events (total)                                            6123
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
	//     0,
	//     4.4845
	//   ],
	//   "dropped_by_cause": {
	//     "delay_expired": 4,
	//     "killed": 2,
	//     "no_target": 0
	//   },
	//   "p_any_drop": 0.6666666666666666,
	//   "drain_s_mean": 12.3456,
	//   "drain_s_p50": 10,
	//   "drain_s_p95": 25.5,
	//   "drain_s_max": 30,
	//   "idle_hold_s_mean": 8.25,
	//   "scale_in_s_mean": 31.5,
	//   "cost_usd_mean": 0.00123,
	//   "elb_5xx": 5,
	//   "elb_502": 5,
	//   "elb_503": 0,
	//   "elb_504": 0,
	//   "resets": 0,
	//   "connection_cuts": 4,
	//   "retries": 3,
	//   "reconnects": 4,
	//   "reconnect_peak_per_s": 20,
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
	//   ],
	//   "analytic_dropped": null,
	//   "analytic_drain_s": null
	// }
}

// sweepRows is a hand-made sweep of three delays, 10 replications each.
func sweepRows() []sweep.Row {
	row := func(d, dropped, lo, hi, p, drain float64) sweep.Row {
		return sweep.Row{
			DelayS: d, Replications: 10,
			DroppedMean: dropped, DroppedCI95: [2]float64{lo, hi},
			DroppedByCause:     map[string]float64{"delay_expired": dropped},
			DroppedByCauseCI95: map[string][2]float64{"delay_expired": {lo, hi}},
			DroppedByClass:     []sweep.ClassDrops{{Name: "api", Kind: "request", DroppedMean: dropped, DroppedCI95: [2]float64{lo, hi}}},
			PAnyDrop:           p, PAnyDropCI95: [2]float64{p / 2, (1 + p) / 2},
			DrainSMean: drain, DrainSP95: drain * 1.5, DrainSP50: drain * 0.9, DrainSMax: drain * 2, IdleHoldSMean: drain / 3,
			ScaleInSMean: drain + 1, ScaleInSP95: drain*1.5 + 1,
			InstanceCostUSDMean: drain * 2.7e-5, DropCostUSDMean: dropped * 0.5, TotalCostUSDMean: drain*2.7e-5 + dropped*0.5,
			TotalCostUSDCI95: [2]float64{drain*2.7e-5 + lo*0.5, drain*2.7e-5 + hi*0.5},
			Events:           4000,
		}
	}
	return []sweep.Row{row(0, 12, 10, 14, 1, 0), row(30, 0.2, -0.1, 0.5, 0.2, 9), row(60, 0, 0, 0, 0, 9.5)}
}

func ExampleWriteRowsTable() {
	rows := sweepRows()
	rec := &sweep.Recommendation{
		MaxDropped: 0.5, DropCost: 0.5,
		RecommendedDelayS: &rows[1].DelayS, Recommended: &rows[1],
		CostOptimalDelayS: 60, CostOptimal: rows[2],
		RuleOfThumbDelayS: 30, RuleOfThumb: rows[1],
	}
	if err := report.WriteRowsTable(os.Stdout, rows, rec); err != nil {
		panic(err)
	}
	// Output:
	// delay (s)  reps  dropped mean [95 % CI]  P(any drop)  top causes           drain mean/p95 (s)  scale-in mean (s)  instance (USD)  drops (USD)  total (USD)
	//         0    10    12.00 [10.00, 14.00]        1.000  delay_expired 12.00             0.0/0.0                1.0        0.000000     6.000000     6.000000
	//        30    10      0.20 [-0.10, 0.50]        0.200  delay_expired 0.20             9.0/13.5               10.0        0.000243     0.100000     0.100243  ← recommended, rule of thumb
	//        60    10       0.00 [0.00, 0.00]        0.000  -                              9.5/14.2               10.5        0.000257     0.000000     0.000257  ← cost-optimal
}

func ExampleWriteRowsCSV() {
	rows := sweepRows()[1:2]
	rows[0].DroppedByCause = map[string]float64{"delay_expired": 0.2, "killed": 0}
	rows[0].DroppedByCauseCI95 = map[string][2]float64{"delay_expired": {-0.1, 0.5}, "killed": {0, 0}}
	var b strings.Builder
	if err := report.WriteRowsCSV(&b, rows); err != nil {
		panic(err)
	}
	// One column per line, to read.
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	head, vals := strings.Split(lines[0], ","), strings.Split(lines[1], ",")
	for i, h := range head {
		if vals[i] != "" {
			fmt.Printf("%s=%s\n", h, vals[i])
		}
	}
	// Output:
	// delay_s=30
	// replications=10
	// dropped_mean=0.2
	// dropped_ci95_low=-0.1
	// dropped_ci95_high=0.5
	// dropped_by_cause.delay_expired=0.2
	// dropped_by_cause.killed=0
	// dropped_by_cause_ci95.delay_expired_low=-0.1
	// dropped_by_cause_ci95.delay_expired_high=0.5
	// dropped_by_cause_ci95.killed_low=0
	// dropped_by_cause_ci95.killed_high=0
	// dropped_by_class.api=0.2
	// dropped_by_class_ci95.api_low=-0.1
	// dropped_by_class_ci95.api_high=0.5
	// p_any_drop=0.2
	// p_any_drop_ci95_low=0.1
	// p_any_drop_ci95_high=0.6
	// drops_per_burst=0
	// drain_s_mean=9
	// drain_s_p95=13.5
	// drain_s_p50=8.1
	// drain_s_max=18
	// idle_hold_s_mean=3
	// scale_in_s_mean=10
	// scale_in_s_p95=14.5
	// instance_cost_usd_mean=0.000243
	// drop_cost_usd_mean=0.1
	// total_cost_usd_mean=0.100243
	// total_cost_usd_ci95_low=-0.049757
	// total_cost_usd_ci95_high=0.250243
	// elb_5xx_mean=0
	// retries_mean=0
	// reconnects_mean=0
	// reconnect_peak_per_s_mean=0
	// events=4000
	// elb_502_mean=0
	// elb_503_mean=0
	// elb_504_mean=0
	// resets_mean=0
	// connection_cuts_mean=0
}
