package accesslog_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/accesslog"
)

func TestWriterLine(t *testing.T) {
	var buf bytes.Buffer
	w := accesslog.NewWriter(&buf)
	created := time.Date(2026, 11, 25, 8, 31, 1, 951456789, time.UTC)
	require.NoError(t, w.Write(accesslog.Record{
		Type:               "https",
		Time:               created.Add(172 * time.Millisecond).In(time.FixedZone("CET", 3600)),
		RequestCreated:     created,
		Client:             "192.0.2.1:2817",
		Target:             "10.0.0.1:80",
		RequestProcessing:  0.0004,
		TargetProcessing:   0.1706,
		ResponseProcessing: 0.001,
		ELBStatus:          200,
		TargetStatus:       200,
		ReceivedBytes:      120,
		SentBytes:          57,
		Request:            `GET https://example.com:443/?q="a b" HTTP/1.1`,
		UserAgent:          "curl/8.5.0",
	}))
	require.NoError(t, w.Write(accesslog.Record{
		Type: "ws", Time: created, Client: "192.0.2.1:2818",
		RequestProcessing: -1, TargetProcessing: -1, ResponseProcessing: -1,
		ELBStatus: 503, ErrorReason: "TargetGroupNotFound",
	}))
	assert.Equal(t, `https 2026-11-25T08:31:02.123456Z app/drainsim/0123456789abcdef 192.0.2.1:2817 10.0.0.1:80 0.000 0.171 0.001 200 200 120 57 "GET https://example.com:443/?q=\"a b\" HTTP/1.1" "curl/8.5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/drainsim/0123456789abcdef "Root=1-6b069cc6-000000000000000000000001" "-" "-" 0 2026-11-25T08:31:01.951456Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-" -
ws 2026-11-25T08:31:01.951456Z app/drainsim/0123456789abcdef 192.0.2.1:2818 - -1 -1 -1 503 - 0 0 "-" "-" - - arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/drainsim/0123456789abcdef "Root=1-6b069cc5-000000000000000000000002" "-" "-" - - "-" "-" "TargetGroupNotFound" "-" "-" "-" "-" -
`, buf.String())
}

