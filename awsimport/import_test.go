package awsimport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	asgtypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/scenarios"
)

// The known laws the test puts into the account.
const (
	knownMu    = -1.6 // ln seconds: median 0.202 s
	knownSigma = 0.6
	nSamples   = 20000 // response times drawn from it
	baseRate   = 40.0  // requests per second, mean of the diurnal profile
	amplitude  = 0.5   // rate(t) = baseRate·(1 + amplitude·sin(2πt/24h))
)

func mustT(t *testing.T, err error) {
	t.Helper()
	require.NoError(t, err)
}

// account creates, through the SDK against moto, an ALB with a target
// group behind an Auto Scaling group with a terminating lifecycle hook, an
// ECS service behind a second target group, and a day of CloudWatch data.
type account struct {
	c                    Clients
	fx                   *fixtures
	tgARN, tg2ARN, nlbTG string
	lbARN                string
	asg                  string
	end                  time.Time
	counts               []float64 // RequestCount per minute, oldest first
	p50, p90, p99        float64   // of the drawn response times
	target5xx, elb5xx    float64
}

// shared is the account the moto-backed tests read, made once: moto's
// GetMetricData slows down with every datapoint stored.
func shared(t *testing.T) *account {
	t.Helper()
	sharedOnce.Do(func() { sharedAccount = setup(t, "shared") })
	if sharedAccount == nil {
		t.Fatal("setting up the account failed (see the first test)")
	}
	return sharedAccount
}

var (
	sharedOnce    sync.Once
	sharedAccount *account
)

