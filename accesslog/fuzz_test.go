package accesslog_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/drainsim/drainsim/accesslog"
)

// FuzzParse: the parser never panics, its counts add up, and every entry
// it returns keeps the format's invariants.
func FuzzParse(f *testing.F) {
	data, err := os.ReadFile("testdata/edge.log")
	if err != nil {
		f.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		f.Add([]byte(line + "\n"))
	}
	f.Add(data)
	var gz bytes.Buffer
	genGzip(f, &gz, data)
	f.Add(gz.Bytes())
	f.Add(gz.Bytes()[:gz.Len()/2])
	f.Add([]byte{0x1f, 0x8b})
	f.Add([]byte(`http 2026-11-25T08:31:03Z - - - 0 0 0 - - 0 0 "\" "\\" - - - "" "" "" - - "`))

	f.Fuzz(func(t *testing.T, in []byte) {
		n := 0
		st, err := accesslog.Parse(bytes.NewReader(in), "fuzz", func(e accesslog.Entry) error {
			n++
			for _, v := range []float64{e.RequestProcessing, e.TargetProcessing, e.ResponseProcessing} {
				if !(v >= 0 || v == -1) {
					t.Fatalf("processing time %v", v)
				}
			}
			if e.Time.Location() != time.UTC {
				t.Fatalf("time %v", e.Time)
			}
			if e.ELBStatus < 0 || e.ELBStatus > 999 || e.TargetStatus < 0 || e.TargetStatus > 999 {
				t.Fatalf("status %d %d", e.ELBStatus, e.TargetStatus)
			}
			if d, ok := e.Duration(); ok && !(d >= 0) {
				t.Fatalf("duration %v", d)
			}
			return nil
		})
		if n != st.Entries {
			t.Fatalf("%d entries passed, %d counted", n, st.Entries)
		}
		if st.Entries+st.Blank+st.MalformedLines > st.Lines {
			t.Fatalf("counts exceed lines: %+v", st)
		}
		if err == nil && (st.Entries == 0 || st.Entries+st.Blank+st.MalformedLines != st.Lines) {
			t.Fatalf("no error but %+v", st)
		}
		if len(st.Malformed) > accesslog.MaxMalformed || len(st.Malformed) > st.MalformedLines {
			t.Fatalf("malformed: %+v", st)
		}
		for _, m := range st.Malformed {
			if m.File != "fuzz" || m.Line < 1 || m.Line > st.Lines {
				t.Fatalf("malformed line %+v of %d", m, st.Lines)
			}
		}
	})
}

// FuzzWriterQuoted: any request line and user agent without control
// characters come back from a Write and a Parse as they were.
func FuzzWriterQuoted(f *testing.F) {
	f.Add("GET / HTTP/1.1", "curl/8")
	f.Add(`a "b" \c\"`, `\`)
	f.Add("", "-")
	f.Add(`"`, `\\"`)
	f.Fuzz(func(t *testing.T, req, ua string) {
		for _, s := range []string{req, ua} {
			if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
				t.Skip()
			}
		}
		var buf bytes.Buffer
		if err := accesslog.NewWriter(&buf).Write(accesslog.Record{Type: "https", Time: start, Request: req, UserAgent: ua}); err != nil {
			t.Fatal(err)
		}
		var got accesslog.Entry
		_, err := accesslog.Parse(&buf, "w", func(e accesslog.Entry) error { got = e; return nil })
		if err != nil {
			t.Fatalf("%v: %q", err, buf.String())
		}
		dash := func(s string) string {
			if s == "-" {
				return ""
			}
			return s
		}
		if got.Request != dash(req) || got.UserAgent != dash(ua) {
			t.Fatalf("wrote %q %q, read %q %q", req, ua, got.Request, got.UserAgent)
		}
	})
}
