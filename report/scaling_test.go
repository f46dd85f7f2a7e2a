package report

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/sweep"
)

// TestWriteTableScaling: a run under a scaling policy shows its day's
// figures, and its cost line says it counts the launched targets too.
func TestWriteTableScaling(t *testing.T) {
	t.Parallel()
	s := testSummary()
	var b bytes.Buffer
	require.NoError(t, WriteTable(&b, s))
	assert.NotContains(t, b.String(), "per day")
	assert.Contains(t, b.String(), "cost of removed targets per replication")
	s.Scaling = &sweep.ScalingSummary{SpanS: 86400, ScaleInsMean: 6, ScaleOutsMean: 9, RemovedMean: 17, LaunchedMean: 9,
		FleetInstanceHoursMean: 156.39, ScaleInsPerDay: 6, ScaleOutsPerDay: 9, DroppedPerDay: 2135.5,
		FleetCostPerDayUSD: 15.01, CostPerMonthUSD: 450.41}
	b.Reset()
	require.NoError(t, WriteTable(&b, s))
	out := b.String()
	assert.Regexp(t, `span per replication \(h\) +24\.00\n`, out)
	assert.Regexp(t, `per day: scale-ins / scale-outs / dropped +6\.00 / 9\.00 / 2135\.50\n`, out)
	assert.Regexp(t, `whole fleet cost per day / per 30-day month \(USD\) +15\.01 / 450\.41\n`, out)
	assert.Contains(t, out, "cost of removed and launched targets per replication")
}
