// Package report formats the statistics of a sweep for people and for
// programs.
//
// [WriteTable] renders a [sweep.Summary] (one delay, what `drainsim run`
// prints) as aligned plain text (a header block naming the scenario, seed,
// replications and deregistration delay, a table of metrics with their
// units, and one row per traffic class). [WriteJSON] renders any value as
// indented JSON with encoding/json's formatting; a Summary's fields appear
// in struct order and its maps with sorted keys.
//
// For a sweep over many delays, [WriteRowsTable] renders []sweep.Row as
// one line per delay, marking the delays of a [sweep.Recommendation];
// [WriteRowsCSV] writes the same rows as CSV with every JSON value in a
// column of its own, exactly; [WriteRecommendationTable] renders a
// recommendation with its figures and explanation; and [Sweep] gathers
// what `drainsim sweep` prints ([WriteSweepTable], or [WriteJSON] for its
// JSON form, [WriteSweepCSV] for its results.csv: the rows with the
// scenario, seed and criterion on each).
//
// Floating-point values in tables are printed with a fixed number of
// decimals, so the same input always gives the same bytes. Every function
// renders in memory and writes with a single call to w.Write; the package
// never prints to standard output or standard error itself.
package report
