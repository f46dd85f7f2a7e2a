package model

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// Sweep is the scenario's `[sweep]` table: the defaults of `drainsim
// sweep` and `drainsim recommend`, which their flags override.
type Sweep struct {
	// Delays is the grid of deregistration delays. Zero value: 0s to
	// 300s in steps of 10s.
	Delays DelayGrid `toml:"delays"`
	// Replications per delay. Zero means 30; range 1–100000.
	Replications int `toml:"replications"`
	// DropCost is USD per dropped request or connection, for the cost
	// optimum. Default 0.
	DropCost float64 `toml:"drop_cost"`
	// MaxDropped is the acceptable dropped requests and connections per
	// scale-in run, for the recommendation. Default 0.
	MaxDropped float64 `toml:"max_dropped"`
}

// DefaultSweepReplications is the replications per delay when neither the
// scenario nor a flag says.
const DefaultSweepReplications = 30

// DelayGrid is a list of delays, written in TOML as a range
// `{ from = "0s", to = "300s", step = "10s" }` (both ends included) or a
// list `["0s", "60s"]`. The zero value means the default 0s:300s:10s.
type DelayGrid struct {
	From, To, Step time.Duration
	List           []time.Duration
}

// IsZero reports whether the grid was left unset.
func (g DelayGrid) IsZero() bool { return g.Step == 0 && len(g.List) == 0 }

// Values returns the delays of the grid in increasing order, without
// duplicates.
func (g DelayGrid) Values() []time.Duration {
	if g.IsZero() {
		g = DelayGrid{From: 0, To: DefaultDeregistrationDelay, Step: 10 * time.Second}
	}
	var out []time.Duration
	if len(g.List) > 0 {
		out = slices.Clone(g.List)
	} else {
		for d := g.From; d <= g.To && g.Step > 0; d += g.Step {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// DefaultDelays returns the scenario's sweep grid: Sweep.Delays, or when
// that is unset the default 0s–300s in steps of 10s — starting at 1s for
// a CLB with connection draining, whose timeout cannot be 0 [CLB-CD].
func (c *Config) DefaultDelays() []time.Duration {
	ds := c.Sweep.Delays.Values()
	if c.Sweep.Delays.IsZero() && c.LoadBalancer.Type == CLB && c.TargetGroup.ConnectionDraining && len(ds) > 0 && ds[0] == 0 {
		ds[0] = time.Second
	}
	return ds
}

// UnmarshalTOML decodes either form. It implements toml.Unmarshaler.
func (g *DelayGrid) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case []any:
		if len(v) == 0 {
			return fmt.Errorf("the list of delays is empty")
		}
		for i, x := range v {
			d, err := gridDuration(fmt.Sprintf("[%d]", i), x)
			if err != nil {
				return err
			}
			g.List = append(g.List, d)
		}
		return nil
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			d, err := gridDuration("."+k, v[k])
			if err != nil {
				return err
			}
			switch k {
			case "from":
				g.From = d
			case "to":
				g.To = d
			case "step":
				g.Step = d
			default:
				return fmt.Errorf("unknown key %q: a delay range has from, to and step", k)
			}
		}
		for _, k := range []string{"from", "to", "step"} {
			if _, ok := v[k]; !ok {
				return fmt.Errorf("a delay range needs from, to and step (missing %s)", k)
			}
		}
		return nil
	}
	return fmt.Errorf(`want a range { from = "0s", to = "300s", step = "10s" } or a list ["0s", "60s"] (got %T)`, v)
}

func gridDuration(where string, x any) (time.Duration, error) {
	s, ok := x.(string)
	if !ok {
		return 0, fmt.Errorf("%s: a duration needs a unit, e.g. \"30s\" (got %v)", strings.TrimPrefix(where, "."), x)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a duration, e.g. \"30s\" or \"5m\"", strings.TrimPrefix(where, "."), s)
	}
	return d, nil
}

func (s *Sweep) validate(es *errs) {
	g := s.Delays
	if !g.IsZero() {
		if len(g.List) == 0 {
			if g.Step <= 0 {
				es.add("sweep.delays.step", "must be positive (got %v)", g.Step)
			} else if g.To < g.From {
				es.add("sweep.delays.to", "must not be before from (got from %v, to %v)", g.From, g.To)
			} else if n := (g.To-g.From)/g.Step + 1; n > 3601 {
				es.add("sweep.delays", "has %d delays; at most 3601", n)
			}
		}
		for _, d := range append(slices.Clone(g.List), g.From, g.To) {
			if d < 0 || d > MaxDeregistrationDelay || d%time.Second != 0 {
				es.add("sweep.delays", "delays must be whole seconds within 0s–3600s (got %v)", d)
				break
			}
		}
	}
	if s.Replications < 0 || s.Replications > maxReplications {
		es.add("sweep.replications", "must be 1–%d (got %d)", maxReplications, s.Replications)
	}
	if s.DropCost < 0 || math.IsNaN(s.DropCost) || math.IsInf(s.DropCost, 0) {
		es.add("sweep.drop_cost", "must be a non-negative number of USD (got %v)", s.DropCost)
	}
	if s.MaxDropped < 0 || math.IsNaN(s.MaxDropped) || math.IsInf(s.MaxDropped, 0) {
		es.add("sweep.max_dropped", "must be non-negative (got %v)", s.MaxDropped)
	}
}
