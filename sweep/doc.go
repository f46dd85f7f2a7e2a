// Package sweep runs replications of a scenario, in parallel and
// deterministically, and turns their results into statistics: means with
// Student-t confidence intervals, drop probabilities, draining and
// scale-in times, and cost.
//
// Replication r of a scenario always uses the same random streams
// (model.Source(seed, r, …)), whatever the number of workers and whatever
// the deregistration delay, so the output does not depend on scheduling
// and comparisons between delays use common random numbers.
package sweep
