package awsimport

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	asgtypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"

	"github.com/drainsim/drainsim/internal/editdist"
)

// MaxAttempts is how many times the SDK's standard retryer tries a call
// that is throttled or fails transiently before giving up.
const MaxAttempts = 8

// DefaultSince is the CloudWatch window read when Options.Since is zero.
const DefaultSince = 14 * 24 * time.Hour

// minRate is the lowest traffic rate a scenario takes (model.Traffic.Rate).
const minRate = 1e-6

// LoadConfig loads the SDK configuration the standard way (environment,
// shared config and credentials files, SSO, IMDS; AWS_ENDPOINT_URL and
// its per-service forms are honoured by the SDK itself), with the
// standard retryer allowed MaxAttempts tries. Empty region or profile
// leave the SDK's own choice.
func LoadConfig(ctx context.Context, region, profile string) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = MaxAttempts })
		}),
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return cfg, &Error{Kind: KindConfig, Msg: fmt.Sprintf("loading the AWS configuration: %v", err), Err: err}
	}
	if cfg.Region == "" {
		return cfg, &Error{Kind: KindConfig, Msg: "no AWS region: pass --region or set AWS_REGION (or region in the profile)"}
	}
	return cfg, nil
}

// Clients are the service clients Import reads through.
type Clients struct {
	ELB    *elbv2.Client
	ASG    *autoscaling.Client
	ECS    *ecs.Client
	CW     *cloudwatch.Client
	Region string
}

// NewClients makes the clients from cfg. CloudWatch is spoken in its
// Query protocol (which the service accepts alongside its default
// RPCv2-CBOR) so that the same requests go to AWS and to the API servers
// that implement only Query, such as moto (docs/data.md).
func NewClients(cfg aws.Config) Clients {
	return Clients{
		ELB: elbv2.NewFromConfig(cfg),
		ASG: autoscaling.NewFromConfig(cfg),
		ECS: ecs.NewFromConfig(cfg),
		CW: cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) {
			o.Protocol = awsquery.New(cwschemas.GraniteServiceVersion20100801)
		}),
		Region: cfg.Region,
	}
}

// Options choose what to import.
type Options struct {
	// TargetGroup is the target group's ARN or name.
	TargetGroup string
	// Since is how far back CloudWatch is read; zero means DefaultSince.
	Since time.Duration
	// End is the end of the CloudWatch window; the caller passes the
	// current time (the package reads no clock).
	End time.Time
}

// Value is one scenario key with the TOML text of its value and where it
// came from.
type Value struct {
	Section string // "" (top level), "load_balancer", ..., "platform.lifecycle_hook", "traffic", "scale_in"
	Key     string
	TOML    string
	Source  string
}

// Missing is a setting that could not be read, and the default written
// (or left to drainsim) instead.
type Missing struct {
	Key     string
	Default string
	Why     string
}

// Point is one CloudWatch datapoint.
type Point struct {
	Time  time.Time
	Value float64
}

// Result is an imported scenario.
type Result struct {
	Region          string
	TargetGroupARN  string
	TargetGroupName string
	LoadBalancerARN string
	Start, End      time.Time
	Values          []Value
	Missing         []Missing
	// Notes are facts read that drainsim has no key for, or observations
	// to compare with the simulation (scale-ins per day, 5XX counts).
	Notes []string
	// Requests is the per-minute RequestCount (NewFlowCount for an NLB)
	// series, the rate profile.
	Requests []Point
	// Fit is the lognormal fitted to TargetResponseTime's percentiles;
	// nil when they could not be read.
	Fit *Fit
}

func (r *Result) set(section, key, toml, source string) {
	r.Values = append(r.Values, Value{section, key, toml, source})
}

func (r *Result) miss(key, def, why string) {
	r.Missing = append(r.Missing, Missing{key, def, why})
}

func (r *Result) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

// Get returns the TOML text of section.key and whether it was set.
func (r *Result) Get(section, key string) (string, bool) {
	for _, v := range r.Values {
		if v.Section == section && v.Key == key {
			return v.TOML, true
		}
	}
	return "", false
}

func dur(seconds int64) string { return strconv.Quote(fmt.Sprintf("%ds", seconds)) }

