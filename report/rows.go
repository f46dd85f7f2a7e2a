package report

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/sweep"
)

// Decimals of the sweep tables, besides those WriteTable uses.
const (
	secondsDecimals = 1 // draining and scale-in times
	topCauses       = 2 // causes listed in the "top causes" column
)

// Sweep is what `drainsim sweep` computes: one row per delay of the grid
// and the recommendation drawn from them. JSON names are part of
// drainsim's interface: an object with "scenario", "seed",
// "replications" (per delay), "rows" and "recommendation", the last a
// [sweep.Recommendation] without its "rows" (they would repeat the
// top-level ones).
type Sweep struct {
	Scenario     string `json:"scenario"`
	Seed         uint64 `json:"seed"`
	Replications int    `json:"replications"`
	// Assumptions are the scenario's (model.Config.Assumptions); they are
	// written once, here, not again inside the recommendation.
	Assumptions    []model.Assumption    `json:"assumptions,omitempty"`
	Rows           []sweep.Row           `json:"rows"`
	Recommendation *sweep.Recommendation `json:"recommendation"`
	// AnalyticNote says why the rows' analytic figures are null ("does
	// not apply: …") or what in them is approximate, or is empty
	// ([sweep.AnalyticOf]).
	AnalyticNote string `json:"analytic_note,omitempty"`
}

// recommendationNoRows encodes a Recommendation without its rows: the
// outer, nil Rows field hides the embedded one and is omitted.
type recommendationNoRows struct {
	*sweep.Recommendation
	Rows        []sweep.Row        `json:"rows,omitempty"`
	Assumptions []model.Assumption `json:"assumptions,omitempty"`
}

// MarshalJSON encodes s with the recommendation's rows left out. A nil
// Recommendation is encoded as null.
func (s Sweep) MarshalJSON() ([]byte, error) {
	type plain struct {
		Scenario       string                `json:"scenario"`
		Seed           uint64                `json:"seed"`
		Replications   int                   `json:"replications"`
		Assumptions    []model.Assumption    `json:"assumptions,omitempty"`
		Rows           []sweep.Row           `json:"rows"`
		Recommendation *recommendationNoRows `json:"recommendation"`
		AnalyticNote   string                `json:"analytic_note,omitempty"`
	}
	p := plain{Scenario: s.Scenario, Seed: s.Seed, Replications: s.Replications, Assumptions: s.Assumptions, Rows: s.Rows, AnalyticNote: s.AnalyticNote}
	if s.Recommendation != nil {
		p.Recommendation = &recommendationNoRows{Recommendation: s.Recommendation}
	}
	return json.Marshal(p)
}

