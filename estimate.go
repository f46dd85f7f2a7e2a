package drainsim

import (
	"fmt"

	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/sweep"
)

// Estimate is the closed-form expectation for one replication of a
// scenario at one deregistration delay: what [Scenario.Estimate] returns.
// See model.Estimate for its fields and docs/estimate.md for the formulas.
type Estimate = model.Estimate

// Estimate returns the closed-form expectation for one replication of
// the scenario at its deregistration delay, without simulating (about a
// millisecond): drops at delay expiry, the probability of none, drain,
// scale-in time and cost. Its Caveats say where the scenario departs
// from the plain case the formulas describe, and Applies whether the
// figures describe the scenario at all.
func (s *Scenario) Estimate() (Estimate, error) {
	if err := s.check(); err != nil {
		return Estimate{}, err
	}
	est, err := s.Config.Estimate()
	if err != nil {
		return Estimate{}, fmt.Errorf("estimate %s: %w", s.name(), err)
	}
	return est, nil
}

// EstimateDelays returns [Scenario.Estimate] at each delay of grid, in
// the syntax of SweepOptions.Delays ("0s:300s:10s" or "0s,30s,60s"); an
// empty grid means the scenario's [sweep] delays.
func (s *Scenario) EstimateDelays(grid string) ([]Estimate, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	var err error
	delays := s.Config.DefaultDelays()
	if grid != "" {
		if delays, err = sweep.ParseDelays(grid); err != nil {
			return nil, fmt.Errorf("estimate %s: %w", s.name(), err)
		}
	}
	ests, err := s.Config.EstimateDelays(delays)
	if err != nil {
		return nil, fmt.Errorf("estimate %s: %w", s.name(), err)
	}
	return ests, nil
}
