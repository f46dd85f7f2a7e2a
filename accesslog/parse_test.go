package accesslog_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/accesslog"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), string(got), "%s differs; if the change is right, run go test -update", path)
}

// parseAll parses r and returns the stats and entries.
func parseAll(t *testing.T, r io.Reader, name string) (accesslog.Stats, []accesslog.Entry, error) {
	t.Helper()
	var es []accesslog.Entry
	st, err := accesslog.Parse(r, name, func(e accesslog.Entry) error {
		es = append(es, e)
		return nil
	})
	return st, es, err
}

// TestParseGolden parses testdata/edge.log, realistic lines with the
// edge cases (escaped quotes, -1 timings, missing target, ws and wss,
// extra fields, an older shorter format, CR LF, blank, truncated and
// otherwise malformed lines), and compares every field with
// testdata/edge.golden.
func TestParseGolden(t *testing.T) {
	f, err := os.Open("testdata/edge.log")
	require.NoError(t, err)
	defer f.Close()
	st, es, err := parseAll(t, f, "edge.log")
	require.NoError(t, err)
	out, err := json.MarshalIndent(struct {
		Stats   accesslog.Stats   `json:"stats"`
		Entries []accesslog.Entry `json:"entries"`
	}{st, es}, "", "  ")
	require.NoError(t, err)
	golden(t, "edge.golden", append(out, '\n'))
}

