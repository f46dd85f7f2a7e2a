package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/sweep"
)

// TestRowsTablePerDay: a sweep whose replication is a day under a scaling
// policy heads its drops and cost columns per day (sweep.Row.Per); a
// scale-in sweep keeps its headers.
func TestRowsTablePerDay(t *testing.T) {
	rows := []sweep.Row{testRow(0), testRow(60)}
	var b bytes.Buffer
	require.NoError(t, WriteRowsTable(&b, rows, nil))
	head := strings.SplitN(b.String(), "\n", 2)[0]
	assert.Contains(t, head, "dropped mean [95 % CI]")
	assert.Contains(t, head, "instance (USD)")
	for i := range rows {
		rows[i].Per = "day"
	}
	b.Reset()
	require.NoError(t, WriteRowsTable(&b, rows, nil))
	head = strings.SplitN(b.String(), "\n", 2)[0]
	for _, h := range []string{"dropped/day [95 % CI]", "fleet (USD/day)", "drops (USD/day)", "total (USD/day)"} {
		assert.Contains(t, head, h)
	}
	assert.NotContains(t, head, "instance (USD)")
}

// TestWriteTableLatency: with finite capacity the run table shows the
// completed requests' p50 and p99 latency; without, no such row.
func TestWriteTableLatency(t *testing.T) {
	s := testSummary()
	var b bytes.Buffer
	require.NoError(t, WriteTable(&b, s))
	assert.NotContains(t, b.String(), "latency")
	s.Latency = &sweep.LatencySummary{Requests: 1000, P50S: 0.816, P99S: 4.82}
	b.Reset()
	require.NoError(t, WriteTable(&b, s))
	assert.Regexp(t, `latency of completed requests, p50 / p99 \(s\) +0\.816 / 4\.820\n`, b.String())
}
