package sweep

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/scenarios"
)

// testPart runs shard k of n of a small sweep of rich() and returns it.
func testPart(t *testing.T, k, n int) (*Part, []time.Duration, int) {
	t.Helper()
	cfg := rich()
	cfg.Fleet.PricePerHour = 0.0123 // costs that are not round numbers
	delays := []time.Duration{0, 7 * time.Second, 30 * time.Second}
	const reps = 4
	id, err := NewIdentity(cfg, delays, reps, Criteria{DropCost: 0.05, MaxDropped: 1.5})
	require.NoError(t, err)
	cells := Shard(delays, reps, k, n)
	outs, err := RunCells(context.Background(), cfg, cells, Options{})
	require.NoError(t, err)
	p := &Part{Program: "drainsim test", Sweep: id, Config: cfg, Shard: k, Shards: n, Complete: true}
	for i, c := range cells {
		p.Cells = append(p.Cells, CellOutcome{Cell: c, Outcome: outs[i]})
	}
	return p, delays, reps
}

func encode(t *testing.T, p *Part) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, WritePart(&b, p))
	return b.String()
}

func TestPartRoundTrip(t *testing.T) {
	// Written and read back, a part gives the same outcomes, and so the
	// same rows, bit for bit; written again, the same bytes.
	p, delays, reps := testPart(t, 0, 1)
	text := encode(t, p)
	q, err := ReadPart(strings.NewReader(text))
	require.NoError(t, err)
	assert.Equal(t, p.Sweep, q.Sweep)
	assert.Equal(t, p.Config, q.Config)
	assert.Equal(t, text, encode(t, q))
	require.Len(t, q.Cells, len(p.Cells))
	for i := range p.Cells {
		a, b := p.Cells[i], q.Cells[i]
		assert.Equal(t, a.Cell, b.Cell)
		assert.Equal(t, jsonOf(t, a.Outcome), jsonOf(t, b.Outcome))
	}
	costs := Costs{DropCost: 0.05}
	for i, d := range delays {
		var x, y []Outcome
		for j := i * reps; j < (i+1)*reps; j++ {
			x, y = append(x, p.Cells[j].Outcome), append(y, q.Cells[j].Outcome)
		}
		assert.Equal(t, jsonOf(t, RowOf(d, x, costs)), jsonOf(t, RowOf(d, y, costs)))
	}
	// One line per cell.
	assert.Equal(t, len(p.Cells), strings.Count(text, "\n    {\"delay_s\""))

	// Every count of an Outcome survives, those rich() leaves at zero
	// too.
	o := &p.Cells[0].Outcome
	o.ELB502, o.ELB503, o.ELB504, o.Resets, o.ConnectionCuts = 11, 12, 13, 14, 15
	o.ELB5xx = 11 + 12 + 13
	q, err = ReadPart(strings.NewReader(encode(t, p)))
	require.NoError(t, err)
	assert.Equal(t, jsonOf(t, *o), jsonOf(t, q.Cells[0].Outcome))

	// An empty part (more shards than cells) reads back too.
	p.Cells, p.Shard, p.Shards = nil, 13, 20
	q, err = ReadPart(strings.NewReader(encode(t, p)))
	require.NoError(t, err)
	assert.Empty(t, q.Cells)
	assert.Equal(t, 13, q.Shard)
}

// reseal replaces the content checksum of an edited part with that of
// its new content, as a careful hand edit would: ReadPart must then
// still refuse what is wrong with the values.
func reseal(t *testing.T, text string) string {
	t.Helper()
	i := strings.LastIndex(text, contentKey)
	require.Positive(t, i)
	sum := sha256.Sum256([]byte(text[:i]))
	return text[:i] + contentKey + hex.EncodeToString(sum[:]) + "\"\n}\n"
}