// Import reads the target group named in opt and everything behind it.
func Import(ctx context.Context, c Clients, opt Options) (*Result, error) {
	if opt.TargetGroup == "" {
		return nil, &Error{Kind: KindUsage, Msg: "import needs --target-group ARN|NAME"}
	}
	since := opt.Since
	if since == 0 {
		since = DefaultSince
	}
	if since < time.Hour || since > 63*24*time.Hour {
		return nil, &Error{Kind: KindUsage, Msg: fmt.Sprintf("--since %v: must be 1h–63d (CloudWatch keeps 1-minute data for 15 days, 5-minute data for 63)", since)}
	}
	if opt.End.IsZero() {
		return nil, &Error{Kind: KindUsage, Msg: "awsimport: Options.End is zero"}
	}
	end := opt.End.UTC().Truncate(time.Minute)
	r := &Result{Region: c.Region, Start: end.Add(-since), End: end}

	tg, err := findTargetGroup(ctx, c, opt.TargetGroup)
	if err != nil {
		return nil, err
	}
	r.TargetGroupARN, r.TargetGroupName = aws.ToString(tg.TargetGroupArn), aws.ToString(tg.TargetGroupName)
	r.set("", "name", strconv.Quote(r.TargetGroupName), "elbv2:DescribeTargetGroups TargetGroupName")
	r.set("", "description", strconv.Quote(fmt.Sprintf("imported from %s in %s, CloudWatch %s to %s",
		r.TargetGroupName, r.Region, r.Start.Format(time.RFC3339), r.End.Format(time.RFC3339))), "drainsim import")
	r.set("", "seed", "1", "drainsim import (any seed; runs are deterministic per seed)")

	lbType, err := readLoadBalancer(ctx, c, r, tg)
	if err != nil {
		return nil, err
	}
	if err := readTargetGroup(ctx, c, r, tg, lbType); err != nil {
		return nil, err
	}
	instanceType, err := readPlatform(ctx, c, r)
	if err != nil {
		return nil, err
	}
	if err := readMetrics(ctx, c, r, lbType); err != nil {
		return nil, err
	}
	price(r, instanceType)
	r.set("scale_in", "at", strconv.Quote("5m"), "not read: when the simulated scale-in starts (the question the scenario asks)")
	r.set("scale_in", "targets", "1", "not read: how many targets the simulated scale-in removes")
	return r, nil
}

// findTargetGroup looks the target group up by ARN or name; when it is not
// there it lists the region's target groups to suggest close names.
func findTargetGroup(ctx context.Context, c Clients, id string) (*elbtypes.TargetGroup, error) {
	in := &elbv2.DescribeTargetGroupsInput{}
	if strings.HasPrefix(id, "arn:") {
		in.TargetGroupArns = []string{id}
	} else {
		in.Names = []string{id}
	}
	out, err := c.ELB.DescribeTargetGroups(ctx, in)
	if err == nil && len(out.TargetGroups) > 0 {
		return &out.TargetGroups[0], nil
	}
	if err != nil && !isCode(err, "TargetGroupNotFound", "ValidationError") {
		return nil, classify(err)
	}
	var names []string
	p := elbv2.NewDescribeTargetGroupsPaginator(c.ELB, &elbv2.DescribeTargetGroupsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, classify(err)
		}
		for _, t := range page.TargetGroups {
			names = append(names, aws.ToString(t.TargetGroupName))
		}
	}
	if len(names) == 0 {
		return nil, &Error{Kind: KindNotFound, Msg: fmt.Sprintf("target group %q not found: region %s has no target groups at all; is the region right (--region, AWS_REGION)?", id, c.Region)}
	}
	msg := fmt.Sprintf("target group %q not found in region %s", id, c.Region)
	if s := suggest(nameOf(id), names); len(s) > 0 {
		msg += "; did you mean " + strings.Join(quoteAll(s), " or ") + "?"
	} else {
		msg += fmt.Sprintf(" (it has %d target groups; `aws elbv2 describe-target-groups` lists them)", len(names))
	}
	return nil, &Error{Kind: KindNotFound, Msg: msg}
}

// nameOf is a target group's name from its ARN (or the name itself).
func nameOf(id string) string {
	if i := strings.Index(id, ":targetgroup/"); i >= 0 {
		n, _, _ := strings.Cut(id[i+len(":targetgroup/"):], "/")
		return n
	}
	return id
}

func quoteAll(s []string) []string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = strconv.Quote(v)
	}
	return q
}

