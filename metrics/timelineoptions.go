package metrics

import (
	"time"

	"github.com/drainsim/drainsim/model"
)

// TimelineOptions control the timeline of a Series that package
// github.com/drainsim/drainsim/plot draws (plot.Timeline and
// plot.TimelinePanels; the drawing lives there so that this package does
// not pull in gonum/plot). The zero value draws the
// whole series with a title naming the scenario.
type TimelineOptions struct {
	// Title is the chart's title; empty means "<scenario>: in flight per
	// target and ELB 5xx per period" ("… and NLB resets per period" for an
	// NLB).
	Title string
	// Result is the run the series was recorded from (what [Record]
	// returns); when set, a dotted line marks when each removed target's
	// deregistration delay expired (its Deregistered time plus the
	// configured delay). Nil draws no such line.
	Result *model.Result
	// From and To limit the time axis, as times since the start of the
	// simulation; zero means the start of the first period and the end of
	// the last.
	From, To time.Duration
}
