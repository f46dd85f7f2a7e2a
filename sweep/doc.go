// Package sweep runs replications of a scenario, in parallel and
// deterministically, and turns their results into statistics: means with
// Student-t confidence intervals, drop probabilities, draining and
// scale-in times, and cost.
//
// Replication r of a scenario always uses the same random streams
// (model.Source(seed, r, …)), whatever the number of workers and whatever
// the deregistration delay, so the output does not depend on scheduling
// and comparisons between delays use common random numbers.
//
// A sweep is made of cells, one replication at one delay ([Cell], [Grid]),
// each a pure function of the scenario, the delay and the replication.
// They can be run in pieces and put together later: [Shard] deals a grid
// to N machines, [RunCells] runs some cells and reports each as it
// finishes ([Options].Finished), [Options].Lookup hands [Delays] and
// [Recommend] cells run elsewhere or before, and [Part] is the file of
// finished cells ([WritePart], [ReadPart]) that a shard or a checkpoint
// writes. An [Outcome] keeps what a [Row] needs of a result, so rows built
// from saved cells ([RowOf]) are the rows of one run, bit for bit.
package sweep