// suggest returns up to three names close to want: containing it, or
// within an edit distance of a third of its length (at least 2).
func suggest(want string, names []string) []string {
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	lw := strings.ToLower(want)
	limit := max(2, len(want)/3)
	for _, n := range names {
		ln := strings.ToLower(n)
		d := distance(lw, ln)
		if strings.Contains(ln, lw) || strings.Contains(lw, ln) {
			d = min(d, 1)
		}
		if d <= limit {
			cs = append(cs, cand{n, d})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	var out []string
	for i := 0; i < len(cs) && i < 3; i++ {
		out = append(out, cs[i].name)
	}
	return out
}

// distance is editdist.Distance.
func distance(a, b string) int { return editdist.Distance(a, b) }

// readLoadBalancer reads the first load balancer in front of tg and
// returns drainsim's type for it ("alb" or "nlb").
func readLoadBalancer(ctx context.Context, c Clients, r *Result, tg *elbtypes.TargetGroup) (string, error) {
	if len(tg.LoadBalancerArns) == 0 {
		return "", &Error{Kind: KindNotFound, Msg: fmt.Sprintf("target group %s is not attached to a load balancer (elbv2:DescribeTargetGroups LoadBalancerArns is empty); drainsim models draining behind one", r.TargetGroupName)}
	}
	if len(tg.LoadBalancerArns) > 1 {
		r.note("the target group is behind %d load balancers; the first, %s, is read", len(tg.LoadBalancerArns), tg.LoadBalancerArns[0])
	}
	r.LoadBalancerARN = tg.LoadBalancerArns[0]
	out, err := c.ELB.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{r.LoadBalancerARN}})
	if err != nil {
		return "", classify(err)
	}
	if len(out.LoadBalancers) == 0 {
		return "", &Error{Kind: KindNotFound, Msg: "load balancer " + r.LoadBalancerARN + " not found"}
	}
	lb := out.LoadBalancers[0]
	var typ string
	switch lb.Type {
	case elbtypes.LoadBalancerTypeEnumApplication:
		typ = "alb"
	case elbtypes.LoadBalancerTypeEnumNetwork:
		typ = "nlb"
	default:
		return "", &Error{Kind: KindUnsupported, Msg: fmt.Sprintf("load balancer %s is of type %q; drainsim models application and network load balancers", aws.ToString(lb.LoadBalancerName), lb.Type)}
	}
	r.set("load_balancer", "type", strconv.Quote(typ), "elbv2:DescribeLoadBalancers Type = "+string(lb.Type))
	r.note("load balancer %s, scheme %s (elbv2:DescribeLoadBalancers Scheme; drainsim has no key for it)", aws.ToString(lb.LoadBalancerName), lb.Scheme)

	attrs, err := c.ELB.DescribeLoadBalancerAttributes(ctx, &elbv2.DescribeLoadBalancerAttributesInput{LoadBalancerArn: lb.LoadBalancerArn})
	if err != nil {
		return "", classify(err)
	}
	la := map[string]string{}
	for _, a := range attrs.Attributes {
		la[aws.ToString(a.Key)] = aws.ToString(a.Value)
	}
	if typ == "alb" {
		if s, ok := seconds(la["idle_timeout.timeout_seconds"]); ok {
			r.set("load_balancer", "idle_timeout", dur(s), "elbv2:DescribeLoadBalancerAttributes idle_timeout.timeout_seconds")
		} else {
			r.miss("load_balancer.idle_timeout", "60s (ALB default)", "elbv2:DescribeLoadBalancerAttributes returned no idle_timeout.timeout_seconds")
		}
		if v, ok := la["client_keep_alive.seconds"]; ok {
			r.note("client keep-alive %ss (elbv2:DescribeLoadBalancerAttributes client_keep_alive.seconds; drainsim has no key for it)", v)
		}
		return typ, nil
	}
	// An NLB's idle timeout is a TCP listener attribute.
	ls, err := c.ELB.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: lb.LoadBalancerArn})
	if err != nil {
		return "", classify(err)
	}
	for _, l := range ls.Listeners {
		if !forwardsTo(l, aws.ToString(tg.TargetGroupArn)) {
			continue
		}
		la, err := c.ELB.DescribeListenerAttributes(ctx, &elbv2.DescribeListenerAttributesInput{ListenerArn: l.ListenerArn})
		if err != nil {
			return "", classify(err)
		}
		for _, a := range la.Attributes {
			if aws.ToString(a.Key) == "tcp.idle_timeout.seconds" {
				if s, ok := seconds(aws.ToString(a.Value)); ok {
					r.set("load_balancer", "idle_timeout", dur(s), "elbv2:DescribeListenerAttributes tcp.idle_timeout.seconds (listener "+strconv.Itoa(int(aws.ToInt32(l.Port)))+")")
					return typ, nil
				}
			}
		}
	}
	r.miss("load_balancer.idle_timeout", "350s (NLB default)", "no TCP listener forwarding to the target group reported tcp.idle_timeout.seconds")
	return typ, nil
}

func forwardsTo(l elbtypes.Listener, tgARN string) bool {
	for _, a := range l.DefaultActions {
		if aws.ToString(a.TargetGroupArn) == tgARN {
			return true
		}
		if a.ForwardConfig != nil {
			for _, t := range a.ForwardConfig.TargetGroups {
				if aws.ToString(t.TargetGroupArn) == tgARN {
					return true
				}
			}
		}
	}
	return false
}

func seconds(s string) (int64, bool) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return v, err == nil && v >= 0
}