func TestReadPartChecksum(t *testing.T) {
	// Any edit of the content without updating content_sha256 is
	// refused, and so is a file without it (format 1 had none).
	p, _, _ := testPart(t, 1, 2)
	good := encode(t, p)
	_, err := ReadPart(strings.NewReader(reseal(t, good)))
	require.NoError(t, err)
	for _, c := range []struct{ from, to string }{
		{`"dropped":10,`, `"dropped":11,`},
		{`"program": "drainsim test"`, `"program": "drainsim other"`},
		{`"complete": true`, `"complete": false`},
		{"\n    {\"delay_s\"", "\n    {\"delay_s\"  "}, // white space only
	} {
		require.Contains(t, good, c.from)
		_, err := ReadPart(strings.NewReader(strings.Replace(good, c.from, c.to, 1)))
		require.Error(t, err, c.from)
		assert.Contains(t, err.Error(), "its content's sha256 is ", c.from)
		assert.Contains(t, err.Error(), "the file was edited or damaged", c.from)
	}
	i := strings.LastIndex(good, contentKey)
	_, err = ReadPart(strings.NewReader(good[:i] + "\n}\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no content_sha256 at its end")
}

func TestReadPartRejects(t *testing.T) {
	p, _, _ := testPart(t, 1, 2)
	good := encode(t, p)
	first := strings.Index(good, "\n    {\"delay_s\"") + 1
	line := strings.TrimSuffix(good[first:strings.Index(good[first:], "\n")+first], ",")
	for _, c := range []struct {
		name, from, to, err string
	}{
		{"not json", "{", "[", "not a drainsim part file"},
		{"format", PartFormat, "drainsim-part/0", `format "drainsim-part/0"`},
		{"unknown key", `"complete": true`, `"complete": true, "extra": 1`, "unknown field"},
		{"edited grid", `"replications": 4`, `"replications": 5`, "the file was edited"},
		{"edited config", `"Targets": 2`, `"Targets": 3`, "configuration's sha256"},
		{"causes", `"killed"`, `"shot"`, "written by another version"},
		{"cause count", `"by_cause":[`, `"by_cause":[0,`, "causes, not"},
		{"classes", `"class_dropped":[`, `"class_dropped":[0,`, "traffic classes, not 2"},
		{"replication", `"rep":`, `"rep":9`, "replication 9"},
		{"duplicate", line, line + ",\n" + line, "appears twice"},
		{"shard", `"shard": 1`, `"shard": 2`, "shard 2 of 2"},
		// Values no sweep writes (issue 11: a hand-edited part was
		// accepted and printed).
		{"dropped huge", `"dropped":10,`, `"dropped":1000000,`, "the drops by cause add up to 10, not dropped = 1000000"},
		{"dropped negative", `"dropped":10,"by_cause":[10,`, `"dropped":-5,"by_cause":[-5,`, "dropped = -5: a count is never negative"},
		{"by cause negative", `"dropped":10,"by_cause":[10,0,`, `"dropped":10,"by_cause":[15,-5,`, "dropped by cause killed = -5"},
		{"class sum", `"class_dropped":[0,10]`, `"class_dropped":[0,9]`, "the drops by traffic class add up to 9, not dropped = 10"},
		{"class negative", `"class_dropped":[0,10]`, `"class_dropped":[-1,11]`, "traffic class api dropped -1"},
		{"5xx sum", `"elb_5xx":16,`, `"elb_5xx":17,`, "elb_502 + elb_503 + elb_504 = 16, not elb_5xx = 17"},
		{"retries negative", `"retries":16,`, `"retries":-16,`, "retries = -16"},
		{"cost negative", `"cost_usd":0.000023916666666666668`, `"cost_usd":-1`, "cost_usd = -1: want finite and non-negative"},
		{"drain negative", `"drains_ns":[7000000000]`, `"drains_ns":[-7000000000]`, "drains_ns has -7000000000"},
		{"delay off grid", `{"delay_s":7,"rep":1,`, `{"delay_s":8,"rep":1,`, "delay 8s is not on the sweep's grid (0s,7s,30s)"},
		{"replication negative", `"rep":1,`, `"rep":-1,`, "replication -1 is outside 0–3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			require.Contains(t, good, c.from)
			_, err := ReadPart(strings.NewReader(reseal(t, strings.Replace(good, c.from, c.to, 1))))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.err)
		})
	}
	_, err := ReadPart(strings.NewReader(good + "{}"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "more than one JSON value")
}

func TestReadPartCheckpointDelays(t *testing.T) {
	// A checkpoint (Shards 0) also holds the delays the recommendation
	// refines: whole seconds from a grid delay, within 0s–3600s. Others
	// are refused.
	p, _, _ := testPart(t, 0, 1)
	p.Shards, p.Complete = 0, false
	good := encode(t, p)
	from := `{"delay_s":7,"rep":1,`
	require.Contains(t, good, from)
	for _, c := range []struct {
		delay string
		err   string
	}{
		{"19", ""},
		{"3600", ""},
		{"7.5", "delay 7.5s is neither on the sweep's grid"},
		{"3601", "delay 1h0m1s is neither on the sweep's grid"},
		{"-1", "delay -1s is neither on the sweep's grid"},
	} {
		_, err := ReadPart(strings.NewReader(reseal(t, strings.Replace(good, from, `{"delay_s":`+c.delay+`,"rep":1,`, 1))))
		if c.err == "" {
			assert.NoError(t, err, c.delay)
			continue
		}
		require.Error(t, err, c.delay)
		assert.Contains(t, err.Error(), c.err)
	}
}

func TestIdentityDiff(t *testing.T) {
	cfg := small()
	delays := []time.Duration{0, 10 * time.Second}
	a, err := NewIdentity(cfg, delays, 4, Criteria{})
	require.NoError(t, err)
	b := a
	assert.Nil(t, a.Diff(b))
	assert.Equal(t, a.ID(), b.ID())

	other := *cfg
	other.Fleet.Targets = 3
	b, err = NewIdentity(&other, []time.Duration{0, 5 * time.Second}, 8, Criteria{DropCost: 1, MaxDropped: 2})
	require.NoError(t, err)
	b.Seed = 9
	d := a.Diff(b)
	assert.Len(t, d, 6)
	assert.Contains(t, d[0], "a different configuration")
	assert.Equal(t, "delays 0s,5s, not 0s,10s", d[1])
	assert.Equal(t, "8 replications, not 4", d[2])
	assert.Equal(t, "seed 9, not 1", d[3])
	assert.NotEqual(t, a.ID(), b.ID())

	b = a
	b.Scenario = "x"
	assert.Equal(t, []string{`scenario "x", not "small"`}, a.Diff(b))
}

func TestConfigJSONRoundTrip(t *testing.T) {
	// A part carries its configuration as JSON; merge runs the
	// recommendation's refinement from it, so it must read back equal to
	// the scenario as loaded (and hash the same).
	for _, name := range scenarios.Names() {
		t.Run(name, func(t *testing.T) {
			cfg, err := scenarios.Builtin(name)
			require.NoError(t, err)
			b, err := json.Marshal(cfg)
			require.NoError(t, err)
			var back model.Config
			require.NoError(t, json.Unmarshal(b, &back))
			assert.Equal(t, cfg, &back)
			h1, err := ConfigHash(cfg)
			require.NoError(t, err)
			h2, err := ConfigHash(&back)
			require.NoError(t, err)
			assert.Equal(t, h1, h2)
		})
	}
}