func setup(t *testing.T, suffix string) *account {
	t.Helper()
	ctx := context.Background()
	cfg, err := LoadConfig(ctx, "us-east-1", "")
	mustT(t, err)
	a := &account{end: time.Now().UTC().Truncate(time.Minute)}
	a.fx = &fixtures{next: http.DefaultTransport}
	cfg.HTTPClient = &http.Client{Transport: a.fx}
	a.c = NewClients(cfg)
	vpcID, subnets := vpc(t)

	lb, err := a.c.ELB.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{
		Name: aws.String("web-" + suffix), Subnets: subnets, Type: elbtypes.LoadBalancerTypeEnumApplication,
		Scheme: elbtypes.LoadBalancerSchemeEnumInternal,
	})
	mustT(t, err)
	a.lbARN = aws.ToString(lb.LoadBalancers[0].LoadBalancerArn)
	_, err = a.c.ELB.ModifyLoadBalancerAttributes(ctx, &elbv2.ModifyLoadBalancerAttributesInput{
		LoadBalancerArn: aws.String(a.lbARN),
		Attributes: []elbtypes.LoadBalancerAttribute{
			{Key: aws.String("idle_timeout.timeout_seconds"), Value: aws.String("120")},
			{Key: aws.String("client_keep_alive.seconds"), Value: aws.String("3600")},
		},
	})
	mustT(t, err)
	mkTG := func(name string, port int32) string {
		tg, err := a.c.ELB.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{
			Name: aws.String(name), Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(port), VpcId: aws.String(vpcID),
			HealthCheckIntervalSeconds: aws.Int32(15), HealthCheckTimeoutSeconds: aws.Int32(6),
			HealthyThresholdCount: aws.Int32(3), UnhealthyThresholdCount: aws.Int32(4),
		})
		mustT(t, err)
		arn := aws.ToString(tg.TargetGroups[0].TargetGroupArn)
		_, err = a.c.ELB.CreateListener(ctx, &elbv2.CreateListenerInput{
			LoadBalancerArn: aws.String(a.lbARN), Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(port),
			DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(arn)}},
		})
		mustT(t, err)
		return arn
	}
	a.tgARN = mkTG("payments-"+suffix, 80)
	_, err = a.c.ELB.ModifyTargetGroupAttributes(ctx, &elbv2.ModifyTargetGroupAttributesInput{
		TargetGroupArn: aws.String(a.tgARN),
		Attributes: []elbtypes.TargetGroupAttribute{
			{Key: aws.String("deregistration_delay.timeout_seconds"), Value: aws.String("5")},
			{Key: aws.String("load_balancing.algorithm.type"), Value: aws.String("least_outstanding_requests")},
			{Key: aws.String("slow_start.duration_seconds"), Value: aws.String("30")},
			{Key: aws.String("stickiness.enabled"), Value: aws.String("true")},
		},
	})
	mustT(t, err)

	a.asg = "payments-asg-" + suffix
	_, err = a.c.ASG.CreateLaunchConfiguration(ctx, &autoscaling.CreateLaunchConfigurationInput{
		LaunchConfigurationName: aws.String("lc-" + suffix), ImageId: aws.String("ami-12c6146b"), InstanceType: aws.String("m5.large"),
	})
	mustT(t, err)
	_, err = a.c.ASG.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName: aws.String(a.asg), LaunchConfigurationName: aws.String("lc-" + suffix),
		MinSize: aws.Int32(2), MaxSize: aws.Int32(10), DesiredCapacity: aws.Int32(6),
		TargetGroupARNs: []string{a.tgARN}, TerminationPolicies: []string{"OldestInstance"},
		VPCZoneIdentifier: aws.String(strings.Join(subnets, ",")),
	})
	mustT(t, err)
	_, err = a.c.ASG.PutLifecycleHook(ctx, &autoscaling.PutLifecycleHookInput{
		AutoScalingGroupName: aws.String(a.asg), LifecycleHookName: aws.String("ship-logs"),
		LifecycleTransition: aws.String("autoscaling:EC2_INSTANCE_TERMINATING"),
		HeartbeatTimeout:    aws.Int32(90), DefaultResult: aws.String("CONTINUE"),
	})
	mustT(t, err)
	_, err = a.c.ASG.PutScalingPolicy(ctx, &autoscaling.PutScalingPolicyInput{
		AutoScalingGroupName: aws.String(a.asg), PolicyName: aws.String("cpu50"), PolicyType: aws.String("TargetTrackingScaling"),
		TargetTrackingConfiguration: &asgtypes.TargetTrackingConfiguration{
			PredefinedMetricSpecification: &asgtypes.PredefinedMetricSpecification{PredefinedMetricType: asgtypes.MetricTypeASGAverageCPUUtilization},
			TargetValue:                   aws.Float64(50),
		},
	})
	mustT(t, err)

	// An NLB with a TCP target group and a TCP idle timeout.
	nlb, err := a.c.ELB.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{
		Name: aws.String("flows-" + suffix), Subnets: subnets, Type: elbtypes.LoadBalancerTypeEnumNetwork,
	})
	mustT(t, err)
	ntg, err := a.c.ELB.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{
		Name: aws.String("flows-" + suffix), Protocol: elbtypes.ProtocolEnumTcp, Port: aws.Int32(9000), VpcId: aws.String(vpcID),
	})
	mustT(t, err)
	a.nlbTG = aws.ToString(ntg.TargetGroups[0].TargetGroupArn)
	ls, err := a.c.ELB.CreateListener(ctx, &elbv2.CreateListenerInput{
		LoadBalancerArn: nlb.LoadBalancers[0].LoadBalancerArn, Protocol: elbtypes.ProtocolEnumTcp, Port: aws.Int32(9000),
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(a.nlbTG)}},
	})
	mustT(t, err)
	_, err = a.c.ELB.ModifyListenerAttributes(ctx, &elbv2.ModifyListenerAttributesInput{
		ListenerArn: ls.Listeners[0].ListenerArn,
		Attributes:  []elbtypes.ListenerAttribute{{Key: aws.String("tcp.idle_timeout.seconds"), Value: aws.String("600")}},
	})
	mustT(t, err)
	_, err = a.c.ELB.ModifyTargetGroupAttributes(ctx, &elbv2.ModifyTargetGroupAttributesInput{
		TargetGroupArn: aws.String(a.nlbTG),
		Attributes: []elbtypes.TargetGroupAttribute{
			{Key: aws.String("deregistration_delay.timeout_seconds"), Value: aws.String("120")},
			{Key: aws.String("deregistration_delay.connection_termination.enabled"), Value: aws.String("true")},
		},
	})
	mustT(t, err)

	// An ECS service behind a second target group.
	a.tg2ARN = mkTG("orders-"+suffix, 8080)
	_, err = a.c.ECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("apps-" + suffix)})
	mustT(t, err)
	td, err := a.c.ECS.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("orders-" + suffix), Cpu: aws.String("1024"), Memory: aws.String("2048"),
		NetworkMode: ecstypes.NetworkModeAwsvpc, RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		ContainerDefinitions: []ecstypes.ContainerDefinition{
			{Name: aws.String("sidecar"), Image: aws.String("envoy"), StopTimeout: aws.Int32(10)},
			{Name: aws.String("web"), Image: aws.String("orders:1"), StopTimeout: aws.Int32(75)},
		},
	})
	mustT(t, err)
	_, err = a.c.ECS.CreateService(ctx, &ecs.CreateServiceInput{
		Cluster: aws.String("apps-" + suffix), ServiceName: aws.String("orders"), DesiredCount: aws.Int32(4),
		TaskDefinition: td.TaskDefinition.TaskDefinitionArn, LaunchType: ecstypes.LaunchTypeFargate,
		LoadBalancers: []ecstypes.LoadBalancer{{TargetGroupArn: aws.String(a.tg2ARN), ContainerName: aws.String("web"), ContainerPort: aws.Int32(8080)}},
	})
	mustT(t, err)

	// A day of RequestCount per minute with a known diurnal profile.
	tgDim := a.tgARN[strings.LastIndex(a.tgARN, ":")+1:]
	lbDim := a.lbARN[strings.Index(a.lbARN, ":loadbalancer/")+len(":loadbalancer/"):]
	dims := []cwtypes.Dimension{{Name: aws.String("LoadBalancer"), Value: aws.String(lbDim)}, {Name: aws.String("TargetGroup"), Value: aws.String(tgDim)}}
	start := a.end.Add(-24 * time.Hour)
	var data []cwtypes.MetricDatum
	for i := range 24 * 60 {
		ts := start.Add(time.Duration(i) * time.Minute)
		rate := diurnal(ts)
		n := math.Round(rate * 60)
		a.counts = append(a.counts, n)
		data = append(data, cwtypes.MetricDatum{MetricName: aws.String("RequestCount"), Dimensions: dims, Timestamp: aws.Time(ts), Value: aws.Float64(n), Unit: cwtypes.StandardUnitCount})
	}
	for i, v := range []float64{3, 7, 2} {
		ts := start.Add(time.Duration(100+i*300) * time.Minute)
		data = append(data, cwtypes.MetricDatum{MetricName: aws.String("HTTPCode_Target_5XX_Count"), Dimensions: dims, Timestamp: aws.Time(ts), Value: aws.Float64(v), Unit: cwtypes.StandardUnitCount})
		a.target5xx += v
	}
	for i, v := range []float64{5, 4} {
		ts := start.Add(time.Duration(200+i*400) * time.Minute)
		data = append(data, cwtypes.MetricDatum{MetricName: aws.String("HTTPCode_ELB_5XX_Count"), Dimensions: dims[:1], Timestamp: aws.Time(ts), Value: aws.Float64(v), Unit: cwtypes.StandardUnitCount})
		a.elb5xx += v
	}
	for batch := range slices.Chunk(data, 500) {
		_, err := a.c.CW.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("AWS/ApplicationELB"), MetricData: batch})
		mustT(t, err)
	}

	// Response times drawn from the known lognormal: CloudWatch's p50,
	// p90 and p99 of them come back from the recorded-format fixture.
	rng := rand.New(rand.NewPCG(15, 1))
	xs := make([]float64, nSamples)
	for i := range xs {
		xs[i] = math.Exp(knownMu + knownSigma*rng.NormFloat64())
	}
	slices.Sort(xs)
	q := func(p float64) float64 { return xs[int(math.Ceil(p*float64(len(xs))))-1] }
	a.p50, a.p90, a.p99 = q(0.5), q(0.9), q(0.99)
	a.fx.group, a.fx.start, a.fx.tgDim = a.asg, start, tgDim
	a.fx.t1, a.fx.t2, a.fx.t3, a.fx.old = a.end.Add(-2*time.Hour), a.end.Add(-10*time.Hour), a.end.Add(-11*time.Hour), start.Add(-time.Hour)
	a.fx.percentiles = map[string]float64{"p50": a.p50, "p90": a.p90, "p99": a.p99}
	return a
}

