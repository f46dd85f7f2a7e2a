package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/sweep"
)

func TestFixed(t *testing.T) {
	tests := []struct {
		x    float64
		prec int
		want string
	}{
		{1.4, 2, "1.40"},
		{1.005, 2, "1.00"}, // 1.005 is 1.00499… in binary
		{-0.001, 2, "0.00"},
		{math.Copysign(0, -1), 2, "0.00"},
		{-0.006, 2, "-0.01"},
		{-12.5, 1, "-12.5"},
		{0.00123, 4, "0.0012"},
		{1e9, 3, "1000000000.000"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, fixed(tt.x, tt.prec), "fixed(%v, %d)", tt.x, tt.prec)
	}
}

func TestMeanCI(t *testing.T) {
	assert.Equal(t, "1.40 [1.21, 1.59]", meanCI(1.4, sweep.Interval{Low: 1.2149, High: 1.5851, Valid: true}, 10))
	assert.Equal(t, "3.00 [no CI with 1 replication: an interval needs at least 2]", meanCI(3, sweep.Interval{}, 1))
	assert.Equal(t, "0.00 [no CI with 0 replications: an interval needs at least 2]", meanCI(0, sweep.Interval{}, 0))
}

// lines splits a table into lines, failing on trailing blanks.
func lines(t *testing.T, s string) []string {
	t.Helper()
	require.True(t, strings.HasSuffix(s, "\n"), "output must end in a newline")
	ls := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i, l := range ls {
		assert.Equal(t, strings.TrimRight(l, " \t"), l, "line %d has trailing blanks", i+1)
		assert.NotContains(t, l, "\t", "line %d has a tab", i+1)
	}
	return ls
}

func TestWriteTableAlignment(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteTable(&b, testSummary()))
	ls := lines(t, b.String())

	// Every row of the metric table starts its value in the same column.
	start := -1
	for _, l := range ls {
		if strings.HasPrefix(l, "metric ") {
			start = strings.Index(l, "value")
		}
	}
	require.Positive(t, start)
	var inMetrics bool
	for _, l := range ls {
		switch {
		case strings.HasPrefix(l, "metric "):
			inMetrics = true
		case l == "":
			inMetrics = false
		case inMetrics:
			assert.Equal(t, byte(' '), l[start-1], "%q", l)
			assert.NotEqual(t, byte(' '), l[start], "%q", l)
		}
	}

	// Class rows: numbers right-aligned under their header.
	var hdr string
	var rows []string
	for _, l := range ls {
		if strings.HasPrefix(l, "traffic class") {
			hdr = l
		} else if hdr != "" {
			rows = append(rows, l)
		}
	}
	require.Len(t, rows, 2)
	for _, col := range []string{"arrivals", "completed", "dropped", "dropped/replication"} {
		end := strings.Index(hdr, col) + len(col)
		for _, r := range rows {
			assert.NotEqual(t, byte(' '), r[end-1], "%s: %q", col, r)
			assert.Equal(t, byte(' '), r[end], "%s: %q", col, r)
		}
	}
	start = strings.Index(hdr, "dropped by cause")
	assert.True(t, strings.HasSuffix(rows[0][:start], "  ") && rows[0][start:] == "delay_expired 2", "%q", rows[0])
	assert.Equal(t, "delay_expired 2, killed 2", rows[1][start:])
}

func TestWriteTableContents(t *testing.T) {
	s := testSummary()
	var b bytes.Buffer
	require.NoError(t, WriteTable(&b, s))
	out := b.String()
	for _, want := range []string{
		"scenario                  payments-api\n",
		"deregistration delay (s)  30\n",
		"2.00 [-0.48, 4.48]\n",
		"  killed ", "  no_target ",
		"12.346\n", "31.500\n", "0.001230\n", "6123\n",
		"websocket      connection",
	} {
		assert.Contains(t, out, want)
	}

	t.Run("one replication", func(t *testing.T) {
		s := testSummary()
		s.Replications, s.DroppedCI95 = 1, sweep.Interval{}
		var b bytes.Buffer
		require.NoError(t, WriteTable(&b, s))
		assert.Contains(t, b.String(), "2.00 [no CI with 1 replication: an interval needs at least 2]\n")
	})
	t.Run("unnamed, no classes, extra cause", func(t *testing.T) {
		s := testSummary()
		s.Scenario, s.Traffic = "", nil
		s.DroppedByCause = map[string]int64{"zz_future": 7, "no_target": 1, "delay_expired": 2}
		var b bytes.Buffer
		require.NoError(t, WriteTable(&b, s))
		ls := lines(t, b.String())
		assert.Equal(t, "scenario                  (unnamed)", ls[0])
		assert.NotContains(t, b.String(), "traffic class")
		// The model's causes in model order, then others.
		out := b.String()
		i, j, k := strings.Index(out, "delay_expired"), strings.Index(out, "no_target"), strings.Index(out, "zz_future")
		assert.True(t, 0 < i && i < j && j < k, "cause order: %d %d %d", i, j, k)
	})
	t.Run("class without drops", func(t *testing.T) {
		s := testSummary()
		s.Traffic[0].Dropped, s.Traffic[0].DroppedMean = 0, 0
		s.Traffic[0].DroppedByCause = map[string]int64{"delay_expired": 0, "killed": 0}
		var b bytes.Buffer
		require.NoError(t, WriteTable(&b, s))
		assert.Regexp(t, `\napi +request +2900 +2898 +0 +0\.00  -\n`, b.String())
	})
	t.Run("zero summary", func(t *testing.T) {
		var b bytes.Buffer
		require.NoError(t, WriteTable(&b, sweep.Summary{}))
		lines(t, b.String())
	})
}

