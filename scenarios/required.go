package scenarios

import (
	"fmt"
	"strings"
	"time"
)

// keyRule is a fact of docs/scenarios.md the decoded configuration cannot
// show, because an absent key and an explicit zero decode alike (zero
// means "the default"): a key that is required, or a key whose explicit
// zero is outside its documented range. The loader checks them on the
// TOML as written (issue 11: `[[scale_in]]` without `at` ran at 0 s,
// `keepalive_timeout = "0s"` ran with 75 s). TestDocsKeyTable checks that
// every key docs/scenarios.md marks **required** is refused when absent.
type keyRule struct {
	// path is the key path; "[]" stands for every element of an array of
	// tables ("scale_in[].at"). The rule applies where the parent table
	// is present.
	path string
	// required: the key must be present.
	required bool
	// zero is the message for an explicit zero value, or for a required
	// key what to write.
	zero string
}

// keyRules are the required keys and the keys whose zero is out of range.
var keyRules = []keyRule{
	// The other required keys (fleet.targets, traffic[].rate,
	// traffic[].duration, scale_in[].targets) have no valid zero, so
	// Validate refuses them absent; TestDocsKeyTable checks each.
	{path: "scale_in[].at", required: true, zero: `when the scaling decision is made, e.g. at = "5m"`},
	{path: "traffic[].profile[].at", required: true, zero: `when the point's rate holds, e.g. at = "10m"`},
	{path: "traffic[].profile[].rate", required: true, zero: `arrivals per second at that time, e.g. rate = 120`},
	{path: "scale_out[].at", required: true, zero: `when the launch is decided, e.g. at = "5m"`},
	{path: "rolling_update[].at", required: true, zero: `when the update starts, e.g. at = "5m"`},

	{path: "horizon", zero: "must be after the last scale_in.at; leave it out to run until every scale-in has finished"},
	{path: "replications", zero: "must be 1–100000"},
	{path: "load_balancer.idle_timeout", zero: "must be at least 1s: alb 1–4000 s, clb 1–3600 s, nlb 60–6000 s"},
	{path: "load_balancer.fin_window", zero: "must be 1µs–1s; leave it out for the 1ms default"},
	{path: "load_balancer.nodes", zero: "must be 1–100; leave it out for the default (alb 2, clb 1)"},
	{path: "app.keepalive_timeout", zero: "must be more than 0s, at most 1 week"},
	{path: "health_check.interval", zero: "must be 5–300 s"},
	{path: "health_check.timeout", zero: "must be 2–120 s, clb 2–60 s"},
	{path: "health_check.healthy_threshold", zero: "must be 2–10"},
	{path: "health_check.unhealthy_threshold", zero: "must be 2–10"},
	{path: "traffic[].retry.attempts", zero: "must be 1–10, counting the first attempt"},
	{path: "platform.lifecycle_hook.heartbeat_timeout", zero: "must be 30–7200 s"},
	{path: "platform.stop_timeout", zero: "must be at least 1s (fargate up to 120 s, ec2 up to 600 s); leave it out for the 30 s default"},
	{path: "platform.termination_grace_period", zero: "must be at least 1s, at most 24h; leave it out for the 30 s default"},
	{path: "platform.tasks_per_host", zero: "must be 1–100; leave it out for one task per container instance"},
	{path: "traffic[].retry.backoff", zero: "must be 1ms–1h; leave it out for the 100ms default"},
	{path: "traffic[].retry.max_backoff", zero: "must be at least backoff, at most 1h; leave it out for the 2s default"},
	{path: "traffic[].reconnect.backoff", zero: "must be 1ms–1h; leave it out for the 1s default"},
	{path: "traffic[].reconnect.max_backoff", zero: "must be at least backoff, at most 1h; leave it out for the 30s default"},
	{path: "sweep.replications", zero: "must be 1–100000"},
	{path: "sweep.delays.step", zero: "must be at least 1s: a step of 0 is no grid"},
}

// checkKeys applies keyRules to the raw TOML.
func (p *parser) checkKeys(raw map[string]any) {
	for _, r := range keyRules {
		p.checkRule(r, "", raw, strings.Split(r.path, "."))
	}
}

// checkRule applies r below table m at path, for the remaining keys.
func (p *parser) checkRule(r keyRule, path string, m map[string]any, keys []string) {
	k, elems := strings.CutSuffix(keys[0], "[]")
	v, ok := m[k]
	at := join(path, k)
	if len(keys) == 1 {
		switch {
		case !ok && r.required:
			p.add(at, "is required: "+r.zero)
		case ok && !r.required && isZero(v):
			p.add(at, fmt.Sprintf("%s (got %s)", r.zero, gotText(v)))
		}
		return
	}
	if !ok {
		return // the parent table is absent: its own rules decide
	}
	if !elems {
		if t, ok := v.(map[string]any); ok {
			p.checkRule(r, at, t, keys[1:])
		}
		return
	}
	var tables []map[string]any
	switch s := v.(type) {
	case []map[string]any:
		tables = s
	case []any:
		for _, e := range s {
			t, _ := e.(map[string]any)
			tables = append(tables, t)
		}
	}
	for i, t := range tables {
		if t != nil {
			p.checkRule(r, index(at, i), t, keys[1:])
		}
	}
}

// gotText shows a zero value as written.
func gotText(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(v)
}

// isZero reports whether a TOML value is a zero number or duration.
func isZero(v any) bool {
	switch v := v.(type) {
	case int64:
		return v == 0
	case float64:
		return v == 0
	case string:
		d, err := time.ParseDuration(v)
		return err == nil && d == 0
	}
	return false
}