// diurnal is the known profile: a sine over the UTC day.
func diurnal(ts time.Time) float64 {
	day := float64(ts.Hour()*3600+ts.Minute()*60+ts.Second()) / 86400
	return baseRate * (1 + amplitude*math.Sin(2*math.Pi*day))
}

func value(t *testing.T, r *Result, section, key string) string {
	t.Helper()
	v, ok := r.Get(section, key)
	require.True(t, ok, "%s.%s not written", section, key)
	return v
}

// TestImportASGAgainstMoto imports the ALB's target group and checks every
// value against what was created, the fitted law against the known one,
// and that the written scenario loads and runs exactly like a
// hand-written one with the same settings.
func TestImportASGAgainstMoto(t *testing.T) {
	needMoto(t)
	a := shared(t)
	r, err := Import(context.Background(), a.c, Options{TargetGroup: "payments-shared", Since: 24 * time.Hour, End: a.end})
	require.NoError(t, err)

	want := map[string]string{
		"load_balancer.type":                        `"alb"`,
		"load_balancer.idle_timeout":                `"120s"`,
		"load_balancer.algorithm":                   `"least_outstanding_requests"`,
		"target_group.deregistration_delay":         `"5s"`,
		"health_check.interval":                     `"15s"`,
		"health_check.timeout":                      `"6s"`,
		"health_check.healthy_threshold":            `3`,
		"health_check.unhealthy_threshold":          `4`,
		"platform.type":                             `"ec2"`,
		"platform.termination_policy":               `"oldest_instance"`,
		"platform.lifecycle_hook.heartbeat_timeout": `"90s"`,
		"platform.lifecycle_hook.default_result":    `"continue"`,
		"fleet.targets":                             `6`,
		"fleet.price_per_hour":                      `0.096`,
		"traffic.kind":                              `"request"`,
	}
	for k, w := range want {
		i := strings.LastIndex(k, ".")
		assert.Equal(t, w, value(t, r, k[:i], k[i+1:]), k)
	}
	// Sources name the API call and field.
	for _, v := range r.Values {
		assert.NotEmpty(t, v.Source, "%s.%s", v.Section, v.Key)
	}
	assert.Contains(t, fmt.Sprint(r.Values), "elbv2:DescribeTargetGroupAttributes deregistration_delay.timeout_seconds")

	// The mean rate is the counts put over the day.
	total := 0.0
	for _, n := range a.counts {
		total += n
	}
	assert.Equal(t, fmt.Sprint(round(total/86400, 4)), value(t, r, "traffic", "rate"))
	assert.InDelta(t, baseRate, total/86400, 0.01, "the day's mean of the known profile")
	// The hourly profile reproduces the known diurnal one: each hour's
	// mean of the sine, within the counts' rounding (0.5 per minute).
	rates, ok := r.HourlyRates()
	require.True(t, ok)
	start := a.end.Add(-24 * time.Hour)
	for h := range 24 {
		known := 0.0
		for m := range 60 {
			known += diurnal(time.Date(start.Year(), start.Month(), start.Day(), h, m, 0, 0, time.UTC)) / 60
		}
		assert.InDelta(t, known, rates[h], 0.5/60+1e-9, "hour %02d", h)
	}
	require.Len(t, r.Requests, 24*60)

	// The fitted law is within 4 standard errors of the known one: the
	// largest standard error of ln q_p over p50/p90/p99 for n samples is
	// σ·√(p(1−p)/n)/φ(z_p), and the least-squares weights sum to < 1.
	require.NotNil(t, r.Fit)
	se := 0.0
	for i, p := range fitLevels {
		phi := math.Exp(-fitZ[i]*fitZ[i]/2) / math.Sqrt(2*math.Pi)
		se = max(se, knownSigma*math.Sqrt(p*(1-p)/nSamples)/phi)
	}
	assert.InDelta(t, knownMu, r.Fit.Mu, 4*se)
	assert.InDelta(t, knownSigma, r.Fit.Sigma, 4*se)
	assert.Less(t, r.Fit.MaxError(), 0.05, "a lognormal's percentiles fit a lognormal")
	assert.Equal(t, 3, a.fx.pctCalls)

	// Observations: 2 terminations in the window, 5XX sums.
	notes := strings.Join(r.Notes, "\n")
	assert.Contains(t, notes, "2 instance terminations in the window, 2.00 per day")
	assert.Contains(t, notes, fmt.Sprintf("HTTPCode_Target_5XX_Count %.0f in the window", a.target5xx))
	assert.Contains(t, notes, fmt.Sprintf("HTTPCode_ELB_5XX_Count %.0f in the window", a.elb5xx))
	assert.Contains(t, notes, "scaling policy cpu50: TargetTrackingScaling, target 50 on ASGAverageCPUUtilization")
	assert.Equal(t, 1, a.fx.activities)
	// What could not be read is listed.
	var missing []string
	for _, m := range r.Missing {
		missing = append(missing, m.Key)
	}
	assert.Contains(t, missing, "platform.lifecycle_hook.handler_duration")

	// The TOML loads, carries the values, and runs like a hand-written
	// scenario with the same settings.
	var b bytes.Buffer
	require.NoError(t, r.WriteTOML(&b, "payments.rate.csv"))
	text := b.String()
	assert.Contains(t, text, "\nderegistration_delay = \"5s\" # elbv2:DescribeTargetGroupAttributes deregistration_delay.timeout_seconds\n")
	imported, err := scenarios.Parse("imported.toml", b.Bytes(), nil)
	require.NoError(t, err, text)
	assert.Equal(t, 5*time.Second, imported.TargetGroup.DeregistrationDelay)
	assert.Equal(t, 120*time.Second, imported.LoadBalancer.IdleTimeout)
	assert.Equal(t, model.LeastOutstandingRequests, imported.LoadBalancer.Algorithm)
	assert.Equal(t, model.HealthCheck{Interval: 15 * time.Second, Timeout: 6 * time.Second, HealthyThreshold: 3, UnhealthyThreshold: 4}, imported.HealthCheck)
	require.NotNil(t, imported.Platform.LifecycleHook)
	assert.Equal(t, 90*time.Second, imported.Platform.LifecycleHook.HeartbeatTimeout)
	assert.Equal(t, "continue", imported.Platform.LifecycleHook.DefaultResult)
	assert.Equal(t, 6, imported.Fleet.Targets)
	assert.Equal(t, 0.096, imported.Fleet.PricePerHour)

	hand := fmt.Sprintf(`name = "hand"
seed = 1
[load_balancer]
type = "alb"
idle_timeout = "120s"
algorithm = "least_outstanding_requests"
[target_group]
deregistration_delay = "5s"
[health_check]
interval = "15s"
timeout = "6s"
healthy_threshold = 3
unhealthy_threshold = 4
[platform]
type = "ec2"
termination_policy = "oldest_instance"
lifecycle_hook = { heartbeat_timeout = "90s", default_result = "continue" }
[fleet]
targets = 6
price_per_hour = 0.096
[[traffic]]
name = "payments-shared"
kind = "request"
rate = %v
duration = { distribution = "lognormal", mu = %v, sigma = %v }
[[scale_in]]
at = "5m"
targets = 1
`, round(total/86400, 4), round(r.Fit.Mu, 6), round(r.Fit.Sigma, 6))
	handCfg, err := scenarios.Parse("hand.toml", []byte(hand), nil)
	require.NoError(t, err)
	// A 5 s delay under the ALB's default propagation lag drops
	// requests, so the comparison is of non-zero drops.
	dropped := int64(0)
	for rep := range 2 {
		got, err := model.Run(imported, rep)
		require.NoError(t, err)
		exp, err := model.Run(handCfg, rep)
		require.NoError(t, err)
		assert.Equal(t, exp, got, "rep %d: the whole result, drops, completions, cost and timings", rep)
		t.Logf("rep %d: dropped %d, completed %d", rep, got.Dropped, got.Completed)
		dropped += got.Dropped
	}
	assert.Positive(t, dropped)
}

