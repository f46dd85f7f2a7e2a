package scenarios

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/drainsim/drainsim/model"
)

// The AWS CLI's JSON, as far as drainsim reads it.
type tgAttributes struct {
	Attributes []struct {
		Key   string
		Value string
	}
}

type lifecycleHooks struct {
	LifecycleHooks []struct {
		LifecycleHookName   string
		LifecycleTransition string
		HeartbeatTimeout    *int
		DefaultResult       string
	}
}

// awsFiles applies target_group.attributes_file and
// platform.lifecycle_hooks_file. A key set in the scenario itself wins
// over the file; attributes drainsim does not model (stickiness,
// slow start, …) are ignored.
func (p *parser) awsFiles(cfg *model.Config, md *toml.MetaData) {
	if name := cfg.TargetGroup.AttributesFile; name != "" {
		const key = "target_group.attributes_file"
		var a tgAttributes
		if p.readJSON(key, name, &a) {
			p.applyAttributes(cfg, md, key, name, &a)
		}
	}
	if name := cfg.Platform.LifecycleHooksFile; name != "" {
		const key = "platform.lifecycle_hooks_file"
		var h lifecycleHooks
		if p.readJSON(key, name, &h) {
			p.applyHooks(cfg, md, key, name, &h)
		}
	}
}

func (p *parser) readJSON(key, name string, v any) bool {
	data, _, ok := p.readFile(key, name, MaxJSONBytes)
	if !ok {
		return false
	}
	if err := json.Unmarshal(data, v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			p.add(key, fmt.Sprintf("%s:%d: not the JSON of the AWS CLI: %v", name, 1+strings.Count(string(data[:se.Offset]), "\n"), err))
		case errors.As(err, &te):
			p.add(key, fmt.Sprintf("%s:%d: %s must be a %s", name, 1+strings.Count(string(data[:te.Offset]), "\n"), te.Field, te.Type))
		default:
			p.add(key, fmt.Sprintf("%s: %v", name, err))
		}
		return false
	}
	return true
}

func (p *parser) applyAttributes(cfg *model.Config, md *toml.MetaData, key, name string, a *tgAttributes) {
	if len(a.Attributes) == 0 {
		p.add(key, fmt.Sprintf("%s has no \"Attributes\": expected the output of aws elbv2 describe-target-group-attributes", name))
		return
	}
	for _, at := range a.Attributes {
		bad := func(want string) {
			p.add(key, fmt.Sprintf("%s: %s = %q: want %s", name, at.Key, at.Value, want))
		}
		switch at.Key {
		case "deregistration_delay.timeout_seconds":
			n, err := strconv.Atoi(at.Value)
			if err != nil {
				bad("whole seconds, 0–3600")
				continue
			}
			if !md.IsDefined("target_group", "deregistration_delay") {
				cfg.TargetGroup.DeregistrationDelay = time.Duration(n) * time.Second // Validate checks the range
			}
		case "deregistration_delay.connection_termination.enabled":
			b, err := strconv.ParseBool(at.Value)
			if err != nil {
				bad("true or false")
				continue
			}
			if !md.IsDefined("target_group", "connection_termination") && (b || cfg.LoadBalancer.Type == model.NLB) {
				cfg.TargetGroup.ConnectionTermination = b
			}
		case "target_health_state.unhealthy.connection_termination.enabled":
			b, err := strconv.ParseBool(at.Value)
			if err != nil {
				bad("true or false")
				continue
			}
			// NLB only; the CLI lists it for every NLB target group.
			if !md.IsDefined("target_group", "unhealthy_connection_termination") && cfg.LoadBalancer.Type == model.NLB {
				cfg.TargetGroup.UnhealthyConnectionTermination = &b
			}
		case "target_health_state.unhealthy.draining_interval_seconds":
			n, err := strconv.Atoi(at.Value)
			if err != nil {
				bad("whole seconds, 0–360000")
				continue
			}
			if !md.IsDefined("target_group", "unhealthy_draining_interval") && cfg.LoadBalancer.Type == model.NLB {
				cfg.TargetGroup.UnhealthyDrainingInterval = time.Duration(n) * time.Second // Validate checks the range
			}
		case "load_balancing.algorithm.type":
			alg := map[string]model.Algorithm{
				"round_robin":                model.RoundRobin,
				"least_outstanding_requests": model.LeastOutstandingRequests,
				"weighted_random":            model.Random, // without anomaly mitigation weights it is uniform
			}[at.Value]
			if alg == "" {
				bad("round_robin, least_outstanding_requests or weighted_random")
				continue
			}
			if !md.IsDefined("load_balancer", "algorithm") {
				cfg.LoadBalancer.Algorithm = alg
			}
		}
	}
}

func (p *parser) applyHooks(cfg *model.Config, md *toml.MetaData, key, name string, h *lifecycleHooks) {
	var hb *int
	result := ""
	found := 0
	for _, x := range h.LifecycleHooks {
		if x.LifecycleTransition != "autoscaling:EC2_INSTANCE_TERMINATING" {
			continue
		}
		found++
		// With several terminating hooks the instance waits for all of
		// them: the longest heartbeat governs.
		if x.HeartbeatTimeout != nil && (hb == nil || *x.HeartbeatTimeout > *hb) {
			hb, result = x.HeartbeatTimeout, x.DefaultResult
		}
	}
	if found == 0 {
		p.add(key, fmt.Sprintf("%s has no hook with LifecycleTransition autoscaling:EC2_INSTANCE_TERMINATING", name))
		return
	}
	hook := model.LifecycleHook{}
	if cfg.Platform.LifecycleHook != nil {
		hook = *cfg.Platform.LifecycleHook
	}
	if hb != nil && !md.IsDefined("platform", "lifecycle_hook", "heartbeat_timeout") {
		hook.HeartbeatTimeout = time.Duration(*hb) * time.Second
	}
	if result != "" && !md.IsDefined("platform", "lifecycle_hook", "default_result") {
		hook.DefaultResult = strings.ToLower(result)
	}
	cfg.Platform.LifecycleHook = &hook
}
