package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/sweep"
)

// Every report lists the scenario's assumptions, a zero price with its
// warning. Before issue #9 none did.
func TestAssumptionsInReports(t *testing.T) {
	c := model.Default()
	as := c.Assumptions()
	require.NotEmpty(t, as)

	var tb bytes.Buffer
	require.NoError(t, WriteTable(&tb, sweep.Summary{Scenario: "x", Assumptions: as}))
	assert.Contains(t, tb.String(), "assumptions (set a key in the scenario to change it):\n  load_balancer.propagation_delay = weibull scale=12s shape=1.5 (default: ")
	assert.Contains(t, tb.String(), "fleet.price_per_hour = 0 (default) WARNING: cost will read 0")

	rows := []sweep.Row{testRow(0), testRow(30)}
	rec := testRecommendation(rows)
	rec.Assumptions = as
	s := Sweep{Scenario: "x", Seed: 1, Replications: 2, Assumptions: as, Rows: rows, Recommendation: rec}
	var st, rt bytes.Buffer
	require.NoError(t, WriteSweepTable(&st, s))
	require.NoError(t, WriteRecommendationTable(&rt, rec))
	for _, out := range []string{st.String(), rt.String()} {
		assert.Contains(t, out, "  app.on_sigterm = \"graceful\" (default: ")
		assert.Contains(t, out, "WARNING: cost will read 0")
	}

	var js bytes.Buffer
	require.NoError(t, WriteJSON(&js, s))
	var top struct {
		Assumptions    []model.Assumption         `json:"assumptions"`
		Recommendation map[string]json.RawMessage `json:"recommendation"`
	}
	require.NoError(t, json.Unmarshal(js.Bytes(), &top))
	assert.Equal(t, as, top.Assumptions)
	assert.NotContains(t, top.Recommendation, "assumptions", "written once, at the top")

	var cb bytes.Buffer
	require.NoError(t, WriteCSVComment(&cb, as))
	require.NoError(t, WriteRowsCSV(&cb, rows))
	first, _, _ := strings.Cut(cb.String(), "\n")
	assert.True(t, strings.HasPrefix(first, "# assumptions (* = default): load_balancer.propagation_delay=weibull scale=12s shape=1.5*;"), first)
	assert.Contains(t, first, "fleet.price_per_hour=0* (cost will read 0)")
	r := csv.NewReader(&cb)
	r.Comment = '#'
	recs, err := r.ReadAll()
	require.NoError(t, err)
	assert.Len(t, recs, 3, "header and two rows after the comment")
}
