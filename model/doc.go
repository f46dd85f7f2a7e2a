// Package model simulates a fleet of targets behind an AWS load balancer
// (ALB, NLB or Classic) while it scales in, on top of the event engine in
// package sim.
//
// A [Config] describes the scenario: the load balancer and its target
// group, the fleet, the traffic classes and the scale-in events. [Run]
// simulates one replication of it and returns a [Result]: every arrival
// ends as completed, dropped with a [Cause], or still in flight at the
// horizon, and Run checks that identity before it returns.
//
// Each rule of the model cites its source (AWS documentation or measured
// behaviour) next to the code and in docs/model.md. Randomness comes from
// one math/rand/v2 PCG stream per component (arrivals and durations of each
// traffic class, routing, picking), derived from the seed and the
// replication number, so adding a component does not shift the others and
// the same seed always gives the same result.
package model
