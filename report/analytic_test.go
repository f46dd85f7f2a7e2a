package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/sweep"
)

// TestAnalyticColumn checks the closed-form column of the sweep table: it
// appears when any row has the figures, with "n/a" in the others, and the
// header carries the note once.
func TestAnalyticColumn(t *testing.T) {
	rows := []sweep.Row{testRow(0), testRow(30)}
	rows[1].AnalyticDropped, rows[1].AnalyticDrainS = sweep.Some(1.0/3), sweep.Some(29.96)
	var b bytes.Buffer
	require.NoError(t, WriteSweepTable(&b, Sweep{Scenario: "s", Rows: rows, AnalyticNote: "approximate: round robin"}))
	ls := lines(t, b.String())
	assert.Contains(t, ls, "analytic (closed form)  approximate: round robin")
	var head string
	for i, l := range ls {
		if strings.HasPrefix(l, "delay (s)") {
			head = l
			assert.True(t, strings.HasSuffix(ls[i+1], "n/a"), ls[i+1])
			assert.True(t, strings.HasSuffix(ls[i+2], "  0.33/30.0"), ls[i+2])
		}
	}
	assert.True(t, strings.HasSuffix(head, "analytic dropped/drain (s)"), head)

	// No row with figures: no column.
	b.Reset()
	require.NoError(t, WriteRowsTable(&b, rows[:1], nil))
	assert.NotContains(t, b.String(), "analytic")
}

// TestAnalyticRunTable checks the closed-form rows of the run table: the
// figures and what is approximate, or "n/a" and the reasons.
func TestAnalyticRunTable(t *testing.T) {
	s := sweep.Summary{Scenario: "s", Replications: 2, AnalyticDropped: sweep.Some(1.3506), AnalyticDrainS: sweep.Some(25.5),
		AnalyticNote: "approximate: round robin routing"}
	var b bytes.Buffer
	require.NoError(t, WriteTable(&b, s))
	out := b.String()
	assert.Regexp(t, `\nanalytic dropped per replication, closed form +1\.35\n`, out)
	assert.Regexp(t, `\nanalytic drain time per removed target \(s\) +25\.500\n`, out)
	assert.Regexp(t, `\n  approximate +round robin routing\n`, out)

	s.AnalyticDropped, s.AnalyticDrainS, s.AnalyticNote = sweep.Opt{}, sweep.Opt{}, "does not apply: propagation lag 10s"
	b.Reset()
	require.NoError(t, WriteTable(&b, s))
	assert.Regexp(t, `\nanalytic, closed form +n/a: does not apply: propagation lag 10s\n`, b.String())
}