// TestParseEdgeCases checks the edge cases of testdata/edge.log one by
// one, independently of the golden file.
func TestParseEdgeCases(t *testing.T) {
	st, es, err := func() (accesslog.Stats, []accesslog.Entry, error) {
		f, err := os.Open("testdata/edge.log")
		require.NoError(t, err)
		defer f.Close()
		return parseAll(t, f, "edge.log")
	}()
	require.NoError(t, err)

	assert.Equal(t, 18, st.Lines)
	assert.Equal(t, 9, st.Entries)
	assert.Equal(t, 2, st.Blank)
	assert.Equal(t, 7, st.MalformedLines)
	require.Len(t, st.Malformed, accesslog.MaxMalformed)
	lines := []int{}
	for _, m := range st.Malformed {
		assert.Equal(t, "edge.log", m.File)
		lines = append(lines, m.Line)
	}
	assert.Equal(t, []int{9, 10, 12, 13, 14}, lines)
	assert.Contains(t, st.Malformed[0].Msg, "unterminated")
	assert.Contains(t, st.Malformed[1].Msg, "truncated: 12 fields")
	assert.Contains(t, st.Malformed[2].Msg, "type")
	assert.Contains(t, st.Malformed[3].Msg, "field 2 (time)")
	assert.Contains(t, st.Malformed[4].Msg, "field 7 (target_processing_time)")
	assert.Equal(t, "edge.log:9: unterminated quoted field", st.Malformed[0].Error())

	require.Len(t, es, 9)
	byType := func(typ string) accesslog.Entry {
		for _, e := range es {
			if e.Type == typ {
				return e
			}
		}
		t.Fatalf("no %s entry", typ)
		return accesslog.Entry{}
	}

	t.Run("full https line", func(t *testing.T) {
		e := es[0]
		assert.Equal(t, "https", e.Type)
		assert.Equal(t, time.Date(2026, 11, 25, 8, 31, 2, 123456000, time.UTC), e.Time)
		assert.Equal(t, time.Date(2026, 11, 25, 8, 31, 1, 951456000, time.UTC), e.RequestCreated)
		assert.Equal(t, "app/my-loadbalancer/50dc6c495c0c9188", e.ELB)
		assert.Equal(t, "192.168.131.39:2817", e.Client)
		assert.Equal(t, "10.0.0.1:80", e.Target)
		assert.Equal(t, []float64{0.086, 0.048, 0.037}, []float64{e.RequestProcessing, e.TargetProcessing, e.ResponseProcessing})
		assert.Equal(t, 200, e.ELBStatus)
		assert.Equal(t, 200, e.TargetStatus)
		assert.Equal(t, int64(0), e.ReceivedBytes)
		assert.Equal(t, int64(57), e.SentBytes)
		assert.Equal(t, "GET https://www.example.com:443/ HTTP/1.1", e.Request)
		assert.Equal(t, "curl/7.46.0", e.UserAgent)
		assert.Equal(t, "TLSv1.2", e.SSLProtocol)
		assert.Equal(t, "Root=1-58337281-1d84f3d73c47ec4e58577259", e.TraceID)
		assert.Equal(t, "1", e.MatchedRulePriority)
		assert.Equal(t, "authenticate,forward", e.ActionsExecuted)
		assert.Equal(t, "", e.RedirectURL)
		assert.Equal(t, "10.0.0.1:80", e.TargetList)
		assert.Equal(t, "200", e.TargetStatusList)
		assert.Equal(t, "TID_1234abcd5678ef90", e.ConnTraceID)
		assert.Nil(t, e.Extra)
		d, ok := e.Duration()
		assert.True(t, ok)
		assert.InDelta(t, 0.172, d, 1e-9)
		assert.Equal(t, accesslog.HTTP, e.Class())
	})
	t.Run("quoted fields with spaces and escaped quotes", func(t *testing.T) {
		e := es[1]
		assert.Equal(t, `GET http://www.example.com:80/a%20b?q="x y" HTTP/1.1`, e.Request)
		assert.Equal(t, `Mozilla/5.0 (X11; Linux x86_64) "quoted" agent \ end`, e.UserAgent)
		assert.Equal(t, 404, e.ELBStatus)
		assert.Equal(t, "", e.SSLCipher)
	})
	t.Run("not dispatched: -1 timings and no target", func(t *testing.T) {
		e := byType("h2")
		assert.Equal(t, "", e.Target)
		assert.Equal(t, []float64{-1, -1, -1}, []float64{e.RequestProcessing, e.TargetProcessing, e.ResponseProcessing})
		assert.Equal(t, 503, e.ELBStatus)
		assert.Equal(t, 0, e.TargetStatus)
		_, ok := e.Duration()
		assert.False(t, ok)
	})
	t.Run("target closed early", func(t *testing.T) {
		e := es[3]
		assert.Equal(t, -1.0, e.ResponseProcessing)
		assert.Equal(t, "TargetResponseError", e.ErrorReason)
		_, ok := e.Duration()
		assert.False(t, ok)
	})
	t.Run("websockets", func(t *testing.T) {
		for typ, want := range map[string]float64{"ws": 597, "wss": 60} {
			e := byType(typ)
			assert.Equal(t, accesslog.WebSocket, e.Class(), typ)
			assert.Equal(t, 101, e.ELBStatus, typ)
			d, ok := e.Duration()
			assert.True(t, ok, typ)
			assert.InDelta(t, want, d, 1e-9, typ)
		}
		assert.Equal(t, "", byType("ws").UserAgent)
	})
	t.Run("extra trailing fields", func(t *testing.T) {
		e := byType("grpcs")
		assert.Equal(t, []string{"a new field", "42"}, e.Extra)
		assert.Equal(t, "TID_1234abcd5678ef95", e.ConnTraceID)
		assert.Equal(t, "Acceptable", e.Classification)
	})
	t.Run("older format without creation time", func(t *testing.T) {
		e := es[7]
		assert.Equal(t, "GET http://www.example.com:80/old HTTP/1.1", e.Request)
		assert.True(t, e.RequestCreated.IsZero())
		assert.Equal(t, "", e.TargetList)
		assert.Equal(t, "", e.ConnTraceID)
		d, ok := e.Duration()
		assert.True(t, ok)
		assert.InDelta(t, 0.303, d, 1e-9, "falls back to the sum of the processing times")
		assert.Equal(t, e.Time, e.Arrival())
	})
	t.Run("CR LF", func(t *testing.T) {
		e := es[8]
		assert.Equal(t, "TID_1234abcd5678ef96", e.ConnTraceID)
		assert.Equal(t, 301, e.ELBStatus)
	})
}

