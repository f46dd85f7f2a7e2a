package plot

import (
	"context"
	"fmt"
	"time"

	"github.com/drainsim/drainsim/chart"
	"github.com/drainsim/drainsim/model"
)

// dayRecorder is the model.Observer behind RecordDay: per period, the
// attempts that arrived and failed, and the targets by state at the
// period's first sample.
type dayRecorder struct {
	period  time.Duration
	arrived []float64
	failed  []float64
	states  [][3]float64 // in service, launching, leaving
	sampled []bool
}

// at returns the index of the period holding t, growing the slices.
func (r *dayRecorder) at(t time.Duration) int {
	k := max(int(t/r.period), 0)
	for len(r.arrived) <= k {
		r.arrived = append(r.arrived, 0)
		r.failed = append(r.failed, 0)
		r.states = append(r.states, [3]float64{})
		r.sampled = append(r.sampled, false)
	}
	return k
}

func (r *dayRecorder) Attempt(a model.AttemptRecord) {
	r.arrived[r.at(a.Arrived)]++
	if a.Failed {
		r.failed[r.at(a.Ended)]++
	}
}

func (r *dayRecorder) Sample(s model.Sample) {
	k := r.at(s.At)
	if r.sampled[k] {
		return
	}
	r.sampled[k] = true
	var c [3]float64
	for _, st := range s.States {
		switch st {
		case model.StateHealthy:
			c[0]++
		case model.StateInitial:
			c[1]++
		case model.StateDraining, model.StateUnused:
			c[2]++
		}
	}
	r.states[k] = c
}

// RecordDay runs replication rep of cfg with an observer that samples
// once per period (zero: 60 s, the CloudWatch period) and returns its
// timeline for chart.DayPanels (issue #16: a day under a scaling policy)
// and the run's result, which is model.Run's: observing draws no random
// numbers. A period with no sample (the run ended in it) repeats the
// state of the one before. Cancelling ctx stops the run with an error.
func RecordDay(ctx context.Context, cfg *model.Config, rep int, period time.Duration) (chart.Day, *model.Result, error) {
	if period < 0 {
		return chart.Day{}, nil, fmt.Errorf("plot: record day: period must not be negative (got %v)", period)
	}
	if period == 0 {
		period = time.Minute
	}
	r := &dayRecorder{period: period}
	res, err := model.RunWith(cfg, rep, model.RunOptions{Context: ctx, Observer: r, SamplePeriod: period})
	if err != nil {
		return chart.Day{}, nil, fmt.Errorf("plot: record day: %w", err)
	}
	n := max(int((res.End+period-1)/period), 1) // the periods up to the run's end
	r.at(time.Duration(n-1) * period)
	d := chart.Day{PeriodS: period.Seconds()}
	for k := range n {
		if !r.sampled[k] && k > 0 {
			r.states[k] = r.states[k-1]
		}
		d.StartH = append(d.StartH, (time.Duration(k) * period).Hours())
		d.Rate = append(d.Rate, r.arrived[k]/period.Seconds())
		d.InService = append(d.InService, r.states[k][0])
		d.Launching = append(d.Launching, r.states[k][1])
		d.Leaving = append(d.Leaving, r.states[k][2])
		d.Failed = append(d.Failed, r.failed[k])
	}
	return d, res, nil
}
