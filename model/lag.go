package model

import (
	"fmt"
	"math"
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