// TestWriterRoundTrip writes random records and parses them back: every
// value comes back to the precision written (times truncated to the
// microsecond, processing times rounded to the millisecond).
func TestWriterRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	types := []string{"http", "https", "h2", "grpcs", "ws", "wss"}
	texts := []string{"", "GET / HTTP/1.1", `say "hi" \ bye`, `\"`, `trailing\`, "ünïcødé ✓", "-x", "a  b"}
	timing := func() float64 {
		switch r.IntN(5) {
		case 0:
			return -1
		case 1:
			return 0
		default:
			return r.ExpFloat64() * math.Pow(10, float64(r.IntN(6)-3))
		}
	}
	var recs []accesslog.Record
	for range 2000 {
		at := start.Add(time.Duration(r.Int64N(int64(48 * time.Hour))))
		rec := accesslog.Record{
			Type:               types[r.IntN(len(types))],
			Time:               at.Add(time.Duration(r.Int64N(int64(time.Hour)))),
			Client:             "198.51.100." + strconv.Itoa(r.IntN(256)) + ":" + strconv.Itoa(1024+r.IntN(60000)),
			RequestProcessing:  timing(),
			TargetProcessing:   timing(),
			ResponseProcessing: timing(),
			ELBStatus:          []int{0, 101, 200, 460, 502, 503, 504}[r.IntN(7)],
			TargetStatus:       []int{0, 101, 200, 500}[r.IntN(4)],
			ReceivedBytes:      r.Int64N(1 << 40),
			SentBytes:          r.Int64N(1 << 20),
			Request:            texts[r.IntN(len(texts))],
			UserAgent:          texts[r.IntN(len(texts))],
			ErrorReason:        texts[r.IntN(len(texts))],
		}
		if r.IntN(4) > 0 {
			rec.RequestCreated = at
		}
		if r.IntN(4) > 0 {
			rec.Target = "10.0.0." + strconv.Itoa(r.IntN(256)) + ":80"
		}
		recs = append(recs, rec)
	}
	var buf bytes.Buffer
	w := accesslog.NewWriter(&buf)
	for _, rec := range recs {
		require.NoError(t, w.Write(rec))
	}
	st, es, err := parseAll(t, &buf, "round.log")
	require.NoError(t, err)
	require.Zero(t, st.MalformedLines, "%v", st.Malformed)
	require.Len(t, es, len(recs))
	ms := func(v float64) float64 {
		if v == -1 {
			return -1
		}
		x, err := strconv.ParseFloat(strconv.FormatFloat(v, 'f', 3, 64), 64)
		require.NoError(t, err)
		return x
	}
	dash := func(s string) string {
		if s == "-" {
			return ""
		}
		return s
	}
	for i, rec := range recs {
		e := es[i]
		assert.Equal(t, rec.Type, e.Type)
		assert.Equal(t, rec.Time.Truncate(time.Microsecond), e.Time)
		assert.Equal(t, rec.RequestCreated.Truncate(time.Microsecond), e.RequestCreated)
		assert.Equal(t, rec.Client, e.Client)
		assert.Equal(t, rec.Target, e.Target)
		assert.Equal(t, ms(rec.RequestProcessing), e.RequestProcessing)
		assert.Equal(t, ms(rec.TargetProcessing), e.TargetProcessing)
		assert.Equal(t, ms(rec.ResponseProcessing), e.ResponseProcessing)
		assert.Equal(t, rec.ELBStatus, e.ELBStatus)
		assert.Equal(t, rec.TargetStatus, e.TargetStatus)
		assert.Equal(t, rec.ReceivedBytes, e.ReceivedBytes)
		assert.Equal(t, rec.SentBytes, e.SentBytes)
		assert.Equal(t, dash(rec.Request), e.Request)
		assert.Equal(t, dash(rec.UserAgent), e.UserAgent)
		assert.Equal(t, dash(rec.ErrorReason), e.ErrorReason)
		assert.Equal(t, rec.Target, e.TargetList)
		assert.Nil(t, e.Extra)
		if t.Failed() {
			t.Fatalf("record %d: %+v", i, rec)
		}
	}
}

// TestWriterControlCharacters: control characters are written as \xHH,
// so a line never breaks, and come back escaped.
func TestWriterControlCharacters(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, accesslog.NewWriter(&buf).Write(accesslog.Record{
		Type: "http", Time: start, Request: "GET /\r\n\tx\x7f HTTP/1.1",
	}))
	assert.Equal(t, 1, strings.Count(buf.String(), "\n"))
	_, es, err := parseAll(t, &buf, "ctl.log")
	require.NoError(t, err)
	assert.Equal(t, `GET /\x0d\x0a\x09x\x7f HTTP/1.1`, es[0].Request)
}

func TestWriterErrors(t *testing.T) {
	ok := accesslog.Record{Type: "http", Time: start}
	tests := []struct {
		name string
		edit func(*accesslog.Record)
		want string
	}{
		{"unknown type", func(r *accesslog.Record) { r.Type = "tcp" }, `record type must be http, https, h2, grpcs, ws or wss (got "tcp")`},
		{"no time", func(r *accesslog.Record) { r.Time = time.Time{} }, "record has no time"},
		{"negative timing", func(r *accesslog.Record) { r.TargetProcessing = -0.5 }, "processing time must be seconds ≥ 0 or -1 (got -0.5)"},
		{"NaN timing", func(r *accesslog.Record) { r.ResponseProcessing = math.NaN() }, "(got NaN)"},
		{"infinite timing", func(r *accesslog.Record) { r.RequestProcessing = math.Inf(1) }, "(got +Inf)"},
		{"status", func(r *accesslog.Record) { r.ELBStatus = 1000 }, "status code must be 0–999 (got 1000)"},
		{"bytes", func(r *accesslog.Record) { r.SentBytes = -1 }, "byte counts must not be negative"},
		{"space in target", func(r *accesslog.Record) { r.Target = "10.0.0.1 80" }, "client and target must be ip:port"},
		{"quote in client", func(r *accesslog.Record) { r.Client = `"x` }, "client and target must be ip:port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			rec := ok
			tt.edit(&rec)
			err := accesslog.NewWriter(&buf).Write(rec)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "accesslog: "))
			assert.Zero(t, buf.Len(), "nothing written")
		})
	}
}