func TestWriteTableDeterministic(t *testing.T) {
	var first []byte
	for i := range 20 { // map iteration order varies from run to run
		var b bytes.Buffer
		require.NoError(t, WriteTable(&b, testSummary()))
		if i == 0 {
			first = b.Bytes()
			continue
		}
		require.Equal(t, string(first), b.String())
	}
}

func TestWriteJSON(t *testing.T) {
	s := testSummary()
	var b bytes.Buffer
	require.NoError(t, WriteJSON(&b, s))
	out := b.String()
	assert.True(t, strings.HasSuffix(out, "}\n") && !strings.HasSuffix(out, "\n\n"), "one trailing newline")
	assert.True(t, strings.HasPrefix(out, "{\n  \"scenario\": \"payments-api\",\n  \"seed\": 1,\n"), "%s", out)

	// Field order follows the struct: scenario … traffic.
	prev := -1
	for _, k := range []string{`"scenario"`, `"seed"`, `"replications"`, `"deregistration_delay_s"`, `"dropped_ci95"`, `"dropped_by_cause"`, `"events"`, `"traffic"`} {
		i := strings.Index(out, k)
		assert.Greater(t, i, prev, "%s out of order", k)
		prev = i
	}

	// It round-trips.
	var back sweep.Summary
	require.NoError(t, json.Unmarshal(b.Bytes(), &back))
	s.Dropped95 = sweep.Estimate{} // not in JSON
	assert.Equal(t, s, back)

	// Deterministic despite maps.
	for range 20 {
		var again bytes.Buffer
		require.NoError(t, WriteJSON(&again, testSummary()))
		require.Equal(t, out, again.String())
	}
}

func TestWriteJSONNoHTMLEscape(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteJSON(&b, map[string]string{"name": "a<b>&c"}))
	assert.Equal(t, "{\n  \"name\": \"a<b>&c\"\n}\n", b.String())
}

func TestWriteJSONNaN(t *testing.T) {
	var b bytes.Buffer
	s := testSummary()
	s.DrainSMean = math.NaN()
	assert.Error(t, WriteJSON(&b, s))
	assert.Zero(t, b.Len(), "nothing written on an encoding error")
}

type failWriter struct{ calls int }

var errWrite = errors.New("disk full")

func (f *failWriter) Write([]byte) (int, error) { f.calls++; return 0, errWrite }

func TestWriteErrors(t *testing.T) {
	f := &failWriter{}
	assert.ErrorIs(t, WriteTable(f, testSummary()), errWrite)
	assert.ErrorIs(t, WriteJSON(f, testSummary()), errWrite)
	assert.Equal(t, 2, f.calls, "one Write per call")
}

func testSummary() sweep.Summary {
	return sweep.Summary{
		Scenario: "payments-api", Seed: 1, Replications: 3, DelayS: 30,
		Arrivals: 3000, Completed: 2994, Dropped: 6,
		DroppedMean:    2,
		DroppedCI95:    sweep.Interval{Low: -0.4845, High: 4.4845, Valid: true},
		DroppedByCause: map[string]int64{"delay_expired": 4, "killed": 2, "no_target": 0},
		PAnyDrop:       2.0 / 3, DrainSMean: 12.3456, ScaleInSMean: 31.5, CostUSDMean: 0.00123, Events: 6123,
		Traffic: []sweep.ClassSummary{
			{Name: "api", Kind: "request", Arrivals: 2900, Completed: 2898, Dropped: 2, DroppedMean: 2.0 / 3,
				DroppedByCause: map[string]int64{"delay_expired": 2, "killed": 0, "no_target": 0}},
			{Name: "websocket", Kind: "connection", Arrivals: 100, Completed: 96, Dropped: 4, DroppedMean: 4.0 / 3,
				DroppedByCause: map[string]int64{"delay_expired": 2, "killed": 2, "no_target": 0}},
		},
		Dropped95: sweep.Estimate{Mean: 2, N: 3},
	}
}

// TestWriteTablePodShare: on EKS the cost is labelled as the pods' share
// of their nodes, which are saved only if the cluster autoscaler or
// Karpenter removes them.
func TestWriteTablePodShare(t *testing.T) {
	s := testSummary()
	var b bytes.Buffer
	require.NoError(t, WriteTable(&b, s))
	assert.Contains(t, b.String(), "cost of removed targets per replication, mean (USD)")
	s.CostBasis = "pod_share"
	b.Reset()
	require.NoError(t, WriteTable(&b, s))
	assert.Contains(t, b.String(), "cost of removed pods per replication, mean (USD, the pods' share of their nodes)")
	assert.NotContains(t, b.String(), "cost of removed targets")
}