// TestImportECSAgainstMoto imports the target group of an ECS service:
// launch type, the load-balanced container's stopTimeout, desired count,
// a Fargate price from the task size; no metrics, so the rate and
// duration defaults are listed.
func TestImportECSAgainstMoto(t *testing.T) {
	needMoto(t)
	a := shared(t)
	r, err := Import(context.Background(), a.c, Options{TargetGroup: a.tg2ARN, Since: 24 * time.Hour, End: a.end})
	require.NoError(t, err)
	assert.Equal(t, `"ecs"`, value(t, r, "platform", "type"))
	assert.Equal(t, `"fargate"`, value(t, r, "platform", "launch_type"))
	assert.Equal(t, `"75s"`, value(t, r, "platform", "stop_timeout"), "the web container's, not the sidecar's")
	assert.Equal(t, `4`, value(t, r, "fleet", "targets"))
	assert.Equal(t, `0.04937`, value(t, r, "fleet", "price_per_hour"))
	var missing []string
	for _, m := range r.Missing {
		missing = append(missing, m.Key)
	}
	assert.Contains(t, missing, "traffic.rate")
	assert.Contains(t, missing, "traffic.duration")
	var b bytes.Buffer
	require.NoError(t, r.WriteTOML(&b, ""))
	cfg, err := scenarios.Parse("ecs.toml", b.Bytes(), nil)
	require.NoError(t, err, b.String())
	assert.Equal(t, 75*time.Second, cfg.Platform.StopTimeout)
	assert.Contains(t, b.String(), "traffic.rate = 10 per second: cloudwatch:GetMetricData returned no RequestCount")
}

