package sweep

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/drainsim/drainsim/model"
)

// maxGrid bounds the number of delays in one sweep.
const maxGrid = 3601

// ParseDelays reads a delay grid: a range "from:to:step" (both ends
// included, e.g. "0s:300s:10s") or a comma-separated list ("0s,30s,60s").
// Every delay must be a whole number of seconds within 0–3600 s, as AWS
// takes it; the result is sorted and free of duplicates.
func ParseDelays(s string) ([]time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("empty delay list: give from:to:step (e.g. 0s:300s:10s) or a list (e.g. 0s,30s,60s)")
	}
	if strings.Contains(s, ":") {
		parts := strings.Split(s, ":")
		if len(parts) != 3 {
			return nil, fmt.Errorf("delay range %q: want from:to:step, e.g. 0s:300s:10s", s)
		}
		var v [3]time.Duration
		for i, p := range parts {
			d, err := parseDelay(p)
			if err != nil {
				return nil, fmt.Errorf("delay range %q: %w", s, err)
			}
			v[i] = d
		}
		return Range(v[0], v[1], v[2])
	}
	var out []time.Duration
	for _, p := range strings.Split(s, ",") {
		d, err := parseDelay(p)
		if err != nil {
			return nil, fmt.Errorf("delay list %q: %w", s, err)
		}
		out = append(out, d)
	}
	return Normalize(out)
}

// Range returns from, from+step, … up to and including to.
func Range(from, to, step time.Duration) ([]time.Duration, error) {
	if step <= 0 {
		return nil, fmt.Errorf("step must be positive (got %v)", step)
	}
	if to < from {
		return nil, fmt.Errorf("to (%v) is before from (%v)", to, from)
	}
	if n := (to-from)/step + 1; n > maxGrid {
		return nil, fmt.Errorf("%d delays is more than the %d a sweep takes; use a larger step", n, maxGrid)
	}
	var out []time.Duration
	for d := from; d <= to; d += step {
		out = append(out, d)
	}
	return Normalize(out)
}

// Normalize checks each delay against AWS's range and whole seconds, then
// sorts and removes duplicates.
func Normalize(ds []time.Duration) ([]time.Duration, error) {
	if len(ds) > maxGrid {
		return nil, fmt.Errorf("%d delays is more than the %d a sweep takes", len(ds), maxGrid)
	}
	out := make([]time.Duration, 0, len(ds))
	for _, d := range ds {
		if d < 0 || d > model.MaxDeregistrationDelay {
			return nil, fmt.Errorf("delay %v is outside 0s–3600s", d)
		}
		if d%time.Second != 0 {
			return nil, fmt.Errorf("delay %v is not a whole number of seconds (AWS takes whole seconds)", d)
		}
		out = append(out, d)
	}
	slices.Sort(out)
	j := 0
	for i, d := range out {
		if i == 0 || d != out[j-1] {
			out[j] = d
			j++
		}
	}
	return out[:j], nil
}

func parseDelay(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration with a unit, e.g. 30s or 5m", s)
	}
	return d, nil
}
