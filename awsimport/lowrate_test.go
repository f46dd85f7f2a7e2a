package awsimport

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/scenarios"
)

// TestImportLowRate imports a target group that saw 3 flows in a day
// (3.5e-5 per second). The mean rate was rounded to 4 decimal places, so
// it was written as rate = 0, a value the loader refuses: `drainsim
// import` then failed with "the imported scenario does not load (a
// drainsim bug)". It must keep its significant digits.
func TestImportLowRate(t *testing.T) {
	needMoto(t)
	a := shared(t)
	ctx := context.Background()
	_, subnets := vpc(t)
	nlb, err := a.c.ELB.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{
		Name: aws.String("quiet-lb"), Subnets: subnets, Type: elbtypes.LoadBalancerTypeEnumNetwork,
	})
	require.NoError(t, err)
	lbARN := aws.ToString(nlb.LoadBalancers[0].LoadBalancerArn)
	vpcID := aws.ToString(nlb.LoadBalancers[0].VpcId)
	tg, err := a.c.ELB.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{
		Name: aws.String("quiet"), Protocol: elbtypes.ProtocolEnumTcp, Port: aws.Int32(9100), VpcId: aws.String(vpcID),
	})
	require.NoError(t, err)
	tgARN := aws.ToString(tg.TargetGroups[0].TargetGroupArn)
	_, err = a.c.ELB.CreateListener(ctx, &elbv2.CreateListenerInput{
		LoadBalancerArn: aws.String(lbARN), Protocol: elbtypes.ProtocolEnumTcp, Port: aws.Int32(9100),
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(tgARN)}},
	})
	require.NoError(t, err)
	dims := []cwtypes.Dimension{
		{Name: aws.String("LoadBalancer"), Value: aws.String(dimension(lbARN, ":loadbalancer/"))},
		{Name: aws.String("TargetGroup"), Value: aws.String(dimension(tgARN, ":"))},
	}
	start := a.end.Add(-24 * time.Hour)
	_, err = a.c.CW.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("AWS/NetworkELB"), MetricData: []cwtypes.MetricDatum{
		{MetricName: aws.String("NewFlowCount"), Dimensions: dims, Timestamp: aws.Time(start), Value: aws.Float64(3), Unit: cwtypes.StandardUnitCount},
	}})
	require.NoError(t, err)

	r, err := Import(ctx, a.c, Options{TargetGroup: "quiet", Since: 24 * time.Hour, End: a.end})
	require.NoError(t, err)
	rate, err := strconv.ParseFloat(value(t, r, "traffic", "rate"), 64)
	require.NoError(t, err)
	assert.InEpsilon(t, 3/(24*3600.0), rate, 1e-3, "3 flows in a day")
	var b bytes.Buffer
	require.NoError(t, r.WriteTOML(&b, ""))
	_, err = scenarios.Parse("quiet.toml", b.Bytes(), nil)
	require.NoError(t, err, strings.SplitN(b.String(), "[traffic]", 2)[len(strings.SplitN(b.String(), "[traffic]", 2))-1])
}