// TestImportErrorsAgainstMoto: a misspelt name gets suggestions, a region
// without target groups says so; both are *Error of kind not_found.
func TestImportErrorsAgainstMoto(t *testing.T) {
	needMoto(t)
	a := shared(t)
	_, err := Import(context.Background(), a.c, Options{TargetGroup: "paymnts-shared", End: a.end})
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, KindNotFound, e.Kind)
	assert.Contains(t, e.Msg, `did you mean "payments-shared"`)

	cfg, err := LoadConfig(context.Background(), "eu-north-1", "")
	require.NoError(t, err)
	_, err = Import(context.Background(), NewClients(cfg), Options{TargetGroup: "payments-shared", End: a.end})
	require.ErrorAs(t, err, &e)
	assert.Equal(t, KindNotFound, e.Kind)
	assert.Contains(t, e.Msg, "region eu-north-1 has no target groups at all")
}

// TestImportNoCredentials: with no credentials anywhere in the chain the
// error says how to provide them.
func TestImportNoCredentials(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "")
	t.Setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "")
	t.Setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "")
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1") // never reached
	cfg, err := LoadConfig(context.Background(), "us-east-1", "")
	require.NoError(t, err)
	_, err = Import(context.Background(), NewClients(cfg), Options{TargetGroup: "x", End: time.Now()})
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, KindCredentials, e.Kind, "%v", err)
	assert.Contains(t, e.Msg, "no AWS credentials found")
}

