package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// Lag is a duration that may be random: in TOML either a duration string
// (`propagation_delay = "10s"`, a constant) or a distribution table
// (`propagation_delay = { distribution = "lognormal", median = "10s",
// p99 = "45s" }`). The zero value is a constant 0.
type Lag struct {
	Distribution
}

// MaxLag bounds a lag (propagation_delay, unhealthy_lag): a constant must
// be 0–1h, a distribution's median at most 1h, and every draw is clamped
// at 1h. The longest lag reported is about two minutes (an NLB, aws-
// behaviour §2); an hour keeps a heavy tail from holding a replication
// open for simulated months while leaving every reported figure, and any
// tail that matters for a deregistration delay (at most 3600 s [TGA]),
// untouched.
const MaxLag = time.Hour

// lagDuration converts a drawn lag in seconds, clamped to [0, MaxLag].
func lagDuration(s float64) time.Duration {
	return nanos(s*float64(time.Second), MaxLag)
}

// validate checks the distribution and that its median is at most MaxLag.
func (l *Lag) validate(p string, es *errs) {
	n := len(*es)
	l.Distribution.validate(p, es)
	if len(*es) > n {
		return
	}
	if m := l.Law(rand.NewPCG(0, 0)).Quantile(0.5); !(m <= MaxLag.Seconds()) {
		if l.Distribution.Distribution == Constant {
			es.add(p, "must be 0s–1h (got %v)", l.Value)
			return
		}
		es.add(p, "median must be at most 1h, draws are clamped at 1h (got a median of %v)", nanos(m*float64(time.Second), clockLimit).Round(time.Millisecond))
	}
}

// ConstantLag returns a Lag that is always d.
func ConstantLag(d time.Duration) Lag {
	return Lag{Distribution{Distribution: Constant, Value: d}}
}

// UnmarshalTOML decodes either form, strictly: unknown keys, durations
// without units and values of the wrong type are errors. It implements
// toml.Unmarshaler.
func (l *Lag) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case string:
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%q is not a duration, e.g. \"10s\"", v)
		}
		*l = ConstantLag(d)
		return nil
	case map[string]any:
		return l.fromMap(v)
	case int64, float64:
		return fmt.Errorf("a duration needs a unit, e.g. \"10s\" (got %v)", v)
	}
	return fmt.Errorf(`want a duration such as "10s" or a distribution table (got %T)`, v)
}

func (l *Lag) fromMap(m map[string]any) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	d := &l.Distribution
	*d = Distribution{}
	durs := map[string]*time.Duration{
		"mean": &d.Mean, "median": &d.Median, "p99": &d.P99, "value": &d.Value,
		"min": &d.Min, "max": &d.Max, "scale": &d.Scale,
	}
	nums := map[string]*float64{"mu": &d.Mu, "sigma": &d.Sigma, "shape": &d.Shape}
	for _, k := range keys {
		v := m[k]
		switch {
		case k == "distribution":
			s, ok := v.(string)
			if !ok {
				return fmt.Errorf("distribution: must be a string such as \"lognormal\" (got %v)", v)
			}
			if s == Empirical {
				return fmt.Errorf("distribution: empirical is not supported for a lag; use a parametric law")
			}
			d.Distribution = s
		case durs[k] != nil:
			s, ok := v.(string)
			if !ok {
				return fmt.Errorf("%s: a duration needs a unit, e.g. \"10s\" (got %v)", k, v)
			}
			x, err := time.ParseDuration(s)
			if err != nil {
				return fmt.Errorf("%s: %q is not a duration, e.g. \"10s\"", k, s)
			}
			*durs[k] = x
		case nums[k] != nil:
			switch x := v.(type) {
			case int64:
				*nums[k] = float64(x)
			case float64:
				*nums[k] = x
			default:
				return fmt.Errorf("%s: must be a number (got %v)", k, v)
			}
			if math.IsNaN(*nums[k]) || math.IsInf(*nums[k], 0) {
				return fmt.Errorf("%s: must be a finite number (got %v)", k, v)
			}
		default:
			return fmt.Errorf("%s: unknown key; a distribution has distribution, mean, median, p99, mu, sigma, value, min, max, shape, scale", k)
		}
	}
	if d.Distribution == "" {
		return fmt.Errorf("distribution: is required, e.g. distribution = \"lognormal\"")
	}
	return nil
}

// DefaultPropagationDelay returns the propagation lag a load balancer of
// type typ gets when the scenario does not set one. The figures are field
// measurements, not AWS documentation (aws-behaviour §2; docs/model.md
// "Propagation lag" gives the reasoning):
//   - NLB: about two minutes after DeregisterTargets, whatever the delay
//     ("consistently took 2 minutes", aws-load-balancer-controller #2366;
//     "about two minutes", containers-roadmap #470; #3270): lognormal,
//     median 120 s, p99 180 s.
//   - ALB: about 10 s of API propagation (#1719), a 5 s preStop sleep not
//     enough and 25 s enough (#1064), 502s "very rarely" with 40 s and none
//     with 70 s (#2106): Weibull, shape 1.5, scale 12 s — median 9.4 s,
//     P(> 5 s) 77 %, P(> 25 s) 5 %, p99 33 s, P(> 40 s) 0.2 %, P(> 70 s)
//     10⁻⁶. A lognormal through the same median with a p99 of 60 s puts
//     3.6 % of lags above 40 s and 0.06 % above 120 s, which no report
//     shows; those rare long lags then dominate every recommendation.
//   - CLB: no field report; it is given the ALB's law rather than none, so
//     that an unset lag is never the optimistic 0.
func DefaultPropagationDelay(typ LBType) Lag {
	if typ == NLB {
		return Lag{Distribution{Distribution: LogNormal, Median: 120 * time.Second, P99: 180 * time.Second}}
	}
	return Lag{Distribution{Distribution: Weibull, Shape: 1.5, Scale: 12 * time.Second}}
}

// DefaultUnhealthyLag returns the lag after which a load balancer of type
// typ stops routing new flows to a target its health checks declared
// unhealthy, when the scenario does not set one. NLB: "about 30-40
// seconds" (containers-roadmap #470), uniform 30–40 s. ALB and CLB: 0, no
// report of one.
func DefaultUnhealthyLag(typ LBType) Lag {
	if typ == NLB {
		return Lag{Distribution{Distribution: Uniform, Min: 30 * time.Second, Max: 40 * time.Second}}
	}
	return ConstantLag(0)
}
