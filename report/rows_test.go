package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/sweep"
)

// testRow is a row at delay d whose figures are awkward to print: values
// with no short decimal form, tiny and huge ones.
func testRow(d float64) sweep.Row {
	r := sweep.Row{
		DelayS: d, Replications: 7,
		DroppedMean: 2.0 / 3, DroppedCI95: [2]float64{-0.1 + 0.2, 0.1 + 0.2},
		DroppedByCause:     map[string]float64{},
		DroppedByCauseCI95: map[string][2]float64{},
		DroppedByClass: []sweep.ClassDrops{
			{Name: "api", Kind: "request", DroppedMean: 1e-300, DroppedCI95: [2]float64{-1e-300, 3e-300}},
			{Name: "ws, \"quoted\"", Kind: "connection", DroppedMean: 1.0 / 7, DroppedCI95: [2]float64{0, 1e300}},
		},
		PAnyDrop: 3.0 / 7, PAnyDropCI95: [2]float64{0.1, 0.9},
		DrainSMean: d / 3, DrainSP95: d * 0.95, ScaleInSMean: d/3 + 1, ScaleInSP95: d + 1.5,
		InstanceCostUSDMean: 1.23456789e-5, DropCostUSDMean: 0.5 * 2 / 3, TotalCostUSDMean: 1.23456789e-5 + 1.0/3,
		TotalCostUSDCI95: [2]float64{0.2, 0.4},
		ELB5xxMean:       1.5, RetriesMean: 0.25, ReconnectsMean: 3, ReconnectPeakPerSMean: 12.5,
		Events:     1 << 40,
		ELB502Mean: 0.5, ELB503Mean: 0.25, ELB504Mean: 0.75, ResetsMean: 1.0 / 3, ConnectionCutsMean: 2.5,
	}
	for c := range model.NumCauses {
		v := float64(c) / 3
		r.DroppedByCause[c.String()] = v
		r.DroppedByCauseCI95[c.String()] = [2]float64{v - 0.1, v + 0.1}
	}
	return r
}

// flatten returns the JSON values of a row by CSV column name: pairs
// [low, high] as K_low and K_high, maps as K.key, and the per-class
// drops as dropped_by_class.NAME and dropped_by_class_ci95.NAME_low/high.
func flatten(t *testing.T, r sweep.Row) map[string]float64 {
	t.Helper()
	b, err := json.Marshal(r)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	out := map[string]float64{}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case float64:
			out[key] = v
		case []any:
			if key == "dropped_by_class" {
				for _, c := range v {
					c := c.(map[string]any)
					name := c["name"].(string)
					out["dropped_by_class."+name] = c["dropped_mean"].(float64)
					walk("dropped_by_class_ci95."+name, c["dropped_ci95"])
				}
				return
			}
			require.Len(t, v, 2, key)
			walk(key+"_low", v[0])
			walk(key+"_high", v[1])
		case map[string]any:
			for k, x := range v {
				walk(key+"."+k, x)
			}
		case nil: // an analytic figure that does not apply: an empty cell
			out[key] = math.NaN()
		default:
			t.Fatalf("%s: unexpected %T", key, v)
		}
	}
	for k, v := range m {
		walk(k, v)
	}
	return out
}