// replay serves one recorded response to every request and counts them.
type replay struct {
	status int
	file   string
	calls  int
}

func (r *replay) RoundTrip(req *http.Request) (*http.Response, error) {
	r.calls++
	f := &fixtures{}
	resp, err := f.render(req, r.file, nil)
	if err == nil {
		resp.StatusCode, resp.Status = r.status, http.StatusText(r.status)
	}
	return resp, err
}

// TestImportAccessDeniedAndThrottling: recorded error responses (moto
// enforces no IAM and never throttles) give a message naming the IAM
// action, and throttling is retried by the standard retryer MaxAttempts
// times before its message.
func TestImportAccessDeniedAndThrottling(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
	for _, tc := range []struct {
		file, kind, msg string
		status, calls   int
	}{
		{"access-denied.xml", KindAccess, "may not call elasticloadbalancing:DescribeTargetGroups", 403, 1},
		{"throttling.xml", KindThrottled, "elasticloadbalancing:DescribeTargetGroups is still throttled after 8 attempts", 400, MaxAttempts},
	} {
		cfg, err := LoadConfig(context.Background(), "us-east-1", "")
		require.NoError(t, err)
		rp := &replay{status: tc.status, file: tc.file}
		cfg.HTTPClient = &http.Client{Transport: rp}
		std := cfg.Retryer().(interface{ MaxAttempts() int })
		require.Equal(t, MaxAttempts, std.MaxAttempts())
		c := NewClients(cfg)
		// No backoff sleeps in the test; the attempts are the retryer's.
		c.ELB = elbv2.NewFromConfig(cfg, func(o *elbv2.Options) { o.Retryer = noSleep(o.Retryer) })
		_, err = Import(context.Background(), c, Options{TargetGroup: "payments", End: time.Now()})
		var e *Error
		require.ErrorAs(t, err, &e, "%v", err)
		assert.Equal(t, tc.kind, e.Kind)
		assert.Contains(t, e.Msg, tc.msg)
		assert.Equal(t, tc.calls, rp.calls, tc.file)
	}
	assert.True(t, errors.Is(classify(context.Canceled), context.Canceled))
}