// TestParseLines checks single lines, each on its own, made by editing
// one field of a well-formed line.
func TestParseLines(t *testing.T) {
	base := strings.Fields(`http 2026-11-25T08:31:03.000001Z app/lb/1 10.0.1.1:1 10.0.0.2:80 0.000 1.250 0.001 200 200 1 2 "GET" "UA" - - arn "Root" "-" "-" 0 2026-11-25T08:31:01.750001Z "forward" "-" "-" "10.0.0.2:80" "200" "-" "-" TID`)
	with := func(i int, v string) string {
		f := append([]string(nil), base...)
		f[i] = v
		return strings.Join(f, " ")
	}
	tests := []struct {
		name, line, err string
		check           func(*testing.T, accesslog.Entry)
	}{
		{name: "base", line: strings.Join(base, " "), check: func(t *testing.T, e accesslog.Entry) {
			d, ok := e.Duration()
			assert.True(t, ok)
			assert.InDelta(t, 1.25, d, 1e-9)
		}},
		{name: "zero timings", line: with(5, "0"), check: func(t *testing.T, e accesslog.Entry) { assert.Equal(t, 0.0, e.RequestProcessing) }},
		{name: "negative timing other than -1", line: with(6, "-0.5"), err: "field 7 (target_processing_time): want seconds or -1"},
		{name: "NaN timing", line: with(6, "NaN"), err: "want seconds or -1"},
		{name: "status dash", line: with(8, "-"), check: func(t *testing.T, e accesslog.Entry) { assert.Equal(t, 0, e.ELBStatus) }},
		{name: "status too big", line: with(9, "1000"), err: "field 10 (target_status_code)"},
		{name: "bytes dash", line: with(10, "-"), check: func(t *testing.T, e accesslog.Entry) { assert.Equal(t, int64(0), e.ReceivedBytes) }},
		{name: "negative bytes", line: with(11, "-3"), err: "field 12 (sent_bytes)"},
		{name: "bad creation time", line: with(21, "yesterday"), err: "an RFC 3339 time or -"},
		{name: "ends before it began", line: with(21, "2026-11-25T08:31:04.000000Z"), err: "field 2 (time) 2026-11-25T08:31:03.000001Z is before field 22 (request_creation_time) 2026-11-25T08:31:04.000000Z: a request cannot end before it began"},
		{name: "ends as it began", line: with(21, "2026-11-25T08:31:03.000001Z"), check: func(t *testing.T, e accesslog.Entry) {
			d, ok := e.Duration()
			assert.True(t, ok)
			assert.Zero(t, d)
		}},
		{name: "time with offset", line: with(1, "2026-11-25T09:31:03+01:00"), check: func(t *testing.T, e accesslog.Entry) {
			assert.Equal(t, time.Date(2026, 11, 25, 8, 31, 3, 0, time.UTC), e.Time)
		}},
		{name: "empty quoted field", line: with(13, `""`), check: func(t *testing.T, e accesslog.Entry) { assert.Equal(t, "", e.UserAgent) }},
		{name: "other backslash kept", line: with(13, `"a\x41\tb"`), check: func(t *testing.T, e accesslog.Entry) { assert.Equal(t, `a\x41\tb`, e.UserAgent) }},
		{name: "escaped backslash before quote", line: with(13, `"a\\"`), check: func(t *testing.T, e accesslog.Entry) { assert.Equal(t, `a\`, e.UserAgent) }},
		{name: "escaped quote at end is unterminated", line: strings.Join(base[:13], " ") + ` "a\"`, err: "unterminated quoted field"},
		{name: "runs of spaces", line: strings.Join(base, "   "), check: func(t *testing.T, e accesslog.Entry) { assert.Equal(t, "TID", e.ConnTraceID) }},
		{name: "minimum fields", line: strings.Join(base[:accesslog.MinFields], " "), check: func(t *testing.T, e accesslog.Entry) { assert.Equal(t, "", e.ActionsExecuted) }},
		{name: "one field short", line: strings.Join(base[:accesslog.MinFields-1], " "), err: "truncated: 21 fields, want at least 22 (up to request_creation_time)"},
		{name: "unknown type", line: with(0, "HTTPS"), err: `field 1 (type): want http, https, h2, grpcs, ws or wss, got "HTTPS"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, es, err := parseAll(t, strings.NewReader(tt.line+"\n"), "t.log")
			if tt.err != "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, accesslog.ErrNoEntries)
				require.Len(t, st.Malformed, 1)
				assert.Contains(t, st.Malformed[0].Msg, tt.err)
				return
			}
			require.NoError(t, err)
			require.Len(t, es, 1)
			tt.check(t, es[0])
		})
	}
}

// TestParseGzip reads testdata/edge.log gzipped, under a name without
// .gz, from a reader and from a file, and as two concatenated gzip
// members.
func TestParseGzip(t *testing.T) {
	plain, err := os.ReadFile("testdata/edge.log")
	require.NoError(t, err)
	wantSt, want, err := parseAll(t, bytes.NewReader(plain), "edge")
	require.NoError(t, err)

	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, err := zw.Write(b)
		require.NoError(t, err)
		require.NoError(t, zw.Close())
		return buf.Bytes()
	}
	compressed := gz(plain)
	path := filepath.Join(t.TempDir(), "edge.txt")
	require.NoError(t, os.WriteFile(path, compressed, 0o644))

	st, got, err := parseAll(t, bytes.NewReader(compressed), "edge")
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, wantSt, st)

	var fromFile []accesslog.Entry
	st, err = accesslog.ParseFile(path, func(e accesslog.Entry) error { fromFile = append(fromFile, e); return nil })
	require.NoError(t, err)
	assert.Equal(t, want, fromFile)
	assert.Equal(t, path, st.File)
	assert.Equal(t, path, st.Malformed[0].File)

	rc, err := accesslog.Open(path)
	require.NoError(t, err)
	text, err := io.ReadAll(rc)
	require.NoError(t, err)
	require.NoError(t, rc.Close())
	assert.Equal(t, plain, text)

	// AWS-style multi-member gzip: both halves are read.
	half := bytes.Index(plain, []byte("\nws "))
	_, got, err = parseAll(t, bytes.NewReader(append(gz(plain[:half+1]), gz(plain[half+1:])...)), "edge")
	require.NoError(t, err)
	assert.Equal(t, want, got)

	// A corrupt gzip stream is a read error that names the file.
	corrupt := append([]byte(nil), compressed[:len(compressed)/2]...)
	_, _, err = parseAll(t, bytes.NewReader(corrupt), "cut.gz")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "read cut.gz")
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

// TestOpenPlain reads a plain file named .gz as it is.
func TestOpenPlain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "looks.gz")
	require.NoError(t, os.WriteFile(path, []byte("plain\n"), 0o644))
	rc, err := accesslog.Open(path)
	require.NoError(t, err)
	defer rc.Close()
	text, err := io.ReadAll(rc)
	require.NoError(t, err)
	assert.Equal(t, "plain\n", string(text))

	_, err = accesslog.Open(filepath.Join(t.TempDir(), "missing"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// TestParseNoEntries: input without an entry is an error naming the file.
func TestParseNoEntries(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", "x.log: no ALB access log entries (0 lines)"},
		{"blank lines", "\n  \n", "x.log: no ALB access log entries (2 lines)"},
		{"all malformed", "\nnot a log line\nnor this\n", `x.log: no ALB access log entries in 3 lines (first problem: line 2: truncated: 4 fields, want at least 22 (up to request_creation_time))`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parseAll(t, strings.NewReader(tt.in), "x.log")
			require.ErrorIs(t, err, accesslog.ErrNoEntries)
			assert.EqualError(t, err, tt.want)
		})
	}
}

// TestParseCallbackError: an error from the callback stops parsing and
// comes back with the file and line.
func TestParseCallbackError(t *testing.T) {
	f, err := os.Open("testdata/edge.log")
	require.NoError(t, err)
	defer f.Close()
	stop := errors.New("stop")
	n := 0
	st, err := accesslog.Parse(f, "edge.log", func(accesslog.Entry) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	assert.ErrorIs(t, err, stop)
	assert.EqualError(t, err, "edge.log:2: stop")
	assert.Equal(t, 2, st.Entries)
}

// TestParseLongLine: a line over MaxLineBytes is malformed and the next
// one still parses.
func TestParseLongLine(t *testing.T) {
	good, err := os.ReadFile("testdata/edge.log")
	require.NoError(t, err)
	first := string(good[:bytes.IndexByte(good, '\n')+1])
	in := first + strings.Repeat("x", accesslog.MaxLineBytes+10) + "\n" + first
	st, es, err := parseAll(t, strings.NewReader(in), "long.log")
	require.NoError(t, err)
	assert.Len(t, es, 2)
	assert.Equal(t, 3, st.Lines)
	require.Len(t, st.Malformed, 1)
	assert.Equal(t, 2, st.Malformed[0].Line)
	assert.Contains(t, st.Malformed[0].Msg, "longer than")

	// A last line without "\n" is read, and a line of exactly
	// MaxLineBytes is not too long.
	st, es, err = parseAll(t, strings.NewReader(strings.TrimSuffix(first, "\n")), "nonl.log")
	require.NoError(t, err)
	assert.Len(t, es, 1)
	long := strings.TrimSuffix(first, "\n") + " " + strings.Repeat("y", accesslog.MaxLineBytes-len(first))
	require.Len(t, long, accesslog.MaxLineBytes)
	st, es, err = parseAll(t, strings.NewReader(long+"\n"), "max.log")
	require.NoError(t, err)
	assert.Equal(t, 0, st.MalformedLines)
	require.Len(t, es, 1)
	assert.Len(t, es[0].Extra[0], accesslog.MaxLineBytes-len(first))
}