// WriteSweepTable writes s as plain text: a header block (scenario, seed,
// replications per delay and the criteria), the rows as [WriteRowsTable]
// writes them, marked with the recommendation, and the recommendation's
// explanation. It is written with a single call to w.Write.
func WriteSweepTable(w io.Writer, s Sweep) error {
	var buf bytes.Buffer
	name := s.Scenario
	if name == "" {
		name = "(unnamed)"
	}
	head := newTable(false, false)
	head.row("scenario", name)
	head.row("seed", strconv.FormatUint(s.Seed, 10))
	head.row("replications per delay", replicationsText(s.Replications, s.Recommendation))
	if r := s.Recommendation; r != nil {
		head.row("criterion", r.Criterion)
		head.row("drop cost (USD per drop)", gfmt(r.DropCost))
	}
	if s.AnalyticNote != "" {
		head.row("analytic (closed form)", s.AnalyticNote)
	}
	head.write(&buf)
	buf.WriteByte('\n')
	assumptionsBlock(&buf, s.Assumptions)
	rowsTable(&buf, s.Rows, s.Recommendation)
	if s.Recommendation != nil && len(s.Recommendation.Explanation) > 0 {
		buf.WriteByte('\n')
		explanation(&buf, s.Recommendation.Explanation)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteRowsTable writes the rows of a sweep as an aligned table, one line
// per delay: the delay (s); dropped per replication, mean [95 % CI]; the
// fraction of replications with a drop; the causes of most drops (at most
// two, with their means); draining time per removed target, mean/p95 (s);
// scale-in time, mean (s); and the instance, drop and total cost per
// replication (USD). A replication is one run of the scenario with all its
// scale-in events.
//
// Where the closed-form expectation applies ([sweep.Row.AnalyticDropped]
// set in any row), a column gives it as "dropped/drain", or "n/a" for a
// row where it does not. If rec is not nil, a last column marks the recommended, cost-optimal
// and rule-of-thumb delays ("← recommended, rule of thumb"); those of
// rec's delays that are not among rows (refined between grid points) get
// a row of their own, from rec, in delay order. The table is written with
// a single call to w.Write; lines carry no trailing blanks.
func WriteRowsTable(w io.Writer, rows []sweep.Row, rec *sweep.Recommendation) error {
	var buf bytes.Buffer
	rowsTable(&buf, rows, rec)
	_, err := w.Write(buf.Bytes())
	return err
}

// Labels of the marks.
const (
	markRecommended = "recommended"
	markCostOptimal = "cost-optimal"
	markRuleOfThumb = "rule of thumb"
)

func rowsTable(buf *bytes.Buffer, rows []sweep.Row, rec *sweep.Recommendation) {
	type marked struct {
		row   sweep.Row
		marks []string
	}
	list := make([]marked, len(rows))
	for i, r := range rows {
		list[i] = marked{row: r}
	}
	if rec != nil {
		mark := func(r sweep.Row, label string) {
			i := slices.IndexFunc(list, func(m marked) bool { return m.row.DelayS == r.DelayS })
			if i < 0 {
				list = append(list, marked{row: r})
				i = len(list) - 1
			}
			list[i].marks = append(list[i].marks, label)
		}
		if rec.Recommended != nil {
			mark(*rec.Recommended, markRecommended)
		}
		mark(rec.CostOptimal, markCostOptimal)
		mark(rec.RuleOfThumb, markRuleOfThumb)
		slices.SortStableFunc(list, func(a, b marked) int { return cmp.Compare(a.row.DelayS, b.row.DelayS) })
	}

	head := []string{"delay (s)", "reps", "dropped mean [95 % CI]", "P(any drop)", "top causes",
		"drain mean/p95 (s)", "scale-in mean (s)", "instance (USD)", "drops (USD)", "total (USD)"}
	left := []bool{false, false, false, false, true, false, false, false, false, false}
	if len(list) > 0 && list[0].row.Per != "" {
		// A replication is a day (or a horizon) of many scale-ins, its
		// cost the whole fleet's (sweep.Row.Per).
		per := list[0].row.Per
		head[2] = "dropped/" + per + " [95 % CI]"
		head[7], head[8], head[9] = "fleet (USD/"+per+")", "drops (USD/"+per+")", "total (USD/"+per+")"
	}
	// The closed-form column, where the formulas apply to any row (the
	// header block says why they do not).
	analytic := slices.ContainsFunc(list, func(m marked) bool { return m.row.AnalyticDropped.OK })
	retried := slices.ContainsFunc(list, func(m marked) bool { return retriesHide(m.row) })
	if retried {
		head = slices.Insert(head, 7, retriedHead)
		left = slices.Insert(left, 7, false)
	}
	if analytic {
		head = append(head, "analytic dropped/drain (s)")
		left = append(left, false)
	}
	if rec != nil {
		head = append(head, "")
		left = append(left, true)
	}
	cells := [][]string{head}
	for _, m := range list {
		r := m.row
		c := []string{
			gfmt(r.DelayS),
			strconv.Itoa(r.Replications),
			fmt.Sprintf("%s [%s, %s]", fixed(r.DroppedMean, countDecimals),
				fixed(r.DroppedCI95[0], countDecimals), fixed(r.DroppedCI95[1], countDecimals)),
			fixed(r.PAnyDrop, probDecimals),
			topCauseText(r),
			fixed(r.DrainSMean, secondsDecimals) + "/" + fixed(r.DrainSP95, secondsDecimals),
			fixed(r.ScaleInSMean, secondsDecimals),
			fixed(r.InstanceCostUSDMean, costDecimals),
			fixed(r.DropCostUSDMean, costDecimals),
			fixed(r.TotalCostUSDMean, costDecimals),
		}
		if retried {
			c = slices.Insert(c, 7, retriedText(r))
		}
		if analytic {
			c = append(c, analyticText(r))
		}
		if rec != nil {
			c = append(c, markText(m.marks))
		}
		cells = append(cells, c)
	}
	aligned(buf, cells, left)
}

// retriedHead heads the column, shown when retries hide failures in some
// row, of the mean ELB 5xx and retries per replication: a row can drop
// nothing while the load balancer logs failed attempts
// (HTTPCode_ELB_5XX_Count) that its clients retried.
const retriedHead = "ELB 5xx/retries"

// retriesHide reports whether clients retried failures of r that its drops
// do not count.
func retriesHide(r sweep.Row) bool { return r.RetriesMean > 0 && r.ELB5xxMean > r.DroppedMean }

// retriedText is a row's mean ELB 5xx and retries per replication.
func retriedText(r sweep.Row) string {
	return fixed(r.ELB5xxMean, countDecimals) + "/" + fixed(r.RetriesMean, countDecimals)
}

// analyticText is a row's closed-form dropped and drain time, or "n/a".
func analyticText(r sweep.Row) string {
	if !r.AnalyticDropped.OK || !r.AnalyticDrainS.OK {
		return "n/a"
	}
	return fixed(r.AnalyticDropped.V, countDecimals) + "/" + fixed(r.AnalyticDrainS.V, secondsDecimals)
}

func markText(marks []string) string {
	if len(marks) == 0 {
		return ""
	}
	return "← " + strings.Join(marks, ", ")
}

// topCauseText lists the causes with the most drops per replication, at
// most topCauses of them, largest first (model order on ties), or "-".
func topCauseText(r sweep.Row) string {
	type cm struct {
		name string
		mean float64
	}
	var cs []cm
	for _, k := range causeKeys(r.DroppedByCause) {
		if v := r.DroppedByCause[k]; v > 0 {
			cs = append(cs, cm{k, v})
		}
	}
	if len(cs) == 0 {
		return "-"
	}
	slices.SortStableFunc(cs, func(a, b cm) int { return cmp.Compare(b.mean, a.mean) })
	var parts []string
	for _, c := range cs[:min(len(cs), topCauses)] {
		parts = append(parts, c.name+" "+fixed(c.mean, countDecimals))
	}
	return strings.Join(parts, ", ")
}

// causeKeys returns the keys of a by-cause map: the model's causes in
// their order, then any others sorted.
func causeKeys[V any](m map[string]V) []string {
	var out []string
	for c := range model.NumCauses {
		if _, ok := m[c.String()]; ok {
			out = append(out, c.String())
		}
	}
	var extra []string
	for k := range m {
		if !slices.Contains(out, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	return append(out, extra...)
}

// aligned writes rows of cells separated by two spaces, each column as
// wide as its widest cell: left-aligned where left says so, else
// right-aligned. Trailing blanks are trimmed.
func aligned(buf *bytes.Buffer, rows [][]string, left []bool) {
	var width []int
	for _, r := range rows {
		for j, c := range r {
			if j >= len(width) {
				width = append(width, 0)
			}
			width[j] = max(width[j], utf8.RuneCountInString(c))
		}
	}
	var line strings.Builder
	for _, r := range rows {
		line.Reset()
		for j, c := range r {
			if j > 0 {
				line.WriteString("  ")
			}
			pad := strings.Repeat(" ", width[j]-utf8.RuneCountInString(c))
			if j < len(left) && left[j] {
				line.WriteString(c + pad)
			} else {
				line.WriteString(pad + c)
			}
		}
		buf.WriteString(strings.TrimRight(line.String(), " "))
		buf.WriteByte('\n')
	}
}

// explanation writes each line as a bullet wrapped at wrapWidth columns.
func explanation(buf *bytes.Buffer, lines []string) {
	for _, l := range lines {
		for i, part := range wrap(l, wrapWidth-2) {
			if i == 0 {
				buf.WriteString("- ")
			} else {
				buf.WriteString("  ")
			}
			buf.WriteString(part)
			buf.WriteByte('\n')
		}
	}
}

// wrapWidth is the width explanations are wrapped to.
const wrapWidth = 80

// wrap splits s into lines of at most width runes at spaces; a word
// longer than width gets a line of its own.
func wrap(s string, width int) []string {
	var out []string
	var cur strings.Builder
	n := 0
	for _, w := range strings.Fields(s) {
		wn := utf8.RuneCountInString(w)
		if n > 0 && n+1+wn > width {
			out = append(out, cur.String())
			cur.Reset()
			n = 0
		}
		if n > 0 {
			cur.WriteByte(' ')
			n++
		}
		cur.WriteString(w)
		n += wn
	}
	if n > 0 {
		out = append(out, cur.String())
	}
	return out
}

// gfmt formats x in the fewest digits that read back as x.
func gfmt(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// WriteRecommendationTable writes rec as plain text: the criteria, a
// table of the recommended, cost-optimal and rule-of-thumb delays with
// their figures (dropped per replication, mean [95 % CI]; fraction of
// replications with a drop; draining time mean/p95; instance, drop and
// total cost per replication), then the explanation. A recommended delay
// that no delay of the grid meets is shown as "none". The text is
// written with a single call to w.Write.
func WriteRecommendationTable(w io.Writer, rec *sweep.Recommendation) error {
	var buf bytes.Buffer
	name := rec.Scenario
	if name == "" {
		name = "(unnamed)"
	}
	head := newTable(false, false)
	head.row("scenario", name)
	head.row("replications per delay", replicationsText(rec.Replications, rec))
	head.row("criterion", rec.Criterion)
	head.row("status", rec.Status)
	head.row("drop cost (USD per drop)", gfmt(rec.DropCost))
	head.row("delays searched (s)", gridText(rec.Rows))
	head.write(&buf)
	buf.WriteByte('\n')
	assumptionsBlock(&buf, rec.Assumptions)

	cells := [][]string{{"", "delay (s)", "reps", "dropped mean [95 % CI]", "P(any drop)", "drain mean/p95 (s)",
		"instance (USD)", "drops (USD)", "total (USD)"}}
	// Shown rows whose retries hide failures get the ELB 5xx/retries
	// column, before the costs.
	retried := retriesHide(rec.RuleOfThumb) || retriesHide(rec.CostOptimal) || (rec.Recommended != nil && retriesHide(*rec.Recommended))
	if retried {
		cells[0] = slices.Insert(cells[0], 6, retriedHead)
	}
	add := func(label string, r *sweep.Row) {
		if r == nil {
			cells = append(cells, []string{label, "none"})
			return
		}
		cells = append(cells, []string{label, gfmt(r.DelayS), strconv.Itoa(r.Replications),
			fmt.Sprintf("%s [%s, %s]", fixed(r.DroppedMean, countDecimals),
				fixed(r.DroppedCI95[0], countDecimals), fixed(r.DroppedCI95[1], countDecimals)),
			fixed(r.PAnyDrop, probDecimals),
			fixed(r.DrainSMean, secondsDecimals) + "/" + fixed(r.DrainSP95, secondsDecimals),
			fixed(r.InstanceCostUSDMean, costDecimals),
			fixed(r.DropCostUSDMean, costDecimals),
			fixed(r.TotalCostUSDMean, costDecimals),
		})
		if retried {
			cells[len(cells)-1] = slices.Insert(cells[len(cells)-1], 6, retriedText(*r))
		}
	}
	add(markRecommended, rec.Recommended)
	add(markCostOptimal, &rec.CostOptimal)
	add(fmt.Sprintf("%s (p99 %s s × %g)", markRuleOfThumb, fixed(rec.RequestP99S, secondsDecimals), sweep.RuleOfThumbFactor), &rec.RuleOfThumb)
	aligned(&buf, cells, []bool{true})
	if len(rec.Explanation) > 0 {
		buf.WriteByte('\n')
		explanation(&buf, rec.Explanation)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// replicationsText says how many replications each delay got first and,
// when the recommendation could add more, up to how many.
func replicationsText(reps int, rec *sweep.Recommendation) string {
	s := strconv.Itoa(reps)
	if rec != nil && rec.MaxReplications > reps {
		s += fmt.Sprintf(", up to %d where undecided (column reps)", rec.MaxReplications)
	}
	return s
}

// gridText describes the delays of rows: "0–300, step 10 (31 delays)" for
// an even grid, else the list.
func gridText(rows []sweep.Row) string {
	switch len(rows) {
	case 0:
		return "none"
	case 1:
		return gfmt(rows[0].DelayS) + " (1 delay)"
	}
	step := rows[1].DelayS - rows[0].DelayS
	even := true
	for i := 2; i < len(rows); i++ {
		even = even && rows[i].DelayS-rows[i-1].DelayS == step
	}
	if even && len(rows) > 2 {
		return fmt.Sprintf("%s–%s, step %s (%d delays)", gfmt(rows[0].DelayS), gfmt(rows[len(rows)-1].DelayS), gfmt(step), len(rows))
	}
	var ds []string
	for _, r := range rows {
		ds = append(ds, gfmt(r.DelayS))
	}
	return fmt.Sprintf("%s (%d delays)", strings.Join(ds, ", "), len(rows))
}

// WriteRowsCSV writes rows as CSV with a header line. The columns are the
// JSON names of [sweep.Row] flattened: a pair [low, high] named K becomes
// K_low and K_high, and a map or per-class value becomes K.name:
//
//	delay_s, replications, dropped_mean, dropped_ci95_low, dropped_ci95_high,
//	dropped_by_cause.CAUSE…, dropped_by_cause_ci95.CAUSE_low/_high…,
//	dropped_by_class.CLASS…, dropped_by_class_ci95.CLASS_low/_high…,
//	p_any_drop, p_any_drop_ci95_low, p_any_drop_ci95_high,
//	drain_s_mean, drain_s_p95, scale_in_s_mean, scale_in_s_p95,
//	instance_cost_usd_mean, drop_cost_usd_mean, total_cost_usd_mean,
//	total_cost_usd_ci95_low, total_cost_usd_ci95_high, elb_5xx_mean,
//	retries_mean, reconnects_mean, reconnect_peak_per_s_mean, events,
//	elb_502_mean, elb_503_mean, elb_504_mean, resets_mean,
//	connection_cuts_mean, analytic_dropped, analytic_drain_s
//
// The analytic cells are empty where the formulas do not apply.
// Causes come in model order (then any others, sorted); classes in the
// order of the first row (a class missing from a row leaves its cells
// empty). Numbers are written with strconv.FormatFloat(x, 'g', -1, 64),
// so they read back exactly. The output is written with a single call to
// w.Write; on error nothing is written.
func WriteRowsCSV(w io.Writer, rows []sweep.Row) error {
	return writeRowsCSV(w, nil, nil, rows)
}

// WriteSweepCSV writes s as the command line's results.csv: the
// assumptions as one "#" comment line ([WriteCSVComment]), then the rows
// of [WriteRowsCSV] with three columns first that say which sweep each row
// belongs to, so that the files of several sweeps concatenate into one
// table:
//
//	scenario, seed, criterion
//
// scenario is the scenario's name, seed its seed, and criterion the
// recommendation's criterion in words (its JSON "criterion"; empty
// without a recommendation). The output is written with a single call to
// w.Write; on error nothing is written.
func WriteSweepCSV(w io.Writer, s Sweep) error {
	var buf bytes.Buffer
	_ = WriteCSVComment(&buf, s.Assumptions) // writes to a bytes.Buffer cannot fail
	criterion := ""
	if s.Recommendation != nil {
		criterion = s.Recommendation.Criterion
	}
	lead := []string{s.Scenario, strconv.FormatUint(s.Seed, 10), criterion}
	if err := writeRowsCSV(&buf, []string{"scenario", "seed", "criterion"}, lead, s.Rows); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// writeRowsCSV is WriteRowsCSV with the columns named head first, each
// row holding lead in them.
func writeRowsCSV(w io.Writer, head, lead []string, rows []sweep.Row) error {
	var causes []string
	for c := range model.NumCauses {
		causes = append(causes, c.String())
	}
	for _, r := range rows {
		for _, k := range causeKeys(r.DroppedByCause) {
			if !slices.Contains(causes, k) {
				causes = append(causes, k)
			}
		}
	}
	slices.Sort(causes[int(model.NumCauses):])
	var classes []string
	if len(rows) > 0 {
		for _, c := range rows[0].DroppedByClass {
			classes = append(classes, c.Name)
		}
	}

	head = append(slices.Clip(head), "delay_s", "replications", "dropped_mean", "dropped_ci95_low", "dropped_ci95_high")
	for _, c := range causes {
		head = append(head, "dropped_by_cause."+c)
	}
	for _, c := range causes {
		head = append(head, "dropped_by_cause_ci95."+c+"_low", "dropped_by_cause_ci95."+c+"_high")
	}
	for _, c := range classes {
		head = append(head, "dropped_by_class."+c)
	}
	for _, c := range classes {
		head = append(head, "dropped_by_class_ci95."+c+"_low", "dropped_by_class_ci95."+c+"_high")
	}
	head = append(head, "p_any_drop", "p_any_drop_ci95_low", "p_any_drop_ci95_high", "drops_per_burst",
		"drain_s_mean", "drain_s_p95", "drain_s_p50", "drain_s_max", "idle_hold_s_mean", "scale_in_s_mean", "scale_in_s_p95",
		"instance_cost_usd_mean", "drop_cost_usd_mean", "total_cost_usd_mean",
		"total_cost_usd_ci95_low", "total_cost_usd_ci95_high",
		"elb_5xx_mean", "retries_mean", "reconnects_mean", "reconnect_peak_per_s_mean", "events",
		"elb_502_mean", "elb_503_mean", "elb_504_mean", "resets_mean", "connection_cuts_mean",
		"analytic_dropped", "analytic_drain_s")

	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	_ = cw.Write(head) // writes to a bytes.Buffer cannot fail
	for _, r := range rows {
		rec := append(slices.Clip(lead), num(r.DelayS), strconv.Itoa(r.Replications), num(r.DroppedMean), num(r.DroppedCI95[0]), num(r.DroppedCI95[1]))
		for _, c := range causes {
			v, ok := r.DroppedByCause[c]
			rec = append(rec, optNum(v, ok))
		}
		for _, c := range causes {
			ci, ok := r.DroppedByCauseCI95[c]
			rec = append(rec, optNum(ci[0], ok), optNum(ci[1], ok))
		}
		byClass := func(name string) (sweep.ClassDrops, bool) {
			i := slices.IndexFunc(r.DroppedByClass, func(c sweep.ClassDrops) bool { return c.Name == name })
			if i < 0 {
				return sweep.ClassDrops{}, false
			}
			return r.DroppedByClass[i], true
		}
		for _, c := range classes {
			cd, ok := byClass(c)
			rec = append(rec, optNum(cd.DroppedMean, ok))
		}
		for _, c := range classes {
			cd, ok := byClass(c)
			rec = append(rec, optNum(cd.DroppedCI95[0], ok), optNum(cd.DroppedCI95[1], ok))
		}
		rec = append(rec, num(r.PAnyDrop), num(r.PAnyDropCI95[0]), num(r.PAnyDropCI95[1]), num(r.DropsPerBurst),
			num(r.DrainSMean), num(r.DrainSP95), num(r.DrainSP50), num(r.DrainSMax), num(r.IdleHoldSMean), num(r.ScaleInSMean), num(r.ScaleInSP95),
			num(r.InstanceCostUSDMean), num(r.DropCostUSDMean), num(r.TotalCostUSDMean),
			num(r.TotalCostUSDCI95[0]), num(r.TotalCostUSDCI95[1]),
			num(r.ELB5xxMean), num(r.RetriesMean), num(r.ReconnectsMean), num(r.ReconnectPeakPerSMean),
			strconv.FormatUint(r.Events, 10),
			num(r.ELB502Mean), num(r.ELB503Mean), num(r.ELB504Mean), num(r.ResetsMean), num(r.ConnectionCutsMean),
			optNum(r.AnalyticDropped.V, r.AnalyticDropped.OK), optNum(r.AnalyticDrainS.V, r.AnalyticDrainS.OK))
		_ = cw.Write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// num formats x so that strconv.ParseFloat reads back the same float64.
func num(x float64) string {
	if x == 0 {
		x = 0 // no "-0"
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// optNum is num(x), or an empty cell if !ok.
func optNum(x float64, ok bool) string {
	if !ok {
		return ""
	}
	return num(x)
}