// readTargetGroup reads the target group's attributes and health check.
func readTargetGroup(ctx context.Context, c Clients, r *Result, tg *elbtypes.TargetGroup, lbType string) error {
	out, err := c.ELB.DescribeTargetGroupAttributes(ctx, &elbv2.DescribeTargetGroupAttributesInput{TargetGroupArn: tg.TargetGroupArn})
	if err != nil {
		return classify(err)
	}
	a := map[string]string{}
	for _, kv := range out.Attributes {
		a[aws.ToString(kv.Key)] = aws.ToString(kv.Value)
	}
	const src = "elbv2:DescribeTargetGroupAttributes "
	if s, ok := seconds(a["deregistration_delay.timeout_seconds"]); ok {
		r.set("target_group", "deregistration_delay", dur(s), src+"deregistration_delay.timeout_seconds")
	} else {
		r.miss("target_group.deregistration_delay", "300s (AWS default)", src+"returned no deregistration_delay.timeout_seconds")
	}
	if lbType == "nlb" {
		boolAttr := func(key, attr, def string) {
			if v, ok := a[attr]; ok && (v == "true" || v == "false") {
				r.set("target_group", key, v, src+attr)
			} else {
				r.miss("target_group."+key, def, src+"returned no "+attr)
			}
		}
		boolAttr("connection_termination", "deregistration_delay.connection_termination.enabled", "false (AWS default)")
		boolAttr("unhealthy_connection_termination", "target_health_state.unhealthy.connection_termination.enabled", "true (AWS default)")
		if s, ok := seconds(a["target_health_state.unhealthy.draining_interval_seconds"]); ok {
			r.set("target_group", "unhealthy_draining_interval", dur(s), src+"target_health_state.unhealthy.draining_interval_seconds")
		} else {
			r.miss("target_group.unhealthy_draining_interval", "0s (AWS default)", src+"returned no target_health_state.unhealthy.draining_interval_seconds")
		}
	}
	switch v := a["load_balancing.algorithm.type"]; v {
	case "round_robin", "least_outstanding_requests":
		r.set("load_balancer", "algorithm", strconv.Quote(v), src+"load_balancing.algorithm.type")
	case "weighted_random":
		r.set("load_balancer", "algorithm", strconv.Quote("random"), src+"load_balancing.algorithm.type = weighted_random (drainsim's random; anomaly mitigation not modelled)")
	case "":
		if lbType == "nlb" {
			r.set("load_balancer", "algorithm", strconv.Quote("round_robin"), "not read: an NLB hashes flows; round_robin is drainsim's stand-in")
		} else {
			r.miss("load_balancer.algorithm", "round_robin (AWS default)", src+"returned no load_balancing.algorithm.type")
		}
	default:
		r.miss("load_balancer.algorithm", "round_robin", fmt.Sprintf("%sload_balancing.algorithm.type = %q has no drainsim equivalent", src, v))
	}
	if v, ok := a["slow_start.duration_seconds"]; ok {
		r.note("slow start %ss (%sslow_start.duration_seconds; drainsim does not model slow start)", v, src)
	}
	if v, ok := a["stickiness.enabled"]; ok {
		r.note("stickiness enabled = %s, type %s (%sstickiness.*; drainsim routes each request on its own)", v, orDash(a["stickiness.type"]), src)
	}

	const hc = "elbv2:DescribeTargetGroups "
	hcInt := func(key, field string, v *int32, def string) {
		if v == nil {
			r.miss("health_check."+key, def, hc+"returned no "+field)
			return
		}
		r.set("health_check", key, strconv.Itoa(int(*v)), hc+field)
	}
	hcDur := func(key, field string, v *int32, def string) {
		if v == nil {
			r.miss("health_check."+key, def, hc+"returned no "+field)
			return
		}
		r.set("health_check", key, dur(int64(*v)), hc+field)
	}
	hcDur("interval", "HealthCheckIntervalSeconds", tg.HealthCheckIntervalSeconds, "30s")
	hcDur("timeout", "HealthCheckTimeoutSeconds", tg.HealthCheckTimeoutSeconds, "5s")
	hcInt("healthy_threshold", "HealthyThresholdCount", tg.HealthyThresholdCount, "5")
	hcInt("unhealthy_threshold", "UnhealthyThresholdCount", tg.UnhealthyThresholdCount, "2")
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// readPlatform finds the Auto Scaling group or ECS service whose targets
// are in the target group, and returns the instance type to price (empty
// for ECS, which prices a task itself).
func readPlatform(ctx context.Context, c Clients, r *Result) (string, error) {
	asg, err := findASG(ctx, c, r.TargetGroupARN)
	if err != nil {
		return "", err
	}
	if asg != nil {
		return readASG(ctx, c, r, asg)
	}
	found, err := readECS(ctx, c, r)
	if err != nil || found {
		return "", err
	}
	r.set("platform", "type", strconv.Quote("ec2"), "not read: no Auto Scaling group or ECS service names this target group")
	r.miss("fleet.targets", "2", "no Auto Scaling group (autoscaling:DescribeAutoScalingGroups TargetGroupARNs) or ECS service (ecs:DescribeServices loadBalancers) names this target group")
	r.set("fleet", "targets", "2", "default: see the list of what could not be read")
	return "", nil
}

func findASG(ctx context.Context, c Clients, tgARN string) (*asgtypes.AutoScalingGroup, error) {
	p := autoscaling.NewDescribeAutoScalingGroupsPaginator(c.ASG, &autoscaling.DescribeAutoScalingGroupsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, classify(err)
		}
		for i, g := range page.AutoScalingGroups {
			if slices.Contains(g.TargetGroupARNs, tgARN) {
				return &page.AutoScalingGroups[i], nil
			}
		}
	}
	return nil, nil
}

// terminationPolicies maps the Auto Scaling termination policies drainsim
// models to its names.
var terminationPolicies = map[string]string{
	"Default":        "default",
	"OldestInstance": "oldest_instance",
	"NewestInstance": "newest_instance",
}

