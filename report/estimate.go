package report

import (
	"bytes"
	"io"
	"strconv"

	"github.com/drainsim/drainsim/model"
)

// Estimates is what `drainsim estimate` computes: the closed-form
// expectation of a scenario at one delay or more. JSON names are part of
// drainsim's interface: "scenario" and "estimates", one
// [model.Estimate] per delay.
type Estimates struct {
	Scenario  string           `json:"scenario"`
	Estimates []model.Estimate `json:"estimates"`
}

// WriteEstimateTable writes e as plain text: the scenario, then for a
// single delay a table of the figures (with units) and one row per
// scale-in event, for several delays one line per delay; then the caveats
// of the first estimate (they do not depend on the delay except for a
// horizon), as "does not apply: …", "approximate: …" or "note: …". It is
// written with a single call to w.Write.
func WriteEstimateTable(w io.Writer, e Estimates) error {
	var buf bytes.Buffer
	name := e.Scenario
	if name == "" {
		name = "(unnamed)"
	}
	head := newTable(false, false)
	head.row("scenario", name)
	head.row("method", "closed form (oracles.md), no simulation")
	if len(e.Estimates) > 0 {
		head.row("applies", appliesText(&e.Estimates[0]))
	}
	if len(e.Estimates) == 1 {
		est := e.Estimates[0]
		head.row("deregistration delay (s)", gfmt(est.DelayS))
		head.write(&buf)
		buf.WriteByte('\n')
		m := newTable(false, false)
		m.row("metric", "expected value")
		m.row("dropped per replication", fixed(est.DroppedMean, countDecimals))
		for _, c := range causeKeys(est.DroppedByCause) {
			m.row("  "+c, fixed(est.DroppedByCause[c], countDecimals))
		}
		m.row("replications with no drop (probability)", fixed(est.PNoDrop, probDecimals))
		m.row("in flight per removed target at deregistration", fixed(est.InFlightMean, countDecimals))
		m.row("time until nothing in flight per removed target (s)", fixed(est.EmptySMean, timeDecimals))
		m.row("drain time per removed target (s)", fixed(est.DrainSMean, timeDecimals))
		m.row("  idle keep-alive hold c (s)", fixed(est.IdleHoldS, timeDecimals))
		m.row("scale-in time, mean (s)", fixed(est.ScaleInSMean, timeDecimals))
		m.row("cost of removed targets per replication (USD)", fixed(est.CostUSDMean, costDecimals))
		m.write(&buf)
		if len(est.ScaleIns) > 0 {
			buf.WriteByte('\n')
			t := newTable(true, false)
			t.row("scale-in at (s)", "targets", "in service", "dropped/target", "in flight/target", "drain (s)", "scale-in (s)")
			for _, s := range est.ScaleIns {
				t.row(gfmt(s.AtS), strconv.Itoa(s.Targets), strconv.Itoa(s.InService),
					fixed(s.DroppedPerTarget, countDecimals), fixed(s.InFlightPerTarget, countDecimals),
					fixed(s.DrainS, timeDecimals), fixed(s.ScaleInS, timeDecimals))
			}
			t.write(&buf)
		}
	} else {
		head.write(&buf)
		buf.WriteByte('\n')
		cells := [][]string{{"delay (s)", "dropped", "P(no drop)", "empty (s)", "drain (s)", "scale-in (s)", "instance (USD)"}}
		for _, est := range e.Estimates {
			cells = append(cells, []string{gfmt(est.DelayS), fixed(est.DroppedMean, countDecimals),
				fixed(est.PNoDrop, probDecimals), fixed(est.EmptySMean, secondsDecimals),
				fixed(est.DrainSMean, secondsDecimals), fixed(est.ScaleInSMean, secondsDecimals),
				fixed(est.CostUSDMean, costDecimals)})
		}
		aligned(&buf, cells, nil)
	}
	if len(e.Estimates) > 0 {
		var lines []string
		for _, c := range e.Estimates[0].Caveats {
			lines = append(lines, c.String())
		}
		if len(lines) == 0 {
			lines = []string{"applies: the scenario is a plain case of the formulas"}
		}
		buf.WriteByte('\n')
		explanation(&buf, lines)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// appliesText says whether the formulas describe the scenario.
func appliesText(est *model.Estimate) string {
	if !est.Applies() {
		return "no: the figures are for the scenario without what is listed below; simulate it"
	}
	for _, c := range est.Caveats {
		if c.Kind == model.Approximate {
			return "yes, with approximations listed below"
		}
	}
	return "yes"
}
