// Package report formats the statistics of a sweep for people and for
// programs.
//
// [WriteTable] renders a [sweep.Summary] as aligned plain text (a header
// block naming the scenario, seed, replications and deregistration delay,
// a table of metrics with their units, and one row per traffic class).
// Floating-point values are printed with a fixed number of decimals, so
// the same Summary always gives the same bytes. [WriteJSON] renders any
// value as indented JSON with encoding/json's formatting; a Summary's
// fields appear in struct order and its maps with sorted keys.
//
// The package writes only to the writer it is given; it never prints to
// standard output or standard error itself.
package report