func readASG(ctx context.Context, c Clients, r *Result, g *asgtypes.AutoScalingGroup) (string, error) {
	name := aws.ToString(g.AutoScalingGroupName)
	const src = "autoscaling:DescribeAutoScalingGroups "
	r.set("platform", "type", strconv.Quote("ec2"), src+"TargetGroupARNs names the target group (group "+name+")")
	r.set("fleet", "targets", strconv.Itoa(int(aws.ToInt32(g.DesiredCapacity))), src+"DesiredCapacity")
	r.note("Auto Scaling group %s: min %d, max %d, desired %d (%sMinSize/MaxSize/DesiredCapacity)", name, aws.ToInt32(g.MinSize), aws.ToInt32(g.MaxSize), aws.ToInt32(g.DesiredCapacity), src)
	switch {
	case len(g.TerminationPolicies) == 0:
		r.miss("platform.termination_policy", "default", src+"TerminationPolicies is empty")
	default:
		first := g.TerminationPolicies[0]
		if v, ok := terminationPolicies[first]; ok {
			r.set("platform", "termination_policy", strconv.Quote(v), src+"TerminationPolicies[0] = "+first)
		} else {
			r.miss("platform.termination_policy", "default", fmt.Sprintf("%sTerminationPolicies[0] = %s has no drainsim equivalent", src, first))
		}
		if len(g.TerminationPolicies) > 1 {
			r.note("termination policies %s (%sTerminationPolicies; drainsim takes the first)", strings.Join(g.TerminationPolicies, ", "), src)
		}
	}

	// Instance types: the running instances, else the launch
	// configuration, else the mixed-instances overrides.
	counts := map[string]int{}
	for _, in := range g.Instances {
		if t := aws.ToString(in.InstanceType); t != "" {
			counts[t]++
		}
	}
	instanceType, typeSrc := "", ""
	if len(counts) > 0 {
		types := make([]string, 0, len(counts))
		for t := range counts {
			types = append(types, t)
		}
		sort.Slice(types, func(i, j int) bool {
			if counts[types[i]] != counts[types[j]] {
				return counts[types[i]] > counts[types[j]]
			}
			return types[i] < types[j]
		})
		instanceType, typeSrc = types[0], src+"Instances[].InstanceType"
		if len(types) > 1 {
			r.note("instance types %s (%sInstances[].InstanceType; the most common is priced)", strings.Join(types, ", "), src)
		}
	} else if lc := aws.ToString(g.LaunchConfigurationName); lc != "" {
		out, err := c.ASG.DescribeLaunchConfigurations(ctx, &autoscaling.DescribeLaunchConfigurationsInput{LaunchConfigurationNames: []string{lc}})
		if err != nil {
			return "", classify(err)
		}
		if len(out.LaunchConfigurations) > 0 {
			instanceType, typeSrc = aws.ToString(out.LaunchConfigurations[0].InstanceType), "autoscaling:DescribeLaunchConfigurations InstanceType"
		}
	} else if m := g.MixedInstancesPolicy; m != nil && m.LaunchTemplate != nil && len(m.LaunchTemplate.Overrides) > 0 {
		instanceType, typeSrc = aws.ToString(m.LaunchTemplate.Overrides[0].InstanceType), src+"MixedInstancesPolicy.LaunchTemplate.Overrides[0].InstanceType"
	}
	if instanceType != "" {
		r.note("instance type %s (%s)", instanceType, typeSrc)
	}

	hooks, err := c.ASG.DescribeLifecycleHooks(ctx, &autoscaling.DescribeLifecycleHooksInput{AutoScalingGroupName: g.AutoScalingGroupName})
	if err != nil {
		return "", classify(err)
	}
	var term []asgtypes.LifecycleHook
	for _, h := range hooks.LifecycleHooks {
		if aws.ToString(h.LifecycleTransition) == "autoscaling:EC2_INSTANCE_TERMINATING" {
			term = append(term, h)
		}
	}
	if len(term) > 0 {
		h := term[0]
		const hs = "autoscaling:DescribeLifecycleHooks "
		hn := aws.ToString(h.LifecycleHookName)
		if h.HeartbeatTimeout != nil {
			r.set("platform.lifecycle_hook", "heartbeat_timeout", dur(int64(*h.HeartbeatTimeout)), hs+"HeartbeatTimeout (hook "+hn+")")
		} else {
			r.miss("platform.lifecycle_hook.heartbeat_timeout", "3600s (AWS default)", hs+"returned no HeartbeatTimeout")
		}
		if d := strings.ToLower(aws.ToString(h.DefaultResult)); d == "continue" || d == "abandon" {
			r.set("platform.lifecycle_hook", "default_result", strconv.Quote(d), hs+"DefaultResult")
		} else {
			r.miss("platform.lifecycle_hook.default_result", "abandon (AWS default)", hs+"returned no DefaultResult")
		}
		r.miss("platform.lifecycle_hook.handler_duration", "0s (the handler completes at once)", "how long the hook's handler runs is not in the API; measure it (e.g. from the ASG's activity history) and set it")
		if len(term) > 1 {
			r.note("%d terminating lifecycle hooks; the first, %s, is read", len(term), hn)
		}
	}

	pol, err := c.ASG.DescribePolicies(ctx, &autoscaling.DescribePoliciesInput{AutoScalingGroupName: g.AutoScalingGroupName})
	if err != nil {
		return "", classify(err)
	}
	for _, p := range pol.ScalingPolicies {
		desc := aws.ToString(p.PolicyType)
		if t := p.TargetTrackingConfiguration; t != nil {
			metric := "custom metric"
			if t.PredefinedMetricSpecification != nil {
				metric = string(t.PredefinedMetricSpecification.PredefinedMetricType)
			}
			desc += fmt.Sprintf(", target %g on %s", aws.ToFloat64(t.TargetValue), metric)
		}
		r.note("scaling policy %s: %s (autoscaling:DescribePolicies; drainsim has no autoscaling model yet)", aws.ToString(p.PolicyName), desc)
	}

	// Observed scale-ins over the window, to compare with the simulation.
	n := 0
	ap := autoscaling.NewDescribeScalingActivitiesPaginator(c.ASG, &autoscaling.DescribeScalingActivitiesInput{AutoScalingGroupName: g.AutoScalingGroupName})
	for ap.HasMorePages() {
		page, err := ap.NextPage(ctx)
		if err != nil {
			return "", classify(err)
		}
		old := false
		for _, a := range page.Activities {
			t := aws.ToTime(a.StartTime)
			if t.Before(r.Start) {
				old = true
				continue
			}
			if !t.After(r.End) && strings.HasPrefix(aws.ToString(a.Description), "Terminating EC2 instance") {
				n++
			}
		}
		if old { // activities come newest first
			break
		}
	}
	days := r.End.Sub(r.Start).Hours() / 24
	r.note("observed: %d instance terminations in the window, %.2f per day (autoscaling:DescribeScalingActivities, Description \"Terminating EC2 instance…\")", n, float64(n)/days)
	return instanceType, nil
}

