package report

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/sweep"
)

// Decimals used by WriteTable for each kind of value.
const (
	countDecimals = 2 // means of counts, such as drops per replication
	probDecimals  = 3 // probabilities
	timeDecimals  = 3 // seconds
	costDecimals  = 6 // US dollars
)

// WriteTable writes s to w as aligned plain text: a header block (scenario,
// seed, replications, deregistration delay), a table of metrics whose
// labels carry their units, and a table with one row per traffic class.
// Counts are totals over all replications unless the label says "per
// replication". The whole table is written with a single call to w.Write;
// WriteTable returns that call's error.
func WriteTable(w io.Writer, s sweep.Summary) error {
	var buf bytes.Buffer

	name := s.Scenario
	if name == "" {
		name = "(unnamed)"
	}
	head := newTable(false, false)
	head.row("scenario", name)
	head.row("seed", strconv.FormatUint(s.Seed, 10))
	head.row("replications", strconv.Itoa(s.Replications))
	head.row("deregistration delay (s)", strconv.FormatFloat(s.DelayS, 'f', -1, 64))
	head.write(&buf)
	buf.WriteByte('\n')
	assumptionsBlock(&buf, s.Assumptions)

	m := newTable(false, false)
	m.row("metric", "value")
	m.row("arrivals (total)", itoa(s.Arrivals))
	m.row("completed (total)", itoa(s.Completed))
	m.row("in flight at end (total)", itoa(s.InFlight))
	m.row("dropped (total)", itoa(s.Dropped))
	for _, c := range causeKeys(s.DroppedByCause) {
		m.row("  "+c, itoa(s.DroppedByCause[c]))
	}
	m.row("ELB 5xx, failed attempts incl. retried (total)", itoa(s.ELB5xx))
	m.row("  502 / 503 / 504", itoa(s.ELB502)+" / "+itoa(s.ELB503)+" / "+itoa(s.ELB504))
	m.row("NLB resets (total)", itoa(s.Resets))
	m.row("long-lived connections cut (total)", itoa(s.ConnectionCuts))
	m.row("client retries (total)", itoa(s.Retries))
	m.row("reconnects (total)", itoa(s.Reconnects))
	m.row("reconnect peak, max over replications (per s)", fixed(s.ReconnectPeakPerS, 0))
	m.row("dropped per replication, mean [95 % CI]", meanCI(s.DroppedMean, s.DroppedCI95, s.Replications))
	m.row("replications with a drop (fraction)", fixed(s.PAnyDrop, probDecimals))
	m.row("drain time per removed target, mean (s)", fixed(s.DrainSMean, timeDecimals))
	m.row("drain time per removed target, p50 / p95 / max (s)",
		fixed(s.DrainSP50, timeDecimals)+" / "+fixed(s.DrainSP95, timeDecimals)+" / "+fixed(s.DrainSMax, timeDecimals))
	m.row("  of which held by idle keep-alive connections, mean (s)", fixed(s.IdleHoldSMean, timeDecimals))
	m.row("scale-in time, mean (s)", fixed(s.ScaleInSMean, timeDecimals))
	if l := s.Latency; l != nil {
		// Finite capacity (fleet.max_concurrency): a queued request's
		// wait is part of its latency.
		m.row("latency of completed requests, p50 / p99 (s)", fixed(l.P50S, timeDecimals)+" / "+fixed(l.P99S, timeDecimals))
	}
	costLabel := "cost of removed targets per replication, mean (USD)"
	if s.CostBasis == model.CostPodShare {
		costLabel = "cost of removed pods per replication, mean (USD, the pods' share of their nodes)"
	}
	if s.Scaling != nil && s.Scaling.LaunchedMean > 0 {
		// Result.CostUSD adds the launched targets' time (scaleout.go).
		costLabel = "cost of removed and launched targets per replication, mean (USD)"
		if s.CostBasis == model.CostPodShare {
			costLabel = "cost of removed and launched pods per replication, mean (USD, the pods' share of their nodes)"
		}
	}
	m.row(costLabel, fixed(s.CostUSDMean, costDecimals))
	m.row("events (total)", strconv.FormatUint(s.Events, 10))
	if cl := s.ClosedLoop; cl != nil {
		m.row("closed-loop clients", strconv.Itoa(cl.Clients))
		m.row("  errors per client per replication, mean / max", fixed(cl.ErrorsPerClientMean, countDecimals)+" / "+itoa(cl.ErrorsPerClientMax))
		m.row("failure window (s), first to last drop, mean / per client", fixed(cl.FailureWindowSMean, timeDecimals)+" / "+fixed(cl.ClientFailureWindowSMean, timeDecimals))
	}
	if sc := s.Scaling; sc != nil {
		m.row("span per replication (h)", fixed(sc.SpanS/3600, 2))
		m.row("scale-ins / scale-outs per replication, mean", fixed(sc.ScaleInsMean, 2)+" / "+fixed(sc.ScaleOutsMean, 2))
		m.row("  targets removed / launched per replication, mean", fixed(sc.RemovedMean, 2)+" / "+fixed(sc.LaunchedMean, 2))
		m.row("whole fleet, instance-hours per replication, mean", fixed(sc.FleetInstanceHoursMean, 2))
		m.row("per day: scale-ins / scale-outs / dropped", fixed(sc.ScaleInsPerDay, 2)+" / "+fixed(sc.ScaleOutsPerDay, 2)+" / "+fixed(sc.DroppedPerDay, 2))
		m.row("whole fleet cost per day / per 30-day month (USD)", fixed(sc.FleetCostPerDayUSD, 2)+" / "+fixed(sc.CostPerMonthUSD, 2))
	}
	analyticRows(m, s)
	m.write(&buf)

	if len(s.Traffic) > 0 {
		// Numbers right-aligned; the causes of each class's drops (those
		// with any) in the last column.
		t := newTable(true, true)
		t.row("traffic class", "kind", "arrivals", "completed", "dropped", "dropped/replication", "dropped by cause")
		for _, c := range s.Traffic {
			var by []string
			for _, k := range causeKeys(c.DroppedByCause) {
				if n := c.DroppedByCause[k]; n != 0 {
					by = append(by, k+" "+itoa(n))
				}
			}
			if len(by) == 0 {
				by = []string{"-"}
			}
			t.row(c.Name, c.Kind, itoa(c.Arrivals), itoa(c.Completed), itoa(c.Dropped),
				fixed(c.DroppedMean, countDecimals), strings.Join(by, ", "))
		}
		buf.WriteByte('\n')
		t.write(&buf)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// analyticRows adds the closed-form expectation beside the simulated
// figures: dropped per replication and drain time, or "n/a" and the
// reasons. A summary without either (built by hand) adds nothing.
func analyticRows(m *table, s sweep.Summary) {
	switch {
	case s.AnalyticDropped.OK && s.AnalyticDrainS.OK:
		m.row("analytic dropped per replication, closed form", fixed(s.AnalyticDropped.V, countDecimals))
		m.row("analytic drain time per removed target (s)", fixed(s.AnalyticDrainS.V, timeDecimals))
		if s.AnalyticNote != "" {
			kind, msg, _ := strings.Cut(s.AnalyticNote, ": ")
			m.row("  "+kind, msg)
		}
	case s.AnalyticNote != "":
		m.row("analytic, closed form", "n/a: "+s.AnalyticNote)
	}
}

// meanCI formats a mean and its 95 % interval as "1.40 [1.21, 1.59]".
func meanCI(mean float64, ci sweep.Interval, n int) string {
	m := fixed(mean, countDecimals)
	if !ci.Valid {
		return fmt.Sprintf("%s [no CI with %d replication%s: an interval needs at least 2]", m, n, plural(n))
	}
	return fmt.Sprintf("%s [%s, %s]", m, fixed(ci.Low, countDecimals), fixed(ci.High, countDecimals))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// fixed formats x with prec decimals. A value that rounds to zero prints
// without a minus sign.
func fixed(x float64, prec int) string {
	s := strconv.FormatFloat(x, 'f', prec, 64)
	if strings.HasPrefix(s, "-") && strings.Trim(s, "-0.") == "" {
		s = s[1:]
	}
	return s
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// table collects rows and writes them aligned with text/tabwriter. The
// first and last columns are left-aligned, and so is the second with
// leftTwo; with rightNums, the others are right-aligned by padding every
// cell of a column to its width first. The last cell of a row is not
// padded, so lines carry no trailing blanks.
type table struct {
	rows      [][]string
	rightNums bool
	leftTwo   bool // the second column is text (left-aligned) too
}

func newTable(rightNums, leftTwo bool) *table {
	return &table{rightNums: rightNums, leftTwo: leftTwo}
}

func (t *table) row(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) write(buf *bytes.Buffer) {
	if t.rightNums {
		var width []int
		for _, r := range t.rows {
			for j, c := range r {
				if j >= len(width) {
					width = append(width, 0)
				}
				width[j] = max(width[j], utf8.RuneCountInString(c))
			}
		}
		for _, r := range t.rows {
			for j := range r {
				if j == 0 || (j == 1 && t.leftTwo) || j == len(r)-1 {
					continue
				}
				r[j] = strings.Repeat(" ", width[j]-utf8.RuneCountInString(r[j])) + r[j]
			}
		}
	}
	tw := tabwriter.NewWriter(buf, 0, 0, 2, ' ', 0)
	for _, r := range t.rows {
		// Writes to a bytes.Buffer cannot fail.
		_, _ = io.WriteString(tw, strings.Join(r, "\t")+"\n")
	}
	_ = tw.Flush()
}

// assumptionsBlock writes the values that move the numbers, one a line,
// each marked "(default: …)" when the scenario did not set it, with any
// warning, then a blank line; nothing if as is empty.
func assumptionsBlock(buf *bytes.Buffer, as []model.Assumption) {
	if len(as) == 0 {
		return
	}
	buf.WriteString("assumptions (set a key in the scenario to change it):\n")
	for _, a := range as {
		for i, l := range wrap(a.String(), 100) {
			if i == 0 {
				buf.WriteString("  " + l + "\n")
			} else {
				buf.WriteString("      " + l + "\n")
			}
		}
	}
	buf.WriteByte('\n')
}

// WriteCSVComment writes as as one "# assumptions …" line for the head
// of a CSV file (model.AssumptionsLine); nothing if as is empty. Readers
// skip it with encoding/csv's Reader.Comment = '#'.
func WriteCSVComment(w io.Writer, as []model.Assumption) error {
	if len(as) == 0 {
		return nil
	}
	_, err := io.WriteString(w, "# "+strings.ReplaceAll(model.AssumptionsLine(as), "\n", " ")+"\n")
	return err
}