func TestWriteRowsCSV(t *testing.T) {
	rows := []sweep.Row{testRow(0), testRow(30), testRow(3600)}
	var b bytes.Buffer
	require.NoError(t, WriteRowsCSV(&b, rows))
	recs, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 4)
	head := recs[0]

	// Every JSON value has a column, and every column a JSON value.
	want := flatten(t, rows[0])
	assert.Len(t, head, len(want))
	for _, h := range head {
		_, ok := want[h]
		assert.True(t, ok, "column %s is not in the JSON", h)
	}
	// The columns come in the documented order.
	assert.Equal(t, []string{"delay_s", "replications", "dropped_mean", "dropped_ci95_low", "dropped_ci95_high",
		"dropped_by_cause.delay_expired"}, head[:6])
	assert.Equal(t, []string{"connection_cuts_mean", "analytic_dropped", "analytic_drain_s"}, head[len(head)-3:])

	// Values read back exactly; null is an empty cell.
	rows[1].AnalyticDropped, rows[1].AnalyticDrainS = sweep.Some(0), sweep.Some(0)
	rows[2].AnalyticDropped, rows[2].AnalyticDrainS = sweep.Some(1.0/3), sweep.Some(3599.9)
	b.Reset()
	require.NoError(t, WriteRowsCSV(&b, rows))
	recs, err = csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	for i, r := range rows {
		want := flatten(t, r)
		for j, h := range head {
			if math.IsNaN(want[h]) {
				assert.Empty(t, recs[i+1][j], "row %d, %s", i, h)
				continue
			}
			got, err := strconv.ParseFloat(recs[i+1][j], 64)
			require.NoError(t, err, "%s = %q", h, recs[i+1][j])
			assert.Equal(t, want[h], got, "row %d, %s", i, h)
		}
	}
	assert.Contains(t, head, `dropped_by_class.ws, "quoted"`)
}

func TestWriteRowsCSVEdges(t *testing.T) {
	t.Run("no rows", func(t *testing.T) {
		var b bytes.Buffer
		require.NoError(t, WriteRowsCSV(&b, nil))
		assert.Equal(t, 1, strings.Count(b.String(), "\n"))
		assert.True(t, strings.HasPrefix(b.String(), "delay_s,replications,"))
		assert.NotContains(t, b.String(), "dropped_by_class")
	})
	t.Run("negative zero and missing values", func(t *testing.T) {
		r := testRow(10)
		r.DroppedMean = math.Copysign(0, -1)
		r.DroppedByCause["zz_future"] = 4
		r2 := testRow(20)
		r2.DroppedByClass = r2.DroppedByClass[:1]
		var b bytes.Buffer
		require.NoError(t, WriteRowsCSV(&b, []sweep.Row{r, r2}))
		recs, err := csv.NewReader(&b).ReadAll()
		require.NoError(t, err)
		col := func(name string) int {
			for i, h := range recs[0] {
				if h == name {
					return i
				}
			}
			t.Fatalf("no column %s", name)
			return -1
		}
		assert.Equal(t, "0", recs[1][col("dropped_mean")])
		// Unknown causes after the model's; absent values empty.
		assert.Equal(t, "4", recs[1][col("dropped_by_cause.zz_future")])
		assert.Greater(t, col("dropped_by_cause.zz_future"), col("dropped_by_cause.unhealthy_reset"))
		assert.Equal(t, "", recs[2][col("dropped_by_cause.zz_future")])
		assert.Equal(t, "", recs[2][col(`dropped_by_class.ws, "quoted"`)])
	})
	t.Run("write error", func(t *testing.T) {
		f := &failWriter{}
		assert.ErrorIs(t, WriteRowsCSV(f, []sweep.Row{testRow(0)}), errWrite)
		assert.Equal(t, 1, f.calls)
	})
}

// results.csv names the sweep on every row (scenario, seed, criterion),
// so that the files of several sweeps concatenate; the rest of each row
// is WriteRowsCSV's. Before, it held the rows alone.
func TestWriteSweepCSV(t *testing.T) {
	rows := []sweep.Row{testRow(0), testRow(30)}
	s := Sweep{Scenario: `a, "b"`, Seed: 18446744073709551615, Rows: rows, Recommendation: testRecommendation(rows),
		Assumptions: []model.Assumption{{Key: "fleet.price_per_hour", Value: "0.1"}}}
	var b, plain, comment bytes.Buffer
	require.NoError(t, WriteSweepCSV(&b, s))
	require.NoError(t, WriteRowsCSV(&plain, rows))
	require.NoError(t, WriteCSVComment(&comment, s.Assumptions))
	require.True(t, strings.HasPrefix(b.String(), comment.String()), "the assumptions line first")

	r := csv.NewReader(strings.NewReader(b.String()))
	r.Comment = '#'
	recs, err := r.ReadAll()
	require.NoError(t, err)
	want, err := csv.NewReader(&plain).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 3)
	assert.Equal(t, []string{"scenario", "seed", "criterion"}, recs[0][:3])
	for i, rec := range recs {
		assert.Equal(t, want[i], rec[3:], "line %d", i)
		if i > 0 {
			assert.Equal(t, []string{`a, "b"`, "18446744073709551615", "upper 95% bound of dropped per scale-in ≤ 1"}, rec[:3])
		}
	}

	s.Recommendation = nil
	b.Reset()
	require.NoError(t, WriteSweepCSV(&b, s))
	r = csv.NewReader(strings.NewReader(b.String()))
	r.Comment = '#'
	recs, err = r.ReadAll()
	require.NoError(t, err)
	assert.Equal(t, "", recs[1][2], "no recommendation, no criterion")

	f := &failWriter{}
	assert.ErrorIs(t, WriteSweepCSV(f, s), errWrite)
	assert.Equal(t, 1, f.calls, "one write")
}