// readECS finds an ECS service whose load balancers name the target group.
func readECS(ctx context.Context, c Clients, r *Result) (bool, error) {
	cp := ecs.NewListClustersPaginator(c.ECS, &ecs.ListClustersInput{})
	for cp.HasMorePages() {
		clusters, err := cp.NextPage(ctx)
		if err != nil {
			return false, classify(err)
		}
		for _, cl := range clusters.ClusterArns {
			sp := ecs.NewListServicesPaginator(c.ECS, &ecs.ListServicesInput{Cluster: aws.String(cl)})
			for sp.HasMorePages() {
				svcs, err := sp.NextPage(ctx)
				if err != nil {
					return false, classify(err)
				}
				for batch := range slices.Chunk(svcs.ServiceArns, 10) {
					out, err := c.ECS.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cl), Services: batch})
					if err != nil {
						return false, classify(err)
					}
					for _, s := range out.Services {
						for _, lb := range s.LoadBalancers {
							if aws.ToString(lb.TargetGroupArn) == r.TargetGroupARN {
								return true, readService(ctx, c, r, &s, aws.ToString(lb.ContainerName))
							}
						}
					}
				}
			}
		}
	}
	return false, nil
}

func readService(ctx context.Context, c Clients, r *Result, s *ecstypes.Service, container string) error {
	const src = "ecs:DescribeServices "
	r.set("platform", "type", strconv.Quote("ecs"), src+"loadBalancers[].targetGroupArn names the target group (service "+aws.ToString(s.ServiceName)+")")
	switch {
	case s.LaunchType == ecstypes.LaunchTypeFargate:
		r.set("platform", "launch_type", strconv.Quote("fargate"), src+"launchType = FARGATE")
	case s.LaunchType == ecstypes.LaunchTypeEc2:
		r.set("platform", "launch_type", strconv.Quote("ec2"), src+"launchType = EC2")
	case len(s.CapacityProviderStrategy) > 0 && strings.HasPrefix(aws.ToString(s.CapacityProviderStrategy[0].CapacityProvider), "FARGATE"):
		r.set("platform", "launch_type", strconv.Quote("fargate"), src+"capacityProviderStrategy[0].capacityProvider = "+aws.ToString(s.CapacityProviderStrategy[0].CapacityProvider))
	default:
		r.miss("platform.launch_type", "fargate", fmt.Sprintf("%slaunchType = %q", src, s.LaunchType))
	}
	r.set("platform", "stop", strconv.Quote("service"), "not read: a service scale-in drains before stopping (the default)")
	r.set("fleet", "targets", strconv.Itoa(int(s.DesiredCount)), src+"desiredCount")
	r.miss("(service auto scaling)", "not read", "Application Auto Scaling (application-autoscaling:DescribeScalingPolicies) is not read yet")

	td, err := c.ECS.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: s.TaskDefinition})
	if err != nil {
		return classify(err)
	}
	def := td.TaskDefinition
	const ts = "ecs:DescribeTaskDefinition "
	var stop *int32
	which := ""
	for _, cd := range def.ContainerDefinitions {
		if container == "" || aws.ToString(cd.Name) == container {
			stop, which = cd.StopTimeout, aws.ToString(cd.Name)
			break
		}
	}
	if stop != nil {
		r.set("platform", "stop_timeout", dur(int64(*stop)), ts+"containerDefinitions[].stopTimeout (container "+which+")")
	} else {
		r.miss("platform.stop_timeout", "30s (ECS default)", ts+"containerDefinitions[].stopTimeout is unset for the load-balanced container")
	}
	// A Fargate task is priced from its CPU and memory.
	if cpu, err1 := strconv.ParseFloat(aws.ToString(def.Cpu), 64); err1 == nil {
		if mem, err2 := strconv.ParseFloat(aws.ToString(def.Memory), 64); err2 == nil {
			if v, _ := r.Get("platform", "launch_type"); v == `"fargate"` {
				if p, ok := fargatePrice(r.Region, cpu/1024, mem/1024); ok {
					r.set("fleet", "price_per_hour", strconv.FormatFloat(p, 'f', 5, 64),
						fmt.Sprintf("%scpu %s, memory %s × Fargate Linux/x86 prices for %s (%s)", ts, aws.ToString(def.Cpu), aws.ToString(def.Memory), r.Region, PriceSource))
				}
			}
		}
	}
	return nil
}

