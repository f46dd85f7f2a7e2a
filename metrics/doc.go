// Package metrics turns one replication of a scenario into the per-period
// series CloudWatch would show for the load balancer, so that a simulated
// scale-in can be set beside a real one.
//
// A [Recorder] is a [model.Observer]: pass it to [model.RunWith] and it
// bins every attempt by the period it arrived in and keeps the fleet's
// state at each period's first sample. [Record] does both in one call.
// The resulting [Series] has one value per period in columns named as
// CloudWatch names the ALB metrics (aws-behaviour §6):
//
//	RequestCount            attempts that arrived in the period (see below)
//	HTTPCode_ELB_502_Count  502s the load balancer sent in the period
//	HTTPCode_ELB_503_Count  503s (no target) it sent in the period
//	HTTPCode_ELB_504_Count  504s (unreachable target; CLB: target closed)
//	HTTPCode_ELB_5XX_Count  502 + 503 + 504
//	ActiveConnectionCount   requests and connections in flight, summed over
//	                        the targets, at the period's first sample
//	HealthyHostCount        targets in service at that sample
//	TCP_ELB_Reset_Count     NLB: resets the load balancer sent
//	TCP_Target_Reset_Count  NLB: resets a target sent (refused, killed)
//	InFlight_target_<i>     what target i (launch order) had in flight then
//
// [Series.WriteCSV] writes them with a leading time_s column (the period
// start in seconds), formatted the same way on every machine.
// [Series.Timeline] draws in-flight per target as lines and 5xx per period
// as bars, with a dashed mark at each scale-in; render it with
// chart.Render.
//
// Periods are aligned to multiples of the period from time zero, as
// CloudWatch aligns them to the clock, so the first and last periods of a
// run may be partial. The default period is CloudWatch's 60 s; a shorter
// one (10 s) shows a draining target emptying.
//
// How the figures relate to CloudWatch's:
//
//   - An attempt is seen when it ends. It counts in RequestCount of the
//     period it arrived in and, if it failed, in the 5xx columns of the
//     period it ended in, when the load balancer sent the error: a request
//     cut when the deregistration delay expires shows up then, not when it
//     arrived. (A failure at routing ends when it arrives.) An attempt still
//     in flight when the run stops is not counted. RequestCount totals
//     therefore equal Result.Completed plus every failed attempt that
//     ended, and HTTPCode_ELB_5XX_Count totals equal Result.ELB5xx, which
//     leaves out an NLB's resets and WebSockets cut after their 101;
//     TCP_ELB_Reset_Count + TCP_Target_Reset_Count totals equal
//     Result.Resets.
//     Requests already in flight at a stationary start are counted in the
//     first period.
//   - RequestCount counts every attempt, retries and reconnects included,
//     whatever its outcome. AWS documents that its RequestCount leaves out
//     requests rejected before a target was chosen; subtract
//     HTTPCode_ELB_503_Count for that definition.
//   - ActiveConnectionCount is an approximation: CloudWatch sums the
//     client and target TCP connections open during the period, while this
//     is the number of requests and long-lived connections in flight at one
//     instant, the period's first sample.
//   - HealthyHostCount is the value at the period's first sample, not an
//     average over the period.
//
// The package never prints; WriteCSV writes only to the writer it is
// given.
package metrics
