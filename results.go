package drainsim

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/drainsim/drainsim/report"
)

// Report returns r as package report's Sweep, what the command line
// prints and writes: hand it to report.WriteSweepTable for the table
// `drainsim sweep` prints.
func (r *SweepResult) Report() report.Sweep {
	return report.Sweep{Scenario: r.Scenario, Seed: r.Seed, Replications: r.Replications, Assumptions: r.Assumptions,
		Rows: r.Rows, Recommendation: r.Recommendation, AnalyticNote: r.AnalyticNote}
}

// MarshalJSON encodes r as the command line's results.json does: an
// object with "scenario", "seed", "replications", "assumptions", "rows"
// and "recommendation" (without its rows, which would repeat the
// top-level ones), compact. It implements json.Marshaler.
func (r SweepResult) MarshalJSON() ([]byte, error) {
	return json.Marshal(r.Report())
}

// UnmarshalJSON decodes what MarshalJSON (or the command line's
// results.json) holds into r; the recommendation gets the rows and
// assumptions back. It implements json.Unmarshaler.
func (r *SweepResult) UnmarshalJSON(data []byte) error {
	var s report.Sweep
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("drainsim: decode sweep result: %w", err)
	}
	*r = SweepResult{Scenario: s.Scenario, Seed: s.Seed, Replications: s.Replications, Assumptions: s.Assumptions,
		AnalyticNote: s.AnalyticNote, Rows: s.Rows, Recommendation: s.Recommendation}
	if rec := r.Recommendation; rec != nil {
		rec.Rows, rec.Assumptions = s.Rows, s.Assumptions
	}
	return nil
}

// WriteJSON writes r as the command line's results.json, byte for byte
// (indented by two spaces, HTML characters not escaped, a final newline).
func (r *SweepResult) WriteJSON(w io.Writer) error {
	return report.WriteJSON(w, r.Report())
}

// WriteCSV writes r as the command line's results.csv, byte for byte: a
// "#" comment line listing the assumptions, then one row per delay with
// a header: scenario, seed and criterion, then the row's figures
// (report.WriteSweepCSV and report.WriteRowsCSV say what each column
// holds). pandas reads it with pd.read_csv(path, comment="#").
func (r *SweepResult) WriteCSV(w io.Writer) error {
	return report.WriteSweepCSV(w, r.Report())
}