// price writes fleet.price_per_hour for an instance type, or says loudly
// that it is unknown: never a silent 0.
func price(r *Result, instanceType string) {
	if _, ok := r.Get("fleet", "price_per_hour"); ok {
		return
	}
	if instanceType != "" {
		if p, ok := InstancePrice(r.Region, instanceType); ok {
			r.set("fleet", "price_per_hour", strconv.FormatFloat(p, 'f', -1, 64), fmt.Sprintf("%s on-demand Linux in %s, drainsim's price table (%s); override here", instanceType, r.Region, PriceSource))
			return
		}
	}
	why := "no instance type or Fargate task size was found"
	if instanceType != "" {
		why = fmt.Sprintf("%s in %s is not in drainsim's price table (%s)", instanceType, r.Region, PriceSource)
	}
	r.set("fleet", "price_per_hour", "0", "UNKNOWN PRICE: set it; 0 reports no cost")
	r.miss("fleet.price_per_hour", "0 (no cost is reported)", why)
}

// readMetrics reads the CloudWatch series for the window.
func readMetrics(ctx context.Context, c Clients, r *Result, lbType string) error {
	ns, countMetric := "AWS/ApplicationELB", "RequestCount"
	kind := "request"
	if lbType == "nlb" {
		ns, countMetric, kind = "AWS/NetworkELB", "NewFlowCount", "connection"
	}
	lbDim := dimension(r.LoadBalancerARN, ":loadbalancer/")
	tgDim := dimension(r.TargetGroupARN, ":")
	dims := []cwtypes.Dimension{{Name: aws.String("LoadBalancer"), Value: aws.String(lbDim)}, {Name: aws.String("TargetGroup"), Value: aws.String(tgDim)}}
	r.set("traffic", "name", strconv.Quote(r.TargetGroupName), "the target group's name")
	r.set("traffic", "kind", strconv.Quote(kind), "from the load balancer type ("+lbType+")")

	pts, err := metric(ctx, c, r, ns, countMetric, dims, 60, "Sum")
	if err != nil {
		return err
	}
	r.Requests = pts
	src := fmt.Sprintf("cloudwatch:GetMetricData %s %s Sum per minute, %s", ns, countMetric, r.Start.Format("2006-01-02")+"…"+r.End.Format("2006-01-02"))
	if len(pts) == 0 {
		r.set("traffic", "rate", "10", "default: see the list of what could not be read")
		r.miss("traffic.rate", "10 per second", "cloudwatch:GetMetricData returned no "+countMetric+" datapoints in the window (no traffic, the wrong region, or metrics not yet published)")
	} else {
		total := 0.0
		for _, p := range pts {
			total += p.Value
		}
		// From the first datapoint to the end of the window: a minute
		// without a datapoint had no requests (CloudWatch publishes no
		// zero), but before the first the load balancer may not have
		// existed.
		span := r.End.Sub(pts[0].Time).Seconds()
		rate := total / span
		text, raised := strconv.FormatFloat(round(rate, 4), 'f', -1, 64), ""
		if rate < 1 {
			// Four significant digits, not four decimals: a quiet target
			// group's 3.5e-5 per second would read 0, which the loader
			// refuses; and at least the model's minimum rate.
			if rate < minRate {
				rate, raised = minRate, fmt.Sprintf(", raised to the minimum %g", minRate)
			}
			text = strconv.FormatFloat(rate, 'g', 4, 64)
		}
		r.set("traffic", "rate", text, fmt.Sprintf("mean of %s: %.0f over %.0f s%s (issue #16 will take the profile itself)", src, total, span, raised))
	}

	if lbType == "alb" {
		fit, err := responseTime(ctx, c, r, ns, dims)
		if err != nil {
			return err
		}
		if fit != nil {
			r.Fit = fit
			r.set("traffic", "duration", fmt.Sprintf(`{ distribution = "lognormal", mu = %s, sigma = %s }`,
				strconv.FormatFloat(round(fit.Mu, 6), 'f', -1, 64), strconv.FormatFloat(round(fit.Sigma, 6), 'f', -1, 64)),
				fmt.Sprintf("lognormal fitted to cloudwatch:GetMetricData %s TargetResponseTime p50/p90/p99 over the window (median %s, p99 %s)", ns, secs(fit.Median()), secs(fit.Quantile(0.99))))
		}
	}
	if r.Fit == nil {
		def := `{ distribution = "lognormal", median = "200ms", p99 = "2s" }`
		why := "cloudwatch:GetMetricData returned no TargetResponseTime percentiles in the window"
		if lbType == "nlb" {
			def = `{ distribution = "lognormal", median = "60s", p99 = "20m" }`
			why = "an NLB publishes no flow durations to CloudWatch"
		}
		r.set("traffic", "duration", def, "default: see the list of what could not be read")
		r.miss("traffic.duration", def, why)
	}

	// 5XX counts, to compare with the simulation's drops.
	days := r.End.Sub(r.Start).Hours() / 24
	if lbType == "alb" {
		for _, m := range []struct {
			name string
			dims []cwtypes.Dimension
		}{
			{"HTTPCode_ELB_5XX_Count", dims[:1]},
			{"HTTPCode_Target_5XX_Count", dims},
		} {
			v, ok, err := windowStat(ctx, c, r, ns, m.name, m.dims, "Sum")
			if err != nil {
				return err
			}
			if ok {
				r.note("observed: %s %.0f in the window, %.1f per day (cloudwatch:GetMetricData Sum)", m.name, v, v/days)
			} else {
				r.note("observed: no %s datapoints in the window (none, or not published)", m.name)
			}
		}
	}
	return nil
}

