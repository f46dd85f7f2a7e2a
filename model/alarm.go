package model

import "math"

// AlarmState is a CloudWatch alarm's state [CW-ALARM].
type AlarmState int

// Alarm states. An alarm starts in AlarmInsufficientData and may move to
// either other state at each evaluation.
const (
	// AlarmInsufficientData: no datapoint in the evaluation window. A
	// target tracking policy does not scale in from it [AAS-TT].
	AlarmInsufficientData AlarmState = iota
	// AlarmOK: datapoints present, fewer than DatapointsToAlarm breaching.
	AlarmOK
	// AlarmInAlarm: at least DatapointsToAlarm of the last
	// EvaluationPeriods datapoints breach the threshold.
	AlarmInAlarm
)

var alarmStateNames = [...]string{"INSUFFICIENT_DATA", "OK", "ALARM"}

// String returns the state's CloudWatch name ("ALARM").
func (s AlarmState) String() string {
	if s < 0 || int(s) >= len(alarmStateNames) {
		return "AlarmState(?)"
	}
	return alarmStateNames[s]
}

// Alarm is an "M out of N" CloudWatch metric alarm over one-minute
// periods [CW-ALARM]: it is in ALARM when at least DatapointsToAlarm of the
// last EvaluationPeriods datapoints breach Threshold (above it when Above,
// below it otherwise; equal never breaches, as for GreaterThanThreshold and
// LessThanThreshold). A missing datapoint (NaN) is neither breaching nor
// not, CloudWatch's default "missing" treatment; a window with no
// datapoint at all is INSUFFICIENT_DATA. The zero value is not usable: use
// [NewAlarm].
type Alarm struct {
	Threshold         float64
	Above             bool
	DatapointsToAlarm int
	EvaluationPeriods int

	window []float64 // ring of the last EvaluationPeriods datapoints
	n      int       // datapoints observed so far
	state  AlarmState
}

// NewAlarm returns an alarm in INSUFFICIENT_DATA. m must be 1–n.
func NewAlarm(threshold float64, above bool, m, n int) *Alarm {
	if n < 1 || m < 1 || m > n {
		panic("model: NewAlarm needs 1 <= datapoints <= periods")
	}
	return &Alarm{Threshold: threshold, Above: above, DatapointsToAlarm: m, EvaluationPeriods: n,
		window: make([]float64, n)}
}

// Observe adds the datapoint of the period that just ended (NaN: missing)
// and returns the state after evaluating the window. O(N).
func (a *Alarm) Observe(v float64) AlarmState {
	a.window[a.n%a.EvaluationPeriods] = v
	a.n++
	present, breaching := 0, 0
	for i := range min(a.n, a.EvaluationPeriods) {
		x := a.window[i]
		if math.IsNaN(x) {
			continue
		}
		present++
		if a.breaches(x) {
			breaching++
		}
	}
	switch {
	case breaching >= a.DatapointsToAlarm:
		a.state = AlarmInAlarm
	case present == 0:
		a.state = AlarmInsufficientData
	default:
		a.state = AlarmOK
	}
	return a.state
}

// Reset empties the window (INSUFFICIENT_DATA), as after the metric's
// meaning changed.
func (a *Alarm) Reset() {
	a.n = 0
	a.state = AlarmInsufficientData
}

// State returns the state after the last Observe.
func (a *Alarm) State() AlarmState { return a.state }

func (a *Alarm) breaches(x float64) bool {
	if a.Above {
		return x > a.Threshold
	}
	return x < a.Threshold
}