// testRecommendation marks 30 s recommended and cost-optimal and an
// off-grid 13 s as the rule of thumb.
func testRecommendation(rows []sweep.Row) *sweep.Recommendation {
	d := 30.0
	rec := &sweep.Recommendation{
		Scenario: "small", Replications: 7, MaxDropped: 1, DropCost: 0.5,
		Criterion: "upper 95% bound of dropped per scale-in ≤ 1", Status: "recommended",
		RecommendedDelayS: &d, Recommended: &rows[1],
		CostOptimalDelayS: 30, CostOptimal: rows[1],
		RuleOfThumbDelayS: 13, RuleOfThumb: testRow(13), RequestP99S: 10,
		Explanation: []string{"Rule of thumb: short.", strings.Repeat("word ", 30) + "end."},
		Rows:        rows,
	}
	rec.RuleOfThumb.DroppedByCause = map[string]float64{"killed": 0.5, "delay_expired": 2, "no_target": 0.5, "refused": 0}
	return rec
}

func TestWriteRowsTable(t *testing.T) {
	rows := []sweep.Row{testRow(0), testRow(30), testRow(60)}
	rec := testRecommendation(rows)
	var b bytes.Buffer
	require.NoError(t, WriteRowsTable(&b, rows, rec))
	ls := lines(t, b.String())
	require.Len(t, ls, 5, "header, 3 rows and the off-grid rule of thumb")
	assert.True(t, strings.HasPrefix(ls[0], "delay (s)  reps  dropped mean [95 % CI]  P(any drop)  top causes"), ls[0])
	delays := []string{"0", "13", "30", "60"}
	for i, d := range delays {
		assert.Equal(t, d, strings.Fields(ls[i+1])[0])
	}
	assert.True(t, strings.HasSuffix(ls[2], "← rule of thumb"), ls[2])
	assert.True(t, strings.HasSuffix(ls[3], "← recommended, cost-optimal"), ls[3])
	assert.True(t, strings.HasSuffix(ls[4], "0.333346"), "no marker: %q", ls[4])

	// Numbers right-aligned under their headers; top causes left-aligned,
	// largest first, at most two.
	for _, col := range []string{"delay (s)", "P(any drop)", "total (USD)"} {
		end := strings.Index(ls[0], col) + len(col)
		for _, l := range ls[1:] {
			assert.NotEqual(t, ' ', rune(l[end-1]), "%s: %q", col, l)
			assert.True(t, end == len(l) || l[end] == ' ', "%s: %q", col, l)
		}
	}
	start := strings.Index(ls[0], "top causes")
	assert.True(t, strings.HasPrefix(ls[2][start:], "delay_expired 2.00, killed 0.50  "), ls[2])
	assert.True(t, strings.HasPrefix(ls[1][start:], "unreachable 2.00, unhealthy_reset 1.67  "), ls[1])
	assert.Contains(t, ls[1], "0.67 [0.10, 0.30]")

	// Without a recommendation, no marker column.
	b.Reset()
	require.NoError(t, WriteRowsTable(&b, rows, nil))
	ls = lines(t, b.String())
	assert.Len(t, ls, 4)
	assert.NotContains(t, b.String(), "←")

	// No drops: "-".
	r := testRow(5)
	for k := range r.DroppedByCause {
		r.DroppedByCause[k] = 0
	}
	assert.Equal(t, "-", topCauseText(r))
}