func secs(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(time.Millisecond).String()
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

// dimension is the CloudWatch dimension value of an ARN: what follows
// sep ("app/name/id" for a load balancer, "targetgroup/name/id").
func dimension(arn, sep string) string {
	if sep == ":" {
		return arn[strings.LastIndex(arn, ":")+1:]
	}
	if i := strings.Index(arn, sep); i >= 0 {
		return arn[i+len(sep):]
	}
	return arn
}

// metric reads one statistic of one metric over the window.
func metric(ctx context.Context, c Clients, r *Result, ns, name string, dims []cwtypes.Dimension, period int32, stat string) ([]Point, error) {
	in := &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(r.Start),
		EndTime:   aws.Time(r.End),
		MetricDataQueries: []cwtypes.MetricDataQuery{{
			Id: aws.String("m"),
			MetricStat: &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{Namespace: aws.String(ns), MetricName: aws.String(name), Dimensions: dims},
				Period: aws.Int32(period),
				Stat:   aws.String(stat),
			},
		}},
		ScanBy: cwtypes.ScanByTimestampAscending,
	}
	var pts []Point
	p := cloudwatch.NewGetMetricDataPaginator(c.CW, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, classify(err)
		}
		for _, res := range page.MetricDataResults {
			for i := range min(len(res.Timestamps), len(res.Values)) {
				pts = append(pts, Point{res.Timestamps[i].UTC(), res.Values[i]})
			}
		}
	}
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].Time.Before(pts[j].Time) })
	return pts, nil
}

// windowStat reads one statistic over the whole window as one period.
func windowStat(ctx context.Context, c Clients, r *Result, ns, name string, dims []cwtypes.Dimension, stat string) (float64, bool, error) {
	period := int32(r.End.Sub(r.Start) / time.Second)
	pts, err := metric(ctx, c, r, ns, name, dims, period, stat)
	if err != nil || len(pts) == 0 {
		return 0, false, err
	}
	if stat != "Sum" {
		return pts[0].Value, true, nil
	}
	v := 0.0
	for _, p := range pts { // one period; more only if the server splits it
		v += p.Value
	}
	return v, true, nil
}

// responseTime reads TargetResponseTime's p50, p90 and p99 over the
// window and fits a lognormal to them.
func responseTime(ctx context.Context, c Clients, r *Result, ns string, dims []cwtypes.Dimension) (*Fit, error) {
	var q [3]float64
	for i, stat := range []string{"p50", "p90", "p99"} {
		v, ok, err := windowStat(ctx, c, r, ns, "TargetResponseTime", dims, stat)
		if err != nil {
			return nil, err
		}
		if !ok || !(v > 0) {
			return nil, nil
		}
		q[i] = v
	}
	f, err := FitQuantiles(q[0], q[1], q[2])
	if err != nil {
		r.miss("traffic.duration", "default", err.Error())
		return nil, nil
	}
	return f, nil
}