// noSleep keeps a retryer's decisions and drops its backoff delays.
func noSleep(r aws.Retryer) aws.Retryer { return zeroDelay{aws.Retryer(r)} }

type zeroDelay struct{ aws.Retryer }

func (zeroDelay) RetryDelay(int, error) (time.Duration, error) { return 0, nil }

// TestImportNLBAgainstMoto: an NLB's idle timeout is its TCP listener's,
// connection termination is read, flows are connections, and with
// nothing behind the group the platform and fleet are listed as not read.
func TestImportNLBAgainstMoto(t *testing.T) {
	needMoto(t)
	a := shared(t)
	r, err := Import(context.Background(), a.c, Options{TargetGroup: "flows-shared", Since: 24 * time.Hour, End: a.end})
	require.NoError(t, err)
	assert.Equal(t, `"nlb"`, value(t, r, "load_balancer", "type"))
	assert.Equal(t, `"600s"`, value(t, r, "load_balancer", "idle_timeout"))
	assert.Equal(t, `"120s"`, value(t, r, "target_group", "deregistration_delay"))
	assert.Equal(t, `true`, value(t, r, "target_group", "connection_termination"))
	assert.Equal(t, `"connection"`, value(t, r, "traffic", "kind"))
	var missing []string
	for _, m := range r.Missing {
		missing = append(missing, m.Key)
	}
	assert.Contains(t, missing, "fleet.targets")
	assert.Contains(t, missing, "fleet.price_per_hour")
	var b bytes.Buffer
	require.NoError(t, r.WriteTOML(&b, ""))
	cfg, err := scenarios.Parse("nlb.toml", b.Bytes(), nil)
	require.NoError(t, err, b.String())
	assert.Equal(t, 600*time.Second, cfg.LoadBalancer.IdleTimeout)
	assert.True(t, cfg.TargetGroup.ConnectionTermination)
	assert.Contains(t, b.String(), "price_per_hour = 0 # UNKNOWN PRICE: set it")
}