// TestRetriesHideFailures: when a row drops nothing but its clients
// retried failed attempts (84.6 ELB 5xx per scale-in), the tables show
// the ELB 5xx and retries; without retries there is no such column
// (issue #12: the tables showed only "dropped 0").
func TestRetriesHideFailures(t *testing.T) {
	hidden := testRow(30)
	hidden.DroppedMean, hidden.DroppedCI95, hidden.ELB5xxMean, hidden.RetriesMean = 0, [2]float64{0, 0}, 84.6, 84.6
	plain := testRow(60)
	plain.ELB5xxMean, plain.RetriesMean = plain.DroppedMean, 0
	d := 30.0
	rec := &sweep.Recommendation{Status: "recommended", RecommendedDelayS: &d, Recommended: &hidden,
		CostOptimal: hidden, RuleOfThumb: plain, RuleOfThumbDelayS: 60}

	var b bytes.Buffer
	require.NoError(t, WriteRowsTable(&b, []sweep.Row{hidden, plain}, nil))
	assert.Contains(t, b.String(), retriedHead)
	assert.Contains(t, b.String(), "84.60/84.60")
	b.Reset()
	require.NoError(t, WriteRecommendationTable(&b, rec))
	assert.Contains(t, b.String(), retriedHead)
	assert.Contains(t, b.String(), "84.60/84.60")

	b.Reset()
	require.NoError(t, WriteRowsTable(&b, []sweep.Row{plain}, nil))
	assert.NotContains(t, b.String(), retriedHead)
	b.Reset()
	rec = &sweep.Recommendation{Status: "none", CostOptimal: plain, RuleOfThumb: plain, RuleOfThumbDelayS: 60}
	require.NoError(t, WriteRecommendationTable(&b, rec))
	assert.NotContains(t, b.String(), retriedHead)
}

func TestWriteSweepTable(t *testing.T) {
	rows := []sweep.Row{testRow(0), testRow(30), testRow(60)}
	s := Sweep{Scenario: "small", Seed: 4, Replications: 7, Rows: rows, Recommendation: testRecommendation(rows)}
	var b bytes.Buffer
	require.NoError(t, WriteSweepTable(&b, s))
	out := b.String()
	ls := lines(t, out)
	assert.Equal(t, []string{
		"scenario                  small",
		"seed                      4",
		"replications per delay    7",
		"criterion                 upper 95% bound of dropped per scale-in ≤ 1",
		"drop cost (USD per drop)  0.5",
		"",
	}, ls[:6])
	assert.Contains(t, out, "\n\n- Rule of thumb: short.\n- word word")
	// The widest row: eleven columns (ELB 5xx/retries: testRow's
	// retries hide failures), two causes and a mark.
	require.Contains(t, out, retriedHead)
	for _, l := range ls {
		assert.LessOrEqual(t, len([]rune(l)), 225)
	}

	// Unnamed, no recommendation: no criteria, no marks, no explanation.
	b.Reset()
	require.NoError(t, WriteSweepTable(&b, Sweep{Rows: rows}))
	out = b.String()
	assert.True(t, strings.HasPrefix(out, "scenario                (unnamed)\n"), out)
	assert.NotContains(t, out, "criterion")
	assert.NotContains(t, out, "←")
	assert.NotContains(t, out, "\n- ")
}

func TestWriteRecommendationTable(t *testing.T) {
	rows := []sweep.Row{testRow(0), testRow(30), testRow(60)}
	rec := testRecommendation(rows)
	var b bytes.Buffer
	require.NoError(t, WriteRecommendationTable(&b, rec))
	ls := lines(t, b.String())
	assert.Equal(t, "delays searched (s)       0–60, step 30 (3 delays)", ls[5])
	var body []string
	for _, l := range ls {
		if strings.HasPrefix(l, "recommended") || strings.HasPrefix(l, "cost-optimal") || strings.HasPrefix(l, "rule of thumb") {
			body = append(body, l)
		}
	}
	require.Len(t, body, 3)
	assert.Equal(t, "30", strings.Fields(body[0])[1])
	assert.Equal(t, "30", strings.Fields(body[1])[1])
	assert.True(t, strings.HasPrefix(body[2], "rule of thumb (p99 10.0 s × 1.25)  "), body[2])
	assert.Contains(t, body[2], " 13 ")
	// The explanation is wrapped at 80 columns, with a hanging indent.
	w15 := strings.TrimSpace(strings.Repeat("word ", 15))
	assert.Equal(t, []string{"- Rule of thumb: short.", "- " + w15, "  " + w15, "  end."}, ls[len(ls)-4:])

	// No delay meets the bound.
	rec.RecommendedDelayS, rec.Recommended = nil, nil
	b.Reset()
	require.NoError(t, WriteRecommendationTable(&b, rec))
	assert.Regexp(t, `\nrecommended +none\n`, b.String())

	f := &failWriter{}
	assert.ErrorIs(t, WriteRecommendationTable(f, rec), errWrite)
}

func TestGridText(t *testing.T) {
	rows := func(ds ...float64) []sweep.Row {
		var out []sweep.Row
		for _, d := range ds {
			out = append(out, sweep.Row{DelayS: d})
		}
		return out
	}
	assert.Equal(t, "none", gridText(nil))
	assert.Equal(t, "30 (1 delay)", gridText(rows(30)))
	assert.Equal(t, "0, 30 (2 delays)", gridText(rows(0, 30)))
	assert.Equal(t, "0–300, step 10 (31 delays)", gridText(rows(0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130,
		140, 150, 160, 170, 180, 190, 200, 210, 220, 230, 240, 250, 260, 270, 280, 290, 300)))
	assert.Equal(t, "0, 30, 60, 120 (4 delays)", gridText(rows(0, 30, 60, 120)))
}

func TestWrap(t *testing.T) {
	assert.Equal(t, []string{"a b", "c"}, wrap("a b c", 3))
	assert.Equal(t, []string{"a", "toolongword", "b"}, wrap("a toolongword b", 5))
	assert.Nil(t, wrap("   ", 5))
	assert.Equal(t, []string{"×× ××", "×"}, wrap("×× ×× ×", 5), "runes, not bytes")
}

func TestSweepJSON(t *testing.T) {
	rows := []sweep.Row{testRow(0), testRow(30)}
	s := Sweep{Scenario: "small", Seed: 4, Replications: 7, Rows: rows, Recommendation: testRecommendation(rows)}
	var b bytes.Buffer
	require.NoError(t, WriteJSON(&b, s))
	out := b.String()

	var top map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b.Bytes(), &top))
	var keys []string
	for k := range top {
		keys = append(keys, k)
	}
	assert.ElementsMatch(t, []string{"scenario", "seed", "replications", "rows", "recommendation"}, keys)
	assert.True(t, strings.HasPrefix(out, "{\n  \"scenario\": \"small\",\n  \"seed\": 4,\n  \"replications\": 7,\n  \"rows\": ["), out[:80])

	var rec map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(top["recommendation"], &rec))
	assert.NotContains(t, rec, "rows", "the recommendation's rows repeat the top-level ones")
	for _, k := range []string{"recommended_delay_s", "cost_optimal_delay_s", "rule_of_thumb_delay_s", "explanation", "max_dropped", "drop_cost"} {
		assert.Contains(t, rec, k)
	}

	// It reads back, the recommendation without rows.
	var back Sweep
	require.NoError(t, json.Unmarshal(b.Bytes(), &back))
	assert.Equal(t, s.Rows, back.Rows)
	want := *s.Recommendation
	want.Rows = nil
	assert.Equal(t, &want, back.Recommendation)
	assert.Len(t, s.Recommendation.Rows, 2, "s itself is not changed")

	// No recommendation: null.
	b.Reset()
	require.NoError(t, WriteJSON(&b, Sweep{Rows: rows}))
	assert.Contains(t, b.String(), "\n  \"recommendation\": null\n}\n")
}
